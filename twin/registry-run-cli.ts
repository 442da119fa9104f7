// `npm start -- --backfill FILE | --rescore`: runs the registry state machine locally and prints
// its summary (or, with --json, only the summary as JSON on standard output).
import { resolve } from 'node:path';
import { progressBar } from '../cli/terminal';
import { formatRegistryRun, runRegistryRun } from './registry-run';

export async function runRegistryFromCli(opts: Record<string, any>): Promise<void> {
  if (opts.backfill && opts.rescore) throw new Error('--backfill and --rescore are two runs: start them one after the other (with --data-dir to keep the table)');
  if (opts.eventsFile) throw new Error('--events-file replays events through the event path; --backfill loads an export through the registry run: choose one');
  const progress = progressBar(opts.backfill ? 'backfill rows' : 'rescore files', undefined);
  const run = await runRegistryRun({
    mode: opts.backfill ? 'backfill' : 'refresh',
    file: opts.backfill ? resolve(opts.backfill) : undefined,
    asOf: opts.asOf,
    tolerance: opts.tolerance,
    dataDir: opts.dataDir ? resolve(opts.dataDir) : undefined,
    workDir: resolve(opts.workDir),
    alertEmails: opts.alertEmails,
    dumpTable: opts.dumpTable ? resolve(opts.dumpTable) : undefined,
    concurrency: opts.concurrency,
    onProgress: (done) => progress.tick(done),
  });
  progress.stop();
  try {
    process.stdout.write(`${opts.json ? JSON.stringify(run.summary) : formatRegistryRun(run.summary)}\n`);
    const s = run.summary;
    if (s.status !== 'SUCCEEDED' || s.rows !== s.scored + s.unchanged + s.stale + s.rejected + s.failed) process.exitCode = 1;
  } finally {
    await run.endpoints.stop();
  }
}
