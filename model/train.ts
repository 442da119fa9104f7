// `npm run train`: synthetic history -> features -> logistic regression with hinge splines ->
// ONNX + manifest + golden vectors + model card and plots. Deterministic: the same config and code
// reproduce byte-identical artifacts (nothing here reads the clock). Trains into a temporary folder
// and copies into model/ only when every gate passes (model/gates.ts; limits in
// training-config.json "gates", or `npm run train -- --gate name=value`). With `--data FILE` it
// trains on real history (a drs export-training file, model/training-data.ts) instead: the latest
// 20% of requests are held out, and the gates are those real outcomes can decide (history-gates.ts).
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateDetail } from '../lambdas/core/donor-updated';
import { FEATURES, deriveFeatures } from '../lambdas/core/features';
import { LogitExplainer, type BasisTerm, type ModelManifest, type ReasonCodeSpec } from '../lambdas/core/model-manifest';
import { ReadinessModel, sha256Hex } from '../lambdas/core/readiness-model';
import { evaluate } from './evaluation';
import { DEFAULT_GATES, failures, qualityGates, withOverrides, type GateLimits, type GateResult } from './gates';
import { fitLogisticWithSigns } from './logistic-regression';
import { modelShapeGates } from './model-checks';
import { validateForward, validateVariants, validationGates, type ValidationConfig, type ValidationResult } from './validation';
import { calibrationBins, rocCurve } from './metrics';
import { writeModelCard } from './model-card';
import { addMonitoringReference } from './training-reference';
import { exportOnnx, ONNX_OPSET } from './onnx-export';
import { calibrationPlotSvg, rocPlotSvg } from './plots';
import { generateRegistry, type DonorTruth, type RegistryRow } from './synthetic-registry';
import { evaluateHistory, historyQualityGates, UNRECORDED_GROUP } from './history-gates';
import { readTrainingData, splitByTime, type HistoryRow } from './training-data';

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
  reasonCodes: { maxReasons: number; minEffect: number; coverage: { rows: number; seed: number } };
  /** Direction the domain fixes for a feature's effect: the fit is constrained to it. */
  monotone: Record<string, 'increasing' | 'decreasing'>;
  golden: { rows: number };
  gates?: Partial<GateLimits>;
  validation: ValidationConfig;
}

interface Sample {
  rows: { truth: Pick<DonorTruth, 'available' | 'pAvailable' | 'ancestryGroup'> }[];
  vectors: number[][];
}

/** History rows as a sample: the outcome is the truth; there is no oracle probability (NaN). */
function historySample(rows: readonly HistoryRow[]): Sample {
  return {
    rows: rows.map((r) => ({ truth: { available: r.label, pAvailable: NaN, ancestryGroup: UNRECORDED_GROUP as DonorTruth['ancestryGroup'] } })),
    vectors: rows.map((r) => r.vector),
  };
}

/** Real history to train on instead of the generator (`npm run train -- --data FILE`). */
export interface HistoryData {
  file: string;
  rows: readonly HistoryRow[];
}

function drawSample(config: SampleConfig, log: (msg: string) => void): Sample & { rows: RegistryRow[] } {
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

type BasisShape = { feature: string; kind: 'linear' } | { feature: string; kind: 'hinge'; knot: number };

interface FeatureBasis {
  feature: string;
  index: number;
  knots: number[];
  /** +1: non-decreasing, -1: non-increasing, 0: free. */
  sign: -1 | 0 | 1;
}

/**
 * One block of columns per feature. A free feature uses x and max(0, x - knot); a monotone one uses
 * the slope of each segment between knots (x - m1, m1 - m2, ..., with m_j = max(0, x - knot_j)),
 * so "never lowers" is a sign on every column; both give the same linear-spline shapes.
 */
function featureBases(config: TrainingConfig): FeatureBasis[] {
  for (const name of [...Object.keys(config.knots), ...Object.keys(config.monotone)]) {
    if (!FEATURES.some((f) => f.name === name)) throw new Error(`training-config.json names unknown feature ${name}`);
  }
  return FEATURES.map((f, index) => {
    const direction = config.monotone[f.name];
    return {
      feature: f.name,
      index,
      knots: config.knots[f.name] ?? [],
      sign: direction === 'increasing' ? 1 : direction === 'decreasing' ? -1 : 0,
    };
  });
}

function basisColumns(b: FeatureBasis, vectors: number[][]): Float64Array[] {
  const x = Float64Array.from(vectors, (v) => v[b.index]);
  const m = [x, ...b.knots.map((k) => x.map((v) => Math.max(0, v - k)))];
  if (b.sign === 0) return m;
  return m.map((mj, j) => (j + 1 < m.length ? mj.map((v, i) => v - m[j + 1][i]) : mj));
}

/** Back to the manifest's form: a linear term, then one hinge per knot. */
function basisTerms(b: FeatureBasis, weights: number[]): (BasisShape & { weight: number })[] {
  const slopes = b.sign === 0 ? undefined : weights;
  const linear = { feature: b.feature, kind: 'linear' as const, weight: weights[0] };
  const hinges = b.knots.map((knot, j) => ({
    feature: b.feature,
    kind: 'hinge' as const,
    knot,
    weight: slopes ? slopes[j + 1] - slopes[j] : weights[j + 1],
  }));
  return [linear, ...hinges];
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
  /** Every gate of this training; the artifacts may be written into model/ only when all pass. */
  gates: GateResult[];
}

/** The gate limits of a training: defaults, then training-config.json "gates", then overrides. */
export function gateLimits(config: TrainingConfig, overrides: readonly string[] = []): GateLimits {
  return withOverrides({ ...DEFAULT_GATES, ...config.gates }, overrides);
}

export async function train(
  config: TrainingConfig,
  log: (msg: string) => void = () => {},
  limits: GateLimits = gateLimits(config),
  data?: HistoryData,
): Promise<TrainedArtifacts> {
  const split = data && splitByTime(data.rows);
  if (split) log(`training on ${split.training.length} requests of ${data.file}, holding out the latest ${split.heldOut.length}`);
  else log('drawing the training sample');
  const training = split ? historySample(split.training) : drawSample(config.training, log);
  const dateOf = (rows: readonly HistoryRow[]) => rows[rows.length - 1].requestedAt.slice(0, 10);
  const bases = featureBases(config);
  const blocks = bases.map((b) => basisColumns(b, training.vectors));
  const columns = blocks.flat();
  const signs = bases.flatMap((b, k) => blocks[k].map(() => b.sign));
  const labels = Uint8Array.from(training.rows, (r) => r.truth.available);
  log(`fitting ${columns.length} basis terms (L2 ${config.l2}, ${signs.filter((x) => x !== 0).length} sign-constrained)`);
  const fit = fitLogisticWithSigns(columns, labels, config.l2, signs);
  if (!fit.converged) throw new Error(`logistic regression did not converge in ${fit.iterations} iterations`);
  log(`  converged in ${fit.iterations} iterations, log-loss ${fit.logLoss.toFixed(4)}, ${fit.pinned.length} weights held at 0 by a sign`);
  let offset = 0;
  const fitted = bases.flatMap((b, k) => {
    const w = fit.weights.slice(offset, offset + blocks[k].length);
    offset += blocks[k].length;
    return basisTerms(b, w);
  });

  // Weights are stored as float32 values so the ONNX graph and the manifest hold the same numbers.
  const fround = (x: number) => Math.fround(x);
  // The reference donor is a responding donor: the training median of every continuous feature
  // among donors who answered outreach in the last 12 months (counts rounded), no indicator set.
  const answered = FEATURES.findIndex((f) => f.name === 'outreachAnswered12m');
  const responding = training.vectors.filter((v) => v[answered] >= 1);
  const features = FEATURES.map((f, index) => {
    if (f.unit === 'indicator') return { ...f, index, reference: 0 };
    const m = median(responding.map((v) => v[index]));
    return { ...f, index, reference: f.unit === 'count' ? Math.round(m) : Math.round(m * 1e4) / 1e4 };
  });
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
      terms: fitted.map((t) => ({ ...t, weight: fround(t.weight) }) as BasisTerm),
    },
    reference: { description: '', logit: 0, score: 0 },
    bands: {
      ...config.bands,
      rule: `high if score >= ${config.bands.high}, medium if score >= ${config.bands.medium}, else low`,
    },
    reasonCodes: {
      maxReasons: config.reasonCodes.maxReasons,
      minEffect: config.reasonCodes.minEffect,
      codes: FEATURES.flatMap((f) =>
        (['raises', 'lowers'] as const).map((effect): ReasonCodeSpec => ({ code: f.reason[effect], feature: f.name, effect, meaning: f.reason.meaning })),
      ),
    },
    training: {
      rows: training.rows.length,
      ...(split
        ? { source: 'history', data: data.file, from: split.training[0].requestedAt, to: split.training[split.training.length - 1].requestedAt }
        : { seed: config.training.seed, asOf: config.training.asOf, baseRate: config.training.baseRate }),
      observedRate: labels.reduce((s, y) => s + y, 0) / labels.length,
      l2: config.l2,
      iterations: fit.iterations,
      logLoss: Math.round(fit.logLoss * 1e6) / 1e6,
      basisTerms: columns.length,
      knots: config.knots,
      monotone: config.monotone,
      heldAtZeroBySign: fit.pinned.length,
      coverageRows: config.reasonCodes.coverage.rows,
    },
    metrics: { heldOut: undefined as unknown as ModelManifest['metrics']['heldOut'] },
  };
  // The catalogue keeps only the codes that fire on a large synthetic registry: a code that never
  // fires is not promised to anyone. The check runs with every code allowed.
  const everyCode = new LogitExplainer({ ...partial, onnx: { ...partial.onnx, sha256: '' } } as ModelManifest);
  const coverage = split ? training : drawSample({ ...config.training, ...config.reasonCodes.coverage }, log);
  const fired = new Map<string, number>();
  for (const v of coverage.vectors) for (const r of everyCode.reasons(v)) fired.set(r.code + ':' + r.effect, (fired.get(r.code + ':' + r.effect) ?? 0) + 1);
  partial.reasonCodes.codes = partial.reasonCodes.codes
    .filter((c) => fired.has(c.code + ':' + c.effect))
    .map((c) => ({ ...c, firedFor: Math.round((fired.get(c.code + ':' + c.effect)! / coverage.vectors.length) * 1e6) / 1e6 }));
  log(`  ${partial.reasonCodes.codes.length} reason codes fire on ${coverage.vectors.length} donors; the others are left out of the catalogue`);
  const explainerOnly = new LogitExplainer({ ...partial, onnx: { ...partial.onnx, sha256: '' } } as ModelManifest);
  const describe = (name: string) => {
    const f = features.find((x) => x.name === name)!;
    return `${f.reference} ${f.unit}`;
  };
  partial.reference = {
    description:
      'a responding donor: the training median of every continuous feature among donors who answered outreach in the ' +
      `last 12 months (age ${describe('ageYears')}, ${describe('yearsOnRegistry')} on the registry, contact verified ` +
      `${describe('yearsSinceContactVerified')} ago, last answer ${describe('yearsSinceLastResponse')} ago, ` +
      `${features.find((x) => x.name === 'outreachAnswered12m')!.reference} outreach answered and ` +
      `${features.find((x) => x.name === 'outreachUnanswered12m')!.reference} unanswered in 12 months, ` +
      `${features.find((x) => x.name === 'priorRequestsAvailable')!.reference} earlier requests), and no indicator set: ` +
      'drive-recruited, male, not a blood donor, domestic, contact verified, no pause, no earlier unavailability',
    logit: explainerOnly.referenceLogit,
    score: 1 / (1 + Math.exp(-explainerOnly.referenceLogit)),
  };
  const onnxBytes = exportOnnx(partial);
  const manifest: ModelManifest = { ...partial, onnx: { ...partial.onnx, sha256: sha256Hex(onnxBytes) } };

  log('scoring the held-out sample with onnxruntime-node');
  const heldOut = split ? historySample(split.heldOut) : drawSample(config.heldOut, log);
  const model = await ReadinessModel.load(manifest, onnxBytes);
  const predicted = await model.probabilities(heldOut.vectors);
  if (split) {
    const labels = heldOut.rows.map((r) => r.truth.available);
    manifest.metrics.heldOut = { seed: 0, asOf: dateOf(split.heldOut), ...evaluateHistory(predicted, labels, heldOut.vectors, manifest.bands) };
    // Generator variants and forward horizons need the generator: on history the held-out requests
    // are already the later ones.
    manifest.gates = [...historyQualityGates(manifest.metrics.heldOut, limits), ...modelShapeGates(manifest, config.monotone)];
    return finish(manifest, onnxBytes, explainerOnly, features, config, training, heldOut, predicted, { rows: split.training.length, seed: 0, asOf: dateOf(split.training) });
  }
  manifest.metrics.heldOut = {
    seed: config.heldOut.seed,
    asOf: config.heldOut.asOf,
    ...evaluate({ predicted, truths: heldOut.rows.map((r) => r.truth), vectors: heldOut.vectors, bands: manifest.bands }),
  };
  log(`validating on ${config.validation.variants.length} generator variants and ${config.validation.monthsAhead.length} horizons forward in time`);
  const probabilities = (vectors: number[][]) => model.probabilities(vectors);
  const validation: ValidationResult = {
    variants: await validateVariants(manifest, probabilities, config.validation, config.heldOut.asOf, limits),
    forward: await validateForward(manifest, probabilities, config.validation, config.training.asOf, limits),
  };
  manifest.validation = validation as unknown as Record<string, unknown>;
  const gates = [
    ...qualityGates(manifest.metrics.heldOut, limits),
    ...modelShapeGates(manifest, config.monotone),
    ...validationGates(validation, config.training.baseRate, limits),
  ];
  manifest.gates = gates;
  return finish(manifest, onnxBytes, explainerOnly, features, config, training, heldOut, predicted, config.training);
}

function finish(
  manifest: ModelManifest,
  onnxBytes: Uint8Array,
  explainerOnly: LogitExplainer,
  features: { reference: number; range: readonly [number, number] | number[] }[],
  config: TrainingConfig,
  training: Sample,
  heldOut: Sample,
  predicted: Float32Array,
  sample: { rows: number; seed: number; asOf: string },
): TrainedArtifacts {
  const gates = manifest.gates as GateResult[];
  const golden = heldOut.vectors.slice(0, config.golden.rows - 4);
  // Edge vectors: the reference donor, every feature at its low and high end, and beyond the range.
  golden.push(features.map((f) => f.reference));
  golden.push(features.map((f) => f.range[0]));
  golden.push(features.map((f) => f.range[1]));
  golden.push(features.map((f) => f.range[1] * 2 + 1));
  return {
    manifest: addMonitoringReference(manifest, { vectors: training.vectors, config: sample }),
    onnx: onnxBytes,
    golden: golden.map((vector) => ({ vector, probability: explainerOnly.probability(vector) })),
    heldOut,
    heldOutPredicted: predicted,
    gates,
  };
}

/** The generator's ROC beside the model's; history has no oracle, so no curve. */
const oracleCurve = (heldOut: Sample, labels: number[]) =>
  heldOut.rows.every((r) => Number.isFinite(r.truth.pAvailable)) ? rocCurve(heldOut.rows.map((r) => r.truth.pAvailable), labels) : [];

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function writeArtifacts(dir: string, artifacts: TrainedArtifacts): string[] {
  const { manifest, heldOut, heldOutPredicted } = artifacts;
  const labels = heldOut.rows.map((r) => r.truth.available);
  const files: [string, string | Uint8Array][] = [
    [ONNX_FILE, artifacts.onnx],
    ['manifest.json', json(manifest)],
    ['golden.json', json({ modelVersion: manifest.modelVersion, tolerance: 1e-5, cases: artifacts.golden })],
    ['calibration.svg', calibrationPlotSvg(calibrationBins(heldOutPredicted, labels, 10), manifest)],
    ['roc.svg', rocPlotSvg(rocCurve(heldOutPredicted, labels), oracleCurve(heldOut, labels), manifest)],
    ['MODEL_CARD.md', writeModelCard(manifest)],
  ];
  for (const [name, content] of files) writeFileSync(join(dir, name), content);
  return files.map(([name]) => name);
}

export function readTrainingConfig(dir = MODEL_DIR): TrainingConfig {
  return JSON.parse(readFileSync(join(dir, 'training-config.json'), 'utf8')) as TrainingConfig;
}

/**
 * A retrain may keep its version label only if it reproduces the committed model byte for byte:
 * two different models must never answer to the same version (score records carry the version).
 */
export function versionGate(dir: string, manifest: ModelManifest): GateResult {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) return { gate: 'version label', passed: true, detail: `no committed model; ${manifest.modelVersion} is new` };
  const committed = JSON.parse(readFileSync(file, 'utf8')) as ModelManifest;
  if (committed.modelVersion !== manifest.modelVersion) {
    return { gate: 'version label', passed: true, detail: `new version ${manifest.modelVersion} (committed: ${committed.modelVersion})` };
  }
  const same = committed.onnx.sha256 === manifest.onnx.sha256;
  return {
    gate: 'version label',
    passed: same,
    detail: same
      ? `version ${manifest.modelVersion} reproduces the committed ONNX bytes (sha256 ${manifest.onnx.sha256.slice(0, 12)}…)`
      : `version ${manifest.modelVersion} is already committed with ONNX sha256 ${committed.onnx.sha256.slice(0, 12)}… but this ` +
        `training gives ${manifest.onnx.sha256.slice(0, 12)}…: bump "modelVersion" in model/training-config.json`,
  };
}

/**
 * Writes into a temporary folder, then copies into `dir` only when every gate passed; on a failure
 * nothing in `dir` changes. Returns the written file names, or the failed gates.
 */
export function publishArtifacts(dir: string, artifacts: TrainedArtifacts, committedDir = dir): { written: string[]; failed: GateResult[] } {
  const staging = mkdtempSync(join(tmpdir(), 'drs-train-'));
  try {
    const names = writeArtifacts(staging, artifacts);
    // A challenger written elsewhere (--out) still may not reuse the committed model's version label.
    const failed = failures([...artifacts.gates, versionGate(committedDir, artifacts.manifest)]);
    if (failed.length) return { written: [], failed };
    // The ONNX file goes last: a reader that sees new bytes also sees the manifest that pins them.
    const ordered = [...names.filter((n) => n !== ONNX_FILE), ONNX_FILE];
    // A challenger's folder (--out) is made only now: a failed gate leaves no empty folder behind.
    mkdirSync(dir, { recursive: true });
    for (const name of ordered) copyFileSync(join(staging, name), join(dir, name));
    return { written: ordered, failed: [] };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** `--gate name=value` (repeatable) and `--data FILE` from the command line of `npm run train -- ...`. */
export function trainArguments(argv: readonly string[]): { gates: string[]; data?: string; out?: string } {
  const gates: string[] = [];
  let data: string | undefined;
  let out: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--gate' && argv[i + 1] !== undefined) gates.push(argv[++i]);
    else if (argv[i].startsWith('--gate=')) gates.push(argv[i].slice('--gate='.length));
    else if (argv[i] === '--data' && argv[i + 1] !== undefined) data = argv[++i];
    else if (argv[i].startsWith('--data=')) data = argv[i].slice('--data='.length);
    else if (argv[i] === '--out' && argv[i + 1] !== undefined) out = argv[++i];
    else if (argv[i].startsWith('--out=')) out = argv[i].slice('--out='.length);
    else {
      throw new Error(
        `unknown argument ${argv[i]}: npm run train accepts --gate name=value (e.g. --gate maxCalibrationError=0.015) --data FILE (a drs export-training file) and --out DIR (default model/)`,
      );
    }
  }
  return { gates, data, out };
}

/**
 * Trains (on history with `--data FILE`) and publishes into `dir` (or `--out DIR`, created once
 * every gate has passed: a challenger beside the champion) only when every gate passes.
 */
export async function trainAndPublish(
  dir: string,
  argv: readonly string[],
  log: (msg: string) => void,
  config: TrainingConfig = readTrainingConfig(),
): Promise<{ artifacts: TrainedArtifacts; written: string[]; failed: GateResult[] }> {
  const args = trainArguments(argv);
  const limits = gateLimits(config, args.gates);
  const data = args.data === undefined ? undefined : { file: args.data, rows: readTrainingData(args.data) };
  const artifacts = await train(config, log, limits, data);
  return { artifacts, ...publishArtifacts(args.out ?? dir, artifacts, dir) };
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  const log = (msg: string) => process.stderr.write(`${msg}\n`);
  const { artifacts, written, failed } = await trainAndPublish(MODEL_DIR, process.argv.slice(2), log);
  const m = artifacts.manifest.metrics.heldOut;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  log(
    `model ${artifacts.manifest.modelVersion}: held-out AUC ${m.auc.toFixed(3)}${Number.isFinite(m.oracleAuc) ? ` (oracle ${m.oracleAuc.toFixed(3)})` : ''}, ` +
      `ECE ${m.expectedCalibrationError.toFixed(3)}, Brier ${m.brier.toFixed(3)}, sha256 ${artifacts.manifest.onnx.sha256.slice(0, 12)}… in ${seconds.toFixed(1)} s`,
  );
  for (const g of artifacts.gates) log(`  ${g.passed ? 'pass' : 'FAIL'}  ${g.gate}: ${g.detail}`);
  if (failed.length) {
    log(`training failed ${failed.length} gate(s); ${trainArguments(process.argv.slice(2)).out ?? 'model/'} is unchanged:\n  - ${failed.map((g) => `${g.gate}: ${g.detail}`).join('\n  - ')}`);
    process.exitCode = 1;
    return;
  }
  const out = trainArguments(process.argv.slice(2)).out ?? 'model';
  log(`every gate passed; wrote ${written.map((f) => join(out, f)).join(', ')}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`training failed: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
