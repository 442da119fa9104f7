// `drs export-training`: the prediction log (outcome table, on AWS or the local twin) as training
// data, one JSON line per closed request whose features are those of the donor record as it stood
// before the request. Requests without such a record are counted, not written. No donor id is
// written: training needs the features and the outcome, not who the donor is.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { readTwinSession } from '../twin/twin-session';
import { fail, progressBar } from './terminal';

export interface ExportTrainingOptions {
  table?: string;
  twin?: string | boolean;
  out: string;
  json: boolean;
}

export interface TrainingRow {
  requestId: string;
  requestedAt: string;
  outcome: 'available' | 'unavailable';
  reason: string | null;
  prediction: { score: number; band: string; modelVersion: string; modelSha256: string; scoringDate: string; features: Record<string, number> };
}

/** A prediction-log item as a training row, or why it cannot be one. */
export function toTrainingRow(item: Record<string, any>): { row: TrainingRow } | { skipped: string } {
  if (item.predictionStatus !== 'scored-before-request' || !item.prediction?.features) return { skipped: String(item.predictionStatus ?? 'no prediction') };
  const p = item.prediction;
  return {
    row: {
      requestId: item.requestId,
      requestedAt: item.requestedAt,
      outcome: item.outcome,
      reason: item.reason ?? null,
      prediction: { score: p.score, band: p.band, modelVersion: p.modelVersion, modelSha256: p.modelSha256, scoringDate: p.scoringDate, features: p.features },
    },
  };
}

function client(options: ExportTrainingOptions): DynamoDBClient {
  if (!options.twin) return new DynamoDBClient({});
  const workDir = resolve(typeof options.twin === 'string' ? options.twin : '.drs');
  const session = readTwinSession(workDir);
  return new DynamoDBClient({
    region: session.env.AWS_REGION,
    endpoint: session.env.AWS_ENDPOINT_URL_DYNAMODB,
    credentials: { accessKeyId: session.env.AWS_ACCESS_KEY_ID, secretAccessKey: session.env.AWS_SECRET_ACCESS_KEY },
  });
}

async function outcomeTable(dynamodb: DynamoDBClient, given?: string): Promise<string> {
  if (given) return given;
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await dynamodb.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  const found = names.filter((n) => n.includes('OutcomeLogTable'));
  if (found.length !== 1) throw new Error(`found ${found.length} outcome tables (${found.join(', ') || 'none'}): pass --table (stack output OutcomeTableName)`);
  return found[0];
}

export async function runExportTraining(options: ExportTrainingOptions): Promise<void> {
  // The SDK warns once per process that Node 20 support ends in 2027 (Lambda runs Node 22): keep
  // stderr for what the user must read, as npm start does.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (!`${w.name} ${w.message}`.includes('NodeVersionSupportWarning')) process.stderr.write(`${w.name}: ${w.message}\n`);
  });
  try {
    const dynamodb = client(options);
    const table = await outcomeTable(dynamodb, options.table);
    const documents = DynamoDBDocumentClient.from(dynamodb);
    const out = options.out === '-' ? process.stdout : createWriteStream(options.out);
    const skipped: Record<string, number> = {};
    let written = 0;
    const progress = progressBar('exporting', undefined);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        const r = toTrainingRow(item);
        if ('skipped' in r) skipped[r.skipped] = (skipped[r.skipped] ?? 0) + 1;
        else if (!out.write(`${JSON.stringify(r.row)}\n`)) await once(out, 'drain');
        if ('row' in r) written++;
      }
      progress.tick(written);
      start = page.LastEvaluatedKey;
    } while (start);
    progress.stop();
    if (out !== process.stdout) {
      out.end();
      await once(out, 'finish');
    }
    const summary = { table, written, skipped };
    const report = options.json
      ? JSON.stringify(summary)
      : `wrote ${written} training rows from ${table}${Object.keys(skipped).length ? `; skipped ${Object.entries(skipped).map(([k, n]) => `${n} ${k}`).join(', ')}` : ''}`;
    (options.out === '-' ? process.stderr : process.stdout).write(`${report}\n`);
  } catch (error) {
    fail((error as Error).message);
  }
}
