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
  const { app, stack, config } = buildPipelineApp(
    { context, outdir: outdir ?? mkdtempSync(join(tmpdir(), 'drs-cdk-')) },
    modelDir,
  );
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  return { template: artifact.template as StackTemplate, assemblyDir: assembly.directory, stackName: stack.stackName, config };
}
