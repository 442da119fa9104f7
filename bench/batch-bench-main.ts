// `npx tsx bench/batch-bench-main.ts [rows]`: drs score beside its honest floor, printed as JSON.
import { generateRegistry } from '../model/synthetic-registry';
import { loadLocalModel } from '../cli/local-model';
import { measureBatchAgainstFloor } from './batch-floor';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const asOf = '2026-06-01';
  const lines: string[] = [];
  for (const row of generateRegistry({ seed: 15, asOf, baseRate: 0.55 })) {
    lines.push(JSON.stringify(row));
    if (lines.length === n) break;
  }
  const model = await loadLocalModel();
  process.stdout.write(`${JSON.stringify(await measureBatchAgainstFloor(lines, model, asOf))}\n`);
}
void main();
