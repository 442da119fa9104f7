// The cold start's bare I/O floor (bench only; bundled by io-floor-bundle.ts): the same three requests
// as bench/cold-start-io-floor.ts with Node's `http` alone, unsigned (a fixed Authorization header the
// local endpoints do not check), no retries, no timeouts. Less than any handler on AWS can do (there
// every request is signed and sent over TLS): it prices the SDK's signing and HTTP handler beside it.
import * as http from 'node:http';
import * as ort from 'onnxruntime-node';
import type { IoFloorInput } from './cold-start-io-floor';

const agent = new http.Agent({ keepAlive: true });
const UNCHECKED_AUTH = {
  authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/local/aws4_request, SignedHeaders=host, Signature=0',
  'x-amz-date': '20260101T000000Z',
};

function send(url: URL, method: string, headers: Record<string, string>, body?: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers: { ...UNCHECKED_AUTH, ...headers }, agent }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => (response.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${method} ${url.pathname}: ${response.statusCode} ${Buffer.concat(chunks)}`))));
    });
    request.on('error', reject);
    request.end(body);
  });
}

export async function ioFloor(input: IoFloorInput): Promise<{ sessionMs: number }> {
  const s3 = process.env.AWS_ENDPOINT_URL_S3;
  const dynamodb = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!s3?.startsWith('http://') || !dynamodb?.startsWith('http://')) throw new Error('the bare I/O floor runs against local http endpoints only (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB)');
  const [, onnxBytes] = await Promise.all([send(new URL(`${s3}/${input.bucket}/${input.manifestKey}`), 'GET', {}), send(new URL(`${s3}/${input.bucket}/${input.onnxKey}`), 'GET', {})]);
  const session = await ort.InferenceSession.create(onnxBytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const sessionMs = performance.now();
  await session.run({ features: new ort.Tensor('float32', new Float32Array(input.features).fill(1), [1, input.features]) });
  await send(new URL(dynamodb), 'POST', { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' }, input.putItemBody);
  return { sessionMs };
}
