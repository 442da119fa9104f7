// Quality measures for a probabilistic classifier, computed from (prediction, outcome) pairs only,
// so anyone can recompute them from a generator file and a scorer output.

/** Area under the ROC curve (Mann-Whitney U with midranks for ties). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
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

export function brier(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += (scores[i] - labels[i]) ** 2;
  return sum / scores.length;
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
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

/** ROC curve points (false positive rate, true positive rate), thinned to at most `points`. */
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
