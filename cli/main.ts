// The `drs` command line: one entry for the data scientist and the operator.
import { Command, InvalidArgumentError } from 'commander';
// Each command's module is loaded when that command runs: `drs data` need not evaluate the AWS SDK
// clients of `drs diagnose` and `drs trace`.
import { parseIsoDate, todayIsoDate } from '../lambdas/core/calendar';
import { DEFAULT_BASE_RATE, GENERATOR_VARIANTS } from '../model/synthetic-registry';
import { DIAGNOSE_PERMISSIONS, TRACE_PERMISSIONS } from './permissions';
import { decimalFraction, seeHelp, wholeNumber } from './option-values';

const isoDate = (value: string) => {
  const date = parseIsoDate(value);
  if (!date) throw new InvalidArgumentError('must be a calendar date YYYY-MM-DD, e.g. 2026-11-23');
  return date;
};
const positiveInt = (name: string) => wholeNumber(name, 1);
const integer = wholeNumber('--seed', 0);
const probability = decimalFraction('--base-rate', 0, 1, true);

const program = new Command('drs')
  .description('Donor readiness: synthetic data, batch scoring, model checks, monitoring, registry runs, diagnosis, redrive and score reads')
  .showHelpAfterError(seeHelp('drs'));

program
  .command('data')
  .description('write synthetic registry history as JSON Lines: {"detail": DonorUpdated detail, "truth": {...}, "requestDate": ...} per donor')
  .option('--rows <n>', 'how many donors', positiveInt('--rows'), 10_000)
  .option('--seed <s>', 'random seed: the same seed and --as-of give the same bytes', integer, 1)
  .option('--out <file>', 'output file, - for standard output', '-')
  .option('--as-of <date>', 'the date the history is drawn as of (default: today, UTC)', isoDate)
  .option('--base-rate <p>', 'share of donors available at a CT request (0.45 US domestic, 0.77 German registry)', probability, DEFAULT_BASE_RATE)
  .option('--variant <name>', `generator world: ${GENERATOR_VARIANTS.join(', ')} (see MODEL_CARD.md)`, 'baseline')
  .option('--request-date <date>', 'date of the CT requests the outcomes are for (default: --as-of); later ages the same records', isoDate)
  .option('--json', 'print the summary as JSON', false)
  .action(async (opts) => {
    if (!(GENERATOR_VARIANTS as readonly string[]).includes(opts.variant)) {
      throw new InvalidArgumentError(`--variant must be one of ${GENERATOR_VARIANTS.join(', ')}`);
    }
    const asOf = opts.asOf ?? todayIsoDate();
    if (opts.requestDate && opts.requestDate < asOf) throw new InvalidArgumentError('--request-date must not be before --as-of');
    return (require('./data-command') as typeof import('./data-command')).runData({ ...opts, asOf });
  });

program
  .command('score')
  .description('score JSON Lines of details, whole EventBridge events or generator rows; one score record or error per line, in order')
  .requiredOption('--in <file>', 'input JSON Lines, - for standard input')
  .option('--out <file>', 'output JSON Lines, - for standard output', '-')
  .option('--as-of <date>', 'scoring date the features are derived as of (default: today, UTC)', isoDate)
  .option('--model-dir <dir>', 'folder with manifest.json and the ONNX file (default: the committed model/)')
  .option('--batch-size <n>', 'rows per ONNX run', positiveInt('--batch-size'), 4096)
  .option('--json', 'print the summary as JSON', false)
  .action(async (opts) => (require('./score-command') as typeof import('./score-command')).runScore({ ...opts, asOf: opts.asOf ?? todayIsoDate() }));

program
  .command('evaluate')
  .description('quality of a drs score output against the drs data file it scored (AUC, calibration, per group)')
  .requiredOption('--data <file>', 'the drs data file')
  .requiredOption('--scores <file>', 'the drs score output for it')
  .option('--json', 'print the metrics as JSON', false)
  .option('--check', 'exit 1 when a gate fails: file pairing (line count, donor ids, labels, skipped lines) or a quality target', false)
  .option('--gate <name=value>', 'override one gate limit of model/training-config.json, e.g. maxSkippedShare=0.05 (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--recalibrate <method>', 'also fit a calibrator (intercept or isotonic) on the first half and report the ECE after it on the second half')
  .action(async (opts) => {
    if (opts.recalibrate && !['intercept', 'isotonic'].includes(opts.recalibrate)) {
      throw new InvalidArgumentError('--recalibrate must be intercept or isotonic');
    }
    return (require('./evaluate-command') as typeof import('./evaluate-command')).runEvaluate(opts);
  });

program
  .command('monitor')
  .description('the monitoring report from files: score and feature drift (PSI) against the training reference, band mix, freshness and, with outcomes, AUC and calibration')
  .requiredOption('--scores <file>', 'score records as JSON Lines (drs score output, a score-table dump or snapshot)')
  .option('--outcomes <file>', 'prediction-log rows (drs export-training) or drs data rows whose truth is the outcome')
  .option('--reference <dir>', 'model folder whose manifest holds the training reference (default: the committed model/)')
  .requiredOption('--out <dir>', 'folder for report.html and figures.json')
  .option('--as-of <date>', 'the run date (default: the newest scoring date in --scores)', isoDate)
  .option('--json', 'print the figures as JSON', false)
  .action(async (opts) => (require('./monitor-command') as typeof import('./monitor-command')).runMonitor(opts));

program
  .command('export-training')
  .description('write the prediction log (outcome table) as training rows: features as they stood before each request, and the outcome')
  .option('--table <name>', 'the outcome table (stack output OutcomeTableName; found by name when omitted)')
  .option('--twin [work-dir]', 'read the local twin kept up by npm start -- --serve (default .drs) instead of AWS')
  .option('--out <file>', 'output JSON Lines, - for standard output', '-')
  .option('--json', 'print the summary as JSON', false)
  .action(async (opts) => (require('./export-training-command') as typeof import('./export-training-command')).runExportTraining(opts));

program
  .command('compare')
  .description('champion against challenger on the same history rows (AUC, calibration, per group, bootstrap intervals, band changes) and which to ship')
  .requiredOption('--champion <dir>', 'the model folder in service (manifest.json + ONNX), e.g. model/')
  .requiredOption('--challenger <dir>', 'the candidate model folder')
  .requiredOption('--data <file>', 'history rows (drs export-training output)')
  .option('--seed <n>', 'bootstrap seed', wholeNumber('--seed', 0), 20261125)
  .option('--resamples <n>', 'bootstrap resamples', wholeNumber('--resamples', 50, 10000), 200)
  .option('--gate <name=value>', 'override one gate limit of model/training-config.json (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--json', 'print the comparison as JSON', false)
  .action(async (opts) => (require('./compare-command') as typeof import('./compare-command')).runCompare(opts));

program
  .command('redrive')
  .description('re-send the events kept in a queue (rejected, failed-scoring, dead-letter, undelivered) to the scoring function, keeping their ids')
  .requiredOption('--queue <name>', 'the queue to drain (its name is in the alert e-mail and the stack outputs)')
  .option('--function <name>', 'AWS: the scoring function to re-send to (stack output ScoringFunctionName)')
  .option('--twin [work-dir]', 'the local twin kept up by npm start -- --serve (default .drs)')
  .option('--dry-run', 'list what would be re-sent; send nothing, delete nothing', false)
  .option('--limit <n>', 'at most this many messages', positiveInt('--limit'))
  .option('--json', 'print the report as JSON', false)
  .action(async (opts) => {
    await (require('./redrive-command') as typeof import('./redrive-command')).runRedrive(opts);
  });

program
  .command('rescore')
  .description('start a registry run in AWS (a refresh of every stored donor, or a backfill of an export in the run bucket) and follow it')
  .requiredOption('--stage <stage>', 'the deployed stage (stack DonorReadiness-<stage>)')
  .option('--as-of <date>', 'scoring date YYYY-MM-DD (default: the day the run starts, UTC)', isoDate)
  .option('--tolerance <x>', 'skip writes whose score moved at most this much, same band and reasons (default 0)', decimalFraction('--tolerance', 0, 0.05))
  .option('--backfill <key>', 'backfill this object of the run bucket (imports/registry.jsonl or .jsonl.gz), or every file under a folder (imports/registry/: an export split into files of <= 10 GB), instead of refreshing')
  .option('--wait', 'follow the run with a progress bar until it ends', false)
  .option('--poll-seconds <n>', 'seconds between progress checks', positiveInt('--poll-seconds'), 10)
  .option('--json', 'print the result as JSON', false)
  .action(async (opts) => {
    await (require('./rescore-command') as typeof import('./rescore-command')).runRescore(opts);
  });
const collect = (value: string, previous: string[] = []) => [...previous, value];

program
  .command('diagnose')
  .description('failure timestamps from a log beside overlay series: bursts, period, co-occurrence, timeline and verdict')
  .option('--log-file <file>', 'any log file (- for standard input): the functions\' JSON lines, or text with --match')
  .option('--twin [work-dir]', 'the local twin\'s function log, <work-dir>/score-donor.log (default .drs)')
  .option('--stage <stage>', 'AWS: stack DonorReadiness-<stage>: the scoring log group (Logs Insights), with its deployments, alarm history, throttles and errors beside it')
  .option('--since <duration>', 'only the last 90m, 24h, 7d... (for a file: before its last line)')
  .option('--overlay <file>', 'CSV or JSON Lines of times (and optional end, label) to compare with; repeatable', collect)
  .option('--match <regex>', 'a failure is a line this matches (any format); default: the functions\' failure lines')
  .option('--year <year>', 'year of syslog times (Nov 25 19:34:08), which carry none', wholeNumber('--year', 1970, 9999))
  .option('--window <duration>', 'how near an overlay event a failure counts as with it (default 5m, less on short logs)')
  .option('--out <dir>', 'write failure-timeline.svg and failure-timeline.html here')
  .option('--json', 'print the report as JSON', false)
  .addHelpText('after', `\nRead-only. With --stage it needs:\n${DIAGNOSE_PERMISSIONS.map((p) => `  - ${p}`).join('\n')}`)
  .action(async (opts) => {
    await (require('./diagnose-command') as typeof import('./diagnose-command')).runDiagnose(opts);
  });

program
  .command('trace')
  .argument('<donor-id>', 'the registry\'s donor id')
  .description('what the pipeline stored and kept about one donor: timeline, verdict and the commands that fix it (read-only)')
  .option('--stage <stage>', 'AWS: the stack DonorReadiness-<stage>')
  .option('--twin [work-dir]', 'the local twin kept up by npm start -- --serve (default .drs)')
  .option('--since <duration>', 'how far back to read the logs (default 14d, as long as the queues keep events)')
  .option('--stale-after <days>', 'a score computed longer ago than this is stale', wholeNumber('--stale-after', 1), 30)
  .option('--json', 'print the trace as JSON', false)
  .addHelpText('after', `\nRead-only. In AWS it needs:\n${TRACE_PERMISSIONS.map((p) => `  - ${p}`).join('\n')}`)
  .action(async (donorId: string, opts) => {
    await (require('./trace-command') as typeof import('./trace-command')).runTrace(donorId, opts);
  });


program
  .command('scores')
  .description('read scores through the read API, as a partner system does')
  .command('get')
  .description('the latest readiness scores of these donors (any number of ids, sent 100 per request)')
  .argument('<donorId...>', 'donor ids')
  .option('--stage <stage>', 'AWS: the deployed stack of this stage (requests signed with your AWS credentials)')
  .option('--twin [work-dir]', 'the local twin kept up by npm start -- --serve (default .drs)')
  .option('--url <url>', 'the read API base URL (stack output ReadApiUrl), signed with your AWS credentials')
  .option('--json', 'print the answer as JSON: {"items": [...], "notFound": [...]}', false)
  .action(async (ids: string[], opts) => {
    await (require('./scores-command') as typeof import('./scores-command')).runScoresGet(ids, opts);
  });

for (const command of program.commands) command.showHelpAfterError(seeHelp(`drs ${command.name()}`));

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`drs: ${(error as Error).message}\n`);
  process.exit(1);
});
