// A local run of any length in bounded memory (issue 15): traffic generated and files read as they
// are delivered, deliveries counted instead of kept, latencies sampled. Each piece is checked
// against what it replaces: the whole-array forms and plain sorting.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsFromFile, generateTraffic, lineProblemOf, REORDER_WINDOW, trafficStream, type BusEvent } from '../../twin/donor-update-stream';
import { DeliveryTally, UNDELIVERED_NAMED } from '../../twin/delivery-tally';
import { LatencySample } from '../../twin/latency-sample';
import { deliverEach, type DeliveryRecord } from '../../twin/local-delivery';

const identity = { source: 'registry.donors', detailType: 'DonorUpdated', account: '000000000000', region: 'us-east-1' };
const options = { events: 3000, seed: 7, asOf: '2026-11-20', badFraction: 0.02, identity };
const donorOf = (e: BusEvent) => (e.detail as { donorId?: string }).donorId;

describe('trafficStream', () => {
  it('gives the same events as generateTraffic, and the same again for the same seed', () => {
    const whole = generateTraffic(options);
    const stream = trafficStream(options);
    const lazy = [...stream.events];
    expect(lazy).toEqual(whole.events);
    expect(stream.shape).toEqual(whole.shape);
    expect(generateTraffic({ ...options, seed: 8 }).events).not.toEqual(whole.events);
  });

  it('is lazy: reading a few events of a very long run generates only the reorder window', () => {
    const stream = trafficStream({ ...options, events: 10_000_000 });
    const iterator = stream.events[Symbol.iterator]();
    for (let i = 0; i < 10; i++) iterator.next();
    const generated = stream.shape.donors + stream.shape.updates + stream.shape.duplicates;
    expect(generated).toBeGreaterThanOrEqual(REORDER_WINDOW);
    expect(generated).toBeLessThanOrEqual(REORDER_WINDOW + 10);
  });

  it('shapes the traffic as documented: duplicates, revisions out of order, malformed events', () => {
    const { events, shape } = generateTraffic({ ...options, events: 5000 });
    expect(events).toHaveLength(5000);
    expect(shape.donors + shape.updates + shape.duplicates).toBe(5000);
    for (const [n, expected] of [[shape.duplicates, 0.03], [shape.malformed, 0.02]] as const) {
      expect(n / 5000).toBeGreaterThan(expected / 2);
      expect(n / 5000).toBeLessThan(expected * 2);
    }
    expect(shape.outOfOrder).toBeGreaterThan(20);
    // A revision out of order: some donor's revisions arrive with a higher one before a lower one.
    const seen = new Map<string, number>();
    let descending = 0;
    for (const e of events) {
      const d = e.detail as { donorId: string; revision: number };
      if ((seen.get(d.donorId) ?? 0) > d.revision) descending++;
      seen.set(d.donorId, Math.max(seen.get(d.donorId) ?? 0, d.revision));
    }
    expect(descending).toBeGreaterThan(0);
    expect(new Set(events.map(donorOf)).size).toBeLessThan(5000);
  });
});

describe('eventsFromFile', () => {
  it('reads lines across chunk boundaries, CRLF and blank lines as the whole-file reader did', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-stream-'));
    try {
      const file = join(dir, 'events.jsonl');
      // Long lines, so the 1 MB reads split lines (and a multi-byte character) between chunks.
      const long = 'é'.repeat(400_000);
      const lines = [JSON.stringify({ donorId: 'A', note: long }), '', '{not json', JSON.stringify({ donorId: 'B', note: long }), '[1]', JSON.stringify({ donorId: 'C' })];
      writeFileSync(file, lines.join('\r\n') + '\n');
      const events = [...eventsFromFile(file, identity, 3)];
      expect(events.map((e) => (e.detail as { donorId?: string })?.donorId ?? null)).toEqual(['A', null, null, 'B', null, 'C']);
      expect((events[0].detail as { note: string }).note).toBe(long);
      expect(events.map((e) => lineProblemOf(e) ?? null)).toEqual([
        null,
        '(line): must be a JSON object, not a blank line',
        '(line): must be valid JSON',
        null,
        '(line): must be a JSON object (a whole event, a generator row or a detail)',
        null,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('eventsFromFile, what a line may be', () => {
  it('reads a drs data row as its detail, a whole event as itself and anything else as a bare detail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-stream-'));
    try {
      const file = join(dir, 'mixed.jsonl');
      const row = { detail: { donorId: 'ROW', revision: 1 }, truth: { available: true }, requestDate: '2026-11-20' };
      const event = { version: '0', id: 'given-id', source: 'registry.donors', 'detail-type': 'DonorUpdated', detail: { donorId: 'EVENT' } };
      const detailWithDetailField = { donorId: 'BARE', detail: 'a note, not a detail' };
      writeFileSync(file, [row, event, { donorId: 'PLAIN' }, detailWithDetailField].map((l) => JSON.stringify(l)).join('\n') + '\n');
      const events = [...eventsFromFile(file, identity, 5)];
      expect(events.map((e) => e.detail)).toEqual([row.detail, event.detail, { donorId: 'PLAIN' }, detailWithDetailField]);
      expect(events[1].id).toBe('given-id');
      expect(events.map((e) => e['detail-type'])).toEqual(['DonorUpdated', 'DonorUpdated', 'DonorUpdated', 'DonorUpdated']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('deliverEach and the tally', () => {
  it('reads the sequence only as fast as it delivers, and counts every fate', async () => {
    let read = 0;
    function* events(): Generator<BusEvent> {
      for (let i = 0; i < 50; i++) {
        read++;
        yield { version: '0', id: `e-${i}`, source: 's', 'detail-type': 'd', account: 'a', time: 't', region: 'r', resources: [], detail: { i } };
      }
    }
    let maxAhead = 0;
    let delivered = 0;
    const tally = new DeliveryTally();
    const outcomes = ['scored', 'stale', 'rejected'] as const;
    const count = await deliverEach(
      events(),
      {
        matches: (e: any) => e.detail.i % 10 !== 9,
        handler: async (e: any) => {
          maxAhead = Math.max(maxAhead, read - delivered);
          await new Promise((r) => setTimeout(r, 1));
          const outcome = outcomes[e.detail.i % 3];
          return { outcome, band: 'low', ...(outcome === 'rejected' ? { violation: { field: 'donor.sex', rule: 'is required' } } : {}) };
        },
        fn: { logicalId: 'Fn', handlerFile: '', handlerExport: '', environment: {}, timeoutSeconds: 5, retryAttempts: 2 },
        sqs: {} as never,
        functionArn: 'arn:fn',
        concurrency: 4,
      },
      (record: DeliveryRecord, event) => {
        delivered++;
        tally.add(record, event);
      },
    );
    expect(count).toBe(50);
    expect(maxAhead).toBeLessThanOrEqual(4);
    expect(tally.in).toBe(50);
    // i % 10 === 9 is not matched (5 events); the others by i % 3.
    const matched = Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 10 !== 9);
    expect(tally.fates).toEqual({
      unmatched: 5,
      scored: matched.filter((i) => i % 3 === 0).length,
      stale: matched.filter((i) => i % 3 === 1).length,
      rejected: matched.filter((i) => i % 3 === 2).length,
      'dead-lettered': 0,
      undelivered: 0,
    });
    expect(tally.bands.low).toBe(tally.fates.scored);
    expect(tally.byReason).toEqual({ 'donor.sex: is required': tally.fates.rejected });
    expect(tally.latencies.count).toBe(45);
  });

  it('names the first undelivered events and counts the rest', () => {
    const tally = new DeliveryTally();
    const event = {} as BusEvent;
    for (let i = 0; i < UNDELIVERED_NAMED + 5; i++) tally.add({ eventId: `u-${i}`, fate: 'undelivered', invocations: 3, latenciesMs: [1, 1, 1], reason: 'no queue', keptIn: [] }, event);
    tally.add({ eventId: 'k', fate: 'dead-lettered', invocations: 3, latenciesMs: [], keptIn: ['Failed', 'DeadLetters'] }, event);
    expect(tally.undelivered).toHaveLength(UNDELIVERED_NAMED);
    expect(tally.fates.undelivered).toBe(UNDELIVERED_NAMED + 5);
    expect(tally.keptIn).toEqual({ Failed: 1, DeadLetters: 1 });
    expect(tally.retriedInvocations).toBe(2 * (UNDELIVERED_NAMED + 6));
    expect(tally.eventsRecovered).toBe(UNDELIVERED_NAMED + 5); // undelivered is not dead-lettered
  });
});

describe('LatencySample', () => {
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const nearestBelow = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

  it('is exact up to its capacity', () => {
    const values = Array.from({ length: 999 }, (_, i) => ((i * 7919) % 1000) / 10);
    const sample = new LatencySample(1000);
    values.forEach((v) => sample.add(v));
    expect(sample.exact).toBe(true);
    expect(sample.percentiles([50, 99])).toEqual([nearestBelow(values, 50), nearestBelow(values, 99)]);
    expect(new LatencySample(10).percentiles([50])).toEqual([0]);
  });

  it('beyond it, keeps a fixed number of values and estimates without bias', () => {
    const sample = new LatencySample(2000);
    // 1..100 ms uniformly, many times over: p50 = 50, p99 = 99.
    for (let i = 0; i < 200_000; i++) sample.add(1 + ((i * 7919) % 100));
    expect(sample.exact).toBe(false);
    expect(sample.count).toBe(200_000);
    const [p50, p99] = sample.percentiles([50, 99]);
    expect(Math.abs(p50 - 50)).toBeLessThanOrEqual(4);
    expect(Math.abs(p99 - 99)).toBeLessThanOrEqual(2);
  });
});
