// The scoring function's signed GetObject (no S3 client): path-style against an endpoint override,
// virtual-hosted otherwise; a signature that an independent SigV4 implementation (aws4) computes
// the same; retries with backoff for 5xx, throttling and dropped connections; refusals and
// exhausted retries as errors that name the object.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StandardRetryStrategy } from '@smithy/core/retry';
import aws4 from 'aws4';
import { objectUrl, signedObjectGetter } from '../../lambdas/score-donor/signed-object-get';
import { loadModelFromS3 } from '../../lambdas/score-donor/aws-ports';

type Reply = { status: number; body?: string; drop?: boolean; headers?: Record<string, string> };
let server: Server;
let endpoint: string;
const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
let replies: Reply[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    const reply = replies.shift() ?? { status: 200, body: 'object bytes' };
    if (reply.drop) return void req.socket.destroy();
    res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
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
const env = () => ({ ...credentials, AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL_S3: endpoint });
// Retries without waiting: the same strategy and attempt count, a 1 ms base delay.
const quickRetries = (maxAttempts = 3) => new StandardRetryStrategy({ maxAttempts, baseDelay: 1 });
const xmlError = (code: string, message = 'injected') => `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

// fromEnv reads process.env: each test sets the credentials it means and restores the rest.
const saved = { ...process.env };
beforeEach(() => Object.assign(process.env, credentials));
afterEach(() => {
  for (const k of Object.keys(credentials)) delete process.env[k];
  Object.assign(process.env, saved);
});

describe('signed GetObject', () => {
  it('reads the object path-style from an endpoint override, signed as S3 GetObject', async () => {
    const get = signedObjectGetter({ env: env(), retryStrategy: quickRetries() });
    const bytes = await get('model-bucket', 'models/abc/donor readiness+1.onnx');
    expect(Buffer.from(bytes).toString()).toBe('object bytes');
    expect(seen).toHaveLength(1);
    const { method, url, headers } = seen[0];
    expect(method).toBe('GET');
    expect(url).toBe('/model-bucket/models/abc/donor%20readiness%2B1.onnx');
    expect(headers['x-amz-security-token']).toBe('session-token');
    const date = String(headers['x-amz-date']);
    expect(headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${date.slice(0, 8)}/eu-central-1/s3/aws4_request, SignedHeaders=\\S+, Signature=[0-9a-f]{64}$`));

    // aws4 signs the same request (same date and headers) to the same signature.
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(headers.authorization))![1].split(';');
    const again = aws4.sign(
      { host: headers.host, path: url, method: 'GET', service: 's3', region: 'eu-central-1', headers: Object.fromEntries(signedHeaders.filter((h) => h !== 'host').map((h) => [h, String(headers[h])])) },
      { accessKeyId: credentials.AWS_ACCESS_KEY_ID, secretAccessKey: credentials.AWS_SECRET_ACCESS_KEY, sessionToken: credentials.AWS_SESSION_TOKEN },
    );
    expect(/Signature=([0-9a-f]{64})/.exec(String(headers.authorization))![1]).toBe(/Signature=([0-9a-f]{64})/.exec(String(again.headers!.Authorization))![1]);
  });

  it('addresses a bucket by its regional virtual-hosted name without an override', () => {
    expect(objectUrl('bucket-1', 'models/a/b.onnx', 'eu-west-1', {}).href).toBe('https://bucket-1.s3.eu-west-1.amazonaws.com/models/a/b.onnx');
    expect(objectUrl('my.dotted.bucket', 'k', 'eu-west-1', {}).href).toBe('https://s3.eu-west-1.amazonaws.com/my.dotted.bucket/k');
    expect(objectUrl('b', 'k', 'eu-west-1', { AWS_ENDPOINT_URL: 'http://localhost:9000/' }).href).toBe('http://localhost:9000/b/k');
    expect(objectUrl('b', 'k', 'eu-west-1', { AWS_ENDPOINT_URL: 'http://a:1', AWS_ENDPOINT_URL_S3: 'http://s3:2' }).href).toBe('http://s3:2/b/k');
  });

  it('retries server errors, throttling and dropped connections, then reads', async () => {
    replies = [{ status: 503, body: xmlError('SlowDown') }, { status: 500, body: xmlError('InternalError') }];
    const get = signedObjectGetter({ env: env(), retryStrategy: quickRetries() });
    expect(Buffer.from(await get('b', 'k')).toString()).toBe('object bytes');
    expect(seen).toHaveLength(3);

    seen.splice(0);
    replies = [{ status: 0, drop: true }];
    expect(Buffer.from(await get('b', 'k')).toString()).toBe('object bytes');
    expect(seen).toHaveLength(2);
  });

  it('gives up after the attempts AWS_MAX_ATTEMPTS allows, naming the object and the error', async () => {
    replies = Array.from({ length: 5 }, () => ({ status: 503, body: xmlError('SlowDown', 'Please reduce your request rate.') }));
    const get = signedObjectGetter({ env: { ...env(), AWS_MAX_ATTEMPTS: '2' }, retryStrategy: quickRetries(2) });
    const failed = get('model-bucket', 'models/x/manifest.json');
    await expect(failed).rejects.toThrow(
      's3://model-bucket/models/x/manifest.json could not be read after 2 attempts: s3://model-bucket/models/x/manifest.json: 503 SlowDown (Please reduce your request rate.) (S3 is throttling; the event is retried by Lambda)',
    );
    await expect(failed).rejects.toMatchObject({ name: 'SlowDown' });
    expect(seen).toHaveLength(2);
  });

  it('does not retry a missing object; the model loader calls it a deployment problem', async () => {
    replies = [{ status: 404, body: xmlError('NoSuchKey') }];
    const get = signedObjectGetter({ env: env(), retryStrategy: quickRetries() });
    await expect(get('b', 'gone')).rejects.toMatchObject({ name: 'NoSuchKey', status: 404, bucket: 'b', key: 'gone' });
    expect(seen).toHaveLength(1);

    replies = [{ status: 403, body: xmlError('AccessDenied') }];
    await expect(loadModelFromS3(get, { modelBucket: 'b', modelPrefix: 'models/p/', modelSha256: 'a'.repeat(64) })).rejects.toThrow(
      'model object s3://b/models/p/manifest.json cannot be read (AccessDenied): deploy the model with npx cdk deploy',
    );
  });

  it('says what is missing when the environment has no credentials or region', async () => {
    for (const k of Object.keys(credentials)) delete process.env[k];
    await expect(signedObjectGetter({ env: { AWS_REGION: 'eu-central-1', AWS_ENDPOINT_URL_S3: endpoint } })('b', 'k')).rejects.toThrow(
      'cannot read s3://b/k: no credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY; Lambda sets them from the function\'s role)',
    );
    await expect(signedObjectGetter({ env: { AWS_ENDPOINT_URL_S3: endpoint } })('b', 'k')).rejects.toThrow('cannot read s3://b/k: AWS_REGION is not set');
    expect(seen).toHaveLength(0);
  });
});
