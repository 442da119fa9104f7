// Scoring one DonorUpdated event, with the AWS services behind small ports so the logic is plain
// TypeScript. Every event ends one of three ways: scored, ignored as stale/duplicate, or rejected
// (kept whole with its reason). Anything else throws, so Lambda retries and then dead-letters it.
import { todayIsoDate } from '../core/calendar';
import { validateDetail, type ContractViolation } from '../core/donor-updated';
import { deriveFeatures } from '../core/features';
import type { FailureClass } from '../core/alert-message';
import { ModelIntegrityError, type ReadinessModel } from '../core/readiness-model';
import { buildScoreRecord, type ScoreRecord } from '../core/score-record';

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
  putIfNewer(record: ScoreRecord): Promise<boolean>;
}

export interface RejectedEventSink {
  keep(rejected: RejectedEvent): Promise<void>;
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
  alerts: AlertSink;
  log: ScoringLog;
  now: () => Date;
}

export type ScoringOutcome =
  | { outcome: 'scored'; eventId: string | null; revision: number; band: ScoreRecord['band']; score: number; modelVersion: string }
  | { outcome: 'stale'; eventId: string | null; revision: number }
  | { outcome: 'rejected'; eventId: string | null; violation: ContractViolation };

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

  const checked = validateDetail(detail, scoringDate);
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
    const written = await deps.store.putIfNewer(record);
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
    throw error;
  }
}
