// Loading the model turns onnxruntime's telemetry off unless the environment already says
// otherwise: with it on, every process that creates a session writes .ses and mat-debug-<pid>.log
// files into the temp directory (Lambda's /tmp, a developer's /tmp).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { ReadinessModel } from '../../lambdas/core/readiness-model';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
const onnxBytes = readFileSync(join(MODEL_DIR, manifest.onnx.file));
const saved = process.env.ORT_DISABLE_TELEMETRY;
afterEach(() => {
  if (saved === undefined) delete process.env.ORT_DISABLE_TELEMETRY;
  else process.env.ORT_DISABLE_TELEMETRY = saved;
});

describe('ORT telemetry', () => {
  it('is turned off (ORT_DISABLE_TELEMETRY=1) when the environment does not set it', async () => {
    delete process.env.ORT_DISABLE_TELEMETRY;
    await ReadinessModel.load(manifest, onnxBytes);
    expect(process.env.ORT_DISABLE_TELEMETRY).toBe('1');
  });

  it('keeps what the environment sets', async () => {
    process.env.ORT_DISABLE_TELEMETRY = '0';
    await ReadinessModel.load(manifest, onnxBytes);
    expect(process.env.ORT_DISABLE_TELEMETRY).toBe('0');
  });
});
