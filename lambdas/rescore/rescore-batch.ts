// One batch of a registry run (backfill or refresh), as the Distributed Map hands it to the batch
// function. Every row ends scored, unchanged (refresh: same score within the tolerance, not
// written), stale (a newer or identical score is stored: the event path's conditional write said
// no) or rejected (kept whole in S3 with field and rule). Anything else throws, so the map retries
// the batch and then reports it as failed; every step is idempotent, so a retry or a re-run is safe.
import { createHash } from 'node:crypto';
import { unwrapDetail } from '../core/event-input';
import type { ContractViolation } from '../core/donor-updated';
import type { ReadinessModel } from '../core/readiness-model';
import { scoreBatch, type BatchRow } from '../core/score-batch';
import type { StoredScore } from '../core/score-record';
import { decodeInput, encodeInput } from '../core/stored-input';
import type { ScoreStore } from '../score-donor/score-donor-update';
import { isUnchanged } from './unchanged';

export type RunMode = 'backfill' | 'refresh';

/** What the map's ItemBatcher adds to every batch (`BatchInput`). */
export interface BatchInput {
  runId: string;
  mode: RunMode;
  scoringDate: string;
  /** Refresh only: largest score change that still counts as unchanged. */
  tolerance: number;
  /** Refresh: the bucket holding the table snapshot's data files. */
  bucket?: string;
}

export interface BatchEvent {
  Items: unknown[];
  BatchInput: BatchInput;
}

export interface BatchCounts {
  rows: number;
  scored: number;
  unchanged: number;
  stale: number;
  rejected: number;
  /** `field: rule` -> rows. */
  rejectedByRule: Record<string, number>;
  /** Where this batch's rejected rows are (s3://...), or null. */
  rejectedAt: string | null;
}

export interface RejectedRow {
  row: unknown;
  field: string;
  rule: string;
  violations: ContractViolation[];
}

export interface RescorePorts {
  loadModel: () => Promise<ReadinessModel>;
  store: ScoreStore;
  /** Keeps a batch's rejected rows under the run; the same name for the same batch (idempotent). */
  keepRejected: (runId: string, name: string, rows: RejectedRow[]) => Promise<string>;
  /** The lines of a snapshot data file (gunzipped). */
  readLines: (bucket: string, key: string) => AsyncIterable<string>;
  /** Parses one snapshot line into the stored item (DynamoDB export: {"Item": ...}). */
  parseSnapshotLine: (line: string) => Record<string, unknown>;
  now: () => Date;
  /** Conditional writes in flight at once (paced to the table's throughput by the map's concurrency). */
  writeConcurrency: number;
  /** Rows per ONNX run when reading snapshot files. */
  chunkRows?: number;
}

interface PendingRow extends BatchRow {
  raw: unknown;
  /** The stored item the refresh read (its score decides "unchanged"). */
  stored?: Partial<StoredScore>;
  /** Why the stored item's input cannot be read back (refresh only). */
  unreadable?: ContractViolation;
}


async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function backfillRow(item: unknown): PendingRow {
  const { detail, sourceEventId } = unwrapDetail(item);
  return { raw: item, detail, sourceEventId };
}

function snapshotRow(item: Record<string, unknown>): PendingRow {
  const stored = item as Partial<StoredScore>;
  const decoded = decodeInput(item);
  return {
    raw: item,
    detail: decoded.ok ? decoded.detail : undefined,
    sourceEventId: typeof stored.sourceEventId === 'string' ? stored.sourceEventId : null,
    stored,
    ...(decoded.ok ? {} : { unreadable: { field: 'input', rule: decoded.rule } }),
  };
}

export function emptyCounts(): BatchCounts {
  return { rows: 0, scored: 0, unchanged: 0, stale: 0, rejected: 0, rejectedByRule: {}, rejectedAt: null };
}

async function scoreChunk(rows: PendingRow[], input: BatchInput, ports: RescorePorts, counts: BatchCounts, rejected: RejectedRow[]): Promise<void> {
  const model = await ports.loadModel();
  const results = await scoreBatch(rows, model, input.scoringDate, ports.now().toISOString());
  const writes: { record: StoredScore }[] = [];
  results.forEach((result, i) => {
    counts.rows += 1;
    const row = rows[i];
    if (!result.ok) {
      const violation = row.unreadable ?? result.violation;
      rejected.push({ row: row.raw, field: violation.field, rule: violation.rule, violations: row.unreadable ? [row.unreadable] : result.violations });
      return;
    }
    if (row.stored && isUnchanged(row.stored, result.record, input.tolerance)) {
      counts.unchanged += 1;
      return;
    }
    writes.push({ record: { ...result.record, input: encodeInput(result.input) } });
  });
  await pool(writes, ports.writeConcurrency, async ({ record }) => {
    if (await ports.store.putIfNewer(record)) counts.scored += 1;
    else counts.stale += 1;
  });
}

/** Scores one batch and returns its counts (what the map's result writer keeps per batch). */
export async function rescoreBatch(event: BatchEvent, ports: RescorePorts): Promise<BatchCounts> {
  const input = event.BatchInput;
  if (!input || !/^\d{4}-\d{2}-\d{2}$/.test(String(input.scoringDate)) || (input.mode !== 'backfill' && input.mode !== 'refresh')) {
    throw new Error('the batch has no valid BatchInput {runId, mode, scoringDate}: start runs through the state machine');
  }
  const counts = emptyCounts();
  const rejected: RejectedRow[] = [];
  if (input.mode === 'backfill') {
    await scoreChunk(event.Items.map(backfillRow), input, ports, counts, rejected);
  } else {
    if (!input.bucket) throw new Error('a refresh batch needs BatchInput.bucket (the snapshot bucket)');
    const chunkRows = ports.chunkRows ?? 2000;
    for (const item of event.Items) {
      const key = (item as { Key?: unknown }).Key;
      // The snapshot folder also holds the export's manifests; only its data files hold items.
      if (typeof key !== 'string' || !/\/data\/[^/]+$/.test(key)) continue;
      let chunk: PendingRow[] = [];
      for await (const line of ports.readLines(input.bucket, key)) {
        if (line.trim() === '') continue;
        chunk.push(snapshotRow(ports.parseSnapshotLine(line)));
        if (chunk.length >= chunkRows) {
          await scoreChunk(chunk, input, ports, counts, rejected);
          chunk = [];
        }
      }
      if (chunk.length) await scoreChunk(chunk, input, ports, counts, rejected);
    }
  }
  for (const r of rejected) {
    const key = `${r.field}: ${r.rule}`;
    counts.rejectedByRule[key] = (counts.rejectedByRule[key] ?? 0) + 1;
  }
  counts.rejected = rejected.length;
  if (rejected.length) {
    // Named after the batch's content: a retried batch overwrites its own file, never adds one.
    const name = createHash('sha256').update(JSON.stringify(event.Items)).digest('hex').slice(0, 20);
    counts.rejectedAt = await ports.keepRejected(input.runId, name, rejected);
  }
  return counts;
}
