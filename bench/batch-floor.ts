// The honest floor of batch scoring (issue 15): what no batch scorer can avoid on the same rows —
// JSON.parse of every input line, one ORT run per batch of real feature rows, and JSON.stringify
// of one full output record per row. `drs score` is timed beside it in the same run, on the same
// rows, in one process (one core): rows/s of each and their ratio.
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scoreJsonLines } from '../cli/batch-scorer';
import { unwrapDetail } from '../lambdas/core/event-input';
import { deriveFeatures, FEATURE_COUNT } from '../lambdas/core/features';
import type { ReadinessModel } from '../lambdas/core/readiness-model';
import { scoreBatch } from '../lambdas/core/score-batch';

export interface BatchFloorResult {
  rows: number;
  rowsPerSecond: number;
  floorRowsPerSecond: number;
  ratio: number;
  share: { parsing: number; features: number; inference: number; writing: number };
}

/**
 * Seconds for the floor on `lines`: parse, ORT on batches of `batchSize`, stringify each row's real
 * output record. The records and feature rows are made before the clock starts (that is the work
 * the floor leaves out); serialising the real records, not one template, keeps the number-to-text
 * cost of every row's own values in the floor.
 */
export async function floorSeconds(lines: readonly string[], model: ReadinessModel, scoringDate: string, batchSize = 4096): Promise<number> {
  const scoredAt = new Date().toISOString();
  const records: unknown[] = [];
  const matrices: number[][][] = [];
  for (let i = 0; i < lines.length; i += batchSize) {
    const rows = lines.slice(i, i + batchSize).map((l) => unwrapDetail(JSON.parse(l)));
    const results = await scoreBatch(rows, model, scoringDate, scoredAt);
    const vectors: number[][] = [];
    for (const r of results) {
      records.push(r.ok ? r.record : { line: 0, error: r.violation });
      vectors.push(r.ok ? deriveFeatures(r.input.donor, scoringDate) : new Array<number>(FEATURE_COUNT).fill(0));
    }
    matrices.push(vectors);
  }
  const t = performance.now();
  let bytes = 0;
  for (let i = 0, b = 0; i < lines.length; i += batchSize, b++) {
    const n = Math.min(batchSize, lines.length - i);
    const parsed: unknown[] = new Array(n);
    for (let k = 0; k < n; k++) parsed[k] = JSON.parse(lines[i + k]);
    const probabilities = await model.probabilities(matrices[b]);
    if (probabilities.length !== n) throw new Error('ORT returned a short batch');
    let out = '';
    for (let k = 0; k < n; k++) out += `${JSON.stringify(records[i + k])}\n`;
    bytes += out.length;
  }
  if (bytes === 0) throw new Error('floor wrote nothing');
  return (performance.now() - t) / 1000;
}

/** `drs score` (file in, file out) beside the floor on the same rows; the medians of `repeats` runs. */
export async function measureBatchAgainstFloor(lines: readonly string[], model: ReadinessModel, scoringDate: string, repeats = 3): Promise<BatchFloorResult> {
  const dir = mkdtempSync(join(tmpdir(), 'drs-batch-bench-'));
  try {
    const inFile = join(dir, 'rows.jsonl');
    writeFileSync(inFile, `${lines.join('\n')}\n`);
    const engine: number[] = [];
    const floor: number[] = [];
    let share: BatchFloorResult['share'] = { parsing: 0, features: 0, inference: 0, writing: 0 };
    for (let r = 0; r < repeats; r++) {
      const sink = createWriteStream(join(dir, 'scores.jsonl'));
      const t = performance.now();
      const summary = await scoreJsonLines(createReadStream(inFile), sink, { model, scoringDate });
      sink.end();
      await once(sink, 'finish');
      engine.push((performance.now() - t) / 1000);
      if (summary.lines !== lines.length) throw new Error(`drs score read ${summary.lines} of ${lines.length} lines`);
      const s = summary.seconds;
      const phases = s.parsing + s.features + s.inference + s.writing;
      const r2 = (x: number) => Math.round((x / phases) * 100) / 100;
      share = { parsing: r2(s.parsing), features: r2(s.features), inference: r2(s.inference), writing: r2(s.writing) };
      floor.push(await floorSeconds(lines, model, scoringDate));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const e = median(engine);
    const f = median(floor);
    return { rows: lines.length, rowsPerSecond: Math.round(lines.length / e), floorRowsPerSecond: Math.round(lines.length / f), ratio: Math.round((e / f) * 100) / 100, share };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

