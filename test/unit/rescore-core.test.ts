// The registry run's pure parts with their ports faked and a model that answers a fixed score:
// the BatchInput guard, refresh files and chunks, each row's fate, the rejected file's name, the
// write pool's limit, the unchanged rule at its edges, the run summary's sums and the config's
// rules. Expected values are written here, never taken from the code under test.
import { decodeInput } from '../../lambdas/core/stored-input';
import { createHash } from 'node:crypto';
import type { ReadinessModel } from '../../lambdas/core/readiness-model';
import type { StoredScore } from '../../lambdas/core/score-record';
import { readRescoreConfig } from '../../lambdas/rescore/config';
import { emptyCounts, rescoreBatch, type BatchEvent, type RejectedRow, type RescorePorts } from '../../lambdas/rescore/rescore-batch';
import { rejectedPrefix, resultsPrefix, summarizeRun, summaryKey, type SummarizeRequest } from '../../lambdas/rescore/run-summary';
import { isUnchanged } from '../../lambdas/rescore/unchanged';
import { validDetail } from '../fixtures/donor-events';

const SHA = 'a'.repeat(64);
/** Every donor scores 0.5, band medium, one reason. */
const fixedModel = {
  version: 'v1',
  sha256: SHA,
  scoreMatrix: async (_features: Float64Array, rows: number) => ({ probabilities: new Float32Array(rows).fill(0.5), reasonKeys: new Float64Array(rows) }),
  predictionOf: () => ({ score: 0.5, band: 'medium' as const, reasons: [{ code: 'R', effect: 'raises' as const }] }),
};

function fakePorts(over: Partial<RescorePorts> = {}) {
  const writes: StoredScore[] = [];
  const kept: { runId: string; name: string; rows: RejectedRow[] }[] = [];
  let loads = 0;
  const ports: RescorePorts = {
    loadModel: async () => (loads++, fixedModel as unknown as ReadinessModel),
    store: { putIfNewer: async (r) => (writes.push(r), r.revision !== 99) },
    keepRejected: async (runId, name, rows) => (kept.push({ runId, name, rows }), `s3://run/runs/${runId}/rejected/${name}.jsonl`),
    parseSnapshotItem: (line) => (line as { Item: Record<string, unknown> }).Item,
    now: () => new Date('2026-01-02T03:04:05.678Z'),
    writeConcurrency: 2,
    ...over,
  };
  return { ports, writes, kept, loads: () => loads };
}
const backfill = (Items: unknown[]): BatchEvent => ({ Items, BatchInput: { runId: 'run-1', mode: 'backfill', scoringDate: '2026-01-01', tolerance: 0 } });
/** A snapshot item: the stored score and the input it was made from (the input names the donor). */
const stored = (over: Partial<StoredScore> = {}) => ({ donorId: 'D-TEST-0001', revision: 3, score: 0.5, band: 'medium', reasons: [{ code: 'R', effect: 'raises' }], modelSha256: SHA, input: validDetail({ donorId: over.donorId ?? 'D-TEST-0001' }), ...over });

describe('rescoreBatch: the BatchInput guard', () => {
  const guard = 'the batch has no valid BatchInput {runId, mode, scoringDate}: start runs through the state machine';
  it.each([
    ['no BatchInput', undefined],
    ['a scoringDate that is no date', { runId: 'r', mode: 'backfill', scoringDate: '2026-1-01', tolerance: 0 }],
    ['a scoringDate with text around it', { runId: 'r', mode: 'backfill', scoringDate: 'x2026-01-01', tolerance: 0 }],
    ['a scoringDate with text after it', { runId: 'r', mode: 'backfill', scoringDate: '2026-01-01x', tolerance: 0 }],
    ['another mode', { runId: 'r', mode: 'rebuild', scoringDate: '2026-01-01', tolerance: 0 }],
  ])('refuses %s', async (_, input) => {
    await expect(rescoreBatch({ Items: [], BatchInput: input as never }, fakePorts().ports)).rejects.toThrow(new Error(guard));
  });
  it('accepts both modes', async () => {
    expect(await rescoreBatch(backfill([]), fakePorts().ports)).toEqual(emptyCounts());
    expect(await rescoreBatch({ Items: [], BatchInput: { runId: 'r', mode: 'refresh', scoringDate: '2026-01-01', tolerance: 0 } }, fakePorts().ports)).toEqual(emptyCounts());
  });
  it('starts from zero counts', () => {
    expect(emptyCounts()).toEqual({ rows: 0, scored: 0, unchanged: 0, stale: 0, rejected: 0, rejectedByRule: {}, rejectedAt: null });
  });
});

describe('rescoreBatch: backfill rows', () => {
  it('writes each valid row with its input and source event, counts stale writes, keeps rejected rows under a content name', async () => {
    const f = fakePorts();
    const ok = { id: 'evt-1', detail: validDetail() };
    const stale = { detail: validDetail({ donorId: 'D-STALE-01', revision: 99 }) };
    const bad = { detail: validDetail({ revision: 0 }) };
    const items = [ok, bad, stale, 'text', { detail: validDetail({ revision: -1 }) }];
    const counts = await rescoreBatch(backfill(items), f.ports);
    expect(counts).toEqual({
      rows: 5,
      scored: 1,
      unchanged: 0,
      stale: 1,
      rejected: 3,
      rejectedByRule: { 'revision: must be >= 1': 2, '(detail): must be an object': 1 },
      rejectedAt: `s3://run/runs/run-1/rejected/${createHash('sha256').update(JSON.stringify(items)).digest('hex').slice(0, 20)}.jsonl`,
    });
    expect(f.writes.map((w) => [w.donorId, w.sourceEventId, w.scoringDate, w.scoredAt, w.input && decodeInput(w).ok ? (decodeInput(w) as { detail: unknown }).detail : w.input])).toEqual([
      ['D-TEST-0001', 'evt-1', '2026-01-01', '2026-01-02T03:04:05.678Z', validDetail()],
      ['D-STALE-01', null, '2026-01-01', '2026-01-02T03:04:05.678Z', validDetail({ donorId: 'D-STALE-01', revision: 99 })],
    ]);
    expect(f.kept).toHaveLength(1);
    expect(f.kept[0].runId).toBe('run-1');
    expect(f.kept[0].name).toHaveLength(20);
    expect(f.kept[0].rows).toEqual([
      { row: bad, field: 'revision', rule: 'must be >= 1', violations: [{ field: 'revision', rule: 'must be >= 1' }] },
      { row: 'text', field: '(detail)', rule: 'must be an object', violations: [{ field: '(detail)', rule: 'must be an object' }] },
      { row: items[4], field: 'revision', rule: 'must be >= 1', violations: [{ field: 'revision', rule: 'must be >= 1' }] },
    ]);
  });

  it('keeps every violation of a row that breaks several rules', async () => {
    const f = fakePorts();
    const twice = { detail: validDetail({ donorId: 'x', revision: 0 }) };
    await rescoreBatch(backfill([twice]), f.ports);
    expect(f.kept[0].rows).toEqual([
      { row: twice, field: 'donorId', rule: 'must match ^[A-Za-z0-9-]{4,40}$', violations: [{ field: 'donorId', rule: 'must match ^[A-Za-z0-9-]{4,40}$' }, { field: 'revision', rule: 'must be >= 1' }] },
    ]);
  });

  it('keeps no rejected file when every row is valid', async () => {
    const f = fakePorts();
    expect((await rescoreBatch(backfill([{ detail: validDetail() }]), f.ports)).rejectedAt).toBeNull();
    expect(f.kept).toEqual([]);
  });

  it('never has more writes in flight than writeConcurrency, and waits for all of them', async () => {
    let inFlight = 0;
    let most = 0;
    let done = 0;
    const f = fakePorts({
      writeConcurrency: 3,
      store: {
        putIfNewer: async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setTimeout(r, 2));
          inFlight--;
          done++;
          return true;
        },
      },
    });
    const items = Array.from({ length: 10 }, (_, i) => ({ detail: validDetail({ donorId: `D-POOL-${i}` }) }));
    const counts = await rescoreBatch(backfill(items), f.ports);
    expect(most).toBe(3);
    expect(done).toBe(10);
    expect(counts.scored).toBe(10);
    const one = fakePorts({ writeConcurrency: 1, store: { putIfNewer: async () => (inFlight++, (most = Math.max(most, inFlight)), await Promise.resolve(), inFlight--, true) } });
    most = 0;
    await rescoreBatch(backfill(items.slice(0, 4)), one.ports);
    expect(most).toBe(1);
  });
});

describe('rescoreBatch: refresh from snapshot rows', () => {
  // The prepare step turns the export's files into rows (prepare-rows.test.ts); a batch holds snapshot lines.
  const refresh = (items: unknown[], tolerance = 0): BatchEvent => ({ Items: items.map((Item) => ({ Item })), BatchInput: { runId: 'run-2', mode: 'refresh', scoringDate: '2026-01-01', tolerance } });

  it('keeps the stored source event id as the trace of a rescored donor, and every violation of a stored input', async () => {
    const traced = stored({ donorId: 'D-TRACE', score: 0.9, sourceEventId: 'e-7' } as never);
    const numeric = stored({ donorId: 'D-NUMID', score: 0.9, sourceEventId: 7 } as never);
    const broken = stored({ donorId: 'D-BROKEN', input: validDetail({ donorId: 'x', revision: 0 }) } as never);
    const f = fakePorts();
    await rescoreBatch(refresh([traced, numeric, broken]), f.ports);
    expect(f.writes.map((w) => [w.donorId, w.sourceEventId])).toEqual([['D-TRACE', 'e-7'], ['D-NUMID', null]]);
    expect(f.kept[0].rows[0].violations).toEqual([{ field: 'donorId', rule: 'must match ^[A-Za-z0-9-]{4,40}$' }, { field: 'revision', rule: 'must be >= 1' }]);
  });

  it('skips a donor whose fresh score is unchanged within the tolerance, and rewrites one beyond it', async () => {
    const f = fakePorts();
    expect(await rescoreBatch(refresh([stored({ donorId: 'D-SAME', score: 0.5 }), stored({ donorId: 'D-NEAR', score: 0.5004 }), stored({ donorId: 'D-FAR', score: 0.5006 })], 0.0005), f.ports)).toMatchObject({ rows: 3, unchanged: 2, scored: 1 });
    expect(f.writes.map((w) => [w.donorId, w.sourceEventId])).toEqual([['D-FAR', null]]);
  });

  it('keeps the stored item whole when it has no input to rescore from, naming the rule', async () => {
    const { input: _, ...noInput } = stored({ donorId: 'D-OLD1', sourceEventId: 'e-7' } as never);
    const invalid = stored({ donorId: 'D-BAD1', input: validDetail({ revision: 0 }) } as never);
    const f = fakePorts();
    const counts = await rescoreBatch(refresh([noInput, invalid]), f.ports);
    const rule = 'is required: this score was stored before inputs were kept; the next DonorUpdated event or a backfill restores it';
    expect(counts).toMatchObject({ rows: 2, rejected: 2, rejectedByRule: { [`input: ${rule}`]: 1, 'revision: must be >= 1': 1 } });
    expect(f.kept[0].rows).toEqual([
      { row: noInput, field: 'input', rule, violations: [{ field: 'input', rule }] },
      { row: invalid, field: 'revision', rule: 'must be >= 1', violations: [{ field: 'revision', rule: 'must be >= 1' }] },
    ]);
  });
});

describe('isUnchanged at its edges', () => {
  const fresh = { score: 0.5, band: 'medium' as const, reasons: [{ code: 'A', effect: 'raises' as const }, { code: 'B', effect: 'lowers' as const }], modelSha256: 'm1' };
  it('holds at exactly the tolerance and not beyond, either way', () => {
    expect(isUnchanged({ ...fresh, score: 0.25 }, fresh, 0.25)).toBe(true);
    expect(isUnchanged({ ...fresh, score: 0.75 }, fresh, 0.25)).toBe(true);
    expect(isUnchanged({ ...fresh, score: 0.2499 }, fresh, 0.25)).toBe(false);
    expect(isUnchanged({ ...fresh, score: 0.7501 }, fresh, 0.25)).toBe(false);
  });
  it('compares every reason, code and effect, in order, and the count', () => {
    expect(isUnchanged({ ...fresh, reasons: [fresh.reasons[1], fresh.reasons[0]] }, fresh, 1)).toBe(false);
    expect(isUnchanged({ ...fresh, reasons: [fresh.reasons[0], { code: 'C', effect: 'lowers' }] }, fresh, 1)).toBe(false);
    expect(isUnchanged({ ...fresh, reasons: [fresh.reasons[0], { code: 'B', effect: 'raises' }] }, fresh, 1)).toBe(false);
    expect(isUnchanged({ ...fresh, reasons: [fresh.reasons[0]] }, fresh, 1)).toBe(false);
    expect(isUnchanged({ ...fresh, reasons: [...fresh.reasons, fresh.reasons[0]] }, fresh, 1)).toBe(false);
    expect(isUnchanged({ ...fresh, reasons: undefined }, { ...fresh, reasons: [] }, 0)).toBe(true);
    expect(isUnchanged({ ...fresh, reasons: undefined }, fresh, 1)).toBe(false);
  });
  it('needs a stored numeric score and the same model', () => {
    expect(isUnchanged({ ...fresh, score: '0.5' as never }, fresh, 1)).toBe(false);
    expect(isUnchanged({ ...fresh, score: undefined }, fresh, 1)).toBe(false);
    expect(isUnchanged({ ...fresh, modelSha256: undefined }, fresh, 1)).toBe(false);
    expect(isUnchanged({ ...fresh, band: undefined }, fresh, 1)).toBe(false);
  });
});

describe('summarizeRun', () => {
  const request = (over: Partial<SummarizeRequest> = {}): SummarizeRequest => ({
    runId: 'run-9',
    mode: 'refresh',
    scoringDate: '2026-01-01',
    startedAt: '2026-01-02T03:00:00.000Z',
    mapRun: { MapRunArn: 'arn:aws:states:eu-west-1:1:mapRun:x', ResultWriterDetails: { Bucket: 'runs', Key: 'runs/run-9/results/abc/manifest.json' } },
    ...over,
  });
  function ports(files: Record<string, unknown>, now = '2026-01-02T03:02:03.449Z') {
    const put: [string, string, unknown][] = [];
    return { put, ports: { getJson: async (b: string, k: string) => (k in files ? files[k] : Promise.reject(new Error(`no ${b}/${k}`))), putJson: async (b: string, k: string, v: unknown) => void put.push([b, k, v]), now: () => new Date(now) } };
  }

  it('adds up the batches, counts failed and pending batches by their items, and writes the summary beside the results', async () => {
    const counts = (c: object) => ({ Status: 'SUCCEEDED', Output: JSON.stringify(c) }); // Transformation NONE: records
    const p = ports({
      'runs/run-9/results/abc/manifest.json': { ResultFiles: { SUCCEEDED: [{ Key: 's1' }, { Key: 's2' }], FAILED: [{ Key: 'f1' }], PENDING: [{ Key: 'p1' }] } },
      s1: [counts({ rows: 10, scored: 6, unchanged: 2, stale: 1, rejected: 1, rejectedByRule: { 'a: x': 1 } }), counts({ rows: 5, scored: 5 })],
      s2: [counts({ rows: 4, scored: 1, unchanged: 0, stale: 0, rejected: 3, rejectedByRule: { 'a: x': 2, 'b: y': 1 } }), {}],
      f1: [{ Input: JSON.stringify({ Items: [1, 2, 3] }) }, { Input: 'not json' }],
      p1: [{ Input: JSON.stringify({ BatchInput: {} }) }, {}],
    });
    const summary = await summarizeRun(request(), p.ports);
    const expected = {
      runId: 'run-9',
      mode: 'refresh',
      scoringDate: '2026-01-01',
      startedAt: '2026-01-02T03:00:00.000Z',
      finishedAt: '2026-01-02T03:02:03.449Z',
      seconds: 123.4, // 123.449 s to tenths
      rows: 19 + 6, // 19 from the batches, 3 + 1 + 1 + 1 failed items
      scored: 12,
      unchanged: 2,
      stale: 1,
      rejected: 4,
      failed: 6,
      failedBatches: 4,
      rejectedByRule: { 'a: x': 3, 'b: y': 1 },
      locations: { rejected: 's3://runs/runs/run-9/rejected/', results: 's3://runs/runs/run-9/results/abc/manifest.json', summary: 's3://runs/runs/run-9/summary.json' },
      mapRunArn: 'arn:aws:states:eu-west-1:1:mapRun:x',
    };
    expect(summary).toEqual(expected);
    expect(p.put).toEqual([['runs', 'runs/run-9/summary.json', expected]]);
  });

  it('reads COMPACT results (each succeeded entry is the batch output itself) to the same totals as NONE records; failed entries stay whole', async () => {
    const batch1 = { rows: 10, scored: 6, unchanged: 2, stale: 1, rejected: 1, rejectedByRule: { 'a: x': 1 } };
    const batch2 = { rows: 4, scored: 1, unchanged: 0, stale: 0, rejected: 3, rejectedByRule: { 'a: x': 2, 'b: y': 1 } };
    const failedBatch = { Status: 'FAILED', Error: 'Lambda.Unknown', Cause: 'boom', Input: JSON.stringify({ Items: [1, 2] }) };
    const manifest = { ResultFiles: { SUCCEEDED: [{ Key: 's1' }], FAILED: [{ Key: 'f1' }] } };
    const compact = await summarizeRun(request(), ports({ 'runs/run-9/results/abc/manifest.json': manifest, s1: [batch1, batch2], f1: [failedBatch] }).ports);
    const none = await summarizeRun(
      request(),
      ports({ 'runs/run-9/results/abc/manifest.json': manifest, s1: [batch1, batch2].map((c) => ({ Status: 'SUCCEEDED', Output: JSON.stringify(c), Input: '{}' })), f1: [failedBatch] }).ports,
    );
    expect(compact).toMatchObject({ rows: 16, scored: 7, unchanged: 2, stale: 1, rejected: 4, failed: 2, failedBatches: 1, rejectedByRule: { 'a: x': 3, 'b: y': 1 } });
    expect(none).toEqual(compact);
  });

  it('reports no rejected folder, no map run and never negative seconds when there is nothing to say', async () => {
    const p = ports({ 'runs/run-9/results/abc/manifest.json': {} }, '2026-01-02T02:59:00.000Z');
    const summary = await summarizeRun(request({ mapRun: { ResultWriterDetails: { Bucket: 'runs', Key: 'runs/run-9/results/abc/manifest.json' } } }), p.ports);
    expect(summary).toMatchObject({ rows: 0, failed: 0, failedBatches: 0, seconds: 0, rejectedByRule: {}, mapRunArn: null, locations: { rejected: null } });
  });

  it('rounds seconds to tenths: 0.05 s up, 0.049 s down', async () => {
    const at = async (now: string) => (await summarizeRun(request(), ports({ 'runs/run-9/results/abc/manifest.json': {} }, now).ports)).seconds;
    expect(await at('2026-01-02T03:00:00.050Z')).toBe(0.1);
    expect(await at('2026-01-02T03:00:00.049Z')).toBe(0);
    expect(await at('2026-01-02T03:00:10.000Z')).toBe(10);
  });

  it('names the run folders', () => {
    expect(summaryKey('r1')).toBe('runs/r1/summary.json');
    expect(rejectedPrefix('r1')).toBe('runs/r1/rejected/');
    expect(resultsPrefix('r1')).toBe('runs/r1/results');
  });
});

describe('readRescoreConfig', () => {
  const env = (over: Record<string, string | undefined> = {}) => ({
    STAGE: 'dev',
    SCORE_TABLE_NAME: 'scores',
    MODEL_BUCKET: 'models',
    MODEL_PREFIX: 'model/',
    MODEL_SHA256: 'c'.repeat(64),
    RUN_BUCKET: 'runs',
    WRITE_CONCURRENCY: '8',
    WRITES_PER_SECOND: '400',
    ...over,
  });
  it('reads every variable, the concurrency as a number', () => {
    expect(readRescoreConfig(env())).toEqual({ stage: 'dev', scoreTableName: 'scores', modelBucket: 'models', modelPrefix: 'model/', modelSha256: 'c'.repeat(64), runBucket: 'runs', writeConcurrency: 8, writesPerSecond: 400 });
    expect(readRescoreConfig(env({ WRITE_CONCURRENCY: '1', MODEL_SHA256: '0123456789abcdef'.repeat(4) })).writeConcurrency).toBe(1);
  });
  it('names the function and the variable that is missing', () => {
    expect(() => readRescoreConfig(env({ RUN_BUCKET: undefined }))).toThrow(/registry batch function.*RUN_BUCKET/);
  });
  it.each(['0', '-1', '1.5', 'eight', ''])('refuses WRITE_CONCURRENCY=%p', (v) => {
    expect(() => readRescoreConfig(env({ WRITE_CONCURRENCY: v }))).toThrow(v === '' ? /WRITE_CONCURRENCY/ : new Error('WRITE_CONCURRENCY must be a whole number >= 1'));
  });
  it.each(['C'.repeat(64), 'c'.repeat(63), 'c'.repeat(65), 'g'.repeat(64), ` ${'c'.repeat(63)}`])('refuses MODEL_SHA256=%p', (v) => {
    expect(() => readRescoreConfig(env({ MODEL_SHA256: v }))).toThrow(new Error('MODEL_SHA256 must be 64 lowercase hex characters'));
  });
});
