// The registry run's S3 glue: snapshot data files in (gzip DynamoDB JSON lines, as a table export
// writes them; the model monitoring run reads them), rejected rows and the run summary out.
// Encryption is the bucket's default (the stack key).
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { stringifyJson } from '../core/safe-json';
import { nativeOf, unmarshallItem } from '../score-donor/score-item';
import type { RejectedRow } from './rescore-batch';
import { rejectedPrefix } from './run-summary';

export async function* readObjectLines(s3: S3Client, bucket: string, key: string): AsyncIterable<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  let body = object.Body as Readable;
  if (key.endsWith('.gz')) body = body.pipe(createGunzip());
  yield* createInterface({ input: body, crlfDelay: Infinity });
}

/**
 * A DynamoDB export line is {"Item": {attribute: {type: value}}}: its item as `unmarshall` reads it
 * (score-item.ts), or only its attributes in `names` (each read as `unmarshall` reads it; absent
 * ones left out), for a caller that needs a few of an item's attributes (a refresh: 9 of ~20).
 */
export function parseExportItem(line: unknown, names?: readonly string[]): Record<string, unknown> {
  const item = (line as { Item?: unknown } | null)?.Item;
  if (!item || typeof item !== 'object') throw new Error('a snapshot line has no Item: the snapshot is not a DynamoDB JSON export');
  // A parsed line is a plain object; anything else (never met from JSON.parse) is read whole, the SDK's way.
  if (names === undefined || Object.getPrototypeOf(item) !== Object.prototype) return unmarshallItem(item);
  const attributes = item as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const name of names) if (Object.hasOwn(attributes, name)) out[name] = nativeOf(attributes[name]);
  return out;
}

/** Every object under a prefix, all pages. */
export async function listObjects(s3: S3Client, bucket: string, prefix: string): Promise<{ key: string; lastModified: Date }[]> {
  const objects: { key: string; lastModified: Date }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) if (o.Key) objects.push({ key: o.Key, lastModified: o.LastModified ?? new Date(0) });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  return (await listObjects(s3, bucket, prefix)).map((o) => o.key);
}

export async function putRejectedRows(s3: S3Client, bucket: string, runId: string, name: string, rows: RejectedRow[]): Promise<string> {
  const key = `${rejectedPrefix(runId)}${name}.jsonl`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: rows.map((r) => stringifyJson(r)).join('\n') + '\n', ContentType: 'application/x-ndjson' }));
  return `s3://${bucket}/${key}`;
}

export async function getJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString('utf8'));
}

export async function putJson(s3: S3Client, bucket: string, key: string, value: unknown): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: JSON.stringify(value, null, 2), ContentType: 'application/json' }));
}

/** GetObject through the S3 client, for loadModelFromS3 (this function has the client anyway). */
export const sdkObjectGetter =
  (s3: S3Client) =>
  async (bucket: string, key: string): Promise<Uint8Array> => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return object.Body!.transformToByteArray();
  };
