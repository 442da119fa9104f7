import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { qualityGates, withOverrides, DEFAULT_GATES } from '../../model/gates';
import { publishArtifacts, readTrainingConfig, train, writeArtifacts, type TrainedArtifacts } from '../../model/train';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'drs-train-test-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Every file of a folder, name -> bytes. */
const snapshot = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

let artifacts: TrainedArtifacts;
beforeAll(async () => {
  artifacts = await train(readTrainingConfig(MODEL_DIR));
}, 600_000); // about 40 s of CPU; generous for a machine shared by many test runs

describe('npm run train', () => {
  it('reproduces the committed ONNX, manifest, golden file and model card byte for byte', () => {
    const dir = tempDir();
    const written = writeArtifacts(dir, artifacts);
    for (const file of written) {
      expect({ file, same: readFileSync(join(dir, file)).equals(readFileSync(join(MODEL_DIR, file))) }).toEqual({ file, same: true });
    }
  });

  it('records every gate it passed in the manifest and the model card', () => {
    expect(artifacts.gates.every((g) => g.passed)).toBe(true);
    expect(artifacts.manifest.gates).toEqual(artifacts.gates);
    const card = readFileSync(join(MODEL_DIR, 'MODEL_CARD.md'), 'utf8');
    for (const g of artifacts.gates) expect(card).toContain(`| ${g.gate} | pass |`);
  });

  it('leaves the model folder byte-identical when a gate fails (an impossible calibration limit)', () => {
    const dir = tempDir();
    cpSync(MODEL_DIR, dir, { recursive: true });
    const before = snapshot(dir);
    const impossible = withOverrides(DEFAULT_GATES, ['maxCalibrationError=0']);
    const failing = { ...artifacts, gates: qualityGates(artifacts.manifest.metrics.heldOut, impossible) };
    const result = publishArtifacts(dir, failing);
    expect(result.written).toEqual([]);
    expect(result.failed.map((g) => g.gate)).toEqual(['calibration error']);
    expect(snapshot(dir)).toEqual(before);
    // A challenger folder that does not exist yet (--out) is not made for a failed training.
    const challenger = join(tempDir(), 'challenger');
    expect(publishArtifacts(challenger, failing, dir).written).toEqual([]);
    expect(existsSync(challenger)).toBe(false);
  });

  it('refuses a retrain that keeps the version label with different bytes, and leaves the folder as it was', () => {
    const dir = tempDir();
    cpSync(MODEL_DIR, dir, { recursive: true });
    const before = snapshot(dir);
    const onnxBytes = Buffer.from(artifacts.onnx);
    onnxBytes[onnxBytes.length - 1] ^= 1;
    const changed = { ...artifacts, onnx: onnxBytes, manifest: { ...artifacts.manifest, onnx: { ...artifacts.manifest.onnx, sha256: 'f'.repeat(64) } } };
    const result = publishArtifacts(dir, changed);
    expect(result.failed).toEqual([
      expect.objectContaining({ gate: 'version label', passed: false, detail: expect.stringMatching(/bump "modelVersion" in model\/training-config.json/) }),
    ]);
    expect(snapshot(dir)).toEqual(before);
    // The same bytes under the same label are a faithful reproduction, and a new label is new.
    expect(publishArtifacts(dir, artifacts).failed).toEqual([]);
    const relabelled = { ...changed, manifest: { ...changed.manifest, modelVersion: '2099.1.1' } };
    const fresh = tempDir();
    cpSync(MODEL_DIR, fresh, { recursive: true });
    expect(publishArtifacts(fresh, relabelled).written).toContain('donor-readiness.onnx');
  });

  it('refuses an unknown gate name and a gate without a number', () => {
    expect(() => withOverrides(DEFAULT_GATES, ['maxEce=0'])).toThrow(/unknown gate maxEce/);
    expect(() => withOverrides(DEFAULT_GATES, ['maxCalibrationError='])).toThrow(/needs a number/);
  });

  it('writes a standard-opset ONNX graph with float32 [batch, features] input', () => {
    const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8'));
    const model = onnx.ModelProto.decode(readFileSync(join(MODEL_DIR, manifest.onnx.file)));
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', manifest.onnx.opset]]);
    const input = model.graph!.input![0];
    expect(input.name).toBe(manifest.onnx.input.name);
    expect(input.type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue))).toEqual(['batch', manifest.features.length]);
    expect(model.graph!.node!.map((n) => n.opType)).toContain('Sigmoid');
  });
});
