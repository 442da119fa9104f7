// DynamoDB Streams for the local twin. dynalite has no streams, so the twin stands a proxy in front
// of it and derives each stream record from the write itself: the item before and after the write
// (under a per-key lock, so concurrent writers cannot interleave), for every table the template
// gives a StreamSpecification. Like DynamoDB, a write that changes nothing makes no record.
// A PutItem or DeleteItem is forwarded with ReturnValues ALL_OLD, so dynalite hands back the old
// image from the write itself (no read before it; the caller gets the answer it asked for); an
// UpdateItem or BatchWriteItem reads the items before and after.
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { crc32 } from 'node:zlib';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from './local-endpoints';
import type { StackTemplate } from './template-resolver';

type Item = Record<string, AttributeValue>;

/** A record as DynamoDB Streams hands it to a consumer (an EventBridge pipe, a Lambda). */
export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Item;
    NewImage?: Item;
    OldImage?: Item;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: string;
  };
  eventSourceARN: string;
}

export interface StreamedTable {
  logicalId: string;
  name: string;
  keyAttributes: string[];
  viewType: string;
  streamArn: string;
}

/** The tables of the template that have a stream, with their local names. */
export function streamedTables(template: StackTemplate, tables: { logicalId: string; name: string }[], account: string): StreamedTable[] {
  return tables.flatMap(({ logicalId, name }) => {
    const p = template.Resources[logicalId]?.Properties ?? {};
    if (!p.StreamSpecification) return [];
    return [{
      logicalId,
      name,
      keyAttributes: (p.KeySchema as { AttributeName: string }[]).map((k) => k.AttributeName),
      viewType: p.StreamSpecification.StreamViewType as string,
      streamArn: `arn:aws:dynamodb:${LOCAL_REGION}:${account}:table/${name}/stream/local`,
    }];
  });
}

export interface TableStreams {
  /** Point every writer at this URL instead of dynalite's. */
  url: string;
  close(): Promise<void>;
}

const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];

function collect(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => done(Buffer.concat(chunks)));
    stream.on('error', fail);
  });
}

export async function startTableStreams(options: { dynamodbUrl: string; tables: StreamedTable[]; onRecord: (record: StreamRecord, table: StreamedTable) => void }): Promise<TableStreams> {
  const upstream = new URL(options.dynamodbUrl);
  const byName = new Map(options.tables.map((t) => [t.name, t]));
  const direct = new DynamoDBClient({ endpoint: options.dynamodbUrl, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const agent = new Agent({ keepAlive: true });
  const locks = new Map<string, Promise<unknown>>();
  let sequence = 0;

  const withLock = async <T>(keys: string[], work: () => Promise<T>): Promise<T> => {
    const waits = keys.map((k) => locks.get(k) ?? Promise.resolve());
    const run = Promise.allSettled(waits).then(work);
    const settled = run.catch(() => undefined);
    for (const k of keys) locks.set(k, settled);
    try {
      return await run;
    } finally {
      for (const k of keys) if (locks.get(k) === settled) locks.delete(k);
    }
  };

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((done, fail) => {
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, 'content-length': String(body.length) }, agent }, async (res) => {
        done({ status: res.statusCode ?? 502, headers: res.headers, body: await collect(res) });
      });
      out.on('error', fail);
      out.end(body);
    });

  const keyOf = (table: StreamedTable, item: Item) => Object.fromEntries(table.keyAttributes.map((a) => [a, item[a]]));
  const lockName = (table: StreamedTable, key: Item) => `${table.name}|${JSON.stringify(key)}`;
  const read = async (table: StreamedTable, key: Item) => (await direct.send(new GetItemCommand({ TableName: table.name, Key: key, ConsistentRead: true }))).Item;

  const emit = (table: StreamedTable, key: Item, before: Item | undefined, after: Item | undefined) => {
    if (isDeepStrictEqual(before, after)) return;
    const eventName = !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY';
    const images = table.viewType;
    const record: StreamRecord = {
      eventID: randomUUID().replace(/-/g, ''),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: key,
        ...(after && (images === 'NEW_IMAGE' || images === 'NEW_AND_OLD_IMAGES') ? { NewImage: after } : {}),
        ...(before && (images === 'OLD_IMAGE' || images === 'NEW_AND_OLD_IMAGES') ? { OldImage: before } : {}),
        SequenceNumber: String(++sequence).padStart(21, '0'),
        SizeBytes: Buffer.byteLength(JSON.stringify({ key, after, before })),
        StreamViewType: images,
      },
      eventSourceARN: table.streamArn,
    };
    options.onRecord(record, table);
  };

  /** The keys a write touches on streamed tables, so they are read before and after under the lock. */
  const touched = (operation: string, input: any): { table: StreamedTable; key: Item; put?: Item }[] => {
    if (operation === 'BatchWriteItem') {
      return Object.entries((input.RequestItems ?? {}) as Record<string, any[]>).flatMap(([name, writes]) => {
        const table = byName.get(name);
        if (!table) return [];
        return writes.map((w) => (w.PutRequest ? { table, key: keyOf(table, w.PutRequest.Item), put: w.PutRequest.Item as Item } : { table, key: w.DeleteRequest.Key as Item }));
      });
    }
    const table = byName.get(input.TableName);
    if (!table) return [];
    return [operation === 'PutItem' ? { table, key: keyOf(table, input.Item), put: input.Item as Item } : { table, key: input.Key as Item }];
  };

  /**
   * A PutItem or DeleteItem with ReturnValues ALL_OLD: the old image comes from the write itself.
   * When the caller did not ask for it, `Attributes` is taken out of the answer again (with its
   * length and checksum), so the caller sees exactly what DynamoDB would have answered.
   */
  const writeReturningOld = async (req: IncomingMessage, body: Buffer, input: any, write: { table: StreamedTable; key: Item; put?: Item }) => {
    const asked = input.ReturnValues === 'ALL_OLD';
    const result = await forward(req, asked ? body : Buffer.from(JSON.stringify({ ...input, ReturnValues: 'ALL_OLD' })));
    if (result.status !== 200) return result;
    const output = JSON.parse(result.body.toString('utf8') || '{}');
    emit(write.table, write.key, output.Attributes, write.put);
    if (asked) return result;
    delete output.Attributes;
    const answer = Buffer.from(JSON.stringify(output));
    return { ...result, headers: { ...result.headers, 'content-length': String(answer.length), 'x-amz-crc32': String(crc32(answer)) }, body: answer };
  };

  const server: Server = createServer(async (req, res) => {
    try {
      const body = await collect(req);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
      const input = WRITES.includes(operation) ? JSON.parse(body.toString('utf8') || '{}') : undefined;
      const writes = input ? touched(operation, input) : [];
      const single = operation === 'PutItem' || operation === 'DeleteItem';
      const answer = !writes.length
        ? await forward(req, body)
        : single
          ? await withLock([lockName(writes[0].table, writes[0].key)], () => writeReturningOld(req, body, input, writes[0]))
          : await withLock(writes.map((w) => lockName(w.table, w.key)), async () => {
              const before = await Promise.all(writes.map((w) => read(w.table, w.key)));
              const result = await forward(req, body);
              if (result.status === 200) {
                // A put replaces the whole item: its new image is the item written; an update is read back.
                const after = await Promise.all(writes.map((w) => w.put ?? read(w.table, w.key)));
                writes.forEach((w, i) => emit(w.table, w.key, before[i], after[i]));
              }
              return result;
            });
      res.writeHead(answer.status, answer.headers).end(answer.body);
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
    }
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((done) => {
        direct.destroy();
        agent.destroy();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
