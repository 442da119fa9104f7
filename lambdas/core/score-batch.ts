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

/** Scores `rows` as of `scoringDate`; invalid rows get their violation instead, never a throw. */
export async function scoreBatch(
  rows: readonly BatchRow[],
  model: Pick<ReadinessModel, 'predict' | 'version' | 'sha256'>,
  scoringDate: string,
  scoredAt: string,
): Promise<BatchRowResult[]> {
  const results: (BatchRowResult | { ok: true; detail: DonorUpdatedDetail; sourceEventId: string | null; vector: number[] })[] = [];
  const vectors: number[][] = [];
  for (const row of rows) {
    const checked = validateDetail(row.detail, scoringDate);
    if (!checked.ok) {
      results.push({ ok: false, violation: checked.violation, violations: checked.violations });
      continue;
    }
    const vector = deriveFeatures(checked.detail.donor, scoringDate);
    vectors.push(vector);
    results.push({ ok: true, detail: checked.detail, sourceEventId: row.sourceEventId, vector });
  }
  const predictions = await model.predict(vectors);
  let k = 0;
  return results.map((r) => {
    if (!r.ok || !('vector' in r)) return r as BatchRowResult;
    const record = buildScoreRecord({ detail: r.detail, sourceEventId: r.sourceEventId, vector: r.vector, prediction: predictions[k++] }, model, scoringDate, scoredAt);
    return { ok: true, record, input: r.detail };
  });
}
