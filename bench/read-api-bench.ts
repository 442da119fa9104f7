// The read API in `npm run bench`: the bundled handler answering a 100-id batchGet, beside a raw
// BatchGetItem of the same 100 ids on the same table in the same run (interleaved, so both see the
// same machine load), and its cold start in a fresh process beside the scoring function's.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { coldStartEnv } from './cold-start-env';
import { BatchGetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { PUBLIC_FIELDS } from '../lambdas/read-api/read-readiness';
import { loadHandler, withHandlerLogsDropped } from '../twin/local-function';
import type { LocalEndpoints } from '../twin/local-endpoints';
import type { AwsClients, LocalPipeline } from '../twin/provision';
import type { StackTemplate } from '../twin/template-resolver';

export interface ReadApiBench {
  ids: number;
  requests: number;
  handlerP50Ms: number;
  handlerP99Ms: number;
  rawP50Ms: number;
  rawP99Ms: number;
  ratioP50: number;
  ratioP99: number;
  coldStartMsMedian: number;
  coldStarts: number;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const pct = (xs: number[], p: number) => sorted(xs)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const r2 = (x: number) => Math.round(x * 100) / 100;

/** A stored score record as the scoring function writes it (with its features: the real item size). */
function storedRecord(i: number) {
  return {
    donorId: `BENCH-READ-${String(i).padStart(4, '0')}`,
    score: 0.5 + (i % 50) / 100,
    band: i % 3 === 0 ? 'high' : i % 3 === 1 ? 'medium' : 'low',
    reasons: [{ code: 'CONTACT_STALE', effect: 'lowers' }, { code: 'BLOOD_DONOR', effect: 'raises' }, { code: 'NEVER_RESPONDED', effect: 'lowers' }],
    modelVersion: '2026.11.1',
    modelSha256: 'f'.repeat(64),
    revision: 3,
    sourceEventId: `bench-${i}`,
    updatedAt: '2026-11-20T10:00:00.000Z',
    scoringDate: new Date().toISOString().slice(0, 10),
    scoredAt: new Date().toISOString(),
    features: Object.fromEntries(Array.from({ length: 22 }, (_, k) => [`feature${k}`, k * 1.2345])),
  };
}

export async function benchReadApi(options: { template: StackTemplate; pipeline: LocalPipeline; endpoints: LocalEndpoints; clients: AwsClients; requests: number; coldStarts: number }): Promise<ReadApiBench> {
  const { pipeline, clients, endpoints } = options;
  const fnId = Object.entries(options.template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith('ReadApiFunction'))?.[0];
  if (!fnId) throw new Error('the template has no read API function');
  const fn = pipeline.functionFor(fnId);
  const records = Array.from({ length: 100 }, (_, i) => storedRecord(i));
  for (const record of records) await clients.dynamodb.send(new PutItemCommand({ TableName: pipeline.scoreTable, Item: marshall(record) }));
  const ids = records.map((r) => r.donorId);
  const event = { httpMethod: 'POST', resource: '/v1/readiness:batchGet', path: '/v1/readiness:batchGet', body: JSON.stringify({ donorIds: ids }), isBase64Encoded: false, requestContext: { requestId: 'bench' } };

  const loaded = loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...endpoints.env });
  const handler = () => withHandlerLogsDropped(() => loaded(event)) as Promise<{ statusCode: number; body: string }>;
  // The floor reads exactly what the handler reads: the same keys and the same public fields.
  const projection = {
    ProjectionExpression: PUBLIC_FIELDS.map((_, i) => `#f${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(PUBLIC_FIELDS.map((f, i) => [`#f${i}`, f])),
  };
  const raw = () => clients.dynamodb.send(new BatchGetItemCommand({ RequestItems: { [pipeline.scoreTable]: { Keys: ids.map((donorId) => ({ donorId: { S: donorId } })), ...projection } } }));
  const first = await handler();
  if (first.statusCode !== 200 || JSON.parse(first.body).items.length !== 100) throw new Error(`the read handler answered ${first.statusCode}: ${first.body.slice(0, 200)}`);
  await raw();

  const handlerMs: number[] = [];
  const rawMs: number[] = [];
  for (let i = 0; i < options.requests; i++) {
    const t0 = performance.now();
    await handler();
    handlerMs.push(performance.now() - t0);
    const t1 = performance.now();
    const page = await raw();
    rawMs.push(performance.now() - t1);
    if (page.Responses?.[pipeline.scoreTable]?.length !== 100) throw new Error('the raw BatchGetItem did not answer all 100 ids at once');
  }

  const childEnv = { ...coldStartEnv(), ...fn.environment, ...endpoints.env, NODE_NO_WARNINGS: '1' };
  const cold: number[] = [];
  for (let i = 0; i < options.coldStarts; i++) {
    const out = execFileSync(process.execPath, [join(__dirname, 'cold-start-child.cjs'), 'api', fn.handlerFile, JSON.stringify(event)], { env: childEnv, encoding: 'utf8' });
    cold.push((JSON.parse(out) as { ms: number }).ms);
  }
  const median = (xs: number[]) => pct(xs, 50);
  return {
    ids: 100,
    requests: options.requests,
    handlerP50Ms: r2(median(handlerMs)),
    handlerP99Ms: r2(pct(handlerMs, 99)),
    rawP50Ms: r2(median(rawMs)),
    rawP99Ms: r2(pct(rawMs, 99)),
    ratioP50: r2(median(handlerMs) / median(rawMs)),
    ratioP99: r2(pct(handlerMs, 99) / pct(rawMs, 99)),
    coldStartMsMedian: r2(median(cold)),
    coldStarts: options.coldStarts,
  };
}
