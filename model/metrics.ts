// Quality measures for a probabilistic classifier, computed from (prediction, outcome) pairs only,
// so anyone can recompute them from a generator file and a scorer output. The statistics live in
// lambdas/core/outcome-statistics.ts, shared with the monitoring run; this module names them as
// training and its reports use them.
import { areaUnderRoc } from '../lambdas/core/outcome-statistics';

export { calibrationBins, expectedCalibrationError, mean, type CalibrationBin } from '../lambdas/core/outcome-statistics';

/** Area under the ROC curve (Mann-Whitney U with midranks for ties); NaN without both classes. */
export const auc = areaUnderRoc;

export function brier(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += (scores[i] - labels[i]) ** 2;
  return sum / scores.length;
}

/**
 * ROC curve points [false positive rate, true positive rate] for the model card's plot, thinned to at
 * most `points`. Kept as it was written so that a retrain reproduces the committed roc.svg byte for
 * byte; reports use rocPoints (lambdas/core/outcome-statistics.ts).
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, points = 200): [number, number][] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i];
  const negatives = labels.length - positives;
  const curve: [number, number][] = [[0, 0]];
  let tp = 0;
  let fp = 0;
  const step = Math.max(1, Math.floor(order.length / points));
  order.forEach((idx, k) => {
    if (labels[idx] === 1) tp++;
    else fp++;
    if ((k + 1) % step === 0) curve.push([fp / negatives, tp / positives]);
  });
  curve.push([1, 1]);
  return curve;
}
