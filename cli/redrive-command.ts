// `drs redrive`: re-sends the events kept in a queue to the scoring function, in AWS (an
// asynchronous Lambda invoke, so Lambda's retries and on-failure queue apply again) or on the
// local twin that `npm start -- --serve` keeps up (the bundled handler, with the same semantics).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { resolve } from 'node:path';
import { deliverAll } from '../twin/local-delivery';
import { loadHandler } from '../twin/local-function';
import type { BusEvent } from '../twin/donor-update-stream';
import { withCapturedLogs } from '../twin/captured-logs';
import { readTwinSession } from '../twin/twin-session';
import { redriveQueue, type RedriveReport, type ResendResult } from './redrive';
import { fail, progressBar } from './terminal';

export interface RedriveCommandOptions {
  queue: string;
  function?: string;
  twin?: string | boolean;
  dryRun: boolean;
  limit?: number;
  json: boolean;
}

interface RedriveTarget {
  describe: string;
  sqs: SQSClient;
  resend(event: Record<string, unknown>): Promise<ResendResult>;
  /** Runs the redrive with whatever the target needs around it (the twin keeps handler logs in its log file). */
  around<T>(work: () => Promise<T>): Promise<T>;
}

const errorText = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;

function awsTarget(functionName: string): RedriveTarget {
  const lambda = new LambdaClient({});
  return {
    describe: `function ${functionName}`,
    // The queue URL's host is the regional endpoint in AWS; honour AWS_ENDPOINT_URL_SQS when set.
    sqs: new SQSClient({ useQueueUrlAsEndpoint: false }),
    async resend(event) {
      try {
        const { StatusCode } = await lambda.send(
          new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(event)) }),
        );
        return StatusCode === 202 ? { accepted: true } : { accepted: false, error: `Lambda answered ${StatusCode}, not 202 (queued)` };
      } catch (error) {
        return { accepted: false, error: errorText(error) };
      }
    },
    around: (work) => work(),
  };
}

function twinTarget(workDir: string): RedriveTarget {
  const session = readTwinSession(workDir);
  try {
    process.kill(session.pid, 0);
  } catch {
    throw new Error(`the local twin that wrote ${workDir}/twin.json (pid ${session.pid}) is not running: start it with npm start -- --serve`);
  }
  const fn = session.scoringFunction;
  const sqs = new SQSClient({
    region: session.env.AWS_REGION,
    endpoint: session.env.AWS_ENDPOINT_URL_SQS,
    credentials: { accessKeyId: session.env.AWS_ACCESS_KEY_ID, secretAccessKey: session.env.AWS_SECRET_ACCESS_KEY },
  });
  let handler: ReturnType<typeof loadHandler> | undefined;
  return {
    describe: `the local twin's scoring function (${workDir})`,
    sqs,
    async resend(event) {
      handler ??= loadHandler(fn.handlerFile, fn.handlerExport, { ...fn.environment, ...session.env });
      try {
        const [record] = await deliverAll([event as unknown as BusEvent], { matches: () => true, handler, fn, sqs, functionArn: session.functionArn, concurrency: 1 });
        return twinResendResult(record);
      } catch (error) {
        return { accepted: false, error: errorText(error) };
      }
    },
    around: (work) => withCapturedLogs(resolve(workDir, 'score-donor.log'), work),
  };
}

/** Fates of a re-sent event on the twin that account for it: it was scored, or kept again in a queue. */
const ACCOUNTED_FATES = new Set(['scored', 'stale', 'rejected', 'dead-lettered']);

/**
 * A re-send through the twin is accepted only when its event ended somewhere: scored, stale, or kept
 * again in a queue. An event no queue kept (`undelivered`) is not accounted for: its message stays.
 */
export function twinResendResult(record: { fate: string; reason?: string }): ResendResult {
  if (!ACCOUNTED_FATES.has(record.fate)) return { accepted: false, error: `the twin kept the event nowhere (${record.fate}${record.reason ? `: ${record.reason}` : ''})` };
  return { accepted: true, fate: record.fate };
}

/** What would move, one line per message: event id, class, field and rule (or error). No donor data. */
export function dryRunListing(report: RedriveReport): string[] {
  const listed = report.items.filter((i) => i.action === 'would-resend');
  if (listed.length === 0) return [];
  const rows = listed.map((i) => [i.eventId ?? `(no event id; message ${i.messageId})`, i.failure?.failureClass ?? 'unknown', i.failure?.field ?? '', i.failure?.rule ?? i.failure?.error ?? '']);
  const header = ['event id', 'class', 'field', 'rule or error'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => `  ${cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}`.trimEnd();
  return ['would move:', line(header), ...rows.map(line)];
}

export function formatRedriveReport(queue: string, target: string, report: RedriveReport): string {
  const lines = [`redrive ${queue} -> ${target}: ${report.received} message${report.received === 1 ? '' : 's'}${report.dryRun ? ' (dry run: nothing sent, nothing deleted)' : ''}`];
  if (report.dryRun) lines.push(`  would re-send         ${String(report.wouldResend).padStart(6)}`);
  else lines.push(`  re-sent and deleted   ${String(report.resent).padStart(6)}`);
  const fates = Object.entries(report.byFate);
  if (fates.length) lines.push(`  outcome               ${fates.map(([f, n]) => `${f} ${n}`).join(', ')}`);
  if (report.duplicates) {
    const what = report.dryRun ? 'would be deleted: second copies of events it would re-send' : 'deleted: second copies of events re-sent above, in the queue before the re-send';
    lines.push(`  duplicates            ${String(report.duplicates).padStart(6)}  ${what} (delivery is at least once)`);
  }
  const kept = report.items.filter((i) => i.action.startsWith('kept'));
  if (kept.length) lines.push(`  kept in the queue     ${String(kept.length).padStart(6)}`);
  const cameBack = kept.filter((i) => i.action === 'kept-seen-this-run').length;
  if (cameBack) lines.push(`    ${cameBack} came back in this run (rejected or failed again): read the cause in the log or alert e-mail before redriving again`);
  const notDeleted = report.items.filter((i) => i.action === 'resent' && i.problem);
  if (notDeleted.length) lines.push(`  re-sent, not deleted  ${String(notDeleted.length).padStart(6)}  ${notDeleted[0].problem}`);
  const undecided = kept.filter((i) => i.action === 'kept-undecided').length;
  if (undecided) lines.push(`    ${undecided} second cop${undecided === 1 ? 'y' : 'ies'} of events ${report.dryRun ? 'listed' : 're-sent'} above that cannot be told from a comeback yet (no time from SQS, or sent moments ago): kept; a later run sorts them`);
  const problems = kept.filter((i) => i.action !== 'kept-seen-this-run' && i.action !== 'kept-undecided');
  for (const i of problems.slice(0, 20)) lines.push(`    ${i.eventId ?? `message ${i.messageId}`}: ${i.problem}`);
  if (problems.length > 20) lines.push(`    ... and ${problems.length - 20} more (use --json for all)`);
  if (report.dryRun) lines.push(...dryRunListing(report));
  const copies = report.dryRun ? report.items.filter((i) => i.action === 'would-delete-duplicate') : [];
  if (copies.length) lines.push('would delete as duplicates (the same event as a message listed above):', ...copies.map((i) => `  ${i.eventId}  (message ${i.messageId})`));
  if (report.dryRun && report.wouldResend) lines.push('Run again without --dry-run to re-send them.');
  return lines.join('\n');
}

export async function runRedrive(options: RedriveCommandOptions): Promise<RedriveReport> {
  if (Boolean(options.function) === Boolean(options.twin)) {
    fail('say where to re-send: --function <scoring function name> (AWS: in the alert e-mail and the stack output ScoringFunctionName) or --twin [work dir] (the local twin of npm start -- --serve)');
  }
  let target: RedriveTarget;
  try {
    target = options.function ? awsTarget(options.function) : twinTarget(typeof options.twin === 'string' ? options.twin : '.drs');
  } catch (error) {
    fail((error as Error).message);
  }
  let queueUrl: string;
  try {
    queueUrl = (await target.sqs.send(new GetQueueUrlCommand({ QueueName: options.queue }))).QueueUrl!;
  } catch (error) {
    fail(`cannot find queue ${options.queue} (${errorText(error)}): queue names are in the alert e-mail and in the stack outputs (RejectedQueueName, FailedQueueName, DeadLetterQueueName, UndeliveredQueueName)`);
  }
  const progress = progressBar(options.dryRun ? 'reading' : 'redriving', options.limit);
  const report = await target.around(() =>
    redriveQueue({ sqs: target.sqs, queueUrl, resend: (e) => target.resend(e), dryRun: options.dryRun, limit: options.limit, onProgress: (n) => progress.tick(n) }),
  );
  progress.stop();
  process.stdout.write(`${options.json ? JSON.stringify(report) : formatRedriveReport(options.queue, target.describe, report)}\n`);
  if (report.items.some((i) => i.action === 'kept-resend-failed' || i.action === 'kept-unreadable')) process.exitCode = 1;
  return report;
}
