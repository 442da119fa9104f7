// One cloud assembly folder for every synth of a test file. CDK stages a function's bundle once per
// folder and reuses it in later synths of the same code (its asset cache is keyed by the folder),
// so a file that synthesizes several stages runs esbuild and copies the ONNX runtime once per
// function and architecture, not once per synth. Each template is still synthesized in full from
// its own context, and each asset is still the real bundle, found by its hash. The folder is in the
// file's private TMPDIR (test/node-environment.js), removed when the file ends.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPipelineApp, type PipelineApp } from '../../lib/pipeline-app';

let outdir: string | undefined;

/** buildPipelineApp({ context }), synthesizing into this test file's one assembly folder. */
export function buildInFileAssembly(context: Record<string, string>): PipelineApp {
  outdir ??= mkdtempSync(join(tmpdir(), 'drs-cdk-'));
  return buildPipelineApp({ context, outdir });
}
