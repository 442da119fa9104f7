// `drs score`: batch scoring of JSON Lines files (details, whole events or generator rows).
import { createWriteStream, existsSync } from 'node:fs';
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { READ_CHUNK_BYTES, scoreJsonLines } from './batch-scorer';
import { FileChunks } from './file-chunks';
import { loadLocalModel } from './local-model';
import { fail, progressBar } from './terminal';

export interface ScoreOptions {
  in: string;
  out: string;
  asOf: string;
  modelDir?: string;
  batchSize: number;
  json: boolean;
}

export async function runScore(options: ScoreOptions): Promise<void> {
  if (options.in !== '-' && !existsSync(options.in)) fail(`cannot read --in ${options.in}: no such file`);
  const model = await loadLocalModel(options.modelDir);
  const input: Readable | FileChunks = options.in === '-' ? process.stdin : new FileChunks(options.in, READ_CHUNK_BYTES);
  const output: Writable = options.out === '-' ? process.stdout : createWriteStream(options.out);
  const progress = progressBar('scoring', undefined);
  const summary = await scoreJsonLines(input, output, {
    model,
    scoringDate: options.asOf,
    batchSize: options.batchSize,
    onProgress: (lines) => progress.tick(lines),
  });
  progress.stop();
  if (output !== process.stdout) {
    output.end();
    await once(output, 'finish');
  }
  const report = options.json
    ? JSON.stringify(summary)
    : [
        `scored ${summary.scored} of ${summary.lines} lines with model ${summary.modelVersion} as of ${summary.scoringDate} ` +
          `in ${summary.seconds.total.toFixed(2)} s (${Math.round(summary.lines / Math.max(summary.seconds.total, 1e-9))} lines/s)`,
        `bands: high ${summary.bands.high}, medium ${summary.bands.medium}, low ${summary.bands.low}; peak memory ${summary.peakRssMiB} MiB`,
        summary.rejected
          ? `rejected ${summary.rejected} lines (each has {"line", "error"} in the output):\n` +
            Object.entries(summary.rejectedByRule)
              .sort((a, b) => b[1] - a[1])
              .map(([rule, n]) => `  ${String(n).padStart(7)}  ${rule}`)
              .join('\n')
          : 'rejected 0 lines',
      ].join('\n');
  (options.out === '-' ? process.stderr : process.stdout).write(`${report}\n`);
}
