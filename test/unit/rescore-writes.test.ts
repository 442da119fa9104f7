// The registry run's writes are the same as before its faster path: the same batches (thousands of
// generated rows, invalid ones among them, then a refresh of what they stored with odd items among
// them) through rescoreBatch with the batch function's store as it was (the SDK's document client,
// which marshals the record itself; the refresh reading items with the SDK's `unmarshall`) and as
// it is (DynamoDbScoreStore over the low-level client with score-item.ts's attribute values;
// parseExportItem). Both stores run over a real DynamoDB client whose request handler keeps each
// request's body instead of sending it: the PutItem bodies must be byte for byte the same, and the
// counts and the rejected rows too. The expected side is the SDK's own marshalling.
import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { loadLocalModel } from '../../cli/local-model';
import type { ReadinessModel } from '../../lambdas/core/readiness-model';
import type { StoredScore } from '../../lambdas/core/score-record';
import { rescoreBatch, type BatchCounts, type BatchEvent, type RejectedRow, type RescorePorts, type RunMode } from '../../lambdas/rescore/rescore-batch';
import { parseExportItem } from '../../lambdas/rescore/s3-ports';
import { DynamoDbScoreStore } from '../../lambdas/score-donor/dynamodb-score-store';
import { newerScorePut } from '../../lambdas/score-donor/newer-score';
import type { ScoreStore } from '../../lambdas/score-donor/score-donor-update';
import { generateRegistry } from '../../model/synthetic-registry';

jest.setTimeout(120_000);

/** A DynamoDB client that keeps each request body and answers 200 `{}` without a network. */
function keepingClient(bodies: string[]): DynamoDBClient {
  const handler = {
    handle: async (request: { body?: unknown }) => {
      // The SDK writes a JSON body as bytes (a Uint8Array that also answers string methods, with a warning): read as bytes.
      const body = request.body;
      bodies.push(typeof body === 'string' ? body : Buffer.from((body as Uint8Array).buffer, (body as Uint8Array).byteOffset, (body as Uint8Array).byteLength).toString('utf8'));
      return { response: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from('{}')]) } };
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
    destroy: () => undefined,
  };
  return new DynamoDBClient({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1, requestHandler: handler as never });
}

/** The batch function's store until this change: the document client's PutCommand of the record. */
class DocumentClientScoreStore implements ScoreStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async putIfNewer(record: StoredScore): Promise<boolean> {
    await this.documents.send(new PutCommand(newerScorePut(this.tableName, record)));
    return true;
  }
}

type Path = 'before' | 'now';

async function run(path: Path, mode: RunMode, items: unknown[], scoringDate: string, tolerance: number, size: number) {
  const bodies: string[] = [];
  const rejected: RejectedRow[][] = [];
  const client = keepingClient(bodies);
  const ports: RescorePorts = {
    loadModel: async () => model,
    store: path === 'before' ? new DocumentClientScoreStore(client, 'scores') : new DynamoDbScoreStore(client, 'scores'),
    keepRejected: async (runId, name, rows) => (rejected.push(rows), `s3://runs/${runId}/${name}`),
    // As s3-ports.ts read an export line before: the SDK's unmarshall.
    parseSnapshotItem: path === 'before' ? (line) => unmarshall((line as { Item: never }).Item) : parseExportItem,
    now: () => new Date('2027-02-03T04:05:06.789Z'),
    writeConcurrency: 16,
  };
  const counts: BatchCounts[] = [];
  try {
    for (let i = 0; i < items.length; i += size) {
      const event: BatchEvent = { Items: items.slice(i, i + size), BatchInput: { runId: 'r', mode, scoringDate, tolerance } };
      counts.push(await rescoreBatch(event, ports));
    }
  } finally {
    client.destroy();
  }
  // The pool sends up to 16 writes at once: their order on the wire is not the store's to keep.
  return { bodies: [...bodies].sort(), counts, rejected };
}

let model: ReadinessModel;
const items: unknown[] = [];

// Broken rows, every 7th row: each rejected with its field and rule, the same way on both paths.
const BROKEN: ((detail: Record<string, any>) => unknown)[] = [
  (d) => ({ detail: { ...d, revision: 0 } }),
  (d) => ({ detail: { ...d, donor: { ...d.donor, sex: 'X' } } }),
  (d) => ({ detail: { ...d, donor: undefined } }),
  () => 'a line of text',
  () => [1, 2, 3],
  () => null,
  (d) => ({ detail: { ...d, updatedAt: 'yesterday' } }),
  (d) => ({ detail: { ...d, donor: { ...d.donor, birthYear: 1800 } } }),
  (d) => ({ 'detail-type': 'DonorUpdated', source: 'registry.donors', id: 'evt-broken', detail: 'not an object' }),
];

beforeAll(async () => {
  model = await loadLocalModel();
  let i = 0;
  for (const row of generateRegistry({ seed: 27, asOf: '2026-06-01', baseRate: 0.55 })) {
    const detail = row.detail as unknown as Record<string, any>;
    if (i % 7 === 3) items.push(BROKEN[Math.floor(i / 7) % BROKEN.length](detail));
    // Whole events (their id becomes sourceEventId, non-ASCII here), bare details, generator rows.
    else if (i % 5 === 0) items.push({ version: '0', id: `évt-${i}-ü`, source: 'registry.donors', 'detail-type': 'DonorUpdated', detail });
    else if (i % 5 === 1) items.push(detail);
    else items.push(row);
    if (++i === 3000) break;
  }
});

describe('the registry run stores the same items as before its faster path', () => {
  let stored: string[];

  it('backfill: 3,000 rows, invalid ones among them', async () => {
    const before = await run('before', 'backfill', items, '2026-06-01', 0, 400);
    const now = await run('now', 'backfill', items, '2026-06-01', 0, 400);
    expect(before.counts.reduce((n, c) => n + c.rejected, 0)).toBeGreaterThan(400);
    expect(before.bodies.length).toBeGreaterThan(2000);
    expect(now.bodies).toEqual(before.bodies);
    expect(now.counts).toEqual(before.counts);
    expect(now.rejected).toEqual(before.rejected);
    stored = before.bodies;
  });

  it('refresh of what the backfill stored, odd items among them: a year later, and a day later with a tolerance', async () => {
    const exportLines = stored.map((body) => ({ Item: JSON.parse(body).Item as Record<string, unknown> }));
    const first = exportLines[0].Item as Record<string, any>;
    // Items a table may hold: no input (stored before inputs were kept), an encoding this code does
    // not read, the old map form of the input, a number past 2^53, binary and set attributes, null.
    const odd = [
      { ...first, input: undefined },
      { ...first, input: { L: [{ N: '2' }, { S: 'x' }] } },
      { ...first, input: { M: { donorId: { S: 'D-X' } } } },
      { ...first, revision: { N: '12345678901234567890' } },
      { ...first, extra: { B: 'AAEC' }, tags: { SS: ['a', 'b'] }, nothing: { NULL: true } },
      { ...first, score: { N: 'NaN' } },
    ].map((Item) => ({ Item: JSON.parse(JSON.stringify(Item)) as Record<string, unknown> }));
    const snapshot = [...odd, ...exportLines];
    // Every row written (tolerance 0), then the unchanged rule at work on a part of them (a day later: most rows skipped).
    for (const [tolerance, date, lines] of [[0, '2027-06-01', snapshot], [0.002, '2026-06-02', snapshot.slice(0, 1000)]] as const) {
      const before = await run('before', 'refresh', [...lines], date, tolerance, 100);
      const now = await run('now', 'refresh', [...lines], date, tolerance, 100);
      expect(before.bodies.length).toBeGreaterThan(tolerance ? 0 : 2000);
      if (tolerance) expect(before.counts.reduce((n, c) => n + c.unchanged, 0)).toBeGreaterThan(300);
      expect(now.bodies).toEqual(before.bodies);
      expect(now.counts).toEqual(before.counts);
      expect(now.rejected).toEqual(before.rejected);
    }
  });
});
