// 10,000 malformed or hostile DonorUpdated events through the scoring core: none crashes it, each
// rejected one names a field and a rule and is kept whole, none is stored, and no log line or alert
// carries a value from the donor record.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { ReadinessModel } from '../../lambdas/core/readiness-model';
import { scoreDonorUpdate, type ScoringDeps } from '../../lambdas/score-donor/score-donor-update';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
let model: ReadinessModel;
beforeAll(async () => {
  model = await ReadinessModel.load(manifest, readFileSync(join(MODEL_DIR, manifest.onnx.file)));
});

const PATHS = [
  ['donorId'], ['revision'], ['updatedAt'], ['donor'], ['donor', 'birthYear'], ['donor', 'sex'], ['donor', 'registeredOn'],
  ['donor', 'recruitmentChannel'], ['donor', 'bloodDonor'], ['donor', 'residence'], ['donor', 'contactVerifiedOn'],
  ['donor', 'lastResponseOn'], ['donor', 'outreach12m'], ['donor', 'outreach12m', 'attempts'], ['donor', 'outreach12m', 'responses'],
  ['donor', 'priorRequests', 'total'], ['donor', 'priorRequests', 'available'], ['donor', 'temporarilyUnavailableUntil'],
  ['donor', 'lastUnavailableReason'],
];

const hostileValue = fc.oneof(
  fc.anything({ withObjectString: true, withNullPrototype: true }),
  fc.string({ unit: 'binary', maxLength: 64 }),
  // 200-256 KB strings of odd characters (built by repetition: generating them char by char is slow).
  fc.tuple(fc.integer({ min: 200_000, max: 262_144 }), fc.constantFrom('a', 'é', '𝔘', '\u0000', '\u202e', 'a\u0301')).map(([n, c]) => c.repeat(Math.ceil(n / c.length))),
  fc.constantFrom(-1, 0, 1e308, -1e308, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1.5, '2026-02-30', '2026-13-01', '0000-00-00', '9999-12-31', '', ' ', '__proto__', 'constructor'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
);

type Mutation = { kind: 'set'; path: string[]; value: unknown } | { kind: 'delete'; path: string[] } | { kind: 'extra'; key: string; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), path: fc.constantFrom(...PATHS), value: hostileValue }),
  fc.record({ kind: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ kind: fc.constant('extra' as const), key: fc.constantFrom('__proto__', 'constructor', 'prototype', 'name', 'nationalId', '𝔘'), value: hostileValue }),
);

function apply(detail: any, m: Mutation): void {
  if (m.kind === 'extra') {
    const target = detail.donor !== null && typeof detail.donor === 'object' ? detail.donor : detail;
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
    return;
  }
  let target = detail;
  for (const key of m.path.slice(0, -1)) {
    if (target === null || typeof target !== 'object') return;
    target = target[key];
  }
  if (target === null || typeof target !== 'object') return;
  const last = m.path[m.path.length - 1];
  if (m.kind === 'delete') delete target[last];
  else Object.defineProperty(target, last, { value: m.value, enumerable: true, configurable: true, writable: true });
}

/** Donor values worth searching the logs for (short ones like "F" would match anything). */
function donorStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string' && value.length >= 6) out.push(value.slice(0, 64));
  else if (value && typeof value === 'object') for (const v of Object.values(value)) donorStrings(v, out);
  return out;
}

it('rejects every malformed or hostile event with a field and a rule, stores nothing, leaks nothing', async () => {
  let rejected = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
      const detail: any = validDetail({ donorId: 'D-HOSTILE-1' });
      mutations.forEach((m) => apply(detail, m));
      const event = donorUpdatedEvent(detail, 'hostile-event');
      const stored: unknown[] = [];
      const kept: any[] = [];
      const said: string[] = [];
      const deps: ScoringDeps = {
        loadModel: async () => model,
        store: { putIfNewer: async (r) => (stored.push(r), true) },
        rejected: { keep: async (r) => void kept.push(r) },
        alerts: { record: async (a) => void said.push(JSON.stringify(a)) },
        log: { info: (m, f) => said.push(m + JSON.stringify(f)), warn: (m, f) => said.push(m + JSON.stringify(f)), error: (m, f) => said.push(m + JSON.stringify(f)) },
        now: () => new Date('2026-11-23T12:00:00Z'),
      };
      const result = await scoreDonorUpdate(event, deps);
      if (result.outcome === 'rejected') {
        rejected++;
        expect(result.violation.field.length).toBeGreaterThan(0);
        expect(result.violation.rule.length).toBeGreaterThan(0);
        expect(stored).toHaveLength(0);
        expect(kept).toHaveLength(1);
        expect(kept[0].event).toBe(event);
      } else {
        // Only mutations that left the contract intact (e.g. an unknown extra field) may be scored,
        // and then the unknown field is not stored.
        expect(result.outcome).toBe('scored');
        expect(Object.keys((stored[0] as any).features)).toEqual(manifest.features.map((f) => f.name));
        expect(JSON.stringify(stored[0])).not.toMatch(/nationalId|__proto__|𝔘/);
      }
      const text = said.join('\n');
      for (const value of donorStrings(detail.donor)) expect(text).not.toContain(value);
      expect(text).not.toContain('D-HOSTILE-1');
    }),
    // endOnFailure: shrinking 256 KB strings overflows the stack; the first counterexample is shown as is.
    { numRuns: 10_000, seed: 20261123, endOnFailure: true },
  );
  expect(rejected).toBeGreaterThan(7_500);
}, 300_000);
