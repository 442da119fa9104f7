// Calibration by donor group with its uncertainty, the gates on it, and recalibration from recent
// outcomes. Pure: no I/O, no clock. The statistics underneath (Wilson intervals, AUC, calibration
// error) are lambdas/core/outcome-statistics.ts, shared with the monitoring run.
import { expectedCalibrationError, mean, wilsonInterval, type Interval } from '../lambdas/core/outcome-statistics';

export { wilsonInterval, Z95, type Interval } from '../lambdas/core/outcome-statistics';

export interface GroupCalibration {
  /** What the groups split by, e.g. `ageBand`. */
  dimension: string;
  group: string;
  rows: number;
  observedRate: number;
  meanPredicted: number;
  /** Mean predicted minus observed availability. */
  calibrationGap: number;
  /** 95% interval of the gap: the mean prediction minus the Wilson interval of the observed rate. */
  gapInterval: Interval;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Calibration of every group of one dimension. `groupOf(i)` names row i's group (undefined leaves
 * the row out). Groups come back sorted by name so that reports are stable.
 */
export function calibrationByGroup(
  dimension: string,
  predicted: ArrayLike<number>,
  labels: ArrayLike<number>,
  groupOf: (i: number) => string | undefined,
): GroupCalibration[] {
  const acc = new Map<string, { rows: number; positives: number; predicted: number }>();
  for (let i = 0; i < predicted.length; i++) {
    const g = groupOf(i);
    if (g === undefined) continue;
    const a = acc.get(g) ?? { rows: 0, positives: 0, predicted: 0 };
    a.rows += 1;
    a.positives += labels[i];
    a.predicted += predicted[i];
    acc.set(g, a);
  }
  return [...acc.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([group, a]) => {
      const observedRate = a.positives / a.rows;
      const meanPredicted = a.predicted / a.rows;
      const w = wilsonInterval(a.positives, a.rows);
      return {
        dimension,
        group,
        rows: a.rows,
        observedRate: round6(observedRate),
        meanPredicted: round6(meanPredicted),
        calibrationGap: round6(meanPredicted - observedRate),
        gapInterval: { lower: round6(meanPredicted - w.upper), upper: round6(meanPredicted - w.lower) },
      };
    });
}

/**
 * The group gate judges the interval, not the point: a group fails only when its whole 95% interval
 * lies outside [-limit, +limit], i.e. the data show a gap larger than the limit beyond chance.
 * A small group with a noisy point estimate passes; a large group with a real gap fails.
 */
export function groupCalibrationShortfalls(groups: readonly GroupCalibration[], limit: number): string[] {
  return groups
    .filter((g) => g.gapInterval.lower > limit || g.gapInterval.upper < -limit || !Number.isFinite(g.calibrationGap))
    .map(
      (g) =>
        `${g.dimension} = ${g.group} (${g.rows} donors): calibration gap ${g.calibrationGap} ` +
        `[95% interval ${g.gapInterval.lower} .. ${g.gapInterval.upper}] lies beyond ±${limit}`,
    );
}

/**
 * The calibration error a perfectly calibrated model would still show on these rows by chance:
 * per bin, E|observed - predicted| ~ sqrt(2/pi) * sd, with sd = sqrt(sum p(1-p)) / rows. A small
 * file's ECE is judged above this floor, so chance alone never fails the gate.
 */
export function calibrationNoiseFloor(predicted: ArrayLike<number>, bins = 10): number {
  const n = predicted.length;
  if (n === 0) return NaN;
  const variance = new Array<number>(bins).fill(0);
  const count = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) {
    const b = Math.min(bins - 1, Math.floor(predicted[i] * bins));
    count[b]++;
    variance[b] += predicted[i] * (1 - predicted[i]);
  }
  let floor = 0;
  for (let b = 0; b < bins; b++) if (count[b]) floor += (count[b] / n) * Math.sqrt(2 / Math.PI) * (Math.sqrt(variance[b]) / count[b]);
  return floor;
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-7, Math.max(1e-7, p));
  return Math.log(q / (1 - q));
};
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Intercept recalibration: the shift `b` of the log-odds that maximises the likelihood of recent
 * outcomes, so that mean(sigmoid(logit(p) + b)) equals the observed rate. Keeps the ranking (AUC)
 * and the reason codes; fixes a base rate that moved.
 */
export function fitInterceptShift(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = predicted.length;
  if (n === 0) return NaN;
  const z = Float64Array.from({ length: n }, (_, i) => logit(predicted[i]));
  const target = mean(labels);
  let b = 0;
  for (let iteration = 0; iteration < 50; iteration++) {
    let sum = 0;
    let slope = 0;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(z[i] + b);
      sum += p;
      slope += p * (1 - p);
    }
    const step = (target * n - sum) / Math.max(slope, 1e-12);
    b += Math.max(-5, Math.min(5, step));
    if (Math.abs(step) < 1e-10) break;
  }
  return b;
}

export function applyInterceptShift(predicted: ArrayLike<number>, shift: number): Float64Array {
  return Float64Array.from({ length: predicted.length }, (_, i) => sigmoid(logit(predicted[i]) + shift));
}

/** A monotone (isotonic) calibrator: a non-decreasing step function from score to probability. */
export interface IsotonicCalibrator {
  /** Upper score of each step, ascending. */
  thresholds: number[];
  /** Calibrated probability of each step, non-decreasing. */
  values: number[];
}

/** Pool-adjacent-violators fit of outcomes on scores. */
export function fitIsotonic(predicted: ArrayLike<number>, labels: ArrayLike<number>): IsotonicCalibrator {
  const order = Array.from({ length: predicted.length }, (_, i) => i).sort((a, b) => predicted[a] - predicted[b]);
  const blocks: { sum: number; count: number; upper: number }[] = [];
  for (const i of order) {
    blocks.push({ sum: labels[i], count: 1, upper: predicted[i] });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (prev.sum / prev.count <= last.sum / last.count) break;
      blocks.splice(blocks.length - 2, 2, { sum: prev.sum + last.sum, count: prev.count + last.count, upper: last.upper });
    }
  }
  return { thresholds: blocks.map((b) => b.upper), values: blocks.map((b) => b.sum / b.count) };
}

export function applyIsotonic(calibrator: IsotonicCalibrator, predicted: ArrayLike<number>): Float64Array {
  const { thresholds, values } = calibrator;
  return Float64Array.from({ length: predicted.length }, (_, i) => {
    let lo = 0;
    let hi = thresholds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (thresholds[mid] < predicted[i]) lo = mid + 1;
      else hi = mid;
    }
    return values[lo];
  });
}

export interface RecalibrationReport {
  method: 'intercept' | 'isotonic';
  /** Rows of recent outcomes the calibrator was fitted on. */
  fittedOn: number;
  /** Rows it was judged on (a separate draw, never the fitting rows). */
  judgedOn: number;
  eceBefore: number;
  eceAfter: number;
  /** Intercept shift in log-odds (intercept method only). */
  shift?: number;
}

/**
 * Fits a calibrator on `recent` outcomes and reports the calibration error on separate `judge`
 * rows before and after; the caller gates on `eceAfter`.
 */
export function recalibrate(
  method: RecalibrationReport['method'],
  recent: { predicted: ArrayLike<number>; labels: ArrayLike<number> },
  judge: { predicted: ArrayLike<number>; labels: ArrayLike<number> },
): RecalibrationReport & { apply: (p: ArrayLike<number>) => Float64Array } {
  const eceBefore = round6(expectedCalibrationError(judge.predicted, judge.labels, 10));
  let apply: (p: ArrayLike<number>) => Float64Array;
  let shift: number | undefined;
  if (method === 'intercept') {
    const b = fitInterceptShift(recent.predicted, recent.labels);
    shift = round6(b);
    apply = (p) => applyInterceptShift(p, b);
  } else {
    const calibrator = fitIsotonic(recent.predicted, recent.labels);
    apply = (p) => applyIsotonic(calibrator, p);
  }
  const eceAfter = round6(expectedCalibrationError(apply(judge.predicted), judge.labels, 10));
  return { method, fittedOn: recent.predicted.length, judgedOn: judge.predicted.length, eceBefore, eceAfter, ...(shift === undefined ? {} : { shift }), apply };
}
