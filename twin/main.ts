// `npm start [-- options]`: the whole pipeline on this machine, no AWS account needed.
import { Command, InvalidArgumentError, Option } from 'commander';
import { decimalFraction, seeHelp, wholeNumber } from '../cli/option-values';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseIsoDate, todayIsoDate } from '../lambdas/core/calendar';
import { progressBar } from '../cli/terminal';
import { writeTwinSession } from './twin-session';
import { parseDuration } from '../lambdas/core/duration';
import { recurringScoreTableFault } from './recurring-fault';
import { withCapturedLogs } from './captured-logs';
import { runTwin, type TwinSummary } from './run-twin';
import { runRegistryFromCli } from './registry-run-cli';
import { startLocalApi } from './local-api';


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
    `  dead-lettered           ${String(s.deadLettered).padStart(7)}  ${pct(s.deadLettered)}   (failed after retries, kept in the failed-scoring queue)`,
    `  undelivered             ${String(s.undelivered.total).padStart(7)}  ${pct(s.undelivered.total)}   (failed and kept nowhere: see below)`,
    `  e-mails sent            ${String(s.emailsSent).padStart(7)}           written to ${s.outbox}`,
    `  readiness changes       ${String(s.readinessChanged.events).padStart(7)}           (first score ${s.readinessChanged.firstScores}, band changed ${s.readinessChanged.bandChanges}) written to ${s.readinessChanged.directory}`,
    `  handler latency         p50 ${s.handlerLatencyMs.p50} ms, p99 ${s.handlerLatencyMs.p99} ms over ${s.handlerLatencyMs.invocations} invocations${s.handlerLatencyMs.exact === false ? ' (from a uniform sample of 100,000)' : ''}`,
    ...(s.memory ? [`  peak memory             ${s.memory.peakRssMiB} MiB this process${s.memory.endpointsPeakRssMiB !== undefined ? `, ${s.memory.endpointsPeakRssMiB} MiB local endpoints (tables, queues)` : ''}`] : []),
    `  score table             ${String(s.tableItems).padStart(7)} donors    function logs: ${s.logFile}`,
    ...(s.outcomes
      ? [
          `  request outcomes        ${String(s.outcomes.sent).padStart(7)}           recorded ${s.outcomes.recorded}, duplicate ${s.outcomes.duplicate}, rejected ${s.outcomes.rejected}, dead-lettered ${s.outcomes.deadLettered}`,
          `  monitoring report       ${s.outcomes.drift ? 'DRIFT   ' : 'no drift'}          AUC ${s.outcomes.auc?.toFixed(3) ?? '–'}, observed ${s.outcomes.calibration ? (s.outcomes.calibration.observed * 100).toFixed(1) : '–'}% vs predicted ${s.outcomes.calibration ? (s.outcomes.calibration.predicted * 100).toFixed(1) : '–'}% over ${s.outcomes.withPrediction} requests: ${s.outcomes.report}`,
        ]
      : []),
    s.accounted
      ? `Every event accounted for: ${s.in} in = ${s.scored} scored + ${s.ignored.total} ignored + ${s.rejected.total} rejected + ${s.deadLettered} dead-lettered + ${s.undelivered.total} undelivered`
      : `NOT every event is accounted for:\n  - ${s.missing.join('\n  - ')}`,
  ].join('\n');
}

const duration = (v: string) => {
  const ms = parseDuration(v);
  if (ms === null) throw new InvalidArgumentError('must be a duration, e.g. 20s or 2m');
  return ms;
};

const program = new Command('npm start --')
  .description('Run the deployed architecture end to end on local AWS-compatible endpoints (dynalite, fauxqs)')
  .addOption(new Option('--events <n>', 'how many generated donor updates').argParser(wholeNumber('--events', 1)).default(2000).conflicts('eventsFile'))
  .option('--events-file <file>', 'replay JSON Lines of whole EventBridge events, drs data rows or bare details, in order')
  .option('--bad-fraction <p>', 'share of generated events that break the contract', decimalFraction('--bad-fraction', 0, 1), 0.02)
  .option('--concurrency <k>', 'handler invocations in flight at once', wholeNumber('--concurrency', 1), 4)
  .option('--seed <s>', 'seed for generated events', wholeNumber('--seed', 0), 1)
  .option('--as-of <date>', 'date the generated donors are drawn as of (default: today)', date)
  .option('--alert-emails <list>', 'addresses subscribed to the alert topic (their mail goes to the outbox)', 'alerts@example.org')
  .option('--work-dir <dir>', 'where the outbox, function logs and cloud assembly go', '.drs')
  .option('--data-dir <dir>', 'keep the score table on disk here between runs (default: in memory)')
  .option('--dump-table <file>', 'write the final table items as JSON Lines')
  .option('--outcome-share <p>', 'share of scored donors that get a DonorRequestOutcome event (from their synthetic truth)', decimalFraction('--outcome-share', 0, 1), 0.25)
  .option('--serve', 'keep the endpoints up after the run and print how to reach them', false)
  .option('--json', 'print the summary as JSON', false)
  .option('--fault-every <duration>', 'fail every score write for --fault-for, this often (e.g. 20s): failures in a rhythm for drs diagnose --twin', duration)
  .option('--fault-for <duration>', 'how long each score-table outage lasts (default 4s)', duration)
  .option('--backfill <file>', 'instead of generated traffic: run the registry backfill state machine on this export (JSON Lines, .gz or not; or a folder of such files)')
  .option('--rescore', 'instead of generated traffic: run the registry refresh state machine over every stored donor (as of --as-of)', false)
  .option('--tolerance <x>', 'with --rescore: largest score change that counts as unchanged and is not written', decimalFraction('--tolerance', 0, 0.05))
  .showHelpAfterError(seeHelp('npm start --'));

async function main(): Promise<void> {
  // The SDK warns once per process that Node 20 support ends in 2027; Lambda runs Node 22.
  process.removeAllListeners('warning');
  process.on('warning', (w) => {
    if (!`${w.name} ${w.message}`.includes('NodeVersionSupportWarning')) process.stderr.write(`${w.name}: ${w.message}\n`);
  });
  program.parse(process.argv);
  const opts = program.opts();
  if (opts.backfill || opts.rescore) return runRegistryFromCli(opts);
  const progress = progressBar('delivering events', opts.eventsFile ? undefined : opts.events);
  const fault = opts.faultEvery ? recurringScoreTableFault(opts.faultEvery, opts.faultFor ?? 4_000) : undefined;
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
    outcomeShare: opts.outcomeShare,
    onProgress: (done) => progress.tick(done),
    ...(fault ? { functionEndpoints: fault.endpoints } : {}),
  });
  await fault?.stop();
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
    writeFileSync(apiLog, ''); // there from the start, for tail -f
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

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`npm start: ${(error as Error).message}\n`);
    process.exit(2);
  });
}
