// The training reference the monitoring run compares live scores against: the score distribution,
// every feature's distribution and the band mix of the training sample, binned by its own deciles.
// Training writes it into the manifest (`monitoring`), so a retrain reproduces it with the model.
import type { Band } from '../core/model-manifest';
import { binnedReference, type BinnedReference } from './population-stability';

export interface MonitoringReference {
  /** Which sample the reference describes. */
  sample: { rows: number; seed: number; asOf: string };
  score: BinnedReference;
  features: Record<string, BinnedReference>;
  bands: Record<Band, number>;
  /** Held-out AUC at training time: the level an AUC drop is measured from. */
  auc: number;
}

export interface ReferenceInput {
  featureNames: readonly string[];
  vectors: readonly (readonly number[])[];
  scores: readonly number[];
  bands: readonly Band[];
  sample: MonitoringReference['sample'];
  auc: number;
}

export function buildMonitoringReference(input: ReferenceInput): MonitoringReference {
  const n = input.scores.length;
  if (n === 0 || input.vectors.length !== n || input.bands.length !== n) {
    throw new RangeError(`reference needs one vector, score and band per row (got ${input.vectors.length}, ${n}, ${input.bands.length})`);
  }
  const features: Record<string, BinnedReference> = {};
  input.featureNames.forEach((name, j) => {
    features[name] = binnedReference(input.vectors.map((v) => v[j]));
  });
  const count = (band: Band) => Math.round((input.bands.filter((b) => b === band).length / n) * 1e6) / 1e6;
  return {
    sample: input.sample,
    score: binnedReference(input.scores),
    features,
    bands: { high: count('high'), medium: count('medium'), low: count('low') },
    auc: input.auc,
  };
}

/** The reference of a manifest, or a clear error naming what to do. */
export function monitoringReferenceOf(manifest: { modelVersion: string; monitoring?: MonitoringReference }): MonitoringReference {
  if (!manifest.monitoring) {
    throw new Error(`model ${manifest.modelVersion} has no monitoring reference in its manifest: retrain it with npm run train`);
  }
  return manifest.monitoring;
}
