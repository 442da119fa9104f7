import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDetail } from '../../lambdas/core/donor-updated';
import { deriveFeatures, FEATURES } from '../../lambdas/core/features';
import { LogitExplainer, type ModelManifest } from '../../lambdas/core/model-manifest';
import { ModelIntegrityError, ReadinessModel } from '../../lambdas/core/readiness-model';
import { evaluate, qualityShortfalls } from '../../model/evaluation';
import { takeRows } from '../../model/synthetic-registry';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
const onnxBytes = readFileSync(join(MODEL_DIR, manifest.onnx.file));
const golden = JSON.parse(readFileSync(join(MODEL_DIR, 'golden.json'), 'utf8')) as {
  cases: { vector: number[]; probability: number }[];
};

let model: ReadinessModel;
beforeAll(async () => {
  model = await ReadinessModel.load(manifest, onnxBytes);
});

describe('golden vectors', () => {
  it('has at least 20 cases, including out-of-range ones', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(20);
    expect(golden.cases.some((c) => c.vector.some((v, i) => v > FEATURES[i].range[1]))).toBe(true);
  });

  it('onnxruntime-node agrees with the golden probabilities within 1e-5', async () => {
    const p = await model.probabilities(golden.cases.map((c) => c.vector));
    golden.cases.forEach((c, i) => expect(Math.abs(p[i] - c.probability)).toBeLessThan(1e-5));
  });

  it('the TypeScript reference prediction agrees with the golden probabilities', () => {
    const explainer = new LogitExplainer(manifest);
    golden.cases.forEach((c) => expect(Math.abs(explainer.probability(c.vector) - c.probability)).toBeLessThan(1e-12));
  });

  it('the probabilities are not all alike (a constant model would pass agreement tests)', () => {
    const ps = golden.cases.map((c) => c.probability);
    expect(Math.max(...ps) - Math.min(...ps)).toBeGreaterThan(0.5);
  });
});

describe('reason codes', () => {
  const rows = takeRows({ seed: 777001, asOf: '2026-11-01' }, 500);
  const vectors = rows.map((r) => deriveFeatures(r.detail.donor, '2026-11-01'));
  const explainer = new LogitExplainer(manifest);

  it('contributions plus the reference logit reproduce the logit the model computes', async () => {
    const p = await model.probabilities(vectors);
    vectors.forEach((v, i) => {
      const sum = explainer.contributions(v).reduce((a, b) => a + b, explainer.referenceLogit);
      const onnxLogit = Math.log(p[i] / (1 - p[i]));
      expect(Math.abs(sum - onnxLogit)).toBeLessThan(1e-4); // float32 graph vs float64 sum
      expect(sum).toBeCloseTo(explainer.logit(v), 12);
    });
  });

  it('gives the reference donor no reasons and a score equal to the manifest reference score', () => {
    const reference = manifest.features.map((f) => f.reference);
    expect(explainer.contributions(reference).every((c) => c === 0)).toBe(true);
    expect(explainer.reasons(reference)).toEqual([]);
    expect(explainer.probability(reference)).toBeCloseTo(manifest.reference.score, 12);
  });

  it('names the largest contributions, with their direction, at most three', () => {
    for (const v of vectors) {
      const c = explainer.contributions(v);
      const reasons = explainer.reasons(v);
      expect(reasons.length).toBeLessThanOrEqual(3);
      const listed = new Set(manifest.reasonCodes.codes.map((r) => `${r.feature}:${r.effect}`));
      const ranked = c
        .map((x, i) => ({ x, i }))
        .filter(({ x, i }) => Math.abs(x) >= manifest.reasonCodes.minEffect && listed.has(`${FEATURES[i].name}:${x > 0 ? 'raises' : 'lowers'}`))
        .sort((a, b) => Math.abs(b.x) - Math.abs(a.x));
      expect(reasons).toEqual(ranked.slice(0, 3).map(({ x, i }) => ({ code: FEATURES[i].reason[x > 0 ? 'raises' : 'lowers'], effect: x > 0 ? 'raises' : 'lowers' })));
    }
  });

  it('says CONTACT_STALE lowers the score of a donor not verified for ten years', () => {
    const v = manifest.features.map((f) => f.reference);
    v[FEATURES.findIndex((f) => f.name === 'yearsSinceContactVerified')] = 10;
    expect(explainer.reasons(v)[0]).toEqual({ code: 'CONTACT_STALE', effect: 'lowers' });
  });

  it('lists in the manifest only codes of real features, named by their direction', () => {
    for (const c of manifest.reasonCodes.codes) {
      const f = FEATURES.find((x) => x.name === c.feature)!;
      expect(c.code).toBe(f.reason[c.effect]);
      expect(c.firedFor).toBeGreaterThan(0);
    }
  });
});

describe('model integrity', () => {
  it('refuses bytes whose SHA-256 differs from the manifest', async () => {
    const tampered = Buffer.from(onnxBytes);
    tampered[tampered.length - 1] ^= 1;
    await expect(ReadinessModel.load(manifest, tampered)).rejects.toThrow(ModelIntegrityError);
    await expect(ReadinessModel.load(manifest, tampered)).rejects.toThrow(/SHA-256 [0-9a-f]{64} but manifest/);
  });

  it('refuses a manifest whose features differ from the code', async () => {
    const renamed = { ...manifest, features: manifest.features.map((f, i) => (i === 0 ? { ...f, name: 'age' } : f)) };
    await expect(ReadinessModel.load(renamed, onnxBytes)).rejects.toThrow(/retrain the model/);
  });
});

describe('quality on held-out donors from a seed never used in training', () => {
  it('meets every gate of the model issue', async () => {
    const asOf = '2026-11-01';
    const rows = takeRows({ seed: 31337, asOf }, 30_000);
    const vectors = rows.map((r) => {
      const checked = validateDetail(r.detail, asOf);
      if (!checked.ok) throw new Error('generator wrote an invalid detail');
      return deriveFeatures(checked.detail.donor, asOf);
    });
    const predicted = await model.probabilities(vectors);
    const metrics = evaluate({ predicted, truths: rows.map((r) => r.truth), vectors, bands: manifest.bands });
    expect(qualityShortfalls(metrics)).toEqual([]);
    expect(metrics.oracleAuc).toBeGreaterThan(0.75);
    expect(metrics.oracleAuc).toBeLessThan(0.87);
  });

  it('records the same targets as met in the manifest, and every gate of its training as passed', () => {
    expect(qualityShortfalls(manifest.metrics.heldOut)).toEqual([]);
    expect(manifest.gates!.length).toBeGreaterThanOrEqual(10);
    expect(manifest.gates!.filter((g) => !g.passed)).toEqual([]);
    expect(manifest.training.rows).toBeGreaterThanOrEqual(200_000);
    expect(manifest.metrics.heldOut.seed).not.toBe(manifest.training.seed);
  });
});
