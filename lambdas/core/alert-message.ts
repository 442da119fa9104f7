// The e-mail an alert subscriber receives: what failed, which events, the first error, where to
// look and what to do next. Built only from event ids, failure classes and contract field names:
// never a donorId, never a donor attribute.

export type FailureClass = 'rejected' | 'model' | 'failed';

export interface AlertFacts {
  stage: string;
  failureClass: FailureClass;
  count: number;
  eventIds: string[];
  /** Already free of donor data: a field name and rule, or an error message of our own. */
  firstError: string;
  logGroupName: string;
  queueName: string;
  /** Optional: the time window the count covers (alert throttling). */
  window?: { from: string; to: string };
}

export interface AlertMessage {
  subject: string;
  body: string;
}

const WHAT_FAILED: Record<FailureClass, (n: number) => string> = {
  rejected: (n) =>
    `${n} DonorUpdated event${n === 1 ? ' was' : 's were'} rejected: ${n === 1 ? 'it breaks' : 'they break'} the event contract. ` +
    'Rejected events are not retried; each is kept whole in the rejected-events queue with the field and rule it broke.',
  model: (n) =>
    `${n} DonorUpdated event${n === 1 ? '' : 's'} could not be scored because the model could not be loaded or run. ` +
    'Lambda retries each event twice, then moves it to the failed-scoring queue; nothing is lost.',
  failed: (n) =>
    `${n} DonorUpdated event${n === 1 ? '' : 's'} failed to be scored after all retries and ${n === 1 ? 'is' : 'are'} in the failed-scoring queue.`,
};

const NEXT_STEP: Record<FailureClass, (queue: string) => string> = {
  rejected: (queue) =>
    `Tell the registry team which field and rule broke (above) so the publisher is fixed. Once fixed upstream, the registry re-publishes the record; ` +
    `or, if the contract was wrong, fix and deploy the pipeline, then redrive the events kept in ${queue} (README, "Redrive")`,
  model: (queue) =>
    'Check that model/manifest.json and the ONNX file deployed together (same training run) and that the function may read the model bucket; ' +
    `redeploy with npx cdk deploy, then redrive the events kept in ${queue} (README, "Redrive")`,
  failed: (queue) =>
    `Read the log lines for these event ids (query above) to find the cause (DynamoDB throttling, permissions, a bug), fix it, then redrive the events kept in ${queue} (README, "Redrive")`,
};

const SUBJECT_LIMIT = 100; // SNS e-mail subjects are at most 100 characters

export function formatAlert(facts: AlertFacts): AlertMessage {
  const { stage, failureClass, count, eventIds } = facts;
  const subject = `[donor-readiness ${stage}] ${failureClass}: ${count} event${count === 1 ? '' : 's'}`.slice(0, SUBJECT_LIMIT);
  const ids = eventIds.slice(0, 20);
  const idList = ids.map((id) => JSON.stringify(id)).join(', ');
  const query =
    'fields @timestamp, level, message, eventId, failureClass, field, rule, error\n' +
    `| filter eventId in [${idList}]\n| sort @timestamp desc\n| limit 100`;
  const body = [
    `What failed: ${WHAT_FAILED[failureClass](count)}`,
    '',
    `Stage: ${stage}`,
    `Failure class: ${failureClass}`,
    `Count: ${count}${facts.window ? ` (from ${facts.window.from} to ${facts.window.to})` : ''}`,
    `Event ids${eventIds.length > ids.length ? ` (first ${ids.length} of ${eventIds.length})` : ''}: ${ids.join(', ')}`,
    `First error: ${facts.firstError}`,
    '',
    'Where to look:',
    `- Log group: ${facts.logGroupName}`,
    `- Queue: ${facts.queueName}`,
    '- CloudWatch Logs Insights query (select the log group above):',
    ...query.split('\n').map((line) => `    ${line}`),
    '',
    `Next step: ${NEXT_STEP[failureClass](facts.queueName)}`,
    '',
    'This e-mail carries event ids only, never donor data.',
  ].join('\n');
  return { subject, body };
}
