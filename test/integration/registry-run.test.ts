// The registry-run state machine, as synthesized, run locally on real endpoints with the bundled
// batch function: backfill, refresh a year later, skip of unchanged scores, a model change,
// rejected rows kept, and failing batches retried then reported.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ListTablesCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startLocalEndpoints } from '../../twin/local-endpoints';
import { localClients } from '../../twin/provision';
import { scoreJsonLines } from '../../cli/batch-scorer';
import { loadLocalModel } from '../../cli/local-model';
import { generateRegistry } from '../../model/synthetic-registry';
import { unwrapDetail } from '../../lambdas/core/event-input';
import { decodeInput } from '../../lambdas/core/stored-input';
import { startFaultProxy, s3ObjectEndingWith, S3_NO_SUCH_KEY } from '../../twin/fault-proxy';
import { observeLocalRuns } from '../../twin/handler-output';
import { loadHandler, type Handler } from '../../twin/local-function';
import { runRegistryRun, type RegistryRunOptions } from '../../twin/registry-run';
import { synthesizePipeline, type SynthesizedPipeline } from '../../twin/synthesize';

// Each local run starts endpoints, provisions the stack and cold-starts the function: tens of seconds here.
jest.setTimeout(400_000);

const EXPORT_DATE = '2025-06-01';
const YEAR_LATER = '2027-06-01'; // after today's backfill date, as a refresh date always is
let synthesized: SynthesizedPipeline;
let dir: string;
let exportFile: string;
const validRows: string[] = [];

// Broken rows a registry export may carry: each must be rejected with its field and rule, and kept whole.
const BROKEN = [
  { detail: { donorId: 'BAD-0001', revision: 1, updatedAt: '2025-05-01T00:00:00Z', donor: { sex: 'X' } } },
  { donorId: 'no', revision: 1 },
  [1, 2, 3],
];

const fresh = (file: string, name: string, env: Record<string, string>): Handler => {
  let handler: Handler | undefined;
  jest.isolateModules(() => (handler = loadHandler(file, name, env)));
  return handler!;
};

async function run(options: Partial<RegistryRunOptions> & Pick<RegistryRunOptions, 'mode'>) {
  const result = await runRegistryRun({ workDir: join(dir, 'work'), dataDir: join(dir, 'data'), alertEmails: 'a@example.org', synthesized, loadFunction: fresh, retryIntervalMs: 10, ...options });
  await result.endpoints.stop();
  return result.summary;
}

async function referenceScores(lines: string[], asOf: string): Promise<Map<string, Record<string, any>>> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await scoreJsonLines(Readable.from(lines.map((l) => `${l}\n`)), out, { model: await loadLocalModel(), scoringDate: asOf });
  const records = Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
  return new Map(records.filter((r) => r.donorId).map((r) => [r.donorId, r]));
}

const stored = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'drs-registry-'));
  synthesized = synthesizePipeline({ stage: 'local', alertEmails: 'a@example.org' }, join(dir, 'cdk.out'));
  for (const row of generateRegistry({ seed: 5, asOf: EXPORT_DATE, baseRate: 0.55 })) {
    validRows.push(JSON.stringify(row));
    if (validRows.length === 1000) break;
  }
  exportFile = join(dir, 'export.jsonl');
  writeFileSync(exportFile, [...validRows.slice(0, 700), ...BROKEN.map((b) => JSON.stringify(b)), ...validRows.slice(700)].join('\n') + '\n');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a backfill stores exactly the valid rows, each with the score drs score gives, and keeps the rejected rows whole', async () => {
  const dump = join(dir, 'backfill.jsonl');
  const summary = await run({ mode: 'backfill', file: exportFile, asOf: '2026-01-15', dumpTable: dump });
  expect(summary).toMatchObject({ status: 'SUCCEEDED', rows: 1003, scored: 1000, rejected: 3, failed: 0, stale: 0, tableItems: 1000 });
  const reference = await referenceScores(validRows, '2026-01-15');
  const items = stored(dump);
  expect(items).toHaveLength(reference.size);
  const inputs = new Map(validRows.map((line) => unwrapDetail(JSON.parse(line)).detail as { donorId: string }).map((d) => [d.donorId, d]));
  for (const item of items) {
    const ref = reference.get(item.donorId)!;
    expect({ score: item.score, band: item.band, reasons: item.reasons, scoringDate: item.scoringDate }).toEqual({ score: ref.score, band: ref.band, reasons: ref.reasons, scoringDate: '2026-01-15' });
    expect(decodeInput(item)).toEqual({ ok: true, detail: inputs.get(item.donorId) }); // the input a refresh needs is kept, whole
  }
  const rejected = stored(summary.kept.rejected!);
  expect(rejected.map((r) => r.row)).toEqual(expect.arrayContaining(BROKEN));
  expect(rejected.find((r) => r.row?.detail?.donorId === 'BAD-0001')).toMatchObject({ field: 'donor.birthYear', rule: 'is required' });
  expect(Object.values(summary.rejectedByRule).reduce((a, b) => a + b, 0)).toBe(3);
});

test('a gzip export (.jsonl.gz) is read by the map item reader as it is (no step before the map) and backfilled like the plain one', async () => {
  const lines = [...validRows.slice(0, 300), JSON.stringify(BROKEN[0])];
  const gz = join(dir, 'export.jsonl.gz');
  writeFileSync(gz, gzipSync(lines.join('\n') + '\n'));
  const dump = join(dir, 'gzip.jsonl');
  const summary = await run({ mode: 'backfill', file: gz, asOf: '2026-01-15', dataDir: join(dir, 'gzip-data'), dumpTable: dump });
  expect(summary).toMatchObject({ status: 'SUCCEEDED', rows: 301, scored: 300, rejected: 1, failed: 0, tableItems: 300 });
  const reference = await referenceScores(validRows.slice(0, 300), '2026-01-15');
  const items = stored(dump);
  expect(items).toHaveLength(300);
  for (const item of items) expect([item.score, item.band, item.reasons]).toEqual([reference.get(item.donorId)!.score, reference.get(item.donorId)!.band, reference.get(item.donorId)!.reasons]);
  expect(stored(summary.kept.rejected!).map((r) => r.row)).toEqual([BROKEN[0]]);
});

test('an export split into files (a folder: gzip and plain parts) is read file by file by the map and backfilled like one file', async () => {
  const parts = join(dir, 'split');
  mkdirSync(parts);
  writeFileSync(join(parts, 'part-1.jsonl.gz'), gzipSync(validRows.slice(0, 150).join('\n') + '\n'));
  writeFileSync(join(parts, 'part-2.jsonl'), [...validRows.slice(150, 250), JSON.stringify(BROKEN[1])].join('\n') + '\n');
  const dump = join(dir, 'split.jsonl');
  const summary = await run({ mode: 'backfill', file: parts, asOf: '2026-01-15', dataDir: join(dir, 'split-data'), dumpTable: dump });
  expect(summary).toMatchObject({ status: 'SUCCEEDED', rows: 251, scored: 250, rejected: 1, failed: 0, tableItems: 250 });
  const reference = await referenceScores(validRows.slice(0, 250), '2026-01-15');
  const items = stored(dump);
  expect(new Set(items.map((i) => i.donorId))).toEqual(new Set(reference.keys()));
  for (const item of items) expect([item.score, item.band, item.reasons]).toEqual([reference.get(item.donorId)!.score, reference.get(item.donorId)!.band, reference.get(item.donorId)!.reasons]);
  expect(stored(summary.kept.rejected!).map((r) => r.row)).toEqual([BROKEN[1]]);
});

test('a refresh a year later rescores every stored donor as drs score --as-of says; a second one writes nothing', async () => {
  const dump = join(dir, 'refresh.jsonl');
  const summary = await run({ mode: 'refresh', asOf: YEAR_LATER, dumpTable: dump });
  expect(summary).toMatchObject({ status: 'SUCCEEDED', rows: 1000, scored: 1000, rejected: 0, failed: 0 });
  const reference = await referenceScores(validRows, YEAR_LATER);
  const before = await referenceScores(validRows, '2026-01-15');
  let moved = 0;
  for (const item of stored(dump)) {
    const ref = reference.get(item.donorId)!;
    expect([item.score, item.band, item.reasons, item.scoringDate]).toEqual([ref.score, ref.band, ref.reasons, YEAR_LATER]);
    if (before.get(item.donorId)!.score !== item.score) moved += 1;
  }
  expect(moved).toBeGreaterThan(700); // a year moves almost every score

  const again = await run({ mode: 'refresh', asOf: YEAR_LATER, tolerance: 0 });
  expect(again).toMatchObject({ rows: 1000, scored: 0, unchanged: 1000, stale: 0 });
  // An earlier date never overwrites a later score (the event path's rule).
  const earlier = await run({ mode: 'refresh', asOf: '2026-06-01' });
  expect(earlier).toMatchObject({ rows: 1000, scored: 0, stale: 1000 });
});

test('after a model change every donor is rescored, whatever the tolerance', async () => {
  // Mark ten stored scores as made by an older model: the refresh must rewrite exactly those.
  const endpoints = await startLocalEndpoints({ dataDir: join(dir, 'data') });
  const clients = localClients(endpoints);
  const table = `${synthesized.stackName}`;
  const tables = (await clients.dynamodb.send(new ListTablesCommand({}))).TableNames!.filter((t) => t.startsWith(table) && t.includes('ScoreStore'));
  expect(tables).toHaveLength(1);
  const ids = JSON.parse(`[${validRows.slice(0, 10).join(',')}]`).map((r: any) => r.detail.donorId);
  for (const id of ids) {
    await clients.dynamodb.send(new UpdateItemCommand({ TableName: tables[0], Key: { donorId: { S: id } }, UpdateExpression: 'SET modelSha256 = :old', ExpressionAttributeValues: { ':old': { S: '0'.repeat(64) } } }));
  }
  await endpoints.stop();
  const dump = join(dir, 'model-change.jsonl');
  const summary = await run({ mode: 'refresh', asOf: YEAR_LATER, tolerance: 0.05, dumpTable: dump });
  expect(summary).toMatchObject({ status: 'SUCCEEDED', scored: 10, unchanged: 990 });
  expect(new Set(stored(dump).map((i) => i.modelSha256)).size).toBe(1);
});

test('a batch that fails is retried; one that keeps failing is reported, kept and fails the run', async () => {
  const attempts: number[] = [];
  observeLocalRuns({ event: (e) => void ((e as { Items?: unknown[] }).Items && attempts.push(1)) });
  const small = join(dir, 'small.jsonl');
  writeFileSync(small, validRows.slice(0, 50).join('\n') + '\n');
  const proxied = async (times: number) => {
    return async (endpoints: { fauxqs: string }) => {
      const proxy = await startFaultProxy(endpoints.fauxqs);
      proxy.inject({ matches: s3ObjectEndingWith('.onnx'), times, ...S3_NO_SUCH_KEY });
      proxies.push(proxy);
      return { AWS_ENDPOINT_URL_S3: proxy.url };
    };
  };
  const proxies: { close(): Promise<void> }[] = [];
  try {
    attempts.length = 0;
    const recovered = await run({ mode: 'backfill', file: small, asOf: '2026-01-15', dataDir: join(dir, 'faults-1'), functionEndpoints: await proxied(1) });
    expect(recovered).toMatchObject({ status: 'SUCCEEDED', rows: 50, scored: 50, failed: 0 });
    expect(attempts.length).toBe(2); // one batch, retried once

    attempts.length = 0;
    const failed = await run({ mode: 'backfill', file: small, asOf: '2026-01-15', dataDir: join(dir, 'faults-2'), functionEndpoints: await proxied(1000) });
    expect(failed).toMatchObject({ status: 'FAILED', rows: 50, scored: 0, failed: 50, failedBatches: 1, tableItems: 0 });
    expect(failed.error).toMatch(/RunLeftFailures/);
    expect(attempts.length).toBe(4); // the first attempt and the definition's three retries (MaxAttempts 3)
    const kept = JSON.parse(readFileSync(failed.kept.failures!, 'utf8'));
    expect(kept[0].input.Items).toHaveLength(50);
    expect(kept[0].error).toBe('ModelIntegrityError');
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
  }
});
