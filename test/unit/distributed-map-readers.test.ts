// The twin's Distributed Map item readers, against what the Step Functions developer guide
// ("ItemReader (Map)") documents: JSONL from one object, gzip by the object's name, LOAD_AND_FLATTEN
// over a listing (every listed object's lines, in key order), InputType required with it, MaxItems
// across files, the 10 GB per-object limit, and refusals of what the twin does not read.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { readItems, StatesError } from '../../twin/distributed-map';

function bucketOf(objects: Record<string, string | Buffer>, pageSize = 2) {
  const reads: string[] = [];
  const s3 = {
    send: async (command: unknown) => {
      if (command instanceof GetObjectCommand) {
        const body = objects[command.input.Key!];
        if (body === undefined) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
        reads.push(command.input.Key!);
        return { Body: Readable.from([Buffer.from(body)]) };
      }
      if (command instanceof ListObjectsV2Command) {
        // S3 lists keys in UTF-8 binary order, a page at a time.
        const keys = Object.keys(objects).filter((k) => k.startsWith(command.input.Prefix ?? '')).sort();
        const start = command.input.ContinuationToken ? Number(command.input.ContinuationToken) : 0;
        const page = keys.slice(start, start + pageSize);
        const more = start + pageSize < keys.length;
        return { Contents: page.map((Key) => ({ Key, Size: Buffer.byteLength(objects[Key]), ETag: '"e"', LastModified: new Date(0) })), IsTruncated: more, NextContinuationToken: more ? String(start + pageSize) : undefined };
      }
      throw new Error('unexpected S3 call');
    },
  } as unknown as S3Client;
  return { s3, reads };
}

const lines = (...items: unknown[]) => items.map((i) => JSON.stringify(i)).join('\n') + '\n';
const mapState = (reader: Record<string, unknown>) => ({ Type: 'Map', ItemReader: reader });
const getObject = (key: string, config: Record<string, unknown> = { InputType: 'JSONL' }) => mapState({ Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: config, Parameters: { Bucket: 'b', 'Key.$': '$.key' } });
const flatten = (config: Record<string, unknown> = { InputType: 'JSONL', Transformation: 'LOAD_AND_FLATTEN' }) =>
  mapState({ Resource: 'arn:aws:states:::s3:listObjectsV2', ReaderConfig: config, Parameters: { Bucket: 'b', 'Prefix.$': '$.prefix' } });

async function all(items: AsyncIterable<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const item of items) out.push(item);
  return out;
}

test('JSONL: one item per line, blank lines skipped; a .gz object is decompressed by its name, the same items', async () => {
  const text = lines({ n: 1 }, { n: 2 }) + '\n' + lines({ n: 3 });
  const { s3 } = bucketOf({ 'imports/a.jsonl': text, 'imports/a.jsonl.gz': gzipSync(text) });
  expect(await all(readItems(getObject('x'), { key: 'imports/a.jsonl' }, s3))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  expect(await all(readItems(getObject('x'), { key: 'imports/a.jsonl.gz' }, s3))).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
});

test('LOAD_AND_FLATTEN: the items are the lines of every listed object under the prefix, in key order, across listing pages, gzip or not', async () => {
  const { s3, reads } = bucketOf({
    'snapshots/r/AWSDynamoDB/e/data/b.json.gz': gzipSync(lines({ f: 'b', i: 1 }, { f: 'b', i: 2 })),
    'snapshots/r/AWSDynamoDB/e/data/a.json.gz': gzipSync(lines({ f: 'a', i: 1 })),
    'snapshots/r/AWSDynamoDB/e/data/c.json.gz': gzipSync(lines({ f: 'c', i: 1 })),
    'snapshots/r/AWSDynamoDB/e/manifest-files.json': lines({ dataFileS3Key: 'x' }),
  });
  const items = await all(readItems(flatten(), { prefix: 'snapshots/r/AWSDynamoDB/e/data/' }, s3));
  expect(items).toEqual([{ f: 'a', i: 1 }, { f: 'b', i: 1 }, { f: 'b', i: 2 }, { f: 'c', i: 1 }]);
  expect(reads.some((k) => k.includes('manifest'))).toBe(false); // only what the prefix lists
});

test('without LOAD_AND_FLATTEN a listing yields object metadata, and LOAD_AND_FLATTEN without InputType fails the reader', async () => {
  const { s3 } = bucketOf({ 'imports/p/1.jsonl': lines({ n: 1 }) });
  const metadata = await all(readItems(flatten({}), { prefix: 'imports/p/' }, s3));
  expect(metadata).toEqual([{ Etag: '"e"', Key: 'imports/p/1.jsonl', LastModified: 0, Size: 8, StorageClass: 'STANDARD' }]);
  await expect(all(readItems(flatten({ Transformation: 'LOAD_AND_FLATTEN' }), { prefix: 'imports/p/' }, s3))).rejects.toMatchObject({ error: 'States.ItemReaderFailed' });
});

test('MaxItems stops the reader across files, reading no object beyond the one it stops in', async () => {
  const { s3, reads } = bucketOf({ 'imports/p/1.jsonl': lines({ n: 1 }, { n: 2 }), 'imports/p/2.jsonl': lines({ n: 3 }, { n: 4 }), 'imports/p/3.jsonl': lines({ n: 5 }) });
  const items = await all(readItems(flatten({ InputType: 'JSONL', Transformation: 'LOAD_AND_FLATTEN', MaxItems: 3 }), { prefix: 'imports/p/' }, s3));
  expect(items).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  expect(reads).toEqual(['imports/p/1.jsonl', 'imports/p/2.jsonl']);
});

test('an object over the per-object limit (decompressed), a line that is not JSON and a missing object fail the reader, naming the object', async () => {
  const big = lines(...Array.from({ length: 50 }, (_, i) => ({ n: i, pad: 'x'.repeat(100) })));
  const { s3 } = bucketOf({ 'imports/big.jsonl.gz': gzipSync(big), 'imports/bad.jsonl': '{"n":1}\n{not json\n' });
  const tooLarge = all(readItems(getObject('x'), { key: 'imports/big.jsonl.gz' }, s3, 1000));
  await expect(tooLarge).rejects.toBeInstanceOf(StatesError);
  await expect(all(readItems(getObject('x'), { key: 'imports/big.jsonl.gz' }, s3, 1000))).rejects.toMatchObject({ error: 'States.ItemReaderFailed', message: expect.stringMatching(/big\.jsonl\.gz holds more than 1000 bytes \(decompressed\)/) });
  // Under the limit the same object reads whole.
  expect(await all(readItems(getObject('x'), { key: 'imports/big.jsonl.gz' }, s3, 1e6))).toHaveLength(50);
  await expect(all(readItems(getObject('x'), { key: 'imports/bad.jsonl' }, s3))).rejects.toMatchObject({ error: 'States.ItemReaderFailed', message: 'line 2 of s3://b/imports/bad.jsonl is not valid JSON' });
  await expect(all(readItems(getObject('x'), { key: 'imports/none.jsonl' }, s3))).rejects.toMatchObject({ error: 'States.ItemReaderFailed', message: expect.stringContaining('NoSuchKey') });
});

test('what the twin does not read is refused, not guessed: ZSTD objects, other input types, manifests', async () => {
  const { s3 } = bucketOf({ 'imports/a.jsonl.zst': 'x', 'imports/a.csv': 'a,b\n1,2\n' });
  await expect(all(readItems(getObject('x'), { key: 'imports/a.jsonl.zst' }, s3))).rejects.toThrow(/GZIP-compressed objects only, not ZSTD/);
  await expect(all(readItems(getObject('x', { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }), { key: 'imports/a.csv' }, s3))).rejects.toThrow(/does not read ItemReader/);
  await expect(all(readItems(getObject('x', { InputType: 'JSONL', ManifestType: 'ATHENA_DATA' }), { key: 'imports/a.csv' }, s3))).rejects.toThrow(/does not read ItemReader/);
  await expect(all(readItems(flatten({ InputType: 'CSV', Transformation: 'LOAD_AND_FLATTEN' }), { prefix: 'imports/' }, s3))).rejects.toThrow(/does not read ItemReader/);
});
