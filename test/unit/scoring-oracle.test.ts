// Independent oracles for what the scoring core stores: bands from the manifest thresholds, the
// score from the manifest's terms computed here by hand (not by the code under test, not by
// model.predict), reasons from a toy manifest whose contributions are exact, and whole records.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURES } from '../../lambdas/core/features';
import { assertManifestMatchesFeatures, bandOf, LogitExplainer, type BasisTerm, type ModelManifest } from '../../lambdas/core/model-manifest';
import { ModelIntegrityError, ReadinessModel, sha256Hex } from '../../lambdas/core/readiness-model';
import { buildScoreRecord } from '../../lambdas/core/score-record';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
const onnxBytes = readFileSync(join(MODEL_DIR, manifest.onnx.file));
const golden = JSON.parse(readFileSync(join(MODEL_DIR, 'golden.json'), 'utf8')) as { cases: { vector: number[]; probability: number }[] };
const { high, medium } = manifest.bands;

/** The band as contract.md defines it, written here rather than imported. */
const expectedBand = (score: number) => (score >= high ? 'high' : score >= medium ? 'medium' : 'low');

/** The logistic model of the manifest, evaluated term by term on clipped inputs. */
function handLogit(m: ModelManifest, vector: readonly number[]): number {
  let z = m.model.intercept;
  for (const term of m.model.terms) {
    const f = m.features.find((x) => x.name === term.feature)!;
    const x = Math.min(f.range[1], Math.max(f.range[0], vector[f.index]));
    z += term.kind === 'linear' ? term.weight * x : term.weight * Math.max(0, x - term.knot);
  }
  return z;
}
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

let model: ReadinessModel;
beforeAll(async () => {
  model = await ReadinessModel.load(manifest, onnxBytes);
});

describe('bands from the manifest thresholds', () => {
  const below = (x: number) => x - 1e-9;
  const above = (x: number) => x + 1e-9;

  it(`high at and above ${high}, medium just below it`, () => {
    expect(bandOf(high, manifest.bands)).toBe('high');
    expect(bandOf(above(high), manifest.bands)).toBe('high');
    expect(bandOf(below(high), manifest.bands)).toBe('medium');
    expect(bandOf(1, manifest.bands)).toBe('high');
  });

  it(`medium at and above ${medium}, low just below it`, () => {
    expect(bandOf(medium, manifest.bands)).toBe('medium');
    expect(bandOf(above(medium), manifest.bands)).toBe('medium');
    expect(bandOf(below(medium), manifest.bands)).toBe('low');
    expect(bandOf(0, manifest.bands)).toBe('low');
  });

  it('reads the thresholds it is given', () => {
    const bands = { high: 0.9, medium: 0.2, rule: '' };
    expect([0.95, 0.9, 0.85, 0.2, 0.19].map((s) => bandOf(s, bands))).toEqual(['high', 'high', 'medium', 'medium', 'low']);
  });

  it('the model bands its scores by the same thresholds (golden vectors)', async () => {
    const predictions = await model.predict(golden.cases.map((c) => c.vector));
    const clear = golden.cases.map((c, i) => ({ c, p: predictions[i] })).filter(({ c }) => Math.abs(c.probability - high) > 1e-5 && Math.abs(c.probability - medium) > 1e-5);
    expect(new Set(clear.map(({ c }) => expectedBand(c.probability)))).toEqual(new Set(['high', 'medium', 'low']));
    for (const { c, p } of clear) {
      expect(p.band).toBe(expectedBand(c.probability));
      expect(Math.abs(p.score - c.probability)).toBeLessThan(1e-5);
    }
  });
});

describe('the score against the hand-computed logistic model', () => {
  it('matches the golden probabilities, so the oracle itself is right', () => {
    for (const c of golden.cases) expect(Math.abs(sigmoid(handLogit(manifest, c.vector)) - c.probability)).toBeLessThan(1e-9);
  });

  it('the ONNX model and the explainer agree with it, row by row in a batch', async () => {
    const explainer = new LogitExplainer(manifest);
    const vectors = golden.cases.map((c) => c.vector);
    const batch = await model.probabilities(vectors);
    expect(batch).toHaveLength(vectors.length);
    vectors.forEach((v, i) => {
      expect(Math.abs(batch[i] - sigmoid(handLogit(manifest, v)))).toBeLessThan(1e-5);
      expect(Math.abs(explainer.logit(v) - handLogit(manifest, v))).toBeLessThan(1e-9);
      expect(Math.abs(explainer.probability(v) - sigmoid(handLogit(manifest, v)))).toBeLessThan(1e-12);
    });
    expect(explainer.referenceLogit).toBeCloseTo(manifest.reference.logit, 12);
  });

  it('clips inputs to each feature range', () => {
    const explainer = new LogitExplainer(manifest);
    const reference = manifest.features.map((f) => f.reference);
    const at = (i: number, x: number) => explainer.contributions(reference.map((r, j) => (j === i ? x : r)))[i];
    for (const f of manifest.features) {
      expect(at(f.index, f.range[1] + 1000)).toBe(at(f.index, f.range[1]));
      expect(at(f.index, f.range[0] - 1000)).toBe(at(f.index, f.range[0]));
    }
  });

  it('predicts nothing for no input', async () => {
    expect(await model.predict([])).toEqual([]);
  });
});

describe('reasons on a toy manifest with exact contributions', () => {
  // Indicators of the reference donor are 0 (checked below), so a linear weight w contributes exactly w when the indicator is 1.
  const name = (i: number) => FEATURES[i].name;
  // Every feature may be named in either direction.
  const codes = FEATURES.flatMap((f) => (['raises', 'lowers'] as const).map((effect) => ({ code: f.reason[effect], feature: f.name, effect, meaning: f.reason.meaning })));
  const toy = (weights: Record<number, number>, { maxReasons = 3, minEffect = 0.25 } = {}): ModelManifest => ({
    ...manifest,
    model: { ...manifest.model, intercept: 0, terms: Object.entries(weights).map(([i, weight]): BasisTerm => ({ feature: name(Number(i)), kind: 'linear', weight })) },
    reasonCodes: { maxReasons, minEffect, codes },
  });
  const indicators = FEATURES.map((f, i) => (f.unit === 'indicator' ? i : -1)).filter((i) => i >= 0);
  const [a, b, c, d] = indicators; // female, sexUnknown, recruitedOnline, recruitedAtBloodCenter
  it('starts from a reference donor with every indicator 0', () => {
    for (const i of indicators) expect(manifest.features[i].reference).toBe(0);
  });
  const vectorWith = (m: ModelManifest, ones: number[]) => m.features.map((f) => (ones.includes(f.index) ? 1 : f.reference));

  it('includes a contribution of exactly minEffect and leaves out one just below', () => {
    const m = toy({ [a]: 0.25, [b]: -0.25, [c]: 0.2499 });
    expect(new LogitExplainer(m).reasons(vectorWith(m, [a, b, c]))).toEqual([
      { code: FEATURES[a].reason.raises, effect: 'raises' },
      { code: FEATURES[b].reason.lowers, effect: 'lowers' },
    ]);
  });

  it('orders by size whatever the sign, keeps the first feature on a tie, and stops at maxReasons', () => {
    const m = toy({ [a]: 0.5, [b]: -2, [c]: 1, [d]: -0.5 });
    expect(new LogitExplainer(m).reasons(vectorWith(m, [a, b, c, d]))).toEqual([
      { code: FEATURES[b].reason.lowers, effect: 'lowers' },
      { code: FEATURES[c].reason.raises, effect: 'raises' },
      { code: FEATURES[a].reason.raises, effect: 'raises' },
    ]);
    const two = toy({ [a]: 0.5, [b]: -2, [c]: 1, [d]: -0.5 }, { maxReasons: 2 });
    expect(new LogitExplainer(two).reasons(vectorWith(two, [a, b, c, d]))).toHaveLength(2);
    const tie = toy({ [d]: -0.5, [a]: 0.5 });
    expect(new LogitExplainer(tie).reasons(vectorWith(tie, [a, d])).map((r) => r.effect)).toEqual(['raises', 'lowers']);
  });

  it('uses the raises and lowers codes of continuous features', () => {
    const age = FEATURES.findIndex((f) => f.name === 'ageYears');
    const m = { ...toy({}), model: { ...manifest.model, terms: [{ feature: 'ageYears', kind: 'linear' as const, weight: 0.1 }] } };
    const explainer = new LogitExplainer(m);
    const v = (x: number) => manifest.features.map((f) => (f.index === age ? x : f.reference));
    const ref = manifest.features[age].reference;
    expect(explainer.contributions(v(ref + 10))[age]).toBeCloseTo(1, 12); // 0.1 * 10
    expect(explainer.reasons(v(ref + 10))).toEqual([{ code: 'AGE_FAVOURABLE', effect: 'raises' }]);
    expect(explainer.reasons(v(ref - 10))).toEqual([{ code: 'AGE_UNFAVOURABLE', effect: 'lowers' }]);
    expect(explainer.reasons(v(ref))).toEqual([]);
  });

  it('evaluates hinge terms only past their knot', () => {
    const m = { ...manifest, model: { ...manifest.model, intercept: 0.5, terms: [{ feature: 'ageYears', kind: 'hinge' as const, knot: 40, weight: 0.2 }] } };
    const explainer = new LogitExplainer(m);
    const age = FEATURES.findIndex((f) => f.name === 'ageYears');
    const v = (x: number) => manifest.features.map((f) => (f.index === age ? x : f.reference));
    expect(explainer.logit(v(30))).toBeCloseTo(0.5, 12);
    expect(explainer.logit(v(40))).toBeCloseTo(0.5, 12);
    expect(explainer.logit(v(45))).toBeCloseTo(1.5, 12); // 0.5 + 0.2 * (45 - 40)
    expect(explainer.probability(v(45))).toBeCloseTo(1 / (1 + Math.exp(-1.5)), 12);
  });

  it('refuses a term for a feature the manifest does not list', () => {
    const m = { ...manifest, model: { ...manifest.model, terms: [{ feature: 'shoeSize', kind: 'linear' as const, weight: 1 }] } };
    expect(() => new LogitExplainer(m)).toThrow(new Error('manifest term names unknown feature shoeSize'));
  });
});

describe('model integrity', () => {
  it('computes SHA-256 as the standard does', () => {
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('names the model by the manifest version and the SHA-256 of its bytes', () => {
    expect(model.version).toBe(manifest.modelVersion);
    expect(model.sha256).toBe(createHash('sha256').update(onnxBytes).digest('hex'));
  });

  it('refuses bytes that differ from the manifest, naming both hashes', async () => {
    const tampered = Buffer.from(onnxBytes);
    tampered[0] ^= 1;
    const actual = createHash('sha256').update(tampered).digest('hex');
    const error = await ReadinessModel.load(manifest, tampered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect((error as Error).name).toBe('ModelIntegrityError');
    expect((error as Error).message).toBe(
      `model bytes have SHA-256 ${actual} but manifest ${manifest.modelVersion} expects ${manifest.onnx.sha256}: the ONNX file and manifest.json are from different trainings (re-run npm run train, or deploy model/ again so both come from one build)`,
    );
  });

  it('refuses a manifest whose feature list is not the code’s: renamed, reordered, shorter, longer', async () => {
    const names = FEATURES.map((f) => f.name);
    const variants = [
      manifest.features.map((f, i) => (i === 3 ? { ...f, name: 'registryYears' } : f)),
      [manifest.features[1], manifest.features[0], ...manifest.features.slice(2)],
      manifest.features.slice(0, -1),
      [...manifest.features, { ...manifest.features[0], name: 'extra', index: manifest.features.length }],
    ];
    for (const features of variants) {
      const m = { ...manifest, features };
      expect(() => assertManifestMatchesFeatures(m)).toThrow(
        `model ${manifest.modelVersion} expects features [${features.map((f) => f.name).join(', ')}] but this code derives [${names.join(', ')}]: retrain the model (npm run train) with this code`,
      );
      await expect(ReadinessModel.load(m, onnxBytes)).rejects.toBeInstanceOf(ModelIntegrityError);
    }
    expect(() => assertManifestMatchesFeatures(manifest)).not.toThrow();
  });
});

describe('buildScoreRecord', () => {
  const detail = { donorId: 'D-1', revision: 9, updatedAt: '2026-11-20T10:00:00+01:00', donor: {} as any };
  const vector = FEATURES.map((_, i) => i / 10);
  const record = (score: number) =>
    buildScoreRecord({ detail, sourceEventId: 'e9', vector, prediction: { score, band: 'medium', reasons: [{ code: 'X', effect: 'lowers' }] } }, { version: 'v9', sha256: 'abc' }, '2026-11-23', '2026-11-23T12:00:00.000Z');

  it('stores every field of the contract, and the score to six decimals', () => {
    expect(record(0.12345678)).toEqual({
      donorId: 'D-1',
      score: 0.123457,
      band: 'medium',
      reasons: [{ code: 'X', effect: 'lowers' }],
      modelVersion: 'v9',
      modelSha256: 'abc',
      revision: 9,
      sourceEventId: 'e9',
      updatedAt: '2026-11-20T10:00:00+01:00',
      scoringDate: '2026-11-23',
      scoredAt: '2026-11-23T12:00:00.000Z',
      features: Object.fromEntries(FEATURES.map((f, i) => [f.name, i / 10])),
    });
    expect(record(0.1234564).score).toBe(0.123456);
    expect(record(1).score).toBe(1);
  });
});
