// The registry run's batch core with its ports faked (the model is the real ONNX model): outcomes
// per row, the unchanged rule, and the race with live events (property test).
import fc from 'fast-check';
import { loadLocalModel } from '../../cli/local-model';
import type { ReadinessModel } from '../../lambdas/core/readiness-model';
import type { StoredScore } from '../../lambdas/core/score-record';
import { rescoreBatch, writePacer, type RejectedRow, type RescorePorts } from '../../lambdas/rescore/rescore-batch';
import { isUnchanged } from '../../lambdas/rescore/unchanged';
import { generateRegistry } from '../../model/synthetic-registry';

let model: ReadinessModel;
const rows = [...(function* () {
  let n = 0;
  for (const row of generateRegistry({ seed: 9, asOf: '2026-01-01', baseRate: 0.55 })) {
    if (n++ === 40) return;
    yield row;
  }
})()];

beforeAll(async () => {
  model = await loadLocalModel();
});

/** A table with the event path's rule: newer revision, or equal revision with another model or a later date. */
function ruleTable() {
  const items = new Map<string, StoredScore>();
  return {
    items,
    putIfNewer: async (r: StoredScore) => {
      const s = items.get(r.donorId);
      const wins = !s || s.revision < r.revision || (s.revision === r.revision && (s.modelSha256 !== r.modelSha256 || s.scoringDate < r.scoringDate));
      if (wins) items.set(r.donorId, r);
      return wins;
    },
  };
}

function ports(table: ReturnType<typeof ruleTable>, kept: RejectedRow[][] = []): RescorePorts {
  return {
    loadModel: async () => model,
    store: table,
    keepRejected: async (runId, name, r) => (kept.push(r), `s3://run/runs/${runId}/rejected/${name}.jsonl`),
    // The items in these tests are already plain (the handler unmarshalls DynamoDB JSON).
    parseSnapshotItem: (line) => (line as { Item: Record<string, unknown> }).Item,
    now: () => new Date('2026-01-01T00:00:00Z'),
    writeConcurrency: 4,
  };
}

test('unchanged means same model, band and reasons, and a score within the tolerance', () => {
  const base = { score: 0.5, band: 'medium' as const, reasons: [{ code: 'A', effect: 'raises' as const }], modelSha256: 'm1' };
  expect(isUnchanged(base, { ...base }, 0)).toBe(true);
  expect(isUnchanged(base, { ...base, score: 0.501 }, 0)).toBe(false);
  expect(isUnchanged(base, { ...base, score: 0.501 }, 0.002)).toBe(true);
  expect(isUnchanged(base, { ...base, modelSha256: 'm2' }, 1)).toBe(false);
  expect(isUnchanged(base, { ...base, band: 'high' }, 1)).toBe(false);
  expect(isUnchanged(base, { ...base, reasons: [{ code: 'A', effect: 'lowers' }] }, 1)).toBe(false);
  expect(isUnchanged({ ...base, score: Number.NaN }, base, 1)).toBe(false);
  expect(isUnchanged(undefined, base, 1)).toBe(false);
});

test('a backfill batch scores valid rows, rejects the others with field and rule, and names its rejected file by content', async () => {
  const table = ruleTable();
  const kept: RejectedRow[][] = [];
  const bad = { detail: { ...rows[0].detail, revision: 0 } };
  const event = { Items: [...rows.slice(0, 10), bad, 'text'], BatchInput: { runId: 'r1', mode: 'backfill' as const, scoringDate: '2026-01-01', tolerance: 0 } };
  const counts = await rescoreBatch(event, ports(table, kept));
  expect(counts).toMatchObject({ rows: 12, scored: 10, stale: 0, rejected: 2, rejectedByRule: { 'revision: must be >= 1': 1, '(detail): must be an object': 1 } });
  expect(kept[0].map((r) => r.row)).toEqual([bad, 'text']);
  const again = await rescoreBatch(event, ports(table, kept));
  expect(again).toMatchObject({ scored: 0, stale: 10 }); // a re-run writes nothing new
  expect(again.rejectedAt).toBe(counts.rejectedAt); // and overwrites its own rejected file
  await expect(rescoreBatch({ Items: [], BatchInput: { runId: 'x' } as never }, ports(table))).rejects.toThrow(/BatchInput/);
});

test('a refresh racing with live events never overwrites a newer revision', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 3 })), { maxLength: 20 }), fc.integer({ min: 0, max: 30 }), async (live, delayAt) => {
      const table = ruleTable();
      // The snapshot: ten donors at revision 2, scored a year earlier.
      for (const row of rows.slice(0, 10)) {
        const record = { ...(row.detail as any), revision: 2 };
        table.items.set(record.donorId, { donorId: record.donorId, revision: 2, scoringDate: '2025-01-01', modelSha256: model.sha256, score: 0.1, band: 'low', reasons: [], input: record } as unknown as StoredScore);
      }
      const snapshot = [...table.items.values()].map((i) => ({ Item: JSON.parse(JSON.stringify(i)) }));
      // Live events land while the refresh runs: each one a revision of 1..3 + 1 (1 and 2 are older or equal).
      let writes = 0;
      const racing = ports(table);
      const store = racing.store;
      racing.store = {
        putIfNewer: async (r) => {
          if (writes++ === delayAt % 10) {
            for (const [i, rev] of live) {
              const donor = rows[i].detail as any;
              await table.putIfNewer({ ...(table.items.get(donor.donorId) as StoredScore), revision: rev + 1, scoringDate: '2026-01-01', score: 0.9 });
            }
          }
          return store.putIfNewer(r);
        },
      };
      await rescoreBatch({ Items: snapshot, BatchInput: { runId: 'r', mode: 'refresh', scoringDate: '2026-01-01', tolerance: 0 } }, racing);
      for (const row of rows.slice(0, 10)) {
        const id = (row.detail as any).donorId;
        const newest = Math.max(2, ...live.filter(([i]) => (rows[i].detail as any).donorId === id).map(([, rev]) => rev + 1));
        expect(table.items.get(id)!.revision).toBe(newest);
        if (newest > 2) expect(table.items.get(id)!.score).toBe(0.9); // the live score stayed
      }
    }),
    { numRuns: 40 },
  );
});

test('a write pacer spaces the writes of one function to its rate, across batches', async () => {
  let now = 0;
  const slept: number[] = [];
  const pace = writePacer(400, () => now, async (ms) => {
    slept.push(ms);
    now += ms;
  });
  for (let i = 0; i < 4; i++) await pace();
  // 400 a second: one write every 2.5 ms, the first at once.
  expect(slept).toEqual([2.5, 2.5, 2.5]);
  now += 100; // idle time is not saved up as a burst
  await pace();
  await pace();
  expect(slept).toEqual([2.5, 2.5, 2.5, 2.5]);
  expect(() => writePacer(0)).toThrow(/> 0/);
  expect(() => writePacer(Number.NaN)).toThrow(/> 0/);
});

test('a write pacer on its own clock and timer (as the handler makes it) waits for the next slot', async () => {
  // 20 a second: the second write waits ~50 ms. Only a lower bound is checked (a timer never fires
  // much early; a loaded machine may fire it late): this says the pacer waits, not how fast anything is.
  const pace = writePacer(20);
  await pace();
  const start = performance.now();
  await pace();
  expect(performance.now() - start).toBeGreaterThanOrEqual(40);
});
