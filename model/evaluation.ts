// Held-out quality of a model against the generator's truth: the numbers in the manifest, the model
// card and the quality test, computed the same way everywhere.
import type { GroupMetrics, HeldOutMetrics } from '../lambdas/core/model-manifest';
import { auc, brier, expectedCalibrationError, mean } from './metrics';
import type { DonorTruth } from './synthetic-registry';

export interface EvaluationInput {
  predicted: ArrayLike<number>;
  truths: readonly Pick<DonorTruth, 'pAvailable' | 'available' | 'ancestryGroup'>[];
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

export function evaluate({ predicted, truths }: EvaluationInput): Omit<HeldOutMetrics, 'seed' | 'asOf'> {
  const labels = truths.map((t) => t.available);
  const oracle = truths.map((t) => t.pAvailable);
  const groups = [...new Set(truths.map((t) => t.ancestryGroup))].sort();
  const byAncestryGroup = groups.map((group): GroupMetrics => {
    const idx = truths.flatMap((t, i) => (t.ancestryGroup === group ? [i] : []));
    const p = idx.map((i) => predicted[i]);
    const y = idx.map((i) => labels[i]);
    const observedRate = mean(y);
    const meanPredicted = mean(p);
    return {
      group,
      rows: idx.length,
      observedRate: round(observedRate),
      meanPredicted: round(meanPredicted),
      calibrationGap: round(meanPredicted - observedRate),
      auc: round(auc(p, y)),
      oracleAuc: round(auc(idx.map((i) => oracle[i]), y)),
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
    byAncestryGroup,
  };
}

/** The quality targets of the model issue; an empty list means all are met. */
export function qualityShortfalls(m: Omit<HeldOutMetrics, 'seed' | 'asOf'>): string[] {
  const out: string[] = [];
  if (m.oracleAuc - m.auc > 0.01) out.push(`AUC ${m.auc} is more than 0.01 below the oracle AUC ${m.oracleAuc}`);
  if (m.expectedCalibrationError > 0.02) out.push(`expected calibration error ${m.expectedCalibrationError} > 0.02`);
  for (const g of m.byAncestryGroup) {
    if (Math.abs(g.calibrationGap) > 0.03) out.push(`group ${g.group}: calibration gap ${g.calibrationGap} exceeds 0.03`);
  }
  if (m.oracleAuc < 0.75 || m.oracleAuc > 0.87) out.push(`oracle AUC ${m.oracleAuc} outside 0.75-0.87`);
  return out;
}
