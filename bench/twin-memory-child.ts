// One whole local run (`npm start --events N --concurrency 16`: generated traffic, outcomes, the
// monitoring report) in a process of its own, so its peak memory is its own. The benchmark hands it
// the stack it already synthesized. Usage: twin-memory-child.ts SYNTHESIZED_JSON EVENTS WORK_DIR
import { readFileSync } from 'node:fs';
import { todayIsoDate } from '../lambdas/core/calendar';
import { runTwin } from '../twin/run-twin';
import type { SynthesizedPipeline } from '../twin/synthesize';

process.removeAllListeners('warning');
process.on('warning', () => {});

async function main(): Promise<void> {
  const [synthesizedFile, events, workDir] = process.argv.slice(2);
  const synthesized = JSON.parse(readFileSync(synthesizedFile, 'utf8')) as SynthesizedPipeline;
  const run = await runTwin({ synthesized, events: Number(events), badFraction: 0.02, concurrency: 16, seed: 1, asOf: todayIsoDate(), workDir, alertEmails: 'bench@example.org' });
  await run.endpoints.stop();
  process.stdout.write(`${JSON.stringify(run.summary)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`twin memory run failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
