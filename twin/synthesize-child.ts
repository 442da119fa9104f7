// Synthesizes the pipeline in a process of its own and prints the result (template, assembly folder,
// stack name, configuration) as JSON on stdout: see synthesizeInChildProcess.
// Usage: synthesize-child.ts CONTEXT_JSON OUTDIR
import { synthesizePipeline } from './synthesize';

const [context, outdir] = process.argv.slice(2);
process.stdout.write(JSON.stringify(synthesizePipeline(JSON.parse(context) as Record<string, string>, outdir)));
