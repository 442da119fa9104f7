// Training on real history (`npm run train -- --data FILE`) and champion against challenger
// (`drs compare`), on history files in the drs export-training format drawn from the generator.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { sha256Hex } from '../../lambdas/core/readiness-model';
import { compareDirectories } from '../../cli/compare-command';
import { exportOnnx } from '../../model/onnx-export';
import { ONNX_FILE, trainAndPublish } from '../../model/train';
import { parseTrainingData } from '../../model/training-data';
import { historyLines } from '../fixtures/history-file';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const DRS = join(__dirname, '..', '..', 'cli', 'drs.cjs');
const root = mkdtempSync(join(tmpdir(), 'drs-compare-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const history = join(root, 'history.jsonl');
beforeAll(() => writeFileSync(history, historyLines({ seed: 20261125, asOf: '2026-10-15' }, 8000)));

/** A copy of the committed model with its intercept moved: the model of a shifted base rate. */
function shiftedModel(name: string, interceptShift: number): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
  const shifted = { ...manifest, modelVersion: `${manifest.modelVersion}-shifted`, model: { ...manifest.model, intercept: Math.fround(manifest.model.intercept + interceptShift) } };
  const bytes = exportOnnx(shifted);
  writeFileSync(join(dir, ONNX_FILE), bytes);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...shifted, onnx: { ...shifted.onnx, sha256: sha256Hex(bytes) } }));
  return dir;
}

const compare = (champion: string, challenger: string) =>
  compareDirectories({ champion, challenger, data: history, seed: 7, resamples: 100, gate: [] });

describe('drs compare', () => {
  it('finds no significant difference between the champion and itself, and keeps it', async () => {
    const c = await compare(MODEL_DIR, MODEL_DIR);
    expect(c.significantDifference).toBe(false);
    expect(c.verdict).toBe('keep-champion');
    expect(c.difference.auc).toEqual({ estimate: 0, lower: 0, upper: 0 });
    expect(c.bandChanges.share).toBe(0);
    expect(c.challenger.gates.every((g) => g.passed)).toBe(true);
    expect(c.reasons.join(' ')).toContain('no significant difference');
  }, 60_000);

  it('keeps the champion against a challenger trained on a shifted base rate, and says why', async () => {
    const worse = shiftedModel('shifted', 0.6);
    const c = await compare(MODEL_DIR, worse);
    expect(c.verdict).toBe('keep-champion');
    expect(c.significantDifference).toBe(true);
    // The same ranking (an intercept moves no donor past another), far worse calibration.
    expect(c.difference.auc.estimate).toBe(0);
    expect(c.difference.expectedCalibrationError.lower).toBeGreaterThan(0.05);
    expect(c.challenger.gates.find((g) => g.gate === 'calibration error')?.passed).toBe(false);
    expect(c.reasons.join(' ')).toMatch(/fails .* quality gate.*less calibrated/s);
    expect(c.bandChanges.share).toBeGreaterThan(0.05);
    expect(Object.keys(c.bandChanges.moves).every((k) => ['low->medium', 'medium->high', 'low->high'].includes(k))).toBe(true);
  }, 60_000);

  it('ships a challenger that is better beyond its interval and passes every gate', async () => {
    const c = await compare(shiftedModel('miscalibrated-champion', -0.6), MODEL_DIR);
    expect(c.verdict).toBe('ship-challenger');
    expect(c.difference.expectedCalibrationError.upper).toBeLessThan(0);
  }, 60_000);

  it('prints only JSON with --json and exits 2 with a clear message on bad input', () => {
    const ok = spawnSync(process.execPath, [DRS, 'compare', '--champion', MODEL_DIR, '--challenger', MODEL_DIR, '--data', history, '--resamples', '50', '--json'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ verdict: 'keep-champion', significantDifference: false, rows: 8000 });
    const bad = spawnSync(process.execPath, [DRS, 'compare', '--champion', MODEL_DIR, '--challenger', join(root, 'missing'), '--data', history], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('--challenger');
    expect(bad.stderr).toContain('manifest.json');
  }, 60_000);
});

describe('the training-data format', () => {
  const line = JSON.parse(historyLines({ seed: 3, asOf: '2026-10-15' }, 1)) as Record<string, any>;
  const withLine = (edit: (row: Record<string, any>) => void) => {
    const row = structuredClone(line);
    edit(row);
    const other = { ...structuredClone(line), outcome: line.outcome === 'available' ? 'unavailable' : 'available' };
    return `${JSON.stringify(other)}\n${JSON.stringify(row)}\n`;
  };
  it.each([
    ['not JSON', () => `${JSON.stringify(line)}\n{oops\n`, /line 2 is not JSON/],
    ['a bad outcome', () => withLine((r) => (r.outcome = 'maybe')), /line 2: outcome must be "available" or "unavailable"/],
    ['a missing feature', () => withLine((r) => delete r.prediction.features.ageYears), /line 2: prediction.features.ageYears must be a finite number/],
    ['no features (updated after the request)', () => withLine((r) => delete r.prediction), /line 2: prediction.features is missing/],
    ['a bad date', () => withLine((r) => (r.requestedAt = 'yesterday')), /line 2: requestedAt must be an ISO date-time/],
    ['one outcome only', () => `${JSON.stringify(line)}\n${JSON.stringify(line)}\n`, /only (un)?available outcomes/],
    ['nothing', () => '\n', /has no rows/],
  ])('refuses %s, naming the line, field and rule', (_name, text, message) => {
    expect(() => parseTrainingData(text(), 'f.jsonl')).toThrow(message);
  });
});

describe('npm run train -- --data FILE', () => {
  const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

  it('trains on an exported file, holds out the latest requests and publishes when every gate passes', async () => {
    const file = join(root, 'train.jsonl');
    writeFileSync(file, historyLines({ seed: 20261126, asOf: '2026-06-30' }, 20000));
    const out = join(root, 'trained', 'challenger');
    // --out: the challenger goes beside the champion, in a folder created for it.
    const { artifacts, written, failed } = await trainAndPublish(join(root, 'unused'), ['--data', file, '--out', out], () => {});
    expect(failed).toEqual([]);
    expect(written).toContain('manifest.json');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.training).toMatchObject({ source: 'history', data: file, rows: 16000 });
    expect(manifest.metrics.heldOut.rows).toBe(4000);
    expect(manifest.metrics.heldOut.auc).toBeGreaterThan(0.75);
    expect(artifacts.gates.map((g) => g.gate)).toContain('AUC above chance');
    expect(readFileSync(join(out, 'MODEL_CARD.md'), 'utf8')).not.toContain('NaN');

    // The same file under an impossible calibration limit: the gate fails and nothing changes.
    const before = snapshot(out);
    const again = await trainAndPublish(join(root, 'unused'), ['--data', file, '--out', out, '--gate', 'maxCalibrationError=-1'], () => {});
    expect(again.failed.map((g) => g.gate)).toContain('calibration error');
    expect(snapshot(out)).toEqual(before);
    // ... and into a folder not made yet: none is made for a training that failed.
    const never = join(root, 'trained', 'never');
    const failedInto = await trainAndPublish(join(root, 'unused'), ['--data', file, '--out', never, '--gate', 'maxCalibrationError=-1'], () => {});
    expect(failedInto.written).toEqual([]);
    expect(existsSync(never)).toBe(false);
  }, 90_000);

  it('fails a broken file with a clear message and leaves the folder untouched', async () => {
    const broken = join(root, 'broken.jsonl');
    writeFileSync(broken, `${readFileSync(history, 'utf8').split('\n').slice(0, 3).join('\n')}\nnot json\n`);
    const out = join(root, 'untouched');
    mkdirSync(out);
    copyFileSync(join(MODEL_DIR, 'manifest.json'), join(out, 'manifest.json'));
    const before = snapshot(out);
    await expect(trainAndPublish(out, ['--data', broken], () => {})).rejects.toThrow(`${broken} line 4 is not JSON`);
    await expect(trainAndPublish(out, ['--data', join(root, 'nope.jsonl')], () => {})).rejects.toThrow(/cannot read .*nope.jsonl \(ENOENT\)/);
    await expect(trainAndPublish(out, ['--data'], () => {})).rejects.toThrow(/--data FILE/);
    expect(snapshot(out)).toEqual(before);
  });
});
