// Scoring one DonorUpdated event, with the AWS services behind small ports so the logic is plain
// TypeScript. Every event ends one of three ways: scored, ignored as stale/duplicate, or rejected
// (kept whole with its reason). Anything else throws, so Lambda retries and then dead-letters it.
import { todayIsoDate } from '../core/calendar';
import type { ContractViolation } from '../core/donor-updated';
import { deriveFeatures } from '../core/features';
import type { FailureClass } from '../core/alert-message';
import { ModelIntegrityError, type ReadinessModel } from '../core/readiness-model';
import { buildScoreRecord, type ScoreRecord, type StoredScore } from '../core/score-record';
import { holdsSqsRefusedCharacters } from '../core/sqs-body';
import { encodeInput } from '../core/stored-input';
import { validateEventDetail } from './event-detail';

/** The event as EventBridge hands it to the function (only what scoring reads is typed). */
export interface IncomingEvent {
  id?: unknown;
  detail?: unknown;
  [key: string]: unknown;
}

export interface RejectedEvent {
  eventId: string | null;
  reason: ContractViolation & { violations: ContractViolation[] };
  rejectedAt: string;
  /** The whole event as received: nothing is dropped. */
  event: unknown;
}

export interface ScoreStore {
  /** Writes unless the stored record is newer; returns false when the write was a no-op. */
  putIfNewer(record: StoredScore): Promise<boolean>;
}

export interface RejectedEventSink {
  keep(rejected: RejectedEvent): Promise<void>;
}

/**
 * The failed-scoring queue, written by the function itself for an event Lambda's on-failure
 * destination could not keep (see scoreDonorUpdate).
 */
export interface FailedEventSink {
  keep(failed: { eventId: string | null; error: { errorType: string; errorMessage: string }; keptAt: string; event: unknown }): Promise<void>;
}

/** Counts failures for the throttled alert e-mails (the digest function sends them). */
export interface AlertSink {
  record(failure: { failureClass: FailureClass; eventId: string | null; error: string; kind?: string }): Promise<void>;
}

export interface ScoringLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface ScoringDeps {
  loadModel: () => Promise<ReadinessModel>;
  store: ScoreStore;
  rejected: RejectedEventSink;
  /** Absent: failures are always left to Lambda's retries and on-failure destination. */
  failed?: FailedEventSink;
  alerts: AlertSink;
  log: ScoringLog;
  now: () => Date;
}

export type ScoringOutcome =
  | { outcome: 'scored'; eventId: string | null; revision: number; band: ScoreRecord['band']; score: number; modelVersion: string }
  | { outcome: 'stale'; eventId: string | null; revision: number }
  | { outcome: 'rejected'; eventId: string | null; violation: ContractViolation }
  /** Scoring failed and the function kept the event in the failed-scoring queue itself. */
  | { outcome: 'failed-kept'; eventId: string | null; error: string };

/** Alerting never decides an event's fate: a failed alert is logged and scoring goes on. */
async function raiseQuietly(deps: ScoringDeps, alert: Parameters<AlertSink['record']>[0]): Promise<void> {
  try {
    await deps.alerts.record(alert);
  } catch (error) {
    deps.log.error('alert could not be recorded; scoring goes on and the queue-depth alarms still report the failure', {
      eventId: alert.eventId,
      failureClass: alert.failureClass,
      error: (error as Error).name,
    });
  }
}

export async function scoreDonorUpdate(event: IncomingEvent, deps: ScoringDeps): Promise<ScoringOutcome> {
  const now = deps.now();
  const scoringDate = todayIsoDate(now);
  const eventId = typeof event.id === 'string' ? event.id : null;
  const detail = event.detail;

  // The contract's schema, zod only for what the byte scanner does not read (event-detail.ts).
  const checked = validateEventDetail(detail, scoringDate);
  if (!checked.ok) {
    const { violation, violations } = checked;
    // Keeping the event must succeed (or throw and be retried); only then is it safe to return.
    await deps.rejected.keep({ eventId, reason: { ...violation, violations }, rejectedAt: now.toISOString(), event });
    deps.log.warn('event rejected: it breaks the DonorUpdated contract', { eventId, failureClass: 'rejected', field: violation.field, rule: violation.rule });
    await raiseQuietly(deps, { failureClass: 'rejected', eventId, error: `${violation.field} ${violation.rule}` });
    return { outcome: 'rejected', eventId, violation };
  }

  try {
    const model = await deps.loadModel();
    const vector = deriveFeatures(checked.detail.donor, scoringDate);
    const [prediction] = await model.predict([vector]);
    const record = buildScoreRecord({ detail: checked.detail, sourceEventId: eventId, vector, prediction }, model, scoringDate, now.toISOString());
    // The validated input is kept with the score: the registry refresh rescores from it.
    const written = await deps.store.putIfNewer({ ...record, input: encodeInput(checked.detail) });
    if (!written) {
      deps.log.info('ignored: a newer or identical score is stored', { eventId, outcome: 'stale', revision: record.revision });
      return { outcome: 'stale', eventId, revision: record.revision };
    }
    deps.log.info('scored', { eventId, outcome: 'scored', revision: record.revision, band: record.band, modelVersion: model.version });
    return { outcome: 'scored', eventId, revision: record.revision, band: record.band, score: record.score, modelVersion: model.version };
  } catch (error) {
    // Thrown, so Lambda retries the event and then keeps it; counted for the alert e-mail first.
    if (error instanceof ModelIntegrityError) {
      deps.log.error('model refused: this event will be retried, then kept in the failed-scoring queue', { eventId, failureClass: 'model', error: error.message });
      await raiseQuietly(deps, { failureClass: 'model', eventId, error: error.message });
    } else {
      // Counted by error name: messages vary (request ids), names are a small set.
      await raiseQuietly(deps, { failureClass: 'failed', eventId, error: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 300), kind: (error as Error).name });
    }
    // Lambda's on-failure destination and dead-letter queue send the event as it came: a string
    // with U+FFFE, U+FFFF or a lone surrogate makes SQS refuse it, and after the retries the event
    // would be gone. Such an event is kept here, escaped, once; the invocation then ends without
    // an error, so Lambda neither retries it (each retry would keep another copy) nor tries a
    // send that cannot succeed. `drs redrive` restores it exactly.
    if (deps.failed && holdsSqsRefusedCharacters(event)) {
      const errorType = (error as Error).name ?? 'Error';
      const errorMessage = String((error as Error).message ?? error).slice(0, 1000);
      await deps.failed.keep({ eventId, error: { errorType, errorMessage }, keptAt: now.toISOString(), event });
      deps.log.error('scoring failed and the event holds characters SQS refuses: kept, escaped, in the failed-scoring queue without retries', { eventId, failureClass: 'failed', error: errorType });
      return { outcome: 'failed-kept', eventId, error: `${errorType}: ${errorMessage}` };
    }
    throw error;
  }
}
