// The statistics of predictions against outcomes, in one place: AUC with its Hanley-McNeil interval,
// Wilson intervals, calibration (by decile, in the large, equal-width bins and their error) and ROC
// points. Pure (no I/O, no clock). Training, its gates, `drs compare` and `drs evaluate` (model/) and
// the monitoring run (lambdas/monitoring/) all import these, so a calibration gap, an AUC interval or
// a calibration error means the same number in every report.

/** z of a two-sided 95% interval. */
export const Z95 = 1.959964;

export interface Interval {
  lower: number;
  upper: number;
}

const round6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);

/** Standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(p: number): number {
  // 0 first: the tail formula would give Infinity / Infinity. No other guard is needed: 1 reflects
  // to 0 below (Infinity), and outside [0, 1] the formulas give NaN by themselves (the log of a
  // negative number; NaN in, NaN out).
  if (p === 0) return -Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  // Stryker disable next-line EqualityOperator: at p = low exactly the two regions of the approximation agree to its error (1e-9)
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Stryker disable next-line EqualityOperator: at p = 1 - low exactly the two regions agree to the approximation's error (1e-9)
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** z of a two-sided interval of this confidence (1.959964 at 0.95). */
export const zOf = (confidence: number) => (confidence === 0.95 ? Z95 : normalQuantile(0.5 + confidence / 2));

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Wilson score interval for a binomial proportion (well behaved at 0, 1 and small n); unrounded. */
export function wilsonInterval(successes: number, n: number, z = Z95): Interval {
  // Stryker disable next-line EqualityOperator: at n = 0 the formulas give NaN bounds too (0 / 0)
  if (!(n > 0)) return { lower: NaN, upper: NaN };
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/** Area under the ROC curve (Mann-Whitney U with midranks for ties); NaN without both classes. */
export function areaUnderRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  // Stryker disable next-line EqualityOperator: one step past the end reads order[n], undefined, whose label is not 1: nothing is counted
  for (let i = 0; i < n; ) {
    let j = i;
    while (
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: past the end order[n] is undefined, and so is its score, which equals no score: the loop stops there anyway
      j + 1 < n &&
      scores[order[j + 1]] === scores[order[i]]
    )
      j++;
    const midrank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += midrank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  // Stryker disable next-line ConditionalExpression,LogicalOperator: the formula below gives 0 / 0 = NaN too (with one class the ranks sum to n(n + 1) / 2)
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Standard error of an AUC (Hanley & McNeil 1982), from the AUC and the two class sizes. */
export function aucStandardError(auc: number, positives: number, negatives: number): number {
  const q1 = auc / (2 - auc);
  const q2 = (2 * auc * auc) / (1 + auc);
  const v = (auc * (1 - auc) + (positives - 1) * (q1 - auc * auc) + (negatives - 1) * (q2 - auc * auc)) / (positives * negatives);
  return Math.sqrt(Math.max(0, v));
}

export interface AucResult {
  value: number;
  /** Hanley-McNeil interval; NaN bounds when a class is missing. */
  interval: Interval;
  rows: number;
  positives: number;
  negatives: number;
}

export function aucWithInterval(scores: ArrayLike<number>, labels: ArrayLike<number>, confidence = 0.95): AucResult {
  const a = areaUnderRoc(scores, labels);
  let positives = 0;
  // Stryker disable next-line EqualityOperator: labels[labels.length] is undefined, not 1
  for (let i = 0; i < labels.length; i++)
    if (labels[i] === 1) positives++;
  const negatives = labels.length - positives;
  const half = zOf(confidence) * aucStandardError(a, positives, negatives);
  return {
    value: round6(a),
    interval: { lower: round6(Math.max(0, a - half)), upper: round6(Math.min(1, a + half)) },
    rows: labels.length,
    positives,
    negatives,
  };
}

export interface CalibrationBin {
  lower: number;
  upper: number;
  rows: number;
  meanPredicted: number;
  observedRate: number;
}

/** Equal-width bins over [0, 1]; empty bins are kept with rows = 0. */
export function calibrationBins(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): CalibrationBin[] {
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const observed = new Array<number>(bins).fill(0);
  // Stryker disable next-line EqualityOperator: one step past the end adds to count[NaN], a property that map() does not visit
  for (let i = 0; i < scores.length; i++) {
    const b = Math.min(bins - 1, Math.floor(scores[i] * bins));
    count[b]++;
    predicted[b] += scores[i];
    observed[b] += labels[i];
  }
  return count.map((rows, b) => ({
    lower: b / bins,
    upper: (b + 1) / bins,
    rows,
    meanPredicted: rows ? predicted[b] / rows : NaN,
    observedRate: rows ? observed[b] / rows : NaN,
  }));
}

/** Expected calibration error: row-weighted mean |predicted - observed| over equal-width bins. */
export function expectedCalibrationError(scores: ArrayLike<number>, labels: ArrayLike<number>, bins = 10): number {
  const n = scores.length;
  return calibrationBins(scores, labels, bins)
    .filter((b) => b.rows > 0)
    .reduce((sum, b) => sum + (b.rows / n) * Math.abs(b.meanPredicted - b.observedRate), 0);
}

export interface CalibrationDecile {
  decile: number;
  rows: number;
  meanPredicted: number;
  observedRate: number;
  interval: Interval;
}

export interface CalibrationResult {
  rows: number;
  available: number;
  meanPredicted: number;
  observedRate: number;
  /** Calibration-in-the-large: observed rate minus mean predicted (negative: the model promised more). */
  inTheLarge: number;
  interval: Interval;
  /** Row-weighted mean |observed - predicted| over the deciles of this sample (equal-count groups). */
  expectedCalibrationError: number;
  deciles: CalibrationDecile[];
}

/**
 * Observed vs predicted by decile of the predicted score (equal-count groups of this sample), each
 * with its Wilson interval, and calibration-in-the-large with a normal interval. Figures rounded to
 * 6 decimals for reports.
 */
export function calibration(scores: ArrayLike<number>, labels: ArrayLike<number>, confidence = 0.95, groups = 10): CalibrationResult {
  const n = scores.length;
  const z = zOf(confidence);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const deciles: CalibrationDecile[] = [];
  let absGap = 0;
  for (let d = 0; d < groups; d++) {
    const from = Math.floor((d * n) / groups);
    const to = Math.floor(((d + 1) * n) / groups);
    if (to <= from) continue;
    let p = 0;
    let y = 0;
    for (let k = from; k < to; k++) {
      p += scores[order[k]];
      y += labels[order[k]];
    }
    const rows = to - from;
    absGap += Math.abs(y - p);
    const w = wilsonInterval(y, rows, z);
    deciles.push({ decile: d + 1, rows, meanPredicted: round6(p / rows), observedRate: round6(y / rows), interval: { lower: round6(w.lower), upper: round6(w.upper) } });
  }
  let sumP = 0;
  let sumY = 0;
  let variance = 0;
  for (let i = 0; i < n; i++) {
    sumP += scores[i];
    sumY += labels[i];
    variance += scores[i] * (1 - scores[i]);
  }
  const gap = n ? (sumY - sumP) / n : NaN;
  // The larger of the model's own variance (sum p(1-p)) and the observed one, so a badly
  // calibrated sample does not get a falsely narrow interval.
  const observed = n ? sumY / n : NaN;
  const se = n ? Math.sqrt(Math.max(variance / n, observed * (1 - observed)) / n) : NaN;
  const half = z * se;
  return {
    rows: n,
    available: sumY,
    meanPredicted: round6(sumP / n),
    observedRate: round6(observed),
    inTheLarge: round6(gap),
    interval: { lower: round6(gap - half), upper: round6(gap + half) },
    expectedCalibrationError: round6(n ? absGap / n : NaN),
    deciles,
  };
}

/** ROC points (false positive rate, true positive rate) from (0, 0) to (1, 1), thinned to at most about `points`. */
export function rocPoints(scores: ArrayLike<number>, labels: ArrayLike<number>, points = 100): { fpr: number; tpr: number }[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  // Stryker disable next-line EqualityOperator: labels[labels.length] is undefined, not 1
  for (let i = 0; i < labels.length; i++)
    positives += labels[i] === 1 ? 1 : 0;
  const negatives = labels.length - positives;
  const curve = [{ fpr: 0, tpr: 0 }];
  if (!positives || !negatives) return curve;
  let tp = 0;
  let fp = 0;
  const step = Math.max(1, Math.floor(order.length / points));
  order.forEach((idx, k) => {
    if (labels[idx] === 1) tp++;
    else fp++;
    if ((k + 1) % step === 0 || k === order.length - 1) curve.push({ fpr: round6(fp / negatives), tpr: round6(tp / positives) });
  });
  return curve;
}
