// The registry run's figures: the batch function's core in rows/s per core beside its floor, for a
// backfill and a refresh (bench/rescore-floor.ts: ORT on the same batches + building and serialising
// each row's write, same rows, same run), the stored item's size by
// DynamoDB's rules, the share of donors a daily refresh writes over a simulated year, a local
// backfill end to end (streamed, with its peak memory), and the 9 M / 42 M projections with their
// arithmetic from those measurements and the list prices in cost-model.ts (PRICES).
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { marshall } from '@aws-sdk/util-dynamodb';
import { loadLocalModel } from '../cli/local-model';
import { progressBar } from '../cli/terminal';
import { dayToIsoDate, isoDateToDay } from '../lambdas/core/calendar';
import { unwrapDetail } from '../lambdas/core/event-input';
import { scoreBatch } from '../lambdas/core/score-batch';
import type { ScoreRecord } from '../lambdas/core/score-record';
import { encodeInput } from '../lambdas/core/stored-input';
import { isUnchanged } from '../lambdas/rescore/unchanged';
import { PIPELINE_CONTEXT } from '../lib/pipeline-config';
import { ROWS_PER_BATCH, SNAPSHOT_ROWS_PER_BATCH, WRITES_PER_SECOND_PER_FUNCTION, mapConcurrency } from '../lib/registry-refresh';
import { generateRegistry } from '../model/synthetic-registry';
import { runRegistryRun } from '../twin/registry-run';
import { withHandlerLogsDropped } from '../twin/local-function';
import type { SynthesizedPipeline } from '../twin/synthesize';
import { PRICES, registryRunCost, type RegistryRunCost } from './cost-model';
import { measureRescoreModes, type RescoreRate } from './rescore-floor';
import { itemBytes, writeUnits } from './item-size';

/** The stack's defaults (lib/pipeline-config.ts): the run's pace, the table's warm throughput, the architecture. */
const DEFAULTS = PIPELINE_CONTEXT.parse({});
/** The batch function's memory (lib/registry-refresh.ts): one full vCPU. */
const BATCH_MEMORY_MIB = 1769;

export interface RegistryBenchResult {
  /** The batch function's core on backfill batches (export rows), and on refresh batches (table export lines). */
  batch: RescoreRate;
  refreshBatch: RescoreRate;
  /** CPU microseconds per write of the SDK's send, which the core's figures leave out (bench/rescore-floor.ts). */
  sdkSendCpuMicros: number;
  item: { sample: number; meanBytes: number; maxBytes: number; over1Kb: number; meanWriteUnits: number; snapshotLineBytes: number; exportRowBytes: number; gzipRatio: number };
  yearShareWritten: { donors: number; days: number; tolerance: number; meanShare: number; p95Share: number };
  localBackfill?: { rows: number; seconds: number; rowsPerSecond: number; steadyRowsPerSecond: number; peakRssMiB: number; endpointsPeakRssMiB: number; gzipBytes: number };
  pace: { writesPerSecond: number; warmWritesPerSecond: number; perFunction: number; functions: number; architecture: 'x86_64' | 'arm64' };
  projections: RegistryRunCost[];
}

function* registryLines(asOf: string, seed = 13): Generator<string> {
  for (const row of generateRegistry({ seed, asOf, baseRate: 0.55 })) yield JSON.stringify(row);
}

function rowsFor(n: number, asOf: string): string[] {
  const out: string[] = [];
  for (const line of registryLines(asOf)) {
    out.push(line);
    if (out.length === n) break;
  }
  return out;
}

/** The stored items as the table holds them (an event's UUID as sourceEventId), sized by DynamoDB's rules. */
export async function measureItems(lines: string[], scoringDate: string): Promise<{ item: RegistryBenchResult['item']; snapshotLines: string[] }> {
  const model = await loadLocalModel();
  const results = await scoreBatch(lines.map((l) => unwrapDetail(JSON.parse(l))), model, scoringDate, new Date().toISOString());
  const sizes: number[] = [];
  const snapshotLines: string[] = [];
  for (const r of results) {
    if (!r.ok) continue;
    const item = marshall({ ...r.record, sourceEventId: randomUUID(), input: encodeInput(r.input) }, { removeUndefinedValues: true });
    sizes.push(itemBytes(item));
    snapshotLines.push(JSON.stringify({ Item: item }));
  }
  const raw = snapshotLines.join('\n') + '\n';
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    item: {
      sample: sizes.length,
      meanBytes: Math.round(mean(sizes)),
      maxBytes: Math.max(...sizes),
      over1Kb: sizes.filter((s) => s > 1024).length,
      meanWriteUnits: Math.round(mean(sizes.map(writeUnits)) * 1000) / 1000,
      snapshotLineBytes: Math.round(Buffer.byteLength(raw) / snapshotLines.length),
      exportRowBytes: Math.round(mean(lines.map((l) => Buffer.byteLength(l) + 1))),
      gzipRatio: Math.round((gzipSync(raw).length / Buffer.byteLength(raw)) * 1000) / 1000,
    },
    snapshotLines,
  };
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

/** Resident memory of the processes this one started (the local endpoints), from /proc; 0 where there is no /proc. */
function childrenRss(): number {
  let total = 0;
  try {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== process.pid) continue;
        total += Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        // The process ended while being read.
      }
    }
  } catch {
    return 0;
  }
  return total;
}

type LocalBackfill = NonNullable<RegistryBenchResult['localBackfill']>;

/**
 * A local backfill in a process of its own (bench/registry-backfill-child.ts), so its peak memory is
 * the backfill's alone, not the rows and models this benchmark held before it. Progress comes back
 * over the IPC channel.
 */
export async function localBackfill(rows: number, synthesized?: SynthesizedPipeline): Promise<LocalBackfill> {
  const dir = mkdtempSync(join(tmpdir(), 'drs-bench-backfill-'));
  const progress = progressBar('local backfill rows', rows);
  try {
    const args = [join(__dirname, 'registry-backfill-child.ts'), String(rows)];
    if (synthesized) {
      writeFileSync(join(dir, 'synthesized.json'), JSON.stringify(synthesized));
      args.push(join(dir, 'synthesized.json'));
    }
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: join(__dirname, '..'), env: { ...process.env, TSX_DISABLE_CACHE: '1' }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    child.on('message', (m: { done?: number }) => m.done !== undefined && progress.tick(m.done));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`the local backfill of ${rows} rows failed (exit ${code}): ${err.trim()}`);
    return JSON.parse(out.trim().split('\n').pop()!) as LocalBackfill;
  } finally {
    progress.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A gzip registry export of `rows` donors, written as it is generated (never whole in memory), backfilled on the twin in this process. */
export async function localBackfillInProcess(rows: number, synthesized?: SynthesizedPipeline, onDone?: (rows: number) => void): Promise<LocalBackfill> {
  const dir = mkdtempSync(join(tmpdir(), 'drs-bench-registry-'));
  try {
    const file = join(dir, 'export.jsonl.gz');
    await pipeline(
      Readable.from(
        (function* () {
          let n = 0;
          for (const line of registryLines('2026-06-01', 21)) {
            yield `${line}\n`;
            if (++n === rows) return;
          }
        })(),
      ),
      createGzip(),
      createWriteStream(file),
    );
    const gzipBytes = readFileSync(file).length;
    let peak = process.memoryUsage().rss;
    let endpointsPeak = childrenRss();
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
      endpointsPeak = Math.max(endpointsPeak, childrenRss());
    }, 500);
    const t = performance.now();
    // The steady rate: from the first batch done to the last (setup and synth left out).
    let first: [number, number] | undefined;
    let last: [number, number] = [0, t];
    const onProgress = (n: number) => {
      onDone?.(n);
      first ??= [n, performance.now()];
      last = [n, performance.now()];
    };
    try {
      const run = await withHandlerLogsDropped(() => runRegistryRun({ mode: 'backfill', file, asOf: '2026-06-01', workDir: join(dir, 'work'), alertEmails: 'a@example.org', synthesized, onProgress }));
      const seconds = (performance.now() - t) / 1000;
      await run.endpoints.stop();
      if (run.summary.status !== 'SUCCEEDED' || run.summary.scored !== rows) throw new Error(`the local backfill ended ${run.summary.status} with ${run.summary.scored} of ${rows} rows scored: ${run.summary.error ?? ""}`);
      const steady = first && last[1] > first[1] ? (last[0] - first[0]) / ((last[1] - first[1]) / 1000) : rows / seconds;
      return { rows, seconds: Math.round(seconds * 10) / 10, rowsPerSecond: Math.round(rows / seconds), steadyRowsPerSecond: Math.round(steady), peakRssMiB: Math.round(peak / 2 ** 20), endpointsPeakRssMiB: Math.round(endpointsPeak / 2 ** 20), gzipBytes };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function projections(r: Omit<RegistryBenchResult, 'projections'>): RegistryRunCost[] {
  const common = {
    itemBytes: r.item.meanBytes,
    writeUnitsPerWrite: r.item.meanWriteUnits,
    gzipRatio: r.item.gzipRatio,
    writesPerSecondPerFunction: r.pace.perFunction,
    memoryMiB: BATCH_MEMORY_MIB,
    architecture: r.pace.architecture,
  };
  // Each run at its own core's rate: a refresh reads stored items back, a backfill export rows.
  const refresh = { ...common, rowsPerSecondPerCore: r.refreshBatch.rowsPerSecond, lineBytes: r.item.snapshotLineBytes, rowsPerBatch: SNAPSHOT_ROWS_PER_BATCH };
  const backfill = { ...common, rowsPerSecondPerCore: r.batch.rowsPerSecond, lineBytes: r.item.exportRowBytes, rowsPerBatch: ROWS_PER_BATCH, kind: 'backfill' as const, writtenShare: 1 };
  const runs = (donors: number, writesPerSecond: number) => [
    registryRunCost({ ...refresh, kind: 'full refresh', donors, writtenShare: 1, writesPerSecond }),
    registryRunCost({ ...refresh, kind: 'daily refresh', donors, writtenShare: r.yearShareWritten.meanShare, writesPerSecond }),
    registryRunCost({ ...backfill, donors, writesPerSecond }),
  ];
  // 42 M at the 9 M pace, and at the highest pace one table allows by default (40,000 write units/s
  // per table: refreshWritesPerSecond 32,000 under a 36,000 warm table).
  return [...runs(9_000_000, r.pace.writesPerSecond), ...runs(42_000_000, r.pace.writesPerSecond), registryRunCost({ ...refresh, kind: 'full refresh', donors: 42_000_000, writtenShare: 1, writesPerSecond: 32_000 })];
}

export async function runRegistryBench(options: { rows: number; yearDonors: number; backfillRows: number; synthesized?: SynthesizedPipeline }): Promise<RegistryBenchResult> {
  const lines = rowsFor(options.rows, '2026-06-01');
  // A refresh a year after the backfill (tolerance 0): every score has moved, every row is written.
  const modes = await measureRescoreModes(lines, await loadLocalModel(), '2026-06-01', '2027-06-01');
  const { item } = await measureItems(lines.slice(0, 20_000), '2026-06-01');
  const yearShareWritten = await simulateYear(options.yearDonors, 365, DEFAULTS.refreshTolerance);
  const localRun = options.backfillRows > 0 ? await localBackfill(options.backfillRows, options.synthesized) : undefined;
  const pace = { writesPerSecond: DEFAULTS.refreshWritesPerSecond, warmWritesPerSecond: DEFAULTS.tableWarmWritesPerSecond, perFunction: WRITES_PER_SECOND_PER_FUNCTION, functions: mapConcurrency(DEFAULTS.refreshWritesPerSecond), architecture: DEFAULTS.architecture };
  const result = { batch: modes.backfill, refreshBatch: modes.refresh, sdkSendCpuMicros: modes.sdkSendCpuMicros, item, yearShareWritten, localBackfill: localRun, pace };
  return { ...result, projections: projections(result) };
}

const TARGETS: Record<string, { minutes?: number; dollars: number }> = { 'full refresh': { minutes: 30, dollars: 10 }, 'daily refresh': { dollars: 3 } };

export function registryMarkdown(r: RegistryBenchResult): string {
  const verdict = (p: RegistryRunCost) => {
    const t = p.donors === 9_000_000 ? TARGETS[p.kind] : undefined;
    // The execution's timeout (lib/registry-refresh.ts: 6 h) bounds a run; the map reads its source itself, so nothing else runs alone for long.
    if (p.minutes > 360) return `CANNOT RUN: ${p.minutes} min > the execution's 6 h timeout`;
    if (!t) return 'runs: within the 6 h execution timeout, no step alone past 15 min';
    const ok = (t.minutes === undefined || p.minutes <= t.minutes) && p.dollars.total <= t.dollars;
    return `${ok ? 'meets' : 'MISSES'} ${t.minutes ? `<= ${t.minutes} min, ` : ''}<= $${t.dollars}`;
  };
  return [
    '## Registry runs (backfill, daily refresh, model change)',
    '',
    '| measure | engine | floor | ratio |',
    '| --- | --- | --- | --- |',
    rescoreLine('backfill', r.batch, `batches of ${ROWS_PER_BATCH} export rows`, ''),
    rescoreLine('refresh', r.refreshBatch, `batches of ${SNAPSHOT_ROWS_PER_BATCH} table export lines, a year later: every row written`, ' + the attributes a refresh reads back'),
    ...(r.localBackfill ? [localBackfillLine(r.localBackfill)] : []),
    '',
    `The batch function's core: rescoreBatch with the handler's store and rejected-row sink over clients that build their request and stop short of the network (bench/rescore-floor.ts). ` +
      `Its floor: ORT on the same batches' feature rows + each written row's PutItem built from its values and serialised + each rejected row's kept line (a refresh's also reads back the nine attributes it cannot do without). ` +
      `The projections use the wall-clock rates. Left out of both: the SDK's send of each write, ${r.sdkSendCpuMicros} µs CPU per write here, which runs inside the write pace's slots (${Math.round(1e6 / r.pace.perFunction)} µs a write per function).`,
    `Stored item (score record + compact input, an event's UUID as sourceEventId), by DynamoDB's size rules over ${r.item.sample} synthetic donors: mean ${r.item.meanBytes} B, max ${r.item.maxBytes} B, ` +
      `${r.item.over1Kb} over 1 KB: ${r.item.meanWriteUnits} write units per write. A snapshot line (DynamoDB JSON) is ${r.item.snapshotLineBytes} B, gzip ${Math.round(r.item.gzipRatio * 100)}% of it; an export row ${r.item.exportRowBytes} B.`,
    `Daily refresh over a simulated year of ${r.yearShareWritten.donors} synthetic donors with the default tolerance ${r.yearShareWritten.tolerance}: ` +
      `${Math.round(r.yearShareWritten.meanShare * 1000) / 10}% written per day on average (p95 ${Math.round(r.yearShareWritten.p95Share * 1000) / 10}%).`,
    "No step before the map: its item reader reads the source itself (one export file as source.key, `.gz` decompressed by Step Functions; a split export's files or the table export's gzip data files listed and read with LOAD_AND_FLATTEN), at most 10 GB per file, so no single function has to stream the registry.",
    `Pace: refreshWritesPerSecond ${r.pace.writesPerSecond} = ${r.pace.functions} functions x ${r.pace.perFunction} writes/s (each function's write pacer), under the table's pre-warmed ${r.pace.warmWritesPerSecond} write units/s (tableWarmWritesPerSecond): ${r.pace.warmWritesPerSecond - r.pace.writesPerSecond} units/s stay free for live scoring. Lambda ${r.pace.architecture}, ${BATCH_MEMORY_MIB} MB.`,
    '',
    '| donors | run | time | source files (<= 10 GB) | DynamoDB writes | export | Lambda | Step Functions | S3 | logs | total | target |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.projections.map(
      (p) =>
        `| ${p.donors.toLocaleString('en-US')} | ${p.kind}${p.functions !== r.pace.functions ? ` at ${p.tableWriteUnitsPerSecond} WRU/s` : ''} | ${p.minutes} min | ${p.kind === 'backfill' ? p.sourceFiles : 'export data files'} | $${p.dollars.dynamodbWrites} | $${p.dollars.dynamodbExport} | $${p.dollars.lambda} | $${p.dollars.stepFunctions} | $${p.dollars.s3} | $${p.dollars.logs} | $${p.dollars.total} | ${verdict(p)} |`,
    ),
    '',
    'Not in these figures: the table export\'s own duration before the refresh starts (AWS publishes none; the run waits for it in one-minute steps), and the one-time charge for raising the table\'s warm throughput (DynamoDB pricing page; paid once, not per run).',
    '',
    ...r.projections.flatMap((p) => [`Arithmetic, ${p.donors.toLocaleString('en-US')} donors, ${p.kind} (${p.functions} functions):`, ...p.arithmetic.map((a) => `- ${a}`), '']),
    `List prices (us-east-1, as of ${PRICES.asOf}, bench/cost-model.ts): DynamoDB $${PRICES.dynamoDbPerMillionWriteUnits}/M write units, export $${PRICES.dynamoDbExportPerGb}/GB; Lambda $${PRICES.lambdaGbSecondX86}/GB-s x86_64, $${PRICES.lambdaGbSecondArm}/GB-s arm64, $${PRICES.lambdaPerMillionRequests}/M requests; ` +
      `Step Functions Express $${PRICES.expressPerMillionRequests}/M requests + $${PRICES.expressGbSecond}/GB-s, Standard $${PRICES.stepFunctionsPerThousandTransitions}/1,000 transitions; S3 $${PRICES.s3PutPerThousand}/1,000 PUT, $${PRICES.s3GetPerThousand}/1,000 GET, $${PRICES.s3StandardPerGbMonth}/GB-month; CloudWatch Logs $${PRICES.logIngestionPerGb}/GB ingested.`,
  ].join('\n');
}

/** A batch core's row of the registry table: rows/s by the wall clock and per CPU second, beside its floor. */
function rescoreLine(mode: string, b: RescoreRate, what: string, floorAlso: string): string {
  return `| ${mode} batch core, 1 core (${b.rows} rows in ${what}: validate, features, ORT, reasons, record, write request) | ${b.rowsPerSecond} rows/s (${b.rowsPerCpuSecond} per CPU s) | ${b.floorRowsPerSecond} rows/s (${b.floorRowsPerCpuSecond} per CPU s): ORT on the same batches + each row's write request built and serialised${floorAlso} | ${b.ratio}x slower (CPU ${b.cpuRatio}x) |`;
}

/** Replaces the registry section of RESULTS.md (everything from its heading on) with `section`. */
export function withRegistrySection(results: string, section: string): string {
  const at = results.indexOf('## Registry runs');
  return `${(at < 0 ? results : results.slice(0, at)).replace(/\s*$/, '\n\n')}${section}\n`;
}

/** The local backfill's table row, as registryMarkdown writes it. */
export function localBackfillLine(b: LocalBackfill): string {
  const mib = (x: number) => (x / 2 ** 20).toFixed(0);
  return (
    `| local backfill end to end (twin, own process: gzip export ${mib(b.gzipBytes)} MiB read by the map's item reader, state machine, map, batch function, dynalite) | ` +
    `${b.rows.toLocaleString('en-US')} rows in ${b.seconds} s with setup (${b.rowsPerSecond} rows/s), ${b.steadyRowsPerSecond} rows/s once batches flow; ` +
    `peak RSS ${b.peakRssMiB} MiB (twin), ${b.endpointsPeakRssMiB} MiB (local endpoints, which hold S3 in memory) | | |`
  );
}

/** What `--out FILE` keeps: the local backfill's line (a long run's, e.g. 1,000,000 rows) beside RESULTS.md's own. */
export function localBackfillFile(b: LocalBackfill, when: Date): string {
  return [`## Local backfill of ${b.rows.toLocaleString('en-US')} rows (${when.toISOString().slice(0, 10)}, bench/registry-bench.ts --backfill-rows ${b.rows})`, '', '| measure | engine | floor | ratio |', '| --- | --- | --- | --- |', localBackfillLine(b), '', `\`\`\`json\n${JSON.stringify(b)}\n\`\`\``, ''].join('\n');
}

if (require.main === module) {
  // The SDK warns once per process that Node 20 support ends in 2027 (the send's measure makes a client); Lambda runs Node 22.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (!`${w.name} ${w.message}`.includes('NodeVersionSupportWarning')) process.stderr.write(`${w.name}: ${w.message}\n`);
  });
  const quick = process.argv.includes('--quick');
  const option = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  // 1,000,000 rows would take about two hours here (dynalite writes ~150 rows/s on this machine):
  // the full run measures 100,000 and RESULTS.md says so; --backfill-rows 1000000 --out FILE runs
  // the whole million and keeps its line in FILE, leaving RESULTS.md to the full run's figures.
  const backfillRows = option('--backfill-rows') !== undefined ? Number(option('--backfill-rows')) : quick ? 5000 : 100_000;
  const out = option('--out');
  if (!Number.isInteger(backfillRows) || backfillRows < 0) {
    process.stderr.write('bench: --backfill-rows needs a whole number of rows (0 skips the local backfill)\n');
    process.exit(2);
  }
  if (out !== undefined && (out.startsWith('--') || backfillRows === 0)) {
    process.stderr.write('bench: --out FILE keeps the local backfill line: give a file, and --backfill-rows above 0\n');
    process.exit(2);
  }
  runRegistryBench({ rows: quick ? 20_000 : 200_000, yearDonors: quick ? 300 : 1000, backfillRows })
    .then((r) => {
      const section = registryMarkdown(r);
      if (out !== undefined) {
        writeFileSync(out, localBackfillFile(r.localBackfill!, new Date()));
      } else if (!quick && !process.argv.includes('--no-write')) {
        // A full run keeps its figures in RESULTS.md; a quick one only prints them.
        const file = join(__dirname, 'RESULTS.md');
        writeFileSync(file, withRegistrySection(readFileSync(file, 'utf8'), section));
      }
      process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(r) : section}\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`bench: ${(e as Error).message}\n`);
      process.exit(1);
    });
}
