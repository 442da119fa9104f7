// The e-mail an alert subscriber receives: what failed, how many (by kind: field and rule, or
// error; and the other classes' counts), the window, sample event ids, the first error, a Logs
// Insights query that selects every failure of the window, and the command that redrives the kept events. Built only from event ids,
// failure classes and contract field names: never a donorId, never a donor attribute.

export type FailureClass = 'rejected' | 'model' | 'failed';

export interface AlertFacts {
  stage: string;
  failureClass: FailureClass;
  count: number;
  /** All the event ids, or a sample of them (then `sampled` is true). */
  eventIds: string[];
  sampled?: boolean;
  /** Already free of donor data: a field name and rule, or an error message of our own. */
  firstError: string;
  logGroupName: string;
  queueName: string;
  /** The scoring function, for the redrive command; omitted, the command leaves a placeholder. */
  functionName?: string;
  /** Set only by the local twin (its work dir): the redrive command then re-sends through the twin. */
  localTwinWorkDir?: string;
  /** The time the count covers (alert throttling). */
  window?: { from: string; to: string };
  /** The throttling window: at most one e-mail per class this often. */
  windowMinutes?: number;
  /** The count by kind (field and rule for rejected events, error name or message otherwise). */
  byKind?: Record<string, number>;
  /** Failures pending in every class when this e-mail was sent (this class's count included). */
  allClasses?: Partial<Record<FailureClass, number>>;
}

export interface AlertMessage {
  subject: string;
  body: string;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

const WHAT_FAILED: Record<FailureClass, (n: number) => string> = {
  rejected: (n) =>
    `${n} DonorUpdated ${plural(n, 'event was', 'events were')} rejected: ${plural(n, 'it breaks', 'they break')} the event contract. ` +
    'Rejected events are not retried; each is kept whole in the rejected-events queue with the field and rule it broke.',
  model: (n) =>
    `${n} scoring ${plural(n, 'attempt', 'attempts')} failed because the model could not be loaded or run. ` +
    'Lambda retries each event twice, then keeps it in the failed-scoring queue; nothing is lost.',
  failed: (n) =>
    `${n} scoring ${plural(n, 'attempt', 'attempts')} failed (DynamoDB, SQS or an unexpected error). ` +
    'Lambda retries each event twice; an event that fails every attempt is kept in the failed-scoring queue.',
};

const CAUSE: Record<FailureClass, string> = {
  rejected:
    'Tell the registry team which field and rule broke (above) so the publisher is fixed; the registry then re-publishes the record. ' +
    'If the contract itself was wrong, fix and deploy the pipeline first, then redrive.',
  model:
    'Check that model/manifest.json and the ONNX file deployed together (same training run) and that the function may read the model bucket; ' +
    'redeploy with npx cdk deploy, then redrive.',
  failed: 'Read the log lines for these event ids (query above) to find the cause (DynamoDB throttling, permissions, a bug) and fix it, then redrive.',
};

const SUBJECT_LIMIT = 100; // SNS e-mail subjects are at most 100 characters
const LISTED_IDS = 20;
const LISTED_KINDS = 30;
/** Logs Insights returns at most this many rows per query. */
const INSIGHTS_ROWS = 10_000;
/** Log lines are written a moment before the failure is counted: the query starts this much earlier. */
const QUERY_LEAD_SECONDS = 60;

const KIND_HEADING: Record<FailureClass, string> = { rejected: 'By field and rule', model: 'By error', failed: 'By error' };

/** Logs Insights over the window: every failure of the class, and the same counted by kind. */
export function failureQueries(failureClass: FailureClass): { list: string; counts: string } {
  const head = `fields @timestamp, eventId, failureClass, field, rule, error, message\n| filter failureClass = "${failureClass}"`;
  return {
    list: `${head}\n| sort @timestamp asc\n| limit ${INSIGHTS_ROWS}`,
    counts: `${head}\n| stats count(*) as failures by field, rule, error\n| sort failures desc`,
  };
}

function queryLines(facts: AlertFacts): string[] {
  const queries = failureQueries(facts.failureClass);
  const indent = (text: string) => text.split('\n').map((line) => `    ${line}`);
  const lines = [
    facts.window
      ? `- CloudWatch Logs Insights, log group ${facts.logGroupName}, time range ${isoSeconds(Date.parse(facts.window.from) / 1000 - QUERY_LEAD_SECONDS)} to ${isoSeconds(Date.parse(facts.window.to) / 1000 + 1)} (UTC): every failure of this e-mail:`
      : `- CloudWatch Logs Insights, log group ${facts.logGroupName}: every failure of this class:`,
    ...indent(queries.list),
    '  the same counted by field and rule (or error):',
    ...indent(queries.counts),
  ];
  if (facts.window) {
    const start = Math.floor(Date.parse(facts.window.from) / 1000) - QUERY_LEAD_SECONDS;
    const end = Math.ceil(Date.parse(facts.window.to) / 1000) + 1;
    lines.push(
      '  or from a shell (then aws logs get-query-results --query-id <the id it prints>):',
      `    aws logs start-query --log-group-name ${facts.logGroupName} --start-time ${start} --end-time ${end} --query-string '${queries.list.replace(/\n/g, ' ')}'`,
    );
  }
  if (facts.count > INSIGHTS_ROWS) lines.push(`  A query returns at most ${INSIGHTS_ROWS} rows: use the counting query, or split the time range.`);
  return lines;
}

const isoSeconds = (epochSeconds: number) => new Date(Math.floor(epochSeconds) * 1000).toISOString().replace('.000Z', 'Z');

function kindLines(facts: AlertFacts): string[] {
  const kinds = Object.entries(facts.byKind ?? {}).sort(([a, m], [b, n]) => n - m || a.localeCompare(b));
  if (kinds.length === 0) return [];
  const width = String(kinds[0][1]).length;
  const shown = kinds.slice(0, LISTED_KINDS).map(([kind, n]) => `  ${String(n).padStart(width)}  ${kind}`);
  const counted = kinds.reduce((sum, [, n]) => sum + n, 0);
  const rest = kinds.length > LISTED_KINDS ? [`  … and ${kinds.length - LISTED_KINDS} more kinds (the counting query below lists them all)`] : [];
  // Failures recorded by a version that did not count kinds yet (state items live up to 30 days).
  const unsorted = facts.count > counted ? [`  ${String(facts.count - counted).padStart(width)}  (kind not recorded)`] : [];
  return [`${KIND_HEADING[facts.failureClass]}:`, ...shown, ...rest, ...unsorted];
}

function classesLine(facts: AlertFacts): string[] {
  if (!facts.allClasses) return [];
  const parts = (['rejected', 'model', 'failed'] as FailureClass[]).map(
    (c) => `${c} ${c === facts.failureClass ? `${facts.count} (this e-mail)` : (facts.allClasses![c] ?? 0)}`,
  );
  return [`All failure classes not yet e-mailed: ${parts.join(', ')}`];
}

// A work dir as a shell word: plain paths as they are, anything else in single quotes.
const shellWord = (text: string) => (/^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** The command that lists what a redrive would move: to the AWS function, or through the local twin (its work dir). */
export function redriveCommand(queueName: string, functionName?: string, localTwinWorkDir?: string): string {
  if (localTwinWorkDir !== undefined) {
    // `--twin` alone means .drs, npm start's default work dir.
    const twin = localTwinWorkDir.replace(/\/+$/, '') === '.drs' ? '--twin' : `--twin ${shellWord(localTwinWorkDir)}`;
    return `npx drs redrive ${twin} --queue ${queueName} --dry-run`;
  }
  return `npx drs redrive --queue ${queueName} --function ${functionName ?? '<scoring function name>'} --dry-run`;
}

export function formatAlert(facts: AlertFacts): AlertMessage {
  const { stage, failureClass, count, eventIds } = facts;
  const subject = `[donor-readiness ${stage}] ${failureClass}: ${count} ${failureClass === 'rejected' ? plural(count, 'event', 'events') : plural(count, 'attempt', 'attempts')}`.slice(0, SUBJECT_LIMIT);
  const ids = eventIds.slice(0, LISTED_IDS);
  const idsLabel = facts.sampled
    ? `Sample event ids (${ids.length} of ${count})`
    : eventIds.length > ids.length
      ? `Event ids (first ${ids.length} of ${eventIds.length})`
      : 'Event ids';
  const redrive = redriveCommand(facts.queueName, facts.functionName, facts.localTwinWorkDir);
  const body = [
    `What failed: ${WHAT_FAILED[failureClass](count)}`,
    '',
    `Stage: ${stage}`,
    `Failure class: ${failureClass}`,
    `Count: ${count}${facts.window ? ` (from ${facts.window.from} to ${facts.window.to})` : ''}`,
    ...kindLines(facts),
    ...classesLine(facts),
    `${idsLabel}: ${ids.join(', ')}`,
    `First error: ${facts.firstError}`,
    '',
    'Where to look:',
    `- Log group: ${facts.logGroupName}`,
    `- Queue: ${facts.queueName}`,
    ...queryLines(facts),
    '',
    `Next step: ${CAUSE[failureClass]}`,
    `Redrive the events kept in ${facts.queueName} (README, "Redrive"): look first with`,
    `    ${redrive}`,
    facts.localTwinWorkDir === undefined
      ? 'then run it again without --dry-run.'
      : 'then run it again without --dry-run. On this machine the queues live only while the twin runs: redrive from a run kept up with npm start -- --serve.',
    '',
    ...(facts.windowMinutes
      ? [`At most one e-mail per failure class every ${facts.windowMinutes} minutes: failures after this one are counted in the next e-mail.`]
      : []),
    'This e-mail carries event ids only, never donor data.',
  ].join('\n');
  return { subject, body };
}
