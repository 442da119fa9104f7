// One monitoring run on inputs small enough to count by hand: freshness and rates at their
// thresholds, bands, volumes by day and week, outcome windows by day, donor groups at each edge,
// and the readers of score records and prediction-log rows. Expected values are written here.
import type { MonitoringReference } from '../../lambdas/monitoring/monitoring-reference';
import { buildMonitoringReference, monitoringReferenceOf } from '../../lambdas/monitoring/monitoring-reference';
import { readPredictionLogRow, readScoreRecord } from '../../lambdas/monitoring/monitoring-inputs';
import { DEFAULT_THRESHOLDS, donorGroups, OUTCOME_WINDOWS, runMonitoring, type MonitoredOutcome, type MonitoredScore } from '../../lambdas/monitoring/monitoring-run';

const reference: MonitoringReference = {
  sample: { rows: 1000, seed: 1, asOf: '2026-01-01' },
  // Every reference score below 0.5: monitored scores below it show no shift.
  score: { cuts: [0.5], shares: [1, 0], rows: 1000 },
  features: {},
  bands: { high: 0.2, medium: 0.3, low: 0.5 },
  auc: 0.8,
};
const score = (scoringDate: string, band: MonitoredScore['band'] = 'low', s = 0.3, modelVersion = 'v1'): MonitoredScore => ({ score: s, band, modelVersion, scoringDate, features: {} });
const run = (over: Partial<Parameters<typeof runMonitoring>[0]> = {}) =>
  runMonitoring({ asOf: '2026-11-30', reference, referenceModelVersion: 'v1', scores: [], counts: { scored: 0, rejected: 0, failed: 0, unscored: 0 }, source: { scores: 't' }, ...over });

describe('runMonitoring: freshness and rates', () => {
  it('keeps the documented default thresholds', () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ psi: 0.2, psiMinRows: 50, calibrationDrift: 0.05, aucDrop: 0.05, minOutcomes: 50, refreshPeriodDays: 30, staleShare: 0.05, unscoredShare: 0.01, rejectedShare: 0.05, failedShare: 0.01 });
    expect(OUTCOME_WINDOWS).toEqual([90, 365]);
  });

  it('calls a score stale after 30 days, not at 30, and flags a stale share above 5%, not at it', () => {
    // 2026-10-31 is 30 days before 2026-11-30, 2026-10-30 is 31.
    const fresh = Array.from({ length: 19 }, () => score('2026-10-31'));
    const atFive = run({ scores: [...fresh, score('2026-10-30')] });
    expect(atFive.freshness).toEqual({ refreshPeriodDays: 30, newestScoringDate: '2026-10-31', staleScores: 1, staleShare: 0.05, unscored: 0, unscoredShare: 0, requestsWithoutScore: null });
    expect(atFive.findings).toEqual([]);
    expect(atFive.operational).toBe(false);
    const over = run({ scores: [...fresh.slice(1), score('2026-10-30'), score('2026-01-01')] });
    expect(over.freshness.staleShare).toBe(0.1);
    expect(over.findings).toEqual([{ kind: 'freshness', where: 'stored scores', message: '10.0% of stored scores are older than 30 days (threshold 5.0%)' }]);
    expect(over.operational).toBe(true);
    expect(over.drift).toBe(false);
  });

  it('counts unscored donors against all known donors, rejected and failed against all handled updates', () => {
    const r = run({ scores: Array.from({ length: 98 }, () => score('2026-11-30')), counts: { scored: 90, rejected: 6, failed: 2, unscored: 2 } });
    expect(r.freshness).toMatchObject({ unscored: 2, unscoredShare: 0.02 });
    expect(r.rates).toEqual({ known: true, scored: 90, rejected: 6, failed: 2, rejectedShare: 0.061224, failedShare: 0.020408 });
    expect(r.findings.map((f) => f.message)).toEqual([
      '2.0% of donors have no score (threshold 1.0%)',
      '6.1% of donor updates were rejected (threshold 5.0%)',
      '2.0% of donor updates failed every attempt (threshold 1.0%)',
    ]);
    expect(r.findings.map((f) => [f.kind, f.where])).toEqual([['freshness', 'donors'], ['rates', 'rejected'], ['rates', 'failed']]);
    expect(r.operational).toBe(true);
  });

  it('flags nothing at exactly the shares, and answers empty input with zero shares', () => {
    const r = run({ scores: Array.from({ length: 99 }, () => score('2026-11-30')), counts: { scored: 95, rejected: 5, failed: 0, unscored: 1 } });
    expect([r.freshness.unscoredShare, r.rates.rejectedShare]).toEqual([0.01, 0.05]);
    expect(r.findings).toEqual([]);
    const empty = run();
    expect(empty.freshness).toEqual({ refreshPeriodDays: 30, newestScoringDate: null, staleScores: 0, staleShare: 0, unscored: 0, unscoredShare: 0, requestsWithoutScore: null });
    expect(empty.rates).toEqual({ known: true, scored: 0, rejected: 0, failed: 0, rejectedShare: 0, failedShare: 0 });
    expect(empty.outcomes).toBeNull();
    expect(empty.auc).toBeNull();
    expect(empty.calibration).toBeNull();
    expect(empty.rows).toEqual({ scores: 0, outcomes: 0 });
  });

  it('takes thresholds it is given over the defaults', () => {
    const r = run({ scores: [score('2026-11-20'), score('2026-11-30')], thresholds: { refreshPeriodDays: 5, staleShare: 0.4 } });
    expect(r.thresholds).toMatchObject({ refreshPeriodDays: 5, staleShare: 0.4, psi: 0.2 });
    expect(r.findings.map((f) => f.message)).toEqual(['50.0% of stored scores are older than 5 days (threshold 40.0%)']);
  });
});

describe('runMonitoring: bands, versions and volumes', () => {
  it('shares bands among the scores, counts model versions, scores by day and requests by week (Monday)', () => {
    const scores = [score('2026-11-29', 'high', 0.9, 'v2'), score('2026-11-30', 'low'), score('2026-11-30T10:00:00Z', 'low'), score('2026-11-28', 'medium')];
    const outcomes: MonitoredOutcome[] = [
      { requestedAt: '2026-11-30T09:00:00Z', available: 1, score: 0.7, band: 'medium', modelVersion: 'v1' }, // Monday 2026-11-30
      { requestedAt: '2026-11-29T23:00:00Z', available: 0, score: 0.2, band: 'low', modelVersion: 'v1' }, // Sunday: week of 2026-11-23
      { requestedAt: '2026-11-23T00:00:00Z', available: 1, score: 0.6, band: 'medium', modelVersion: 'v1' }, // Monday
      { requestedAt: null, available: 1, score: 0.9, band: 'high', modelVersion: 'v1' }, // counted on asOf
    ];
    const r = run({ scores, outcomes });
    expect(r.bands).toEqual({ monitored: { high: 0.25, medium: 0.25, low: 0.5 }, reference: reference.bands });
    expect(r.scoresByModelVersion).toEqual({ v2: 1, v1: 3 });
    expect(r.volumes.scoresByDay).toEqual([
      { date: '2026-11-28', count: 1 },
      { date: '2026-11-29', count: 1 },
      { date: '2026-11-30', count: 2 },
    ]);
    expect(r.volumes.outcomesByWeek).toEqual([
      { week: '2026-11-23', requests: 2, available: 1 },
      { week: '2026-11-30', requests: 2, available: 2 },
    ]);
    expect(r.rows).toEqual({ scores: 4, outcomes: 4 });
    expect(r.modelVersion).toBe('v1');
    expect(r.referenceAuc).toBe(0.8);
  });
});

describe('runMonitoring: outcome windows', () => {
  const at = (requestedAt: string | null, available: 0 | 1, s: number, modelVersion = 'v1'): MonitoredOutcome => ({ requestedAt, available, score: s, band: 'low', modelVersion });
  it('holds requests of the last 90 and 365 days, the first day in and the day before out', () => {
    // asOf 2026-11-30: the 90-day window starts 2026-09-02 (89 days before), the 365-day one 2025-12-01.
    const outcomes = [at('2026-09-02T00:00:00Z', 1, 0.9), at('2026-09-01T23:59:59Z', 0, 0.1), at('2025-12-01T12:00:00Z', 1, 0.8), at('2025-11-30T12:00:00Z', 0, 0.2), at('2026-12-01T00:00:00Z', 1, 0.5), at(null, 0, 0.3, 'v2')];
    const r = run({ outcomes });
    const [w90, w365] = r.outcomes!.windows;
    expect([w90.days, w90.from, w90.to, w90.overall.calibration.rows]).toEqual([90, '2026-09-02', '2026-11-30', 2]);
    expect([w365.days, w365.from, w365.to, w365.overall.calibration.rows]).toEqual([365, '2025-12-01', '2026-11-30', 4]);
    expect(w365.byModelVersion.map((s) => [s.label, s.calibration.rows])).toEqual([['model v1', 3], ['model v2', 1]]);
    expect(w90.overall.label).toBe('all model versions');
    // The widest window answers the quick read: 0.9, 0.1, 0.8 against 0.3 -> the available ones rank first.
    expect(r.auc).toMatchObject({ days: 365, value: 1, rows: 4, positives: 2, negatives: 2 });
    expect(r.calibration).toMatchObject({ days: 365, rows: 4, available: 2 });
  });

  it('flags calibration only with enough outcomes and an interval wholly beyond the limit', () => {
    // 60 requests predicted 0.9, 30 available: observed 0.5, gap -0.4, far beyond 0.05.
    const rows = Array.from({ length: 60 }, (_, i) => at('2026-11-01T00:00:00Z', (i % 2) as 0 | 1, 0.9));
    const r = run({ outcomes: rows });
    const calibrationFindings = r.findings.filter((f) => f.kind === 'calibration');
    expect(calibrationFindings.map((f) => f.where)).toEqual(['last 90 days, all model versions', 'last 90 days, model v1', 'last 90 days, band=low', 'last 365 days, all model versions', 'last 365 days, model v1', 'last 365 days, band=low']);
    expect(calibrationFindings[0].message).toBe('all model versions, last 90 days: observed 50.0% vs predicted 90.0% (n=60)');
    expect(calibrationFindings[2].message).toBe('band low, last 90 days: observed 50.0% vs predicted 90.0% (n=60)');
    expect(r.drift).toBe(true);
    expect(run({ outcomes: rows.slice(0, 49) }).findings).toEqual([]);
    expect(run({ outcomes: rows.slice(0, 50) }).drift).toBe(true);
  });
});

describe('donorGroups at each edge', () => {
  const g = (features: Record<string, number>, ancestryGroup?: string) => donorGroups({ band: 'high', features, ancestryGroup });
  it('bands ages 18-29, 30-39, 40-49, 50+', () => {
    expect([29.9, 30, 39.9, 40, 49.9, 50].map((ageYears) => g({ ageYears })[1][1])).toEqual(['18-29', '30-39', '30-39', '40-49', '40-49', '50+']);
  });
  it('bands years on the registry <2, 2-5, 5-10, 10+', () => {
    expect([1.99, 2, 4.99, 5, 9.99, 10].map((yearsOnRegistry) => g({ yearsOnRegistry })[1][1])).toEqual(['<2', '2-5', '2-5', '5-10', '5-10', '10+']);
  });
  it('reads sex, residence, channel and pause from the indicators', () => {
    expect(g({ female: 1, sexUnknown: 0 })[1]).toEqual(['sex', 'F']);
    expect(g({ female: 0, sexUnknown: 1 })[1]).toEqual(['sex', 'U']);
    expect(g({ female: 0, sexUnknown: 0 })[1]).toEqual(['sex', 'M']);
    expect(g({ livesAbroad: 1 })[1]).toEqual(['residence', 'international']);
    expect(g({ livesAbroad: 0 })[1]).toEqual(['residence', 'domestic']);
    expect(g({ recruitedOnline: 1 })[1]).toEqual(['recruitmentChannel', 'online']);
    expect(g({ recruitedOnline: 0, recruitedAtBloodCenter: 1 })[1]).toEqual(['recruitmentChannel', 'blood_center']);
    expect(g({ recruitedOnline: 0, recruitedAtBloodCenter: 0, recruitedOtherChannel: 1 })[1]).toEqual(['recruitmentChannel', 'other']);
    expect(g({ recruitedOnline: 0, recruitedAtBloodCenter: 0, recruitedOtherChannel: 0 })[1]).toEqual(['recruitmentChannel', 'drive']);
    expect(g({ daysUntilAvailableAgain: 1 })[1]).toEqual(['paused', 'paused']);
    expect(g({ daysUntilAvailableAgain: 0 })[1]).toEqual(['paused', 'not paused']);
  });
  it('always gives the band, the ancestry only when known, and nothing for absent features', () => {
    expect(donorGroups({ band: 'medium' })).toEqual([['band', 'medium']]);
    expect(g({}, 'A')).toEqual([['band', 'high'], ['ancestry', 'A']]);
    expect(g({ ageYears: 35, female: 1, livesAbroad: 0, recruitedOnline: 1, yearsOnRegistry: 3, daysUntilAvailableAgain: 0 })).toEqual([
      ['band', 'high'], ['ageBand', '30-39'], ['sex', 'F'], ['residence', 'domestic'], ['recruitmentChannel', 'online'], ['yearsOnRegistry', '2-5'], ['paused', 'not paused'],
    ]);
  });
});

describe('readers of what a run reads', () => {
  const record = { score: 0.5, band: 'medium', modelVersion: 'v1', scoringDate: '2026-11-30', features: { a: 1, b: 'x', c: Number.NaN } };
  it('reads a score record, keeping finite numeric features only', () => {
    expect(readScoreRecord(record)).toEqual({ ok: true, value: { score: 0.5, band: 'medium', modelVersion: 'v1', scoringDate: '2026-11-30', features: { a: 1 } } });
    expect(readScoreRecord({ ...record, features: undefined })).toMatchObject({ ok: true, value: { features: {} } });
    expect(readScoreRecord({ ...record, score: 0 }).ok).toBe(true);
    expect(readScoreRecord({ ...record, score: 1 }).ok).toBe(true);
  });
  it.each([
    [{ line: 3, error: { field: 'x', rule: 'y' } }, 'rejected input'],
    ['text', 'not a JSON object'],
    [[record], 'not a JSON object'],
    [{ ...record, score: -0.001 }, 'score must be a number from 0 to 1'],
    [{ ...record, score: 1.001 }, 'score must be a number from 0 to 1'],
    [{ ...record, score: '0.5' }, 'score must be a number from 0 to 1'],
    [{ ...record, band: 'top' }, 'band must be high, medium or low'],
    [{ ...record, modelVersion: 1 }, 'modelVersion is required'],
    [{ ...record, scoringDate: '30.11.2026' }, 'scoringDate must be a date YYYY-MM-DD'],
  ])('refuses %p: %s', (row, reason) => {
    expect(readScoreRecord(row)).toMatchObject({ ok: false, reason });
  });
  it('marks a rejected line as rejected', () => {
    expect(readScoreRecord({ line: 1, error: {} })).toEqual({ ok: false, rejected: true, reason: 'rejected input' });
  });

  it('reads a prediction-log row, nested or flat', () => {
    const prediction = { score: 0.7, band: 'high', modelVersion: 'v1', modelSha256: 's', scoringDate: '2026-11-01', features: { a: 2 } };
    expect(readPredictionLogRow({ requestedAt: '2026-11-02T00:00:00Z', outcome: 'available', prediction, ancestryGroup: 'B' })).toEqual({
      ok: true,
      value: { requestedAt: '2026-11-02T00:00:00Z', available: 1, score: 0.7, band: 'high', modelVersion: 'v1', features: { a: 2 }, ancestryGroup: 'B' },
    });
    expect(readPredictionLogRow({ outcome: 'unavailable', score: 0.2, band: 'low', modelVersion: 'v1' })).toEqual({
      ok: true,
      value: { requestedAt: null, available: 0, score: 0.2, band: 'low', modelVersion: 'v1', features: {}, ancestryGroup: undefined },
    });
  });
  it.each([
    [null, 'not a JSON object'],
    [{ outcome: 'maybe' }, 'outcome must be available or unavailable'],
    [{ outcome: 'available', requestedAt: 'yesterday' }, 'requestedAt must be an RFC 3339 timestamp'],
    [{ outcome: 'available', requestedAt: 5 }, 'requestedAt must be an RFC 3339 timestamp'],
    [{ outcome: 'available', prediction: null }, 'no score at the request'],
    [{ outcome: 'available', prediction: { score: 2, band: 'low', modelVersion: 'v1' } }, 'prediction: score must be a number from 0 to 1'],
  ])('refuses the prediction-log row %p: %s', (row, reason) => {
    expect(readPredictionLogRow(row)).toEqual({ ok: false, reason });
  });
});

describe('the monitoring reference', () => {
  it('bins scores and features by their deciles and shares the bands', () => {
    const scores = Array.from({ length: 10 }, (_, i) => i / 10);
    const r = buildMonitoringReference({
      featureNames: ['x'],
      vectors: scores.map((s) => [s * 10]),
      scores,
      bands: ['high', 'medium', 'medium', 'low', 'low', 'low', 'low', 'low', 'low', 'low'],
      sample: { rows: 10, seed: 3, asOf: '2026-01-01' },
      auc: 0.75,
    });
    expect(r.bands).toEqual({ high: 0.1, medium: 0.2, low: 0.7 });
    expect(r.score.cuts).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(r.features.x.cuts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.sample).toEqual({ rows: 10, seed: 3, asOf: '2026-01-01' });
    expect(r.auc).toBe(0.75);
  });
  it('refuses rows of unequal lengths or none, naming the counts', () => {
    const base = { featureNames: [], sample: { rows: 0, seed: 0, asOf: '' }, auc: 0 };
    expect(() => buildMonitoringReference({ ...base, vectors: [], scores: [], bands: [] })).toThrow('reference needs one vector, score and band per row (got 0, 0, 0)');
    expect(() => buildMonitoringReference({ ...base, vectors: [[1]], scores: [0.1, 0.2], bands: ['low', 'low'] })).toThrow('(got 1, 2, 2)');
    expect(() => buildMonitoringReference({ ...base, vectors: [[1], [2]], scores: [0.1, 0.2], bands: ['low'] })).toThrow('(got 2, 2, 1)');
  });
  it('is read from a manifest, or the error says to retrain', () => {
    expect(monitoringReferenceOf({ modelVersion: 'v1', monitoring: reference })).toBe(reference);
    expect(() => monitoringReferenceOf({ modelVersion: 'v9' })).toThrow('model v9 has no monitoring reference in its manifest: retrain it with npm run train');
  });
});
