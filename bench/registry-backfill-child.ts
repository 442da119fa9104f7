// One local backfill in a process of its own, so its peak memory is the backfill's alone (the
// benchmark that starts it has held rows, models and a simulated year before). Progress goes back
// over the IPC channel; the result is the last line on stdout.
// Usage: registry-backfill-child.ts ROWS [SYNTHESIZED_JSON]
import { readFileSync } from 'node:fs';
import type { SynthesizedPipeline } from '../twin/synthesize';
import { localBackfillInProcess } from './registry-bench';

process.removeAllListeners('warning');
process.on('warning', () => {});

async function main(): Promise<void> {
  const [rows, synthesizedFile] = process.argv.slice(2);
  const synthesized = synthesizedFile ? (JSON.parse(readFileSync(synthesizedFile, 'utf8')) as SynthesizedPipeline) : undefined;
  const result = await localBackfillInProcess(Number(rows), synthesized, (done) => process.send?.({ done }));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.disconnect?.();
}

main().catch((error: unknown) => {
  process.stderr.write(`local backfill failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
