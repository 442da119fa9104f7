// Adds the monitoring reference (lambdas/monitoring/monitoring-reference.ts) to a trained manifest:
// the distributions of the training sample that live scores are compared against. Called by every
// training run, so a retrain reproduces the reference beside its model.
import { FEATURE_NAMES } from '../lambdas/core/features';
import { bandOf, LogitExplainer, type ModelManifest } from '../lambdas/core/model-manifest';
import { buildMonitoringReference, type MonitoringReference } from '../lambdas/monitoring/monitoring-reference';

export type MonitoredManifest = ModelManifest & { monitoring?: MonitoringReference };

export function addMonitoringReference(
  manifest: ModelManifest,
  training: { vectors: number[][]; config: { rows: number; seed: number; asOf: string } },
): MonitoredManifest {
  // The manifest's own arithmetic equals the ONNX graph within 1e-5 (golden test), and needs no session.
  const explainer = new LogitExplainer(manifest);
  const scores = training.vectors.map((v) => Math.round(explainer.probability(v) * 1e6) / 1e6);
  const monitoring = buildMonitoringReference({
    featureNames: FEATURE_NAMES,
    vectors: training.vectors,
    scores,
    bands: scores.map((s) => bandOf(s, manifest.bands)),
    sample: { rows: training.vectors.length, seed: training.config.seed, asOf: training.config.asOf },
    auc: manifest.metrics.heldOut.auc,
  });
  return { ...manifest, monitoring };
}
