// The honest floor of batch scoring (issue 15): what no batch scorer can avoid on the same rows —
// JSON.parse of every input line, one ORT run per batch of real feature rows, and serialising each
// row's own output record to bytes with the fastest serialiser we have (the one drs score uses:
// ScoreRecordJson.write, each record's bytes straight into the output buffer).
// `drs score` is timed beside it in the same run, on the same rows, in one process (one core):
// rows/s of each and their ratio, by the wall clock and by CPU time (on a shared machine the CPU
// time is the per-core figure; the wall clock also counts the time other processes took the core).
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { READ_CHUNK_BYTES, scoreJsonLines, type BatchScoreSummary } from '../cli/batch-scorer';
import { BufferedLines } from '../cli/buffered-lines';
import { FileChunks } from '../cli/file-chunks';
import { unwrapDetail } from '../lambdas/core/event-input';
import { FEATURE_COUNT } from '../lambdas/core/features';
import { bandOf } from '../lambdas/core/model-manifest';
import type { ReadinessModel } from '../lambdas/core/readiness-model';
import { scoreBatchColumns } from '../lambdas/core/score-batch';
import { ScoreRecordJson, type ScoreRecordRow } from '../lambdas/core/score-record-json';

export interface BatchFloorResult {
  rows: number;
  rowsPerSecond: number;
  floorRowsPerSecond: number;
  ratio: number;
  /** Rows per CPU second: the per-core figure, and the floor's. */
  rowsPerCpuSecond: number;
  floorRowsPerCpuSecond: number;
  cpuRatio: number;
  share: { parsing: number; features: number; inference: number; writing: number };
}

export interface Timed {
  seconds: number;
  cpuSeconds: number;
}

/** CPU seconds of this process so far, every thread (user + system). */
export const cpuSecondsNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** A stream that takes bytes and keeps none: the floor serialises to bytes, it does not write a file. */
const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() });

/**
 * The floor on `lines`: parse, ORT on batches of `batchSize`, serialise each row's real output record
 * (or its error) to bytes. The feature matrices and record values are made before the clock starts
 * (that is the work the floor leaves out); serialising every row's own values keeps the
 * number-to-text cost of each row in the floor.
 */
export async function floorRun(lines: readonly string[], model: ReadinessModel, scoringDate: string, batchSize = 4096): Promise<Timed> {
  const json = new ScoreRecordJson({ modelVersion: model.version, modelSha256: model.sha256, scoringDate, scoredAt: new Date().toISOString(), reasonsOfKey: (key) => model.explainer.reasonsOfKey(key) });
  const batches: { matrix: Float32Array; features: Float64Array; valid: number; rows: (ScoreRecordRow | string)[] }[] = [];
  for (let i = 0; i < lines.length; i += batchSize) {
    const inputs = lines.slice(i, i + batchSize).map((l) => unwrapDetail(JSON.parse(l)));
    const { checked, scored, features, scores } = await scoreBatchColumns(inputs.map((r) => r.detail), model, scoringDate);
    let k = 0;
    const rows = checked.map((c, n): ScoreRecordRow | string => {
      if (!c.ok) return `{"line":${i + n + 1},"error":${JSON.stringify(c.violation)}}`;
      const probability = scores.probabilities[k];
      const { donorId, revision, updatedAt } = c.detail;
      return { donorId, revision, updatedAt, sourceEventId: inputs[n].sourceEventId, probability, band: bandOf(probability, model.manifest.bands), reasonKey: scores.reasonKeys[k++] };
    });
    batches.push({ matrix: new Float32Array(features.subarray(0, scored * FEATURE_COUNT)), features, valid: scored, rows });
  }
  // A sink that keeps nothing is done with each buffer at once: it gets it back to fill, as a file's does.
  const sink = new BufferedLines(discard(), undefined, true);
  const parsed: unknown[] = new Array(batchSize);
  const t = performance.now();
  const cpu = cpuSecondsNow();
  for (let i = 0, b = 0; i < lines.length; i += batchSize, b++) {
    const { matrix, features, valid, rows } = batches[b];
    for (let k = 0; k < rows.length; k++) parsed[k] = JSON.parse(lines[i + k]);
    const probabilities = valid ? await model.probabilitiesOfMatrix(matrix, valid) : new Float32Array(0);
    if (probabilities.length !== valid) throw new Error('ORT returned a short batch');
    for (let k = 0, r = 0; k < rows.length; k++) {
      const row = rows[k];
      if (typeof row === 'string') {
        if (sink.fits(row)) sink.lineThatFits(row);
        else await sink.line(row);
        continue;
      }
      // As drs score writes a record: its bytes straight into the output buffer.
      const room = json.maxBytes(row) + 1;
      if (!sink.hasRoom(room)) await sink.makeRoom(room);
      const end = json.write(row, features, FEATURE_COUNT * r++, sink.buffer, sink.used);
      sink.buffer[end] = 0x0a;
      sink.used = end + 1;
    }
  }
  await sink.flush();
  return { seconds: (performance.now() - t) / 1000, cpuSeconds: cpuSecondsNow() - cpu };
}

/** Wall-clock seconds of the floor (the registry bench's). */
export async function floorSeconds(lines: readonly string[], model: ReadinessModel, scoringDate: string, batchSize = 4096): Promise<number> {
  return (await floorRun(lines, model, scoringDate, batchSize)).seconds;
}

/** `drs score` (file in, file out) beside the floor on the same rows; the medians of `repeats` runs. */
export async function measureBatchAgainstFloor(lines: readonly string[], model: ReadinessModel, scoringDate: string, repeats = 3): Promise<BatchFloorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'drs-batch-bench-'));
  try {
    const inFile = join(dir, 'rows.jsonl');
    writeFileSync(inFile, `${lines.join('\n')}\n`);
    const engine: Timed[] = [];
    const floor: Timed[] = [];
    let share: BatchFloorResult['share'] = { parsing: 0, features: 0, inference: 0, writing: 0 };
    for (let r = 0; r < repeats; r++) {
      const sink = createWriteStream(join(dir, 'scores.jsonl'));
      const t = performance.now();
      const cpu = cpuSecondsNow();
      // As drs score reads and writes files: FileChunks in, a file's write stream out.
      const summary = await scoreJsonLines(new FileChunks(inFile, READ_CHUNK_BYTES), sink, { model, scoringDate });
      sink.end();
      await once(sink, 'finish');
      engine.push({ seconds: (performance.now() - t) / 1000, cpuSeconds: cpuSecondsNow() - cpu });
      if (summary.lines !== lines.length) throw new Error(`drs score read ${summary.lines} of ${lines.length} lines`);
      const s = summary.seconds;
      const phases = s.parsing + s.features + s.inference + s.writing;
      const r2 = (x: number) => Math.round((x / phases) * 100) / 100;
      share = { parsing: r2(s.parsing), features: r2(s.features), inference: r2(s.inference), writing: r2(s.writing) };
      floor.push(await floorRun(lines, model, scoringDate));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const e = median(engine.map((x) => x.seconds));
    const f = median(floor.map((x) => x.seconds));
    const ec = median(engine.map((x) => x.cpuSeconds));
    const fc = median(floor.map((x) => x.cpuSeconds));
    const r2 = (x: number) => Math.round(x * 100) / 100;
    return {
      rows: lines.length,
      rowsPerSecond: Math.round(lines.length / e),
      floorRowsPerSecond: Math.round(lines.length / f),
      ratio: r2(e / f),
      rowsPerCpuSecond: Math.round(lines.length / ec),
      floorRowsPerCpuSecond: Math.round(lines.length / fc),
      cpuRatio: r2(ec / fc),
      share,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `measureBatchAgainstFloor` on the lines of `file`, run as drs runs: in a process of its own, from
 * the in-memory esbuild bundle of bench/batch-bench-main.ts (engine and floor in that one bundle,
 * so neither pays tsx's per-module overhead and the ratio stays honest).
 */
export async function measureBatchAgainstFloorBundled(file: string, scoringDate: string, repeats = 3): Promise<BatchFloorResult> {
  const root = join(__dirname, '..');
  const args = [join(root, 'cli', 'in-memory-bundle.cjs'), join(root, 'bench', 'batch-bench-main.ts'), '--in', file, '--as-of', scoringDate, '--repeats', String(repeats)];
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, args, { cwd: root, maxBuffer: 1 << 20 }, (error, out, err) => (error ? reject(new Error(`batch bench child failed: ${err || error.message}`)) : resolve(out))),
  );
  return JSON.parse(stdout) as BatchFloorResult;
}

/**
 * Peak memory of `drs score` on `rows` rows in a process of its own, fed by `drs data` through a
 * pipe (no input file to store): streaming keeps it flat, reading everything first would not.
 */
export async function batchMemoryRun(rows: number, asOf = '2026-06-01'): Promise<{ rows: number; peakRssMiB: number; rowsPerSecond: number }> {
  const drs = join(__dirname, '..', 'cli', 'drs.cjs');
  const generator = spawn(process.execPath, [drs, 'data', '--rows', String(rows), '--seed', '15', '--as-of', asOf, '--out', '-'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const scorer = spawn(process.execPath, [drs, 'score', '--in', '-', '--out', devNull, '--as-of', asOf, '--json'], { stdio: [generator.stdout, 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  scorer.stdout.on('data', (c: Buffer) => (out += c.toString()));
  scorer.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const [code] = (await once(scorer, 'close')) as [number];
  if (code !== 0) throw new Error(`drs score (memory run) exited ${code}: ${err.slice(0, 500)}`);
  const summary = JSON.parse(out) as BatchScoreSummary;
  if (summary.lines !== rows) throw new Error(`drs score (memory run) read ${summary.lines} of ${rows} rows`);
  return { rows, peakRssMiB: summary.peakRssMiB, rowsPerSecond: Math.round(rows / summary.seconds.total) };
}
