// Generator variants and forward-in-time validation of the committed model: reproducible from a
// seed, and showing what the card states (recalibration repairs a shifted base rate; an
// unrefreshed score drifts while a refreshed one does not).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { ReadinessModel } from '../../lambdas/core/readiness-model';
import { DEFAULT_GATES } from '../../model/gates';
import { addMonths, validateForward, validateVariants, validationGates, type ValidationConfig } from '../../model/validation';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
let probabilities: (v: number[][]) => Promise<Float32Array>;
beforeAll(async () => {
  const model = await ReadinessModel.load(manifest, readFileSync(join(MODEL_DIR, manifest.onnx.file)));
  probabilities = (v) => model.probabilities(v);
});

const config: ValidationConfig = {
  rows: 6000,
  recentRows: 3000,
  seed: 777,
  variants: [{ variant: 'curved' }, { variant: 'baseline', baseRate: 0.77 }],
  monthsAhead: [0, 12],
};

describe('validation beyond the training world', () => {
  it('gives the same variant table for the same seed', async () => {
    const a = await validateVariants(manifest, probabilities, config, '2026-09-30', DEFAULT_GATES);
    const b = await validateVariants(manifest, probabilities, config, '2026-09-30', DEFAULT_GATES);
    expect(b).toEqual(a);
    const shifted = a.find((v) => v.baseRate === 0.77)!;
    expect(shifted.expectedCalibrationError).toBeGreaterThan(0.1);
    expect(shifted.recalibration.eceAfter).toBeLessThan(0.03);
    expect(shifted.recalibration.shift).toBeGreaterThan(0.5);
    expect(shifted.aucBelowOracle).toBeLessThan(0.02);
    const gates = validationGates({ variants: a, forward: { trainedAsOf: '', horizons: [], modelShelfLifeMonths: 12, scoreShelfLifeMonths: 3 } }, 0.55, DEFAULT_GATES);
    expect(gates.map((g) => [g.gate, g.passed])).toEqual([['recalibration', true], ['shelf life', true]]);
  }, 120_000);

  it('fails the recalibration gate when no shifted base rate was validated, and a short shelf life', () => {
    const gates = validationGates({ variants: [], forward: { trainedAsOf: '', horizons: [], modelShelfLifeMonths: 3, scoreShelfLifeMonths: 0 } }, 0.55, DEFAULT_GATES);
    expect(gates.map((g) => [g.gate, g.passed])).toEqual([['recalibration', false], ['shelf life', false]]);
  });

  it('validates forward in time: an unrefreshed score drifts, the same records re-scored do not', async () => {
    const f = await validateForward(manifest, probabilities, config, '2026-06-30', DEFAULT_GATES);
    expect(f.horizons.map((h) => h.requestDate)).toEqual(['2026-06-30', addMonths('2026-06-30', 12)]);
    const [now, later] = f.horizons;
    expect(now.staleScore.expectedCalibrationError).toBe(now.refreshedScore.expectedCalibrationError);
    expect(later.staleScore.expectedCalibrationError).toBeGreaterThan(0.04);
    expect(later.staleScore.meanPredicted - later.staleScore.observedRate).toBeGreaterThan(0.03);
    expect(later.refreshedScore.expectedCalibrationError).toBeLessThan(later.staleScore.expectedCalibrationError / 2);
    expect(f.scoreShelfLifeMonths).toBe(0);
    expect(later.model.passed).toBe(true);
  }, 120_000);
});
