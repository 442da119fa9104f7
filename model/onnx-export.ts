// Writes the fitted model as a standard ONNX graph with the onnx-proto protobuf bindings:
//   features [batch, F] -> clip to each feature's range (Max, Min)
//   -> hinge terms relu(x_j - knot) (MatMul with a 0/1 selector, Sub, Relu)
//   -> logit = [x, hinges] . w + b (Concat, MatMul, Add) -> probability = Sigmoid(logit) [batch, 1]
// The same function as LogitExplainer in lambdas/core/model-manifest.ts; golden.json holds them together.
import { onnx } from 'onnx-proto';
import type { ModelManifest } from '../lambdas/core/model-manifest';

export const ONNX_OPSET = 13;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

const tensor = (name: string, dims: number[], values: number[]): onnx.ITensorProto => ({
  name,
  dims,
  dataType: FLOAT,
  floatData: values,
});

const node = (opType: string, inputs: string[], output: string, attribute: onnx.IAttributeProto[] = []) => ({
  opType,
  name: output,
  input: inputs,
  output: [output],
  attribute,
});

const floatMatrix = (name: string, dims: (number | string)[]): onnx.IValueInfoProto => ({
  name,
  type: {
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});

/** The ONNX bytes for a manifest's model (everything but the manifest's own `sha256`). */
export function exportOnnx(manifest: Omit<ModelManifest, 'onnx'> & { onnx: Omit<ModelManifest['onnx'], 'sha256'> }): Uint8Array {
  const features = manifest.features;
  const f = features.length;
  const index = new Map(features.map((feat) => [feat.name, feat.index]));
  const linear = new Array<number>(f).fill(0);
  const hinges: { feature: number; knot: number; weight: number }[] = [];
  for (const term of manifest.model.terms) {
    const j = index.get(term.feature)!;
    if (term.kind === 'linear') linear[j] += term.weight;
    else hinges.push({ feature: j, knot: term.knot, weight: term.weight });
  }
  const h = hinges.length;
  const selector = new Array<number>(f * h).fill(0);
  hinges.forEach((hinge, k) => (selector[hinge.feature * h + k] = 1));

  const { input, output } = manifest.onnx;
  const graph: onnx.IGraphProto = {
    name: 'donor_readiness',
    input: [floatMatrix(input.name, ['batch', f])],
    output: [floatMatrix(output.name, ['batch', 1])],
    initializer: [
      tensor('range_low', [f], features.map((feat) => feat.range[0])),
      tensor('range_high', [f], features.map((feat) => feat.range[1])),
      tensor('hinge_selector', [f, h], selector),
      tensor('hinge_knots', [h], hinges.map((hinge) => hinge.knot)),
      tensor('weights', [f + h, 1], [...linear, ...hinges.map((hinge) => hinge.weight)]),
      tensor('intercept', [1], [manifest.model.intercept]),
    ],
    node: [
      node('Max', [input.name, 'range_low'], 'clipped_low'),
      node('Min', ['clipped_low', 'range_high'], 'clipped'),
      node('MatMul', ['clipped', 'hinge_selector'], 'hinge_inputs'),
      node('Sub', ['hinge_inputs', 'hinge_knots'], 'hinge_shifted'),
      node('Relu', ['hinge_shifted'], 'hinges'),
      node('Concat', ['clipped', 'hinges'], 'basis', [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }]),
      node('MatMul', ['basis', 'weights'], 'weighted'),
      node('Add', ['weighted', 'intercept'], 'logit'),
      node('Sigmoid', ['logit'], output.name),
    ],
  };
  const model: onnx.IModelProto = {
    irVersion: 7,
    producerName: 'donor-readiness-train',
    modelVersion: 1,
    docString: `donor readiness model ${manifest.modelVersion}`,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    graph,
  };
  const error = onnx.ModelProto.verify(model);
  if (error) throw new Error(`ONNX model does not verify: ${error}`);
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
