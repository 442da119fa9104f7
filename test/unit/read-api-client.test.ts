// The read API client: pages of 100 ids merged in order, and SigV4 signatures that an independent
// implementation (@smithy/signature-v4, the one the AWS SDK uses) computes the same.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { getReadiness, ReadApiError, regionOf } from '../../cli/read-api-client';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let server: Server;
let baseUrl: string;
const seen: Seen[] = [];
let answer: (ids: string[]) => { status: number; body: unknown } = (ids) => ({ status: 200, body: { items: [], notFound: ids } });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ path: req.url!, headers: req.headers, body });
      const { status, body: out } = answer(JSON.parse(body).donorIds);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`;
});
afterAll(() => new Promise((done) => server.close(done)));
beforeEach(() => seen.splice(0));

class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(data: string | Uint8Array) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

describe('read API client', () => {
  it('sends any number of ids 100 per request and merges the answers in order', async () => {
    const ids = Array.from({ length: 250 }, (_, i) => `D-${String(i).padStart(4, '0')}`);
    answer = (page) => ({ status: 200, body: { items: [], notFound: page } });
    const merged = await getReadiness({ baseUrl }, [...ids, ids[0]]);
    expect(seen.map((s) => JSON.parse(s.body).donorIds.length)).toEqual([100, 100, 50]);
    expect(seen[0].path).toBe('/prod/v1/readiness:batchGet');
    expect(merged.notFound).toEqual(ids);
    expect(seen[0].headers.authorization).toBeUndefined();
  });

  it('signs each request with SigV4 for execute-api, as the AWS SDK signer would', async () => {
    answer = (page) => ({ status: 200, body: { items: [], notFound: page } });
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
    await getReadiness({ baseUrl, credentials: async () => credentials, region: 'eu-central-1' }, ['D-0001']);
    const { headers, body, path } = seen[0];
    const date = String(headers['x-amz-date']);
    expect(headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${date.slice(0, 8)}/eu-central-1/execute-api/aws4_request, SignedHeaders=[^,]*host[^,]*, Signature=[0-9a-f]{64}$`));
    expect(headers['x-amz-security-token']).toBe('session-token');

    const signedHeaders = /SignedHeaders=([^,]+)/.exec(String(headers.authorization))![1].split(';');
    const signer = new SignatureV4({ service: 'execute-api', region: 'eu-central-1', credentials, sha256: NodeSha256 as any, uriEscapePath: true, applyChecksum: false });
    const expected = await signer.sign(
      {
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path,
        headers: Object.fromEntries(signedHeaders.map((h) => [h, String(headers[h])])),
        body,
      } as any,
      { signingDate: new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`), unsignableHeaders: new Set<string>(), signableHeaders: new Set(signedHeaders) },
    );
    expect(/Signature=([0-9a-f]{64})/.exec(String(headers.authorization))![1]).toBe(/Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))![1]);
  });

  it('turns an error answer into the field and rule it names', async () => {
    answer = () => ({ status: 400, body: { error: { message: 'donorIds[0] must match', field: 'donorIds[0]', rule: 'must match ^[A-Za-z0-9-]{4,40}$' }, requestId: 'r-1' } });
    const error = await getReadiness({ baseUrl }, ['bad']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReadApiError);
    expect((error as ReadApiError).body.error).toMatchObject({ field: 'donorIds[0]' });
    expect((error as Error).message).toBe('the read API answered 400: donorIds[0] must match (request r-1)');
  });

  it('reads the region from an execute-api host', () => {
    expect(regionOf('https://abc123.execute-api.eu-central-1.amazonaws.com/prod/')).toBe('eu-central-1');
    expect(regionOf('http://127.0.0.1:4000/local')).toBeUndefined();
  });
});
