// `npm start [-- options]`: the whole pipeline on this machine, no AWS account needed.
import { Command, InvalidArgumentError } from 'commander';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseIsoDate, todayIsoDate } from '../lambdas/core/calendar';
import { progressBar } from '../cli/terminal';
import { writeTwinSession } from './twin-session';
import { runTwin, withCapturedLogs, type TwinSummary } from './run-twin';
import { startLocalApi } from './local-api';

// The SDK warns once per process that Node 20 support ends in 2027; Lambda runs Node 22.
process.removeAllListeners('warning');
process.on('warning', (w) => {
  if (!`${w.name} ${w.message}`.includes('NodeVersionSupportWarning')) process.stderr.write(`${w.name}: ${w.message}\n`);
});

const whole = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number >= ${min}`);
  return n;
};
const fraction = (v: string) => {
  const n = Number(v);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a number from 0 to 1, e.g. 0.02');
  return n;
};
const date = (v: string) => {
  const d = parseIsoDate(v);
  if (!d) throw new InvalidArgumentError('must be a calendar date YYYY-MM-DD');
  return d;
};

export function formatSummary(s: TwinSummary): string {
  const pct = (n: number) => (s.in ? `${((100 * n) / s.in).toFixed(1)}%` : '0%');
  const reasons = Object.entries(s.rejected.byReason)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `      ${String(n).padStart(6)}  ${reason}`);
  return [
    `Local twin of ${s.stack}: ${s.in} events in ${s.seconds} s`,
    `  matched by the rule     ${String(s.matched).padStart(7)}`,
    `  scored                  ${String(s.scored).padStart(7)}  ${pct(s.scored)}   bands: high ${s.bands.high}, medium ${s.bands.medium}, low ${s.bands.low}`,
    `  ignored                 ${String(s.ignored.total).padStart(7)}  ${pct(s.ignored.total)}   (stale or duplicate ${s.ignored.staleOrDuplicate}, not matched ${s.ignored.notMatched})`,
    `  rejected                ${String(s.rejected.total).padStart(7)}  ${pct(s.rejected.total)}`,
    ...reasons,
    `  retried invocations     ${String(s.retried.invocations).padStart(7)}           (${s.retried.eventsRecovered} events succeeded on a retry)`,
    `  dead-lettered           ${String(s.deadLettered).padStart(7)}  ${pct(s.deadLettered)}`,
    `  e-mails sent            ${String(s.emailsSent).padStart(7)}           written to ${s.outbox}`,
    `  readiness changes       ${String(s.readinessChanged.events).padStart(7)}           (first score ${s.readinessChanged.firstScores}, band changed ${s.readinessChanged.bandChanges}) written to ${s.readinessChanged.directory}`,
    `  handler latency         p50 ${s.handlerLatencyMs.p50} ms, p99 ${s.handlerLatencyMs.p99} ms over ${s.handlerLatencyMs.invocations} invocations`,
    `  score table             ${String(s.tableItems).padStart(7)} donors    function logs: ${s.logFile}`,
    s.accounted
      ? `Every event accounted for: ${s.in} in = ${s.scored} scored + ${s.ignored.total} ignored + ${s.rejected.total} rejected + ${s.deadLettered} dead-lettered`
      : `NOT every event is accounted for:\n  - ${s.missing.join('\n  - ')}`,
  ].join('\n');
}

const program = new Command('npm start --')
  .description('Run the deployed architecture end to end on local AWS-compatible endpoints (dynalite, fauxqs)')
  .option('--events <n>', 'how many generated donor updates', whole('--events', 1), 2000)
  .option('--events-file <file>', 'replay JSON Lines of whole EventBridge events or bare details, in order')
  .option('--bad-fraction <p>', 'share of generated events that break the contract', fraction, 0.02)
  .option('--concurrency <k>', 'handler invocations in flight at once', whole('--concurrency', 1), 4)
  .option('--seed <s>', 'seed for generated events', whole('--seed', 0), 1)
  .option('--as-of <date>', 'date the generated donors are drawn as of (default: today)', date)
  .option('--alert-emails <list>', 'addresses subscribed to the alert topic (their mail goes to the outbox)', 'alerts@example.org')
  .option('--work-dir <dir>', 'where the outbox, function logs and cloud assembly go', '.drs')
  .option('--data-dir <dir>', 'keep the score table on disk here between runs (default: in memory)')
  .option('--dump-table <file>', 'write the final table items as JSON Lines')
  .option('--serve', 'keep the endpoints up after the run and print how to reach them', false)
  .option('--json', 'print the summary as JSON', false)
  .showHelpAfterError();

async function main(): Promise<void> {
  program.parse(process.argv);
  const opts = program.opts();
  const progress = progressBar('delivering events', opts.eventsFile ? undefined : opts.events);
  const run = await runTwin({
    events: opts.events,
    eventsFile: opts.eventsFile ? resolve(opts.eventsFile) : undefined,
    badFraction: opts.badFraction,
    concurrency: opts.concurrency,
    seed: opts.seed,
    asOf: opts.asOf ?? todayIsoDate(),
    dataDir: opts.dataDir ? resolve(opts.dataDir) : undefined,
    workDir: resolve(opts.workDir),
    alertEmails: opts.alertEmails,
    dumpTable: opts.dumpTable ? resolve(opts.dumpTable) : undefined,
    onProgress: (done) => progress.tick(done),
  });
  progress.stop();
  process.stdout.write(`${opts.json ? JSON.stringify(run.summary) : formatSummary(run.summary)}\n`);
  if (!run.summary.accounted) process.exitCode = 1;
  if (opts.serve) {
    const env = Object.entries(run.endpoints.env).map(([k, v]) => `export ${k}=${v}`).join('\n');
    process.stderr.write(
      `\nEndpoints are up until Ctrl-C:\n  DynamoDB ${run.endpoints.dynamodb}\n  SQS, SNS, S3 ${run.endpoints.fauxqs}\n` +
        `Point the AWS CLI or SDK at them:\n${env}\n` +
        `e.g. aws dynamodb scan --table-name ${run.pipeline.scoreTable}\n`,
    );
    const fn = run.pipeline.scoringFunction;
    // The read API's handler logs go to its own log file, as in AWS to its own log group.
    const apiLog = resolve(opts.workDir, 'read-api.log');
    rmSync(apiLog, { force: true });
    const api = await withCapturedLogs(apiLog, () =>
      startLocalApi({ template: run.synthesized.template, functionFor: run.pipeline.functionFor, env: run.endpoints.env, accessLogFile: resolve(opts.workDir, 'api-access.log') }),
    );
    if (api) {
      process.stderr.write(
        `Read API (signatures not checked locally): POST ${api.url}/v1/readiness:batchGet\n` +
          `  e.g. npx drs scores get --twin ${opts.workDir} <donorId>...   (function log ${apiLog}, access log ${resolve(opts.workDir, 'api-access.log')})\n`,
      );
    }
    const removeSession = writeTwinSession(resolve(opts.workDir), {
      pid: process.pid,
      env: run.endpoints.env,
      scoringFunction: fn,
      functionArn: run.pipeline.identities.get(fn.logicalId)!.attributes.Arn,
      ...(api ? { apiUrl: api.url } : {}),
    });
    const kept = Object.entries(run.summary.queues).filter(([name]) => !name.endsWith('-mailbox'));
    process.stderr.write(
      `Queues that keep events (messages now):\n${kept.map(([name, n]) => `  ${name} (${n})`).join('\n')}\n` +
        `Redrive one with: npx drs redrive --twin ${opts.workDir} --queue <queue name> --dry-run\n`,
    );
    await withCapturedLogs(apiLog, () => new Promise<void>((done) => process.once('SIGINT', () => done())));
    removeSession();
    await api?.close();
  }
  await run.endpoints.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(`npm start: ${(error as Error).message}\n`);
  process.exit(2);
});
