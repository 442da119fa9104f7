// drs score beside its honest floor, printed as JSON, in one process. Run as drs runs, from the
// in-memory esbuild bundle (engine and floor in the same bundle, so the ratio compares like with like):
//   node cli/in-memory-bundle.cjs bench/batch-bench-main.ts [rows]                 generated rows (seed 15)
//   node cli/in-memory-bundle.cjs bench/batch-bench-main.ts --in FILE --as-of DATE [--repeats N]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateRegistry } from '../model/synthetic-registry';
import { loadLocalModel } from '../cli/local-model';
import { measureBatchAgainstFloor } from './batch-floor';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { in: { type: 'string' }, 'as-of': { type: 'string' }, repeats: { type: 'string' } } });
  const asOf = values['as-of'] ?? '2026-06-01';
  let lines: string[];
  if (values.in) {
    lines = readFileSync(values.in, 'utf8').split('\n').filter((line) => line.length > 0);
  } else {
    const n = Number(positionals[0] ?? 100_000);
    lines = [];
    for (const row of generateRegistry({ seed: 15, asOf, baseRate: 0.55 })) {
      lines.push(JSON.stringify(row));
      if (lines.length === n) break;
    }
  }
  const model = await loadLocalModel();
  process.stdout.write(`${JSON.stringify(await measureBatchAgainstFloor(lines, model, asOf, Number(values.repeats ?? 3)))}\n`);
}
main().catch((error: unknown) => {
  process.stderr.write(`batch bench: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
