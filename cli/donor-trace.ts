// `drs trace` as a function: what the pipeline stored and kept about one donor, laid out as a
// timeline with a verdict and the commands that fix it. Pure: the command (or a test) reads the
// score table, the queues and the logs and hands them in. Logs carry event ids, never donor ids:
// the events are found through the stored record and the kept messages, and only then their logs.
import { keptEventOf } from './kept-event';

export type QueueKind = 'rejected' | 'failed-scoring' | 'dead-letter' | 'undelivered';

export const QUEUE_WORDS: Record<QueueKind, string> = {
  rejected: 'rejected-events queue',
  'failed-scoring': 'failed-scoring queue',
  'dead-letter': 'dead-letter queue',
  undelivered: 'undelivered queue',
};

const QUEUE_PREFERENCE: QueueKind[] = ['rejected', 'failed-scoring', 'dead-letter', 'undelivered'];

export interface StoredScore {
  score: number;
  band: string;
  revision: number;
  updatedAt: string;
  scoredAt: string;
  scoringDate: string;
  modelVersion: string;
  sourceEventId: string | null;
}

export interface KeptRecord {
  queue: QueueKind;
  queueName: string;
  eventId: string | null;
  revision: number | null;
  updatedAt: string | null;
  keptAt: string | null;
  /** Why it was kept: the contract rule it broke, or the error. */
  reason: string;
}

export interface TraceLogLine {
  time: string | null;
  eventId: string;
  level: string;
  message: string;
}

/** A `DonorReadinessChanged` event the pipeline published for this donor (a first score or a band change). */
export interface ChangeEventRecord {
  eventId: string | null;
  time: string | null;
  score: number | null;
  band: string | null;
  previousBand: string | null;
  modelVersion: string | null;
  scoredAt: string | null;
}

/** One request outcome from the prediction log (the outcome table), with the prediction it was logged beside. */
export interface OutcomeRecord {
  requestId: string;
  requestedAt: string | null;
  outcome: string | null;
  reason: string | null;
  recordedAt: string | null;
  predictionStatus: string | null;
  prediction: { score: number; band: string; revision: number } | null;
  sourceEventId: string | null;
}

/** Change events and outcomes, and where they were looked for (or why they could not be). */
export interface TraceExtras {
  changeEvents: ChangeEventRecord[];
  /** Where change events were read from, or why they are not stored (AWS: the bus keeps none). */
  changeEventsSource: string;
  outcomes: OutcomeRecord[];
  outcomesSource: string;
}

const str = (v: unknown) => (typeof v === 'string' ? v : null);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A change event (the envelope the pipe puts on the bus), if it is about `donorId`. */
export function changeEventOf(donorId: string, event: unknown): ChangeEventRecord | null {
  if (!isObject(event) || !isObject(event.detail) || event.detail.donorId !== donorId) return null;
  const d = event.detail;
  return { eventId: str(event.id), time: str(event.time), score: num(d.score), band: str(d.band), previousBand: str(d.previousBand), modelVersion: str(d.modelVersion), scoredAt: str(d.scoredAt) };
}

/** A prediction-log item (as DynamoDB's document client returns it), if it is about `donorId`. */
export function outcomeRecordOf(donorId: string, item: Record<string, unknown>): OutcomeRecord | null {
  if (item.donorId !== donorId || typeof item.requestId !== 'string') return null;
  const p = isObject(item.prediction) ? item.prediction : null;
  return {
    requestId: item.requestId,
    requestedAt: str(item.requestedAt),
    outcome: str(item.outcome),
    reason: str(item.reason),
    recordedAt: str(item.recordedAt),
    predictionStatus: str(item.predictionStatus),
    prediction: p && num(p.score) !== null ? { score: p.score as number, band: String(p.band), revision: Number(p.revision) } : null,
    sourceEventId: str(item.sourceEventId),
  };
}

const NO_EXTRAS: TraceExtras = { changeEvents: [], changeEventsSource: 'not read', outcomes: [], outcomesSource: 'not read' };

export type VerdictKind = 'current' | 'stale' | 'never-seen' | 'rejected' | 'failed' | 'undelivered' | 'fixed-after-rejection' | 'scored-after-failure';

export interface DonorTrace {
  donorId: string;
  stored: StoredScore | null;
  /** The highest revision the pipeline stored or kept: the registry's last update it knows of. */
  latestRevisionSeen: number | null;
  kept: KeptRecord[];
  logs: TraceLogLine[];
  changeEvents: ChangeEventRecord[];
  changeEventsSource: string;
  outcomes: OutcomeRecord[];
  outcomesSource: string;
  timeline: { time: string | null; what: string }[];
  verdict: { kind: VerdictKind; text: string };
  fixes: string[];
}

export interface TraceContext {
  now: Date;
  staleAfterDays: number;
  /** How to redrive a queue on this target (AWS function or twin). */
  redriveCommand: (queueName: string) => string;
  replayHint: (from: string) => string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const day = (iso: string | null) => (iso ? new Date(iso).toISOString().slice(0, 10) : 'unknown date');

/** A kept message, if it is about `donorId`: its event's revision and why it was kept. */
export function keptRecordOf(donorId: string, queue: QueueKind, queueName: string, message: { body: string; sentAt: string | null; attributes: Record<string, string> }): KeptRecord | null {
  const kept = keptEventOf(message.body);
  if (!kept.ok) return null;
  const detail = kept.event.detail;
  if (!isObject(detail) || detail.donorId !== donorId) return null;
  const body = JSON.parse(message.body) as Record<string, unknown>;
  let reason = '';
  let keptAt = message.sentAt;
  if (kept.shape === 'rejected' && isObject(body.reason)) {
    reason = `${String(body.reason.field)} ${String(body.reason.rule)}`;
    if (typeof body.rejectedAt === 'string') keptAt = body.rejectedAt;
  } else if (kept.shape === 'on-failure') {
    const response = isObject(body.responsePayload) ? body.responsePayload : {};
    const condition = isObject(body.requestContext) ? String(body.requestContext.condition ?? '') : '';
    reason = [response.errorType, response.errorMessage].filter((v) => typeof v === 'string').join(': ') || condition || 'the function failed';
    if (typeof body.timestamp === 'string') keptAt = body.timestamp;
  } else {
    const a = message.attributes;
    reason = a.ErrorMessage ?? a.ERROR_MESSAGE ?? a.ErrorCode ?? a.ERROR_CODE ?? (queue === 'undelivered' ? 'EventBridge could not deliver it' : 'the function failed every attempt');
  }
  return {
    queue,
    queueName,
    eventId: kept.eventId,
    revision: typeof detail.revision === 'number' && Number.isInteger(detail.revision) ? detail.revision : null,
    updatedAt: typeof detail.updatedAt === 'string' ? detail.updatedAt : null,
    keptAt,
    reason,
  };
}

const revisionWords = (k: { revision: number | null; updatedAt: string | null }) =>
  `revision ${k.revision ?? '(invalid)'}${k.updatedAt && !Number.isNaN(Date.parse(k.updatedAt)) ? `, ${day(k.updatedAt)}` : ''}`;

export function traceDonor(donorId: string, stored: StoredScore | null, kept: KeptRecord[], logs: TraceLogLine[], context: TraceContext, extras: TraceExtras = NO_EXTRAS): DonorTrace {
  const timeline: DonorTrace['timeline'] = [];
  for (const c of extras.changeEvents) {
    const change = c.previousBand === null ? `first score, band ${c.band}` : `band ${c.previousBand} -> ${c.band}`;
    timeline.push({ time: c.time, what: `DonorReadinessChanged published (${change}, score ${c.score ?? '?'}, model ${c.modelVersion ?? '?'}, event ${c.eventId ?? 'without id'})` });
  }
  for (const o of extras.outcomes) {
    const prediction = o.prediction ? `predicted ${o.prediction.score} (${o.prediction.band}) from revision ${o.prediction.revision}` : `no prediction logged (${o.predictionStatus ?? 'unknown'})`;
    timeline.push({ time: o.requestedAt, what: `request ${o.requestId}: ${o.outcome ?? '?'}${o.reason ? ` (${o.reason})` : ''}; ${prediction}; recorded ${o.recordedAt ?? '?'}` });
  }
  for (const k of kept) {
    if (k.updatedAt) timeline.push({ time: k.updatedAt, what: `registry updated the donor: ${revisionWords(k)} (event ${k.eventId ?? 'without id'})` });
    timeline.push({ time: k.keptAt, what: `${revisionWords(k)} kept in the ${QUEUE_WORDS[k.queue]} ${k.queueName}: ${k.reason}` });
  }
  if (stored) {
    timeline.push({ time: stored.updatedAt, what: `registry updated the donor: revision ${stored.revision} (event ${stored.sourceEventId ?? 'without id'})` });
    timeline.push({ time: stored.scoredAt, what: `revision ${stored.revision} scored ${stored.score} (${stored.band}) with model ${stored.modelVersion}: stored` });
  }
  for (const l of logs) timeline.push({ time: l.time, what: `log (event ${l.eventId}): ${l.level} ${l.message}` });
  timeline.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
  const unique = timeline.filter((t, i) => i === 0 || t.time !== timeline[i - 1].time || t.what !== timeline[i - 1].what);

  const revisions = [stored?.revision ?? null, ...kept.map((k) => k.revision)].filter((r): r is number => r !== null);
  const latestRevisionSeen = revisions.length ? Math.max(...revisions) : null;
  const storedRevision = stored?.revision ?? 0;
  // Events newer than the stored score (an invalid revision counts as newer when it came later).
  const newer = kept
    .filter((k) => (k.revision !== null ? k.revision > storedRevision : !stored || (k.keptAt ?? '') > stored.scoredAt))
    .sort(
      (a, b) =>
        (b.revision ?? Number.MAX_SAFE_INTEGER) - (a.revision ?? Number.MAX_SAFE_INTEGER) ||
        // The on-failure record carries the error; the dead-letter copy of the same event only its message.
        QUEUE_PREFERENCE.indexOf(a.queue) - QUEUE_PREFERENCE.indexOf(b.queue) ||
        (b.keptAt ?? '').localeCompare(a.keptAt ?? ''),
    );
  const storedWords = stored ? `the stored score is from revision ${stored.revision} (${day(stored.updatedAt)}), scored ${day(stored.scoredAt)}` : 'no score is stored for this donor';
  const fixes: string[] = [];
  const queuesOf = (kinds: QueueKind[]) => [...new Set(kept.filter((k) => kinds.includes(k.queue)).map((k) => k.queueName))];
  let verdict: DonorTrace['verdict'];

  const latest = newer[0];
  if (latest?.queue === 'rejected') {
    verdict = { kind: 'rejected', text: `latest event (${revisionWords(latest)}) was rejected: ${latest.reason}; ${storedWords}.` };
    fixes.push(`ask the registry to correct ${latest.reason.split(' ')[0]} and publish a new revision (a corrected event is scored on arrival)`);
    for (const q of queuesOf(['rejected'])) fixes.push(`if the rule itself was wrong and has been fixed: ${context.redriveCommand(q)} --dry-run, then without --dry-run`);
  } else if (latest && (latest.queue === 'failed-scoring' || latest.queue === 'dead-letter')) {
    verdict = { kind: 'failed', text: `latest event (${revisionWords(latest)}) failed scoring: ${latest.reason}; it is kept in the ${QUEUE_WORDS[latest.queue]}; ${storedWords}.` };
    fixes.push('fix the cause named above (the alert e-mail and drs diagnose show whether it is still happening), then redrive:');
    for (const q of queuesOf(['failed-scoring', 'dead-letter'])) fixes.push(context.redriveCommand(q));
    fixes.push('(the same event is kept in both queues; the second redrive finds it scored and changes nothing)');
  } else if (latest?.queue === 'undelivered') {
    verdict = { kind: 'undelivered', text: `latest event (${revisionWords(latest)}) never reached the scoring function: EventBridge gave up delivering it (${latest.reason}); ${storedWords}.` };
    for (const q of queuesOf(['undelivered'])) fixes.push(context.redriveCommand(q));
  } else if (stored && kept.some((k) => k.eventId !== null && k.eventId === stored.sourceEventId)) {
    const first = kept.find((k) => k.eventId === stored.sourceEventId)!;
    verdict = {
      kind: 'scored-after-failure',
      text: `event ${stored.sourceEventId} (revision ${stored.revision}) failed at first (${first.reason}) and was scored later, on ${day(stored.scoredAt)} (redriven): the stored score is current. Copies are still kept in ${queuesOf(['failed-scoring', 'dead-letter', 'undelivered', 'rejected']).join(', ')}.`,
    };
    for (const q of queuesOf(['failed-scoring', 'dead-letter', 'undelivered'])) fixes.push(`nothing to fix for this donor; to empty the queue: ${context.redriveCommand(q)} (a stored event is a no-op)`);
  } else if (stored && kept.length) {
    const older = [...kept].sort((a, b) => (b.revision ?? 0) - (a.revision ?? 0))[0];
    verdict = {
      kind: 'fixed-after-rejection',
      text: `${revisionWords(older)} was ${older.queue === 'rejected' ? `rejected (${older.reason})` : `kept in the ${QUEUE_WORDS[older.queue]} (${older.reason})`}, but revision ${stored.revision}, sent after it, is stored (scored ${day(stored.scoredAt)}): the score is current.`,
    };
    fixes.push('nothing to fix: the kept message is older than the stored score (redriving it would change nothing)');
  } else if (stored) {
    const ageDays = Math.floor((context.now.getTime() - Date.parse(`${stored.scoringDate}T00:00:00Z`)) / 86_400_000);
    if (ageDays > context.staleAfterDays) {
      verdict = {
        kind: 'stale',
        text: `the stored score (revision ${stored.revision}, updated ${day(stored.updatedAt)}) was computed ${ageDays} days ago, on ${stored.scoringDate}; nothing newer reached the pipeline since, so its time-dependent features (contact freshness, time on the registry) have aged.`,
      };
      fixes.push(`check that the registry published this donor's later updates: ${context.replayHint(stored.updatedAt)}`);
      fixes.push('rescore with today\'s date: re-send the donor\'s latest update (any revision equal to the stored one is rescored when the scoring date is newer)');
    } else {
      verdict = {
        kind: 'current',
        text: `stored: score ${stored.score} (${stored.band}) from revision ${stored.revision} (${day(stored.updatedAt)}, event ${stored.sourceEventId ?? 'without id'}), scored ${day(stored.scoredAt)} with model ${stored.modelVersion}; no later event was kept. If the application shows something else, it is not reading this score (or caches it).`,
      };
    }
  } else {
    verdict = {
      kind: 'never-seen',
      text: `nothing the pipeline stored or kept mentions donor ${donorId}: check that the registry published the update (with the source and detail-type the rule matches), and that it is not older than the queues' 14 days.`,
    };
    fixes.push(context.replayHint(new Date(context.now.getTime() - 7 * 86_400_000).toISOString()));
  }
  const { changeEvents, changeEventsSource, outcomes, outcomesSource } = extras;
  return { donorId, stored, latestRevisionSeen, kept, logs, changeEvents, changeEventsSource, outcomes, outcomesSource, timeline: unique, verdict, fixes };
}

export function formatTrace(t: DonorTrace, permissions: string[]): string {
  const lines = [`donor ${t.donorId}`];
  if (t.stored) lines.push(`  stored          revision ${t.stored.revision}, updated ${t.stored.updatedAt}, scored ${t.stored.scoredAt}, model ${t.stored.modelVersion}, event ${t.stored.sourceEventId ?? '-'}`);
  else lines.push('  stored          nothing');
  lines.push(`  latest revision ${t.latestRevisionSeen ?? '-'} (the highest the pipeline stored or kept)`);
  lines.push(`  kept messages   ${t.kept.length ? t.kept.map((k) => `${QUEUE_WORDS[k.queue]} (${revisionWords(k)})`).join(', ') : 'none'}`);
  // In AWS none are stored: a count of 0 would read as "none were published".
  lines.push(`  change events   ${t.changeEventsSource.startsWith('not stored') ? '-' : t.changeEvents.length} (${t.changeEventsSource})`);
  lines.push(`  outcomes        ${t.outcomes.length ? t.outcomes.map((o) => `${o.requestId} ${o.outcome ?? '?'}`).join(', ') : 'none'} (${t.outcomesSource})`);
  if (t.timeline.length) {
    lines.push('  timeline');
    for (const e of t.timeline) lines.push(`    ${(e.time ?? 'unknown time').padEnd(24)}  ${e.what}`);
  }
  lines.push('', `Verdict: ${t.verdict.text}`);
  if (t.fixes.length) lines.push('', 'To fix:', ...t.fixes.map((f) => `  ${f}`));
  lines.push('', `Read-only. Needs: ${permissions.join('; ')}`);
  return lines.join('\n');
}
