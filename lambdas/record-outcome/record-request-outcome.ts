// Recording one DonorRequestOutcome event in the prediction log: the outcome beside the donor's
// score record as it stood at the request. Same guarantees as scoring: every event ends recorded,
// ignored as a duplicate (by request id), or rejected (kept whole with field and rule); anything
// else throws so Lambda retries and then dead-letters it. Logs carry event ids and rules only.
// A rejected outcome is alarmed by the depth of its queue (the alert digest's e-mails are about scoring).
import { validateOutcome, type DonorRequestOutcome } from '../core/donor-request-outcome';
import type { ContractViolation } from '../core/donor-updated';
import type { ScoreRecord } from '../core/score-record';
import type { IncomingEvent, RejectedEventSink, ScoringLog } from '../score-donor/score-donor-update';

/** The prediction as it stood at the request: what the model said before the outcome was known. */
export interface PredictionAtRequest {
  score: number;
  band: ScoreRecord['band'];
  modelVersion: string;
  modelSha256: string;
  revision: number;
  updatedAt: string;
  scoringDate: string;
  scoredAt: string;
  features: ScoreRecord['features'];
}

/**
 * `scored-before-request`: the stored score was computed from the donor record that stood at the
 * request. `no-score`: the donor had no score. `updated-after-request`: the record changed after
 * the request (possibly because of it), so the stored score may already know the outcome and is
 * not logged as the prediction.
 */
export type PredictionStatus = 'scored-before-request' | 'no-score' | 'updated-after-request';

export interface PredictionLogEntry extends DonorRequestOutcome {
  sourceEventId: string | null;
  recordedAt: string;
  predictionStatus: PredictionStatus;
  prediction: PredictionAtRequest | null;
}

export interface ScoreLookup {
  get(donorId: string): Promise<ScoreRecord | undefined>;
}

export interface PredictionLog {
  /** Writes unless an entry for the request id exists; false when it was a duplicate. */
  putIfAbsent(entry: PredictionLogEntry): Promise<boolean>;
}

export interface OutcomeDeps {
  scores: ScoreLookup;
  log: PredictionLog;
  rejected: RejectedEventSink;
  logger: ScoringLog;
  now: () => Date;
}

export type OutcomeResult =
  | { outcome: 'recorded'; eventId: string | null; predictionStatus: PredictionStatus }
  | { outcome: 'duplicate'; eventId: string | null }
  | { outcome: 'rejected'; eventId: string | null; violation: ContractViolation };

export function predictionAtRequest(record: ScoreRecord | undefined, requestedAt: string): Pick<PredictionLogEntry, 'prediction' | 'predictionStatus'> {
  if (!record) return { prediction: null, predictionStatus: 'no-score' };
  if (Date.parse(record.updatedAt) > Date.parse(requestedAt)) return { prediction: null, predictionStatus: 'updated-after-request' };
  const { score, band, modelVersion, modelSha256, revision, updatedAt, scoringDate, scoredAt, features } = record;
  return {
    prediction: { score, band, modelVersion, modelSha256, revision, updatedAt, scoringDate, scoredAt, features },
    predictionStatus: 'scored-before-request',
  };
}

export async function recordRequestOutcome(event: IncomingEvent, deps: OutcomeDeps): Promise<OutcomeResult> {
  const now = deps.now();
  const eventId = typeof event.id === 'string' ? event.id : null;
  const checked = validateOutcome(event.detail, now);
  if (!checked.ok) {
    const { violation, violations } = checked;
    await deps.rejected.keep({ eventId, reason: { ...violation, violations }, rejectedAt: now.toISOString(), event });
    deps.logger.warn('outcome rejected: it breaks the DonorRequestOutcome contract', { eventId, failureClass: 'rejected', field: violation.field, rule: violation.rule });
    return { outcome: 'rejected', eventId, violation };
  }
  const outcome = checked.outcome;
  const entry: PredictionLogEntry = {
    ...outcome,
    sourceEventId: eventId,
    recordedAt: now.toISOString(),
    ...predictionAtRequest(await deps.scores.get(outcome.donorId), outcome.requestedAt),
  };
  if (!(await deps.log.putIfAbsent(entry))) {
    deps.logger.info('ignored: this request id is already in the prediction log', { eventId, outcome: 'duplicate' });
    return { outcome: 'duplicate', eventId };
  }
  deps.logger.info('outcome recorded', { eventId, outcome: 'recorded', predictionStatus: entry.predictionStatus });
  return { outcome: 'recorded', eventId, predictionStatus: entry.predictionStatus };
}
