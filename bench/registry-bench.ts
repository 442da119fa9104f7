// The registry run's figures: the batch engine's rows/s per core beside its floor (JSON parse + ORT
// on the same batches + serialising the records, same rows, same run), the share of donors a daily
// refresh writes over a simulated year, a local backfill end to end, and the 9 M / 42 M projections
// with their arithmetic from those measurements and stated list prices.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalModel } from '../cli/local-model';
import { dayToIsoDate, isoDateToDay } from '../lambdas/core/calendar';
import { unwrapDetail } from '../lambdas/core/event-input';
import { scoreBatch } from '../lambdas/core/score-batch';
import { floorSeconds } from './batch-floor';
import type { ScoreRecord } from '../lambdas/core/score-record';
import { isUnchanged } from '../lambdas/rescore/unchanged';
import { ROWS_PER_BATCH, WRITES_PER_SECOND_PER_FUNCTION, mapConcurrency } from '../lib/registry-refresh';
import { generateRegistry } from '../model/synthetic-registry';
import { runRegistryRun } from '../twin/registry-run';
import { withHandlerLogsDropped } from '../twin/local-function';
import type { SynthesizedPipeline } from '../twin/synthesize';

/** List prices, us-east-1, as published on 2026-11-01 (on-demand DynamoDB after the Nov 2024 cut). */
export const PRICES = {
  dynamoWriteRequestUnitPerMillion: 0.625,
  dynamoExportPerGb: 0.1,
  lambdaGbSecond: 0.0000166667,
  lambdaRequestPerMillion: 0.2,
  stepFunctionsTransitionPerThousand: 0.025,
  s3PutPerThousand: 0.005,
};

export interface RegistryBenchResult {
  batch: { rows: number; rowsPerSecond: number; floorRowsPerSecond: number; ratio: number };
  itemBytes: number;
  yearShareWritten: { donors: number; days: number; tolerance: number; meanShare: number; p95Share: number };
  localBackfill?: { rows: number; seconds: number; rowsPerSecond: number };
  projections: { donors: number; fullMinutes: number; fullDollars: number; dailyDollars: number; arithmetic: string[] }[];
}

function rowsFor(n: number, asOf: string): string[] {
  const out: string[] = [];
  for (const row of generateRegistry({ seed: 13, asOf, baseRate: 0.55 })) {
    out.push(JSON.stringify(row));
    if (out.length === n) break;
  }
  return out;
}

export async function measureBatch(lines: string[], scoringDate: string): Promise<RegistryBenchResult['batch'] & { itemBytes: number }> {
  const model = await loadLocalModel();
  const batch = 4096;
  // The engine: parse, validate, features, ORT, records, serialise.
  const t = performance.now();
  let itemBytes = 0;
  for (let i = 0; i < lines.length; i += batch) {
    const rows = lines.slice(i, i + batch).map((l) => unwrapDetail(JSON.parse(l)));
    const results = await scoreBatch(rows, model, scoringDate, new Date().toISOString());
    let out = '';
    for (const r of results) out += `${JSON.stringify(r.ok ? { ...r.record, input: r.input } : r.violation)}\n`;
    itemBytes = Math.max(itemBytes, out.length / results.length);
  }
  const engine = (performance.now() - t) / 1000;
  // The floor: parse the same lines, run ORT on the same-sized batches, serialise each row's real record.
  const floor = await floorSeconds(lines, model, scoringDate, batch);
  const r0 = (x: number) => Math.round(x);
  return { rows: lines.length, rowsPerSecond: r0(lines.length / engine), floorRowsPerSecond: r0(lines.length / floor), ratio: Math.round((engine / floor) * 100) / 100, itemBytes: Math.round(itemBytes) };
}

/** Day by day for a year: how many donors a refresh with `tolerance` would write (stored scores follow the writes). */
export async function simulateYear(donors: number, days: number, tolerance: number, start = '2026-01-01'): Promise<RegistryBenchResult['yearShareWritten']> {
  const model = await loadLocalModel();
  const rows = rowsFor(donors, start).map((l) => unwrapDetail(JSON.parse(l)));
  const stored = new Map<string, ScoreRecord>();
  for (const r of await scoreBatch(rows, model, start, start)) if (r.ok) stored.set(r.record.donorId, r.record);
  const shares: number[] = [];
  for (let d = 1; d <= days; d++) {
    const date = dayToIsoDate(isoDateToDay(start) + d);
    let written = 0;
    let total = 0;
    for (const r of await scoreBatch(rows, model, date, date)) {
      if (!r.ok) continue;
      total += 1;
      if (!isUnchanged(stored.get(r.record.donorId), r.record, tolerance)) {
        stored.set(r.record.donorId, r.record);
        written += 1;
      }
    }
    shares.push(written / Math.max(1, total));
  }
  const sorted = [...shares].sort((a, b) => a - b);
  const mean = shares.reduce((a, b) => a + b, 0) / shares.length;
  return { donors, days, tolerance, meanShare: Math.round(mean * 1000) / 1000, p95Share: Math.round(sorted[Math.floor(0.95 * (sorted.length - 1))] * 1000) / 1000 };
}

export function project(donors: number, rowsPerSecondPerCore: number, itemBytes: number, dailyShare: number, writesPerSecond = 4000): RegistryBenchResult['projections'][number] {
  const wru = Math.ceil(itemBytes / 1024);
  const concurrency = mapConcurrency(writesPerSecond);
  const writeSeconds = (donors * wru) / writesPerSecond;
  const cpuSeconds = donors / rowsPerSecondPerCore;
  const fullSeconds = Math.max(writeSeconds, cpuSeconds / concurrency);
  const batches = Math.ceil(donors / ROWS_PER_BATCH);
  const gbSeconds = 1.769 * (cpuSeconds + writeSeconds); // the functions are billed while they wait on writes
  const lambda = gbSeconds * PRICES.lambdaGbSecond + (batches / 1e6) * PRICES.lambdaRequestPerMillion;
  const sfn = ((batches * 3) / 1000) * PRICES.stepFunctionsTransitionPerThousand;
  const exportGb = (donors * itemBytes) / 1e9;
  const exportCost = exportGb * PRICES.dynamoExportPerGb;
  const writes = (donors * wru * PRICES.dynamoWriteRequestUnitPerMillion) / 1e6;
  const full = writes + lambda + sfn + exportCost;
  const daily = writes * dailyShare + lambda + sfn + exportCost;
  const d2 = (x: number) => Math.round(x * 100) / 100;
  return {
    donors,
    fullMinutes: Math.round(fullSeconds / 6) / 10,
    fullDollars: d2(full),
    dailyDollars: d2(daily),
    arithmetic: [
      `${donors.toLocaleString('en-US')} donors x ${wru} WRU (item ${itemBytes} B) / ${writesPerSecond} WRU/s = ${Math.round(writeSeconds)} s of writes; CPU ${Math.round(cpuSeconds)} core-s / ${concurrency} functions = ${Math.round(cpuSeconds / concurrency)} s`,
      `writes ${donors.toLocaleString('en-US')} x ${wru} WRU x $${PRICES.dynamoWriteRequestUnitPerMillion}/M = $${d2(writes)}; daily x ${dailyShare} written = $${d2(writes * dailyShare)}`,
      `Lambda 1.769 GB x ${Math.round(cpuSeconds + writeSeconds)} s = ${Math.round(gbSeconds)} GB-s x $${PRICES.lambdaGbSecond} + ${batches} requests = $${d2(lambda)}`,
      `Step Functions ${batches} batches x 3 transitions x $${PRICES.stepFunctionsTransitionPerThousand}/1000 = $${d2(sfn)}; export ${d2(exportGb)} GB x $${PRICES.dynamoExportPerGb} = $${d2(exportCost)}`,
    ],
  };
}

export async function runRegistryBench(options: { rows: number; yearDonors: number; backfillRows: number; synthesized?: SynthesizedPipeline }): Promise<RegistryBenchResult> {
  const lines = rowsFor(options.rows, '2026-06-01');
  const batch = await measureBatch(lines, '2026-06-01');
  const year = await simulateYear(options.yearDonors, 365, 0.002);
  let localBackfill: RegistryBenchResult['localBackfill'];
  if (options.backfillRows > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'drs-bench-registry-'));
    try {
      const file = join(dir, 'export.jsonl');
      writeFileSync(file, rowsFor(options.backfillRows, '2026-06-01').join('\n') + '\n');
      const t = performance.now();
      const run = await withHandlerLogsDropped(() => runRegistryRun({ mode: 'backfill', file, asOf: '2026-06-01', workDir: join(dir, 'work'), alertEmails: 'a@example.org', synthesized: options.synthesized }));
      await run.endpoints.stop();
      const seconds = (performance.now() - t) / 1000;
      localBackfill = { rows: run.summary.scored, seconds: Math.round(seconds * 10) / 10, rowsPerSecond: Math.round(run.summary.scored / seconds) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const projections = [9_000_000, 42_000_000].map((n) => project(n, batch.rowsPerSecond, batch.itemBytes, year.meanShare));
  return { batch: { rows: batch.rows, rowsPerSecond: batch.rowsPerSecond, floorRowsPerSecond: batch.floorRowsPerSecond, ratio: batch.ratio }, itemBytes: batch.itemBytes, yearShareWritten: year, localBackfill, projections };
}

export function registryMarkdown(r: RegistryBenchResult): string {
  return [
    '## Registry runs (backfill, daily refresh, model change)',
    '',
    '| measure | engine | floor | ratio |',
    '| --- | --- | --- | --- |',
    `| batch scoring, 1 core (${r.batch.rows} rows: parse, validate, features, ORT, record, serialise) | ${r.batch.rowsPerSecond} rows/s | ${r.batch.floorRowsPerSecond} rows/s (parse + ORT on the same batches + serialise) | ${r.batch.ratio}x slower |`,
    ...(r.localBackfill ? [`| local backfill end to end (twin: state machine, map, batch function, dynalite) | ${r.localBackfill.rows} rows in ${r.localBackfill.seconds} s (${r.localBackfill.rowsPerSecond} rows/s) | | |`] : []),
    '',
    `Stored item (score record + kept input): ${r.itemBytes} bytes. Daily refresh over a simulated year of ${r.yearShareWritten.donors} synthetic donors with tolerance ${r.yearShareWritten.tolerance}: ` +
      `${Math.round(r.yearShareWritten.meanShare * 1000) / 10}% written per day on average (p95 ${Math.round(r.yearShareWritten.p95Share * 1000) / 10}%).`,
    '',
    '| donors | full refresh | full refresh cost | daily refresh cost |',
    '| --- | --- | --- | --- |',
    ...r.projections.map((p) => `| ${p.donors.toLocaleString('en-US')} | ${p.fullMinutes} min | $${p.fullDollars} | $${p.dailyDollars} |`),
    '',
    ...r.projections.flatMap((p) => [`Arithmetic for ${p.donors.toLocaleString('en-US')}:`, ...p.arithmetic.map((a) => `- ${a}`), '']),
    `Pace: the map runs ${mapConcurrency(4000)} batches at once for 4,000 WRU/s (refreshWritesPerSecond), ${WRITES_PER_SECOND_PER_FUNCTION} writes/s per function; prices: ${JSON.stringify(PRICES)}.`,
  ].join('\n');
}

if (require.main === module) {
  const quick = process.argv.includes('--quick');
  runRegistryBench({ rows: quick ? 20_000 : 200_000, yearDonors: quick ? 300 : 1000, backfillRows: quick ? 0 : 5000 })
    .then((r) => process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(r) : registryMarkdown(r)}\n`))
    .catch((e: unknown) => {
      process.stderr.write(`bench: ${(e as Error).message}\n`);
      process.exit(1);
    });
}
