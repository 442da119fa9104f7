// The e-mail an alert subscriber receives: what failed, how many, sample event ids, the first
// error, where to look and the command that redrives the kept events. Built only from event ids,
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
  /** The time the count covers (alert throttling). */
  window?: { from: string; to: string };
  /** The throttling window: at most one e-mail per class this often. */
  windowMinutes?: number;
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

export function redriveCommand(queueName: string, functionName?: string): string {
  return `npx drs redrive --queue ${queueName} --function ${functionName ?? '<scoring function name>'} --dry-run`;
}

export function formatAlert(facts: AlertFacts): AlertMessage {
  const { stage, failureClass, count, eventIds } = facts;
  const subject = `[donor-readiness ${stage}] ${failureClass}: ${count} ${failureClass === 'rejected' ? plural(count, 'event', 'events') : plural(count, 'attempt', 'attempts')}`.slice(0, SUBJECT_LIMIT);
  const ids = eventIds.slice(0, LISTED_IDS);
  const idList = ids.map((id) => JSON.stringify(id)).join(', ');
  const idsLabel = facts.sampled
    ? `Sample event ids (${ids.length} of ${count})`
    : eventIds.length > ids.length
      ? `Event ids (first ${ids.length} of ${eventIds.length})`
      : 'Event ids';
  const query =
    'fields @timestamp, level, message, eventId, failureClass, field, rule, error\n' +
    `| filter eventId in [${idList}]\n| sort @timestamp desc\n| limit 100`;
  const redrive = redriveCommand(facts.queueName, facts.functionName);
  const body = [
    `What failed: ${WHAT_FAILED[failureClass](count)}`,
    '',
    `Stage: ${stage}`,
    `Failure class: ${failureClass}`,
    `Count: ${count}${facts.window ? ` (from ${facts.window.from} to ${facts.window.to})` : ''}`,
    `${idsLabel}: ${ids.join(', ')}`,
    `First error: ${facts.firstError}`,
    '',
    'Where to look:',
    `- Log group: ${facts.logGroupName}`,
    `- Queue: ${facts.queueName}`,
    '- CloudWatch Logs Insights query (select the log group above):',
    ...query.split('\n').map((line) => `    ${line}`),
    '',
    `Next step: ${CAUSE[failureClass]}`,
    `Redrive the events kept in ${facts.queueName} (README, "Redrive"): look first with`,
    `    ${redrive}`,
    'then run it again without --dry-run.',
    '',
    ...(facts.windowMinutes
      ? [`At most one e-mail per failure class every ${facts.windowMinutes} minutes: failures after this one are counted in the next e-mail.`]
      : []),
    'This e-mail carries event ids only, never donor data.',
  ].join('\n');
  return { subject, body };
}
