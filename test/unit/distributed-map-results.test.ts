// The twin's Distributed Map writes its results as children finish, split into files as AWS does
// (SUCCEEDED_0.json, SUCCEEDED_1.json, ... listed in manifest.json), never all held until the end.
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RESULT_FILE_BYTES, RESULTS_PER_FILE, runDistributedMap } from '../../twin/distributed-map';

function fakeS3(lines: string[]) {
  const put = new Map<string, string>();
  const s3 = {
    send: async (command: unknown) => {
      if (command instanceof GetObjectCommand) return { Body: Readable.from([lines.join('\n') + '\n']) };
      if (command instanceof PutObjectCommand) return void put.set(command.input.Key!, String(command.input.Body));
      throw new Error('unexpected S3 call');
    },
  } as unknown as S3Client;
  return { s3, put };
}

const state = (maxItems: number) => ({
  Type: 'Map',
  ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'JSONL' }, Parameters: { Bucket: 'b', Key: 'rows.jsonl' } },
  ItemBatcher: { MaxItemsPerBatch: maxItems, MaxInputBytesPerBatch: 262144 },
  ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' }, StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } },
  MaxConcurrency: 4,
  ToleratedFailurePercentage: 0,
  ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'runs/r/results' } },
});

const env = (s3: S3Client) => ({ s3, taskHandlers: {}, localConcurrency: 4, executionArn: 'arn:aws:states:us-east-1:000000000000:execution:m:r' });

test('results go out RESULTS_PER_FILE children a file, every child in exactly one file, all listed in the manifest', async () => {
  const lines = Array.from({ length: RESULTS_PER_FILE + 500 }, (_, i) => JSON.stringify({ n: i }));
  const { s3, put } = fakeS3(lines);
  const result = await runDistributedMap('Map', state(1), {}, env(s3));
  const manifest = JSON.parse(put.get(result.ResultWriterDetails.Key)!);
  const keys = manifest.ResultFiles.SUCCEEDED.map((f: { Key: string }) => f.Key);
  expect(keys.map((k: string) => k.split('/').pop())).toEqual(['SUCCEEDED_0.json', 'SUCCEEDED_1.json']);
  const entries = keys.flatMap((k: string) => JSON.parse(put.get(k)!));
  expect(JSON.parse(put.get(keys[0])!)).toHaveLength(RESULTS_PER_FILE);
  expect(entries.map((e: { Input: string }) => JSON.parse(e.Input).Items[0].n).sort((a: number, b: number) => a - b)).toEqual(lines.map((_, i) => i));
  expect(manifest.ResultFiles.FAILED).toEqual([]);
});

test('a result file never exceeds RESULT_FILE_BYTES, however large the batches', async () => {
  const big = 'x'.repeat(100_000);
  const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ n: i, big }));
  const { s3, put } = fakeS3(lines);
  const result = await runDistributedMap('Map', state(2), {}, env(s3));
  const files = JSON.parse(put.get(result.ResultWriterDetails.Key)!).ResultFiles.SUCCEEDED as { Key: string; Size: number }[];
  expect(files.length).toBeGreaterThan(1);
  for (const f of files) expect(Buffer.byteLength(put.get(f.Key)!)).toBeLessThanOrEqual(RESULT_FILE_BYTES);
  expect(files.reduce((n, f) => n + JSON.parse(put.get(f.Key)!).length, 0)).toBe(100);
});

test('WriterConfig COMPACT: a succeeded child is written as its output alone, a failed one as its whole record (input, error, cause)', async () => {
  const lines = Array.from({ length: 6 }, (_, i) => JSON.stringify({ n: i }));
  const { s3, put } = fakeS3(lines);
  const compact = {
    ...state(1),
    ToleratedFailurePercentage: 100,
    ItemProcessor: {
      ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
      StartAt: 'Odd?',
      States: {
        'Odd?': { Type: 'Choice', Choices: [{ Variable: '$.Items[0].n', NumericEquals: 3, Next: 'Boom' }], Default: 'Count' },
        Boom: { Type: 'Fail', Error: 'BatchFailed', Cause: 'item 3 fails' },
        Count: { Type: 'Pass', Parameters: { 'first.$': '$.Items[0].n', rows: 1 }, End: true },
      },
    },
    ResultWriter: { ...state(1).ResultWriter, WriterConfig: { OutputType: 'JSON', Transformation: 'COMPACT' } },
  };
  const result = await runDistributedMap('Map', compact, {}, env(s3));
  const files = JSON.parse(put.get(result.ResultWriterDetails.Key)!).ResultFiles;
  const succeeded = files.SUCCEEDED.flatMap((f: { Key: string }) => JSON.parse(put.get(f.Key)!));
  expect(succeeded.sort((a: { first: number }, b: { first: number }) => a.first - b.first)).toEqual([0, 1, 2, 4, 5].map((first) => ({ first, rows: 1 })));
  const failed = files.FAILED.flatMap((f: { Key: string }) => JSON.parse(put.get(f.Key)!));
  expect(failed).toHaveLength(1);
  expect(failed[0]).toMatchObject({ Status: 'FAILED', Error: 'BatchFailed', Cause: 'item 3 fails' });
  expect(JSON.parse(failed[0].Input)).toEqual({ Items: [{ n: 3 }] });
  // What the twin does not write is refused, not approximated.
  await expect(runDistributedMap('Map', { ...compact, ResultWriter: { ...compact.ResultWriter, WriterConfig: { OutputType: 'JSONL', Transformation: 'COMPACT' } } }, {}, env(fakeS3(lines).s3))).rejects.toThrow(/OutputType JSON/);
});
