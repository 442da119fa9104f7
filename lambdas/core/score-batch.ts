// The batch engine: many inputs in, one result per input out, in order. `drs score` and the
// registry refresh's batch function both score through it, and it runs the very steps of the event
// path (contract validation, the feature module, the ONNX model, the score record), only with one
// ONNX run per batch. A single row and the same row in a batch give the same float32 score.
// Inside, a batch is columns (a feature matrix, scores, reason keys), not an object per row:
// `scoreBatchColumns` is that form (drs score writes its JSON from it), `scoreBatch` the records.
import { compiledDetailValidator, type DetailValidator } from './donor-updated-compiled';
import type { ContractViolation, DetailValidation, DonorUpdatedDetail } from './donor-updated';
import { FEATURE_COUNT, scoringDayOf, writeFeatures, type ScoringDay } from './features';
import type { MatrixScores, ReadinessModel } from './readiness-model';
import { buildScoreRecord, type ScoreRecord } from './score-record';

// tsx, which runs drs and the bench, turns every use of an import into two getter calls; what a
// per-row path uses is bound once here.
const writeRow = writeFeatures;
const WIDTH = FEATURE_COUNT;

export interface BatchRow {
  /** A `DonorUpdated` detail as received (validated here). */
  detail: unknown;
  sourceEventId: string | null;
}

export type BatchRowResult =
  | { ok: true; record: ScoreRecord; input: DonorUpdatedDetail }
  | { ok: false; violation: ContractViolation; violations: ContractViolation[] };

/** Seconds spent per step, added to when a caller passes it (the batch CLI's summary). */
export interface BatchTimings {
  validation: number;
  features: number;
  inference: number;
  records: number;
}

export type BatchModel = Pick<ReadinessModel, 'scoreMatrix' | 'predictionOf' | 'version' | 'sha256'>;

/** A batch as columns: each row's validation, and for the valid ones (in order) features and scores. */
export interface ScoredColumns {
  checked: DetailValidation[];
  /** How many rows were valid and scored. */
  scored: number;
  /** `scored` rows of `FEATURE_COUNT` features, row after row. */
  features: Float64Array;
  scores: MatrixScores;
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const NO_SCORES: MatrixScores = { probabilities: new Float32Array(0), reasonKeys: new Float64Array(0) };

/**
 * One batch being filled row by row: each detail is validated and its features written into the
 * batch's matrix as it comes, so the parsed input can be dropped at once (a caller streaming
 * millions of rows keeps columns, not objects); `score` then runs the model once for them all.
 */
export class BatchColumns {
  readonly features: Float64Array;
  /** How many valid rows the matrix holds. */
  scored = 0;
  private readonly validate: DetailValidator;
  private readonly scoring: ScoringDay;

  constructor(
    private readonly model: BatchModel,
    scoringDate: string,
    readonly capacity: number,
  ) {
    this.validate = compiledDetailValidator(scoringDate);
    this.scoring = scoringDayOf(scoringDate);
    this.features = new Float64Array(capacity * FEATURE_COUNT);
  }

  /** Validates `detail`; a valid one becomes the next row of the matrix. */
  add(detail: unknown): DetailValidation {
    const checked = this.validate(detail);
    if (checked.ok) {
      if (this.scored === this.capacity) throw new RangeError(`a batch holds at most ${this.capacity} rows`);
      writeFeatures(checked.detail.donor, this.scoring, this.features, this.scored * FEATURE_COUNT);
      this.scored += 1;
    }
    return checked;
  }

  /**
   * A detail already known valid as of this batch's scoring date (DonorUpdatedScanner read it and
   * holds it to the schema's rules) becomes the next row of the matrix: the same feature derivation.
   */
  addValid(detail: DonorUpdatedDetail): void {
    if (this.scored === this.capacity) throw new RangeError(`a batch holds at most ${this.capacity} rows`);
    writeRow(detail.donor, this.scoring, this.features, this.scored * WIDTH);
    this.scored += 1;
  }

  /** Scores and reason keys of the valid rows, in the order they were added. */
  async score(): Promise<MatrixScores> {
    return this.scored ? this.model.scoreMatrix(this.features, this.scored) : NO_SCORES;
  }

  /** Empties the batch for the next rows (the matrix is reused). */
  clear(): void {
    this.scored = 0;
  }
}

/** Validates, derives and scores `details` as of `scoringDate`; invalid rows keep their violation. */
export async function scoreBatchColumns(details: readonly unknown[], model: BatchModel, scoringDate: string, timings?: BatchTimings): Promise<ScoredColumns> {
  let t = process.hrtime.bigint();
  const batch = new BatchColumns(model, scoringDate, details.length);
  const checked = details.map((detail) => batch.add(detail));
  if (timings) timings.validation += since(t);
  t = process.hrtime.bigint();
  const scores = await batch.score();
  if (timings) timings.inference += since(t);
  return { checked, scored: batch.scored, features: batch.features, scores };
}

/** Scores `rows` as of `scoringDate`; invalid rows get their violation instead, never a throw. */
export async function scoreBatch(
  rows: readonly BatchRow[],
  model: BatchModel,
  scoringDate: string,
  scoredAt: string,
  timings?: BatchTimings,
): Promise<BatchRowResult[]> {
  const { checked, features, scores } = await scoreBatchColumns(rows.map((row) => row.detail), model, scoringDate, timings);
  const t = process.hrtime.bigint();
  let k = 0;
  const out = checked.map((c, i): BatchRowResult => {
    if (!c.ok) return { ok: false, violation: c.violation, violations: c.violations };
    // The row of the matrix itself (a view): the record reads its values once.
    const vector = features.subarray(k * FEATURE_COUNT, (k + 1) * FEATURE_COUNT);
    const record = buildScoreRecord({ detail: c.detail, sourceEventId: rows[i].sourceEventId, vector, prediction: model.predictionOf(scores, k) }, model, scoringDate, scoredAt);
    k += 1;
    return { ok: true, record, input: c.detail };
  });
  if (timings) timings.records += since(t);
  return out;
}
