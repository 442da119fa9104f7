// The read API on loopback: the stack's REST API rebuilt from the synthesized template (routes,
// stage, access-log format, gateway responses) in front of the real bundled handler, speaking API
// Gateway's proxy event shape. Signatures are NOT checked here (no IAM locally; the template's
// AWS_IAM authorization and resource policy are checked by the infra tests). Access log lines are
// rendered from the template's format, so what they may carry is what AWS would log.
import { randomUUID } from 'node:crypto';
import { appendFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { reportOutput } from './handler-output';
import { loadHandler } from './local-function';
import { LOCAL_ACCOUNT } from './local-endpoints';
import type { LocalFunction } from './provision';
import type { StackTemplate, TemplateResource } from './template-resolver';

/** API Gateway's payload limit and integration timeout. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 29_000;

export interface ApiRoute {
  method: string;
  /** The resource path, e.g. /v1/readiness:batchGet. */
  resourcePath: string;
  resourceId: string;
  authorizationType: string;
  functionLogicalId: string;
}

export interface ApiDescription {
  restApiLogicalId: string;
  stageName: string;
  accessLogFormat?: string;
  gatewayResponses: Record<string, string>;
  routes: ApiRoute[];
}

const byType = (template: StackTemplate, type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type) as [string, TemplateResource][];

/** The function a proxy integration's URI points at: the one `Fn::GetAtt [fn, Arn]` inside it. */
function integratedFunction(uri: unknown): string | undefined {
  const text = JSON.stringify(uri);
  const match = /\{"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]\}/.exec(text);
  return match?.[1];
}

/** Reads the REST API out of the template; refuses integrations the front does not emulate. */
export function describeRestApi(template: StackTemplate): ApiDescription | undefined {
  const apis = byType(template, 'AWS::ApiGateway::RestApi');
  if (apis.length === 0) return undefined;
  if (apis.length > 1) throw new Error(`the local API front serves one REST API, the template has ${apis.length}`);
  const [restApiLogicalId] = apis[0];
  const resources = new Map(byType(template, 'AWS::ApiGateway::Resource'));
  const pathOf = (parent: unknown): string => {
    const ref = (parent as { Ref?: string }).Ref;
    if (!ref) return ''; // Fn::GetAtt [api, RootResourceId]
    const r = resources.get(ref);
    if (!r) throw new Error(`API resource ${ref} is not in the template`);
    return `${pathOf(r.Properties!.ParentId)}/${r.Properties!.PathPart}`;
  };
  const routes = byType(template, 'AWS::ApiGateway::Method').map(([id, m]): ApiRoute => {
    const p = m.Properties ?? {};
    if (p.Integration?.Type !== 'AWS_PROXY') throw new Error(`method ${id} uses a ${p.Integration?.Type} integration; the local front emulates Lambda proxy integrations only`);
    const functionLogicalId = integratedFunction(p.Integration.Uri);
    if (!functionLogicalId) throw new Error(`method ${id} integrates no function of this stack`);
    const resourceRef = (p.ResourceId as { Ref?: string }).Ref;
    return { method: p.HttpMethod, resourcePath: resourceRef ? pathOf({ Ref: resourceRef }) : '/', resourceId: resourceRef ?? 'root', authorizationType: p.AuthorizationType ?? 'NONE', functionLogicalId };
  });
  const stage = byType(template, 'AWS::ApiGateway::Stage')[0]?.[1].Properties ?? {};
  const gatewayResponses = Object.fromEntries(
    byType(template, 'AWS::ApiGateway::GatewayResponse').map(([, r]) => [r.Properties!.ResponseType as string, r.Properties!.ResponseTemplates?.['application/json'] as string]),
  );
  return { restApiLogicalId, stageName: stage.StageName ?? 'prod', accessLogFormat: stage.AccessLogSetting?.Format, gatewayResponses, routes };
}

/** `$context.a.b` variables of a template, rendered from a flat map (missing ones as "-", as API Gateway does). */
export function renderContextTemplate(format: string, context: Record<string, string | number | undefined>): string {
  return format.replace(/\$context\.([A-Za-z0-9.]+[A-Za-z0-9])/g, (_, name: string) => {
    const value = context[name];
    return value === undefined || value === '' ? '-' : String(value).replace(/["\\]/g, (c) => `\\${c}`);
  });
}

export interface LocalApiOptions {
  template: StackTemplate;
  /** Every function of the stack by logical id, as provisioned locally. */
  functionFor: (logicalId: string) => LocalFunction;
  /** Endpoint variables and credentials for the handlers (the local endpoints, maybe a fault proxy). */
  env: Record<string, string>;
  /** Where access log lines go, one JSON line each (the stage's log group in AWS). */
  accessLogFile?: string;
  port?: number;
}

export interface LocalApi {
  /** The stage's base URL, e.g. http://127.0.0.1:4567/local (API Gateway: https://<id>.execute-api.<region>.amazonaws.com/<stage>). */
  url: string;
  description: ApiDescription;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => done(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi | undefined> {
  const description = describeRestApi(options.template);
  if (!description) return undefined;
  const handlers = new Map(
    [...new Set(description.routes.map((r) => r.functionLogicalId))].map((id) => {
      const fn = options.functionFor(id);
      return [id, { fn, handler: loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...options.env }) }];
    }),
  );
  if (options.accessLogFile) rmSync(options.accessLogFile, { force: true });
  const apiId = `local${description.restApiLogicalId.slice(0, 6).toLowerCase()}`;

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const context: Record<string, string | number | undefined> = {
      requestId,
      extendedRequestId: requestId.slice(0, 18),
      requestTime: new Date(started).toISOString(),
      httpMethod: req.method,
      'identity.sourceIp': req.socket.remoteAddress,
      protocol: `HTTP/${req.httpVersion}`,
    };
    const send = (status: number, body: string, headers: Record<string, string> = {}, integrationLatency?: number) => {
      res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': requestId, ...headers }).end(body);
      if (description.accessLogFormat && options.accessLogFile) {
        const line = `${renderContextTemplate(description.accessLogFormat, {
          ...context,
          status,
          responseLength: Buffer.byteLength(body),
          responseLatency: Date.now() - started,
          integrationLatency,
        })}\n`;
        reportOutput(line);
        appendFileSync(options.accessLogFile, line);
      }
    };
    const refuse = (status: number, message: string) => {
      context['error.message'] = message;
      const template = description.gatewayResponses[status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
      const body = template ? renderContextTemplate(template.replace('$context.error.messageString', JSON.stringify(message)), context) : JSON.stringify({ message });
      send(status, body);
    };

    const stagePrefix = `/${description.stageName}`;
    let path: string | undefined;
    try {
      path = url.pathname.startsWith(`${stagePrefix}/`) ? decodeURIComponent(url.pathname.slice(stagePrefix.length)) : undefined;
    } catch {
      path = undefined; // a malformed %-escape names no route
    }
    const route = path === undefined ? undefined : description.routes.find((r) => r.resourcePath === path && (r.method === req.method || r.method === 'ANY'));
    if (!route) {
      // API Gateway answers an unknown route of an IAM-authorized API like a missing signature.
      req.resume();
      refuse(403, 'Missing Authentication Token');
      return;
    }
    context.resourcePath = route.resourcePath;
    context.resourceId = route.resourceId;
    const body = await readBody(req, MAX_PAYLOAD_BYTES);
    if (!body) {
      refuse(413, 'Request Too Long');
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    const query = [...url.searchParams.keys()];
    const event: APIGatewayProxyEvent = {
      resource: route.resourcePath,
      path: path!,
      httpMethod: route.method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v : [v ?? '']])),
      queryStringParameters: query.length ? Object.fromEntries(url.searchParams) : null,
      multiValueQueryStringParameters: query.length ? Object.fromEntries(query.map((k) => [k, url.searchParams.getAll(k)])) : null,
      pathParameters: null,
      stageVariables: null,
      body: body.length ? body.toString('utf8') : null,
      isBase64Encoded: false,
      requestContext: {
        accountId: LOCAL_ACCOUNT,
        apiId,
        authorizer: null,
        protocol: String(context.protocol),
        httpMethod: route.method,
        identity: {
          accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null, cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null, cognitoIdentityId: null, cognitoIdentityPoolId: null, principalOrgId: null,
          sourceIp: String(req.socket.remoteAddress ?? '127.0.0.1'), user: null, userAgent: headers['user-agent'] ?? null, userArn: null,
        },
        path: `${stagePrefix}${path}`,
        stage: description.stageName,
        requestId,
        requestTimeEpoch: started,
        resourceId: route.resourceId,
        resourcePath: route.resourcePath,
      },
    };
    const { fn, handler } = handlers.get(route.functionLogicalId)!;
    const invoked = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeoutMs = Math.min(INTEGRATION_TIMEOUT_MS, fn.timeoutSeconds * 1000);
      const result = (await Promise.race([
        handler(event, { awsRequestId: randomUUID(), functionName: fn.logicalId }),
        new Promise((_, fail) => (timer = setTimeout(() => fail(new Error('Endpoint request timed out')), timeoutMs))),
      ])) as APIGatewayProxyResult;
      if (typeof result?.statusCode !== 'number') throw new Error('Malformed Lambda proxy response');
      const out = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
      send(result.statusCode, out ?? '', Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])), Date.now() - invoked);
    } catch (error) {
      const message = (error as Error).message === 'Endpoint request timed out' ? 'Endpoint request timed out' : 'Internal server error';
      refuse(message === 'Internal server error' ? 502 : 504, message);
    } finally {
      clearTimeout(timer);
    }
  };

  const server: Server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((ready) => server.listen(options.port ?? 0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${description.stageName}`,
    description,
    close: () => new Promise((done) => server.close(() => done())),
  };
}
