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
  /**
   * One line of the table snapshot ({"Item": <DynamoDB JSON>}, as an export writes it) to the stored
   * item: only the attributes in `names` when given (what a refresh reads, REFRESH_READS), the whole
   * item otherwise (a rejected row is kept whole). A port that ignores `names` is correct too.
   */
  parseSnapshotItem: (item: unknown, names?: readonly string[]) => Record<string, unknown>;
  now: () => Date;
  /** Conditional writes in flight at once. */
  writeConcurrency: number;
  /** Waits for this function's next write slot (writePacer): the map's pace is its concurrency x this rate. */
  pace?: () => Promise<void>;
}

/**
 * Spaces this function's writes to at most `perSecond` a second, across batches (one per container):
 * with the map's MaxConcurrency functions, a run writes at most MaxConcurrency x perSecond units a second.
 */
export function writePacer(perSecond: number, clock: () => number = () => performance.now(), sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))): () => Promise<void> {
  if (!(perSecond > 0)) throw new Error('a write pace must be > 0 writes a second');
  let next = 0;
  return async () => {
    const now = clock();
    const slot = Math.max(now, next);
    next = slot + 1000 / perSecond;
    if (slot > now) await sleep(slot - now);
  };
}

/**
 * The stored attributes a refresh reads (decodeInput: input, donorId, revision, updatedAt; the
 * event id; isUnchanged: score, band, reasons, modelSha256): the rest of an item (its features,
 * dates, model version) is read only to keep a rejected row whole.
 */
export const REFRESH_READS: readonly string[] = ['input', 'donorId', 'revision', 'updatedAt', 'sourceEventId', 'score', 'band', 'reasons', 'modelSha256'];

interface PendingRow extends BatchRow {
  /** The row as received (a refresh: its snapshot line, read whole only if the row is rejected). */
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

function snapshotRow(line: unknown, item: Record<string, unknown>): PendingRow {
  const stored = item as Partial<StoredScore>;
  const decoded = decodeInput(item);
  return {
    raw: line,
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
  const writes: StoredScore[] = [];
  results.forEach((result, i) => {
    counts.rows += 1;
    const row = rows[i];
    if (!result.ok) {
      const violation = row.unreadable ?? result.violation;
      // A refresh keeps the stored item whole, as the snapshot holds it.
      rejected.push({ row: row.stored ? ports.parseSnapshotItem(row.raw) : row.raw, field: violation.field, rule: violation.rule, violations: row.unreadable ? [row.unreadable] : result.violations });
      return;
    }
    if (row.stored && isUnchanged(row.stored, result.record, input.tolerance)) {
      counts.unchanged += 1;
      return;
    }
    // The record is this row's own (scoreBatch makes it): the input is added to it, not to a copy.
    const record: StoredScore = result.record;
    record.input = encodeInput(result.input);
    writes.push(record);
  });
  await pool(writes, ports.writeConcurrency, async (record) => {
    await ports.pace?.();
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
    // Each item is one line of a table export data file, read by the map (LOAD_AND_FLATTEN).
    await scoreChunk(event.Items.map((item) => snapshotRow(item, ports.parseSnapshotItem(item, REFRESH_READS))), input, ports, counts, rejected);
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
