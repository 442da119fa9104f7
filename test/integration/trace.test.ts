// `drs trace --twin` on the local twin: donors whose story the test wrote (stored, rejected then
// fixed, rejected last, stale, never seen, failed then redriven), each read back with a verdict,
// and every queue left exactly as it was.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand, ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { runRedrive } from '../../cli/redrive-command';
import { outcomesOf, runTrace } from '../../cli/trace-command';
import type { DonorTrace } from '../../cli/donor-trace';
import { s3ObjectEndingWith, S3_NO_SUCH_KEY, startFaultProxy, type FaultProxy } from '../../twin/fault-proxy';
import { runTwin, type TwinRun } from '../../twin/run-twin';
import { writeTwinSession } from '../../twin/twin-session';
import { loadHandler, withHandlerLogsDropped } from '../../twin/local-function';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

let workDir: string;
let run: TwinRun;
let s3: FaultProxy;

const withoutSex = (donorId: string, revision: number) => {
  const detail = validDetail({ donorId, revision, updatedAt: `2026-11-2${revision - 1}T10:00:00Z` });
  delete (detail.donor as Partial<typeof detail.donor>).sex;
  return detail;
};
const events = [
  // First, with concurrency 1: the model object is missing for its three attempts, so it is kept.
  donorUpdatedEvent(validDetail({ donorId: 'D-TRACE-FAILED', revision: 5 }), 'trace-failed-5'),
  donorUpdatedEvent(validDetail({ donorId: 'D-TRACE-STORED', revision: 2 }), 'trace-stored-2'),
  donorUpdatedEvent(withoutSex('D-TRACE-FIXED', 3), 'trace-fixed-3'),
  donorUpdatedEvent(validDetail({ donorId: 'D-TRACE-FIXED', revision: 4, updatedAt: '2026-11-24T10:00:00Z' }), 'trace-fixed-4'),
  donorUpdatedEvent(validDetail({ donorId: 'D-TRACE-REJECTED', revision: 6, updatedAt: '2026-11-19T10:00:00Z' }), 'trace-rejected-6'),
  donorUpdatedEvent(withoutSex('D-TRACE-REJECTED', 7), 'trace-rejected-7'),
];

const queue = (id: string) => run.pipeline.queues.find((q) => q.logicalId.startsWith(id))!;
const QUEUES = ['ScoringFunctionRejectedEvents', 'ScoringFunctionFailedScoring', 'ScoringFunctionDeadLetters', 'EventIntakeUndelivered'];
const depths = () =>
  Promise.all(QUEUES.map(async (id) => Number((await run.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue(id).url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }))).Attributes!.ApproximateNumberOfMessages)));

// The command prints its JSON report (which names the donor: it is the answer, not a log) to stdout:
// swallowed here (the last one kept), with the SDK's one-time notice that Node 20 support ends in 2027.
let printed = '';
async function trace(donorId: string): Promise<DonorTrace> {
  printed = '';
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    printed += String(chunk);
    return true;
  });
  const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
  try {
    return await runTrace(donorId, { twin: workDir, json: true });
  } finally {
    write.mockRestore();
    warn.mockRestore();
  }
}

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'drs-trace-'));
  const file = join(workDir, 'events.jsonl');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  run = await runTwin({
    events: 0,
    eventsFile: file,
    badFraction: 0,
    concurrency: 1,
    seed: 1,
    asOf: new Date().toISOString().slice(0, 10),
    workDir,
    alertEmails: 'team@example.org',
    functionEndpoints: async (endpoints) => {
      s3 = await startFaultProxy(endpoints.fauxqs);
      s3.inject({ matches: s3ObjectEndingWith('.onnx'), times: 3, ...S3_NO_SUCH_KEY });
      return { AWS_ENDPOINT_URL_S3: s3.url };
    },
  });
  // A score written in January and never refreshed since.
  await DynamoDBDocumentClient.from(run.clients.dynamodb).send(
    new PutCommand({
      TableName: run.pipeline.scoreTable,
      Item: { donorId: 'D-TRACE-STALE', score: 0.61, band: 'medium', reasons: [], modelVersion: '2026.01.1', modelSha256: 'a'.repeat(64), revision: 4, sourceEventId: 'trace-stale-4', updatedAt: '2026-01-09T10:00:00.000Z', scoringDate: '2026-01-10', scoredAt: '2026-01-10T08:00:00.000Z', features: {} },
    }),
  );
  // The registry closes one transplant centre's request for the stored donor: recorded by the real
  // outcome handler (as the twin's request outcomes are) in the prediction log.
  const of = run.pipeline.outcomes!;
  const recordOutcome = loadHandler(of.fn.handlerFile, of.fn.handlerExport, { ...of.fn.environment, ...run.endpoints.env });
  const outcome = { version: '0', id: 'trace-outcome-1', source: 'registry.donors', 'detail-type': 'DonorRequestOutcome', account: '000000000000', time: new Date().toISOString(), region: 'eu-west-1', resources: [], detail: { requestId: 'REQ-TRACE-STORED', donorId: 'D-TRACE-STORED', requestedAt: new Date(Date.now() - 60_000).toISOString(), outcome: 'unavailable', reason: 'no_contact' } };
  expect(await withHandlerLogsDropped(() => recordOutcome(outcome))).toMatchObject({ outcome: 'recorded', predictionStatus: 'scored-before-request' });
  const fn = run.pipeline.scoringFunction;
  writeTwinSession(workDir, { pid: process.pid, env: run.endpoints.env, scoringFunction: fn, functionArn: run.pipeline.identities.get(fn.logicalId)!.attributes.Arn });
});
afterAll(async () => {
  await s3?.close();
  await run?.endpoints.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('drs trace --twin', () => {
  it('ran the story as written: one event failed, two were rejected', () => {
    expect(run.summary).toMatchObject({ in: 6, scored: 3, rejected: { total: 2 }, deadLettered: 1, accounted: true });
  });

  it('a stored donor: the score, its revision, event and model, and the log of that event', async () => {
    const t = await trace('D-TRACE-STORED');
    expect(t.verdict.kind).toBe('current');
    expect(t.stored).toMatchObject({ revision: 2, sourceEventId: 'trace-stored-2', updatedAt: '2026-11-20T10:00:00Z' });
    expect(t.verdict.text).toMatch(/^stored: score 0\.\d+ \((high|medium|low)\) from revision 2 \(2026-11-20, event trace-stored-2\)/);
    expect(t.logs).toEqual([expect.objectContaining({ eventId: 'trace-stored-2', level: 'INFO', message: expect.stringMatching(/^scored/) })]);
    expect(t.kept).toEqual([]);
    // Its first score went out as a DonorReadinessChanged event (the twin's pipe wrote it to events/).
    expect(t.changeEvents).toEqual([expect.objectContaining({ previousBand: null, band: t.stored!.band, score: t.stored!.score, scoredAt: t.stored!.scoredAt })]);
    expect(t.changeEventsSource).toBe(`read from ${join(workDir, 'events', 'DonorReadinessChanged.jsonl')}`);
    expect(t.outcomes).toEqual([
      expect.objectContaining({ requestId: 'REQ-TRACE-STORED', outcome: 'unavailable', reason: 'no_contact', predictionStatus: 'scored-before-request', prediction: { score: t.stored!.score, band: t.stored!.band, revision: 2 }, sourceEventId: 'trace-outcome-1' }),
    ]);
    expect(t.outcomesSource).toMatch(/^filtered scan of the outcome table \S*OutcomeLogTable\S* \(\d+ items examined\)$/);
    expect(t.timeline.map((e) => e.what)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^DonorReadinessChanged published \(first score, band /), expect.stringMatching(/^request REQ-TRACE-STORED: unavailable \(no_contact\); predicted /)]),
    );
    const json = JSON.parse(printed) as Record<string, unknown[]>;
    expect(json.changeEvents).toHaveLength(1);
    expect(json.outcomes).toEqual([expect.objectContaining({ requestId: 'REQ-TRACE-STORED' })]);
  });

  it('the outcome scan stops at its limit and says so', async () => {
    const documents = DynamoDBDocumentClient.from(run.clients.dynamodb);
    const table = run.pipeline.outcomes!.fn.environment.OUTCOME_TABLE_NAME;
    expect((await outcomesOf(documents, table, 'D-TRACE-STORED')).source).not.toContain('stopped');
    const cut = await outcomesOf(documents, table, 'D-TRACE-STORED', 1);
    expect(cut.source).toBe(`filtered scan of the outcome table ${table} (1 items examined; stopped after 1 items, the rest of the table was not read)`);
  });

  it('a donor without outcomes or change events shows none (other donors\' are not mixed in)', async () => {
    const t = await trace('D-TRACE-NOBODY');
    expect(t.changeEvents).toEqual([]);
    expect(t.outcomes).toEqual([]);
  });

  it('rejected then fixed: the rejection is shown, the later revision is stored, nothing to fix', async () => {
    const t = await trace('D-TRACE-FIXED');
    expect(t.verdict.kind).toBe('fixed-after-rejection');
    expect(t.verdict.text).toContain('revision 3, 2026-11-22 was rejected (donor.sex is required), but revision 4, sent after it, is stored');
    expect(t.kept).toEqual([expect.objectContaining({ queue: 'rejected', eventId: 'trace-fixed-3', revision: 3, reason: 'donor.sex is required' })]);
    expect(t.logs.map((l) => l.eventId).sort()).toEqual(['trace-fixed-3', 'trace-fixed-4']);
  });

  it('rejected last: names the revision, the rule and the stored revision, and how to fix it', async () => {
    const t = await trace('D-TRACE-REJECTED');
    expect(t.verdict).toEqual({
      kind: 'rejected',
      text: expect.stringMatching(/^latest event \(revision 7, 2026-11-26\) was rejected: donor\.sex is required; the stored score is from revision 6 \(2026-11-19\)/),
    });
    expect(t.fixes[0]).toContain('ask the registry to correct donor.sex');
    expect(t.fixes[1]).toContain(`npx drs redrive --twin ${workDir} --queue ${queue('ScoringFunctionRejectedEvents').name}`);
    expect(t.latestRevisionSeen).toBe(7);
  });

  it('stale: a score computed long ago with nothing newer', async () => {
    const t = await trace('D-TRACE-STALE');
    expect(t.verdict.kind).toBe('stale');
    expect(t.verdict.text).toMatch(/^the stored score \(revision 4, updated 2026-01-09\) was computed \d+ days ago, on 2026-01-10/);
  });

  it('never seen: says so and where to look', async () => {
    const t = await trace('D-TRACE-NOBODY');
    expect(t).toMatchObject({ stored: null, kept: [], logs: [], latestRevisionSeen: null });
    expect(t.verdict.text).toBe(
      "nothing the pipeline stored or kept mentions donor D-TRACE-NOBODY: check that the registry published the update (with the source and detail-type the rule matches), and that it is not older than the queues' 14 days.",
    );
  });

  it('failed, then redriven: the failure, then the score; the queues are left as they were', async () => {
    const before = await depths();
    expect(before).toEqual([2, 1, 1, 0]);
    const failed = await trace('D-TRACE-FAILED');
    expect(failed.verdict.kind).toBe('failed');
    expect(failed.verdict.text).toMatch(/^latest event \(revision 5, 2026-11-20\) failed scoring: .*NoSuchKey.*; it is kept in the (failed-scoring|dead-letter) queue; no score is stored for this donor\.$/);
    expect(failed.fixes).toContain(`npx drs redrive --twin ${workDir} --queue ${queue('ScoringFunctionFailedScoring').name}`);
    expect(failed.logs.filter((l) => l.message.startsWith('model refused'))).toHaveLength(3);
    expect(await depths()).toEqual(before);

    await withHandlerLogsDropped(() => runRedrive({ queue: queue('ScoringFunctionFailedScoring').name, twin: workDir, dryRun: false, json: true }));
    const after = await depths();
    expect(after).toEqual([2, 0, 1, 0]);
    const redriven = await trace('D-TRACE-FAILED');
    expect(redriven.verdict.kind).toBe('scored-after-failure');
    expect(redriven.verdict.text).toContain('event trace-failed-5 (revision 5) failed at first');
    expect(redriven.stored).toMatchObject({ revision: 5, sourceEventId: 'trace-failed-5' });
    expect(await depths()).toEqual(after);
    // Every message is visible again at once: a receive gets them all.
    const { Messages } = await run.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queue('ScoringFunctionRejectedEvents').url, MaxNumberOfMessages: 10, VisibilityTimeout: 1 }));
    expect(Messages).toHaveLength(2);
    for (const m of Messages!) await run.clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queue('ScoringFunctionRejectedEvents').url, ReceiptHandle: m.ReceiptHandle!, VisibilityTimeout: 0 }));
  });
});
