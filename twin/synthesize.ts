// Synthesizes the real CDK app (the same code `cdk synth` runs) into a
// cloud assembly folder, and returns the stack's template and where its assets were staged.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPipelineApp } from '../lib/pipeline-app';
import type { PipelineConfig } from '../lib/pipeline-config';
import type { StackTemplate } from './template-resolver';

export interface SynthesizedPipeline {
  template: StackTemplate;
  assemblyDir: string;
  stackName: string;
  config: PipelineConfig;
}

export function synthesizePipeline(context: Record<string, string> = {}, outdir?: string, modelDir?: string): SynthesizedPipeline {
  // Bundling happens as the stack's constructs are made (asset staging), not in synth().
  const { stack, config, assembly } = withoutBundlingLines(() => {
    const built = buildPipelineApp({ context, outdir: outdir ?? mkdtempSync(join(tmpdir(), 'drs-cdk-')) }, modelDir);
    return { ...built, assembly: built.app.synth() };
  });
  const artifact = assembly.getStackByName(stack.stackName);
  return { template: artifact.template as StackTemplate, assemblyDir: assembly.directory, stackName: stack.stackName, config };
}

/**
 * CDK writes "Bundling asset <path>..." to standard error for every function it bundles: a dozen
 * lines in each `npm start`, bench and integration test file. The twin says what it is doing itself.
 */
function withoutBundlingLines<T>(work: () => T): T {
  const write = process.stderr.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
    typeof chunk === 'string' && /^Bundling asset \S+\.\.\.\n$/.test(chunk) ? true : (write as (...a: unknown[]) => boolean).call(process.stderr, chunk, ...rest)) as typeof write;
  try {
    return work();
  } finally {
    process.stderr.write = write;
  }
}

/**
 * The same synthesis in a child process: the CDK app, its template validation (a WebAssembly module
 * whose memory, ~190 MiB once grown, is never given back) and the library's code stay out of the
 * process that then runs the pipeline for minutes or hours. Usage as synthesizePipeline.
 */
export function synthesizeInChildProcess(context: Record<string, string>, outdir: string): SynthesizedPipeline {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'synthesize-child.ts'), JSON.stringify(context), outdir], {
    encoding: 'utf8',
    cwd: join(__dirname, '..'), // where `--import tsx` resolves
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 256 * 2 ** 20,
  });
  return JSON.parse(out) as SynthesizedPipeline;
}
