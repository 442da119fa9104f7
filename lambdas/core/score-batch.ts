// The batch engine: many inputs in, one result per input out, in order. `drs score` and the
// registry refresh's batch function both score through it, and it runs the very steps of the event
// path (contract validation, the feature module, the ONNX model, the score record), only with one
// ONNX run per batch. A single row and the same row in a batch give the same float32 score.
import { validateDetail, type ContractViolation, type DonorUpdatedDetail } from './donor-updated';
import { deriveFeatures } from './features';
import type { ReadinessModel } from './readiness-model';
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

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** Scores `rows` as of `scoringDate`; invalid rows get their violation instead, never a throw. */
export async function scoreBatch(
  rows: readonly BatchRow[],
  model: Pick<ReadinessModel, 'predict' | 'version' | 'sha256'>,
  scoringDate: string,
  scoredAt: string,
  timings?: BatchTimings,
): Promise<BatchRowResult[]> {
  const results: (BatchRowResult | { ok: true; detail: DonorUpdatedDetail; sourceEventId: string | null; vector: number[] })[] = [];
  const vectors: number[][] = [];
  let t = process.hrtime.bigint();
  const checked = rows.map((row) => validateDetail(row.detail, scoringDate));
  if (timings) timings.validation += since(t);
  t = process.hrtime.bigint();
  rows.forEach((row, i) => {
    const c = checked[i];
    if (!c.ok) {
      results.push({ ok: false, violation: c.violation, violations: c.violations });
      return;
    }
    const vector = deriveFeatures(c.detail.donor, scoringDate);
    vectors.push(vector);
    results.push({ ok: true, detail: c.detail, sourceEventId: row.sourceEventId, vector });
  });
  if (timings) timings.features += since(t);
  t = process.hrtime.bigint();
  const predictions = await model.predict(vectors);
  if (timings) timings.inference += since(t);
  t = process.hrtime.bigint();
  let k = 0;
  const out = results.map((r) => {
    if (!r.ok || !('vector' in r)) return r as BatchRowResult;
    const record = buildScoreRecord({ detail: r.detail, sourceEventId: r.sourceEventId, vector: r.vector, prediction: predictions[k++] }, model, scoringDate, scoredAt);
    return { ok: true as const, record, input: r.detail };
  });
  if (timings) timings.records += since(t);
  return out;
}
