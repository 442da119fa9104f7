// drs score writes each score record from the batch's columns (ScoreRecordJson) rather than
// JSON.stringify of a record object; its bytes must be exactly JSON.stringify(buildScoreRecord(...)),
// whatever the values: rounded features and scores, odd numbers, strings that need escaping.
// Reason keys (a batch's reasons without objects) must name the reasons the sorting rule names.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { FEATURE_COUNT, FEATURES } from '../../lambdas/core/features';
import { bandOf, LogitExplainer, type ModelManifest, type ReasonCode } from '../../lambdas/core/model-manifest';
import { buildScoreRecord } from '../../lambdas/core/score-record';
import { ScoreRecordJson } from '../../lambdas/core/score-record-json';
import type { DonorUpdatedDetail } from '../../lambdas/core/donor-updated';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'model', 'manifest.json'), 'utf8')) as ModelManifest;
const explainer = new LogitExplainer(manifest);
const model = { version: manifest.modelVersion, sha256: manifest.onnx.sha256 };
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The reasons rule as the contract states it, written out here: largest effects first, ties by feature order. */
function expectedReasons(vector: readonly number[]): ReasonCode[] {
  const listed = new Set(manifest.reasonCodes.codes.map((c) => `${c.feature}:${c.effect}`));
  return explainer
    .contributions(vector)
    .map((c, i) => ({ c, i, effect: c > 0 ? ('raises' as const) : ('lowers' as const) }))
    .filter(({ c, i, effect }) => Math.abs(c) >= manifest.reasonCodes.minEffect && listed.has(`${manifest.features[i].name}:${effect}`))
    .sort((a, b) => Math.abs(b.c) - Math.abs(a.c) || a.i - b.i)
    .slice(0, manifest.reasonCodes.maxReasons)
    .map(({ i, effect }) => ({ code: manifest.features[i].reason[effect], effect }));
}

/** Feature values as the feature module makes them (in range, 4 decimals), with odd ones now and then. */
const featureValue = (i: number) => {
  const [lo, hi] = FEATURES[i].range;
  return fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: lo, max: hi, noNaN: true }).map(round4) },
    { weight: 2, arbitrary: fc.constantFrom(lo, hi, 0, 1) },
    { weight: 1, arbitrary: fc.oneof(fc.double(), fc.constantFrom(-0, 1e-7, 1e21, 2 ** 31, 0.1 + 0.2, -1.5)) },
  );
};
const vector = fc.tuple(...FEATURES.map((_, i) => featureValue(i)));
const text = fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{4,40}$/), fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/), fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\u0000\u001f', '\ud800', '\udc00x', '😀', '\u2028', 'é', '</script>'));
const probability = fc.oneof({ weight: 10, arbitrary: fc.float({ min: 0, max: 1, noNaN: true }) }, { weight: 1, arbitrary: fc.constantFrom(0, 1, -0, 1e-7, 0.5, Number.NaN, Infinity) });

describe('score records written from columns', () => {
  it('are byte for byte JSON.stringify of the record object', () => {
    let copiedIds = 0;
    fc.assert(
      fc.property(vector, probability, text, fc.option(text, { nil: null }), text, fc.oneof(fc.integer({ min: 1 }), fc.double()), text, (v, p, donorId, sourceEventId, updatedAt, revision, scoredAt) => {
        const features = new Float64Array(FEATURE_COUNT * 2);
        features.set(v, FEATURE_COUNT);
        const reasonKey = explainer.reasonKey(features, FEATURE_COUNT);
        const band = bandOf(p, manifest.bands);
        const json = new ScoreRecordJson({ modelVersion: model.version, modelSha256: model.sha256, scoringDate: '2026-06-01', scoredAt, reasonsOfKey: (k) => explainer.reasonsOfKey(k) });
        const written = json.text({ donorId, revision, updatedAt, sourceEventId, probability: p, band, reasonKey }, features, FEATURE_COUNT);
        const detail = { donorId, revision, updatedAt } as DonorUpdatedDetail;
        const record = buildScoreRecord({ detail, sourceEventId, vector: v, prediction: { score: p, band, reasons: expectedReasons(v) } }, model, '2026-06-01', scoredAt);
        expect(written).toBe(JSON.stringify(record));
        // The bytes drs score writes: the same text as UTF-8, inside its upper bound, nothing past it touched.
        const row = { donorId, revision, updatedAt, sourceEventId, probability: p, band, reasonKey };
        const room = json.maxBytes(row);
        const out = Buffer.alloc(room + 8, 0xaa);
        const end = json.write(row, features, FEATURE_COUNT, out, 3);
        expect(out.subarray(3, end).equals(Buffer.from(JSON.stringify(record), 'utf8'))).toBe(true);
        expect(end - 3).toBeLessThanOrEqual(room);
        // The room asked is exact but for numbers (25 bytes each, the longest a number prints) and
        // strings (6 bytes a UTF-16 unit and the quotes): what it leaves unused is theirs alone.
        const numbers = [Math.round(p * 1e6) / 1e6, revision, ...v];
        const unused =
          numbers.reduce((n, x) => n + 25 - JSON.stringify(x).length, 0) +
          [donorId, updatedAt, sourceEventId, band].reduce((n, s) => n + (s === null ? 0 : 6 * s.length + 2 - Buffer.byteLength(JSON.stringify(s))), 0);
        expect(room - (end - 3)).toBe(unused);
        expect([...out.subarray(0, 3), ...out.subarray(end)].every((x) => x === 0xaa)).toBe(true);
        // donorId and updatedAt copied from input bytes (drs score's scanned rows): the same bytes,
        // for the texts the scanner reads that way (ASCII that JSON writes as it is).
        if (/^[A-Za-z0-9-]*$/.test(donorId) && /^[0-9TZ:.+-]*$/.test(updatedAt)) {
          const input = Buffer.from(`xx${donorId}yyy${updatedAt}z`, 'latin1');
          const fromBytes = { ...row, donorId: '', updatedAt: '', textBytes: input, donorIdStart: 2, donorIdEnd: 2 + donorId.length, updatedAtStart: 5 + donorId.length, updatedAtEnd: 5 + donorId.length + updatedAt.length };
          const copied = Buffer.alloc(json.maxBytes(fromBytes));
          const copiedEnd = json.write(fromBytes, features, FEATURE_COUNT, copied, 0);
          expect(copied.subarray(0, copiedEnd).equals(out.subarray(3, end))).toBe(true);
          // Copied bytes are counted exactly: their strings' unused room is gone from the room asked.
          const stringRoom = (s: string) => 6 * s.length + 2 - Buffer.byteLength(JSON.stringify(s));
          expect(copied.length - copiedEnd).toBe(unused - stringRoom(donorId) - stringRoom(updatedAt));
          copiedIds += 1;
        }
      }),
      { numRuns: 3000 },
    );
    expect(copiedIds).toBeGreaterThan(100);
  });

  it('take a new scoredAt for the next batch of the run', () => {
    const features = new Float64Array(FEATURE_COUNT);
    const json = new ScoreRecordJson({ modelVersion: 'm', modelSha256: 's', scoringDate: '2026-06-01', scoredAt: 'first', reasonsOfKey: () => [] });
    const row = { donorId: 'D-1', revision: 1, updatedAt: 'u', sourceEventId: null, probability: 0.5, band: 'medium' as const, reasonKey: 0 };
    expect(JSON.parse(json.text(row, features, 0)).scoredAt).toBe('first');
    json.scoredAt = 'second';
    expect(JSON.parse(json.text(row, features, 0))).toMatchObject({ scoredAt: 'second', scoringDate: '2026-06-01', reasons: [] });
    const out = Buffer.alloc(json.maxBytes(row));
    expect(JSON.parse(out.toString('utf8', 0, json.write(row, features, 0, out, 0))).scoredAt).toBe('second');
    json.scoredAt = 'a much longer scoredAt than the first, with \u0000 and é to escape and encode';
    const longer = Buffer.alloc(json.maxBytes(row));
    const end = json.write(row, features, 0, longer, 0);
    expect(longer.toString('utf8', 0, end)).toBe(json.text(row, features, 0));
  });
});

describe('reason keys', () => {
  it('name the reasons the rule names, in its order, for any row of a matrix', () => {
    fc.assert(
      fc.property(vector, fc.nat({ max: 3 }), (v, row) => {
        const matrix = new Float64Array(FEATURE_COUNT * 4).fill(Number.NaN);
        matrix.set(v, row * FEATURE_COUNT);
        const expected = expectedReasons(v);
        expect(explainer.reasonsOfKey(explainer.reasonKey(matrix, row * FEATURE_COUNT))).toEqual(expected);
        expect(explainer.reasons(v)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('keep the lower feature first among equal effects, and drop the ones past maxReasons', () => {
    // Four indicators with effects of equal size: female +0.5, recruitedOnline -0.5, bloodDonor +0.5, livesAbroad -0.5.
    const tied = structuredClone(manifest);
    const weights: Record<number, number> = { 1: 0.5, 4: -0.5, 7: 0.5, 8: -0.5 };
    tied.model.terms = Object.entries(weights).map(([i, weight]) => ({ feature: FEATURES[Number(i)].name, kind: 'linear' as const, weight }));
    tied.features = tied.features.map((f) => ({ ...f, reference: 0 }));
    tied.reasonCodes = { ...tied.reasonCodes, maxReasons: 3, codes: Object.keys(weights).flatMap((i) => (['raises', 'lowers'] as const).map((effect) => ({ code: FEATURES[Number(i)].reason[effect], feature: FEATURES[Number(i)].name, effect, meaning: '' }))) };
    const v = new Array<number>(FEATURE_COUNT).fill(0);
    for (const i of Object.keys(weights)) v[Number(i)] = 1;
    const named = new LogitExplainer(tied).reasons(v);
    expect(named).toEqual([
      { code: 'SEX_F', effect: 'raises' },
      { code: 'RECRUITED_ONLINE', effect: 'lowers' },
      { code: 'BLOOD_DONOR', effect: 'raises' },
    ]);
  });

  it('stand for no reasons as 0 (the reference donor)', () => {
    const reference = manifest.features.map((f) => f.reference);
    expect(explainer.reasonKey(reference, 0)).toBe(0);
    expect(explainer.reasonsOfKey(0)).toEqual([]);
  });
});
