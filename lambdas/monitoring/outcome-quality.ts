// How well scores predicted the outcomes of requests: AUC and calibration, each with a confidence
// interval and its counts, so a reader can tell a real change from a small sample. Pure.
import { normalQuantile } from './population-stability';

const round6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);

export interface Interval {
  lower: number;
  upper: number;
}

export interface AucResult {
  value: number;
  /** Hanley-McNeil interval; NaN bounds when a class is missing. */
  interval: Interval;
  rows: number;
  positives: number;
  negatives: number;
}

/** Area under the ROC curve (Mann-Whitney U with midranks for ties); NaN without both classes. */
export function areaUnderRoc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
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
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export function aucWithInterval(scores: ArrayLike<number>, labels: ArrayLike<number>, confidence = 0.95): AucResult {
  const a = areaUnderRoc(scores, labels);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] === 1) positives++;
  const negatives = labels.length - positives;
  // Hanley & McNeil (1982): variance from the AUC and the two class sizes.
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const variance = (a * (1 - a) + (positives - 1) * (q1 - a * a) + (negatives - 1) * (q2 - a * a)) / (positives * negatives);
  const half = normalQuantile(0.5 + confidence / 2) * Math.sqrt(Math.max(variance, 0));
  return {
    value: round6(a),
    interval: { lower: round6(Math.max(0, a - half)), upper: round6(Math.min(1, a + half)) },
    rows: labels.length,
    positives,
    negatives,
  };
}

/** Wilson score interval for a proportion of `successes` in `rows`. */
export function wilsonInterval(successes: number, rows: number, confidence = 0.95): Interval {
  if (rows === 0) return { lower: NaN, upper: NaN };
  const z = normalQuantile(0.5 + confidence / 2);
  const p = successes / rows;
  const denom = 1 + (z * z) / rows;
  const centre = (p + (z * z) / (2 * rows)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / rows + (z * z) / (4 * rows * rows))) / denom;
  return { lower: round6(Math.max(0, centre - half)), upper: round6(Math.min(1, centre + half)) };
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
  /** Row-weighted mean |observed - predicted| over the deciles. */
  expectedCalibrationError: number;
  deciles: CalibrationDecile[];
}

/**
 * Observed vs predicted by decile of the predicted score (equal-count groups of this sample) and
 * calibration-in-the-large with a normal interval whose variance is that of the outcomes given
 * the predictions (sum p(1-p)) plus nothing else: the predictions are fixed numbers.
 */
export function calibration(scores: ArrayLike<number>, labels: ArrayLike<number>, confidence = 0.95, groups = 10): CalibrationResult {
  const n = scores.length;
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
    deciles.push({ decile: d + 1, rows, meanPredicted: round6(p / rows), observedRate: round6(y / rows), interval: wilsonInterval(y, rows, confidence) });
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
  // The larger of the model's own variance and the observed one, so a badly calibrated sample
  // does not get a falsely narrow interval.
  const observed = n ? sumY / n : NaN;
  const se = n ? Math.sqrt(Math.max(variance / n, observed * (1 - observed)) / n) : NaN;
  const half = normalQuantile(0.5 + confidence / 2) * se;
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

/** ROC points (false positive rate, true positive rate), thinned to at most `points`. */
export function rocPoints(scores: ArrayLike<number>, labels: ArrayLike<number>, points = 100): { fpr: number; tpr: number }[] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
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
