// The read API over HTTP against the local twin (the bundled handler behind the local API front,
// dynalite behind a fault proxy), and DonorReadinessChanged events from the pipes' filters on the
// stream records of real writes. The donor-data guard (setup file) checks every function log line
// and access log line of this file for the donor ids requested.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { OPENAPI_FILE } from '../../lambdas/read-api/openapi-document';
import { BatchGetResponse } from '../../lambdas/read-api/readiness-contract';
import { dynamoDbOperation, startFaultProxy, type FaultProxy } from '../../twin/fault-proxy';
import { startLocalApi, type LocalApi } from '../../twin/local-api';
import { pipesFromTemplate, renderInputTemplate } from '../../twin/local-pipes';
import { withCapturedLogs } from '../../twin/captured-logs';
import { runTwin, scanTable, type TwinRun } from '../../twin/run-twin';
import { writeTwinSession } from '../../twin/twin-session';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'model', 'manifest.json'), 'utf8')) as ModelManifest;
const scoredIds = Array.from({ length: 60 }, (_, i) => `D-API-${String(i).padStart(3, '0')}`);
const unknownIds = Array.from({ length: 40 }, (_, i) => `D-NONE-${String(i).padStart(3, '0')}`);
/** A donor whose record gets much worse: contact lost, never answers, unavailable before. */
const worse = (revision: number) =>
  validDetail({
    donorId: 'D-CHANGE',
    revision,
    donor: {
      ...validDetail().donor,
      contactVerifiedOn: null,
      lastResponseOn: null,
      outreach12m: { attempts: 6, responses: 0 },
      priorRequests: { total: 3, available: 0 },
      lastUnavailableReason: 'no_contact',
    },
  });

let run: TwinRun;
let workDir: string;
let proxy: FaultProxy;
let api: LocalApi;
let table: Record<string, any>[];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'drs-api-'));
  const file = join(workDir, 'events.jsonl');
  const events = [
    ...scoredIds.map((donorId, i) => donorUpdatedEvent(validDetail({ donorId, revision: 1 }), `api-${i}`)),
    donorUpdatedEvent(validDetail({ donorId: 'D-CHANGE', revision: 1 }), 'change-1'),
    donorUpdatedEvent(validDetail({ donorId: 'D-CHANGE', revision: 2, updatedAt: '2026-11-21T10:00:00Z' }), 'change-2'), // same attributes: same band
    donorUpdatedEvent(worse(3), 'change-3'), // band changes
    donorUpdatedEvent(worse(4), 'change-4'), // same band again
  ];
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  run = await runTwin({ events: 0, eventsFile: file, badFraction: 0, concurrency: 1, seed: 1, asOf: new Date().toISOString().slice(0, 10), workDir, alertEmails: 'team@example.org', keepRecords: true });
  table = await scanTable(run.clients, run.pipeline.scoreTable);
  proxy = await startFaultProxy(run.endpoints.dynamodb);
  api = (await withCapturedLogs(join(workDir, 'read-api.log'), () =>
    startLocalApi({
      template: run.synthesized.template,
      functionFor: run.pipeline.functionFor,
      env: { ...run.endpoints.env, AWS_ENDPOINT_URL_DYNAMODB: proxy.url },
      accessLogFile: join(workDir, 'api-access.log'),
    }),
  ))!;
});

afterAll(async () => {
  await api?.close();
  await proxy?.close();
  await run?.endpoints.stop();
  rmSync(workDir, { recursive: true, force: true });
});

async function post(body: string, path = '/v1/readiness:batchGet') {
  return withCapturedLogs(join(workDir, 'read-api.log'), async () => {
    const response = await fetch(`${api.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: response.status, headers: response.headers, json: (await response.json()) as any };
  });
}
const batchGet = (donorIds: unknown[]) => post(JSON.stringify({ donorIds }));

describe('POST /v1/readiness:batchGet on the twin', () => {
  it('answers a found donor with the stored score, the meaning of each reason and its age; no features', async () => {
    const { status, json } = await batchGet(['D-API-007']);
    expect(status).toBe(200);
    const stored = table.find((i) => i.donorId === 'D-API-007')!;
    const meaning = (code: string, effect: string) => manifest.reasonCodes.codes.find((c) => c.code === code && c.effect === effect)!.meaning;
    expect(json).toEqual({
      items: [
        {
          donorId: 'D-API-007',
          score: stored.score,
          band: stored.band,
          reasons: stored.reasons.map((r: any) => ({ ...r, meaning: meaning(r.code, r.effect) })),
          modelVersion: manifest.modelVersion,
          scoringDate: stored.scoringDate,
          scoredAt: stored.scoredAt,
          revision: 1,
          ageDays: 0,
        },
      ],
      notFound: [],
    });
    expect(stored.reasons.length).toBeGreaterThan(0);
    expect(JSON.stringify(json)).not.toMatch(/features|birthYear|modelSha256|sourceEventId/);
  });

  it('lists an id without a score as not found', async () => {
    const { status, json } = await batchGet(['D-NONE-000']);
    expect(status).toBe(200);
    expect(json).toEqual({ items: [], notFound: ['D-NONE-000'] });
  });

  it('answers 100 ids, found and not found interleaved, each once and in request order', async () => {
    const ids = scoredIds.flatMap((id, i) => (i < 40 ? [id, unknownIds[i]] : [id]));
    expect(ids).toHaveLength(100);
    const { status, json } = await batchGet(ids);
    expect(status).toBe(200);
    expect(json.items.map((i: any) => i.donorId)).toEqual(scoredIds);
    expect(json.notFound).toEqual(unknownIds);
    expect(() => BatchGetResponse.parse(json)).not.toThrow();
  });

  it('refuses 101 ids with 400, the field and the rule', async () => {
    const { status, json } = await batchGet([...scoredIds, ...unknownIds, 'D-NONE-100']);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ field: 'donorIds', rule: 'must hold at most 100 ids' });
    expect(typeof json.requestId).toBe('string');
  });

  it.each([
    ['a body that is not JSON', '{"donorIds": ["D-API-001"', 'body', 'must be JSON'],
    ['an empty body', '', 'body', 'is required: a JSON object {"donorIds": [...]}'],
    ['a malformed id', '{"donorIds":["D-API-001","no"]}', 'donorIds[1]', 'must match ^[A-Za-z0-9-]{4,40}$'],
    ['an unknown field', '{"donorIds":["D-API-001"],"fields":["features"]}', 'fields', 'is not a field of this request'],
  ])('refuses %s with 400 (never 500)', async (_, body, field, rule) => {
    const { status, json } = await post(body);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ field, rule });
  });

  it('answers an unknown route as API Gateway does for an IAM API', async () => {
    const { status, json } = await post('{}', '/v1/readiness');
    expect(status).toBe(403);
    expect(json.error.message).toBe('Missing Authentication Token');
  });

  it('retries keys DynamoDB leaves unprocessed and answers them as found, never as missing', async () => {
    const ids = scoredIds.slice(0, 30);
    const allUnprocessed = JSON.stringify({
      Responses: { [run.pipeline.scoreTable]: [] },
      UnprocessedKeys: { [run.pipeline.scoreTable]: { Keys: ids.map((id) => ({ donorId: { S: id } })) } },
    });
    const before = proxy.failed;
    proxy.inject({ matches: dynamoDbOperation('BatchGetItem'), times: 2, status: 200, body: allUnprocessed });
    const { status, json } = await batchGet(ids);
    expect(proxy.failed - before).toBe(2);
    expect(status).toBe(200);
    expect(json.items.map((i: any) => i.donorId)).toEqual(ids);
    expect(json.notFound).toEqual([]);
  });

  it('answers 503 with Retry-After when keys stay unprocessed through every retry', async () => {
    const ids = scoredIds.slice(0, 3);
    const body = JSON.stringify({ Responses: {}, UnprocessedKeys: { [run.pipeline.scoreTable]: { Keys: ids.map((id) => ({ donorId: { S: id } })) } } });
    proxy.inject({ matches: dynamoDbOperation('BatchGetItem'), times: 1000, status: 200, body });
    const { status, headers, json } = await batchGet(ids);
    proxy.clear();
    expect(status).toBe(503);
    expect(headers.get('retry-after')).toBe('1');
    expect(json.error.message).toMatch(/retry/);
    // The committed OpenAPI document declares the header the answer carries.
    const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    const declared = Object.keys(document.paths['/v1/readiness:batchGet'].post.responses['503'].headers ?? {});
    expect(declared).toEqual(['Retry-After']);
    for (const name of declared) expect(Number(headers.get(name))).toBeGreaterThanOrEqual(1);
  });

  it('is what npx drs scores get --twin reads', async () => {
    const fn = run.pipeline.scoringFunction;
    const remove = writeTwinSession(workDir, { pid: process.pid, env: run.endpoints.env, scoringFunction: fn, functionArn: 'arn:local', apiUrl: api.url });
    // Asynchronously: the API answering the command runs in this process.
    const drs = (...args: string[]) =>
      new Promise<{ status: number; stdout: string; stderr: string }>((done) => {
        execFile(process.execPath, [join(__dirname, '..', '..', 'cli', 'drs.cjs'), 'scores', 'get', '--twin', workDir, ...args], (error, stdout, stderr) =>
          done({ status: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        );
      });
    const cli = await withCapturedLogs(join(workDir, 'read-api.log'), () => drs('--json', 'D-API-001', 'D-NONE-001'));
    const bad = await withCapturedLogs(join(workDir, 'read-api.log'), () => drs('D-API-001', 'no'));
    remove();
    expect(cli).toMatchObject({ status: 0, stderr: '' });
    const answer = JSON.parse(cli.stdout);
    expect(answer.items.map((i: any) => [i.donorId, i.score])).toEqual([['D-API-001', table.find((i) => i.donorId === 'D-API-001')!.score]]);
    expect(answer.notFound).toEqual(['D-NONE-001']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('donorIds[1] must match ^[A-Za-z0-9-]{4,40}$ (the read API answered 400)');
  });

  it('has each request\'s function log line in read-api.log within a couple of seconds while serving', async () => {
    const log = join(workDir, 'read-api.log');
    const reads = () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"message":"scores read"')).length : 0);
    // As npm start -- --serve does: the capture stays open for as long as the twin serves.
    const served = await withCapturedLogs(log, async () => {
      const before = reads();
      const response = await fetch(`${api.url}/v1/readiness:batchGet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ donorIds: ['D-API-002'] }) });
      await response.json();
      let after = before;
      for (let waited = 0; waited < 3000 && after === before; waited += 100) {
        await new Promise((done) => setTimeout(done, 100));
        after = reads();
      }
      return { status: response.status, before, after };
    });
    expect(served.status).toBe(200);
    expect(served.after).toBe(served.before + 1);
  });

  it('writes access log lines with request id and status, and no donor id', () => {
    const lines = readFileSync(join(workDir, 'api-access.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(lines.map((l) => l.status)).toEqual(expect.arrayContaining(['200', '400', '403', '503']));
    for (const line of lines) expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const text = readFileSync(join(workDir, 'api-access.log'), 'utf8') + readFileSync(join(workDir, 'read-api.log'), 'utf8');
    for (const id of [...scoredIds, ...unknownIds]) expect(text).not.toContain(id);
  });
});

describe('DonorReadinessChanged events on the twin', () => {
  const changeEvents = () =>
    readFileSync(join(workDir, 'events', 'DonorReadinessChanged.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

  it('emits one event per first score and per band change, none for a rescore that keeps the band', () => {
    // Expected from what the scoring handler answered, in delivery order (concurrency 1).
    const bandsOf = (prefix: string) => run.records.filter((r) => r.eventId.startsWith(prefix) && r.fate === 'scored').map((r) => r.band);
    const change = bandsOf('change-');
    expect(change).toHaveLength(4);
    expect(change[1]).toBe(change[0]); // the same-band rescore the filter must drop
    expect(change[2]).not.toBe(change[1]); // the band change it must pass
    expect(change[3]).toBe(change[2]);
    const events = changeEvents();
    const forChange = events.filter((e) => e.detail.donorId === 'D-CHANGE').map((e) => [e.detail.previousBand, e.detail.band]);
    expect(forChange).toEqual([
      [null, change[0]],
      [change[1], change[2]],
    ]);
    expect(events.filter((e) => e.detail.previousBand === null).map((e) => e.detail.donorId).sort()).toEqual([...scoredIds, 'D-CHANGE'].sort());
    expect(run.summary.readinessChanged).toMatchObject({ events: 62, firstScores: 61, bandChanges: 1 });
  });

  it('carries the contract fields only: no donor attributes, the score as a number', () => {
    const stored = table.find((i) => i.donorId === 'D-CHANGE')!;
    const last = changeEvents().filter((e) => e.detail.donorId === 'D-CHANGE').at(-1);
    expect(last).toMatchObject({ 'detail-type': 'DonorReadinessChanged', source: 'donor-readiness' });
    expect(Object.keys(last.detail).sort()).toEqual(['band', 'donorId', 'modelVersion', 'previousBand', 'score', 'scoredAt']);
    expect(typeof last.detail.score).toBe('number');
    expect(last.detail.modelVersion).toBe(manifest.modelVersion);
    // The band-change event was sent for revision 3; revision 4 rewrote the score without an event.
    expect(stored.revision).toBe(4);
  });

  it("evaluates the template's filters on stream records: INSERT and a band change pass, a same-band MODIFY and a REMOVE do not", () => {
    const pipes = pipesFromTemplate(run.synthesized.template);
    const image = (band: string, score: string) => ({ donorId: { S: 'D-X1' }, band: { S: band }, score: { N: score }, modelVersion: { S: 'v' }, scoredAt: { S: '2026-11-25T00:00:00Z' } });
    const record = (eventName: string, oldImage?: object, newImage?: object) => ({
      eventName,
      eventSource: 'aws:dynamodb',
      dynamodb: { Keys: { donorId: { S: 'D-X1' } }, ...(oldImage ? { OldImage: oldImage } : {}), ...(newImage ? { NewImage: newImage } : {}), StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const passing = (r: object) => pipes.filter((p) => p.matches(r)).map((p) => p.logicalId.replace(/[A-F0-9]{8}$/, ''));
    expect(passing(record('INSERT', undefined, image('high', '0.8')))).toEqual(['ReadinessChangeEventsFirstScorePipe']);
    expect(passing(record('MODIFY', image('high', '0.8'), image('low', '0.2')))).toEqual(['ReadinessChangeEventsBandChangePipe']);
    expect(passing(record('MODIFY', image('medium', '0.5'), image('high', '0.75')))).toEqual(['ReadinessChangeEventsBandChangePipe']);
    expect(passing(record('MODIFY', image('high', '0.8'), image('high', '0.9')))).toEqual([]);
    expect(passing(record('REMOVE', image('low', '0.1')))).toEqual([]);
    const bandPipe = pipes.find((p) => p.logicalId.startsWith('ReadinessChangeEventsBandChangePipe'))!;
    expect(renderInputTemplate(bandPipe.inputTemplate!, record('MODIFY', image('high', '0.8'), image('low', '0.25')))).toEqual({
      donorId: 'D-X1', score: 0.25, band: 'low', previousBand: 'high', modelVersion: 'v', scoredAt: '2026-11-25T00:00:00Z',
    });
  });
});
