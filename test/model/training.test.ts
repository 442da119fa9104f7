import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import { readTrainingConfig, train, writeArtifacts } from '../../model/train';

const MODEL_DIR = join(__dirname, '..', '..', 'model');

describe('npm run train', () => {
  it('reproduces the committed ONNX, manifest, golden file and model card byte for byte', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-train-'));
    const written = writeArtifacts(dir, await train(readTrainingConfig(MODEL_DIR)));
    for (const file of written) {
      expect({ file, same: readFileSync(join(dir, file)).equals(readFileSync(join(MODEL_DIR, file))) }).toEqual({ file, same: true });
    }
  }, 120_000);

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
