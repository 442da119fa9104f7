// Held-out quality of a model against the generator's truth: the numbers in the manifest, the model
// card and the quality test, computed the same way everywhere.
import type { GroupMetrics, HeldOutMetrics } from '../lambdas/core/model-manifest';
import { calibrationNoiseFloor, wilsonInterval } from './calibration';
import { DEFAULT_GATES, failures, qualityGates, type GateLimits } from './gates';
import { auc, brier, expectedCalibrationError, mean } from './metrics';
import { calibrationByReportGroup } from './report-groups';
import type { DonorTruth } from './synthetic-registry';

export interface EvaluationInput {
  predicted: ArrayLike<number>;
  truths: readonly Pick<DonorTruth, 'pAvailable' | 'available' | 'ancestryGroup'>[];
  /** Feature vectors and bands: with them, calibration is also reported per registry group. */
  vectors?: readonly (readonly number[] | undefined)[];
  bands?: { high: number; medium: number; rule: string };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

export function evaluate({ predicted, truths, vectors, bands }: EvaluationInput): Omit<HeldOutMetrics, 'seed' | 'asOf'> {
  const labels = truths.map((t) => t.available);
  const oracle = truths.map((t) => t.pAvailable);
  const groups = [...new Set(truths.map((t) => t.ancestryGroup))].sort();
  const byAncestryGroup = groups.map((group): GroupMetrics => {
    const idx = truths.flatMap((t, i) => (t.ancestryGroup === group ? [i] : []));
    const p = idx.map((i) => predicted[i]);
    const y = idx.map((i) => labels[i]);
    const observedRate = mean(y);
    const meanPredicted = mean(p);
    const w = wilsonInterval(y.reduce((s: number, x) => s + x, 0), y.length);
    return {
      group,
      rows: idx.length,
      observedRate: round(observedRate),
      meanPredicted: round(meanPredicted),
      calibrationGap: round(meanPredicted - observedRate),
      auc: round(auc(p, y)),
      oracleAuc: round(auc(idx.map((i) => oracle[i]), y)),
      gapInterval: { lower: round(meanPredicted - w.upper), upper: round(meanPredicted - w.lower) },
    };
  });
  return {
    rows: truths.length,
    observedRate: round(mean(labels)),
    meanPredicted: round(mean(predicted)),
    auc: round(auc(predicted, labels)),
    oracleAuc: round(auc(oracle, labels)),
    brier: round(brier(predicted, labels)),
    oracleBrier: round(brier(oracle, labels)),
    expectedCalibrationError: round(expectedCalibrationError(predicted, labels, 10)),
    calibrationNoiseFloor: round(calibrationNoiseFloor(predicted, 10)),
    byAncestryGroup,
    ...(vectors && bands
      ? { byGroup: calibrationByReportGroup(predicted, labels, vectors, bands, truths.map((t) => t.ancestryGroup)) }
      : {}),
  };
}

/** The quality gates that failed, as messages; an empty list means all are met. */
export function qualityShortfalls(m: Omit<HeldOutMetrics, 'seed' | 'asOf'>, limits: GateLimits = DEFAULT_GATES): string[] {
  return failures(qualityGates(m, limits)).map((g) => `${g.gate}: ${g.detail}`);
}
