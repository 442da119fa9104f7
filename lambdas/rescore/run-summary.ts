// The end of a registry run: read what the Distributed Map's result writer kept (manifest.json and
// its SUCCEEDED_n / FAILED_n files), add up the batches' counts, and write one summary beside them.
// A batch that failed all its retries counts its rows (backfill) or files (refresh) as failed.
import { emptyCounts, type BatchCounts, type RunMode } from './rescore-batch';

export interface SummarizeRequest {
  runId: string;
  mode: RunMode;
  scoringDate: string;
  startedAt: string;
  modelVersion?: string;
  /** The map state's output: `{ MapRunArn, ResultWriterDetails: { Bucket, Key } }`. */
  mapRun: { MapRunArn?: string; ResultWriterDetails: { Bucket: string; Key: string } };
}

export interface RunSummary {
  runId: string;
  mode: RunMode;
  scoringDate: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  rows: number;
  scored: number;
  unchanged: number;
  stale: number;
  rejected: number;
  failed: number;
  failedBatches: number;
  rejectedByRule: Record<string, number>;
  /** Where rejected rows, failed batches and this summary are. */
  locations: { rejected: string | null; results: string; summary: string };
  mapRunArn: string | null;
}

interface ResultEntry {
  Status?: string;
  Input?: string;
  Output?: string;
  Error?: string;
  Cause?: string;
}

interface ResultManifest {
  ResultFiles?: { SUCCEEDED?: { Key: string }[]; FAILED?: { Key: string }[]; PENDING?: { Key: string }[] };
}

export interface SummaryPorts {
  getJson: (bucket: string, key: string) => Promise<unknown>;
  putJson: (bucket: string, key: string, value: unknown) => Promise<void>;
  now: () => Date;
}

/** A result writer record (Transformation NONE, and every failed child): it carries its Status. */
const isRecord = (entry: unknown): entry is ResultEntry & { Status: string } => typeof (entry as { Status?: unknown } | null)?.Status === 'string';

export const summaryKey = (runId: string) => `runs/${runId}/summary.json`;
export const rejectedPrefix = (runId: string) => `runs/${runId}/rejected/`;
export const resultsPrefix = (runId: string) => `runs/${runId}/results`;

export async function summarizeRun(request: SummarizeRequest, ports: SummaryPorts): Promise<RunSummary> {
  const { Bucket, Key } = request.mapRun.ResultWriterDetails;
  const manifest = (await ports.getJson(Bucket, Key)) as ResultManifest;
  const total: BatchCounts = emptyCounts();
  let failed = 0;
  let failedBatches = 0;
  for (const file of manifest.ResultFiles?.SUCCEEDED ?? []) {
    for (const entry of (await ports.getJson(Bucket, file.Key)) as (ResultEntry | Partial<BatchCounts>)[]) {
      // COMPACT (the stack's writer): each entry is a batch's output itself; NONE: a record with Output as a string.
      const counts = (isRecord(entry) ? JSON.parse(entry.Output ?? '{}') : entry) as Partial<BatchCounts>;
      for (const k of ['rows', 'scored', 'unchanged', 'stale', 'rejected'] as const) total[k] += counts[k] ?? 0;
      for (const [rule, n] of Object.entries(counts.rejectedByRule ?? {})) total.rejectedByRule[rule] = (total.rejectedByRule[rule] ?? 0) + n;
    }
  }
  for (const file of [...(manifest.ResultFiles?.FAILED ?? []), ...(manifest.ResultFiles?.PENDING ?? [])]) {
    for (const entry of (await ports.getJson(Bucket, file.Key)) as ResultEntry[]) {
      failedBatches += 1;
      let items = 1;
      try {
        items = ((JSON.parse(entry.Input ?? '{}') as { Items?: unknown[] }).Items ?? [undefined]).length;
      } catch {
        // An unreadable input still counts as one failed item.
      }
      failed += items;
    }
  }
  const finished = ports.now();
  const summary: RunSummary = {
    runId: request.runId,
    mode: request.mode,
    scoringDate: request.scoringDate,
    startedAt: request.startedAt,
    finishedAt: finished.toISOString(),
    seconds: Math.max(0, Math.round((finished.getTime() - Date.parse(request.startedAt)) / 100) / 10),
    rows: total.rows + failed,
    scored: total.scored,
    unchanged: total.unchanged,
    stale: total.stale,
    rejected: total.rejected,
    failed,
    failedBatches,
    rejectedByRule: total.rejectedByRule,
    locations: {
      rejected: total.rejected ? `s3://${Bucket}/${rejectedPrefix(request.runId)}` : null,
      results: `s3://${Bucket}/${Key}`,
      summary: `s3://${Bucket}/${summaryKey(request.runId)}`,
    },
    mapRunArn: request.mapRun.MapRunArn ?? null,
  };
  await ports.putJson(Bucket, summaryKey(request.runId), summary);
  return summary;
}
