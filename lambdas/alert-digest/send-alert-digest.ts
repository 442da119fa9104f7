// The alert digest, run every minute: for each failure class with failures not yet e-mailed, and
// no e-mail for that class within the window, one e-mail with the count, a sample of event ids and
// the first error, the count by field and rule (or error), and the other classes' counts. So a burst of 10,000 rejected events is one e-mail, not 10,000, and the first
// failure after a quiet spell is e-mailed within a minute.
import { formatAlert, type FailureClass } from '../core/alert-message';
import type { AlertClaim, AlertWindowState } from './alert-windows';

export const FAILURE_CLASSES: FailureClass[] = ['rejected', 'model', 'failed'];

export interface AlertWindowPort {
  read(failureClass: FailureClass): Promise<AlertWindowState | undefined>;
  claim(state: AlertWindowState, now: Date): Promise<AlertClaim | undefined>;
  release(claim: AlertClaim): Promise<void>;
}

export interface AlertPublisher {
  publish(message: { subject: string; body: string }): Promise<void>;
}

export interface DigestLog {
  info(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface DigestSettings {
  stage: string;
  windowMinutes: number;
  scoringLogGroupName: string;
  scoringFunctionName: string;
  /** Where the events of each class are kept, for the redrive command in the e-mail. */
  queueNames: Record<FailureClass, string>;
  /** Only on the local twin (its work dir): the e-mail's redrive command uses `--twin`. */
  localTwinWorkDir?: string;
}

export interface DigestDeps {
  windows: AlertWindowPort;
  publisher: AlertPublisher;
  log: DigestLog;
  now: () => Date;
  settings: DigestSettings;
}

export type ClassOutcome =
  | { failureClass: FailureClass; outcome: 'quiet' }
  | { failureClass: FailureClass; outcome: 'held'; pending: number; nextAlertAt: string }
  | { failureClass: FailureClass; outcome: 'sent'; count: number }
  | { failureClass: FailureClass; outcome: 'lost-race' }
  | { failureClass: FailureClass; outcome: 'publish-failed'; pending: number; error: string };

/** When the next e-mail for a class may go out, or undefined if it may go now. */
export function nextAlertAt(state: AlertWindowState, now: Date, windowMinutes: number): Date | undefined {
  if (!state.lastSentAt) return undefined;
  const next = new Date(Date.parse(state.lastSentAt) + windowMinutes * 60_000);
  return next.getTime() > now.getTime() ? next : undefined;
}

async function digestClass(failureClass: FailureClass, state: AlertWindowState | undefined, allClasses: Record<FailureClass, number>, deps: DigestDeps): Promise<ClassOutcome> {
  const { settings } = deps;
  const now = deps.now();
  if (!state || state.pending <= 0) return { failureClass, outcome: 'quiet' };
  const next = nextAlertAt(state, now, settings.windowMinutes);
  if (next) return { failureClass, outcome: 'held', pending: state.pending, nextAlertAt: next.toISOString() };

  const claim = await deps.windows.claim(state, now);
  if (!claim) return { failureClass, outcome: 'lost-race' };
  const message = formatAlert({
    stage: settings.stage,
    failureClass,
    count: state.pending,
    eventIds: state.sampleIds.length ? state.sampleIds : ['(no event id recorded)'],
    sampled: state.pending > state.sampleIds.length,
    firstError: state.firstError ?? '(not recorded)',
    logGroupName: settings.scoringLogGroupName,
    queueName: settings.queueNames[failureClass],
    functionName: settings.scoringFunctionName,
    ...(settings.localTwinWorkDir !== undefined ? { localTwinWorkDir: settings.localTwinWorkDir } : {}),
    window: { from: state.firstAt ?? state.lastSentAt ?? claim.claimedAt, to: claim.claimedAt },
    windowMinutes: settings.windowMinutes,
    byKind: state.byKind,
    allClasses,
  });
  try {
    await deps.publisher.publish(message);
  } catch (error) {
    // Give the count back: the next run (a minute later) reports these failures again.
    await deps.windows.release(claim);
    const reason = `${(error as Error).name}: ${(error as Error).message}`;
    deps.log.error('alert e-mail could not be published to SNS; the failures stay pending and the next digest retries', {
      failureClass,
      pending: state.pending,
      error: reason,
    });
    return { failureClass, outcome: 'publish-failed', pending: state.pending, error: reason };
  }
  deps.log.info('alert e-mail sent', { failureClass, count: state.pending, sampleEventIds: state.sampleIds });
  return { failureClass, outcome: 'sent', count: state.pending };
}

export async function sendAlertDigest(deps: DigestDeps): Promise<ClassOutcome[]> {
  const outcomes: ClassOutcome[] = [];
  // Every class is read first, so each e-mail can say what the other classes hold.
  const states = await Promise.all(FAILURE_CLASSES.map((c) => deps.windows.read(c)));
  const allClasses = Object.fromEntries(FAILURE_CLASSES.map((c, i) => [c, Math.max(0, states[i]?.pending ?? 0)])) as Record<FailureClass, number>;
  for (const [i, failureClass] of FAILURE_CLASSES.entries()) outcomes.push(await digestClass(failureClass, states[i], allClasses, deps));
  return outcomes;
}
