// The `drs` command line: one entry for the data scientist and the operator.
import { Command, InvalidArgumentError } from 'commander';
import { parseIsoDate, todayIsoDate } from '../lambdas/core/calendar';
import { DEFAULT_BASE_RATE, GENERATOR_VARIANTS } from '../model/synthetic-registry';
import { runData } from './data-command';
import { runEvaluate } from './evaluate-command';
import { runRedrive } from './redrive-command';
import { runScore } from './score-command';
import { runScoresGet } from './scores-command';

const positiveInt = (name: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a whole number >= 1`);
  return n;
};
const integer = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError('must be a whole number');
  return n;
};
const isoDate = (value: string) => {
  const date = parseIsoDate(value);
  if (!date) throw new InvalidArgumentError('must be a calendar date YYYY-MM-DD, e.g. 2026-11-23');
  return date;
};
const probability = (value: string) => {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('must be a number between 0 and 1, e.g. 0.55');
  return n;
};

const program = new Command('drs')
  .description('Donor readiness: synthetic data, batch scoring, model checks and redrive')
  .showHelpAfterError();

program
  .command('data')
  .description('write synthetic registry history as JSON Lines: {"detail": DonorUpdated detail, "truth": {...}} per donor')
  .option('--rows <n>', 'how many donors', positiveInt('--rows'), 10_000)
  .option('--seed <s>', 'random seed: the same seed and --as-of give the same bytes', integer, 1)
  .option('--out <file>', 'output file, - for standard output', '-')
  .option('--as-of <date>', 'the date the history is drawn as of (default: today, UTC)', isoDate)
  .option('--base-rate <p>', 'share of donors available at a CT request (0.45 US domestic, 0.77 German registry)', probability, DEFAULT_BASE_RATE)
  .option('--variant <name>', `generator world: ${GENERATOR_VARIANTS.join(', ')} (see MODEL_CARD.md)`, 'baseline')
  .option('--request-date <date>', 'date of the CT requests the outcomes are for (default: --as-of); later ages the same records', isoDate)
  .option('--json', 'print the summary as JSON', false)
  .action((opts) => {
    if (!(GENERATOR_VARIANTS as readonly string[]).includes(opts.variant)) {
      throw new InvalidArgumentError(`--variant must be one of ${GENERATOR_VARIANTS.join(', ')}`);
    }
    const asOf = opts.asOf ?? todayIsoDate();
    if (opts.requestDate && opts.requestDate < asOf) throw new InvalidArgumentError('--request-date must not be before --as-of');
    return runData({ ...opts, asOf });
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
  .action((opts) => runScore({ ...opts, asOf: opts.asOf ?? todayIsoDate() }));

program
  .command('evaluate')
  .description('quality of a drs score output against the drs data file it scored (AUC, calibration, per group)')
  .requiredOption('--data <file>', 'the drs data file')
  .requiredOption('--scores <file>', 'the drs score output for it')
  .option('--json', 'print the metrics as JSON', false)
  .option('--check', 'exit 1 when a gate fails: file pairing (line count, donor ids, labels, skipped lines) or a quality target', false)
  .option('--gate <name=value>', 'override one gate limit of model/training-config.json, e.g. maxSkippedShare=0.05 (repeatable)', (v: string, all: string[]) => [...all, v], [] as string[])
  .option('--recalibrate <method>', 'also fit a calibrator (intercept or isotonic) on the first half and report the ECE after it on the second half')
  .action((opts) => {
    if (opts.recalibrate && !['intercept', 'isotonic'].includes(opts.recalibrate)) {
      throw new InvalidArgumentError('--recalibrate must be intercept or isotonic');
    }
    return runEvaluate(opts);
  });

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
    await runRedrive(opts);
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
    await runScoresGet(ids, opts);
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`drs: ${(error as Error).message}\n`);
  process.exit(1);
});
