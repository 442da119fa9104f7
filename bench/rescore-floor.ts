// The registry run's batch core beside its floor (issue 15, target 3: "this path is shared with the
// registry-scale rescoring, so its figure goes into that projection too").
//
// The engine is the batch function's own core, rescoreBatch (lambdas/rescore/rescore-batch.ts), on
// the batches the Distributed Map hands it: items already parsed by the map's item reader (backfill:
// export rows in batches of ROWS_PER_BATCH; refresh: table export lines {"Item": DynamoDB JSON} in
// batches of SNAPSHOT_ROWS_PER_BATCH), with the ports handler.ts wires: the DynamoDbScoreStore and
// putRejectedRows over clients whose send stops short of the network. That send takes the request
// the store built (the PutItem with its attribute values) and serialises its JSON body, as the SDK
// must before it signs; the rejected rows' S3 body is built by putRejectedRows itself. Left out is
// the SDK's send proper (middleware, endpoint, SigV4, HTTP, retries): it is the same for any
// implementation that writes through the SDK, and it runs inside the write pace's slots (one write
// per 1/WRITES_PER_SECOND_PER_FUNCTION s per function), so it does not add to a run's time at the
// stack's pace; sdkSendCpuMicros reports what it costs per write, to keep that claim checkable.
//
// The floor is what no implementation can avoid for those items: one ORT run per batch over the
// batch's real feature rows (the model's float32 matrix), and building and serialising what each
// row sends: each written row's PutItem from its values (the values in DynamoDB attribute values,
// with the fastest marshalling we have, the store's own score-item.ts, and the request's JSON body,
// as the SDK writes it) and each rejected row's kept line. The items arrive parsed, so the floor
// parses no JSON; a refresh's items arrive in DynamoDB JSON, and reading back the attributes a
// refresh cannot do without (the stored input, the donor's id, revision and update time, the event
// id, and the score, band, reasons and model the unchanged rule compares) is in its floor, with the
// fastest reader we have (score-item.ts), as JSON.parse is in drs score's. The matrices and each
// row's values (its score record) are made before the clock starts: validation, features,
// reasons, the record, and reading the rest of a stored item are what the floor leaves out.
// Both are timed per batch on the same batches in one process (one core), the engine's pass then
// the floor's, by the wall clock and by CPU time (process.cpuUsage: on a shared machine the
// per-core figure); the medians of `repeats` runs.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Readable } from 'node:stream';
import { FEATURE_COUNT } from '../lambdas/core/features';
import type { ReadinessModel } from '../lambdas/core/readiness-model';
import type { StoredScore } from '../lambdas/core/score-record';
import { rescoreBatch, type BatchEvent, type RejectedRow, type RescorePorts, type RunMode } from '../lambdas/rescore/rescore-batch';
import { parseExportItem, putRejectedRows } from '../lambdas/rescore/s3-ports';
import { DynamoDbScoreStore } from '../lambdas/score-donor/dynamodb-score-store';
import { nativeOf, newerScorePutItem } from '../lambdas/score-donor/score-item';
import { ROWS_PER_BATCH, SNAPSHOT_ROWS_PER_BATCH, WRITES_IN_FLIGHT } from '../lib/registry-refresh';
import { cpuSecondsNow, type BatchFloorResult, type Timed } from './batch-floor';

/** The core's rows/s beside its floor's (as drs score's, without its phase shares), and how many rows were written. */
export type RescoreRate = Omit<BatchFloorResult, 'share'> & {
  mode: RunMode;
  /** Rows the batches wrote (the rest: rejected or unchanged). */
  written: number;
};

const TABLE = 'scores';
const MARSHALL = { removeUndefinedValues: true } as const;

/** The attributes of a stored item a refresh reads back whatever it does (rescore-batch.ts, unchanged.ts). */
const REFRESH_READS = ['donorId', 'revision', 'updatedAt', 'sourceEventId', 'input', 'score', 'band', 'reasons', 'modelSha256'];

/** The batch function's ports (handler.ts) over clients that build what they send and stop there. */
function offlinePorts(model: ReadinessModel, sent: { bytes: number }): RescorePorts {
  const dynamodb = { send: async (command: { input: unknown }) => ((sent.bytes += JSON.stringify(command.input).length), {}) } as unknown as DynamoDBClient;
  const s3 = { send: async (command: { input: { Body?: string } }) => ((sent.bytes += command.input.Body?.length ?? 0), {}) } as unknown as S3Client;
  return {
    loadModel: async () => model,
    store: new DynamoDbScoreStore(dynamodb, TABLE),
    keepRejected: (runId, name, rows) => putRejectedRows(s3, 'runs', runId, name, rows),
    parseSnapshotItem: parseExportItem,
    now: () => new Date(),
    writeConcurrency: WRITES_IN_FLIGHT,
  };
}

/**
 * What the floor starts from for a batch, made off the clock by the core itself (a model that keeps
 * the matrix it is given, a store and a sink that keep what they are given): its float32 feature
 * matrix, each written row's score record (its values) and each rejected row.
 */
async function floorParts(event: BatchEvent, model: ReadinessModel) {
  const matrices: { matrix: Float32Array; rows: number }[] = [];
  const keeping = Object.create(model) as ReadinessModel;
  keeping.scoreMatrix = async (features, rows) => {
    matrices.push({ matrix: new Float32Array(features.subarray(0, rows * FEATURE_COUNT)), rows });
    return model.scoreMatrix(features, rows);
  };
  const records: StoredScore[] = [];
  const rejected: RejectedRow[] = [];
  await rescoreBatch(event, {
    ...offlinePorts(model, { bytes: 0 }),
    loadModel: async () => keeping,
    store: { putIfNewer: async (record: StoredScore) => (records.push(record), true) },
    keepRejected: async (_runId, _name, rows) => (rejected.push(...rows), 's3://runs/rejected'),
  });
  return { matrices, records, rejected };
}

async function timed(work: () => Promise<unknown>): Promise<Timed> {
  const t = performance.now();
  const cpu = cpuSecondsNow();
  await work();
  return { seconds: (performance.now() - t) / 1000, cpuSeconds: cpuSecondsNow() - cpu };
}

const add = (a: Timed, b: Timed): Timed => ({ seconds: a.seconds + b.seconds, cpuSeconds: a.cpuSeconds + b.cpuSeconds });

/**
 * Items whose floor parts (floorParts: the core's own run, off the clock) are made at once before
 * the floor's batches are timed, and so held at once: never millions of rows.
 */
export const ITEMS_PER_STRETCH = 10_000;

/** `batches` in stretches of whole batches, at most ITEMS_PER_STRETCH items each (at least one batch). */
export function stretchesOf(batches: readonly string[][], items = ITEMS_PER_STRETCH): string[][][] {
  const out: string[][][] = [];
  let current: string[][] = [];
  let count = 0;
  for (const batch of batches) {
    if (current.length && count + batch.length > items) {
      out.push(current);
      current = [];
      count = 0;
    }
    current.push(batch);
    count += batch.length;
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * The engine and the floor on `batches`, each batch timed alone with its items parsed just before
 * its clock starts (from their JSON lines, as the runtime hands a function its event): medians of
 * `repeats`. The floor's parts for a stretch of batches are made first, so between two timed
 * batches each side does the same thing off the clock, parse the next batch. A minor GC is paid by
 * whatever runs when the young generation fills: with the floor's parts made between its batches
 * (a whole core run before each), the collections fell off the floor's clock into that run, and the
 * floor was charged almost none of its own (bench/PROFILE.md, "The refresh core, session 6").
 */
export async function measureRescore(mode: RunMode, batches: readonly string[][], model: ReadinessModel, scoringDate: string, tolerance: number, repeats = 3): Promise<RescoreRate> {
  const eventOf = (lines: readonly string[]): BatchEvent => ({ Items: lines.map((l) => JSON.parse(l) as unknown), BatchInput: { runId: 'bench', mode, scoringDate, tolerance } });
  const sent = { bytes: 0 };
  const ports = offlinePorts(model, sent);
  const stretches = stretchesOf(batches);
  let written = 0;
  const engine: Timed[] = [];
  const floor: Timed[] = [];
  for (let r = 0; r < repeats; r++) {
    let e: Timed = { seconds: 0, cpuSeconds: 0 };
    written = 0;
    for (const lines of batches) {
      const event = eventOf(lines);
      let counts: Awaited<ReturnType<typeof rescoreBatch>> | undefined;
      e = add(e, await timed(async () => (counts = await rescoreBatch(event, ports))));
      written += counts!.scored;
    }
    engine.push(e);
    let f: Timed = { seconds: 0, cpuSeconds: 0 };
    for (const stretch of stretches) {
      const parts: Awaited<ReturnType<typeof floorParts>>[] = [];
      for (const lines of stretch) parts.push(await floorParts(eventOf(lines), model));
      for (let b = 0; b < stretch.length; b++) {
        const { matrices, records, rejected } = parts[b];
        const items = eventOf(stretch[b]).Items as { Item: Record<string, unknown> }[];
        f = add(
          f,
          await timed(async () => {
            if (mode === 'refresh') for (const item of items) for (const name of REFRESH_READS) sent.bytes += item.Item[name] === undefined ? 0 : nativeOf(item.Item[name]) === undefined ? 1 : 0;
            for (const { matrix, rows } of matrices) if ((await model.probabilitiesOfMatrix(matrix, rows)).length !== rows) throw new Error('ORT returned a short batch');
            // Each written row's request: its values in attribute values (the fastest marshalling we have, the store's) and its JSON body.
            for (const record of records) sent.bytes += JSON.stringify(newerScorePutItem(TABLE, record)).length;
            for (const row of rejected) sent.bytes += JSON.stringify(row).length;
          }),
        );
      }
    }
    floor.push(f);
  }
  const rows = batches.reduce((n, b) => n + b.length, 0);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const es = median(engine.map((x) => x.seconds));
  const fs = median(floor.map((x) => x.seconds));
  const ec = median(engine.map((x) => x.cpuSeconds));
  const fc = median(floor.map((x) => x.cpuSeconds));
  if (!(sent.bytes > 0)) throw new Error('the rescore bench sent nothing');
  return {
    mode,
    rows,
    written,
    rowsPerSecond: Math.round(rows / es),
    floorRowsPerSecond: Math.round(rows / fs),
    ratio: r2(es / fs),
    rowsPerCpuSecond: Math.round(rows / ec),
    floorRowsPerCpuSecond: Math.round(rows / fc),
    cpuRatio: r2(ec / fc),
  };
}

/** `lines` in batches of `size`, as the map's ItemBatcher makes them. */
export const inBatches = (lines: readonly string[], size: number): string[][] => Array.from({ length: Math.ceil(lines.length / size) }, (_, i) => lines.slice(i * size, (i + 1) * size));

/**
 * The table export a refresh reads: each row of `lines` scored by the core as of `asOf` and stored
 * as the table holds it ({"Item": DynamoDB JSON}, a line of an export data file); rejected rows are
 * not stored.
 */
export async function snapshotLinesOf(lines: readonly string[], model: ReadinessModel, asOf: string): Promise<string[]> {
  const out: string[] = [];
  const ports: RescorePorts = {
    ...offlinePorts(model, { bytes: 0 }),
    store: { putIfNewer: async (record: StoredScore) => (out.push(JSON.stringify({ Item: marshall(record, MARSHALL) })), true) },
  };
  for (const batch of inBatches(lines, ROWS_PER_BATCH)) await rescoreBatch({ Items: batch.map((l) => JSON.parse(l) as unknown), BatchInput: { runId: 'snapshot', mode: 'backfill', scoringDate: asOf, tolerance: 0 } }, ports);
  return out;
}

/** Backfill rows and a refresh of their stored scores `refreshDate` (tolerance 0: every changed score written). */
export async function measureRescoreModes(lines: readonly string[], model: ReadinessModel, asOf: string, refreshDate: string, repeats = 3): Promise<{ backfill: RescoreRate; refresh: RescoreRate; sdkSendCpuMicros: number }> {
  const backfill = await measureRescore('backfill', inBatches(lines, ROWS_PER_BATCH), model, asOf, 0, repeats);
  const snapshot = await snapshotLinesOf(lines, model, asOf);
  const refresh = await measureRescore('refresh', inBatches(snapshot, SNAPSHOT_ROWS_PER_BATCH), model, refreshDate, 0, repeats);
  return { backfill, refresh, sdkSendCpuMicros: await sdkSendCpuMicros(snapshot.slice(0, 2000)) };
}

/**
 * CPU microseconds per write of the SDK's send proper (what the engine leaves out): the DynamoDB
 * client's PutItem of real stored items through its whole middleware (endpoint, SigV4 with
 * credentials given, serialisation, retry bookkeeping) to a request handler that answers at once.
 * The median of three passes.
 */
export async function sdkSendCpuMicros(snapshot: readonly string[]): Promise<number> {
  const handler = {
    handle: async () => ({ response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from('{}')]) } }),
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, requestHandler: handler as never });
  const records = snapshot.map((l) => parseExportItem(JSON.parse(l)) as unknown as StoredScore);
  const passes: number[] = [];
  try {
    for (let p = 0; p < 3; p++) {
      const cpu = cpuSecondsNow();
      for (const record of records) await client.send(new PutItemCommand(newerScorePutItem(TABLE, record)));
      passes.push(((cpuSecondsNow() - cpu) / Math.max(1, records.length)) * 1e6);
    }
  } finally {
    client.destroy();
  }
  return Math.round([...passes].sort((a, b) => a - b)[1]);
}
