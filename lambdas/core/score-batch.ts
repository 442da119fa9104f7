// The batch engine: many inputs in, one result per input out, in order. `drs score` and the
// registry refresh's batch function both score through it, and it runs the very steps of the event
// path (contract validation, the feature module, the ONNX model, the score record), only with one
// ONNX run per batch. A single row and the same row in a batch give the same float32 score.
// Inside, a batch is columns (a feature matrix, scores, reason keys), not an object per row:
// `scoreBatchColumns` is that form (drs score writes its JSON from it), `scoreBatch` the records.
import { compiledDetailValidator } from './donor-updated-compiled';
import type { ContractViolation, DetailValidation, DonorUpdatedDetail } from './donor-updated';
import { FEATURE_COUNT, scoringDayOf, writeFeatures } from './features';
import type { MatrixScores, ReadinessModel } from './readiness-model';
import { buildScoreRecord, type ScoreRecord } from './score-record';

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

/** Validates, derives and scores `details` as of `scoringDate`; invalid rows keep their violation. */
export async function scoreBatchColumns(details: readonly unknown[], model: BatchModel, scoringDate: string, timings?: BatchTimings): Promise<ScoredColumns> {
  let t = process.hrtime.bigint();
  const validate = compiledDetailValidator(scoringDate);
  const checked = details.map(validate);
  if (timings) timings.validation += since(t);
  t = process.hrtime.bigint();
  const scoring = scoringDayOf(scoringDate);
  const features = new Float64Array(checked.length * FEATURE_COUNT);
  let scored = 0;
  for (const c of checked) {
    if (!c.ok) continue;
    writeFeatures(c.detail.donor, scoring, features, scored * FEATURE_COUNT);
    scored += 1;
  }
  if (timings) timings.features += since(t);
  t = process.hrtime.bigint();
  const scores = scored ? await model.scoreMatrix(features, scored) : { probabilities: new Float32Array(0), reasonKeys: new Float64Array(0) };
  if (timings) timings.inference += since(t);
  return { checked, scored, features, scores };
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
    const vector = Array.from(features.subarray(k * FEATURE_COUNT, (k + 1) * FEATURE_COUNT));
    const record = buildScoreRecord({ detail: c.detail, sourceEventId: rows[i].sourceEventId, vector, prediction: model.predictionOf(scores, k) }, model, scoringDate, scoredAt);
    k += 1;
    return { ok: true, record, input: c.detail };
  });
  if (timings) timings.records += since(t);
  return out;
}
