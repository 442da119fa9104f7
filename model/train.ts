// `npm run train`: synthetic history -> features -> logistic regression with hinge splines ->
// ONNX + manifest + golden vectors + model card and plots, all in model/. Deterministic: the same
// config and code reproduce byte-identical artifacts (nothing here reads the clock).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDetail } from '../lambdas/core/donor-updated';
import { FEATURES, deriveFeatures } from '../lambdas/core/features';
import { LogitExplainer, type BasisTerm, type ModelManifest } from '../lambdas/core/model-manifest';
import { ReadinessModel, sha256Hex } from '../lambdas/core/readiness-model';
import { evaluate, qualityShortfalls } from './evaluation';
import { fitLogistic } from './logistic-regression';
import { calibrationBins, rocCurve } from './metrics';
import { writeModelCard } from './model-card';
import { addMonitoringReference } from './training-reference';
import { exportOnnx, ONNX_OPSET } from './onnx-export';
import { calibrationPlotSvg, rocPlotSvg } from './plots';
import { generateRegistry, type RegistryRow } from './synthetic-registry';

export const MODEL_DIR = __dirname;
export const ONNX_FILE = 'donor-readiness.onnx';

interface SampleConfig {
  rows: number;
  seed: number;
  asOf: string;
  baseRate: number;
}

export interface TrainingConfig {
  modelVersion: string;
  training: SampleConfig;
  heldOut: SampleConfig;
  l2: number;
  knots: Record<string, number[]>;
  bands: { high: number; medium: number };
  reasonCodes: { maxReasons: number; minEffect: number };
  golden: { rows: number };
}

interface Sample {
  rows: RegistryRow[];
  vectors: number[][];
}

function drawSample(config: SampleConfig, log: (msg: string) => void): Sample {
  const rows: RegistryRow[] = [];
  const vectors: number[][] = [];
  for (const row of generateRegistry(config)) {
    if (rows.length >= config.rows) break;
    const checked = validateDetail(row.detail, config.asOf);
    if (!checked.ok) throw new Error(`generator wrote an invalid detail: ${JSON.stringify(checked.violation)}`);
    rows.push(row);
    vectors.push(deriveFeatures(checked.detail.donor, config.asOf));
  }
  log(`  ${rows.length} rows (seed ${config.seed}, as of ${config.asOf})`);
  return { rows, vectors };
}

/** Basis terms in a fixed order: each feature's linear term, then its hinges. */
function basisTerms(config: TrainingConfig): BasisShape[] {
  for (const name of Object.keys(config.knots)) {
    if (!FEATURES.some((f) => f.name === name)) throw new Error(`knots given for unknown feature ${name}`);
  }
  return FEATURES.flatMap((f) => [
    { feature: f.name, kind: 'linear' as const },
    ...(config.knots[f.name] ?? []).map((knot) => ({ feature: f.name, kind: 'hinge' as const, knot })),
  ]);
}

type BasisShape = { feature: string; kind: 'linear' } | { feature: string; kind: 'hinge'; knot: number };

function basisColumn(term: BasisShape, vectors: number[][]): Float64Array {
  const j = FEATURES.findIndex((f) => f.name === term.feature);
  return Float64Array.from(vectors, (v) => (term.kind === 'linear' ? v[j] : Math.max(0, v[j] - term.knot)));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export interface TrainedArtifacts {
  manifest: ModelManifest;
  onnx: Uint8Array;
  golden: { vector: number[]; probability: number }[];
  heldOut: Sample;
  heldOutPredicted: Float32Array;
}

export async function train(config: TrainingConfig, log: (msg: string) => void = () => {}): Promise<TrainedArtifacts> {
  log('drawing the training sample');
  const training = drawSample(config.training, log);
  const terms = basisTerms(config);
  const columns = terms.map((t) => basisColumn(t, training.vectors));
  const labels = Uint8Array.from(training.rows, (r) => r.truth.available);
  log(`fitting ${terms.length} basis terms (L2 ${config.l2})`);
  const fit = fitLogistic(columns, labels, config.l2);
  if (!fit.converged) throw new Error(`logistic regression did not converge in ${fit.iterations} iterations`);
  log(`  converged in ${fit.iterations} iterations, log-loss ${fit.logLoss.toFixed(4)}`);

  // Weights are stored as float32 values so the ONNX graph and the manifest hold the same numbers.
  const fround = (x: number) => Math.fround(x);
  const features = FEATURES.map((f, index) => ({
    ...f,
    index,
    reference: f.unit === 'indicator' ? 0 : median(training.vectors.map((v) => v[index])),
  }));
  const partial = {
    manifestVersion: 1 as const,
    modelVersion: config.modelVersion,
    onnx: {
      file: ONNX_FILE,
      opset: ONNX_OPSET,
      input: { name: 'features', type: 'float32' as const, shape: ['batch', FEATURES.length] as ['batch', number] },
      output: {
        name: 'probability',
        type: 'float32' as const,
        shape: ['batch', 1] as ['batch', 1],
        meaning: 'probability that the donor is available at a CT request',
      },
    },
    features,
    model: {
      kind: 'logistic-regression-with-hinge-splines' as const,
      intercept: fround(fit.intercept),
      terms: terms.map((t, k) => ({ ...t, weight: fround(fit.weights[k]) }) as BasisTerm),
    },
    reference: { description: '', logit: 0, score: 0 },
    bands: {
      ...config.bands,
      rule: `high if score >= ${config.bands.high}, medium if score >= ${config.bands.medium}, else low`,
    },
    reasonCodes: {
      ...config.reasonCodes,
      codes: FEATURES.flatMap((f) =>
        (['raises', 'lowers'] as const).map((effect) => ({ code: f.reason[effect], feature: f.name, effect, meaning: f.reason.meaning })),
      ),
    },
    training: {
      rows: training.rows.length,
      seed: config.training.seed,
      asOf: config.training.asOf,
      baseRate: config.training.baseRate,
      observedRate: labels.reduce((s, y) => s + y, 0) / labels.length,
      l2: config.l2,
      iterations: fit.iterations,
      logLoss: Math.round(fit.logLoss * 1e6) / 1e6,
      basisTerms: terms.length,
      knots: config.knots,
    },
    metrics: { heldOut: undefined as unknown as ModelManifest['metrics']['heldOut'] },
  };
  const explainerOnly = new LogitExplainer({ ...partial, onnx: { ...partial.onnx, sha256: '' } } as ModelManifest);
  partial.reference = {
    description:
      'a donor with the training median of every continuous feature and no indicator set: drive-recruited, ' +
      'male, not a blood donor, domestic, contact verified and responding, no pause, no earlier unavailability',
    logit: explainerOnly.referenceLogit,
    score: 1 / (1 + Math.exp(-explainerOnly.referenceLogit)),
  };
  const onnxBytes = exportOnnx(partial);
  const manifest: ModelManifest = { ...partial, onnx: { ...partial.onnx, sha256: sha256Hex(onnxBytes) } };

  log('scoring the held-out sample with onnxruntime-node');
  const heldOut = drawSample(config.heldOut, log);
  const model = await ReadinessModel.load(manifest, onnxBytes);
  const predicted = await model.probabilities(heldOut.vectors);
  manifest.metrics.heldOut = {
    seed: config.heldOut.seed,
    asOf: config.heldOut.asOf,
    ...evaluate({ predicted, truths: heldOut.rows.map((r) => r.truth) }),
  };
  const shortfalls = qualityShortfalls(manifest.metrics.heldOut);
  if (shortfalls.length) log(`QUALITY TARGETS MISSED:\n  - ${shortfalls.join('\n  - ')}`);

  const golden = heldOut.vectors.slice(0, config.golden.rows - 4);
  // Edge vectors: the reference donor, every feature at its low and high end, and beyond the range.
  golden.push(features.map((f) => f.reference));
  golden.push(features.map((f) => f.range[0]));
  golden.push(features.map((f) => f.range[1]));
  golden.push(features.map((f) => f.range[1] * 2 + 1));
  return {
    manifest: addMonitoringReference(manifest, { vectors: training.vectors, config: config.training }),
    onnx: onnxBytes,
    golden: golden.map((vector) => ({ vector, probability: explainerOnly.probability(vector) })),
    heldOut,
    heldOutPredicted: predicted,
  };
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function writeArtifacts(dir: string, artifacts: TrainedArtifacts): string[] {
  const { manifest, heldOut, heldOutPredicted } = artifacts;
  const labels = heldOut.rows.map((r) => r.truth.available);
  const files: [string, string | Uint8Array][] = [
    [ONNX_FILE, artifacts.onnx],
    ['manifest.json', json(manifest)],
    ['golden.json', json({ modelVersion: manifest.modelVersion, tolerance: 1e-5, cases: artifacts.golden })],
    ['calibration.svg', calibrationPlotSvg(calibrationBins(heldOutPredicted, labels, 10), manifest)],
    ['roc.svg', rocPlotSvg(rocCurve(heldOutPredicted, labels), rocCurve(heldOut.rows.map((r) => r.truth.pAvailable), labels), manifest)],
    ['MODEL_CARD.md', writeModelCard(manifest)],
  ];
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return files.map(([name]) => name);
}

export function readTrainingConfig(dir = MODEL_DIR): TrainingConfig {
  return JSON.parse(readFileSync(join(dir, 'training-config.json'), 'utf8')) as TrainingConfig;
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const artifacts = await train(readTrainingConfig(), log);
  const written = writeArtifacts(MODEL_DIR, artifacts);
  const m = artifacts.manifest.metrics.heldOut;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(`wrote ${written.map((f) => `model/${f}`).join(', ')}`);
  log(
    `model ${artifacts.manifest.modelVersion}: held-out AUC ${m.auc.toFixed(3)} (oracle ${m.oracleAuc.toFixed(3)}), ` +
      `ECE ${m.expectedCalibrationError.toFixed(3)}, Brier ${m.brier.toFixed(3)}, sha256 ${artifacts.manifest.onnx.sha256.slice(0, 12)}… in ${seconds.toFixed(1)} s`,
  );
  if (qualityShortfalls(m).length) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`training failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
