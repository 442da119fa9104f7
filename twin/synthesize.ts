// Synthesizes the real CDK app (the same code `cdk synth` runs) into a
// cloud assembly folder, and returns the stack's template and where its assets were staged.
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
