import {
  applyInterceptShift,
  applyIsotonic,
  calibrationByGroup,
  calibrationNoiseFloor,
  fitInterceptShift,
  fitIsotonic,
  groupCalibrationShortfalls,
  recalibrate,
} from '../../model/calibration';
import { expectedCalibrationError, wilsonInterval } from '../../lambdas/core/outcome-statistics';
import { Random, sigmoid } from '../../model/random';

describe('wilsonInterval', () => {
  it('matches the textbook Wilson 95% intervals', () => {
    // Reference values: Newcombe, Stat Med 1998;17:857 (and R binom.confint(method = "wilson")).
    const a = wilsonInterval(5, 10);
    expect(a.lower).toBeCloseTo(0.2366, 4);
    expect(a.upper).toBeCloseTo(0.7634, 4);
    const b = wilsonInterval(0, 10);
    expect(b.lower).toBe(0);
    expect(b.upper).toBeCloseTo(0.2775, 4);
    const c = wilsonInterval(81, 263);
    expect(c.lower).toBeCloseTo(0.2553, 3);
    expect(c.upper).toBeCloseTo(0.3662, 3);
  });

  it('gives no interval for an empty group', () => {
    expect(wilsonInterval(0, 0).lower).toBeNaN();
  });
});

/** A group of `rows` donors whose mean prediction exceeds the observed rate by `gap`. */
function group(rows: number, observed: number, gap: number) {
  const positives = Math.round(rows * observed);
  const labels = Array.from({ length: rows }, (_, i) => (i < positives ? 1 : 0));
  const predicted = labels.map(() => positives / rows + gap);
  return calibrationByGroup('test', predicted, labels, () => 'g');
}

describe('the group calibration gate judges the interval, not the point', () => {
  it('passes 512 donors with a gap of 0.033: chance alone explains it', () => {
    const [g] = group(512, 0.5, 0.033);
    expect(g.calibrationGap).toBeCloseTo(0.033, 6);
    expect(g.gapInterval.lower).toBeLessThan(0.03);
    expect(groupCalibrationShortfalls([g], 0.03)).toEqual([]);
  });

  it('fails 20,000 donors with a gap of 0.05: the interval lies wholly beyond the limit', () => {
    const [g] = group(20_000, 0.5, 0.05);
    expect(g.gapInterval.lower).toBeGreaterThan(0.03);
    expect(groupCalibrationShortfalls([g], 0.03)).toEqual([expect.stringMatching(/test = g \(20000 donors\): calibration gap 0.05 .* beyond ±0.03/)]);
  });

  it('fails an under-prediction too, and a group whose gap is not a number', () => {
    const [low] = group(20_000, 0.5, -0.05);
    expect(groupCalibrationShortfalls([low], 0.03)).toHaveLength(1);
    expect(groupCalibrationShortfalls([{ ...low, calibrationGap: NaN }], 0.03)).toHaveLength(1);
  });

  it('splits rows by the group function and leaves out rows without a group', () => {
    const groups = calibrationByGroup('d', [0.2, 0.4, 0.6, 0.8], [0, 1, 1, 1], (i) => (i === 3 ? undefined : i < 2 ? 'a' : 'b'));
    expect(groups.map((g) => [g.group, g.rows, g.observedRate, g.meanPredicted])).toEqual([
      ['a', 2, 0.5, 0.3],
      ['b', 1, 1, 0.6],
    ]);
  });
});

describe('recalibration', () => {
  const rng = new Random(99);
  const n = 20_000;
  const z = Array.from({ length: n }, () => rng.normal() * 1.5);
  const predicted = z.map((x) => sigmoid(x));
  const labels = z.map((x) => (rng.bernoulli(sigmoid(x + 0.7)) ? 1 : 0));

  it('finds the intercept shift that generated the outcomes', () => {
    expect(fitInterceptShift(predicted, labels)).toBeGreaterThan(0.6);
    expect(fitInterceptShift(predicted, labels)).toBeLessThan(0.8);
    const shifted = applyInterceptShift(predicted, 0.7);
    expect(expectedCalibrationError(shifted, labels)).toBeLessThan(expectedCalibrationError(predicted, labels) / 3);
  });

  it('fits a monotone calibrator by pool-adjacent-violators', () => {
    const c = fitIsotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    expect(c).toEqual({ thresholds: [0.1, 0.3, 0.4], values: [0, 0.5, 1] });
    expect(Array.from(applyIsotonic(c, [0.05, 0.25, 0.35, 0.9]))).toEqual([0, 0.5, 1, 1]);
  });

  it('reports the error before and after on rows it was not fitted on', () => {
    const half = n / 2;
    const r = recalibrate('intercept', { predicted: predicted.slice(0, half), labels: labels.slice(0, half) }, { predicted: predicted.slice(half), labels: labels.slice(half) });
    expect(r.fittedOn).toBe(half);
    expect(r.judgedOn).toBe(half);
    expect(r.eceBefore).toBeGreaterThan(0.08);
    expect(r.eceAfter).toBeLessThan(0.02);
  });

  it('knows the chance floor of a perfectly calibrated model', () => {
    const perfect = z.map((x) => (rng.bernoulli(sigmoid(x)) ? 1 : 0));
    const floor = calibrationNoiseFloor(predicted.slice(0, 5000));
    const ece = expectedCalibrationError(predicted.slice(0, 5000), perfect.slice(0, 5000));
    expect(floor).toBeGreaterThan(0.01);
    expect(ece).toBeLessThan(floor * 2);
    expect(calibrationNoiseFloor(predicted)).toBeLessThan(floor);
  });
});
