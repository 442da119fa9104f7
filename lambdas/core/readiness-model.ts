// The deployable model: manifest + ONNX bytes, checked against each other, run by onnxruntime-node.
// Created once per process (a Lambda container, a CLI run) and reused for every score.
import { createHash } from 'node:crypto';
import * as ort from 'onnxruntime-node';
import { FEATURE_COUNT } from './features';
import {
  assertManifestMatchesFeatures,
  bandOf,
  LogitExplainer,
  type Band,
  type ModelManifest,
  type ReasonCode,
} from './model-manifest';

/** The model bytes or manifest cannot be used: not retryable, an operator must act. */
export class ModelIntegrityError extends Error {
  override readonly name = 'ModelIntegrityError';
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface Prediction {
  score: number;
  band: Band;
  reasons: ReasonCode[];
}

export class ReadinessModel {
  readonly explainer: LogitExplainer;

  private constructor(
    readonly manifest: ModelManifest,
    private readonly session: ort.InferenceSession,
  ) {
    this.explainer = new LogitExplainer(manifest);
  }

  get version(): string {
    return this.manifest.modelVersion;
  }

  get sha256(): string {
    return this.manifest.onnx.sha256;
  }

  /** Refuses bytes whose SHA-256 differs from the manifest's, and a feature list this code lacks. */
  static async load(manifest: ModelManifest, onnxBytes: Uint8Array): Promise<ReadinessModel> {
    const actual = sha256Hex(onnxBytes);
    if (actual !== manifest.onnx.sha256) {
      throw new ModelIntegrityError(
        `model bytes have SHA-256 ${actual} but manifest ${manifest.modelVersion} expects ` +
          `${manifest.onnx.sha256}: the ONNX file and manifest.json are from different trainings ` +
          '(re-run npm run train, or deploy model/ again so both come from one build)',
      );
    }
    try {
      assertManifestMatchesFeatures(manifest);
    } catch (error) {
      throw new ModelIntegrityError((error as Error).message);
    }
    // ORT's telemetry otherwise writes .ses and mat-debug-<pid>.log into the temp directory of
    // every process that creates a session (Lambda's /tmp, a developer's /tmp). Read at creation.
    process.env.ORT_DISABLE_TELEMETRY ??= '1';
    // Stryker disable next-line ObjectLiteral: thread counts change speed, not results
    const session = await ort.InferenceSession.create(onnxBytes, {
      // One scoring process per core (Lambda, CLI): more intra-op threads only contend.
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
    });
    return new ReadinessModel(manifest, session);
  }

  /** Probabilities for a batch of feature vectors, in order. */
  async probabilities(vectors: readonly (readonly number[])[]): Promise<Float32Array> {
    const data = new Float32Array(vectors.length * FEATURE_COUNT);
    vectors.forEach((v, r) => data.set(v, r * FEATURE_COUNT));
    return this.probabilitiesOfMatrix(data, vectors.length);
  }

  /** One ONNX run over `rows` rows of float32 features, row after row. */
  async probabilitiesOfMatrix(data: Float32Array, rows: number): Promise<Float32Array> {
    const { input, output } = this.manifest.onnx;
    const feeds = { [input.name]: new ort.Tensor('float32', data, [rows, FEATURE_COUNT]) };
    const result = await this.session.run(feeds);
    return result[output.name].data as Float32Array;
  }

  /**
   * Scores and reason keys for `rows` rows of a feature matrix (row after row, `FEATURES` order):
   * what `predict` gives, for a batch engine that keeps no object per row. The model sees the
   * matrix as float32, as it sees a vector.
   */
  async scoreMatrix(features: Float64Array, rows: number): Promise<MatrixScores> {
    const probabilities = await this.probabilitiesOfMatrix(new Float32Array(features.subarray(0, rows * FEATURE_COUNT)), rows);
    const reasonKeys = new Float64Array(rows);
    const width = FEATURE_COUNT;
    for (let r = 0; r < rows; r++) reasonKeys[r] = this.explainer.reasonKey(features, r * width);
    return { probabilities, reasonKeys };
  }

  /** Score, band and reasons for a batch: the score from ONNX, reasons from the manifest. */
  async predict(vectors: readonly (readonly number[])[]): Promise<Prediction[]> {
    // Stryker disable next-line ConditionalExpression: ORT also returns no rows for none; the guard skips the call
    if (vectors.length === 0) return [];
    const matrix = new Float64Array(vectors.length * FEATURE_COUNT);
    vectors.forEach((v, r) => matrix.set(v, r * FEATURE_COUNT));
    const scores = await this.scoreMatrix(matrix, vectors.length);
    return vectors.map((_, i) => this.predictionOf(scores, i));
  }

  /** Row `i` of a `scoreMatrix` answer as a `Prediction`. */
  predictionOf(scores: MatrixScores, i: number): Prediction {
    const score = scores.probabilities[i];
    return { score, band: bandOf(score, this.manifest.bands), reasons: this.explainer.reasonsOfKey(scores.reasonKeys[i]) };
  }
}

export interface MatrixScores {
  probabilities: Float32Array;
  /** Per row, `LogitExplainer.reasonKey`. */
  reasonKeys: Float64Array;
}
