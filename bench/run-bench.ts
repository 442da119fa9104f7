// `npm run bench`: each figure beside the floor that bounds it, measured side by side in one run,
// so the ratios hold on a noisy shared machine. `--quick` for a short run, `--json` for machines.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import * as ort from 'onnxruntime-node';
import { Command } from 'commander';
import { progressBar } from '../cli/terminal';
import { batchMemoryRun, measureBatchAgainstFloorBundled, type BatchFloorResult } from './batch-floor';
import { loadLocalModel } from '../cli/local-model';
import { deriveFeatures, FEATURE_COUNT } from '../lambdas/core/features';
import { generateRegistry } from '../model/synthetic-registry';
import { loadHandler, withHandlerLogsDropped } from '../twin/local-function';
import { startLocalEndpoints } from '../twin/local-endpoints';
import { localClients, provisionFromTemplate } from '../twin/provision';
import { synthesizePipeline } from '../twin/synthesize';
import { registryMarkdown, runRegistryBench } from './registry-bench';
import { runTwin, type TwinSummary } from '../twin/run-twin';
import { twinWallLine } from './twin-threads';
import { coldStartEnv } from './cold-start-env';
import { NEWER_SCORE_CONDITION } from '../lambdas/score-donor/dynamodb-score-store';
import { signedSender } from '../lambdas/score-donor/signed-request';
import { DYNAMODB_RETRIES, dynamoDbError, dynamoDbUrl, putItemBody, SignedDynamoDbScoreStore } from '../lambdas/score-donor/signed-put-item';
import { encodeInput } from '../lambdas/core/stored-input';
import { buildScoreRecord } from '../lambdas/core/score-record';
import type { DonorUpdatedDetail } from '../lambdas/core/donor-updated';
import { generateTraffic } from '../twin/donor-update-stream';
import { benchReadApi, type ReadApiBench } from './read-api-bench';
import { bundleIoFloor } from './io-floor-bundle';
import { countCustomMetrics, fixedInventory, monthlyFixedCost, perMillionEvents, PRICES, type MonthlyFixedCost, type PerMillionCost, type Template } from './cost-model';

export { PRICES };

process.removeAllListeners('warning');
process.on('warning', () => {});

const ROOT = join(__dirname, '..');


export interface BenchSizes {
  coldStarts: number;
  warmEvents: number;
  batchRows: number;
  twinEvents: number;
  /** Lengths of the whole local runs whose peak memory is measured (two: memory per event is the difference). */
  twinMemoryEvents: number[];
}
const FULL: BenchSizes = { coldStarts: 21, warmEvents: 5000, batchRows: 100_000, twinEvents: 2000, twinMemoryEvents: [2000, 20_000] };
const QUICK: BenchSizes = { coldStarts: 5, warmEvents: 500, batchRows: 10_000, twinEvents: 200, twinMemoryEvents: [200, 2000] };

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
  coldStart: {
    handlerMsMedian: number;
    floorMsMedian: number;
    ratio: number;
    handlerCpuMsMedian: number;
    floorCpuMsMedian: number;
    cpuRatio: number;
    runs: number;
    handlerImportMsMedian: number;
    floorImportMsMedian: number;
    floorSessionMsMedian: number;
    /** Node's own start in these children: process origin to the child script's first line. */
    nodeStartMsMedian: number;
    /** The floor plus the cold start's three requests (bench/cold-start-io-floor.ts): a reference beside target 1's floor, not a replacement. */
    ioFloorMsMedian: number;
    ioFloorCpuMsMedian: number;
    ioRatio: number;
    ioCpuRatio: number;
    /** The same three requests with Node's http alone, unsigned (bench/cold-start-bare-io-floor.ts): prices the SDK's signing and handler. */
    bareIoFloorMsMedian: number;
    bareIoFloorCpuMsMedian: number;
  };
  warm: { events: number; cpuMsPerEvent: number; p50Ms: number; p99Ms: number; floorPutItemMs: number; floorOnnxMs: number; floorMs: number; ratioP50: number; floorP99Ms: number; ratioP99: number; sameRecordPutMs: number; barePutItemMs: number; peakRssMiB: number; memorySizeMiB: number };
  batch: BatchFloorResult & { rawOnnxRowsPerSecond: number; memory: { rows: number; peakRssMiB: number; rowsPerSecond: number } };
  concurrency: { level: number; eventsPerSecond: number; twinCpuMsPerEvent?: number; endpointsCpuMsPerEvent?: number; threads?: TwinSummary['deliveryThreads'] }[];
  storeCeiling: { writesPerSecond: number; concurrency: number; sameWriteWritesPerSecond: number; endpointsCpuMsPerWrite?: number; endpointsCpuMsPerSameWrite?: number };
  twinMemory: TwinMemoryRun[];
  asset: { unzippedBytes: number; zippedBytes: number; shareOfLambdaLimit: number };
  readApi: ReadApiBench;
  cost: {
    billedMsPerEvent: number;
    perMillionUpdates: PerMillionCost;
    /** The same billed duration at arm64 prices: computed, not measured (arm64 cannot run here). */
    perMillionUpdatesArm64Computed: PerMillionCost;
    fullRefresh9M: PerMillionCost;
    monthlyFixed: MonthlyFixedCost;
    monthlyFixedVpc: MonthlyFixedCost;
    logBytesPerEvent: number;
    customMetrics: number;
    prices: typeof PRICES;
  };
}

export interface TwinMemoryRun {
  events: number;
  /** The twin's process: the functions, delivery, the stream emulation, the outcome and monitoring runs. */
  peakRssMiB: number;
  /** The endpoints' process: dynalite's in-memory tables and fauxqs's queues. */
  endpointsPeakRssMiB: number | null;
  eventsPerSecond: number;
}

/** One whole local run in its own process (bench/twin-memory-child.ts), so its peak memory is its own. */
function measureTwinMemory(synthesizedFile: string, events: number, workDir: string): TwinMemoryRun {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(__dirname, 'twin-memory-child.ts'), synthesizedFile, String(events), workDir], {
    encoding: 'utf8',
    env: { ...process.env, TSX_DISABLE_CACHE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
  });
  const summary = JSON.parse(out.trim().split('\n').pop()!) as TwinSummary;
  if (!summary.accounted || !summary.memory) throw new Error(`the ${events}-event local run did not account for every event: ${summary.missing.join('; ')}`);
  return { events, peakRssMiB: summary.memory.peakRssMiB, endpointsPeakRssMiB: summary.memory.endpointsPeakRssMiB ?? null, eventsPerSecond: r2(summary.in / summary.deliverySeconds) };
}

async function main(): Promise<void> {
  const program = new Command('npm run bench --')
    .option('--quick', 'a short run (fewer repetitions and rows)', false)
    .option('--tiny', 'the smallest run that exercises every measurement (for the test suite)', false)
    .option('--json', 'print the results as JSON', false)
    .option('--no-write', 'write no results file')
    .option('--out <file>', 'where to write the results (default: bench/RESULTS.md, on a full run only)')
    .parse(process.argv);
  const opts = program.opts();
  const sizes: BenchSizes = opts.tiny ? { coldStarts: 2, warmEvents: 30, batchRows: 500, twinEvents: 20, twinMemoryEvents: [20] } : opts.quick ? QUICK : FULL;
  const steps = 10;
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

    // The record the function writes for an event, with its input, as a conditional PutItem body
    // serialised beforehand: what the warm floor and the cold start's I/O floors write.
    const model = await loadLocalModel();
    const tableName = pipeline.scoreTable;
    const floorPutBody = async (e: ReturnType<typeof event>, donorId: string) => {
      const detail = { ...(e.detail as DonorUpdatedDetail), donorId };
      const vector = deriveFeatures(detail.donor, today());
      const [prediction] = await model.predict([vector]);
      const record = { ...buildScoreRecord({ detail, sourceEventId: e.id, vector, prediction }, model, today(), new Date().toISOString()), input: encodeInput(detail) };
      return putItemBody({
        TableName: tableName,
        Item: record,
        ConditionExpression: NEWER_SCORE_CONDITION,
        ExpressionAttributeValues: { ':revision': record.revision, ':modelSha256': record.modelSha256, ':scoringDate': record.scoringDate },
      });
    };

    // 1. Cold start, interleaved so all four see the same machine load: the handler, its floor, and
    // the floor with the cold start's three requests as the function makes them (the I/O floor,
    // bench/cold-start-io-floor.ts) and with Node's bare http (bench/cold-start-bare-io-floor.ts).
    const childEnv = { ...coldStartEnv(), ...fn.environment, ...endpoints.env, NODE_NO_WARNINGS: '1', ORT_DISABLE_TELEMETRY: '1' };
    const childRun = (args: string[]) => JSON.parse(execFileSync(process.execPath, [join(__dirname, 'cold-start-child.cjs'), ...args], { env: childEnv, encoding: 'utf8' })) as { ms: number; cpuMs: number; importMs: number; sessionMs?: number; peakRss?: number; nodeStartMs: number };
    const ioFloorFile = bundleIoFloor(fn.handlerFile, 'io-floor');
    const bareIoFloorFile = bundleIoFloor(fn.handlerFile, 'bare-io-floor');
    const modelPrefix = fn.environment.MODEL_PREFIX;
    const ioFloorInput = async (i: number, floor: string) =>
      JSON.stringify({
        bucket: fn.environment.MODEL_BUCKET,
        manifestKey: `${modelPrefix}manifest.json`,
        onnxKey: `${modelPrefix}${fn.environment.MODEL_FILE}`,
        features: FEATURE_COUNT,
        putItemBody: await floorPutBody(event(i), `${floor}-${i}`),
      });
    const handlerRuns: ReturnType<typeof childRun>[] = [];
    const floorRuns: ReturnType<typeof childRun>[] = [];
    const ioFloorRuns: ReturnType<typeof childRun>[] = [];
    const bareIoFloorRuns: ReturnType<typeof childRun>[] = [];
    for (let i = 0; i < sizes.coldStarts; i++) {
      const ioInput = await ioFloorInput(i, 'io-floor');
      const bareInput = await ioFloorInput(i, 'bare-io-floor');
      handlerRuns.push(childRun(['handler', fn.handlerFile, JSON.stringify(event(i))]));
      floorRuns.push(childRun(['floor', onnxFile, String(FEATURE_COUNT)]));
      ioFloorRuns.push(childRun(['io-floor', ioFloorFile, ioInput]));
      bareIoFloorRuns.push(childRun(['io-floor', bareIoFloorFile, bareInput]));
    }
    const handlerMs = handlerRuns.map((r) => r.ms);
    const floorMs = floorRuns.map((r) => r.ms);
    // Peak memory of a handler process alone (no benchmark data in it), warm over many events.
    const warmProcessRss = childRun(['handler', fn.handlerFile, JSON.stringify(event(-2)), String(Math.min(1000, sizes.warmEvents))]).peakRss!;
    // The floors' bundles sat beside index.js only to load the same onnxruntime-node: out of the
    // asset again before its size is measured below.
    rmSync(ioFloorFile);
    rmSync(bareIoFloorFile);
    tick('cold starts');

    // 2. Warm per-event cost, and its floor: the same conditional PutItem of the same full record
    // (serialised beforehand, signed request) plus one single-row ONNX run.
    const loaded = loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...endpoints.env });
    const handler = (e: unknown) => withHandlerLogsDropped(() => loaded(e));
    await handler(event(-1));
    // ORT's telemetry would leave .ses and mat-debug-<pid>.log in the temp directory (as in readiness-model.ts).
    process.env.ORT_DISABLE_TELEMETRY ??= '1';
    const session = await ort.InferenceSession.create(readFileSync(onnxFile), { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const latencies: number[] = [];
    const putMs: number[] = [];
    const onnxMs: number[] = [];
    const sameRecordMs: number[] = [];
    const barePutMs: number[] = [];
    const store = new SignedDynamoDbScoreStore(tableName);
    // The floor writes the way the function now does (a signed PutItem, no SDK client), with the
    // body serialised beforehand: the cheapest write of the same record we know of.
    const floorSender = signedSender('dynamodb', { retries: DYNAMODB_RETRIES });
    const floorUrl = dynamoDbUrl(floorSender.region ?? '', process.env);
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
      // The floor's write: what the function writes (the record with its input), under the same
      // condition, for a donor not stored yet (as every warm event here is), with no adapter.
      const [prediction] = await model.predict([vector]);
      const detail = e.detail as DonorUpdatedDetail;
      const fullRecord = (donorId: string) => ({ ...buildScoreRecord({ detail: { ...detail, donorId }, sourceEventId: e.id, vector, prediction }, model, today(), new Date().toISOString()), input: encodeInput({ ...detail, donorId }) });
      const floorBody = await floorPutBody(e, `floor-${i}`);
      const t2 = performance.now();
      await floorSender.send({ method: 'POST', url: floorUrl, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' }, body: floorBody }, dynamoDbError);
      putMs.push(performance.now() - t2);
      // Decomposition, not floors: the same write through the function's store adapter (marshalling
      // included), and a bare PutItem of a small record with no condition (the old floor).
      const record = fullRecord(`same-${i}`);
      const t3 = performance.now();
      await store.putIfNewer(record);
      sameRecordMs.push(performance.now() - t3);
      const bare = new PutItemCommand({ TableName: tableName, Item: marshall({ donorId: `bare-${i}`, revision: 1, score: 0.5, features: Object.fromEntries(vector.map((v, k) => [`f${k}`, v])) }) });
      const t4 = performance.now();
      await clients.dynamodb.send(bare);
      barePutMs.push(performance.now() - t4);
    }
    const floorP50 = median(putMs) + median(onnxMs);
    const floorP99 = pct(putMs, 99) + pct(onnxMs, 99);
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
    const matrix = new Float32Array(vectors.length * FEATURE_COUNT);
    vectors.forEach((v, i) => matrix.set(v, i * FEATURE_COUNT));
    const tRaw = performance.now();
    for (let start = 0; start < vectors.length; start += 4096) {
      const n = Math.min(4096, vectors.length - start);
      await session.run({ features: new ort.Tensor('float32', matrix.subarray(start * FEATURE_COUNT, (start + n) * FEATURE_COUNT), [n, FEATURE_COUNT]) });
    }
    const rawSeconds = (performance.now() - tRaw) / 1000;
    // The honest floor (issue 15): parse the same lines + ORT on the same batches + serialise each
    // row's record; drs score and the floor in turn, medians, by the wall clock and by CPU time, in a
    // process of their own that runs both from the in-memory bundle drs itself runs from.
    const batchRun = await measureBatchAgainstFloorBundled(dataFile, today(), opts.tiny ? 1 : 3);
    // Memory: drs score as its own process, streaming rows from drs data through a pipe.
    const batchMemory = await batchMemoryRun(opts.tiny ? 500 : opts.quick ? 100_000 : 1_000_000);
    tick('batch scoring');

    // 4. Events per second through the twin, and the store's write rate as its ceiling: the same
    // conditional write of full records, 16 in flight (and, as before, bare PutItems of small ones).
    // CPU per event of the twin's process and of the endpoints' process tell whose the gap is.
    const concurrency: BenchResult['concurrency'] = [];
    for (const level of [1, 4, 16]) {
      const twinFile = join(workDir, `twin-${level}.jsonl`);
      const traffic = generateTraffic({ events: sizes.twinEvents, seed: level, asOf: today(), badFraction: 0, identity: { source: synthesized.config.eventSource, detailType: synthesized.config.detailType, account: '000000000000', region: 'us-east-1' } });
      writeFileSync(twinFile, traffic.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const run = await runTwin({ synthesized, events: 0, eventsFile: twinFile, badFraction: 0, concurrency: level, seed: 1, asOf: today(), workDir: join(workDir, `twin-${level}`), alertEmails: 'bench@example.org', measureThreads: level === 16 });
      await run.endpoints.stop();
      const cpu = run.summary.deliveryCpuMsPerEvent;
      const threads = run.summary.deliveryThreads;
      concurrency.push({ level, eventsPerSecond: r2(run.summary.in / run.summary.deliverySeconds), ...(cpu ? { twinCpuMsPerEvent: cpu.twinProcess, endpointsCpuMsPerEvent: cpu.endpoints } : {}), ...(threads ? { threads } : {}) });
    }
    const ceilingWrites = sizes.twinEvents;
    const ceiling = async (write: (i: number) => PutItemCommand) => {
      const commands = Array.from({ length: ceilingWrites }, (_, i) => write(i));
      const cpu0 = endpoints.cpuSeconds();
      const t = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < ceilingWrites) await clients.dynamodb.send(commands[next++]);
        }),
      );
      const seconds = (performance.now() - t) / 1000;
      const cpu1 = endpoints.cpuSeconds();
      return { perSecond: ceilingWrites / seconds, endpointsCpuMsPerWrite: cpu0 !== undefined && cpu1 !== undefined ? r2(((cpu1 - cpu0) * 1000) / ceilingWrites) : undefined };
    };
    const bareCeiling = await ceiling((i) => new PutItemCommand({ TableName: tableName, Item: marshall({ donorId: `ceiling-${i}`, revision: 1, score: 0.5 }) }));
    const sameVector = deriveFeatures(donors.next().value!.detail.donor, today());
    const [samePrediction] = await model.predict([sameVector]);
    const sameWriteCeiling = await ceiling((i) => {
      const detail = { ...donors.next().value!.detail, revision: 1, donorId: `ceiling-full-${i}` };
      const record = { ...buildScoreRecord({ detail, sourceEventId: `ceiling-${i}`, vector: sameVector, prediction: samePrediction }, model, today(), new Date().toISOString()), input: detail };
      return new PutItemCommand({
        TableName: tableName,
        Item: marshall(record, { removeUndefinedValues: true }),
        ConditionExpression: NEWER_SCORE_CONDITION,
        ExpressionAttributeValues: marshall({ ':revision': record.revision, ':modelSha256': record.modelSha256, ':scoringDate': record.scoringDate }),
      });
    });
    tick('concurrency');

    // 4b. Memory of whole local runs (npm start, concurrency 16, outcomes on), at two lengths.
    const twinMemory = [] as TwinMemoryRun[];
    const synthesizedFile = join(workDir, 'synthesized.json');
    writeFileSync(synthesizedFile, JSON.stringify(synthesized));
    for (const events of sizes.twinMemoryEvents) twinMemory.push(measureTwinMemory(synthesizedFile, events, join(workDir, `twin-memory-${events}`)));
    tick('twin memory');

    // 5. The function asset.
    const assetDir = join(fn.handlerFile, '..');
    const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
    const assetFiles = files(assetDir);
    const unzipped = assetFiles.reduce((sum, f) => sum + statSync(f).size, 0);
    const zipped = assetFiles.reduce((sum, f) => sum + deflateRawSync(readFileSync(f), { level: 9 }).length + 76 + 2 * f.length, 22);
    tick('asset');

    // 6. Cost: billed duration (1 ms granularity) at the configured memory, log bytes and metrics
    // as the twin's run wrote them, fixed monthly costs from the synthesized templates.
    const memoryMiB = synthesized.config.memorySize;
    const billedMs = Math.ceil(median(latencies));
    const twinLog = readFileSync(join(workDir, 'twin-16', 'score-donor.log'), 'utf8');
    const logBytesPerEvent = Math.round(Buffer.byteLength(twinLog) / sizes.twinEvents);
    const customMetrics = countCustomMetrics(twinLog.split('\n'));
    const eventBytes = Buffer.byteLength(JSON.stringify(event(0)));
    const perEvent = { billedMs, memoryMiB, writeUnits: 1, logBytes: logBytesPerEvent, eventBytes }; // the stored item is < 1 KB: 1 write unit (Registry runs: item size)
    const perMillion = perMillionEvents({ ...perEvent, architecture: 'x86_64' });
    const perMillionArm = perMillionEvents({ ...perEvent, architecture: 'arm64' });
    const refresh = Object.fromEntries(Object.entries(perMillion).map(([k, v]) => [k, r2(v * 9)])) as unknown as PerMillionCost;
    const digestMs = 100; // one Query and no e-mail: well under 100 ms billed
    const monthlyFixed = monthlyFixedCost(fixedInventory(synthesized.template as unknown as Template), customMetrics, digestMs);
    const vpcTemplate = synthesizePipeline({ stage: 'bench', alertEmails: 'bench@example.org', vpc: 'true' }, join(workDir, 'cdk.out.vpc')).template;
    const monthlyFixedVpc = monthlyFixedCost(fixedInventory(vpcTemplate as unknown as Template), customMetrics, digestMs);
    tick('cost model');

    // 7. The read API: 100-id batchGet through the handler beside a raw BatchGetItem of the same ids.
    const readApi = await benchReadApi({ template: synthesized.template, pipeline, endpoints, clients, requests: Math.max(20, Math.round(sizes.warmEvents / 5)), coldStarts: sizes.coldStarts });
    tick('read API');

    const result: BenchResult = {
      machine: { cpus: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, date: new Date().toISOString().slice(0, 10), quick: Boolean(opts.quick || opts.tiny) },
      coldStart: {
        handlerMsMedian: r2(median(handlerMs)),
        floorMsMedian: r2(median(floorMs)),
        ratio: r2(median(handlerMs) / median(floorMs)),
        handlerCpuMsMedian: r2(median(handlerRuns.map((r) => r.cpuMs))),
        floorCpuMsMedian: r2(median(floorRuns.map((r) => r.cpuMs))),
        cpuRatio: r2(median(handlerRuns.map((r) => r.cpuMs)) / median(floorRuns.map((r) => r.cpuMs))),
        runs: sizes.coldStarts,
        handlerImportMsMedian: r2(median(handlerRuns.map((r) => r.importMs))),
        floorImportMsMedian: r2(median(floorRuns.map((r) => r.importMs))),
        floorSessionMsMedian: r2(median(floorRuns.map((r) => r.sessionMs! - r.importMs))),
        nodeStartMsMedian: r2(median([...handlerRuns, ...floorRuns].map((r) => r.nodeStartMs))),
        ioFloorMsMedian: r2(median(ioFloorRuns.map((r) => r.ms))),
        ioFloorCpuMsMedian: r2(median(ioFloorRuns.map((r) => r.cpuMs))),
        ioRatio: r2(median(handlerMs) / median(ioFloorRuns.map((r) => r.ms))),
        ioCpuRatio: r2(median(handlerRuns.map((r) => r.cpuMs)) / median(ioFloorRuns.map((r) => r.cpuMs))),
        bareIoFloorMsMedian: r2(median(bareIoFloorRuns.map((r) => r.ms))),
        bareIoFloorCpuMsMedian: r2(median(bareIoFloorRuns.map((r) => r.cpuMs))),
      },
      warm: {
        events: sizes.warmEvents,
        cpuMsPerEvent: r2(cpuMicros / 1000 / sizes.warmEvents),
        p50Ms: r2(median(latencies)),
        p99Ms: r2(pct(latencies, 99)),
        floorPutItemMs: r2(median(putMs)),
        floorOnnxMs: r2(median(onnxMs)),
        floorMs: r2(floorP50),
        ratioP50: r2(median(latencies) / floorP50),
        floorP99Ms: r2(floorP99),
        ratioP99: r2(pct(latencies, 99) / floorP99),
        sameRecordPutMs: r2(median(sameRecordMs)),
        barePutItemMs: r2(median(barePutMs)),
        peakRssMiB: Math.round(warmProcessRss / 2 ** 20),
        memorySizeMiB: memoryMiB,
      },
      batch: { ...batchRun, rawOnnxRowsPerSecond: Math.round(vectors.length / rawSeconds), memory: batchMemory },
      concurrency,
      storeCeiling: {
        writesPerSecond: Math.round(bareCeiling.perSecond),
        concurrency: 16,
        sameWriteWritesPerSecond: Math.round(sameWriteCeiling.perSecond),
        endpointsCpuMsPerWrite: bareCeiling.endpointsCpuMsPerWrite,
        endpointsCpuMsPerSameWrite: sameWriteCeiling.endpointsCpuMsPerWrite,
      },
      twinMemory,
      asset: { unzippedBytes: unzipped, zippedBytes: zipped, shareOfLambdaLimit: r2(unzipped / (250 * 1024 * 1024)) },
      cost: { billedMsPerEvent: billedMs, perMillionUpdates: perMillion, perMillionUpdatesArm64Computed: perMillionArm, fullRefresh9M: refresh, monthlyFixed, monthlyFixedVpc, logBytesPerEvent, customMetrics, prices: PRICES },
      readApi,
    };
    // The registry runs (issue 13): batch engine beside its floor, a simulated year, a local backfill, projections.
    tick('registry runs');
    const registry = await runRegistryBench({ rows: sizes.batchRows, yearDonors: opts.tiny ? 20 : opts.quick ? 200 : 1000, backfillRows: opts.tiny ? 0 : opts.quick ? 1000 : 20_000, synthesized });
    bar.stop();
    const text = `${formatResults(result)}\n${registryMarkdown(registry)}\n`;
    // A quick run never replaces the committed full-run figures; --out writes wherever asked.
    const resultsFile = opts.out ?? (opts.quick || opts.tiny ? undefined : join(__dirname, 'RESULTS.md'));
    if (opts.write !== false && resultsFile) writeFileSync(resultsFile, text);
    process.stdout.write(opts.json ? `${JSON.stringify({ ...result, registry })}\n` : text);
  } finally {
    await endpoints.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

function twinCpuLine(r: BenchResult): string {
  const c16 = r.concurrency.find((c) => c.level === 16);
  if (!c16?.twinCpuMsPerEvent) return 'not measured (no /proc).';
  return (
    `the twin's process spends ${c16.twinCpuMsPerEvent} ms of CPU per event (the handler, of which the warm handler alone is ${r.warm.cpuMsPerEvent} ms, ` +
    `plus delivery and the stream emulation), the endpoints' process ${c16.endpointsCpuMsPerEvent ?? '?'} ms (dynalite's conditional write, the rejected events' queue). ` +
    `Writing the same records straight to dynalite costs it ${r.storeCeiling.endpointsCpuMsPerSameWrite ?? '?'} ms per write (a bare small write ${r.storeCeiling.endpointsCpuMsPerWrite ?? '?'} ms). ` +
    `One process runs all 16 invocations on one core, as 16 Lambda containers would not: at ${c16.twinCpuMsPerEvent} ms an event it tops out near ${Math.round(1000 / c16.twinCpuMsPerEvent)} events/s. ` +
    twinGapLine(r, c16.twinCpuMsPerEvent, c16.endpointsCpuMsPerEvent) +
    (c16.threads ? ` ${twinWallLine(c16.eventsPerSecond, c16.threads)}` : '')
  );
}

/**
 * Whose the twin's gap to its store ceiling is, from CPU per event: each process alone bounds the
 * rate (one thread each), and both together share the machine's cores.
 */
export function twinGapLine(r: BenchResult, twinCpuMs: number, endpointsCpuMs: number | undefined): string {
  const ceiling = r.storeCeiling.sameWriteWritesPerSecond;
  const c16 = r.concurrency.find((c) => c.level === 16);
  if (!endpointsCpuMs || !ceiling || !c16) return '';
  const share = (perSecond: number) => r2(perSecond / ceiling);
  const endpointsBound = 1000 / endpointsCpuMs;
  const twinBound = 1000 / twinCpuMs;
  const machineBound = (r.machine.cores * 1000) / (twinCpuMs + endpointsCpuMs);
  const bound = Math.min(endpointsBound, twinBound, machineBound);
  const cpuBound = c16.eventsPerSecond >= 0.9 * bound;
  return (
    `Bounds, as shares of the ceiling: the endpoints' process alone (one thread) ${share(endpointsBound)}, the twin's process alone ${share(twinBound)}, ` +
    `both on this machine's ${r.machine.cores} cores ${share(machineBound)}; measured ${share(c16.eventsPerSecond)}. ` +
    (cpuBound
      ? `The run is bound by CPU: the local endpoints' share is not ours to move; the twin's process (${twinCpuMs} ms an event, most of it the handler's own warm cost) is, and the cores are the machine's.`
      : `The run stays below every CPU bound, so the rest of the gap is not work: time neither process spends computing (one thread interleaving 16 invocations and their round trips) or cores taken by other processes on a shared machine.`)
  );
}

export function formatResults(r: BenchResult): string {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(1)} MB`;
  const c = r.cost;
  const row = (label: string, m: { [K in keyof PerMillionCost]?: number }) => `| ${label} | $${m.lambda} | $${m.dynamodb} | $${m.eventbridge} | $${m.logs ?? 0} | $${m.archive ?? 0} | $${m.sns ?? 0} | $${m.total} |`;
  const fixedRow = (label: string, f: MonthlyFixedCost) => `| ${label} | $${f.alarms} | $${f.dashboard} | $${f.kms} | $${f.customMetrics} | $${f.digestSchedule} | $${f.vpcEndpoints} | $${f.total} |`;
  return `# Benchmark results

Machine: ${r.machine.cpus}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; ${r.machine.date}${r.machine.quick ? ' (quick run)' : ''}.
Local endpoints (dynalite, fauxqs) on loopback. Each figure stands beside the floor measured in the same run;
read the ratios, not the absolute numbers, on a shared machine.

| measure | pipeline | floor | ratio |
| --- | --- | --- | --- |
| cold start: import handler, load model from S3, score 1 event (median of ${r.coldStart.runs} processes) | ${r.coldStart.handlerMsMedian} ms | ${r.coldStart.floorMsMedian} ms (load ORT, session from same bytes, 1 row) | ${r.coldStart.ratio}x |
| cold start, CPU time of the process by the scored event (per core; other processes cannot stretch it) | ${r.coldStart.handlerCpuMsMedian} ms | ${r.coldStart.floorCpuMsMedian} ms | ${r.coldStart.cpuRatio}x |
| cold start against its I/O floor (a reference, not target 1's floor): wall | ${r.coldStart.handlerMsMedian} ms | ${r.coldStart.ioFloorMsMedian} ms (the floor plus the same three requests: the model's two signed GETs, the signed PutItem of the record serialised beforehand) | ${r.coldStart.ioRatio}x |
| cold start against its I/O floor: CPU | ${r.coldStart.handlerCpuMsMedian} ms | ${r.coldStart.ioFloorCpuMsMedian} ms | ${r.coldStart.ioCpuRatio}x |
| warm event, wall p50 (${r.warm.events} events) | ${r.warm.p50Ms} ms | ${r.warm.floorMs} ms (the same conditional PutItem of the same record, serialised beforehand, ${r.warm.floorPutItemMs} + ONNX row ${r.warm.floorOnnxMs}) | ${r.warm.ratioP50}x |
| warm event, wall p99 | ${r.warm.p99Ms} ms | ${r.warm.floorP99Ms} ms (p99 of each) | ${r.warm.ratioP99}x |
| warm event, handler CPU | ${r.warm.cpuMsPerEvent} ms | | |
| batch \`drs score\` (${r.batch.rows} rows), wall clock | ${r.batch.rowsPerSecond} rows/s | ${r.batch.floorRowsPerSecond} rows/s (JSON.parse of the lines + ORT on batches of 4,096 + each row's record serialised to bytes; raw ORT alone ${r.batch.rawOnnxRowsPerSecond} rows/s) | ${r.batch.ratio}x slower |
| batch \`drs score\`, per CPU second (per core) | ${r.batch.rowsPerCpuSecond} rows/s | ${r.batch.floorRowsPerCpuSecond} rows/s | ${r.batch.cpuRatio}x |
| read API: batchGet of ${r.readApi.ids} ids through the handler, warm p50 (${r.readApi.requests} requests) | ${r.readApi.handlerP50Ms} ms | ${r.readApi.rawP50Ms} ms (raw BatchGetItem of the same ids and fields) | ${r.readApi.ratioP50}x |
| read API: the same, p99 | ${r.readApi.handlerP99Ms} ms | ${r.readApi.rawP99Ms} ms | ${r.readApi.ratioP99}x |
| read API cold start: import handler, manifest from S3, answer 100 ids (median of ${r.readApi.coldStarts} processes) | ${r.readApi.coldStartMsMedian} ms | scoring function's cold start above: ${r.coldStart.handlerMsMedian} ms | |
${r.concurrency.map((x) => `| twin, concurrency ${x.level} | ${x.eventsPerSecond} events/s | ${r.storeCeiling.sameWriteWritesPerSecond} writes/s (the function's conditional PutItem of full records, ${r.storeCeiling.concurrency} in flight) | ${r2(x.eventsPerSecond / r.storeCeiling.sameWriteWritesPerSecond)} of ceiling |`).join('\n')}
| store, bare writes | | ${r.storeCeiling.writesPerSecond} writes/s (PutItem of a small record, no condition, ${r.storeCeiling.concurrency} in flight) | twin at 16: ${r2((r.concurrency.at(-1)?.eventsPerSecond ?? 0) / r.storeCeiling.writesPerSecond)} of it |

Cold start, where the time goes (medians): the handler's process has imported its bundle at ${r.coldStart.handlerImportMsMedian} ms
(the floor's has imported onnxruntime-node at ${r.coldStart.floorImportMsMedian} ms); the floor's first session takes ${r.coldStart.floorSessionMsMedian} ms.
Both include Node's own start (${r.coldStart.nodeStartMsMedian} ms to the child's first line). The rest of the handler's figure is the first event: the model's two S3 reads
(started at import, side by side), the SHA-256 checks, the session, validation, one row and the conditional PutItem.
Target 1's floor makes no request; every cold start of the function makes three. Two more floors, run in turn with the
handler and the floor, price them (bench/PROFILE.md, "The I/O floors"), as multiples of target 1's floor by the clock and by CPU:
- the floor plus the three requests with Node's \`http\` alone, unsigned (bench/cold-start-bare-io-floor.ts; less than any handler on AWS can do):
  ${r.coldStart.bareIoFloorMsMedian} ms, ${r2(r.coldStart.bareIoFloorMsMedian / r.coldStart.floorMsMedian)}x; CPU ${r.coldStart.bareIoFloorCpuMsMedian} ms, ${r2(r.coldStart.bareIoFloorCpuMsMedian / r.coldStart.floorCpuMsMedian)}x;
- the floor plus the three requests as the function makes them, signed, through the SDK's signer, HTTP handler and retry strategy
  (bench/cold-start-io-floor.ts, bundled as the function is): ${r.coldStart.ioFloorMsMedian} ms, ${r2(r.coldStart.ioFloorMsMedian / r.coldStart.floorMsMedian)}x; CPU ${r.coldStart.ioFloorCpuMsMedian} ms, ${r2(r.coldStart.ioFloorCpuMsMedian / r.coldStart.floorCpuMsMedian)}x;
- the handler: ${r.coldStart.ratio}x; CPU ${r.coldStart.cpuRatio}x. It is ${r.coldStart.ioRatio}x the I/O floor (CPU ${r.coldStart.ioCpuRatio}x); the difference is
  validation, features, the model's checks, the record, Powertools and the rest of its bundle.

Warm event, decomposed: the floor's write is what the function writes (the full record with its input, under the same
condition, serialised beforehand, sent as the function sends it: a signed PutItem without the SDK client): ${r.warm.floorPutItemMs} ms. The same write through the function's store adapter
(marshalling and serialising included) takes ${r.warm.sameRecordPutMs} ms; a bare PutItem of a small record with no condition (the
floor before issue 15) ${r.warm.barePutItemMs} ms: the difference between those two is dynalite evaluating the condition and storing the
larger record, which the function cannot avoid. The rest of the event is validation, features, the reason codes, one log line
and one metrics line.

Twin, where the time goes at concurrency 16: ${twinCpuLine(r)}

Memory of whole local runs (concurrency 16, generated traffic, outcomes and the monitoring report; peak resident memory):
${r.twinMemory.map((m) => `${m.events} events: this process ${m.peakRssMiB} MiB, local endpoints ${m.endpointsPeakRssMiB ?? '?'} MiB (${m.eventsPerSecond} events/s)`).join('; ')}.
Generated events, delivery records, latencies and the final table scan no longer grow with the run; what still does is the
endpoints' in-memory table (\`--data-dir\` moves it to disk) and, in this process, one entry per donor for the outcome run.

Batch scoring runs as users run it: \`drs score\`'s engine and its floor in one process of their own, from the same
in-memory esbuild bundle \`drs\` runs from (not file by file under tsx, which costs the engine ~15%).
Batch time shares: reading + JSON.parse ${Math.round(r.batch.share.parsing * 100)}%, validation + features ${Math.round(r.batch.share.features * 100)}%, model + reason codes ${Math.round(r.batch.share.inference * 100)}%, records to bytes + writing ${Math.round(r.batch.share.writing * 100)}%.
Batch memory: \`drs data | drs score --in -\` of ${r.batch.memory.rows} rows peaks at ${r.batch.memory.peakRssMiB} MiB resident (${r.batch.memory.rowsPerSecond} rows/s, paced by the generator).

Function asset: ${mb(r.asset.unzippedBytes)} unzipped, ${mb(r.asset.zippedBytes)} zipped (deflate), ${Math.round(r.asset.shareOfLambdaLimit * 100)}% of Lambda's 250 MB limit.
Peak memory of a warm handler process (a fresh process scoring ${Math.min(1000, r.warm.events)} events): ${r.warm.peakRssMiB} MiB of the configured ${r.warm.memorySizeMiB} MiB (${Math.round((100 * r.warm.peakRssMiB) / r.warm.memorySizeMiB)}%).

## Cost model
Billed duration per event: ${c.billedMsPerEvent} ms (warm p50, 1 ms granularity) at ${r.warm.memorySizeMiB} MB, x86_64. Logs: ${c.logBytesPerEvent} bytes per event
(its log line and metric line, as the twin wrote them); ${c.customMetrics} custom metrics (metric x dimension set, read off those lines).
Unit prices (AWS public list prices, ${c.prices.region}, as last checked on ${c.prices.asOf}; re-check them on the AWS pricing pages before budgeting): Lambda $${c.prices.lambdaGbSecondX86}/GB-s x86_64,
$${c.prices.lambdaGbSecondArm}/GB-s arm64, $${c.prices.lambdaPerMillionRequests}/million requests; DynamoDB on-demand $${c.prices.dynamoDbPerMillionWriteUnits}/million write units (a stored item < 1 KB = 1 unit);
EventBridge $${c.prices.eventBridgePerMillionCustomEvents}/million custom events, archive $${c.prices.archivePerGbProcessed}/GB; logs $${c.prices.logIngestionPerGb}/GB ingested + $${c.prices.logStoragePerGbMonth}/GB-month;
SNS $${c.prices.snsPerMillionPublishes}/million publishes (only on failures: 0 in the model).

Per event:

| | Lambda | DynamoDB | EventBridge | logs | archive | SNS | total |
| --- | --- | --- | --- | --- | --- | --- | --- |
${row('per million donor updates (x86_64, measured)', c.perMillionUpdates)}
${row('per million donor updates (arm64, computed from the x86_64 duration and arm64 prices, not measured)', c.perMillionUpdatesArm64Computed)}
${row('9 million updates through the event path', c.fullRefresh9M)}

Fixed, per month, whether or not events arrive (counted from the synthesized template):

| | alarms ($${c.prices.alarmPerMonth} each) | dashboard | KMS keys | custom metrics | digest every minute | VPC interface endpoints | total |
| --- | --- | --- | --- | --- | --- | --- | --- |
${fixedRow('default (vpc=false)', c.monthlyFixed)}
${fixedRow('vpc=true', c.monthlyFixedVpc)}

Local latencies include loopback HTTP to dynalite, which is slower than DynamoDB from Lambda; the cost model uses them as they are (an upper bound).
KMS requests are not in the table: DynamoDB, SQS and Lambda cache data keys, so they stay in the cents per million events.
`;
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bench failed: ${(error as Error).stack}\n`);
    process.exit(1);
  });
}
