// What the local ASL interpreter (aws-local-stepfunctions) lacks of a Distributed Map: reading its
// items from S3 (ItemReader), grouping them (ItemBatcher), running the ItemProcessor per batch with
// bounded concurrency, tolerating failures, and writing results (ResultWriter), as documented by
// AWS ("ItemReader", "ItemBatcher", "ResultWriter" in the Step Functions developer guide):
// - ItemReader `s3:getObject` with ReaderConfig.InputType JSONL: one item per line; a `.gz` object
//   is decompressed first (the reader's external compression, GZIP by name; ZSTD is refused here:
//   Node 20 has no zstd). `MaxItems` limits the items. An object over 10 GB (decompressed) fails
//   the reader, as in AWS.
// - ItemReader `s3:listObjectsV2`: one item per object, {Etag, Key, LastModified, Size,
//   StorageClass}; with ReaderConfig.Transformation LOAD_AND_FLATTEN (which needs InputType) the
//   items are instead the lines of every listed object, read in the listing's (key) order.
// - ItemBatcher: batches of at most MaxItemsPerBatch items and MaxInputBytesPerBatch bytes; each
//   child gets {"Items": [...], "BatchInput": <BatchInput evaluated on the state input>}.
// - Failures: a batch that fails (after the processor's own Retry) is a failed child execution;
//   more than ToleratedFailurePercentage / ToleratedFailureCount fails the map with
//   States.ExceedToleratedFailureThreshold.
// - ResultWriter: `<Prefix>/<map run id>/manifest.json` and SUCCEEDED_n.json / FAILED_n.json /
//   PENDING_n.json files (arrays of child executions: Input, Output or Error and Cause, Status);
//   the state's result is {"MapRunArn", "ResultWriterDetails": {"Bucket", "Key"}}. WriterConfig
//   Transformation COMPACT writes a succeeded child as its output alone (FLATTEN: an array output
//   spread), a failed one always as its whole record; OutputType JSON only.
// Everything streams: items are read, batched and processed as they come, and results are written
// out in files of RESULTS_PER_FILE children as they finish, so a run of millions of rows holds
// only the batches in flight.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StateMachine, type RunOptions, type StateMachineDefinition } from './asl-interpreter';

type Json = any;

/** A States error, as the interpreter reports it (Error name = the ASL error code). */
export class StatesError extends Error {
  constructor(readonly error: string, readonly causeText: string) {
    super(causeText);
    this.name = error;
  }
}

/** Evaluates a Parameters-style template (paths, intrinsic functions) with the interpreter itself. */
export async function evaluateTemplate(template: Json, input: Json, context?: RunOptions['context']): Promise<Json> {
  if (template === undefined) return undefined;
  const machine = new StateMachine({ StartAt: 'Evaluate', States: { Evaluate: { Type: 'Pass', Parameters: template, End: true } } } as StateMachineDefinition);
  return machine.run(input, { context }).result;
}

export interface DistributedMapEnvironment {
  s3: S3Client;
  /** Runs for the processor's Task states (the bundled functions). */
  taskHandlers: Record<string, (input: Json) => Promise<Json>>;
  retryIntervalOverrides?: Record<string, number | number[]>;
  /** The most batches in flight locally (one process): min(MaxConcurrency, this). */
  localConcurrency: number;
  executionArn: string;
  onBatchDone?: (items: number) => void;
}

/** The most one object may hold, decompressed, for the S3 item readers ("10 GB", taken as 10^10 bytes). */
export const MAX_READER_OBJECT_BYTES = 10e9;

async function* readJsonLines(s3: S3Client, bucket: string, key: string, maxBytes = MAX_READER_OBJECT_BYTES): AsyncGenerator<Json> {
  if (/\.(zst|zstd)$/.test(key)) throw new StatesError('States.ItemReaderFailed', `s3://${bucket}/${key}: the local twin reads GZIP-compressed objects only, not ZSTD`);
  let object;
  try {
    object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    throw new StatesError('States.ItemReaderFailed', `cannot read s3://${bucket}/${key}: ${(error as Error).name}`);
  }
  let body = object.Body as Readable;
  if (key.endsWith('.gz')) body = body.pipe(createGunzip());
  let bytes = 0;
  let tooLarge = false;
  const counted = body.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > maxBytes) {
          tooLarge = true;
          done(new Error('too large'));
        } else done(null, chunk);
      },
    }),
  );
  let n = 0;
  try {
    for await (const line of createInterface({ input: counted, crlfDelay: Infinity })) {
      n += 1;
      if (line.trim() === '') continue;
      let item: Json;
      try {
        item = JSON.parse(line);
      } catch {
        throw new StatesError('States.ItemReaderFailed', `line ${n} of s3://${bucket}/${key} is not valid JSON`);
      }
      yield item;
    }
  } catch (error) {
    if (tooLarge) throw new StatesError('States.ItemReaderFailed', `s3://${bucket}/${key} holds more than ${maxBytes} bytes (decompressed): the item reader's limit per object`);
    if (error instanceof StatesError) throw error;
    throw new StatesError('States.ItemReaderFailed', `cannot read s3://${bucket}/${key}: ${(error as Error).message}`);
  } finally {
    body.destroy();
  }
}

async function* listObjects(s3: S3Client, bucket: string, prefix: string | undefined): AsyncGenerator<Json> {
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      yield { Etag: o.ETag, Key: o.Key, LastModified: o.LastModified ? Math.floor(o.LastModified.getTime() / 1000) : undefined, Size: o.Size, StorageClass: o.StorageClass ?? 'STANDARD' };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

async function* flattenObjects(s3: S3Client, bucket: string, prefix: string | undefined, maxBytes?: number): AsyncGenerator<Json> {
  for await (const object of listObjects(s3, bucket, prefix)) yield* readJsonLines(s3, bucket, object.Key, maxBytes);
}

export async function* readItems(state: Json, input: Json, s3: S3Client, maxObjectBytes?: number): AsyncGenerator<Json> {
  const reader = state.ItemReader;
  const params = await evaluateTemplate(reader.Parameters, input);
  const config = reader.ReaderConfig ?? {};
  const maxItems: number | undefined = config.MaxItems;
  const refuse = () => {
    throw new Error(`the local twin does not read ItemReader ${reader.Resource} ${JSON.stringify(config)}`);
  };
  let source: AsyncGenerator<Json>;
  if (reader.Resource === 'arn:aws:states:::s3:getObject' && config.InputType === 'JSONL' && !config.ManifestType) source = readJsonLines(s3, params.Bucket, params.Key, maxObjectBytes);
  else if (reader.Resource === 'arn:aws:states:::s3:listObjectsV2' && config.Transformation === 'LOAD_AND_FLATTEN') {
    if (!config.InputType) throw new StatesError('States.ItemReaderFailed', 'Transformation LOAD_AND_FLATTEN needs ReaderConfig.InputType');
    if (config.InputType !== 'JSONL') refuse();
    source = flattenObjects(s3, params.Bucket, params.Prefix, maxObjectBytes);
  } else if (reader.Resource === 'arn:aws:states:::s3:listObjectsV2' && (config.Transformation ?? 'NONE') === 'NONE' && !config.InputType) source = listObjects(s3, params.Bucket, params.Prefix);
  else refuse();
  let n = 0;
  for await (const item of source!) {
    if (maxItems !== undefined && n >= maxItems) return;
    n += 1;
    yield item;
  }
}

async function* batches(items: AsyncGenerator<Json>, batcher: Json, batchInput: Json): AsyncGenerator<Json[]> {
  const maxItems: number = batcher?.MaxItemsPerBatch ?? Infinity;
  const maxBytes: number = batcher?.MaxInputBytesPerBatch ?? 256 * 1024;
  const overhead = Buffer.byteLength(JSON.stringify({ Items: [], BatchInput: batchInput }));
  let batch: Json[] = [];
  let bytes = overhead;
  for await (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (batch.length && (batch.length >= maxItems || bytes + size > maxBytes)) {
      yield batch;
      batch = [];
      bytes = overhead;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length) yield batch;
}

/** Child results per result file, and the most bytes one holds: AWS splits them too (SUCCEEDED_0.json, SUCCEEDED_1.json, ...). */
export const RESULTS_PER_FILE = 2000;
export const RESULT_FILE_BYTES = 8 * 2 ** 20;

interface ChildResult {
  Input: string;
  Output?: string;
  Error?: string;
  Cause?: string;
  Status: 'SUCCEEDED' | 'FAILED';
  Name: string;
  ExecutionArn: string;
  StartDate: string;
  StopDate: string;
}

/** Runs a Distributed Map state on `input`; returns the state's result (before ResultSelector/ResultPath). */
export async function runDistributedMap(stateName: string, state: Json, input: Json, env: DistributedMapEnvironment): Promise<Json> {
  if (!state.ItemReader) throw new Error(`${stateName} has no ItemReader: it is not a Distributed Map the twin runs`);
  const mapRunId = randomUUID();
  const mapRunArn = `${env.executionArn.replace(':execution:', ':mapRun:')}/${mapRunId}`;
  const batchInput = await evaluateTemplate(state.ItemBatcher?.BatchInput, input);
  const processorDefinition = { ...state.ItemProcessor };
  delete processorDefinition.ProcessorConfig;
  const processor = new StateMachine(processorDefinition as StateMachineDefinition, { validationOptions: { checkArn: false } });
  const writer = state.ResultWriter ? await evaluateTemplate(state.ResultWriter.Parameters, input) : undefined;
  // WriterConfig: NONE (the default with a bucket) keeps each child's record; COMPACT keeps a succeeded
  // child's output itself, FLATTEN too but spreads an array output; a failed child is always its whole record.
  const transformation: string = state.ResultWriter?.WriterConfig?.Transformation ?? 'NONE';
  const outputType: string = state.ResultWriter?.WriterConfig?.OutputType ?? 'JSON';
  if (writer && (!['NONE', 'COMPACT', 'FLATTEN'].includes(transformation) || outputType !== 'JSON')) {
    throw new Error(`the local twin writes map results with Transformation NONE, COMPACT or FLATTEN and OutputType JSON, not ${transformation} ${outputType}`);
  }
  const prefix = writer ? `${writer.Prefix ? `${writer.Prefix.replace(/\/$/, '')}/` : ''}${mapRunId}/` : '';
  const files: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', { Key: string; Size: number }[]> = { FAILED: [], PENDING: [], SUCCEEDED: [] };
  const pending = { SUCCEEDED: [] as string[], FAILED: [] as string[] };
  const pendingBytes = { SUCCEEDED: 0, FAILED: 0 };
  const counts = { SUCCEEDED: 0, FAILED: 0 };
  let firstFailure: ChildResult | undefined;
  const outputs: Json[] = [];
  // Results go out as they come: a file of RESULTS_PER_FILE children at a time (the last one at the end).
  const flush = async (status: 'SUCCEEDED' | 'FAILED') => {
    if (!pending[status].length) return;
    const body = `[${pending[status].join(',')}]`;
    pending[status] = [];
    pendingBytes[status] = 0;
    const key = `${prefix}${status}_${files[status].length}.json`;
    files[status].push({ Key: key, Size: Buffer.byteLength(body) });
    await env.s3.send(new PutObjectCommand({ Bucket: writer.Bucket, Key: key, Body: body }));
  };
  const write = async (status: 'SUCCEEDED' | 'FAILED', entry: string) => {
    if (pending[status].length >= RESULTS_PER_FILE || pendingBytes[status] + entry.length > RESULT_FILE_BYTES) await flush(status);
    pending[status].push(entry);
    pendingBytes[status] += entry.length + 1;
  };
  // `result` is built only when it is written whole: a compacted success never serialises its input.
  const record = async (status: 'SUCCEEDED' | 'FAILED', result: () => ChildResult, output?: Json) => {
    counts[status] += 1;
    if (status === 'FAILED') firstFailure ??= result();
    if (!writer) {
      if (status === 'SUCCEEDED') outputs.push(output);
    } else if (status === 'FAILED' || transformation === 'NONE') {
      await write(status, JSON.stringify(result()));
    } else if (transformation === 'FLATTEN' && Array.isArray(output)) {
      for (const element of output) await write(status, JSON.stringify(element));
    } else {
      await write(status, JSON.stringify(output ?? null));
    }
  };
  const limit = Math.max(1, Math.min(state.MaxConcurrency || 1000, env.localConcurrency));

  const source = state.ItemBatcher ? batches(readItems(state, input, env.s3), state.ItemBatcher, batchInput) : (async function* () {
    for await (const item of readItems(state, input, env.s3)) yield [item];
  })();
  let index = 0;
  const runChild = async (items: Json[]) => {
    const childInput = state.ItemBatcher ? { Items: items, ...(batchInput !== undefined ? { BatchInput: batchInput } : {}) } : items[0];
    const name = `${mapRunId}:${index++}`;
    const started = new Date().toISOString();
    const base = () => ({ Input: JSON.stringify(childInput), Name: name, ExecutionArn: `${mapRunArn.replace(':mapRun:', ':execution:')}:${name}`, StartDate: started });
    try {
      const output = await processor.run(childInput, {
        overrides: { taskResourceLocalHandlers: env.taskHandlers, retryIntervalOverrides: env.retryIntervalOverrides },
      }).result;
      const stopped = new Date().toISOString();
      await record('SUCCEEDED', () => ({ ...base(), Output: JSON.stringify(output), Status: 'SUCCEEDED', StopDate: stopped }), output);
    } catch (error) {
      const cause = (error as { cause?: Error }).cause ?? (error as Error);
      const stopped = new Date().toISOString();
      await record('FAILED', () => ({ ...base(), Error: cause.name ?? 'States.TaskFailed', Cause: cause.message ?? String(cause), Status: 'FAILED', StopDate: stopped }));
    }
    env.onBatchDone?.(items.length);
  };
  // A fixed pool of workers pulling from the one batch stream: at most `limit` batches in flight.
  let readerError: unknown;
  const iterator = source[Symbol.asyncIterator]();
  let reading: Promise<void> = Promise.resolve();
  const next = async (): Promise<Json[] | undefined> => {
    // One reader at a time: async generators are not safe to pull from concurrently.
    const turn = reading.then(() => iterator.next());
    reading = turn.then(() => undefined, () => undefined);
    const step = await turn;
    return step.done ? undefined : step.value;
  };
  await Promise.all(
    Array.from({ length: limit }, async () => {
      try {
        for (let items = await next(); items; items = await next()) await runChild(items);
      } catch (error) {
        readerError ??= error;
      }
    }),
  );
  if (readerError) throw readerError;

  const total = counts.SUCCEEDED + counts.FAILED;
  const toleratedPercent = state.ToleratedFailurePercentage ?? 0;
  const toleratedCount = state.ToleratedFailureCount;
  const overPercent = total > 0 && (100 * counts.FAILED) / total > toleratedPercent;
  const overCount = toleratedCount !== undefined ? counts.FAILED > toleratedCount : state.ToleratedFailurePercentage === undefined && counts.FAILED > 0;
  let result: Json;
  if (writer) {
    await flush('SUCCEEDED');
    await flush('FAILED');
    const manifestKey = `${prefix}manifest.json`;
    await env.s3.send(new PutObjectCommand({ Bucket: writer.Bucket, Key: manifestKey, Body: JSON.stringify({ DestinationBucket: writer.Bucket, MapRunArn: mapRunArn, ResultFiles: files }) }));
    result = { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: writer.Bucket, Key: manifestKey } };
  } else {
    result = outputs;
  }
  if (overPercent || overCount) {
    throw new StatesError('States.ExceedToleratedFailureThreshold', `${counts.FAILED} of ${total} child executions failed; first: ${firstFailure?.Error}: ${firstFailure?.Cause}`);
  }
  return result;
}
