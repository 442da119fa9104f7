// The score record (contract.md, "Output"): what the table holds for every donor and what the
// batch CLI writes per line. Only derived, non-identifying values besides the registry's opaque id.
import type { DonorUpdatedDetail } from './donor-updated';
import { toFeatureRecord, type FeatureRecord } from './features';
import type { Band, ReasonCode } from './model-manifest';
import type { StoredInput } from './stored-input';
import type { Prediction, ReadinessModel } from './readiness-model';

export interface ScoreRecord {
  donorId: string;
  score: number;
  band: Band;
  reasons: ReasonCode[];
  modelVersion: string;
  modelSha256: string;
  revision: number;
  sourceEventId: string | null;
  updatedAt: string;
  /** The date the features were derived as of (contact staleness grows with it). */
  scoringDate: string;
  scoredAt: string;
  features: FeatureRecord;
}

/**
 * What the table holds: the score record plus the donor's latest valid input (compactly encoded,
 * stored-input.ts), so a refresh can rescore every donor without the registry resending it. The
 * table is encrypted with the stack key; the input is donor data and is never logged or returned by a read.
 */
export interface StoredScore extends ScoreRecord {
  input?: StoredInput;
}

export interface ScoredInput {
  detail: DonorUpdatedDetail;
  sourceEventId: string | null;
  /** The feature vector (a batch passes its matrix's row as a view). */
  vector: ArrayLike<number>;
  prediction: Prediction;
}

/** The score as a record holds it: float32 from the model, and six decimals is all the precision it has. */
export const recordedScore = (probability: number): number => Math.round(probability * 1e6) / 1e6;

export function buildScoreRecord(
  input: ScoredInput,
  model: Pick<ReadinessModel, 'version' | 'sha256'>,
  scoringDate: string,
  scoredAt: string,
): ScoreRecord {
  return {
    donorId: input.detail.donorId,
    score: recordedScore(input.prediction.score),
    band: input.prediction.band,
    reasons: input.prediction.reasons,
    modelVersion: model.version,
    modelSha256: model.sha256,
    revision: input.detail.revision,
    sourceEventId: input.sourceEventId,
    updatedAt: input.detail.updatedAt,
    scoringDate,
    scoredAt,
    features: toFeatureRecord(input.vector),
  };
}
