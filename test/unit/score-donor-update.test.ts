// The scoring logic with its AWS ports faked: how each failure class ends.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { ModelIntegrityError, ReadinessModel } from '../../lambdas/core/readiness-model';
import type { ScoreRecord } from '../../lambdas/core/score-record';
import { scoreDonorUpdate, type ScoringDeps } from '../../lambdas/score-donor/score-donor-update';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
let model: ReadinessModel;
beforeAll(async () => {
  model = await ReadinessModel.load(manifest, readFileSync(join(MODEL_DIR, manifest.onnx.file)));
});

function fakes(overrides: Partial<ScoringDeps> = {}) {
  const written: ScoreRecord[] = [];
  const kept: unknown[] = [];
  const alerts: unknown[] = [];
  const logs: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const deps: ScoringDeps = {
    loadModel: async () => model,
    store: { putIfNewer: async (r) => (written.push(r), true) },
    rejected: { keep: async (r) => void kept.push(r) },
    alerts: { record: async (a) => void alerts.push(a) },
    log: {
      info: (message, fields) => logs.push({ level: 'info', message, fields }),
      warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
      error: (message, fields) => logs.push({ level: 'error', message, fields }),
    },
    now: () => new Date('2026-11-23T12:00:00Z'),
    ...overrides,
  };
  return { deps, written, kept, alerts, logs };
}

describe('scoreDonorUpdate', () => {
  it('scores a valid event as of the day it runs', async () => {
    const f = fakes();
    const result = await scoreDonorUpdate(donorUpdatedEvent(validDetail(), 'e1'), f.deps);
    expect(result).toMatchObject({ outcome: 'scored', eventId: 'e1' });
    expect(f.written).toHaveLength(1);
    expect(f.written[0]).toMatchObject({ scoringDate: '2026-11-23', scoredAt: '2026-11-23T12:00:00.000Z', sourceEventId: 'e1' });
  });

  it('reports stale when the store keeps a newer score', async () => {
    const f = fakes({ store: { putIfNewer: async () => false } });
    expect(await scoreDonorUpdate(donorUpdatedEvent(validDetail(), 'e2'), f.deps)).toMatchObject({ outcome: 'stale', revision: 3 });
  });

  it('throws a transient failure so Lambda retries it (nothing swallowed)', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const f = fakes({ store: { putIfNewer: async () => Promise.reject(throttled) } });
    await expect(scoreDonorUpdate(donorUpdatedEvent(validDetail(), 'e3'), f.deps)).rejects.toBe(throttled);
    // Counted under the error's name: messages vary (request ids), names do not.
    expect(f.alerts).toEqual([{ failureClass: 'failed', eventId: 'e3', error: 'ThrottlingException: Rate exceeded', kind: 'ThrottlingException' }]);
  });

  it('throws when the rejected event cannot be kept, so it is retried rather than lost', async () => {
    const f = fakes({ rejected: { keep: async () => Promise.reject(new Error('SQS down')) } });
    await expect(scoreDonorUpdate(donorUpdatedEvent({ donorId: 'x' }, 'e4'), f.deps)).rejects.toThrow('SQS down');
  });

  it('still rejects cleanly when only the alert fails, and logs that it failed', async () => {
    const f = fakes({ alerts: { record: async () => Promise.reject(Object.assign(new Error('no'), { name: 'InternalError' })) } });
    const result = await scoreDonorUpdate(donorUpdatedEvent({ ...validDetail(), revision: 0 }, 'e5'), f.deps);
    expect(result).toMatchObject({ outcome: 'rejected', violation: { field: 'revision', rule: 'must be >= 1' } });
    expect(f.kept).toHaveLength(1);
    expect(f.logs.some((l) => l.level === 'error' && l.message.startsWith('alert could not be recorded'))).toBe(true);
  });

  it('alerts on a model failure and throws it', async () => {
    const f = fakes({ loadModel: async () => Promise.reject(new ModelIntegrityError('bad bytes')) });
    await expect(scoreDonorUpdate(donorUpdatedEvent(validDetail(), 'e6'), f.deps)).rejects.toThrow('bad bytes');
    expect(f.alerts).toEqual([{ failureClass: 'model', eventId: 'e6', error: 'bad bytes' }]);
  });

  it('never logs donor attributes or the donorId', async () => {
    const f = fakes();
    const bad: any = validDetail({ donorId: 'D-SECRET-77' });
    bad.donor.birthYear = 2025;
    await scoreDonorUpdate(donorUpdatedEvent(bad, 'e7'), f.deps);
    await scoreDonorUpdate(donorUpdatedEvent(validDetail({ donorId: 'D-SECRET-78' }), 'e8'), f.deps);
    const text = JSON.stringify([f.logs, f.alerts]);
    expect(text).not.toMatch(/D-SECRET|2025|1990|2015-04-01|online/);
  });
});
