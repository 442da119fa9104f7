// `drs evaluate`: quality of a scorer output against the generator file it scored, from those two
// files alone (lines are paired in order; donor ids must agree).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { evaluate, qualityShortfalls } from '../model/evaluation';
import type { DonorTruth } from '../model/synthetic-registry';

export interface EvaluateOptions {
  data: string;
  scores: string;
  json: boolean;
  check: boolean;
}

async function* jsonLines(file: string): AsyncGenerator<unknown> {
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    yield line.trim() ? JSON.parse(line) : null;
  }
}

export async function runEvaluate(options: EvaluateOptions): Promise<void> {
  const scores = jsonLines(options.scores);
  const predicted: number[] = [];
  const truths: DonorTruth[] = [];
  let skipped = 0;
  let line = 0;
  for await (const row of jsonLines(options.data)) {
    line += 1;
    const next = await scores.next();
    if (next.done) throw new Error(`${options.scores} has fewer lines than ${options.data} (ends before line ${line})`);
    const data = row as { detail?: { donorId?: string }; truth?: DonorTruth } | null;
    const score = next.value as { donorId?: string; score?: number } | null;
    if (!data?.truth || typeof score?.score !== 'number') {
      skipped += 1;
      continue;
    }
    if (data.detail?.donorId !== score.donorId) throw new Error(`line ${line}: the two files are not in the same order`);
    predicted.push(score.score);
    truths.push(data.truth);
  }
  const metrics = evaluate({ predicted, truths });
  const shortfalls = qualityShortfalls(metrics);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...metrics, skipped, shortfalls })}\n`);
  } else {
    const g = metrics.byAncestryGroup
      .map((x) => `  ${x.group.padEnd(18)} n=${String(x.rows).padStart(7)}  observed ${x.observedRate.toFixed(3)}  predicted ${x.meanPredicted.toFixed(3)}  gap ${x.calibrationGap >= 0 ? '+' : ''}${x.calibrationGap.toFixed(3)}  AUC ${x.auc.toFixed(3)}`)
      .join('\n');
    process.stdout.write(
      `${metrics.rows} scored donors (${skipped} lines without a score)\n` +
        `AUC ${metrics.auc.toFixed(3)} (oracle ${metrics.oracleAuc.toFixed(3)}), ECE ${metrics.expectedCalibrationError.toFixed(3)}, Brier ${metrics.brier.toFixed(3)}\n${g}\n` +
        (shortfalls.length ? `targets missed:\n  - ${shortfalls.join('\n  - ')}\n` : 'all quality targets met\n'),
    );
  }
  if (options.check && shortfalls.length) process.exitCode = 1;
}
