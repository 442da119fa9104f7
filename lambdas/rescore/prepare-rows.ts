// Before the map fans a run out by rows, the rows must be one uncompressed JSON Lines object: the
// Distributed Map's S3 JSONL reader is what splits it into batches, and a gzip registry export
// (`.jsonl.gz`) or a table export (many `data/*.json.gz` files) is neither. This step streams the
// source through gunzip into snapshots/<run id>/rows.jsonl (kept 7 days, like the table export),
// line by line and never whole in memory, and counts the lines. Fanning out by rows, not by
// files, keeps each batch small whatever the export's file sizes, so the map's concurrency sets the pace.
export interface PrepareRequest {
  runId: string;
  bucket: string;
  /** A backfill: the registry export (gzip) to decompress. */
  source?: { key: string };
  /** A refresh: the table export's folder (snapshots/<run id>/AWSDynamoDB/). */
  snapshotPrefix?: string;
}

export interface PreparedRows {
  bucket: string;
  key: string;
  rows: number;
  files: number;
}

export interface PreparePorts {
  listKeys: (bucket: string, prefix: string) => Promise<string[]>;
  /** The object's lines, gunzipped when its key ends in .gz. */
  readLines: (bucket: string, key: string) => AsyncIterable<string>;
  /** Streams `lines` into one object (multipart for large ones). */
  writeLines: (bucket: string, key: string, lines: AsyncIterable<string>) => Promise<void>;
}

export const preparedRowsKey = (runId: string) => `snapshots/${runId}/rows.jsonl`;

/** A table export's data files; its manifests (manifest-summary.json, manifest-files.json) hold no items. */
const isExportDataFile = (key: string) => /\/data\/[^/]+$/.test(key);

export async function prepareRows(request: PrepareRequest, ports: PreparePorts): Promise<PreparedRows> {
  if (!/^[A-Za-z0-9._:-]{1,80}$/.test(String(request.runId))) throw new Error('prepare needs the run id (the execution name)');
  let keys: string[];
  if (request.source?.key) keys = [request.source.key];
  else if (request.snapshotPrefix) keys = (await ports.listKeys(request.bucket, request.snapshotPrefix)).filter(isExportDataFile).sort();
  else throw new Error('prepare needs source.key (a backfill export) or snapshotPrefix (a table export)');
  const key = preparedRowsKey(request.runId);
  let rows = 0;
  async function* lines(): AsyncIterable<string> {
    for (const file of keys) {
      for await (const line of ports.readLines(request.bucket, file)) {
        if (line.trim() === '') continue;
        rows += 1;
        yield `${line}\n`;
      }
    }
  }
  await ports.writeLines(request.bucket, key, lines());
  return { bucket: request.bucket, key, rows, files: keys.length };
}
