// The model as committed in model/: manifest.json beside the ONNX file it names.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '../lambdas/core/model-manifest';
import { ReadinessModel } from '../lambdas/core/readiness-model';
import { DEFAULT_MODEL_DIR } from '../model/model-files';

export { DEFAULT_MODEL_DIR };

export async function loadLocalModel(dir = DEFAULT_MODEL_DIR): Promise<ReadinessModel> {
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ModelManifest;
  } catch (error) {
    throw new Error(`cannot read ${join(dir, 'manifest.json')} (${(error as Error).message}): run npm run train`);
  }
  const bytes = await readFile(join(dir, manifest.onnx.file));
  return ReadinessModel.load(manifest, bytes);
}
