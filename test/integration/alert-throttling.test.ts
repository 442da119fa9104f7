// Alert throttling on the local twin: the real bundled scoring and digest functions, dynalite for
// the alert state, fauxqs for the topic and its e-mail subscribers, and faults in front of both.
import { CreateTableCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { AlertWindows } from '../../lambdas/alert-digest/alert-windows';
import { sendAlertDigest, type DigestDeps } from '../../lambdas/alert-digest/send-alert-digest';
import { anyRequest, CONNECTION_DROPPED, dynamoDbOperation, DYNAMODB_THROTTLING, SNS_UNAVAILABLE, startFaultProxy, type FaultProxy } from '../../twin/fault-proxy';
import { captureHandlerLogs, withHandlerLogsDropped } from '../../twin/local-function';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';
import { alertDigest, coldStart, readMailbox, startTestPipeline, type TestPipeline } from './local-pipeline';

let test: TestPipeline;
let proxies: FaultProxy[] = [];
beforeAll(async () => {
  test = await startTestPipeline({ stage: 'itest', alertEmails: 'team@example.org' });
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await test?.stop();
});

const proxy = async (target: string) => {
  const p = await startFaultProxy(target);
  proxies.push(p);
  return p;
};
const invalidEvent = (id: string) => donorUpdatedEvent({ ...validDetail({ donorId: `D-BURST-${id}` }), revision: 0 }, id);
const queue = (prefix: string) => test.pipeline.queues.find((q) => q.logicalId.startsWith(prefix))!;
const depth = async (url: string) =>
  Number((await test.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!.ApproximateNumberOfMessages);

async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

// The burst is what a broken producer sends in a minute, scored 16 at a time as Lambda would run
// them: every failure counted by an atomic ADD beside the others, the sample filled by conditional
// writes that race until it holds 10, then each failure counted without its id. 2,000 events cross
// every one of those paths under the same concurrency as 10,000 (the sample is full after the first
// few dozen); 10,000 took four fifths of this file's time and proved nothing the 2,000 do not.
const BURST = 2_000;

describe(`a burst of ${BURST.toLocaleString('en-US')} rejected events`, () => {
  it('is one e-mail with the count and sample event ids, and the next digest in the window sends none', async () => {
    const score = coldStart(test);
    const ids = Array.from({ length: BURST }, (_, i) => `burst-${String(i).padStart(5, '0')}`);
    await withHandlerLogsDropped(() => inParallel(ids, 16, (id) => score(invalidEvent(id))));
    expect(await depth(queue('ScoringFunctionRejectedEvents').url)).toBe(BURST);

    const digest = alertDigest(test);
    const outcomes = await withHandlerLogsDropped(() => digest());
    expect(outcomes).toContainEqual({ failureClass: 'rejected', outcome: 'sent', count: BURST });
    const mails = await readMailbox(test);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe(`[donor-readiness itest] rejected: ${BURST} events`);
    const sample = new RegExp(`Sample event ids \\(10 of ${BURST}\\): (.*)`).exec(mails[0].body)![1].split(', ');
    expect(sample).toHaveLength(10);
    expect(new Set(sample).size).toBe(10);
    for (const id of sample) expect(ids).toContain(id);
    expect(mails[0].body).toContain('First error: revision must be >= 1');
    expect(mails[0].body).toContain(`By field and rule:\n  ${BURST}  revision must be >= 1\nAll failure classes not yet e-mailed: rejected ${BURST} (this e-mail), model 0, failed 0`);
    expect(mails[0].body).toContain('| filter failureClass = "rejected"');
    expect(mails[0].body).toContain(`npx drs redrive --queue ${queue('ScoringFunctionRejectedEvents').name} --function `);
    expect(mails[0].body).toContain('At most one e-mail per failure class every 15 minutes');

    // More failures inside the window are counted, not e-mailed.
    await withHandlerLogsDropped(() => inParallel(['late-1', 'late-2', 'late-3'], 3, (id) => score(invalidEvent(id))));
    const again = await withHandlerLogsDropped(() => digest());
    expect(again.find((o) => o.failureClass === 'rejected')).toMatchObject({ outcome: 'held', pending: 3 });
    expect(await readMailbox(test)).toHaveLength(0);
  }, 600_000); // 2,000 invocations: about 10 s alone on 2 idle cores, several times that beside other test files
});

describe('alert windows in DynamoDB, with a clock', () => {
  const T0 = Date.parse('2026-11-23T08:00:00Z');
  let windows: AlertWindows;
  let clock = T0;
  let snsDown = false;
  const logs: string[] = [];
  let deps: DigestDeps;

  beforeAll(async () => {
    const table = 'clocked-alert-state';
    await test.clients.dynamodb.send(
      new CreateTableCommand({ TableName: table, KeySchema: [{ AttributeName: 'failureClass', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'failureClass', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
    );
    // Written to at once: wait until it is ACTIVE (CREATING answers writes with ResourceNotFoundException).
    await waitUntilTableExists({ client: test.clients.dynamodb, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { TableName: table });
    windows = new AlertWindows(test.clients.dynamodb, table);
    const topicArn = test.pipeline.alertDigest!.environment.ALERT_TOPIC_ARN;
    deps = {
      windows,
      publisher: {
        publish: async ({ subject, body }) => {
          if (snsDown) throw Object.assign(new Error('injected'), { name: 'ServiceUnavailable' });
          await test.clients.sns.send(new PublishCommand({ TopicArn: topicArn, Subject: subject, Message: body }));
        },
      },
      log: { info: () => undefined, error: (message) => void logs.push(message) },
      now: () => new Date(clock),
      settings: { stage: 'clock', windowMinutes: 15, scoringLogGroupName: 'lg', scoringFunctionName: 'fn', queueNames: { rejected: 'r', model: 'f', failed: 'f' } },
    };
  });
  const record = (id: string, error = 'ModelIntegrityError: bad bytes') => windows.record({ failureClass: 'model', eventId: id, error }, new Date(clock));
  const modelOutcome = async () => (await sendAlertDigest(deps)).find((o) => o.failureClass === 'model');

  it('sends at most one e-mail per window, carrying what was held to the next window', async () => {
    await Promise.all(['m1', 'm2', 'm3'].map((id) => record(id)));
    expect(await modelOutcome()).toEqual({ failureClass: 'model', outcome: 'sent', count: 3 });
    clock = T0 + 5 * 60_000;
    await Promise.all([record('m4'), record('m5', 'manifest features differ')]);
    expect(await modelOutcome()).toEqual({ failureClass: 'model', outcome: 'held', pending: 2, nextAlertAt: '2026-11-23T08:15:00.000Z' });
    clock = T0 + 15 * 60_000;
    expect(await modelOutcome()).toEqual({ failureClass: 'model', outcome: 'sent', count: 2 });
    clock = T0 + 16 * 60_000;
    expect(await modelOutcome()).toEqual({ failureClass: 'model', outcome: 'quiet' });
    const mails = await readMailbox(test);
    expect(mails.map((m) => m.subject)).toEqual(['[donor-readiness clock] model: 3 attempts', '[donor-readiness clock] model: 2 attempts']);
    expect(mails[1].body).toContain('Event ids: m4, m5');
    expect(mails[1].body).toContain('(from 2026-11-23T08:05:00.000Z to 2026-11-23T08:15:00.000Z)');
    // The second e-mail counts only its own window's kinds: the first three were claimed.
    expect(mails[0].body).toContain('By error:\n  3  ModelIntegrityError: bad bytes\n');
    expect(mails[1].body).toContain('By error:\n  1  manifest features differ\n  1  ModelIntegrityError: bad bytes\n');
  });

  it('lets only one of two overlapping digests send', async () => {
    clock = T0 + 40 * 60_000;
    await record('m6');
    const outcomes = await Promise.all([modelOutcome(), modelOutcome(), modelOutcome()]);
    expect(outcomes.filter((o) => o!.outcome === 'sent')).toHaveLength(1);
    expect((await readMailbox(test)).length).toBe(1);
  });

  it('keeps the count when SNS is down and sends it all once SNS is back', async () => {
    clock = T0 + 60 * 60_000;
    await Promise.all([record('m7'), record('m8', 'manifest features differ')]);
    snsDown = true;
    expect(await modelOutcome()).toMatchObject({ outcome: 'publish-failed', pending: 2 });
    expect(logs).toContain('alert e-mail could not be published to SNS; the failures stay pending and the next digest retries');
    await record('m9');
    snsDown = false;
    clock += 60_000;
    expect(await modelOutcome()).toEqual({ failureClass: 'model', outcome: 'sent', count: 3 });
    const [mail] = await readMailbox(test);
    expect(mail.body).toContain('Event ids: m7, m8, m9');
    // What the failed e-mail claimed was given back, kinds included.
    expect(mail.body).toContain('By error:\n  2  ModelIntegrityError: bad bytes\n  1  manifest features differ\n');
  });
});

describe('faults in front of the real functions', () => {
  it('a dropped connection to DynamoDB is retried by the SDK and the event is scored', async () => {
    const dynamo = await proxy(test.endpoints.dynamodb);
    dynamo.inject({ matches: dynamoDbOperation('PutItem'), times: 2, ...CONNECTION_DROPPED });
    const score = coldStart(test, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.url });
    const result = await withHandlerLogsDropped(() => score(donorUpdatedEvent(validDetail({ donorId: 'D-FAULT-DROP' }), 'dropped-1')));
    expect(result).toMatchObject({ outcome: 'scored', eventId: 'dropped-1' });
    expect(dynamo.failed).toBe(2);
  });

  it('scoring goes on when the alert state cannot be written, and the log says so', async () => {
    const dynamo = await proxy(test.endpoints.dynamodb);
    dynamo.inject({ matches: dynamoDbOperation('UpdateItem'), times: 1_000, ...DYNAMODB_THROTTLING });
    const score = coldStart(test, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.url });
    const { result, lines } = await captureHandlerLogs(async () => [
      await score(donorUpdatedEvent(validDetail({ donorId: 'D-FAULT-OK' }), 'fault-ok')),
      await score(invalidEvent('fault-bad')),
    ]);
    expect(result).toEqual([expect.objectContaining({ outcome: 'scored' }), expect.objectContaining({ outcome: 'rejected' })]);
    const notRecorded = lines.map((l) => JSON.parse(l)).filter((l) => l.message?.startsWith('alert could not be recorded'));
    expect(notRecorded).toEqual([expect.objectContaining({ level: 'ERROR', eventId: 'fault-bad', failureClass: 'rejected', error: 'ThrottlingException' })]);
  });

  it('a throttled score table fails the attempt (Lambda retries it), and the e-mail waits while SNS is down', async () => {
    const dynamo = await proxy(test.endpoints.dynamodb);
    dynamo.inject({ matches: dynamoDbOperation('PutItem'), times: 1_000, ...DYNAMODB_THROTTLING });
    const score = coldStart(test, { AWS_ENDPOINT_URL_DYNAMODB: dynamo.url });
    const { lines } = await captureHandlerLogs(async () => {
      await expect(score(donorUpdatedEvent(validDetail({ donorId: 'D-FAULT-T' }), 'throttled-1'))).rejects.toThrow(/injected throttling/);
    });
    expect(lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: expect.stringMatching(/^scoring failed: Lambda retries the event/), eventId: 'throttled-1', error: 'ThrottlingException: injected throttling' }),
    );

    const sns = await proxy(test.endpoints.fauxqs);
    sns.inject({ matches: anyRequest, times: 1_000, ...SNS_UNAVAILABLE });
    const downDigest = alertDigest(test, { AWS_ENDPOINT_URL_SNS: sns.url });
    const down = await captureHandlerLogs(() => downDigest());
    expect(down.result.find((o) => o.failureClass === 'failed')).toMatchObject({ outcome: 'publish-failed', pending: 1 });
    expect(down.lines.map((l) => JSON.parse(l))).toContainEqual(
      expect.objectContaining({ level: 'ERROR', message: 'alert e-mail could not be published to SNS; the failures stay pending and the next digest retries', failureClass: 'failed' }),
    );
    expect(await readMailbox(test)).toHaveLength(0);

    const upDigest = alertDigest(test);
    expect((await withHandlerLogsDropped(() => upDigest())).find((o) => o.failureClass === 'failed')).toMatchObject({ outcome: 'sent', count: 1 });
    const [mail] = await readMailbox(test);
    expect(mail.subject).toBe('[donor-readiness itest] failed: 1 attempt');
    expect(mail.body).toContain('First error: ThrottlingException: injected throttling');
  });
});
