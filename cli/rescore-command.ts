// `drs rescore --stage S [--as-of DATE] [--wait]`: start a registry run in AWS and follow it.
import { setTimeout as sleep } from 'node:timers/promises';
import { awsClients, locateRun, readRunSummary, runProgress, startRun } from './rescore';
import { progressBar } from './terminal';

export interface RescoreCommandOptions {
  stage: string;
  asOf?: string;
  tolerance?: number;
  backfill?: string;
  wait: boolean;
  json: boolean;
  pollSeconds: number;
}

export async function runRescore(options: RescoreCommandOptions): Promise<void> {
  const { cfn, sfn, s3 } = awsClients();
  const location = await locateRun(cfn, options.stage);
  const { executionArn, runId } = await startRun(sfn, location, { stage: options.stage, asOf: options.asOf, tolerance: options.tolerance, backfillKey: options.backfill });
  const started = { runId, executionArn, summary: `s3://${location.runBucket}/runs/${runId}/summary.json` };
  if (!options.wait) {
    process.stdout.write(options.json ? `${JSON.stringify(started)}\n` : `started ${runId}\n  execution ${executionArn}\n  summary when done: ${started.summary}\n  follow it with --wait, or in the Step Functions console\n`);
    return;
  }
  // The map run's item counts: rows (both maps read rows, batched), summed over the run's map runs.
  const bar = progressBar('rows', undefined);
  let progress = await runProgress(sfn, executionArn);
  while (progress.status === 'RUNNING') {
    bar.tick(progress.batches.succeeded + progress.batches.failed);
    await sleep(options.pollSeconds * 1000);
    progress = await runProgress(sfn, executionArn);
  }
  bar.stop();
  const summary = await readRunSummary(s3, location.runBucket, runId);
  if (options.json) process.stdout.write(`${JSON.stringify({ ...started, status: progress.status, summary })}\n`);
  else {
    process.stdout.write(`${runId} ${progress.status}\n`);
    if (summary) {
      const s = summary as Record<string, any>;
      process.stdout.write(
        `  rows ${s.rows}: scored ${s.scored}, unchanged ${s.unchanged}, stale ${s.stale}, rejected ${s.rejected}, failed ${s.failed} in ${s.seconds} s (as of ${s.scoringDate})\n` +
          `  rejected rows: ${s.locations?.rejected ?? 'none'}\n  map results: ${s.locations?.results}\n  summary: ${s.locations?.summary}\n`,
      );
    } else {
      process.stdout.write(`  no summary was written: see the execution ${executionArn} in the Step Functions console\n`);
    }
  }
  if (progress.status !== 'SUCCEEDED') process.exitCode = 1;
}
