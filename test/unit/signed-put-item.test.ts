// The scoring function's conditional write as a signed DynamoDB request (no DynamoDB client), over
// real HTTP to a local server: the body the SDK's document client sends for the same PutCommand; a
// signature that an independent SigV4 implementation (aws4) computes the same; a refused condition
// as `stale`; throttling, 5xx and dropped connections retried; other refusals not retried, named
// and worded by DynamoDB, with no donor data in the error.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { StandardRetryStrategy } from '@smithy/core/retry';
import aws4 from 'aws4';
import type { StoredScore } from '../../lambdas/core/score-record';
import { NEWER_SCORE_CONDITION } from '../../lambdas/score-donor/dynamodb-score-store';
import { dynamoDbUrl, SignedDynamoDbScoreStore } from '../../lambdas/score-donor/signed-put-item';

type Reply = { status: number; body?: string; drop?: boolean; headers?: Record<string, string> };
let server: Server;
let endpoint: string;
const seen: { method: string; url: string; headers: IncomingHttpHeaders; body: string }[] = [];
let replies: Reply[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const reply = replies.shift() ?? { status: 200, body: '{}' };
      if (reply.drop) return void req.socket.destroy();
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0', ...reply.headers }).end(reply.body ?? '');
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((done) => server.close(done)));
beforeEach(() => {
  seen.splice(0);
  replies = [];
});

const credentials = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'session-token' };
const env = (extra: Record<string, string> = {}) => ({ ...credentials, AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL_DYNAMODB: endpoint, ...extra });
// Retries without waiting long: the same strategy and attempt count, a 1 ms base delay.
const quickRetries = (maxAttempts = 3) => new StandardRetryStrategy({ maxAttempts, baseDelay: 1 });
const dynamoError = (type: string, message: string) => JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

// fromEnv reads process.env: each test sets the credentials it means and restores the rest.
const saved = { ...process.env };
beforeEach(() => Object.assign(process.env, credentials));
afterEach(() => {
  for (const k of Object.keys(credentials)) delete process.env[k];
  Object.assign(process.env, saved);
});

/** A stored score with the shapes the record has: nested maps, lists, numbers, null, an undefined field. */
const record = (overrides: Partial<StoredScore> = {}): StoredScore =>
  ({
    donorId: 'D-SECRET-0042',
    revision: 7,
    updatedAt: '2026-11-20T10:00:00Z',
    sourceEventId: 'evt-1',
    score: 0.734,
    band: 'high',
    reasons: [{ feature: 'yearsRegistered', contribution: 0.4 }, { feature: 'recentResponse', contribution: -0.1 }],
    features: { age: 36, bloodDonor: 1, recentResponse: 0 },
    modelVersion: '2026.11.1',
    modelSha256: 'a'.repeat(64),
    scoringDate: '2026-11-26',
    scoredAt: '2026-11-26T04:00:00.000Z',
    input: '{"birthYear":1990}',
    lastUnavailableReason: null,
    notSet: undefined,
    ...overrides,
  }) as unknown as StoredScore;

const store = (extra: Record<string, string> = {}, retries = quickRetries()) => new SignedDynamoDbScoreStore('scores-table', { env: env(extra), retryStrategy: retries });

describe('the score as a signed PutItem', () => {
  it('sends the body the SDK document client sends for the same conditional put', async () => {
    expect(await store().putIfNewer(record())).toBe(true);
    expect(seen).toHaveLength(1);
    const ours = seen[0];

    // The SDK's document client, with the options the registry refresh uses, against the same server.
    const client = new DynamoDBClient({ endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' }, maxAttempts: 1 });
    const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    const r = record();
    await documents.send(
      new PutCommand({
        TableName: 'scores-table',
        Item: r,
        ConditionExpression: NEWER_SCORE_CONDITION,
        ExpressionAttributeValues: { ':revision': r.revision, ':modelSha256': r.modelSha256, ':scoringDate': r.scoringDate },
      }),
    );
    client.destroy();
    const sdk = seen[1];
    expect(JSON.parse(ours.body)).toEqual(JSON.parse(sdk.body));
    for (const header of ['x-amz-target', 'content-type']) expect(ours.headers[header]).toBe(sdk.headers[header]);
    expect(ours.headers['x-amz-target']).toBe('DynamoDB_20120810.PutItem');
    expect(ours.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(ours.method).toBe('POST');
    expect(ours.url).toBe('/');
    // Spelled out, not only compared: the condition and its values as DynamoDB attribute values.
    expect(JSON.parse(ours.body)).toMatchObject({
      TableName: 'scores-table',
      ConditionExpression: 'attribute_not_exists(donorId) OR revision < :revision OR (revision = :revision AND (modelSha256 <> :modelSha256 OR scoringDate < :scoringDate))',
      ExpressionAttributeValues: { ':revision': { N: '7' }, ':modelSha256': { S: 'a'.repeat(64) }, ':scoringDate': { S: '2026-11-26' } },
      Item: { donorId: { S: 'D-SECRET-0042' }, revision: { N: '7' }, lastUnavailableReason: { NULL: true }, features: { M: { age: { N: '36' }, bloodDonor: { N: '1' }, recentResponse: { N: '0' } } } },
    });
    expect(JSON.parse(ours.body).Item).not.toHaveProperty('notSet');
    expect(JSON.parse(ours.body)).not.toHaveProperty('ReturnValues');
  });

  it('is signed for DynamoDB as aws4 signs the same request', async () => {
    await store().putIfNewer(record());
    const { url, headers, body } = seen[0];
    const date = String(headers['x-amz-date']);
    expect(headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${date.slice(0, 8)}/eu-central-1/dynamodb/aws4_request, SignedHeaders=\\S+, Signature=[0-9a-f]{64}$`));
    expect(headers['x-amz-security-token']).toBe('session-token');
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(headers.authorization))![1].split(';');
    expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target', 'content-type']));
    const again = aws4.sign(
      {
        host: headers.host,
        path: url,
        method: 'POST',
        service: 'dynamodb',
        region: 'eu-central-1',
        body,
        headers: Object.fromEntries(signedHeaders.filter((h) => h !== 'host').map((h) => [h, String(headers[h])])),
      },
      { accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY, sessionToken: credentials.AWS_SESSION_TOKEN },
    );
    expect(/Signature=([0-9a-f]{64})/.exec(String(headers.authorization))![1]).toBe(/Signature=([0-9a-f]{64})/.exec(String(again.headers!.Authorization))![1]);
  });

  it('reports a refused condition as stale (false), without retrying', async () => {
    replies = [{ status: 400, body: dynamoError('ConditionalCheckFailedException', 'The conditional request failed') }];
    expect(await store().putIfNewer(record())).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('retries throttling, server errors and dropped connections, then writes', async () => {
    replies = [
      { status: 400, body: dynamoError('ProvisionedThroughputExceededException', 'The level of configured provisioned throughput for the table was exceeded.') },
      { status: 400, body: dynamoError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.') },
      { status: 400, body: dynamoError('RequestLimitExceeded', 'Throughput exceeds the current throughput limit for your account.') },
      { status: 500, body: dynamoError('InternalServerError', 'Internal server error') },
      { status: 0, drop: true },
    ];
    expect(await store({}, quickRetries(6)).putIfNewer(record())).toBe(true);
    expect(seen).toHaveLength(6);
    // Every attempt carries the same item.
    expect(new Set(seen.map((s) => s.body)).size).toBe(1);
  });

  it('gives up after AWS_MAX_ATTEMPTS, throwing the last error as DynamoDB named it', async () => {
    replies = Array.from({ length: 5 }, () => ({ status: 400, body: dynamoError('ThrottlingException', 'injected throttling') }));
    const failed = new SignedDynamoDbScoreStore('scores-table', { env: env({ AWS_MAX_ATTEMPTS: '2' }) }).putIfNewer(record());
    await expect(failed).rejects.toMatchObject({ name: 'ThrottlingException', message: 'injected throttling', $metadata: { httpStatusCode: 400, attempts: 2 } });
    expect(seen).toHaveLength(2);
  });

  it('makes as many attempts as the DynamoDB client does by default', async () => {
    const serverErrors = () => Array.from({ length: 10 }, () => ({ status: 500, body: dynamoError('InternalServerError', 'injected fault') }));
    replies = serverErrors();
    const client = new DynamoDBClient({ endpoint, region: 'eu-central-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
    await expect(DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: 't', Item: { donorId: 'x' } }))).rejects.toMatchObject({ name: 'InternalServerError' });
    client.destroy();
    const sdkAttempts = seen.length;
    expect(sdkAttempts).toBeGreaterThan(1);

    seen.splice(0);
    replies = serverErrors();
    await expect(new SignedDynamoDbScoreStore('t', { env: env() }).putIfNewer(record())).rejects.toMatchObject({ name: 'InternalServerError', $metadata: { attempts: sdkAttempts } });
    expect(seen).toHaveLength(sdkAttempts);
  });

  it('does not retry a validation error; names it and keeps donor data out of the error', async () => {
    replies = [{ status: 400, body: dynamoError('ValidationException', 'One or more parameter values were invalid: Missing the key donorId in the item') }];
    const failed = store().putIfNewer(record());
    await expect(failed).rejects.toMatchObject({ name: 'ValidationException', message: 'One or more parameter values were invalid: Missing the key donorId in the item' });
    const error = (await failed.catch((e: Error) => e)) as Error;
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toMatch(/D-SECRET|birthYear/);
    expect(seen).toHaveLength(1);

    replies = [{ status: 400, body: JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', Message: 'capital M' }) }];
    await expect(store().putIfNewer(record())).rejects.toMatchObject({ name: 'ValidationException', message: 'capital M' });
    replies = [{ status: 403, body: '<html>denied</html>', headers: { 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/' } }];
    await expect(store().putIfNewer(record())).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(seen).toHaveLength(3);
  });

  it('goes where the SDK would: the regional endpoint, or AWS_ENDPOINT_URL_DYNAMODB before AWS_ENDPOINT_URL', async () => {
    expect(dynamoDbUrl('eu-west-1', {}).href).toBe('https://dynamodb.eu-west-1.amazonaws.com/');
    expect(dynamoDbUrl('eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:4567' }).href).toBe('http://localhost:4567/');
    expect(dynamoDbUrl('eu-west-1', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_DYNAMODB: 'http://d:2' }).href).toBe('http://d:2/');
    // AWS_ENDPOINT_URL alone reaches the local server.
    expect(await new SignedDynamoDbScoreStore('t', { env: { ...credentials, AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL: endpoint } }).putIfNewer(record())).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('says what is missing when the environment has no credentials or region', async () => {
    for (const k of Object.keys(credentials)) delete process.env[k];
    await expect(new SignedDynamoDbScoreStore('scores-table', { env: { AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL_DYNAMODB: endpoint } }).putIfNewer(record())).rejects.toThrow(
      "cannot write to DynamoDB table scores-table: no credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; Lambda sets them from the function's role)",
    );
    await expect(new SignedDynamoDbScoreStore('scores-table', { env: { AWS_ENDPOINT_URL_DYNAMODB: endpoint } }).putIfNewer(record())).rejects.toThrow(
      'cannot write to DynamoDB table scores-table: AWS_REGION is not set',
    );
    expect(seen).toHaveLength(0);
  });
});
