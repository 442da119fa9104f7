// lambdas/core/outcome-statistics.ts on inputs small enough to work out by hand: every branch,
// every parameter (confidence, bins, groups, points) and every clamp. Expected values come from
// statistical tables or from the arithmetic in the comments, never from the code under test.
import {
  areaUnderRoc,
  aucWithInterval,
  calibration,
  calibrationBins,
  expectedCalibrationError,
  mean,
  normalQuantile,
  rocPoints,
  wilsonInterval,
  Z95,
  zOf,
} from '../../lambdas/core/outcome-statistics';

describe('normal quantile (Acklam) against the standard normal table', () => {
  it.each([
    // Central region (0.02425 <= p <= 0.97575).
    [0.5, 0],
    [0.75, 0.6744898],
    [0.25, -0.6744898],
    [0.9, 1.2815516],
    [0.1, -1.2815516],
    [0.975, 1.959964],
    [0.025, -1.959964],
    // Lower tail (p < 0.02425) and, by symmetry, the upper tail.
    [0.02, -2.0537489],
    [0.98, 2.0537489],
    [0.01, -2.3263479],
    [0.99, 2.3263479],
    [0.005, -2.5758293],
    [0.995, 2.5758293],
    [0.001, -3.0902323],
    [0.999, 3.0902323],
    [1e-6, -4.7534243],
  ])('Φ⁻¹(%p) = %p', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });

  it('is -∞ at 0, +∞ at 1 and NaN outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
    expect(normalQuantile(-Infinity)).toBeNaN();
    expect(normalQuantile(Infinity)).toBeNaN();
  });

  it('gives the two-sided z of a confidence: the published 1.959964 at 95%, the table elsewhere', () => {
    expect(Z95).toBe(1.959964);
    expect(zOf(0.95)).toBe(1.959964);
    // 90%: Φ⁻¹(0.95) = 1.6448536; 99%: Φ⁻¹(0.995) = 2.5758293; 50%: Φ⁻¹(0.75) = 0.6744898.
    expect(zOf(0.9)).toBeCloseTo(1.6448536, 6);
    expect(zOf(0.99)).toBeCloseTo(2.5758293, 6);
    expect(zOf(0.5)).toBeCloseTo(0.6744898, 6);
  });
});

describe('mean', () => {
  it('is the sum over the count, NaN when empty', () => {
    expect(mean([1, 2, 3, 6])).toBe(3);
    expect(mean(new Float64Array([0.5, -0.25]))).toBe(0.125);
    expect(mean([])).toBeNaN();
  });
});

describe('Wilson interval with another z', () => {
  it('1 of 4 at z = 1 is exactly 0.1 to 0.5', () => {
    // p = 0.25, z² = 1: centre = (0.25 + 1/8) / (1 + 1/4) = 0.3;
    // half = sqrt(0.25 * 0.75 / 4 + 1/64) / 1.25 = sqrt(0.0625) / 1.25 = 0.2.
    const w = wilsonInterval(1, 4, 1);
    expect(w.lower).toBeCloseTo(0.1, 12);
    expect(w.upper).toBeCloseTo(0.5, 12);
  });

  it('0 of 1 and 1 of 1 at 95%: the interval touches 0 and 1 and never crosses them', () => {
    // 0 of 1: centre = half = (z²/2) / (1 + z²) = 1.920729 / 4.841459 = 0.396725 -> 0 to 0.793451.
    const none = wilsonInterval(0, 1);
    expect(none.lower).toBe(0);
    expect(none.upper).toBeCloseTo(0.7934507, 6);
    // 1 of 1 mirrors it: 0.206549 to 1.
    const all = wilsonInterval(1, 1);
    expect(all.lower).toBeCloseTo(0.2065493, 6);
    expect(all.upper).toBeLessThanOrEqual(1);
    expect(all.upper).toBeCloseTo(1, 12);
  });

  it('gives no interval for no rows, negative rows or a count that is not a number', () => {
    for (const n of [0, -3, NaN]) {
      const w = wilsonInterval(0, n);
      expect(w.lower).toBeNaN();
      expect(w.upper).toBeNaN();
    }
  });
});

describe('AUC', () => {
  it('gives ties across the classes half a pair, whatever the input order', () => {
    // Positives 0.4, 0.4, 0.8; negatives 0.4, 0.1, 0.6.
    // Each 0.4 positive: tie with 0.4 (1/2) + beats 0.1 (1) + loses to 0.6 (0) = 1.5; 0.8 beats all 3.
    // (1.5 + 1.5 + 3) / (3 * 3) = 6 / 9.
    const scores = [0.4, 0.4, 0.4, 0.8, 0.1, 0.6];
    const labels = [1, 0, 1, 1, 0, 0];
    expect(areaUnderRoc(scores, labels)).toBeCloseTo(2 / 3, 12);
    expect(areaUnderRoc([...scores].reverse(), [...labels].reverse())).toBeCloseTo(2 / 3, 12);
    const r = aucWithInterval(scores, labels);
    expect(r.value).toBe(0.666667);
    expect([r.rows, r.positives, r.negatives]).toEqual([6, 3, 3]);
  });

  it('is 1 and 0 for perfect and reversed rankings, with a tie run at the end of the list', () => {
    expect(areaUnderRoc([0.1, 0.2, 0.9, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(areaUnderRoc([0.9, 0.9, 0.1, 0.2], [0, 0, 1, 1])).toBe(0);
    // All four tied: every pair is half.
    expect(areaUnderRoc([0.3, 0.3, 0.3, 0.3], [1, 0, 0, 1])).toBe(0.5);
  });

  it('clamps the Hanley-McNeil interval at 0 and keeps the upper bound (AUC 0.25, 2 and 2)', () => {
    // Positives 0.1 and 0.4 against negatives 0.35 and 0.8: only 0.4 > 0.35 -> 1/4.
    // q1 = 0.25 / 1.75 = 0.142857, q2 = 2 * 0.0625 / 1.25 = 0.1;
    // var = (0.1875 + 0.080357 + 0.0375) / 4 = 0.076339, se = 0.276296;
    // half = 1.959964 * 0.276296 = 0.541530: lower 0.25 - 0.54 < 0 -> 0, upper 0.791530.
    const r = aucWithInterval([0.35, 0.1, 0.8, 0.4], [0, 1, 0, 1]);
    expect(r.value).toBe(0.25);
    expect(r.interval.lower).toBe(0);
    expect(r.interval.upper).toBeCloseTo(0.79153, 5);
  });

  it('takes the confidence of its interval (90%: z = 1.644854)', () => {
    // AUC 0.75 on 2 and 2 (se 0.276296 as above): 0.75 - 1.644854 * 0.276296 = 0.295534; upper clamped at 1.
    const r = aucWithInterval([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1], 0.9);
    expect(r.interval.lower).toBeCloseTo(0.295534, 5);
    expect(r.interval.upper).toBe(1);
  });

  it('has NaN bounds without both classes', () => {
    const r = aucWithInterval([0.2, 0.7], [1, 1]);
    expect(r.value).toBeNaN();
    expect(r.interval.lower).toBeNaN();
    expect(r.interval.upper).toBeNaN();
    expect([r.positives, r.negatives]).toEqual([2, 0]);
  });
});

describe('equal-width calibration bins', () => {
  // Four bins: [0, 0.25) [0.25, 0.5) [0.5, 0.75) [0.75, 1]; a score of exactly 1 goes to the last bin,
  // a score on a cut to the bin above it.
  const scores = [0, 0.25, 0.2, 1, 0.999];
  const labels = [0, 1, 0, 1, 1];

  it('puts 0 in the first bin, a cut in the bin above and 1 in the last; an empty bin has NaN means', () => {
    const bins = calibrationBins(scores, labels, 4);
    expect(bins).toHaveLength(4);
    expect(bins[0]).toEqual({ lower: 0, upper: 0.25, rows: 2, meanPredicted: 0.1, observedRate: 0 });
    expect(bins[1]).toEqual({ lower: 0.25, upper: 0.5, rows: 1, meanPredicted: 0.25, observedRate: 1 });
    expect(bins[2]).toMatchObject({ lower: 0.5, upper: 0.75, rows: 0 });
    expect(bins[2].meanPredicted).toBeNaN();
    expect(bins[2].observedRate).toBeNaN();
    expect(bins[3]).toMatchObject({ lower: 0.75, upper: 1, rows: 2, observedRate: 1 });
    expect(bins[3].meanPredicted).toBeCloseTo(0.9995, 12);
  });

  it('weights the error by rows over the non-empty bins only', () => {
    // 2/5 * |0.1 - 0| + 1/5 * |0.25 - 1| + 2/5 * |0.9995 - 1| = 0.04 + 0.15 + 0.0002 = 0.1902.
    expect(expectedCalibrationError(scores, labels, 4)).toBeCloseTo(0.1902, 12);
  });
});

describe('calibration by decile', () => {
  // Three donors in ten groups: only groups 4, 7 and 10 get a row (floor(d * 3 / 10) to
  // floor((d + 1) * 3 / 10): 0-1 at d = 3, 1-2 at d = 6, 2-3 at d = 9); the others are left out.
  const scores = [0.9, 0.2, 0.5];
  const labels = [1, 0, 1];

  it('numbers the groups that get rows by their decile and gives each its Wilson interval', () => {
    const c = calibration(scores, labels);
    expect(c.deciles.map((d) => [d.decile, d.rows, d.meanPredicted, d.observedRate])).toEqual([
      [4, 1, 0.2, 0],
      [7, 1, 0.5, 1],
      [10, 1, 0.9, 1],
    ]);
    // 0 of 1: 0 to 0.793451; 1 of 1: 0.206549 to 1 (see the Wilson tests above).
    expect(c.deciles[0].interval).toEqual({ lower: 0, upper: 0.793451 });
    expect(c.deciles[1].interval).toEqual({ lower: 0.206549, upper: 1 });
  });

  it('takes the larger of the model and observed variance for the in-the-large interval', () => {
    // Sum p = 1.6, sum y = 2: gap = 0.4 / 3 = 0.133333. Model variance: (0.16 + 0.25 + 0.09) / 3 = 0.166667;
    // observed: 2/3 * 1/3 = 0.222222 is larger. se = sqrt(0.222222 / 3) = 0.272166;
    // half = 1.959964 * 0.272166 = 0.533436 -> -0.400101 to 0.666768.
    const c = calibration(scores, labels);
    expect([c.rows, c.available, c.meanPredicted, c.observedRate, c.inTheLarge]).toEqual([3, 2, 0.533333, 0.666667, 0.133333]);
    expect(c.interval.lower).toBeCloseTo(-0.400101, 5);
    expect(c.interval.upper).toBeCloseTo(0.666768, 5);
    // |0 - 0.2| + |1 - 0.5| + |1 - 0.9| = 0.8, over 3 rows.
    expect(c.expectedCalibrationError).toBe(0.266667);
  });

  it('takes the confidence (90%: z = 1.644854) and the number of groups', () => {
    // half = 1.644854 * 0.272166 = 0.447674 -> -0.314340 to 0.581007.
    const c = calibration(scores, labels, 0.9, 3);
    expect(c.interval.lower).toBeCloseTo(-0.31434, 5);
    expect(c.interval.upper).toBeCloseTo(0.581006, 5);
    expect(c.deciles.map((d) => d.decile)).toEqual([1, 2, 3]);
    // Wilson of 0 of 1 at z = 1.644854: (z²/2) / (1 + z²) * 2 = 2.705544 / 3.705544 = 0.730135.
    expect(c.deciles[0].interval.upper).toBeCloseTo(0.730135, 5);
  });

  it('gives NaN figures and no deciles for no rows', () => {
    const c = calibration([], []);
    expect([c.rows, c.available, c.deciles]).toEqual([0, 0, []]);
    for (const x of [c.meanPredicted, c.observedRate, c.inTheLarge, c.interval.lower, c.interval.upper, c.expectedCalibrationError]) {
      expect(x).toBeNaN();
    }
  });
});

describe('ROC points', () => {
  it('sorts by descending score and keeps every step-th point and the last', () => {
    // Given shuffled; by descending score the labels are 1 0 1 1 0 0 1 (4 positives, 3 negatives).
    // 7 rows, 3 points: step 2, so points after rows 2, 4, 6 and the 7th:
    // (fp 1, tp 1) -> (0.333333, 0.25); (1, 3) -> (0.333333, 0.75); (3, 3) -> (1, 0.75); (3, 4) -> (1, 1).
    const ranked = [
      [0.9, 1],
      [0.8, 0],
      [0.7, 1],
      [0.6, 1],
      [0.5, 0],
      [0.4, 0],
      [0.3, 1],
    ];
    const shuffled = [ranked[3], ranked[0], ranked[6], ranked[1], ranked[5], ranked[2], ranked[4]];
    expect(rocPoints(shuffled.map(([s]) => s), shuffled.map(([, y]) => y), 3)).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0.333333, tpr: 0.25 },
      { fpr: 0.333333, tpr: 0.75 },
      { fpr: 1, tpr: 0.75 },
      { fpr: 1, tpr: 1 },
    ]);
    // 2 points: step 3, so points after rows 3 and 6 and the 7th:
    // (fp 1, tp 2) -> (0.333333, 0.5); (3, 3) -> (1, 0.75); (3, 4) -> (1, 1).
    expect(rocPoints(shuffled.map(([s]) => s), shuffled.map(([, y]) => y), 2)).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0.333333, tpr: 0.5 },
      { fpr: 1, tpr: 0.75 },
      { fpr: 1, tpr: 1 },
    ]);
    // More points than rows: every row is a point.
    expect(rocPoints([0.2, 0.8], [0, 1], 10)).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
  });

  it('is only the origin without positives or without negatives', () => {
    expect(rocPoints([0.2, 0.4], [0, 0])).toEqual([{ fpr: 0, tpr: 0 }]);
    expect(rocPoints([], [])).toEqual([{ fpr: 0, tpr: 0 }]);
  });
});
