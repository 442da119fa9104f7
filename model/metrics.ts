// Quality measures for a probabilistic classifier, computed from (prediction, outcome) pairs only,
// so anyone can recompute them from a generator file and a scorer output. The statistics live in
// lambdas/core/outcome-statistics.ts, shared with the monitoring run; this module names them as
// training and its reports use them.
import { areaUnderRoc, rocPoints } from '../lambdas/core/outcome-statistics';

export { calibrationBins, expectedCalibrationError, mean, type CalibrationBin } from '../lambdas/core/outcome-statistics';

/** Area under the ROC curve (Mann-Whitney U with midranks for ties); NaN without both classes. */
export const auc = areaUnderRoc;

export function brier(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += (scores[i] - labels[i]) ** 2;
  return sum / scores.length;
}

/** ROC curve points [false positive rate, true positive rate], thinned to at most about `points`. */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, points = 200): [number, number][] {
  return rocPoints(scores, labels, points).map((p) => [p.fpr, p.tpr]);
}
