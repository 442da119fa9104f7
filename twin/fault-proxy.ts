// A proxy in front of a local endpoint that can fail chosen requests, to show what the pipeline
// does when AWS does: the SDK retries, the handler throws, Lambda retries, and nothing is lost.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Which requests to fail, e.g. the DynamoDB operation from the X-Amz-Target header. */
  matches: (req: IncomingMessage) => boolean;
  /** How many matching requests to fail before letting them through again. */
  times: number;
  /** The error response to send, or `drop` to cut the connection without answering. */
  status?: number;
  body?: string;
  drop?: boolean;
}

export interface FaultProxy {
  url: string;
  inject(fault: Fault): void;
  /** The outage is over: every request goes through again. */
  clear(): void;
  failed: number;
  close(): Promise<void>;
}

export const dynamoDbOperation = (operation: string) => (req: IncomingMessage) => req.headers['x-amz-target'] === `DynamoDB_20120810.${operation}`;

export const anyRequest = () => true;

export const DYNAMODB_SERVER_ERROR = { status: 500, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'injected fault' }) };
export const DYNAMODB_THROTTLING = { status: 400, body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', message: 'injected throttling' }) };
/** SNS speaks the query protocol: an XML error document. */
export const SNS_UNAVAILABLE = {
  status: 503,
  body: '<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>injected fault</Message></Error><RequestId>fault</RequestId></ErrorResponse>',
};
export const CONNECTION_DROPPED = { drop: true };
export const S3_NO_SUCH_KEY = {
  status: 404,
  body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>',
};
/** S3 object requests whose key ends with `suffix` (path-style: /bucket/key). */
export const s3ObjectEndingWith = (suffix: string) => (req: IncomingMessage) => req.method === 'GET' && (req.url ?? '').split('?')[0].endsWith(suffix);

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const faults: Fault[] = [];
  const upstream = new URL(target);
  const proxy: FaultProxy = {
    url: '',
    failed: 0,
    inject: (fault) => void faults.push({ ...fault }),
    clear: () => void faults.splice(0),
    close: () => new Promise((done) => server.close(() => done())),
  };
  const server: Server = createServer((req, res) => {
    const fault = faults.find((f) => f.times > 0 && f.matches(req));
    if (fault) {
      fault.times--;
      proxy.failed++;
      req.resume();
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      const xml = fault.body?.startsWith('<');
      res.writeHead(fault.status ?? 500, { 'content-type': xml ? 'text/xml' : 'application/x-amz-json-1.0' }).end(fault.body ?? '');
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
