// The batch engine: one result per row, in order, invalid rows answered with their violations, one
// model run for the valid rows. Expected values are written here: the record fields from the
// inputs, the scores from the manifest's logistic model evaluated by hand, never from the engine.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURES } from '../../lambdas/core/features';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import type { Prediction } from '../../lambdas/core/readiness-model';
import { ReadinessModel } from '../../lambdas/core/readiness-model';
import { BatchColumns, scoreBatch, scoreBatchColumns, type BatchTimings } from '../../lambdas/core/score-batch';
import { validDetail } from '../fixtures/donor-events';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
const onnxBytes = readFileSync(join(MODEL_DIR, manifest.onnx.file));
const DATE = '2026-11-23';
const AT = '2026-11-23T12:00:00.000Z';

/** A model that answers each vector with a score that names its position in the call. */
function markingModel() {
  const calls: number[][][] = [];
  return {
    calls,
    version: 'v-test',
    sha256: 'f'.repeat(64),
    // The batch port (issue 15): a feature matrix in, scores and reason keys out.
    scoreMatrix: async (features: Float64Array, rows: number) => {
      const vectors = Array.from({ length: rows }, (_, r) => Array.from(features.subarray(r * FEATURES.length, (r + 1) * FEATURES.length)));
      calls.push(vectors);
      return { probabilities: Float32Array.from(vectors, (_, i) => (i + 1) / 10), reasonKeys: Float64Array.from(vectors, (_, i) => i) };
    },
    predictionOf: (scores: { probabilities: Float32Array; reasonKeys: Float64Array }, i: number): Prediction => ({ score: (i + 1) / 10, band: i % 2 ? 'low' : 'high', reasons: [{ code: `R${scores.reasonKeys[i]}`, effect: 'raises' }] }),
  };
}

const donor = (id: string, birthYear: number, registeredOn = '2015-04-01') => validDetail({ donorId: id, donor: { ...validDetail().donor, birthYear, registeredOn } });

describe('scoreBatch', () => {
  it('answers every row in order: valid rows scored from one model run, invalid rows with all their violations', async () => {
    const model = markingModel();
    const rows = [
      { detail: donor('D-0001', 1990), sourceEventId: 'e1' },
      { detail: { ...donor('D-0002', 1980), donorId: 'x', revision: 0 }, sourceEventId: 'e2' },
      { detail: donor('D-0003', 1960), sourceEventId: null },
      { detail: 'not an object', sourceEventId: 'e4' },
    ];
    const results = await scoreBatch(rows, model, DATE, AT);
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]).toHaveLength(2);
    // ageYears (the first feature) tells which donor each vector is: 2026 - 1990 and 2026 - 1960.
    expect(model.calls[0].map((v) => v[0])).toEqual([36, 66]);
    expect(results).toHaveLength(4);
    expect(results[0]).toEqual({
      ok: true,
      input: rows[0].detail,
      record: {
        donorId: 'D-0001',
        score: 0.1,
        band: 'high',
        reasons: [{ code: 'R0', effect: 'raises' }],
        modelVersion: 'v-test',
        modelSha256: 'f'.repeat(64),
        revision: 3,
        sourceEventId: 'e1',
        updatedAt: '2026-11-20T10:00:00Z',
        scoringDate: DATE,
        scoredAt: AT,
        features: expect.objectContaining({ ageYears: 36 }),
      },
    });
    expect(results[1]).toEqual({
      ok: false,
      violation: { field: 'donorId', rule: 'must match ^[A-Za-z0-9-]{4,40}$' },
      violations: [
        { field: 'donorId', rule: 'must match ^[A-Za-z0-9-]{4,40}$' },
        { field: 'revision', rule: 'must be >= 1' },
      ],
    });
    expect(results[2]).toMatchObject({ ok: true, record: { donorId: 'D-0003', score: 0.2, band: 'low', reasons: [{ code: 'R1' }], sourceEventId: null, features: { ageYears: 66 } } });
    expect(results[3]).toEqual({ ok: false, violation: { field: '(detail)', rule: 'must be an object' }, violations: [{ field: '(detail)', rule: 'must be an object' }] });
  });

  it('judges rows as of the scoring date, not today', async () => {
    // Born 2009 and registered on New Year's Day 2026: valid that day, too young and registered in the future the day before.
    const rows = [{ detail: donor('D-0009', 2009, '2026-01-01'), sourceEventId: null }];
    expect((await scoreBatch(rows, markingModel(), '2026-01-01', AT))[0]).toMatchObject({ ok: true, record: { scoringDate: '2026-01-01', features: { ageYears: 17 } } });
    expect(await scoreBatch(rows, markingModel(), '2025-12-31', AT)).toEqual([
      {
        ok: false,
        violation: { field: 'donor.birthYear', rule: 'must be from 1900 to 2008' },
        violations: [
          { field: 'donor.birthYear', rule: 'must be from 1900 to 2008' },
          { field: 'donor.registeredOn', rule: 'must not be in the future' },
        ],
      },
    ]);
  });

  it('runs the model on no rows when every row is invalid, and answers an empty batch with nothing', async () => {
    const model = markingModel();
    expect(await scoreBatch([{ detail: {}, sourceEventId: null }], model, DATE, AT)).toMatchObject([{ ok: false }]);
    expect(model.calls.every((c) => c.length === 0)).toBe(true);
    expect(await scoreBatch([], markingModel(), DATE, AT)).toEqual([]);
  });

  it('stores what the real model says, which is the manifest’s logistic model evaluated by hand', async () => {
    const model = await ReadinessModel.load(manifest, onnxBytes);
    const rows = [1958, 1975, 1990, 1997].map((year, i) => ({ detail: donor(`D-100${i}`, year), sourceEventId: `e${i}` }));
    const results = await scoreBatch(rows, model, DATE, AT);
    const sha = createHash('sha256').update(onnxBytes).digest('hex');
    const { high, medium } = manifest.bands;
    results.forEach((r, i) => {
      if (!r.ok) throw new Error(JSON.stringify(r.violation));
      const v = FEATURES.map((f) => r.record.features[f.name as keyof typeof r.record.features] as number);
      let z = manifest.model.intercept;
      for (const term of manifest.model.terms) {
        const f = manifest.features.find((x) => x.name === term.feature)!;
        const x = Math.min(f.range[1], Math.max(f.range[0], v[f.index]));
        z += term.kind === 'linear' ? term.weight * x : term.weight * Math.max(0, x - term.knot);
      }
      const p = 1 / (1 + Math.exp(-z));
      expect(Math.abs(r.record.score - p)).toBeLessThan(2e-6);
      expect(r.record.band).toBe(p >= high ? 'high' : p >= medium ? 'medium' : 'low');
      expect(r.record).toMatchObject({ donorId: `D-100${i}`, modelVersion: manifest.modelVersion, modelSha256: sha, sourceEventId: `e${i}`, features: { ageYears: 2026 - [1958, 1975, 1990, 1997][i] } });
    });
    // Different ages, different scores: a row given its neighbour's prediction would show.
    expect(new Set(results.map((r) => r.ok && r.record.score)).size).toBe(4);
  });
});

describe('BatchColumns', () => {
  it('holds at most its capacity of valid rows (invalid rows take no room) until cleared', () => {
    const batch = new BatchColumns(markingModel(), DATE, 1);
    expect(batch.add(donor('D-0001', 1990))).toMatchObject({ ok: true });
    expect(batch.add({})).toMatchObject({ ok: false });
    expect(batch.scored).toBe(1);
    expect(() => batch.add(donor('D-0002', 1980))).toThrow(new RangeError('a batch holds at most 1 rows'));
    batch.clear();
    expect(batch.add(donor('D-0003', 1960))).toMatchObject({ ok: true });
    expect(batch.scored).toBe(1);
    // The row after clear() is written from the matrix's start: ageYears 2026 - 1960.
    expect(batch.features[0]).toBe(66);
  });
});

describe('scoreBatchColumns', () => {
  it('answers a batch with no valid row with no scores, without running the model', async () => {
    const model = markingModel();
    const columns = await scoreBatchColumns([{}, 'x'], model, DATE);
    expect(columns.scored).toBe(0);
    expect(columns.scores).toEqual({ probabilities: new Float32Array(0), reasonKeys: new Float64Array(0) });
    expect(model.calls).toEqual([]);
  });

  it('adds the seconds of each step to the timings it is given', async () => {
    const timings: BatchTimings = { validation: 0, features: 0, inference: 0, records: 0 };
    await scoreBatch([{ detail: donor('D-0001', 1990), sourceEventId: null }], markingModel(), DATE, AT, timings);
    // Seconds, not nanoseconds: more than nothing, less than a minute for one row.
    for (const step of ['validation', 'inference', 'records'] as const) {
      expect(timings[step]).toBeGreaterThan(0);
      expect(timings[step]).toBeLessThan(60);
    }
    const before = { ...timings };
    await scoreBatch([{ detail: donor('D-0002', 1980), sourceEventId: null }], markingModel(), DATE, AT, timings);
    for (const step of ['validation', 'inference', 'records'] as const) expect(timings[step]).toBeGreaterThan(before[step]);
  });
});
