// The read API's pure core, its DynamoDB port's retry of unprocessed keys, and its OpenAPI document.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbScoreReader, ScoresUnavailableError, type RetryPolicy } from '../../lambdas/read-api/aws-ports';
import { OPENAPI_FILE, renderOpenApiDocument } from '../../lambdas/read-api/openapi-document';
import { batchGetReadiness, parseBatchGetBody, reasonMeanings, type StoredScore } from '../../lambdas/read-api/read-readiness';
import { BatchGetResponse } from '../../lambdas/read-api/readiness-contract';
import type { ModelManifest } from '../../lambdas/core/model-manifest';

const manifest = JSON.parse(readFileSync(`${__dirname}/../../model/manifest.json`, 'utf8')) as ModelManifest;
const ids = (n: number) => Array.from({ length: n }, (_, i) => `D-${String(i).padStart(4, '0')}`);
const violation = (body: string | null) => {
  const parsed = parseBatchGetBody(body);
  if (parsed.ok) throw new Error(`expected ${body} to be refused`);
  return parsed.violation;
};

describe('batchGet request validation', () => {
  it('accepts 1 and 100 distinct ids', () => {
    expect(parseBatchGetBody(JSON.stringify({ donorIds: ['abcd'] }))).toEqual({ ok: true, request: { donorIds: ['abcd'] } });
    expect(parseBatchGetBody(JSON.stringify({ donorIds: ids(100) })).ok).toBe(true);
  });

  it.each([
    ['not JSON', '{"donorIds": [', 'body', 'must be JSON'],
    ['no body', null, 'body', 'is required: a JSON object {"donorIds": [...]}'],
    ['an array', '[]', 'body', 'must be a JSON object {"donorIds": [...]}'],
    ['no donorIds', '{}', 'donorIds', 'is required'],
    ['donorIds a string', '{"donorIds":"abcd"}', 'donorIds', 'must be an array of donor ids'],
    ['no ids', '{"donorIds":[]}', 'donorIds', 'must hold at least 1 id'],
    ['101 ids', JSON.stringify({ donorIds: ids(101) }), 'donorIds', 'must hold at most 100 ids'],
    ['a short id', '{"donorIds":["abcd","abc"]}', 'donorIds[1]', 'must match ^[A-Za-z0-9-]{4,40}$'],
    ['an id with a space', '{"donorIds":["ab cd"]}', 'donorIds[0]', 'must match ^[A-Za-z0-9-]{4,40}$'],
    ['a number as id', '{"donorIds":[12345]}', 'donorIds[0]', 'must match ^[A-Za-z0-9-]{4,40}$'],
    ['a repeated id', '{"donorIds":["abcd","efgh","abcd"]}', 'donorIds[2]', 'must not repeat an id'],
    ['an unknown field', '{"donorIds":["abcd"],"features":true}', 'features', 'is not a field of this request'],
  ])('refuses %s with 400, the field and the rule', (_, body, field, rule) => {
    expect(violation(body)).toEqual({ status: 400, field, rule });
  });

  it('refuses a body over 16 KiB with 413 before parsing it', () => {
    expect(violation(`{"donorIds":["abcd"],"pad":"${'x'.repeat(16 * 1024)}"}`)).toEqual({ status: 413, field: 'body', rule: 'must be at most 16384 bytes' });
  });

  it('reads a base64 body as API Gateway hands over binary payloads', () => {
    expect(parseBatchGetBody(Buffer.from('{"donorIds":["abcd"]}').toString('base64'), true).ok).toBe(true);
  });
});

const stored = (donorId: string, extra: Partial<StoredScore> = {}): StoredScore => ({
  donorId,
  score: 0.61,
  band: 'medium',
  reasons: [{ code: 'CONTACT_STALE', effect: 'lowers' }, { code: 'BLOOD_DONOR', effect: 'raises' }],
  modelVersion: '2026.11.1',
  scoringDate: '2026-11-20',
  scoredAt: '2026-11-20T08:00:00.000Z',
  revision: 3,
  ...extra,
});

describe('batchGetReadiness', () => {
  const meanings = reasonMeanings(manifest);
  const run = (requested: string[], found: StoredScore[], today = '2026-11-25') =>
    batchGetReadiness(
      { donorIds: requested },
      { reader: { readScores: async () => new Map(found.map((s) => [s.donorId, s])) }, meanings: async () => meanings, today: () => today },
    );

  it('answers every id in request order: found ones in items, the others in notFound', async () => {
    const response = await run(['D-3', 'D-1', 'D-2', 'D-9'], [stored('D-1'), stored('D-2', { band: 'high', score: 0.8 })]);
    expect(response.items.map((i) => i.donorId)).toEqual(['D-1', 'D-2']);
    expect(response.notFound).toEqual(['D-3', 'D-9']);
    expect(() => BatchGetResponse.parse(response)).not.toThrow();
  });

  it("gives each reason the manifest's meaning, the age in days since the scoring date, and nothing else", async () => {
    const withFeatures = { ...stored('D-1'), features: { ageYears: 41 }, modelSha256: 'x', sourceEventId: 'e', updatedAt: '2026-01-01T00:00:00Z' } as StoredScore;
    const { items } = await run(['D-1'], [withFeatures], '2026-11-25');
    expect(items[0]).toEqual({
      donorId: 'D-1',
      score: 0.61,
      band: 'medium',
      reasons: [
        { code: 'CONTACT_STALE', effect: 'lowers', meaning: 'time since contact details were last confirmed' },
        { code: 'BLOOD_DONOR', effect: 'raises', meaning: 'active blood donors are more often available' },
      ],
      modelVersion: '2026.11.1',
      scoringDate: '2026-11-20',
      scoredAt: '2026-11-20T08:00:00.000Z',
      revision: 3,
      ageDays: 5,
    });
  });

  it('crosses a month and a leap day when counting the age', async () => {
    const { items } = await run(['D-1'], [stored('D-1', { scoringDate: '2028-02-27' })], '2028-03-01');
    expect(items[0].ageDays).toBe(3);
  });
});

/** A real SDK client whose HTTP requests are answered in process: the fake sits at the wire, below (un)marshalling. */
function answeringClient(answer: (input: any) => unknown): DynamoDBClient {
  return new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    requestHandler: {
      handle: async (request: { body: string | Uint8Array }) => ({
        response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Buffer.from(JSON.stringify(answer(JSON.parse(typeof request.body === 'string' ? request.body : new TextDecoder().decode(request.body))))) },
      }),
    } as any,
  });
}

/** Answers BatchGetItem from a script: how many keys it leaves unprocessed on each call. */
function scriptedClient(table: string, items: Record<string, StoredScore>, unprocessedPerCall: number[]) {
  const requests: string[][] = [];
  const client = answeringClient((input: { RequestItems: Record<string, { Keys: { donorId: { S: string } }[] }> }) => {
      const keys = input.RequestItems[table].Keys.map((k) => k.donorId.S);
      requests.push(keys);
      const leave = unprocessedPerCall[requests.length - 1] ?? 0;
      const served = keys.slice(leave);
      return {
        Responses: { [table]: served.filter((k) => items[k]).map((k) => ({ donorId: { S: k }, score: { N: String(items[k].score) }, band: { S: items[k].band } })) },
        UnprocessedKeys: leave ? { [table]: { Keys: keys.slice(0, leave).map((k) => ({ donorId: { S: k } })) } } : {},
      };
  });
  return { client, requests };
}

describe('DynamoDbScoreReader', () => {
  const delays: number[] = [];
  const retry: RetryPolicy = { attempts: 4, baseDelayMs: 10, maxDelayMs: 40, sleep: async (ms) => void delays.push(ms), random: () => 1 };
  const all = Object.fromEntries(ids(100).map((id) => [id, stored(id)]));
  beforeEach(() => delays.splice(0));

  it('retries unprocessed keys until every key is answered, with growing delays', async () => {
    const { client, requests } = scriptedClient('scores', all, [60, 10]);
    const reader = new DynamoDbScoreReader(client, 'scores', retry);
    const found = await reader.readScores(ids(100));
    expect(found.size).toBe(100);
    expect(requests.map((r) => r.length)).toEqual([100, 60, 10]);
    expect(delays).toEqual([10, 20]);
  });

  it('never answers an unprocessed key as missing: after the last attempt it fails', async () => {
    const { client, requests } = scriptedClient('scores', all, [5, 5, 5, 5, 5]);
    await expect(new DynamoDbScoreReader(client, 'scores', retry).readScores(ids(10))).rejects.toThrow(ScoresUnavailableError);
    expect(requests).toHaveLength(4);
  });

  it('asks only for the public fields', async () => {
    let projection = '';
    const client = answeringClient((input: any) => ((projection = JSON.stringify(input.RequestItems.t)), { Responses: { t: [] } }));
    await new DynamoDbScoreReader(client, 't', retry).readScores(['abcd']);
    for (const field of ['donorId', 'score', 'band', 'reasons', 'modelVersion', 'scoringDate', 'scoredAt', 'revision']) expect(projection).toContain(`"${field}"`);
    expect(projection).not.toContain('features');
  });
});

/**
 * @apidevtools/swagger-parser's dependencies are ES modules that jest's CommonJS runtime cannot load:
 * the validator runs in a plain node process, on the committed file or on a document given on stdin.
 */
function validateOpenApi(document?: unknown): { ok: boolean; output: string } {
  const script = `const parser = require('@apidevtools/swagger-parser');
    const input = process.argv[1] ? process.argv[1] : JSON.parse(require('fs').readFileSync(0, 'utf8'));
    parser.validate(input).then((api) => console.log(JSON.stringify({ openapi: api.openapi, paths: Object.keys(api.paths) })), (e) => { console.error(e.message); process.exit(1); });`;
  const run = spawnSync(process.execPath, ['-e', script, document === undefined ? OPENAPI_FILE : ''], { input: document === undefined ? '' : JSON.stringify(document), encoding: 'utf8' });
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

describe('OpenAPI document', () => {
  it('is committed exactly as the schemas generate it (npm run openapi)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApiDocument());
  });

  it('is a valid OpenAPI 3 document', async () => {
    const result = validateOpenApi();
    expect(result).toMatchObject({ ok: true });
    expect(JSON.parse(result.output)).toEqual({ openapi: '3.0.3', paths: ['/v1/readiness:batchGet'] });
  });

  it('states the rules the handler enforces', () => {
    const doc = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    const donorIds = doc.components.schemas.BatchGetRequest.properties.donorIds;
    expect(donorIds).toMatchObject({ minItems: 1, maxItems: 100, items: { pattern: '^[A-Za-z0-9-]{4,40}$' } });
    expect(doc.components.schemas.BatchGetRequest.additionalProperties).toBe(false);
    expect(Object.keys(doc.components.schemas.ReadinessItem.properties)).not.toContain('features');
  });

  it('would be caught by the validator if it were broken', async () => {
    const broken = JSON.parse(renderOpenApiDocument());
    broken.paths['/v1/readiness:batchGet'].post.responses['200'].content['application/json'].schema = { $ref: '#/components/schemas/Missing' };
    const result = validateOpenApi(broken);
    expect(result.ok).toBe(false);
    expect(result.output).toContain('Missing');
  });
});
