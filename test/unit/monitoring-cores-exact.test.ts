// The monitoring cores' statistics and bookkeeping at their edges, on inputs small enough to work
// out by hand: binary search over cuts, quantile cuts that round alike, PSI rounded as stored, the
// noise floor's clamps, sparse-bin merging at exactly 5 expected rows, empty and single-bin
// samples, the readers' every refusal, and the run's findings at each threshold. Expected values
// are written here (chi-square quantiles by the Wilson-Hilferty formula worked in the comments).
import { ScorePopulation } from '../../lambdas/monitoring/score-population';
import type { MonitoringReference } from '../../lambdas/monitoring/monitoring-reference';
import { readPredictionLogRow, readScoreRecord } from '../../lambdas/monitoring/monitoring-inputs';
import { runMonitoring, type MonitoredOutcome, type MonitoredScore } from '../../lambdas/monitoring/monitoring-run';
import {
  binCounts,
  binIndex,
  binLabels,
  binnedReference,
  chiSquareQuantile,
  compareBinCounts,
  DEFAULT_PSI_THRESHOLDS,
  MIN_EXPECTED_ROWS,
  mergeSparseBins,
  populationStabilityIndex,
  psiNoiseFloor,
  quantileCuts,
  SHARE_FLOOR,
} from '../../lambdas/monitoring/population-stability';

describe('bins', () => {
  it('finds the first cut at or above a value, for every place among five cuts', () => {
    const cuts = [1, 2, 3, 4, 5];
    expect([0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5].map((v) => binIndex(cuts, v))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5]);
    expect([1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5].map((v) => binIndex([1, 2, 3, 4], v))).toEqual([0, 1, 1, 2, 2, 3, 3, 4]);
    expect(binIndex([], 7)).toBe(0);
    expect(binIndex([3], 3)).toBe(0);
    expect(binIndex([3], 3.0000001)).toBe(1);
  });

  it('cuts at the quantile positions floor(q / bins * n) of the sorted values', () => {
    // 10 values 1..10 in 4 bins: positions 2, 5, 7 -> 3, 6, 8.
    expect(quantileCuts([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 4)).toEqual([3, 6, 8]);
    // Deciles of 1..10: positions 1..9 -> 2..10.
    expect(quantileCuts([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Three values in ten bins: positions 0,0,0,1,1,1,2,2,2 -> one cut per distinct value.
    expect(quantileCuts([0.3, 0.1, 0.2])).toEqual([0.1, 0.2, 0.3]);
    // All in one point: one cut, everything in the first bin.
    expect(quantileCuts([4, 4, 4, 4])).toEqual([4]);
    expect(binCounts([4], [4, 4, 4, 4])).toEqual([4, 0]);
  });

  it('keeps cuts to 6 decimals and drops cuts that round alike (no always-empty bin between twins)', () => {
    // Positions 1 and 2 of three values in three bins: 0.1234562 and 0.1234563, both 0.123456 stored.
    expect(quantileCuts([0.1234561, 0.1234562, 0.1234563], 3)).toEqual([0.123456]);
    expect(quantileCuts([0.1234564, 0.9876545, 2], 3)).toEqual([0.987655, 2]);
  });

  it('has no cuts and no bins to share for no values, nor for one bin', () => {
    expect(quantileCuts([])).toEqual([]);
    expect(quantileCuts([1, 2, 3], 1)).toEqual([]);
    expect(binCounts([], [])).toEqual([0]);
  });

  it('shares a reference to 6 decimals', () => {
    // 1..3 in three bins: cuts 2, 3 -> bins hold 1 and 2 (<= 2), 3, nothing: 2/3 and 1/3.
    expect(binnedReference([1, 2, 3], 3)).toEqual({ cuts: [2, 3], shares: [0.666667, 0.333333, 0], rows: 3 });
  });

  it('labels bins by their cuts, to 6 decimals', () => {
    expect(binLabels([0.1234567, 2])).toEqual(['≤ 0.123457', '0.123457 – 2', '> 2']);
    expect(binLabels([5])).toEqual(['≤ 5', '> 5']);
    expect(binLabels([])).toEqual(['all']);
  });
});

describe('PSI, its floor and the noise floor', () => {
  it('keeps its documented constants', () => {
    expect(SHARE_FLOOR).toBe(1e-4);
    expect(MIN_EXPECTED_ROWS).toBe(5);
    expect(DEFAULT_PSI_THRESHOLDS).toEqual({ psi: 0.2, minRows: 50, confidence: 0.999 });
  });

  it('floors a tiny reference share at 1e-4, not below', () => {
    // Reference 0.00005 counts as 1e-4: (0.5 - 1e-4) ln(0.5 / 1e-4) + (0.5 - 0.99995) ln(0.5 / 0.99995)
    // = 0.4999 * 8.517193 + 0.49995 * 0.693097 = 4.257745 + 0.346514 = 4.604259.
    expect(populationStabilityIndex({ cuts: [0], shares: [0.00005, 0.99995], rows: 1e6 }, [50, 50])).toBeCloseTo(4.604259, 5);
    // A share of 0.0002 is used as it is: (0.5 - 0.0002) ln(2500) + (0.5 - 0.9998) ln(0.5 / 0.9998)
    // = 0.4998 * 7.824046 + 0.4998 * 0.692947 = 3.910458 + 0.346335.
    expect(populationStabilityIndex({ cuts: [0], shares: [0.0002, 0.9998], rows: 1e6 }, [50, 50])).toBeCloseTo(4.256793, 5);
  });

  it('counts an empty monitored bin as half a row even when its reference share is tiny', () => {
    // a = 0.5 / 10 = 0.05 against e = 1e-5 floored to 1e-4: a bin empty on one side only still counts.
    // (0.05 - 1e-4) ln(500) = 0.0499 * 6.214608 = 0.310109; the other bin, a = 1 against 0.99999, adds 1e-10.
    expect(populationStabilityIndex({ cuts: [0], shares: [0.00001, 0.99999], rows: 1e6 }, [0, 10])).toBeCloseTo(0.310109, 5);
    // Empty on both sides: nothing, whatever the other bin.
    expect(populationStabilityIndex({ cuts: [0], shares: [0, 1], rows: 1e6 }, [0, 10])).toBe(0);
  });

  it('takes the chi-square quantile by Wilson-Hilferty and clamps it at 0 in the far left tail', () => {
    // df 1, p 0.999: z = 3.090232, h = 2/9; (1 - 0.222222 + 3.090232 * 0.471405)^3 = 2.234530^3 = 11.157245.
    expect(chiSquareQuantile(0.999, 1)).toBeCloseTo(11.157245, 4);
    // p 0.001: 1 - 0.222222 - 3.090232 * 0.471405 = -0.678972 < 0 -> 0, not a negative cube.
    expect(chiSquareQuantile(0.001, 1)).toBe(0);
    // df 9: h = 2/81; 9 * (1 - 0.024691 + 3.090232 * 0.157135)^3 = 9 * 1.440897^3 = 28.060581 (table: 27.877).
    expect(chiSquareQuantile(0.999, 9)).toBeCloseTo(28.060581, 4);
  });

  it('is infinite below 2 bins or 1 row, and takes a reference of no rows as one', () => {
    expect(psiNoiseFloor(1, 100, 100)).toBe(Infinity);
    expect(psiNoiseFloor(2, 0, 100)).toBe(Infinity);
    // 2 bins, 1 row, reference 0 rows (counted as 1): 11.157245 * (1 + 1) = 22.314490.
    expect(psiNoiseFloor(2, 1, 0)).toBeCloseTo(22.31449, 4);
    expect(psiNoiseFloor(2, 1, 1)).toBeCloseTo(22.31449, 4);
    // The confidence is the one given: at 0.5, z = 0: (1 - 2/9)^3 = 0.470508 per 1/row.
    expect(psiNoiseFloor(2, 1, 1e12, 0.5)).toBeCloseTo(0.470508, 5);
  });
});

describe('sparse bins', () => {
  it('keeps a bin that expects exactly 5 rows apart', () => {
    // 10 rows, shares 0.5 and 0.5: 5 expected each, not merged.
    expect(mergeSparseBins([0.5, 0.5], [4, 6], 10)).toEqual({ shares: [0.5, 0.5], counts: [4, 6] });
  });

  it('puts everything in one group when no bin reaches 5, and a last reference-empty bin with the one before', () => {
    expect(mergeSparseBins([0.5, 0.5], [1, 3], 4)).toEqual({ shares: [1], counts: [4] });
    // 11 rows: 5.5 expected in each of the first two; the third (share 0) holds a row: it joins the second.
    expect(mergeSparseBins([0.5, 0.5, 0], [5, 5, 1], 11)).toEqual({ shares: [0.5, 0.5], counts: [5, 6] });
    expect(mergeSparseBins([], [], 0)).toEqual({ shares: [], counts: [] });
    // A last sliver of reference share the sample never reached joins the last group too (10 rows: 5, 5, 0.1 expected).
    expect(mergeSparseBins([0.5, 0.5, 0.01], [5, 5, 0], 10)).toEqual({ shares: [0.5, 0.51], counts: [5, 5] });
  });
});

describe('comparing a population', () => {
  const half = { cuts: [0], shares: [0.5, 0.5], rows: 200_000 };
  // PSI of 200 vs 800 against halves, in the order the sum runs: 0.41588830833596724.
  const exactPsi = (0.2 - 0.5) * Math.log(0.2 / 0.5) + (0.8 - 0.5) * Math.log(0.8 / 0.5);

  it('rounds PSI and the noise floor to 6 decimals as stored', () => {
    const r = compareBinCounts(half, [200, 800]);
    expect(r.psi).toBe(0.415888);
    // 11.157245 * (1/1000 + 1/200000) = 0.011213031 -> 0.011213.
    expect(r.noiseFloor).toBe(0.011213);
    expect([r.rows, r.bins, r.drift]).toEqual([1000, 2, true]);
  });

  it('flags a PSI at exactly the threshold, not just below it', () => {
    expect(compareBinCounts(half, [200, 800], { psi: exactPsi, minRows: 50, confidence: 0.999 }).drift).toBe(true);
    expect(compareBinCounts(half, [200, 800], { psi: exactPsi * (1 + 1e-12), minRows: 50, confidence: 0.999 }).drift).toBe(false);
  });

  it('flags on exactly the minimum rows, not one fewer', () => {
    expect(compareBinCounts(half, [200, 800], { psi: 0.2, minRows: 1000, confidence: 0.999 }).drift).toBe(true);
    expect(compareBinCounts(half, [200, 800], { psi: 0.2, minRows: 1001, confidence: 0.999 }).drift).toBe(false);
  });

  it('does not flag a PSI below the noise floor of its confidence', () => {
    // At confidence 1 - 1e-12 the floor is far above 0.42 on 1,000 rows? No: z = 7.03, (0.777778 + 7.034484 * 0.471405)^3 = 58.3;
    // * 0.001005 = 0.058: still below. On 100 rows (20 vs 80, same PSI) it is 0.58: not flagged.
    expect(compareBinCounts(half, [20, 80], { psi: 0.2, minRows: 50, confidence: 1 - 1e-12 }).drift).toBe(false);
    expect(compareBinCounts(half, [20, 80], { psi: 0.2, minRows: 50, confidence: 0.999 }).drift).toBe(true);
  });

  it('answers an empty sample with NaN PSI, no flag, an infinite floor and zero shares', () => {
    const r = compareBinCounts(half, [0, 0]);
    expect(r.psi).toBeNaN();
    expect(r.drift).toBe(false);
    expect(r.noiseFloor).toBe(Infinity);
    expect(r.rows).toBe(0);
    expect(r.shares).toEqual([{ bin: '≤ 0', monitored: 0, reference: 0.5 }, { bin: '> 0', monitored: 0, reference: 0.5 }]);
  });

  it('counts all of a sample in one bin, merged bins counted', () => {
    // 100 rows all in the first of ten deciles: 10 expected in each, nothing merged; PSI =
    // (1 - 0.1) ln(10) + 9 * (0.005 - 0.1) ln(0.05) = 2.072327 + 9 * 0.284595 = 2.072327 + 2.561351 = 4.633678.
    const deciles = { cuts: [1, 2, 3, 4, 5, 6, 7, 8, 9], shares: Array(10).fill(0.1), rows: 1e6 };
    const r = compareBinCounts(deciles, [100, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(r.psi).toBe(4.633678);
    expect(r.bins).toBe(10);
    expect(r.shares[0]).toEqual({ bin: '≤ 1', monitored: 1, reference: 0.1 });
    // 20 rows: two expected a bin, merged in threes (6 expected) and the tenth with the third group: 3 bins.
    expect(compareBinCounts(deciles, [20, 0, 0, 0, 0, 0, 0, 0, 0, 0]).bins).toBe(3);
    expect(() => compareBinCounts(deciles, [1, 2])).toThrow('expected 10 bin counts, got 2');
  });
});

// ---- the stored scores counted as they stream by -----------------------------------------------
const reference: MonitoringReference = {
  sample: { rows: 1000, seed: 1, asOf: '2026-01-01' },
  score: { cuts: [0.5], shares: [0.5, 0.5], rows: 1000 },
  features: { ageYears: { cuts: [40], shares: [0.5, 0.5], rows: 1000 }, livesAbroad: { cuts: [0], shares: [0.9, 0.1], rows: 1000 } },
  bands: { high: 0.2, medium: 0.3, low: 0.5 },
  auc: 0.8,
};
const scored = (scoringDate: string, score = 0.3, features: Record<string, number> = {}, band: MonitoredScore['band'] = 'low', modelVersion = 'v1'): MonitoredScore => ({ score, band, modelVersion, scoringDate, features });

describe('ScorePopulation', () => {
  it('counts scores, features present as numbers only, bands, versions, days, staleness and the newest day', () => {
    const p = ScorePopulation.of(reference, '2026-11-30', 30, [
      scored('2026-11-30T23:59:59Z', 0.5, { ageYears: 40, livesAbroad: 1 }, 'high', 'v2'),
      scored('2026-10-31', 0.51, { ageYears: 41 }),
      scored('2026-10-30', 0.2, { livesAbroad: 0 }, 'medium'),
      // A record without features at all, and one with a feature that is not a number.
      { ...scored('2026-11-01'), features: undefined } as unknown as MonitoredScore,
      scored('2026-11-02', 0.9, { ageYears: '50' as unknown as number }),
    ]);
    expect(p.rows).toBe(5);
    expect(p.scoreCounts).toEqual([3, 2]);
    expect(p.featureCounts).toEqual({ ageYears: [1, 1], livesAbroad: [1, 1] });
    expect(p.bands).toEqual({ high: 1, medium: 1, low: 3 });
    expect(p.byModelVersion).toEqual({ v2: 1, v1: 4 });
    expect([...p.byDay.entries()]).toEqual([['2026-11-30', 1], ['2026-10-31', 1], ['2026-10-30', 1], ['2026-11-01', 1], ['2026-11-02', 1]]);
    // 2026-10-31 is 30 days before 2026-11-30 (not stale), 2026-10-30 is 31 (stale).
    expect(p.stale).toBe(1);
    // The newest is the first seen here, not the last: 2026-11-30 = day 20,787.
    expect(p.newestDay).toBe(20787);
    expect([p.asOf, p.refreshPeriodDays]).toEqual(['2026-11-30', 30]);
  });

  it('takes the newest day before 1970 as it is (a negative day number)', () => {
    const p = ScorePopulation.of(reference, '1970-01-10', 30, [scored('1969-12-31'), scored('1969-12-30')]);
    expect(p.newestDay).toBe(-1);
    expect(run({ asOf: '1970-01-10', scores: [scored('1969-12-31')] }).freshness.newestScoringDate).toBe('1969-12-31');
  });

  it('starts empty with a count per bin of the score and of every feature', () => {
    const p = new ScorePopulation(reference, '2026-11-30', 30);
    expect([p.rows, p.stale, p.newestDay]).toEqual([0, 0, null]);
    expect(p.scoreCounts).toEqual([0, 0]);
    expect(p.featureCounts).toEqual({ ageYears: [0, 0], livesAbroad: [0, 0] });
    expect(p.bands).toEqual({ high: 0, medium: 0, low: 0 });
  });
});

describe('readers at their edges', () => {
  const record = { score: 0.5, band: 'medium', modelVersion: 'v1', scoringDate: '2026-11-30', features: { a: 1 } };
  it('reads a record that carries an error field beside its score as a score', () => {
    expect(readScoreRecord({ ...record, error: 'old' })).toMatchObject({ ok: true, value: { score: 0.5 } });
  });
  it.each([
    [null, 'not a JSON object'],
    [{ ...record, score: Number.NaN }, 'score must be a number from 0 to 1'],
    [{ ...record, band: undefined }, 'band must be high, medium or low'],
    [{ ...record, band: 'HIGH' }, 'band must be high, medium or low'],
    [{ ...record, modelVersion: undefined }, 'modelVersion is required'],
    [{ ...record, scoringDate: 20261130 }, 'scoringDate must be a date YYYY-MM-DD'],
    [{ ...record, scoringDate: 'a2026-11-30' }, 'scoringDate must be a date YYYY-MM-DD'],
    [{ ...record, scoringDate: '2026-11-3' }, 'scoringDate must be a date YYYY-MM-DD'],
    [{ ...record, scoringDate: '26-11-30' }, 'scoringDate must be a date YYYY-MM-DD'],
    [{ ...record, scoringDate: '2026/11/30' }, 'scoringDate must be a date YYYY-MM-DD'],
    // Not text, though it reads as a date once made text.
    [{ ...record, scoringDate: ['2026-11-30'] }, 'scoringDate must be a date YYYY-MM-DD'],
    [{ ...record, band: ['high'] }, 'band must be high, medium or low'],
  ])('refuses %p: %s', (row, reason) => {
    expect(readScoreRecord(row)).toEqual({ ok: false, reason });
  });
  it('accepts a timestamp as the scoring date, an empty model version, and keeps finite numbers only', () => {
    expect(readScoreRecord({ ...record, scoringDate: '2026-11-30T10:00:00Z', modelVersion: '' })).toMatchObject({ ok: true, value: { scoringDate: '2026-11-30T10:00:00Z', modelVersion: '' } });
    expect(readScoreRecord({ ...record, features: { a: Infinity, b: -2, c: null, d: '3', e: [4], f: true } })).toEqual({ ok: true, value: { ...record, features: { b: -2 } } });
    expect(readScoreRecord({ ...record, features: [1, 2] })).toMatchObject({ ok: true, value: { features: {} } });
    expect(readScoreRecord({ ...record, features: null })).toMatchObject({ ok: true, value: { features: {} } });
  });

  const prediction = { score: 0.7, band: 'high', modelVersion: 'v1', modelSha256: 's' };
  it('reads a prediction with no scoring date, a null request time and a non-text ancestry', () => {
    expect(readPredictionLogRow({ outcome: 'available', requestedAt: null, prediction, ancestryGroup: 3 })).toEqual({
      ok: true,
      value: { requestedAt: null, available: 1, score: 0.7, band: 'high', modelVersion: 'v1', features: {}, ancestryGroup: undefined },
    });
  });
  it.each([
    [[], 'not a JSON object'],
    [{ outcome: 'available', prediction: 'x' }, 'no score at the request'],
    [{ outcome: 'unavailable', prediction: { ...prediction, scoringDate: 'soon' } }, 'prediction: scoringDate must be a date YYYY-MM-DD'],
    [{ outcome: 'unavailable', prediction: { ...prediction, band: 'x' } }, 'prediction: band must be high, medium or low'],
    [{ outcome: 'Available', prediction }, 'outcome must be available or unavailable'],
  ])('refuses the prediction-log row %p: %s', (row, reason) => {
    expect(readPredictionLogRow(row)).toEqual({ ok: false, reason });
  });
});

// ---- the run's findings at each threshold ------------------------------------------------------
const run = (over: Partial<Parameters<typeof runMonitoring>[0]> = {}) =>
  runMonitoring({ asOf: '2026-11-30', reference, referenceModelVersion: 'v1', scores: [], counts: { scored: 0, rejected: 0, failed: 0, unscored: 0 }, source: { scores: 't' }, ...over });
const many = (n: number, make: (i: number) => MonitoredScore) => Array.from({ length: n }, (_, i) => make(i));

describe('runMonitoring: PSI findings', () => {
  // 200 scores at 0.3 and 800 at 0.7 against halves: PSI 0.415888. Every feature as the reference:
  // ageYears 500 at 30 and 500 at 50, livesAbroad 900 at 0 and 100 at 1.
  const scores = many(1000, (i) => scored('2026-11-30', i < 200 ? 0.3 : 0.7, { ageYears: i % 2 ? 30 : 50, livesAbroad: i < 900 ? 0 : 1 }));

  it('flags the score, names it, and shares the 1-in-1,000 chance among the three distributions', () => {
    const r = run({ scores });
    expect(r.findings).toEqual([{ kind: 'psi', where: 'score', message: 'score distribution PSI 0.416 ≥ 0.2' }]);
    expect(r.psi).toEqual({ score: 0.415888, features: { ageYears: 0, livesAbroad: 0 }, rows: 1000, drifted: ['score'] });
    expect([r.drift, r.operational]).toEqual([true, false]);
    // Confidence 1 - 0.001 / 3: z = 3.403206, (0.777778 + 3.403206 * 0.471405)^3 = 13.514193, * (1/1000 + 1/1000) = 0.027028.
    expect(r.psiDetail.score.noiseFloor).toBe(0.027028);
  });

  it('flags a feature by name and leaves the score alone', () => {
    // ageYears all at 50: the second bin holds 1,000 against 0.5: (0.0005 - 0.5) ln(0.001) + 0.5 ln(2) = 3.450424 + 0.346574.
    const r = run({ scores: many(1000, (i) => scored('2026-11-30', i % 2 ? 0.3 : 0.7, { ageYears: 50, livesAbroad: i < 900 ? 0 : 1 })) });
    expect(r.findings).toEqual([{ kind: 'psi', where: 'feature ageYears', message: 'feature ageYears PSI 3.797 ≥ 0.2' }]);
    expect(r.psi.drifted).toEqual(['ageYears']);
    expect(r.psi.features.ageYears).toBe(3.796997);
  });

  it('takes a population already counted when it was counted as of the same day and period, and refuses one that was not', () => {
    const counted = ScorePopulation.of(reference, '2026-11-30', 30, scores);
    expect(run({ scores: counted }).psi.rows).toBe(1000);
    expect(() => run({ scores: ScorePopulation.of(reference, '2026-11-29', 30, []) })).toThrow(
      new RangeError('the scores were counted as of 2026-11-29 with a 30-day refresh period, not 2026-11-30 and 30'),
    );
    expect(() => run({ scores: ScorePopulation.of(reference, '2026-11-30', 7, []) })).toThrow('with a 7-day refresh period, not 2026-11-30 and 30');
  });
});

describe('runMonitoring: requests without a score and rates at their edges', () => {
  it('flags requested donors without a score above the share on at least the minimum requests only', () => {
    const at = (rows: number, withoutScore: number) => run({ requests: { rows, withoutScore } });
    expect(at(50, 2).findings).toEqual([{ kind: 'freshness', where: 'requested donors', message: '4.0% of the 50 donors requested in the last 90 days had no score (threshold 1.0%)' }]);
    expect(at(50, 2).freshness.requestsWithoutScore).toEqual({ rows: 50, withoutScore: 2, share: 0.04 });
    expect(at(49, 2).findings).toEqual([]);
    // 1 of 100 is exactly 1%: not above it.
    expect(at(100, 1).findings).toEqual([]);
    expect(at(0, 0).freshness.requestsWithoutScore).toEqual({ rows: 0, withoutScore: 0, share: 0 });
  });

  it('rates updates on exactly the minimum handled, not one fewer, and never when the counts are unknown', () => {
    // 50 handled, 3 rejected (6%), 1 failed (2%).
    expect(run({ counts: { scored: 46, rejected: 3, failed: 1, unscored: 0 } }).findings.map((f) => f.where)).toEqual(['rejected', 'failed']);
    expect(run({ counts: { scored: 45, rejected: 3, failed: 1, unscored: 0 } }).findings).toEqual([]);
    const unknown = run({ counts: { scored: 46, rejected: 3, failed: 1, unscored: 0 }, ratesKnown: false });
    expect(unknown.findings).toEqual([]);
    expect(unknown.rates.known).toBe(false);
    expect(run({ counts: { scored: 46, rejected: 3, failed: 1, unscored: 0 }, ratesKnown: true }).rates.known).toBe(true);
    // Exactly 1% failed of 100: not above.
    expect(run({ counts: { scored: 99, rejected: 0, failed: 1, unscored: 0 } }).findings).toEqual([]);
  });
});

describe('runMonitoring: AUC drop and groups', () => {
  // 60 requests in the last 90 days: the 30 available scored 0.2, the 30 unavailable 0.8. Every pair
  // is ranked the wrong way: AUC 0, its interval [0, 0] (q1 = q2 = 0), wholly below 0.8 - 0.05.
  const outcomes: MonitoredOutcome[] = Array.from({ length: 60 }, (_, i) => ({
    requestedAt: '2026-11-20T00:00:00Z',
    available: (i % 2) as 0 | 1,
    score: i % 2 ? 0.2 : 0.8,
    band: i % 2 ? 'low' : 'high',
    modelVersion: 'v1',
    features: { ageYears: i < 30 ? 25 : 55, livesAbroad: 0 },
  }));

  it('flags the AUC of every slice whose interval lies below the reference less the drop', () => {
    const r = run({ outcomes });
    const auc = r.findings.filter((f) => f.kind === 'auc');
    expect(auc).toEqual([
      { kind: 'auc', where: 'last 90 days, all model versions', message: 'all model versions, last 90 days: AUC 0.000 (95% CI 0.000-0.000) below the reference 0.800 by more than 0.05' },
      { kind: 'auc', where: 'last 90 days, model v1', message: 'model v1, last 90 days: AUC 0.000 (95% CI 0.000-0.000) below the reference 0.800 by more than 0.05' },
      { kind: 'auc', where: 'last 365 days, all model versions', message: 'all model versions, last 365 days: AUC 0.000 (95% CI 0.000-0.000) below the reference 0.800 by more than 0.05' },
      { kind: 'auc', where: 'last 365 days, model v1', message: 'model v1, last 365 days: AUC 0.000 (95% CI 0.000-0.000) below the reference 0.800 by more than 0.05' },
    ]);
    expect(r.drift).toBe(true);
    // 49 requests are too few to flag anything.
    expect(run({ outcomes: outcomes.slice(0, 49) }).findings).toEqual([]);
  });

  it('sorts donor groups by dimension, then group, and counts each', () => {
    const [w90] = run({ outcomes }).outcomes!.windows;
    expect(w90.byGroup.map((g) => [g.dimension, g.group, g.rows, g.available])).toEqual([
      ['ageBand', '18-29', 30, 15],
      ['ageBand', '50+', 30, 15],
      ['band', 'high', 30, 0],
      ['band', 'low', 30, 30],
      ['residence', 'domestic', 60, 30],
    ]);
    // The band groups are wholly miscalibrated (observed 0 vs 0.8, 1 vs 0.2) but hold 30 < 50 requests.
    expect(w90.byGroup.map((g) => g.calibrationDrift)).toEqual([false, false, false, false, false]);
    expect(run({ outcomes, thresholds: { minOutcomes: 30 } }).outcomes!.windows[0].byGroup.map((g) => g.calibrationDrift)).toEqual([false, false, true, true, false]);
  });
});

describe('runMonitoring: calibration above the prediction, versions in order, no AUC', () => {
  const at = (i: number, available: 0 | 1, score: number, modelVersion = 'v1'): MonitoredOutcome => ({ requestedAt: `2026-11-${String(10 + (i % 10)).padStart(2, '0')}T00:00:00Z`, available, score, band: 'low', modelVersion });

  it('flags a gap above the prediction as well as below it', () => {
    // 60 requests predicted 0.1, all available: observed 100% vs 10%, gap +0.9 with se sqrt(60 * 0.09) / 60 = 0.0387.
    const r = run({ outcomes: Array.from({ length: 60 }, (_, i) => at(i, 1, 0.1)) });
    expect(r.findings.filter((f) => f.where === 'last 90 days, all model versions')).toEqual([
      { kind: 'calibration', where: 'last 90 days, all model versions', message: 'all model versions, last 90 days: observed 100.0% vs predicted 10.0% (n=60)' },
    ]);
    // One class only: the AUC is NaN and its NaN interval is no drop; calibration alone is drift.
    expect(r.findings.some((f) => f.kind === 'auc')).toBe(false);
    expect([r.drift, r.operational]).toEqual([true, false]);
    expect(r.outcomes!.windows[0].overall.aucDrop).toBe(false);
  });

  it('lists model versions sorted, whatever order the requests came in', () => {
    const r = run({ outcomes: [at(0, 1, 0.9, 'v2'), at(1, 0, 0.2, 'v10'), at(2, 1, 0.8, 'v1')] });
    expect(r.outcomes!.windows[0].byModelVersion.map((s) => s.label)).toEqual(['model v1', 'model v10', 'model v2']);
  });
});

describe('runMonitoring: flags at their exact edges', () => {
  const at = (available: 0 | 1, score: number, modelVersion = 'v1'): MonitoredOutcome => ({ requestedAt: '2026-11-20T00:00:00Z', available, score, band: 'low', modelVersion });
  const calibrated = (n: number) => Array.from({ length: n }, (_, i) => at((i % 2) as 0 | 1, 0.5));

  it('does not flag a tight interval around no gap (nor one that only reaches the limit from inside)', () => {
    // 2,000 requests predicted 0.5, half available: gap 0, se = sqrt(2000 * 0.25) / 2000 = 0.01118, interval ±0.0219: inside ±0.05.
    const r = run({ outcomes: calibrated(2000) });
    expect(r.outcomes!.windows[0].overall.calibrationDrift).toBe(false);
    expect(r.findings.filter((f) => f.kind === 'calibration')).toEqual([]);
  });

  it('flags calibration on exactly the minimum requests, overall as well as by group', () => {
    // 50 requests predicted 0.9, 25 available: gap -0.4.
    const rows = Array.from({ length: 50 }, (_, i) => at((i % 2) as 0 | 1, 0.9));
    const r = run({ outcomes: rows });
    expect(r.outcomes!.windows[0].overall.calibrationDrift).toBe(true);
    expect(r.findings.map((f) => f.where)).toContain('last 90 days, all model versions');
    expect(run({ outcomes: rows, thresholds: { minOutcomes: 51 } }).findings).toEqual([]);
  });

  it('calls a gap whose interval ends exactly at the limit not beyond it, on either side', () => {
    // The interval is the core's (tested on its own); the limit is set to its bound exactly.
    const above = Array.from({ length: 60 }, (_, i) => at(i < 40 ? 1 : 0, 0.5)); // observed 0.667 vs 0.5
    const { lower } = run({ outcomes: above }).outcomes!.windows[0].overall.calibration.interval;
    expect(lower).toBeGreaterThan(0);
    expect(run({ outcomes: above, thresholds: { calibrationDrift: lower } }).outcomes!.windows[0].overall.calibrationDrift).toBe(false);
    expect(run({ outcomes: above, thresholds: { calibrationDrift: lower * (1 - 1e-9) } }).outcomes!.windows[0].overall.calibrationDrift).toBe(true);
    const below = Array.from({ length: 60 }, (_, i) => at(i < 20 ? 1 : 0, 0.5)); // observed 0.333 vs 0.5
    const { upper } = run({ outcomes: below }).outcomes!.windows[0].overall.calibration.interval;
    expect(upper).toBeLessThan(0);
    expect(run({ outcomes: below, thresholds: { calibrationDrift: -upper } }).outcomes!.windows[0].overall.calibrationDrift).toBe(false);
    expect(run({ outcomes: below, thresholds: { calibrationDrift: -upper * (1 - 1e-9) } }).outcomes!.windows[0].overall.calibrationDrift).toBe(true);
  });

  it('calls an AUC whose interval ends exactly at the reference less the drop no drop, and one above it never', () => {
    // Perfectly ranked: 30 available at 0.9, 30 not at 0.1: AUC 1, interval [1, 1].
    const ranked = Array.from({ length: 60 }, (_, i) => at((i % 2) as 0 | 1, i % 2 ? 0.9 : 0.1));
    const aucOf = (auc: number, aucDrop: number) => runMonitoring({ asOf: '2026-11-30', reference: { ...reference, auc }, referenceModelVersion: 'v1', scores: [], outcomes: ranked, counts: { scored: 0, rejected: 0, failed: 0, unscored: 0 }, thresholds: { aucDrop }, source: { scores: 't' } });
    expect(aucOf(1, 0).outcomes!.windows[0].overall.aucDrop).toBe(false);
    expect(aucOf(1.000001, 0).outcomes!.windows[0].overall.aucDrop).toBe(true);
    // Reference 1 less 0.05: an AUC of 1 is no drop (0.95 + 0.05 would be).
    expect(aucOf(1, 0.05).findings).toEqual([]);
  });

  it('gives each group its own AUC and each window its ROC from the requests in it', () => {
    // Given in rising order; by descending score 0.9 (available), 0.6 (not), 0.3 (available), 0.1 (not): 3 of 4 pairs ordered.
    const r = run({ outcomes: [at(0, 0.1), at(1, 0.3), at(0, 0.6), at(1, 0.9)] });
    const [w90] = r.outcomes!.windows;
    expect(w90.byGroup.map((g) => [g.dimension, g.group, g.auc.value])).toEqual([['band', 'low', 0.75]]);
    expect(w90.roc).toEqual([{ fpr: 0, tpr: 0 }, { fpr: 0, tpr: 0.5 }, { fpr: 0.5, tpr: 0.5 }, { fpr: 0.5, tpr: 1 }, { fpr: 1, tpr: 1 }]);
  });

  it('is drift and operational at once when both kinds of finding are there, and AUC alone is drift', () => {
    const scores = many(1000, (i) => scored(i < 100 ? '2026-01-01' : '2026-11-30', i < 200 ? 0.3 : 0.7));
    const r = run({ scores });
    expect(r.findings.map((f) => f.kind)).toEqual(['psi', 'freshness']);
    expect([r.drift, r.operational]).toEqual([true, true]);
    const inverted = Array.from({ length: 60 }, (_, i) => at((i % 2) as 0 | 1, i % 2 ? 0.1 : 0.9));
    const aucOnly = run({ outcomes: inverted });
    expect(new Set(aucOnly.findings.map((f) => f.kind))).toEqual(new Set(['auc']));
    expect([aucOnly.drift, aucOnly.operational]).toEqual([true, false]);
  });
});
