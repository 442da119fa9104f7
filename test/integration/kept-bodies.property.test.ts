// Events whose strings hold what queues refuse (U+FFFE, U+FFFF, lone surrogates) or what the local
// endpoints refuse (emoji), through the real twin on real local endpoints: every event is accounted
// for, every kept body is accepted by the queue, and redrive restores each event exactly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { keptEventOf } from '../../cli/kept-event';
import { redriveQueue } from '../../cli/redrive';
import { runRedrive } from '../../cli/redrive-command';
import { stringifyJson } from '../../lambdas/core/safe-json';
import { SqsFailedEventSink, SqsRejectedEventSink } from '../../lambdas/score-donor/aws-ports';
import { s3ObjectEndingWith, S3_NO_SUCH_KEY, startFaultProxy, type FaultProxy } from '../../twin/fault-proxy';
import { withHandlerLogsDropped } from '../../twin/local-function';
import { runTwin, type TwinRun } from '../../twin/run-twin';
import { writeTwinSession } from '../../twin/twin-session';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const TROUBLE = ['\uFFFE', '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '😀', '𝄞', '\u0000', 'é', 'a', '"'];
const hostileString = fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 24 }), fc.string({ unit: fc.constantFrom(...TROUBLE), minLength: 1, maxLength: 12 }));
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 3 }),
  object: fc.dictionary(hostileString, tie('value'), { maxKeys: 3 }),
})).value;

type Kind = 'invalid' | 'valid';
/** Events as the twin delivers them (JSON round trip), indexed in their id so each can be found again. */
const generated = fc.sample(fc.array(fc.tuple(fc.constantFrom<Kind>('invalid', 'valid'), hostileString, hostileJson, hostileString), { minLength: 24, maxLength: 24 }), { seed: 11, numRuns: 1 })[0];
const events = generated.map(([kind, s, extra, idText], i) => {
  // The id is not donor data (it is logged); the other strings are, and must never be logged.
  const id = `h${String(i).padStart(3, '0')}-${idText}`;
  const event = kind === 'valid'
    ? { ...donorUpdatedEvent({ ...validDetail({ donorId: `D-KEPT-${String(i).padStart(3, '0')}` }), note: s, extra }, id), note: s }
    : donorUpdatedEvent({ donorId: `bad-donor-${i}-${s}`, donor: extra }, id);
  return JSON.parse(stringifyJson(event)) as Record<string, unknown>;
});
const byId = new Map(events.map((e) => [e.id as string, e]));
const validCount = generated.filter(([kind]) => kind === 'valid').length;

let workDir: string;
let run: TwinRun;
let s3: FaultProxy;
const queueNamed = (prefix: string) => run.pipeline.queues.find((q) => q.logicalId.startsWith(prefix))!;
const depth = async (prefix: string) =>
  Number((await run.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueNamed(prefix).url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!.ApproximateNumberOfMessages);

beforeAll(async () => {
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  expect(validCount).toBeGreaterThan(5);
  expect(events.length - validCount).toBeGreaterThan(5);
  workDir = mkdtempSync(join(tmpdir(), 'drs-kept-'));
  const file = join(workDir, 'hostile.jsonl');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  run = await runTwin({
    events: 0,
    eventsFile: file,
    badFraction: 0,
    concurrency: 2,
    seed: 1,
    asOf: new Date().toISOString().slice(0, 10),
    workDir,
    alertEmails: 'team@example.org',
    // The model object is missing, so every valid event fails scoring and takes the failure path.
    functionEndpoints: async (endpoints) => {
      s3 = await startFaultProxy(endpoints.fauxqs);
      s3.inject({ matches: s3ObjectEndingWith('.onnx'), times: Number.MAX_SAFE_INTEGER, ...S3_NO_SUCH_KEY });
      return { AWS_ENDPOINT_URL_S3: s3.url };
    },
  });
  const fn = run.pipeline.scoringFunction;
  writeTwinSession(workDir, { pid: process.pid, env: run.endpoints.env, scoringFunction: fn, functionArn: run.pipeline.identities.get(fn.logicalId)!.attributes.Arn });
});
afterAll(async () => {
  await s3?.close();
  await run?.endpoints.stop();
});

/** Drains a queue through the real redrive code, keeping what it would re-send. */
async function restoreAll(prefix: string) {
  const restored: Record<string, unknown>[] = [];
  const report = await redriveQueue({ sqs: run.clients.sqs, queueUrl: queueNamed(prefix).url, dryRun: false, resend: async (e) => (restored.push(e), { accepted: true }) });
  expect(report.items.filter((i) => i.action !== 'resent')).toEqual([]);
  return restored;
}

describe('hostile characters through the local twin', () => {
  it('accounts for every event: invalid ones rejected, failing ones kept, none undelivered', () => {
    expect(run.summary).toMatchObject({ in: events.length, rejected: { total: events.length - validCount }, deadLettered: validCount, undelivered: { total: 0 }, accounted: true, missing: [] });
  });

  it('restores every rejected event exactly from the rejected-events queue', async () => {
    const restored = await restoreAll('ScoringFunctionRejectedEvents');
    expect(restored).toHaveLength(events.length - validCount);
    for (const event of restored) expect(event).toStrictEqual(byId.get(event.id as string));
  });

  it("restores every failed event exactly from Lambda's dead-letter queue (events SQS can take as sent)", async () => {
    const restored = await restoreAll('ScoringFunctionDeadLetters');
    for (const event of restored) expect(event).toStrictEqual(byId.get(event.id as string));
    // Those with characters SQS refuses could not have come this way; the function kept them.
    expect(restored.length).toBeLessThan(validCount);
  });

  it('drs redrive --twin re-sends every failed event once the model is back, each scored', async () => {
    s3.clear();
    const report = await withHandlerLogsDropped(() => runRedrive({ queue: queueNamed('ScoringFunctionFailedScoring').name, twin: workDir, dryRun: false, json: true }));
    expect(report).toMatchObject({ received: validCount, resent: validCount, byFate: { scored: validCount } });
    expect(report.items.map((i) => i.eventId).sort()).toEqual(events.filter((e) => String((e.detail as any).donorId).startsWith('D-KEPT-')).map((e) => e.id).sort());
    expect(await depth('ScoringFunctionFailedScoring')).toBe(0);
  });

  it('keeps any event through the SQS ports on the local endpoints, restorable exactly (property)', async () => {
    const sqs = new SQSClient({ region: run.endpoints.env.AWS_REGION, endpoint: run.endpoints.fauxqs, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'kept-bodies-property' }));
    const rejected = new SqsRejectedEventSink(() => sqs, QueueUrl!);
    const failed = new SqsFailedEventSink(() => sqs, QueueUrl!);
    await fc.assert(
      fc.asyncProperty(hostileString, hostileJson, fc.boolean(), async (id, detail, asFailure) => {
        const event = JSON.parse(stringifyJson(donorUpdatedEvent(detail, id))) as Record<string, unknown>;
        if (asFailure) await failed.keep({ eventId: id, error: { errorType: 'E', errorMessage: id }, keptAt: 'now', event });
        else await rejected.keep({ eventId: id, reason: { field: id, rule: id, violations: [] }, rejectedAt: 'now', event });
        const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, VisibilityTimeout: 0 }));
        const kept = keptEventOf(Messages![0].Body!);
        expect(kept).toMatchObject({ ok: true, shape: asFailure ? 'on-failure' : 'rejected' });
        expect(kept.ok && kept.event).toStrictEqual(event);
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages![0].ReceiptHandle! }));
      }),
      { numRuns: 60, seed: 7 },
    );
  });
});
