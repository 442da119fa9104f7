// PSI, AUC and calibration arithmetic against cases computed by hand (the expected numbers are
// worked out in the comments, never taken from the code under test).
import {
  aucWithInterval,
  areaUnderRoc,
  calibration,
  aucStandardError,
  calibrationBins,
  expectedCalibrationError,
  normalQuantile,
  rocPoints,
  wilsonInterval,
} from '../../lambdas/core/outcome-statistics';
import {
  binCounts,
  binIndex,
  binnedReference,
  chiSquareQuantile,
  comparePopulation,
  mergeSparseBins,
  populationStabilityIndex,
  psiNoiseFloor,
  quantileCuts,
} from '../../lambdas/monitoring/population-stability';

describe('population stability index', () => {
  it('puts a value equal to a cut in the lower bin', () => {
    expect([1, 1.5, 2, 2.5, -7].map((v) => binIndex([1, 2], v))).toEqual([0, 1, 1, 2, 0]);
  });

  it('gives a point mass its own bin and drops duplicate cuts', () => {
    const values = [...Array(60).fill(0), ...Array(20).fill(1), ...Array(20).fill(2)];
    // Deciles at positions 10..90 of the sorted values: 0 0 0 0 0 | 1 1 | 2 2 -> cuts 0, 1, 2.
    expect(quantileCuts(values)).toEqual([0, 1, 2]);
    expect(binCounts([0, 1, 2], values)).toEqual([60, 20, 20, 0]);
    expect(binnedReference(values)).toEqual({ cuts: [0, 1, 2], shares: [0.6, 0.2, 0.2, 0], rows: 100 });
  });

  it('matches a hand-computed PSI', () => {
    // (0.3 - 0.5) ln(0.3 / 0.5) + (0.7 - 0.5) ln(0.7 / 0.5) = 0.2 * 0.510826 + 0.2 * 0.336472
    const psi = populationStabilityIndex({ cuts: [0], shares: [0.5, 0.5], rows: 1e6 }, [30, 70]);
    expect(psi).toBeCloseTo(0.169460, 5);
    expect(populationStabilityIndex({ cuts: [0], shares: [0.5, 0.5], rows: 1e6 }, [50, 50])).toBe(0);
  });

  it('counts a bin the sample left empty as half a row instead of dividing by zero', () => {
    // a = 0.5 / 100 = 0.005: (0.005 - 0.5) ln(0.005 / 0.5) + (1 - 0.5) ln(1 / 0.5) = 0.495 * 4.605170 + 0.5 * 0.693147
    expect(populationStabilityIndex({ cuts: [0], shares: [0.5, 0.5], rows: 1e6 }, [0, 100])).toBeCloseTo(2.626133, 5);
    // An empty reference bin is floored at 1e-4: (0.5 - 1e-4) ln(0.5 / 1e-4) + (0.5 - 0.9999) ln(0.5 / 0.9999)
    // = 0.4999 * 8.517193 + 0.4999 * 0.693047 = 4.257745 + 0.346454.
    expect(populationStabilityIndex({ cuts: [0], shares: [0.9999, 0], rows: 1e6 }, [50, 50])).toBeCloseTo(4.604199, 5);
    // A bin empty on both sides adds nothing.
    expect(populationStabilityIndex({ cuts: [0, 1], shares: [0.5, 0.5, 0], rows: 1e6 }, [50, 50, 0])).toBe(0);
    expect(populationStabilityIndex({ cuts: [0], shares: [0.5, 0.5], rows: 10 }, [0, 0])).toBeNaN();
    expect(() => populationStabilityIndex({ cuts: [0], shares: [0.5, 0.5], rows: 10 }, [1, 2, 3])).toThrow('expected 2 bin counts');
  });

  it('knows the normal and chi-square quantiles it builds the noise floor from', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
    expect(normalQuantile(0.5)).toBe(0);
    // Tables: chi2(0.999, 9) = 27.877, chi2(0.95, 1) = 3.841 (Wilson-Hilferty is within 2%).
    expect(chiSquareQuantile(0.999, 9)).toBeGreaterThan(27.877 * 0.98);
    expect(chiSquareQuantile(0.999, 9)).toBeLessThan(27.877 * 1.02);
    expect(chiSquareQuantile(0.95, 1)).toBeGreaterThan(3.841 * 0.97);
    expect(chiSquareQuantile(0.95, 1)).toBeLessThan(3.841 * 1.03);
    // 10 bins, 50 rows against 200,000: about 27.9 * (1/50 + 1/200000) = 0.56.
    expect(psiNoiseFloor(10, 50, 200_000)).toBeCloseTo(0.557, 1);
    expect(psiNoiseFloor(10, 0, 200_000)).toBe(Infinity);
  });

  it('does not flag a small sample whose PSI is noise, and flags a real shift on enough rows', () => {
    const reference = { cuts: [0], shares: [0.5, 0.5], rows: 200_000 };
    // 12 of 20 in one bin: PSI 0.04, far below the floor, and too few rows anyway.
    const small = comparePopulation(reference, [...Array(12).fill(-1), ...Array(8).fill(1)]);
    expect(small.drift).toBe(false);
    // 2 of 40 vs 38 of 40: PSI ~ 1.5, but 40 rows are fewer than the 50-row minimum.
    expect(comparePopulation(reference, [...Array(2).fill(-1), ...Array(38).fill(1)]).drift).toBe(false);
    // 200 vs 800 of 1,000: PSI = (0.2 - 0.5) ln(0.4) + (0.8 - 0.5) ln(1.6) = 0.274887 + 0.141001 = 0.415888.
    const shifted = comparePopulation(reference, [...Array(200).fill(-1), ...Array(800).fill(1)]);
    expect(shifted.psi).toBeCloseTo(0.415888, 5);
    expect(shifted.drift).toBe(true);
    expect(shifted.shares).toEqual([
      { bin: '≤ 0', monitored: 0.2, reference: 0.5 },
      { bin: '> 0', monitored: 0.8, reference: 0.5 },
    ]);
    // 450 vs 550: PSI 0.02, above noise on 1,000 rows but not material.
    expect(comparePopulation(reference, [...Array(450).fill(-1), ...Array(550).fill(1)]).drift).toBe(false);
  });
});

describe('small samples', () => {
  it('merges adjacent bins until each expects at least 5 rows, the remainder into the last', () => {
    // 60 rows: shares 0.85, 0.13, 0.02 expect 51, 7.8, 1.2 rows -> the last joins the second.
    expect(mergeSparseBins([0.85, 0.13, 0.02], [50, 6, 4], 60)).toEqual({ shares: [0.85, 0.15], counts: [50, 10] });
    // 20 rows of ten deciles: 2 expected a bin -> groups of three (6 expected), the tenth joins the third group.
    const merged = mergeSparseBins(Array(10).fill(0.1), [2, 2, 2, 2, 2, 2, 2, 2, 2, 2], 20);
    expect(merged.counts).toEqual([6, 6, 8]);
    expect(merged.shares.map((x) => Math.round(x * 10) / 10)).toEqual([0.3, 0.3, 0.4]);
    // A large sample merges nothing.
    expect(mergeSparseBins([0.85, 0.13, 0.02], [850, 130, 20], 1000).counts).toEqual([850, 130, 20]);
  });

  it('does not call one empty decile of 60 rows drift (it happens by chance), and flags a real shift of 60', () => {
    const reference = { cuts: [1, 2, 3, 4, 5, 6, 7, 8, 9], shares: Array(10).fill(0.1), rows: 200_000 };
    // Bins 0..9 hold 6 each except bin 0 empty and bin 9 holding 12: PSI with a = 0.5/60 for the empty bin
    // = (1/120 - 0.1) ln(1/12) + (0.2 - 0.1) ln(2) = 0.091667 * 2.484907 + 0.069315 = 0.227783 + 0.069315 = 0.297098, below the
    // 10-bin noise floor for 60 rows (about 30 / 60 = 0.5).
    const oneEmpty = [0, 6, 6, 6, 6, 6, 6, 6, 6, 12].flatMap((c, bin) => Array(c).fill(bin + 0.5));
    const r = comparePopulation(reference, oneEmpty);
    expect(r.psi).toBeCloseTo(0.297098, 5);
    expect(r.noiseFloor).toBeGreaterThan(0.4);
    expect(r.drift).toBe(false);
    // All 60 in the top two deciles: PSI = 8 * 0.227783 + 2 * (0.5 - 0.1) ln(5) = 1.822264 + 1.287551 = 3.109815.
    const shifted = comparePopulation(reference, [...Array(30).fill(8.5), ...Array(30).fill(9.5)]);
    expect(shifted.psi).toBeCloseTo(3.109815, 4);
    expect(shifted.drift).toBe(true);
  });
});

describe('AUC with an interval', () => {
  it('matches a hand-computed AUC and Hanley-McNeil interval', () => {
    // Positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of 4 pairs ordered -> 0.75.
    const r = aucWithInterval([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]);
    expect(r.value).toBe(0.75);
    // q1 = 0.6, q2 = 0.642857; var = (0.1875 + 0.0375 + 0.080357) / 4 = 0.076339; half = 1.96 * 0.276296.
    expect(r.interval.lower).toBeCloseTo(0.208458, 4);
    expect(r.interval.upper).toBe(1);
    expect([r.rows, r.positives, r.negatives]).toEqual([4, 2, 2]);
  });

  it('counts ties as half and is NaN without both classes', () => {
    expect(areaUnderRoc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(areaUnderRoc([0.2, 0.9], [1, 1])).toBeNaN();
    expect(aucWithInterval([], []).value).toBeNaN();
  });
});

describe('calibration', () => {
  it('matches the Wilson interval of 8 of 10', () => {
    // Published value: 0.4902 to 0.9433.
    const w = wilsonInterval(8, 10);
    expect(w.lower).toBeCloseTo(0.4902, 4);
    expect(w.upper).toBeCloseTo(0.9433, 4);
    expect(wilsonInterval(0, 0).lower).toBeNaN();
  });

  it('computes calibration-in-the-large with its interval', () => {
    // 100 donors all predicted 0.5, 60 available: gap +0.1, se = sqrt(0.25 / 100) = 0.05.
    const labels = [...Array(60).fill(1), ...Array(40).fill(0)];
    const c = calibration(Array(100).fill(0.5), labels);
    expect(c.inTheLarge).toBeCloseTo(0.1, 10);
    expect(c.interval.lower).toBeCloseTo(0.1 - 1.959964 * 0.05, 5);
    expect(c.interval.upper).toBeCloseTo(0.1 + 1.959964 * 0.05, 5);
    expect([c.rows, c.available, c.observedRate, c.meanPredicted]).toEqual([100, 60, 0.6, 0.5]);
  });

  it('groups by decile of the predicted score and weights the calibration error by rows', () => {
    // 20 donors, predicted 0.05, 0.10, ... 1.00; the lower half never available, the upper half always.
    const scores = Array.from({ length: 20 }, (_, i) => (i + 1) / 20);
    const labels = scores.map((_, i) => (i >= 10 ? 1 : 0));
    const c = calibration(scores, labels);
    expect(c.deciles).toHaveLength(10);
    expect(c.deciles[0]).toMatchObject({ decile: 1, rows: 2, meanPredicted: 0.075, observedRate: 0 });
    expect(c.deciles[9]).toMatchObject({ decile: 10, rows: 2, meanPredicted: 0.975, observedRate: 1 });
    // |0 - p| summed over the lower half = 0.05 + ... + 0.5 = 2.75; |1 - p| over the upper half = 0.45 + ... + 0 = 2.25.
    expect(c.expectedCalibrationError).toBeCloseTo(5 / 20, 10);
  });
});

describe('the shared outcome statistics (lambdas/core/outcome-statistics.ts, used by model/ and the monitoring run)', () => {
  it('gives the Hanley-McNeil standard error by hand', () => {
    // AUC 0.75, 2 positives, 2 negatives: q1 = 0.75 / 1.25 = 0.6, q2 = 2 * 0.5625 / 1.75 = 0.642857;
    // var = (0.1875 + 1 * (0.6 - 0.5625) + 1 * (0.642857 - 0.5625)) / 4 = 0.305357 / 4 = 0.076339.
    expect(aucStandardError(0.75, 2, 2)).toBeCloseTo(Math.sqrt(0.076339), 5);
    // AUC 0.5, 50 and 50: q1 = 1/3, q2 = 1/3; var = (0.25 + 49 * (1/12) * 2) / 2500 = 8.416667 / 2500.
    expect(aucStandardError(0.5, 50, 50)).toBeCloseTo(Math.sqrt(8.416667 / 2500), 6);
  });

  it('bins by equal width and weights the calibration error by rows', () => {
    // Scores 0.05 and 0.15 (bin 0 and 1), 0.95 twice (bin 9); labels 0, 1, 1, 0.
    const bins = calibrationBins([0.05, 0.15, 0.95, 0.95], [0, 1, 1, 0]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual({ lower: 0, upper: 0.1, rows: 1, meanPredicted: 0.05, observedRate: 0 });
    expect(bins[9]).toMatchObject({ rows: 2, meanPredicted: 0.95, observedRate: 0.5 });
    expect(bins[5].rows).toBe(0);
    // ECE = 1/4 * 0.05 + 1/4 * 0.85 + 2/4 * 0.45 = 0.0125 + 0.2125 + 0.225 = 0.45.
    expect(expectedCalibrationError([0.05, 0.15, 0.95, 0.95], [0, 1, 1, 0])).toBeCloseTo(0.45, 10);
  });

  it('draws the ROC from (0, 0) to (1, 1) and only the origin without both classes', () => {
    // Descending scores 0.9 (1), 0.6 (0), 0.3 (1), 0.1 (0).
    expect(rocPoints([0.1, 0.3, 0.6, 0.9], [0, 1, 0, 1])).toEqual([
      { fpr: 0, tpr: 0 },
      { fpr: 0, tpr: 0.5 },
      { fpr: 0.5, tpr: 0.5 },
      { fpr: 0.5, tpr: 1 },
      { fpr: 1, tpr: 1 },
    ]);
    expect(rocPoints([0.2, 0.4], [1, 1])).toEqual([{ fpr: 0, tpr: 0 }]);
  });

  it('matches the textbook Wilson intervals unrounded (Newcombe 1998: 5 of 10 is 0.2366 to 0.7634)', () => {
    const w = wilsonInterval(5, 10);
    expect(w.lower).toBeCloseTo(0.236593, 5);
    expect(w.upper).toBeCloseTo(0.763407, 5);
    expect(wilsonInterval(10, 10).upper).toBeCloseTo(1, 12);
  });
});
