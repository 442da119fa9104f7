// DonorRequestOutcome events through the rule's pattern and the real bundled outcome handler, on
// dynalite and fauxqs provisioned from the synthesized template: valid, invalid, duplicate.
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTwinSession } from '../../twin/twin-session';
import { exportTableToS3 } from '../../twin/table-export';
import { compileEventPattern } from '../../twin/event-pattern';
import { loadHandler, type Handler } from '../../twin/local-function';
import { routeHandlerOutput } from '../../twin/handler-output';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';
import { coldStart, drainQueue, readMailbox, startTestPipeline, type TestPipeline } from './local-pipeline';

let test: TestPipeline;
let documents: DynamoDBDocumentClient;
let scoreDonor: Handler;
let recordOutcome: Handler;

// The functions' log lines are kept here (and seen by the donor-data guard) instead of the test
// output; in Lambda and in npm start they go to the log group and the run's log file as ever.
const logLines: string[] = [];
const quiet = (handler: Handler): Handler => (event) => routeHandlerOutput((text) => void logLines.push(text), () => handler(event));
const logged_ = (filter: (line: Record<string, unknown>) => boolean) =>
  logLines.flatMap((t) => t.split('\n')).filter((t) => t.startsWith('{')).map((t) => JSON.parse(t) as Record<string, unknown>).filter(filter);

const outcomeEvent = (detail: unknown, id: string) => ({ ...donorUpdatedEvent(detail, id), 'detail-type': 'DonorRequestOutcome' });
const logged = async (requestId: string) =>
  (await documents.send(new GetCommand({ TableName: test.pipeline.outcomes!.fn.environment.OUTCOME_TABLE_NAME, Key: { requestId } }))).Item;
const storedScore = async (donorId: string) => (await documents.send(new GetCommand({ TableName: test.pipeline.scoreTable, Key: { donorId } }))).Item!;

beforeAll(async () => {
  test = await startTestPipeline({ stage: 'itest', alertEmails: 'team@example.org' });
  documents = DynamoDBDocumentClient.from(test.clients.dynamodb);
  scoreDonor = quiet(coldStart(test));
  const fn = test.pipeline.outcomes!.fn;
  jest.isolateModules(() => {
    recordOutcome = quiet(loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...test.endpoints.env }));
  });
});
afterAll(() => test?.stop());

describe('the prediction log on the local twin', () => {
  it('routes DonorRequestOutcome events to the outcome function and DonorUpdated events to scoring, never crossed', () => {
    const outcomeRule = compileEventPattern(test.pipeline.outcomes!.rule.eventPattern);
    const scoringRule = compileEventPattern(test.pipeline.rule.eventPattern);
    const outcome = outcomeEvent({}, 'evt-route');
    expect(outcomeRule(outcome as never)).toBe(true);
    expect(scoringRule(outcome as never)).toBe(false);
    expect(outcomeRule(donorUpdatedEvent(validDetail()) as never)).toBe(false);
  });

  it('stores the outcome beside the score the donor had when requested', async () => {
    await scoreDonor(donorUpdatedEvent(validDetail({ donorId: 'D-OUT-0001', revision: 2, updatedAt: '2026-10-01T08:00:00Z' }), 'evt-upd-1'));
    const score = await storedScore('D-OUT-0001');
    const detail = { requestId: 'REQ-0001', donorId: 'D-OUT-0001', requestedAt: '2026-10-15T09:30:00Z', outcome: 'unavailable', reason: 'no_contact' };
    expect(await recordOutcome(outcomeEvent(detail, 'evt-out-1'))).toEqual({ outcome: 'recorded', eventId: 'evt-out-1', predictionStatus: 'scored-before-request' });
    const entry = await logged('REQ-0001');
    expect(entry).toMatchObject({ ...detail, sourceEventId: 'evt-out-1', predictionStatus: 'scored-before-request' });
    expect(entry!.prediction).toEqual({
      score: score.score,
      band: score.band,
      modelVersion: score.modelVersion,
      modelSha256: score.modelSha256,
      revision: 2,
      updatedAt: '2026-10-01T08:00:00Z',
      scoringDate: score.scoringDate,
      scoredAt: score.scoredAt,
      features: score.features,
    });
  });

  it('is idempotent by request id: a redelivered outcome changes nothing', async () => {
    const before = await logged('REQ-0001');
    const again = { requestId: 'REQ-0001', donorId: 'D-OUT-0001', requestedAt: '2026-10-15T09:30:00Z', outcome: 'available' };
    expect(await recordOutcome(outcomeEvent(again, 'evt-out-1b'))).toEqual({ outcome: 'duplicate', eventId: 'evt-out-1b' });
    expect(await logged('REQ-0001')).toEqual(before);
  });

  it('does not log a score computed after the request (it may know the outcome), nor invent one', async () => {
    await scoreDonor(donorUpdatedEvent(validDetail({ donorId: 'D-OUT-0002', revision: 5, updatedAt: '2026-11-01T08:00:00Z' }), 'evt-upd-2'));
    const late = { requestId: 'REQ-0002', donorId: 'D-OUT-0002', requestedAt: '2026-10-20T09:30:00Z', outcome: 'available', reason: null };
    expect(await recordOutcome(outcomeEvent(late, 'evt-out-2'))).toMatchObject({ outcome: 'recorded', predictionStatus: 'updated-after-request' });
    expect(await logged('REQ-0002')).toMatchObject({ prediction: null, predictionStatus: 'updated-after-request', outcome: 'available' });
    const unknown = { requestId: 'REQ-0003', donorId: 'D-OUT-NONE', requestedAt: '2026-10-20T09:30:00Z', outcome: 'available' };
    expect(await recordOutcome(outcomeEvent(unknown, 'evt-out-3'))).toMatchObject({ outcome: 'recorded', predictionStatus: 'no-score' });
    expect(await logged('REQ-0003')).toMatchObject({ prediction: null, predictionStatus: 'no-score', reason: null });
  });

  it('keeps an invalid outcome whole in its rejected queue with field and rule, and stores nothing', async () => {
    const rejectedQueue = test.pipeline.queues.find((q) => q.logicalId.startsWith('OutcomeLogRejectedOutcomes'))!;
    const cases: [unknown, string, string][] = [
      [{ requestId: 'REQ-0004', donorId: 'D-OUT-0001', requestedAt: '2026-10-15T09:30:00Z', outcome: 'maybe' }, 'outcome', 'must be one of available, unavailable'],
      [{ requestId: 'REQ-0005', donorId: 'D-OUT-0001', requestedAt: '2999-01-01T00:00:00Z', outcome: 'available' }, 'requestedAt', 'must not be in the future'],
      [{ requestId: 'REQ-0006', donorId: 'D-OUT-0001', requestedAt: '2026-10-15T09:30:00Z', outcome: 'available', reason: 'medical' }, 'reason', 'must be null when outcome is available'],
      [{ requestId: 'x', donorId: 'D-OUT-0001', requestedAt: '2026-10-15T09:30:00Z', outcome: 'available' }, 'requestId', 'must match ^[A-Za-z0-9-]{4,64}$'],
      [{ donorId: 'D-OUT-0001', requestedAt: '2026-10-15T09:30:00Z', outcome: 'available' }, 'requestId', 'is required'],
      ['not an object', '(detail)', 'must be an object'],
    ];
    for (const [i, [detail, field, rule]] of cases.entries()) {
      const event = outcomeEvent(detail, `evt-bad-${i}`);
      expect(await recordOutcome(event)).toMatchObject({ outcome: 'rejected', violation: { field, rule } });
      const [message, ...more] = await drainQueue(test.clients.sqs, rejectedQueue.url);
      expect(more).toHaveLength(0);
      const kept = JSON.parse(message.body);
      expect(kept.event).toEqual(event);
      expect(kept.reason).toMatchObject({ field, rule });
      expect(message.attributes).toMatchObject({ field, rule, eventId: `evt-bad-${i}` });
    }
    for (const id of ['REQ-0004', 'REQ-0005', 'REQ-0006']) expect(await logged(id)).toBeUndefined();
    // Each rejection is logged as a warning with the event id, field and rule, and no donor id.
    const warnings = logged_((l) => l.level === 'WARN' && l.service === 'record-outcome');
    expect(warnings.map((w) => [w.eventId, w.field, w.rule])).toEqual(cases.map(([, field, rule], i) => [`evt-bad-${i}`, field, rule]));
    expect(JSON.stringify(warnings)).not.toContain('D-OUT-');
  });
});

describe('the monitoring function on the local twin', () => {
  it('writes the report to the report bucket and e-mails the weekly summary, with no donor id in either', async () => {
    const fn = test.pipeline.monitor!;
    let monitor: Handler | undefined;
    jest.isolateModules(() => {
      monitor = quiet(loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...test.endpoints.env }));
    });
    await readMailbox(test);
    const result = (await monitor!({ weeklyEmail: true })) as { reportUri: string; emailed: boolean; drift: boolean };
    const today = new Date().toISOString().slice(0, 10);
    expect(result).toMatchObject({ reportUri: `s3://${fn.environment.REPORT_BUCKET}/reports/${today}/report.html`, emailed: true });
    const object = await test.clients.s3.send(new GetObjectCommand({ Bucket: fn.environment.REPORT_BUCKET, Key: `reports/${today}/report.html` }));
    const html = await object.Body!.transformToString();
    expect(html).toContain('<figure id="score-histogram">');
    expect(html).toContain('<figure id="calibration-curve">');
    const figures = JSON.parse(await (await test.clients.s3.send(new GetObjectCommand({ Bucket: fn.environment.REPORT_BUCKET, Key: `reports/${today}/figures.json` }))).Body!.transformToString());
    expect(figures.rows).toEqual({ scores: 2, outcomes: 1 });
    expect(figures.calibration.rows).toBe(1);
    // No refresh has run: no snapshot, so the table was read whole, and the report says why.
    expect(figures.source).toMatchObject({ scoresKind: 'table', scores: expect.stringContaining('no completed snapshot of the score table yet') });
    // No CloudWatch here: the rates are unknown, said so, and never a finding.
    expect(figures.rates).toMatchObject({ known: false });
    expect(figures.source.rates).toMatch(/^unknown: the scoring function's metrics could not be read/);
    expect(html).toContain('<td>donor updates rejected</td><td>unknown</td>');
    expect(logged_((l) => l.service === 'monitor-model' && l.level === 'WARN').map((l) => l.message)).toEqual([expect.stringMatching(/^rejection and failure rates unknown/)]);
    const mails = await readMailbox(test);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toMatch(/^\[donor-readiness itest\] monitoring \d{4}-\d{2}-\d{2}: /);
    expect(mails[0].body).toContain(result.reportUri);
    for (const text of [html, mails[0].body, JSON.stringify(figures)]) {
      for (const donorId of ['D-OUT-0001', 'D-OUT-0002', 'D-OUT-NONE']) expect(text).not.toContain(donorId);
    }
  });
});

describe("the monitoring function reads the refresh's snapshot where one exists", () => {
  it('reads the latest completed export of the score table, not the table, and says which and when', async () => {
    const fn = test.pipeline.monitor!;
    const bucket = fn.environment.SNAPSHOT_BUCKET;
    expect(bucket).toBeTruthy();
    // The refresh's first step, as the twin runs it: a point-in-time export under snapshots/<run id>/.
    const tableArn = `arn:aws:dynamodb:${test.endpoints.env.AWS_REGION}:000000000000:table/${test.pipeline.scoreTable}`;
    await exportTableToS3(test.clients.dynamodb, test.clients.s3, { TableArn: tableArn, S3Bucket: bucket, S3Prefix: 'snapshots/refresh-1', ExportFormat: 'DYNAMODB_JSON' });
    // A donor scored after the snapshot is not in it: the run reads the snapshot, not the table.
    await scoreDonor(donorUpdatedEvent(validDetail({ donorId: 'D-OUT-0003', revision: 1, updatedAt: '2026-11-02T08:00:00Z' }), 'evt-upd-3'));
    let monitor: Handler | undefined;
    jest.isolateModules(() => {
      monitor = quiet(loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...test.endpoints.env }));
    });
    const result = (await monitor!({})) as { scores: { kind: string; rows: number; asOf: string } };
    expect(result.scores).toMatchObject({ kind: 'snapshot', rows: 2 });
    const today = new Date().toISOString().slice(0, 10);
    const figures = JSON.parse(await (await test.clients.s3.send(new GetObjectCommand({ Bucket: fn.environment.REPORT_BUCKET, Key: `reports/${today}/figures.json` }))).Body!.transformToString());
    expect(figures.rows.scores).toBe(2);
    expect(figures.source).toMatchObject({ scoresKind: 'snapshot', scoresAsOf: result.scores.asOf, scores: expect.stringMatching(/^the refresh's snapshot of the score table as of \d{4}-\d{2}-\d{2}T.*snapshots\/refresh-1\/AWSDynamoDB\//) });
  });
});

describe('drs export-training from the twin', () => {
  it('writes one row per request with the features as they stood before it, no donor id, and counts the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-export-'));
    try {
      writeTwinSession(dir, { pid: process.pid, env: test.endpoints.env, scoringFunction: test.pipeline.scoringFunction, functionArn: 'arn:local' });
      const out = join(dir, 'training.jsonl');
      const drs = join(__dirname, '..', '..', 'cli', 'drs.cjs');
      const result = spawnSync(process.execPath, [drs, 'export-training', '--twin', dir, '--out', out, '--json'], { encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ written: 1, skipped: { 'updated-after-request': 1, 'no-score': 1 } });
      const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ requestId: 'REQ-0001', requestedAt: '2026-10-15T09:30:00Z', outcome: 'unavailable', reason: 'no_contact' });
      expect(Object.keys(rows[0].prediction.features)).toContain('yearsSinceContactVerified');
      expect(readFileSync(out, 'utf8')).not.toContain('D-OUT-0001');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
