// Where the trained model lives in the repository, and what the CLI and the local twin read of it
// besides the model itself (kept here, below both, so neither reaches into the other).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { monitoringReferenceOf, type MonitoringReference } from '../lambdas/monitoring/monitoring-reference';

export const DEFAULT_MODEL_DIR = __dirname;

/** The monitoring reference (training-time distributions) of the model in `dir`. */
export async function readReference(dir: string): Promise<{ modelVersion: string; reference: MonitoringReference }> {
  const file = join(dir, 'manifest.json');
  let manifest: { modelVersion: string; monitoring?: MonitoringReference };
  try {
    manifest = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the reference ${file} (${(error as Error).message}): pass --reference with a model folder`);
  }
  return { modelVersion: manifest.modelVersion, reference: monitoringReferenceOf(manifest) };
}
