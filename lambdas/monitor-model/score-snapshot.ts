// The registry refresh's snapshot of the score table (a DynamoDB export to S3 made at the start of
// each daily refresh: snapshots/<run id>/AWSDynamoDB/<export id>/manifest-summary.json,
// manifest-files.json and data/*.json.gz), read by the monitoring run instead of scanning the table:
// no read capacity, every stored score, one consistent moment. Only a completed export has a
// manifest-summary.json, so the newest summary is the latest completed export.
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { listObjects, parseExportItem, readObjectLines } from '../rescore/s3-ports';

export const SNAPSHOT_PREFIX = 'snapshots/';

export interface SnapshotObject {
  key: string;
  lastModified: Date;
}

export interface ScoreSnapshot {
  bucket: string;
  /** The export's manifest-summary.json key. */
  summaryKey: string;
  /** The moment the export stands at (its exportTime). */
  exportTime: string;
  itemCount: number | null;
  /** Every data file of the export, with its item count when the manifest gives one. */
  files: DataFile[];
}

export interface DataFile {
  key: string;
  itemCount: number | null;
}

/** The newest manifest-summary.json among listed snapshot objects, or undefined. */
export function newestExportSummary(objects: readonly SnapshotObject[]): SnapshotObject | undefined {
  let newest: SnapshotObject | undefined;
  for (const o of objects) {
    if (!/^snapshots\/[^/]+\/AWSDynamoDB\/[^/]+\/manifest-summary\.json$/.test(o.key)) continue;
    if (!newest || o.lastModified > newest.lastModified) newest = o;
  }
  return newest;
}

/** The data files of manifest-files.json (one JSON object a line, each with dataFileS3Key and itemCount). */
export function dataFiles(manifestFiles: string): DataFile[] {
  return manifestFiles
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const entry = JSON.parse(line) as { dataFileS3Key?: unknown; itemCount?: unknown };
      if (typeof entry.dataFileS3Key !== 'string') throw new Error(`manifest-files.json line ${i + 1} has no dataFileS3Key: not a DynamoDB export manifest`);
      return { key: entry.dataFileS3Key, itemCount: typeof entry.itemCount === 'number' ? entry.itemCount : null };
    });
}

/**
 * The data files to read for at most about `maxRows` rows: all of them when they hold no more, else
 * a random subset. An export spreads items over its files by the hash of their key, so a random
 * subset of files is a uniform sample of donors (as a random subset of scan segments is).
 */
export function chooseDataFiles(files: readonly DataFile[], maxRows: number, random: () => number = Math.random): DataFile[] {
  const total = files.reduce((s, f) => s + (f.itemCount ?? 0), 0);
  if (files.some((f) => f.itemCount === null) || total <= maxRows) return [...files];
  const shuffled = [...files];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
  }
  const chosen: DataFile[] = [];
  let rows = 0;
  for (const f of shuffled) {
    if (rows >= maxRows) break;
    chosen.push(f);
    rows += f.itemCount ?? 0;
  }
  return chosen;
}

async function text(s3: S3Client, bucket: string, key: string): Promise<string> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return object.Body!.transformToString('utf8');
}

/**
 * The latest completed export of `tableName` in `bucket`, if it stands at most `maxAgeHours` before
 * `now`; otherwise why not (the caller falls back to reading the table and says so).
 */
export async function latestScoreSnapshot(
  s3: S3Client,
  bucket: string,
  tableName: string,
  now: Date,
  maxAgeHours: number,
): Promise<{ snapshot: ScoreSnapshot } | { snapshot: null; reason: string }> {
  const objects: SnapshotObject[] = await listObjects(s3, bucket, SNAPSHOT_PREFIX);
  const newest = newestExportSummary(objects);
  if (!newest) return { snapshot: null, reason: 'no completed snapshot of the score table yet (the daily refresh makes one)' };
  const summary = JSON.parse(await text(s3, bucket, newest.key)) as { exportTime?: string; tableArn?: string; itemCount?: number; manifestFilesS3Key?: string };
  if (typeof summary.tableArn === 'string' && !summary.tableArn.endsWith(`:table/${tableName}`)) {
    return { snapshot: null, reason: `the newest snapshot is of another table (${summary.tableArn.split(':table/')[1]})` };
  }
  const exportTime = summary.exportTime ?? newest.lastModified.toISOString();
  const ageHours = (now.getTime() - Date.parse(exportTime)) / 3_600_000;
  if (!(ageHours <= maxAgeHours)) {
    return { snapshot: null, reason: `the newest snapshot (${exportTime}) is older than ${maxAgeHours} hours: the daily refresh has not run` };
  }
  const manifestFilesKey = summary.manifestFilesS3Key ?? newest.key.replace(/manifest-summary\.json$/, 'manifest-files.json');
  return {
    snapshot: {
      bucket,
      summaryKey: newest.key,
      exportTime,
      itemCount: typeof summary.itemCount === 'number' ? summary.itemCount : null,
      files: dataFiles(await text(s3, bucket, manifestFilesKey)),
    },
  };
}

/** Every item of these data files of the snapshot, unmarshalled, one file after another. */
export async function* snapshotItems(s3: S3Client, snapshot: ScoreSnapshot, files: readonly DataFile[] = snapshot.files): AsyncIterable<Record<string, unknown>> {
  for (const file of files) {
    for await (const line of readObjectLines(s3, snapshot.bucket, file.key)) {
      if (line.trim()) yield parseExportItem(JSON.parse(line));
    }
  }
}
