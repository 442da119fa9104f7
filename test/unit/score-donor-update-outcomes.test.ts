// What scoreDonorUpdate hands each port, field by field: the stored record (against hand-computed
// features and the manifest's model evaluated here), the kept rejected event, the alert, the logs.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURES } from '../../lambdas/core/features';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { ModelIntegrityError, ReadinessModel } from '../../lambdas/core/readiness-model';
import type { ScoreRecord } from '../../lambdas/core/score-record';
import { scoreDonorUpdate, type ScoringDeps } from '../../lambdas/score-donor/score-donor-update';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

/** validDetail().donor in the stored order: birthYear, sex, registeredOn, channel, bloodDonor, residence, contactVerifiedOn, lastResponseOn, attempts, responses, total, available, unavailableUntil, reason. */
const STORED_FIXTURE_DONOR = [1990, 'F', '2015-04-01', 'online', true, 'domestic', '2025-11-01', '2026-03-15', 2, 1, 1, 1, null, null];

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
const onnxBytes = readFileSync(join(MODEL_DIR, manifest.onnx.file));
let model: ReadinessModel;
beforeAll(async () => {
  model = await ReadinessModel.load(manifest, onnxBytes);
});

const NOW = '2026-11-23T12:00:00.000Z';
function fakes(overrides: Partial<ScoringDeps> = {}, now = NOW) {
  const written: ScoreRecord[] = [];
  const kept: unknown[] = [];
  const alerts: unknown[] = [];
  const logs: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, fields: Record<string, unknown>) => void logs.push({ level, message, fields });
  const deps: ScoringDeps = {
    loadModel: async () => model,
    store: { putIfNewer: async (r) => (written.push(r), true) },
    rejected: { keep: async (r) => void kept.push(r) },
    alerts: { record: async (a) => void alerts.push(a) },
    log: { info: log('info'), warn: log('warn'), error: log('error') },
    now: () => new Date(now),
    ...overrides,
  };
  return { deps, written, kept, alerts, logs };
}

// validDetail() as of 2026-11-23, derived by hand (test/unit/features.test.ts shows the arithmetic).
const FIXTURE_FEATURES = {
  ageYears: 36, female: 1, sexUnknown: 0, yearsOnRegistry: 11.6468, recruitedOnline: 1, recruitedAtBloodCenter: 0,
  recruitedOtherChannel: 0, bloodDonor: 1, livesAbroad: 0, yearsSinceContactVerified: 1.0595, contactNeverVerified: 0,
  yearsSinceLastResponse: 0.6927, neverResponded: 0, outreachAnswered12m: 1, outreachUnanswered12m: 1,
  priorRequestsAvailable: 1, priorRequestsUnavailable: 0, daysUntilAvailableAgain: 0, lastUnavailableMedical: 0,
  lastUnavailablePersonal: 0, lastUnavailableNoContact: 0,
};

/** The manifest's model, evaluated term by term here: logit, and each feature's part of it. */
function part(index: number, x: number) {
  const f = manifest.features[index];
  const clipped = Math.min(f.range[1], Math.max(f.range[0], x));
  return manifest.model.terms
    .filter((t) => t.feature === f.name)
    .reduce((sum, t) => sum + (t.kind === 'linear' ? t.weight * clipped : t.weight * Math.max(0, clipped - t.knot)), 0);
}
/** Only (feature, direction) pairs the manifest's code table lists are ever named. */
const listed = new Set(manifest.reasonCodes.codes.map((c) => `${c.feature}:${c.effect}`));
function expectedPrediction(vector: number[]) {
  const logit = vector.reduce((z, x, i) => z + part(i, x), manifest.model.intercept);
  const score = 1 / (1 + Math.exp(-logit));
  const band = score >= manifest.bands.high ? 'high' : score >= manifest.bands.medium ? 'medium' : 'low';
  const reasons = vector
    .map((x, i) => ({ i, c: part(i, x) - part(i, manifest.features[i].reference) }))
    .filter(({ i, c }) => Math.abs(c) >= manifest.reasonCodes.minEffect && listed.has(`${FEATURES[i].name}:${c > 0 ? 'raises' : 'lowers'}`))
    .sort((p, q) => Math.abs(q.c) - Math.abs(p.c))
    .slice(0, manifest.reasonCodes.maxReasons)
    .map(({ i, c }) => ({ code: c > 0 ? FEATURES[i].reason.raises : FEATURES[i].reason.lowers, effect: c > 0 ? 'raises' : 'lowers' }));
  return { score, band, reasons };
}

describe('a scored event', () => {
  it('stores the record the contract describes, with hand-computed features and score', async () => {
    const f = fakes();
    const result = await scoreDonorUpdate(donorUpdatedEvent(validDetail(), 'e1'), f.deps);
    const expected = expectedPrediction(Object.values(FIXTURE_FEATURES));
    expect(expected.reasons.length).toBeGreaterThan(0);
    expect(f.written).toHaveLength(1);
    const [stored] = f.written;
    expect(Math.abs(stored.score - expected.score)).toBeLessThan(2e-6);
    expect(Math.round(stored.score * 1e6) / 1e6).toBe(stored.score);
    expect(stored).toEqual({
      donorId: 'D-TEST-0001',
      score: stored.score,
      band: expected.band,
      reasons: expected.reasons,
      modelVersion: manifest.modelVersion,
      modelSha256: createHash('sha256').update(onnxBytes).digest('hex'),
      revision: 3,
      sourceEventId: 'e1',
      updatedAt: '2026-11-20T10:00:00Z',
      scoringDate: '2026-11-23',
      scoredAt: NOW,
      features: FIXTURE_FEATURES,
      // The validated input, kept for the registry refresh (issue 13): the fixture's donor attributes
      // in the compact order of lambdas/core/stored-input.ts (version 1), written out by hand.
      input: [1, ...STORED_FIXTURE_DONOR],
    });
    expect(result).toEqual({ outcome: 'scored', eventId: 'e1', revision: 3, band: expected.band, score: stored.score, modelVersion: manifest.modelVersion });
    expect(f.logs).toEqual([{ level: 'info', message: 'scored', fields: { eventId: 'e1', outcome: 'scored', revision: 3, band: expected.band, modelVersion: manifest.modelVersion } }]);
    expect(f.kept).toEqual([]);
    expect(f.alerts).toEqual([]);
  });

  it('scores as of the UTC date of the clock, for validation and features alike', async () => {
    // 23:30 in New York on the 23rd is the 24th in UTC: registering "tomorrow" (local) is today.
    const f = fakes({}, '2026-11-23T23:30:00-05:00');
    const detail = validDetail();
    detail.donor.registeredOn = '2026-11-24';
    detail.donor.contactVerifiedOn = null;
    expect(await scoreDonorUpdate(donorUpdatedEvent(detail, 'e2'), f.deps)).toMatchObject({ outcome: 'scored' });
    expect(f.written[0]).toMatchObject({ scoringDate: '2026-11-24', scoredAt: '2026-11-24T04:30:00.000Z', features: { yearsOnRegistry: 0, yearsSinceContactVerified: 0, contactNeverVerified: 1 } });
  });

  it('takes no event id from a non-string id', async () => {
    const f = fakes();
    const event = { ...donorUpdatedEvent(validDetail()), id: 17 };
    expect(await scoreDonorUpdate(event, f.deps)).toMatchObject({ outcome: 'scored', eventId: null });
    expect(f.written[0].sourceEventId).toBeNull();
  });

  it('reports a stale write as stale and logs it without donor data', async () => {
    const f = fakes({ store: { putIfNewer: async () => false } });
    expect(await scoreDonorUpdate(donorUpdatedEvent(validDetail({ revision: 7 }), 'e3'), f.deps)).toEqual({ outcome: 'stale', eventId: 'e3', revision: 7 });
    expect(f.logs).toEqual([{ level: 'info', message: 'ignored: a newer or identical score is stored', fields: { eventId: 'e3', outcome: 'stale', revision: 7 } }]);
  });
});

describe('a rejected event', () => {
  it('is kept whole with its reason, alerted and logged, and nothing is stored', async () => {
    const f = fakes();
    const detail: any = validDetail();
    detail.revision = 0;
    detail.donor.sex = 'X';
    const event = donorUpdatedEvent(detail, 'e4');
    const sent = JSON.parse(JSON.stringify(event));
    expect(await scoreDonorUpdate(event, f.deps)).toEqual({ outcome: 'rejected', eventId: 'e4', violation: { field: 'revision', rule: 'must be >= 1' } });
    expect(f.kept).toEqual([
      {
        eventId: 'e4',
        reason: {
          field: 'revision',
          rule: 'must be >= 1',
          violations: [
            { field: 'revision', rule: 'must be >= 1' },
            { field: 'donor.sex', rule: 'must be one of F, M, U' },
          ],
        },
        rejectedAt: NOW,
        event: sent,
      },
    ]);
    expect(f.alerts).toEqual([{ failureClass: 'rejected', eventId: 'e4', error: 'revision must be >= 1' }]);
    expect(f.logs).toEqual([{ level: 'warn', message: 'event rejected: it breaks the DonorUpdated contract', fields: { eventId: 'e4', failureClass: 'rejected', field: 'revision', rule: 'must be >= 1' } }]);
    expect(f.written).toEqual([]);
  });

  it('is kept even without an id or a detail', async () => {
    const f = fakes();
    expect(await scoreDonorUpdate({ source: 'x' }, f.deps)).toEqual({ outcome: 'rejected', eventId: null, violation: { field: '(detail)', rule: 'is required' } });
    expect(f.kept).toEqual([{ eventId: null, reason: { field: '(detail)', rule: 'is required', violations: [{ field: '(detail)', rule: 'is required' }] }, rejectedAt: NOW, event: { source: 'x' } }]);
  });

  it('still ends rejected when the alert cannot be recorded, and logs that', async () => {
    const f = fakes({ alerts: { record: async () => Promise.reject(Object.assign(new Error('down'), { name: 'InternalError' })) } });
    expect(await scoreDonorUpdate(donorUpdatedEvent({ ...validDetail(), revision: 0 }, 'e5'), f.deps)).toMatchObject({ outcome: 'rejected' });
    expect(f.kept).toHaveLength(1);
    expect(f.logs[1]).toEqual({
      level: 'error',
      message: 'alert could not be recorded; scoring goes on and the queue-depth alarms still report the failure',
      fields: { eventId: 'e5', failureClass: 'rejected', error: 'InternalError' },
    });
  });

  it('is not alerted before it is kept', async () => {
    const order: string[] = [];
    const f = fakes({ rejected: { keep: async () => void order.push('keep') }, alerts: { record: async () => void order.push('alert') } });
    await scoreDonorUpdate(donorUpdatedEvent({ ...validDetail(), revision: 0 }, 'e6'), f.deps);
    expect(order).toEqual(['keep', 'alert']);
  });
});

describe('a failed scoring attempt', () => {
  it('from the model: alerted as a model failure, logged, and thrown for a retry', async () => {
    const refused = new ModelIntegrityError('bad bytes');
    const f = fakes({ loadModel: async () => Promise.reject(refused) });
    await expect(scoreDonorUpdate(donorUpdatedEvent(validDetail(), 'e7'), f.deps)).rejects.toBe(refused);
    expect(f.alerts).toEqual([{ failureClass: 'model', eventId: 'e7', error: 'bad bytes' }]);
    expect(f.logs).toEqual([{ level: 'error', message: 'model refused: this event will be retried, then kept in the failed-scoring queue', fields: { eventId: 'e7', failureClass: 'model', error: 'bad bytes' } }]);
  });

  it('from anything else: alerted with its name and at most 300 characters of message, and thrown', async () => {
    const long = Object.assign(new Error('x'.repeat(400)), { name: 'ProvisionedThroughputExceededException' });
    const f = fakes({ store: { putIfNewer: async () => Promise.reject(long) } });
    await expect(scoreDonorUpdate(donorUpdatedEvent(validDetail(), 'e8'), f.deps)).rejects.toBe(long);
    expect(f.alerts).toMatchObject([{ failureClass: 'failed', eventId: 'e8', error: `ProvisionedThroughputExceededException: ${'x'.repeat(400)}`.slice(0, 300) }]);
    expect((f.alerts[0] as { error: string }).error).toHaveLength(300);
  });

  it('is thrown even when its alert fails too', async () => {
    const refused = new ModelIntegrityError('bad bytes');
    const f = fakes({ loadModel: async () => Promise.reject(refused), alerts: { record: async () => Promise.reject(new TypeError('boom')) } });
    await expect(scoreDonorUpdate(donorUpdatedEvent(validDetail(), 'e9'), f.deps)).rejects.toBe(refused);
    expect(f.logs.map((l) => [l.level, l.fields.failureClass, l.fields.error])).toEqual([
      ['error', 'model', 'bad bytes'],
      ['error', 'model', 'TypeError'],
    ]);
  });
});
