// `drs redrive` after a model outage on the local twin: events dead-lettered while the model object
// was missing are re-sent with their original ids once it is back, each message deleted only after
// its event was re-sent, and a second run changes nothing. Then the AWS path, against a local
// stand-in for the Lambda Invoke API.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { formatRedriveReport, runRedrive } from '../../cli/redrive-command';
import { DYNAMODB_SERVER_ERROR, dynamoDbOperation, s3ObjectEndingWith, S3_NO_SUCH_KEY, startFaultProxy, type FaultProxy } from '../../twin/fault-proxy';
import { runTwin, scanTable, type TwinRun } from '../../twin/run-twin';
import { writeTwinSession } from '../../twin/twin-session';
import { captureHandlerLogs, loadHandler, withHandlerLogsDropped } from '../../twin/local-function';
import { deliverAll } from '../../twin/local-delivery';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

let workDir: string;
let run: TwinRun;
let s3: FaultProxy;
const valid = ['a', 'b', 'c', 'd'].map((k, i) => donorUpdatedEvent(validDetail({ donorId: `D-REDRIVE-${k.toUpperCase()}`, revision: 2 + i }), `redrive-${k}`));
const invalid = donorUpdatedEvent({ ...validDetail({ donorId: 'D-REDRIVE-BAD' }), revision: -1 }, 'redrive-bad');

const queueNamed = (prefix: string) => run.pipeline.queues.find((q) => q.logicalId.startsWith(prefix))!;
const depth = async (prefix: string) =>
  Number((await run.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueNamed(prefix).url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!.ApproximateNumberOfMessages);
const redrive = (queuePrefix: string, options: { dryRun?: boolean; limit?: number } = {}) =>
  withHandlerLogsDropped(() => runRedrive({ queue: queueNamed(queuePrefix).name, twin: workDir, dryRun: options.dryRun ?? false, limit: options.limit, json: true }));

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'drs-redrive-'));
  const file = join(workDir, 'events.jsonl');
  writeFileSync(file, [...valid, invalid].map((e) => JSON.stringify(e)).join('\n') + '\n');
  run = await runTwin({
    events: 0,
    eventsFile: file,
    badFraction: 0,
    concurrency: 2,
    seed: 1,
    asOf: new Date().toISOString().slice(0, 10),
    workDir,
    alertEmails: 'team@example.org',
    // The model object is missing: every read of the ONNX file answers NoSuchKey.
    functionEndpoints: async (endpoints) => {
      s3 = await startFaultProxy(endpoints.fauxqs);
      s3.inject({ matches: s3ObjectEndingWith('.onnx'), times: Number.MAX_SAFE_INTEGER, ...S3_NO_SUCH_KEY });
      return { AWS_ENDPOINT_URL_S3: s3.url };
    },
  });
  // What npm start -- --serve leaves for drs redrive --twin.
  const fn = run.pipeline.scoringFunction;
  writeTwinSession(workDir, { pid: process.pid, env: run.endpoints.env, scoringFunction: fn, functionArn: run.pipeline.identities.get(fn.logicalId)!.attributes.Arn });
});
afterAll(async () => {
  await s3?.close();
  await run?.endpoints.stop();
});

describe('while the model object is missing', () => {
  it('loses no event: each valid one is retried, then kept; the log says what is missing', async () => {
    expect(run.summary).toMatchObject({ in: 5, scored: 0, deadLettered: 4, rejected: { total: 1 }, accounted: true, tableItems: 0 });
    expect(await depth('ScoringFunctionFailedScoring')).toBe(4);
    expect(await depth('ScoringFunctionDeadLetters')).toBe(4);
    const log = readFileSync(join(workDir, 'score-donor.log'), 'utf8').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const refused = log.filter((l) => l.message?.startsWith('model refused'));
    expect(refused.length).toBe(12); // 4 events x 3 attempts
    expect(refused[0].error).toMatch(/^model object s3:\/\/.+\/models\/[0-9a-f]{64}\/donor-readiness\.onnx cannot be read \(NoSuchKey\): deploy the model with npx cdk deploy$/);
  });
});

describe('the alert e-mails of the local run', () => {
  it('give the redrive command that works on the twin, and it runs as written', async () => {
    const mails = readdirSync(join(workDir, 'outbox')).map((name) => readFileSync(join(workDir, 'outbox', name), 'utf8'));
    const commands = mails.map((mail) => /look first with\n {4}(.+)\n/.exec(mail)?.[1]);
    expect(commands.sort()).toEqual(
      [queueNamed('ScoringFunctionFailedScoring').name, queueNamed('ScoringFunctionRejectedEvents').name].map((q) => `npx drs redrive --twin ${workDir} --queue ${q} --dry-run`).sort(),
    );
    // The very command, through the command line (asynchronously: the twin's endpoints run in this process).
    const [, , ...args] = commands.find((c) => c!.includes('FailedScoring'))!.split(' ');
    const printed = await new Promise<{ status: number; stdout: string; stderr: string }>((done) =>
      execFile(process.execPath, [join(__dirname, '..', '..', 'cli', 'drs.cjs'), ...args], (error, stdout, stderr) => done({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr })),
    );
    expect(printed).toMatchObject({ status: 0, stderr: '' });
    expect(printed.stdout).toContain('  would re-send              4\n');
    expect(await depth('ScoringFunctionFailedScoring')).toBe(4);
  });
});

describe('drs redrive --twin, once the model is back', () => {
  beforeAll(() => s3.clear());

  it('lists without sending or deleting on --dry-run', async () => {
    const report = await redrive('ScoringFunctionFailedScoring', { dryRun: true });
    expect(report).toMatchObject({ dryRun: true, received: 4, wouldResend: 4, resent: 0, deleted: 0 });
    expect(report.items.map((i) => i.eventId).sort()).toEqual(valid.map((e) => e.id).sort());
    // Each says why it was kept: the model could not be read.
    for (const item of report.items) expect(item.failure).toEqual({ failureClass: 'model', error: 'ModelIntegrityError' });
    const text = formatRedriveReport('failed-q', 'the twin', report);
    expect(text).toContain('would move:\n  event id   class  field  rule or error\n  redrive-');
    expect(text).toMatch(/\n  redrive-a  model         ModelIntegrityError\n/);
    expect(await depth('ScoringFunctionFailedScoring')).toBe(4);
  });

  it('lists a rejected event with its field and rule on --dry-run, and no donor data', async () => {
    const report = await redrive('ScoringFunctionRejectedEvents', { dryRun: true });
    expect(report.items).toEqual([expect.objectContaining({ eventId: 'redrive-bad', action: 'would-resend', failure: { failureClass: 'rejected', field: 'revision', rule: 'must be >= 1' } })]);
    const text = formatRedriveReport('rejected-q', 'the twin', report);
    expect(text).toContain('  redrive-bad  rejected  revision  must be >= 1');
    expect(text).not.toContain('D-REDRIVE-BAD');
  });

  it('re-sends at most --limit events, deleting each after it was re-sent', async () => {
    const report = await redrive('ScoringFunctionFailedScoring', { limit: 2 });
    expect(report).toMatchObject({ received: 2, resent: 2, deleted: 2, byFate: { scored: 2 } });
    expect(await depth('ScoringFunctionFailedScoring')).toBe(2);
  });

  it('scores the rest with their original event ids, and a second run finds nothing to do', async () => {
    expect(await redrive('ScoringFunctionFailedScoring')).toMatchObject({ received: 2, resent: 2, byFate: { scored: 2 } });
    const table = await scanTable(run.clients, run.pipeline.scoreTable);
    expect(table.map((i) => [i.donorId, i.sourceEventId])).toEqual(valid.map((e) => [(e.detail as { donorId: string }).donorId, e.id]).sort());
    expect(await redrive('ScoringFunctionFailedScoring')).toMatchObject({ received: 0, resent: 0 });
    expect(await scanTable(run.clients, run.pipeline.scoreTable)).toEqual(table);
  });

  it('redriving the dead-letter copies as well changes no score (same events: stale)', async () => {
    const before = await scanTable(run.clients, run.pipeline.scoreTable);
    expect(await redrive('ScoringFunctionDeadLetters')).toMatchObject({ received: 4, resent: 4, byFate: { stale: 4 } });
    expect(await scanTable(run.clients, run.pipeline.scoreTable)).toEqual(before);
    expect(await depth('ScoringFunctionDeadLetters')).toBe(0);
  });

  it('re-sends a rejected event once; rejected again, it stays in the queue for a person', async () => {
    const report = await redrive('ScoringFunctionRejectedEvents');
    expect(report).toMatchObject({ resent: 1, byFate: { rejected: 1 } });
    expect(report.items).toContainEqual(expect.objectContaining({ eventId: 'redrive-bad', action: 'kept-seen-this-run' }));
    expect(await depth('ScoringFunctionRejectedEvents')).toBe(1);
  });

  it('keeps a message it cannot read, and says why', async () => {
    await run.clients.sqs.send(new SendMessageCommand({ QueueUrl: queueNamed('ScoringFunctionDeadLetters').url, MessageBody: 'not json' }));
    const report = await redrive('ScoringFunctionDeadLetters');
    expect(report.items).toEqual([expect.objectContaining({ action: 'kept-unreadable', problem: 'the message body is not JSON' })]);
    expect(await depth('ScoringFunctionDeadLetters')).toBe(1);
    process.exitCode = 0; // the command sets 1 for a kept message; this test expects that
  });
});

// At-least-once delivery can leave two copies of one event in a queue. A copy that was there before
// the event was re-sent is a duplicate (deleted: its event was just re-sent), not a comeback.
describe('drs redrive --twin, two copies of one event in the queue', () => {
  // Delivers the event twice through the twin's function, as the bus may, each score write failing
  // or not (what --fault-every does): each failed delivery is retried twice, then kept.
  const deliverTwice = async (event: ReturnType<typeof donorUpdatedEvent>, writesFail: boolean) => {
    const fn = run.pipeline.scoringFunction;
    const dynamodb = await startFaultProxy(run.endpoints.dynamodb);
    if (writesFail) dynamodb.inject({ matches: dynamoDbOperation('PutItem'), times: Number.MAX_SAFE_INTEGER, ...DYNAMODB_SERVER_ERROR });
    try {
      const handler = loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...run.endpoints.env, AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url });
      const functionArn = run.pipeline.identities.get(fn.logicalId)!.attributes.Arn;
      await withHandlerLogsDropped(() => deliverAll([event, event], { matches: () => true, handler, fn, sqs: run.clients.sqs, functionArn, concurrency: 1 }));
    } finally {
      await dynamodb.close();
    }
    // SQS's clocks are trusted to a second: copies younger than that are kept, never deleted.
    await new Promise((done) => setTimeout(done, 1100));
  };

  it('re-sends an event kept twice once and deletes its second copy as a duplicate, not as come back', async () => {
    const twice = donorUpdatedEvent(validDetail({ donorId: 'D-REDRIVE-TWICE', revision: 3 }), 'redrive-twice');
    await deliverTwice(twice, true);
    expect(await depth('ScoringFunctionFailedScoring')).toBe(2);

    const look = await redrive('ScoringFunctionFailedScoring', { dryRun: true });
    expect(look).toMatchObject({ received: 2, wouldResend: 1, duplicates: 1, kept: 0 });
    expect(look.items.map((i) => [i.eventId, i.action])).toEqual([['redrive-twice', 'would-resend'], ['redrive-twice', 'would-delete-duplicate']]);
    expect(formatRedriveReport('failed-q', 'the twin', look)).toContain('would delete as duplicates (the same event as a message listed above):\n  redrive-twice  (message ');

    const report = await redrive('ScoringFunctionFailedScoring');
    expect(report).toMatchObject({ received: 2, resent: 1, deleted: 2, duplicates: 1, kept: 0, byFate: { scored: 1 } });
    expect(report.items.map((i) => i.action)).toEqual(['resent', 'deleted-duplicate']);
    const text = formatRedriveReport('failed-q', 'the twin', report);
    expect(text).toMatch(/\n  duplicates +1  deleted: second copies of events re-sent above/);
    expect(text).not.toContain('came back');
    expect(await depth('ScoringFunctionFailedScoring')).toBe(0);
    const table = await scanTable(run.clients, run.pipeline.scoreTable);
    expect(table.find((i) => i.donorId === 'D-REDRIVE-TWICE')).toMatchObject({ sourceEventId: 'redrive-twice', revision: 3 });
  });

  it('still tells a copy that came back (rejected again after its re-send) from a duplicate', async () => {
    const bad = donorUpdatedEvent({ ...validDetail({ donorId: 'D-REDRIVE-BAD2' }), revision: 0 }, 'redrive-bad-twice');
    const before = await depth('ScoringFunctionRejectedEvents');
    await deliverTwice(bad, false);
    expect(await depth('ScoringFunctionRejectedEvents')).toBe(before + 2);

    const report = await redrive('ScoringFunctionRejectedEvents');
    const mine = report.items.filter((i) => i.eventId === 'redrive-bad-twice');
    // Re-sent once and rejected again (a new message: it came back), its second copy deleted.
    expect(mine.map((i) => i.action).sort()).toEqual(['deleted-duplicate', 'kept-seen-this-run', 'resent']);
    expect(mine.find((i) => i.action === 'resent')).toMatchObject({ fate: 'rejected' });
    expect(formatRedriveReport('rejected-q', 'the twin', report)).toMatch(/came back in this run/);
    // What is left is exactly one copy of each rejected event: nothing lost, no copy multiplied.
    expect(await depth('ScoringFunctionRejectedEvents')).toBe(before + 1);
  });
});

describe('drs redrive --function (AWS)', () => {
  it('invokes the function asynchronously with the original event, deleting only what Lambda accepted', async () => {
    const invoked: { path: string; invocationType: string; body: any }[] = [];
    let answer = 202;
    // A stand-in for the Lambda Invoke API: the real SDK client, a local endpoint.
    const lambda = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        invoked.push({ path: req.url!, invocationType: String(req.headers['x-amz-invocation-type']), body: JSON.parse(body) });
        res.writeHead(answer, { 'content-type': 'application/json' }).end(answer === 202 ? '' : JSON.stringify({ Type: 'User', message: 'Rate exceeded' }));
      });
    });
    await new Promise<void>((ready) => lambda.listen(0, '127.0.0.1', ready));
    const saved = { ...process.env };
    Object.assign(process.env, run.endpoints.env, { AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${(lambda.address() as AddressInfo).port}`, AWS_MAX_ATTEMPTS: '1' });
    try {
      const undelivered = queueNamed('EventIntakeUndelivered');
      for (const event of valid.slice(0, 2)) await run.clients.sqs.send(new SendMessageCommand({ QueueUrl: undelivered.url, MessageBody: JSON.stringify(event) }));
      // With --json, standard output is the report and nothing else.
      const { result: report, lines: printed } = await captureHandlerLogs(() => runRedrive({ queue: undelivered.name, function: 'DonorReadiness-prod-Score', dryRun: false, json: true }));
      expect(printed.map((line) => JSON.parse(line))).toEqual([JSON.parse(JSON.stringify(report))]);
      expect(report).toMatchObject({ received: 2, resent: 2, deleted: 2 });
      expect(invoked.map((i) => [i.path, i.invocationType, i.body.id])).toEqual([
        ['/2015-03-31/functions/DonorReadiness-prod-Score/invocations', 'Event', 'redrive-a'],
        ['/2015-03-31/functions/DonorReadiness-prod-Score/invocations', 'Event', 'redrive-b'],
      ]);
      expect(invoked[0].body).toEqual(valid[0]);

      answer = 429;
      await run.clients.sqs.send(new SendMessageCommand({ QueueUrl: undelivered.url, MessageBody: JSON.stringify(valid[2]) }));
      const { result: refused } = await captureHandlerLogs(() => runRedrive({ queue: undelivered.name, function: 'DonorReadiness-prod-Score', dryRun: false, json: true }));
      expect(refused.items).toEqual([expect.objectContaining({ eventId: 'redrive-c', action: 'kept-resend-failed', problem: expect.stringContaining('Rate exceeded') })]);
      expect(await depth('EventIntakeUndelivered')).toBe(1);
    } finally {
      process.env = saved;
      process.exitCode = 0;
      await new Promise((done) => lambda.close(done));
    }
  });
});
