// `npm run bench`: each figure beside the floor that bounds it, measured side by side in one run,
// so the ratios hold on a noisy shared machine. `--quick` for a short run, `--json` for machines.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import * as ort from 'onnxruntime-node';
import { Command } from 'commander';
import { progressBar } from '../cli/terminal';
import { scoreJsonLines } from '../cli/batch-scorer';
import { loadLocalModel } from '../cli/local-model';
import { deriveFeatures, FEATURE_COUNT } from '../lambdas/core/features';
import { generateRegistry } from '../model/synthetic-registry';
import { loadHandler, withHandlerLogsDropped } from '../twin/local-function';
import { startLocalEndpoints } from '../twin/local-endpoints';
import { localClients, provisionFromTemplate } from '../twin/provision';
import { synthesizePipeline } from '../twin/synthesize';
import { runTwin } from '../twin/run-twin';
import { generateTraffic } from '../twin/donor-update-stream';
import { benchReadApi, type ReadApiBench } from './read-api-bench';

process.removeAllListeners('warning');
process.on('warning', () => {});

const ROOT = join(__dirname, '..');

/** Unit prices used by the cost model: AWS public list prices for us-east-1 as last checked (see asOf); re-check before budgeting. */
export const PRICES = {
  asOf: '2025-12-01',
  region: 'us-east-1',
  lambdaGbSecondX86: 0.0000166667,
  lambdaGbSecondArm: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  dynamoDbPerMillionWriteUnits: 0.625,
  eventBridgePerMillionCustomEvents: 1.0,
  snsPerMillionPublishes: 0.5,
};

export interface BenchSizes {
  coldStarts: number;
  warmEvents: number;
  batchRows: number;
  twinEvents: number;
}
const FULL: BenchSizes = { coldStarts: 10, warmEvents: 5000, batchRows: 100_000, twinEvents: 2000 };
const QUICK: BenchSizes = { coldStarts: 5, warmEvents: 500, batchRows: 10_000, twinEvents: 200 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const r2 = (x: number) => Math.round(x * 100) / 100;

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export interface BenchResult {
  machine: { cpus: string; cores: number; memoryGiB: number; node: string; date: string; quick: boolean };
  coldStart: { handlerMsMedian: number; floorMsMedian: number; ratio: number; runs: number };
  warm: { events: number; cpuMsPerEvent: number; p50Ms: number; p99Ms: number; floorPutItemMs: number; floorOnnxMs: number; floorMs: number; ratioP50: number; peakRssMiB: number; memorySizeMiB: number };
  batch: { rows: number; rowsPerSecond: number; rawOnnxRowsPerSecond: number; ratio: number; share: Record<string, number> };
  concurrency: { level: number; eventsPerSecond: number }[];
  storeCeiling: { writesPerSecond: number; concurrency: number };
  asset: { unzippedBytes: number; zippedBytes: number; shareOfLambdaLimit: number };
  cost: { billedMsPerEvent: number; perMillionUpdates: Record<string, number>; fullRefresh9M: Record<string, number>; prices: typeof PRICES };
  readApi: ReadApiBench;
}

async function main(): Promise<void> {
  const program = new Command('npm run bench --')
    .option('--quick', 'a short run (fewer repetitions and rows)', false)
    .option('--tiny', 'the smallest run that exercises every measurement (for the test suite)', false)
    .option('--json', 'print the results as JSON', false)
    .option('--no-write', 'do not write bench/RESULTS.md')
    .parse(process.argv);
  const opts = program.opts();
  const sizes: BenchSizes = opts.tiny ? { coldStarts: 2, warmEvents: 30, batchRows: 500, twinEvents: 20 } : opts.quick ? QUICK : FULL;
  const steps = 8;
  const bar = progressBar('benchmark', steps);
  let step = 0;
  const tick = (what: string) => {
    bar.tick(++step);
    if (!process.stderr.isTTY && !opts.json) process.stderr.write(`  ${step}/${steps} ${what}\n`);
  };

  const workDir = mkdtempSync(join(tmpdir(), 'drs-bench-'));
  const synthesized = synthesizePipeline({ stage: 'bench', alertEmails: 'bench@example.org' }, join(workDir, 'cdk.out'));
  const endpoints = await startLocalEndpoints();
  const clients = localClients(endpoints);
  const pipeline = await provisionFromTemplate({ ...synthesized, clients });
  const fn = pipeline.scoringFunction;
  const manifest = JSON.parse(readFileSync(join(ROOT, 'model', 'manifest.json'), 'utf8'));
  const onnxFile = join(ROOT, 'model', manifest.onnx.file);
  tick('synthesized and provisioned');

  try {
    const donors = generateRegistry({ seed: 99, asOf: today() });
    const event = (i: number) => {
      const detail = { ...donors.next().value!.detail, revision: 1 };
      return { version: '0', id: `bench-${i}`, source: synthesized.config.eventSource, 'detail-type': synthesized.config.detailType, account: '000000000000', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail };
    };

    // 1. Cold start, interleaved so both see the same machine load.
    const childEnv = { ...process.env, ...fn.environment, ...endpoints.env, NODE_NO_WARNINGS: '1' };
    const childRun = (args: string[]) => JSON.parse(execFileSync(process.execPath, [join(__dirname, 'cold-start-child.cjs'), ...args], { env: childEnv, encoding: 'utf8' })) as { ms: number; peakRss?: number };
    const child = (args: string[]) => childRun(args).ms;
    const handlerMs: number[] = [];
    const floorMs: number[] = [];
    for (let i = 0; i < sizes.coldStarts; i++) {
      handlerMs.push(child(['handler', fn.handlerFile, JSON.stringify(event(i))]));
      floorMs.push(child(['floor', onnxFile, String(FEATURE_COUNT)]));
    }
    // Peak memory of a handler process alone (no benchmark data in it), warm over many events.
    const warmProcessRss = childRun(['handler', fn.handlerFile, JSON.stringify(event(-2)), String(Math.min(1000, sizes.warmEvents))]).peakRss!;
    tick('cold starts');

    // 2. Warm per-event cost, and its floor: a bare PutItem of the same record plus a bare ONNX row.
    const loaded = loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...endpoints.env });
    const handler = (e: unknown) => withHandlerLogsDropped(() => loaded(e));
    await handler(event(-1));
    const session = await ort.InferenceSession.create(readFileSync(onnxFile), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const tableName = pipeline.scoreTable;
    const latencies: number[] = [];
    const putMs: number[] = [];
    const onnxMs: number[] = [];
    let cpuMicros = 0;
    for (let i = 0; i < sizes.warmEvents; i++) {
      const e = event(1000 + i);
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      await handler(e);
      latencies.push(performance.now() - t0);
      cpuMicros += process.cpuUsage(cpu).user + process.cpuUsage(cpu).system;
      const vector = deriveFeatures(e.detail.donor, today());
      const t1 = performance.now();
      await session.run({ features: new ort.Tensor('float32', Float32Array.from(vector), [1, FEATURE_COUNT]) });
      onnxMs.push(performance.now() - t1);
      const t2 = performance.now();
      await clients.dynamodb.send(new PutItemCommand({ TableName: tableName, Item: marshall({ donorId: `floor-${i}`, revision: 1, score: 0.5, features: Object.fromEntries(vector.map((v, k) => [`f${k}`, v])) }) }));
      putMs.push(performance.now() - t2);
    }
    const floorP50 = median(putMs) + median(onnxMs);
    tick('warm events');

    // 3. Batch throughput of drs score, beside raw ORT on the same feature matrix.
    const dataFile = join(workDir, 'rows.jsonl');
    const rows = generateRegistry({ seed: 123, asOf: today() });
    const vectors: number[][] = [];
    const out = createWriteStream(dataFile);
    for (let i = 0; i < sizes.batchRows; i++) {
      const row = rows.next().value!;
      vectors.push(deriveFeatures(row.detail.donor, today()));
      out.write(`${JSON.stringify(row)}\n`);
    }
    out.end();
    await once(out, 'finish');
    const model = await loadLocalModel();
    const sink = createWriteStream(join(workDir, 'scores.jsonl'));
    const summary = await scoreJsonLines(createReadStream(dataFile), sink, { model, scoringDate: today() });
    sink.end();
    await once(sink, 'finish');
    const matrix = new Float32Array(vectors.length * FEATURE_COUNT);
    vectors.forEach((v, i) => matrix.set(v, i * FEATURE_COUNT));
    const tRaw = performance.now();
    for (let start = 0; start < vectors.length; start += 4096) {
      const n = Math.min(4096, vectors.length - start);
      await session.run({ features: new ort.Tensor('float32', matrix.subarray(start * FEATURE_COUNT, (start + n) * FEATURE_COUNT), [n, FEATURE_COUNT]) });
    }
    const rawSeconds = (performance.now() - tRaw) / 1000;
    const s = summary.seconds;
    const phases = s.parsing + s.features + s.inference + s.writing;
    tick('batch scoring');

    // 4. Events per second through the twin, and the store's raw write rate as the ceiling.
    const concurrency: BenchResult['concurrency'] = [];
    for (const level of [1, 4, 16]) {
      const twinFile = join(workDir, `twin-${level}.jsonl`);
      const traffic = generateTraffic({ events: sizes.twinEvents, seed: level, asOf: today(), badFraction: 0, identity: { source: synthesized.config.eventSource, detailType: synthesized.config.detailType, account: '000000000000', region: 'us-east-1' } });
      writeFileSync(twinFile, traffic.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const run = await runTwin({ synthesized, events: 0, eventsFile: twinFile, badFraction: 0, concurrency: level, seed: 1, asOf: today(), workDir: join(workDir, `twin-${level}`), alertEmails: 'bench@example.org' });
      await run.endpoints.stop();
      concurrency.push({ level, eventsPerSecond: r2(run.summary.in / run.summary.deliverySeconds) });
    }
    const ceilingWrites = sizes.twinEvents;
    const tCeil = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < ceilingWrites) {
          const i = next++;
          await clients.dynamodb.send(new PutItemCommand({ TableName: tableName, Item: marshall({ donorId: `ceiling-${i}`, revision: 1, score: 0.5 }) }));
        }
      }),
    );
    const storeWritesPerSecond = ceilingWrites / ((performance.now() - tCeil) / 1000);
    tick('concurrency');

    // 5. The function asset.
    const assetDir = join(fn.handlerFile, '..');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
    const assetFiles = files(assetDir);
    const unzipped = assetFiles.reduce((sum, f) => sum + statSync(f).size, 0);
    const zipped = assetFiles.reduce((sum, f) => sum + deflateRawSync(readFileSync(f), { level: 9 }).length + 76 + 2 * f.length, 22);
    tick('asset');

    // 6. Cost: billed duration (1 ms granularity) at the configured memory.
    const memoryMiB = synthesized.config.memorySize;
    const billedMs = Math.ceil(median(latencies));
    const gbSeconds = (billedMs / 1000) * (memoryMiB / 1024);
    const itemKiB = 1.5; // a score record with 22 features, 3 reasons and provenance
    const writeUnits = Math.ceil(itemKiB);
    const perMillion = {
      lambda: r2(1e6 * gbSeconds * PRICES.lambdaGbSecondX86 + PRICES.lambdaPerMillionRequests),
      dynamodb: r2(writeUnits * PRICES.dynamoDbPerMillionWriteUnits),
      eventbridge: r2(PRICES.eventBridgePerMillionCustomEvents),
      sns: 0,
    };
    const perMillionTotal = r2(perMillion.lambda + perMillion.dynamodb + perMillion.eventbridge + perMillion.sns);
    const refresh = Object.fromEntries(Object.entries({ ...perMillion, total: perMillionTotal }).map(([k, v]) => [k, r2(v * 9)]));
    tick('cost model');

    // 7. The read API: 100-id batchGet through the handler beside a raw BatchGetItem of the same ids.
    const readApi = await benchReadApi({ template: synthesized.template, pipeline, endpoints, clients, requests: Math.max(20, Math.round(sizes.warmEvents / 5)), coldStarts: sizes.coldStarts });
    tick('read API');

    const result: BenchResult = {
      machine: { cpus: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString().slice(0, 10), quick: Boolean(opts.quick || opts.tiny) },
      coldStart: { handlerMsMedian: r2(median(handlerMs)), floorMsMedian: r2(median(floorMs)), ratio: r2(median(handlerMs) / median(floorMs)), runs: sizes.coldStarts },
      warm: {
        events: sizes.warmEvents,
        cpuMsPerEvent: r2(cpuMicros / 1000 / sizes.warmEvents),
        p50Ms: r2(median(latencies)),
        p99Ms: r2(pct(latencies, 99)),
        floorPutItemMs: r2(median(putMs)),
        floorOnnxMs: r2(median(onnxMs)),
        floorMs: r2(floorP50),
        ratioP50: r2(median(latencies) / floorP50),
        peakRssMiB: Math.round(warmProcessRss / 2 ** 20),
        memorySizeMiB: memoryMiB,
      },
      batch: {
        rows: sizes.batchRows,
        rowsPerSecond: Math.round(summary.lines / s.total),
        rawOnnxRowsPerSecond: Math.round(vectors.length / rawSeconds),
        ratio: r2(vectors.length / rawSeconds / (summary.lines / s.total)),
        share: { parsing: r2(s.parsing / phases), features: r2(s.features / phases), inference: r2(s.inference / phases), writing: r2(s.writing / phases) },
      },
      concurrency,
      storeCeiling: { writesPerSecond: Math.round(storeWritesPerSecond), concurrency: 16 },
      asset: { unzippedBytes: unzipped, zippedBytes: zipped, shareOfLambdaLimit: r2(unzipped / (250 * 1024 * 1024)) },
      cost: { billedMsPerEvent: billedMs, perMillionUpdates: { ...perMillion, total: perMillionTotal }, fullRefresh9M: refresh, prices: PRICES },
      readApi,
    };
    bar.stop();
    const text = formatResults(result);
    if (opts.write !== false) writeFileSync(join(__dirname, 'RESULTS.md'), text);
    process.stdout.write(opts.json ? `${JSON.stringify(result)}\n` : text);
  } finally {
    await endpoints.stop();
  }
}

export function formatResults(r: BenchResult): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  return `# Benchmark results

Machine: ${r.machine.cpus}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; ${r.machine.date}${r.machine.quick ? ' (quick run)' : ''}.
Local endpoints (dynalite, fauxqs) on loopback. Each figure stands beside the floor measured in the same run;
read the ratios, not the absolute numbers, on a shared machine.

| measure | pipeline | floor | ratio |
| --- | --- | --- | --- |
| cold start: import handler, load model from S3, score 1 event (median of ${r.coldStart.runs} processes) | ${r.coldStart.handlerMsMedian} ms | ${r.coldStart.floorMsMedian} ms (load ORT, session from same bytes, 1 row) | ${r.coldStart.ratio}x |
| warm event, wall p50 (${r.warm.events} events) | ${r.warm.p50Ms} ms (p99 ${r.warm.p99Ms} ms) | ${r.warm.floorMs} ms (PutItem ${r.warm.floorPutItemMs} + ONNX row ${r.warm.floorOnnxMs}) | ${r.warm.ratioP50}x |
| warm event, handler CPU | ${r.warm.cpuMsPerEvent} ms | | |
| batch \`drs score\` (${r.batch.rows} rows) | ${r.batch.rowsPerSecond} rows/s | ${r.batch.rawOnnxRowsPerSecond} rows/s (raw ORT, batches of 4,096) | ${r.batch.ratio}x slower |
| read API: batchGet of ${r.readApi.ids} ids through the handler, warm p50 (${r.readApi.requests} requests) | ${r.readApi.handlerP50Ms} ms | ${r.readApi.rawP50Ms} ms (raw BatchGetItem of the same ids and fields) | ${r.readApi.ratioP50}x |
| read API: the same, p99 | ${r.readApi.handlerP99Ms} ms | ${r.readApi.rawP99Ms} ms | ${r.readApi.ratioP99}x |
| read API cold start: import handler, manifest from S3, answer 100 ids (median of ${r.readApi.coldStarts} processes) | ${r.readApi.coldStartMsMedian} ms | scoring function's cold start above: ${r.coldStart.handlerMsMedian} ms | |
${r.concurrency.map((c) => `| twin, concurrency ${c.level} | ${c.eventsPerSecond} events/s | ${r.storeCeiling.writesPerSecond} writes/s (raw PutItem, ${r.storeCeiling.concurrency} in flight) | ${r2(c.eventsPerSecond / r.storeCeiling.writesPerSecond)} of ceiling |`).join('\n')}

Batch time shares: parsing + validation ${Math.round(r.batch.share.parsing * 100)}%, features ${Math.round(r.batch.share.features * 100)}%, inference ${Math.round(r.batch.share.inference * 100)}%, writing ${Math.round(r.batch.share.writing * 100)}%.

Function asset: ${mb(r.asset.unzippedBytes)} unzipped, ${mb(r.asset.zippedBytes)} zipped (deflate), ${Math.round(r.asset.shareOfLambdaLimit * 100)}% of Lambda's 250 MB limit.
Peak memory of a warm handler process (a fresh process scoring ${Math.min(1000, r.warm.events)} events): ${r.warm.peakRssMiB} MiB of the configured ${r.warm.memorySizeMiB} MiB (${Math.round((100 * r.warm.peakRssMiB) / r.warm.memorySizeMiB)}%).

## Cost model
Billed duration per event: ${r.cost.billedMsPerEvent} ms (warm p50, 1 ms granularity) at ${r.warm.memorySizeMiB} MB, x86_64.
Unit prices (AWS public list prices, ${r.cost.prices.region}, as last checked on ${r.cost.prices.asOf}; re-check them on the AWS pricing pages before budgeting): Lambda $${r.cost.prices.lambdaGbSecondX86}/GB-s and $${r.cost.prices.lambdaPerMillionRequests}/million requests;
DynamoDB on-demand $${r.cost.prices.dynamoDbPerMillionWriteUnits}/million write units (a ~1.5 KB record = 2 units); EventBridge $${r.cost.prices.eventBridgePerMillionCustomEvents}/million custom events;
SNS $${r.cost.prices.snsPerMillionPublishes}/million publishes (only on failures: 0 in the model).

| | Lambda | DynamoDB | EventBridge | SNS | total |
| --- | --- | --- | --- | --- | --- |
| per million donor updates | $${r.cost.perMillionUpdates.lambda} | $${r.cost.perMillionUpdates.dynamodb} | $${r.cost.perMillionUpdates.eventbridge} | $${r.cost.perMillionUpdates.sns} | $${r.cost.perMillionUpdates.total} |
| full refresh of 9 million scores | $${r.cost.fullRefresh9M.lambda} | $${r.cost.fullRefresh9M.dynamodb} | $${r.cost.fullRefresh9M.eventbridge} | $${r.cost.fullRefresh9M.sns} | $${r.cost.fullRefresh9M.total} |

Local latencies include loopback HTTP to dynalite, which is slower than DynamoDB from Lambda; the cost model uses them as they are (an upper bound).
`;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
