// `drs data`: synthetic registry history as JSON Lines ({detail, truth} per donor).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { generateRegistry, type GeneratorVariant } from '../model/synthetic-registry';
import { auc, mean } from '../model/metrics';
import { progressBar } from './terminal';

export interface DataOptions {
  rows: number;
  seed: number;
  out: string;
  asOf: string;
  baseRate: number;
  variant: GeneratorVariant;
  requestDate?: string;
  json: boolean;
}

export async function runData(options: DataOptions): Promise<void> {
  const output: Writable = options.out === '-' ? process.stdout : createWriteStream(options.out);
  const progress = progressBar('generating donors', options.rows);
  const started = Date.now();
  const pAvailable: number[] = [];
  const available: number[] = [];
  let chunk = '';
  const requestDate = options.requestDate ?? options.asOf;
  for (const row of generateRegistry({ seed: options.seed, asOf: options.asOf, baseRate: options.baseRate, variant: options.variant, requestDate })) {
    if (pAvailable.length >= options.rows) break;
    pAvailable.push(row.truth.pAvailable);
    available.push(row.truth.available);
    chunk += `${JSON.stringify(row)}\n`;
    if (chunk.length > 1 << 20) {
      if (!output.write(chunk)) await once(output, 'drain');
      chunk = '';
      progress.tick(pAvailable.length);
    }
  }
  if (chunk) output.write(chunk);
  progress.stop();
  if (output !== process.stdout) {
    output.end();
    await once(output, 'finish');
  }
  const summary = {
    rows: pAvailable.length,
    seed: options.seed,
    asOf: options.asOf,
    out: options.out,
    baseRate: options.baseRate,
    variant: options.variant,
    requestDate,
    observedRate: mean(available),
    meanPAvailable: mean(pAvailable),
    oracleAuc: auc(pAvailable, available),
    seconds: (Date.now() - started) / 1000,
  };
  const report =
    options.json
      ? JSON.stringify(summary)
      : `wrote ${summary.rows} synthetic donors to ${options.out} (seed ${summary.seed}, ${summary.variant} world, records as of ${summary.asOf}, ` +
        `requests on ${summary.requestDate}): ` +
        `observed availability ${summary.observedRate.toFixed(3)}, oracle AUC ${summary.oracleAuc.toFixed(3)}, ${summary.seconds.toFixed(1)} s`;
  (options.out === '-' ? process.stderr : process.stdout).write(`${report}\n`);
}
