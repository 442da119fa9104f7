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
  const { app, stack, config } = buildPipelineApp(
    { context, outdir: outdir ?? mkdtempSync(join(tmpdir(), 'drs-cdk-')) },
    modelDir,
  );
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  return { template: artifact.template as StackTemplate, assemblyDir: assembly.directory, stackName: stack.stackName, config };
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
