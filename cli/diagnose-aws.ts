// `drs diagnose --stage S`: the scoring function's failure lines from CloudWatch Logs Insights, and
// beside them what else happened in the stack: its deployments, its alarms' time in ALARM, and the
// Throttles and Errors of its functions and the throttled requests of its tables.
//
// A Logs Insights query returns at most 10,000 rows. The failure query sorts by time, so a page that
// comes back full is continued from the second of its last row (the rows of that second are asked
// again, so none is lost or counted twice); only a single second holding 10,000 failures or more is
// a sample, and the report says so. The window is cut into a few parts queried at once (Insights
// allows 30 concurrent queries an account; this takes 4). Rows go through the same reader as a local
// file (failure-log.ts) page by page, so memory stays at 12 bytes a failure.
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { alarmHistoryOverlays, metricOverlays, shortLogicalId, stackMetricSpecs, stackResources, type StackResource } from './cloudwatch-overlays';
import { failureLogBuilder, type FailureLog } from './failure-log';
import type { OverlaySeries } from './overlay-series';
import { progressBar } from './terminal';
import { DIAGNOSE_PERMISSIONS } from './permissions';

export const INSIGHTS_ROW_LIMIT = 10_000;
/** Queries in flight at once: Insights allows 30 an account (Standard log class); leave room for others. */
export const INSIGHTS_CONCURRENCY = 4;

export interface InsightsRow {
  /** Insights' `@timestamp`: `2026-11-25 19:34:08.123`, UTC. */
  timestamp: string;
  message: string;
}

/** One Insights query over whole seconds [startSecond, endSecond], both included (as StartQuery reads them). */
export type RunQuery = (startSecond: number, endSecond: number) => Promise<InsightsRow[]>;

export const rowTime = (row: InsightsRow): number => Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(row.timestamp) ? row.timestamp.replace(' ', 'T') : `${row.timestamp.replace(' ', 'T')}Z`);

export interface CollectedRows {
  rows: number;
  queries: number;
  /** Seconds that held at least a query's worth of rows: only the first 10,000 of each were read. */
  sampledSeconds: number;
  sampled: boolean;
}

/**
 * Every row in [startMs, endMs), handed to `onRows` page by page: each part of the window is read
 * from its start, and a full page continues from the second of its last row.
 */
export async function collectRows(
  runQuery: RunQuery,
  startMs: number,
  endMs: number,
  onRows: (rows: InsightsRow[]) => void,
  options: { parts?: number; onProgress?: (secondsDone: number) => void } = {},
): Promise<CollectedRows> {
  const first = Math.floor(startMs / 1000);
  const last = Math.ceil(endMs / 1000) - 1;
  const total = Math.max(0, last - first + 1);
  const parts = Math.max(1, Math.min(options.parts ?? INSIGHTS_CONCURRENCY, total));
  const result: CollectedRows = { rows: 0, queries: 0, sampledSeconds: 0, sampled: false };
  let done = 0;
  const readPart = async (from: number, to: number) => {
    let cursor = from;
    while (cursor <= to) {
      const page = await runQuery(cursor, to);
      result.queries++;
      if (page.length < INSIGHTS_ROW_LIMIT) {
        result.rows += page.length;
        onRows(page);
        done += to - cursor + 1;
        options.onProgress?.(done);
        return;
      }
      const lastSecond = Math.floor(rowTime(page[page.length - 1]) / 1000);
      let next: number;
      if (!(lastSecond > cursor)) {
        // One second holds a page or more: keep what came back and go on with the next second.
        result.sampledSeconds++;
        result.sampled = true;
        result.rows += page.length;
        onRows(page);
        next = cursor + 1;
      } else {
        const whole = page.filter((row) => Math.floor(rowTime(row) / 1000) < lastSecond);
        result.rows += whole.length;
        onRows(whole);
        next = lastSecond;
      }
      done += next - cursor;
      options.onProgress?.(done);
      cursor = next;
    }
  };
  const size = Math.ceil(total / parts);
  await Promise.all(Array.from({ length: parts }, (_, p) => readPart(first + p * size, Math.min(last, first + (p + 1) * size - 1))));
  return result;
}

/** Logs Insights' regex literal for a --match: slashes escaped. */
const insightsRegex = (match: RegExp) => `/${match.source.replace(/(?<!\\)\//g, '\\/')}/`;

export function failureQuery(match?: RegExp): string {
  const filter = match ? `@message like ${insightsRegex(match)}` : `ispresent(failureClass) or level in ["ERROR", "FATAL", "CRITICAL"] or @message like /Task timed out/`;
  return `fields @timestamp, @message | filter ${filter} | sort @timestamp asc | limit ${INSIGHTS_ROW_LIMIT}`;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

export function insightsQuery(client: CloudWatchLogsClient, logGroup: string, queryString: string, pollMs = 300): RunQuery {
  return async (startSecond, endSecond) => {
    let queryId: string | undefined;
    // More queries in flight than the account allows is refused with LimitExceededException: wait and ask again.
    for (let attempt = 0; ; attempt++) {
      try {
        ({ queryId } = await client.send(new StartQueryCommand({ logGroupName: logGroup, startTime: startSecond, endTime: endSecond, queryString, limit: INSIGHTS_ROW_LIMIT })));
        break;
      } catch (error) {
        if ((error as Error).name !== 'LimitExceededException' || attempt >= 8) throw error;
        await sleep(pollMs * 2 ** attempt);
      }
    }
    for (let wait = pollMs; ; wait = Math.min(2 * wait, 5_000)) {
      await sleep(wait);
      const result = await client.send(new GetQueryResultsCommand({ queryId }));
      if (result.status === 'Complete') {
        return (result.results ?? []).map((row) => {
          const f = Object.fromEntries(row.map((c) => [c.field!, c.value ?? '']));
          return { timestamp: f['@timestamp'] ?? '', message: f['@message'] ?? '' };
        });
      }
      if (result.status !== 'Running' && result.status !== 'Scheduled') throw new Error(`the Logs Insights query on ${logGroup} ended ${result.status}`);
    }
  };
}

/** The stack's deployments as an overlay: each update of the stack, from start to completion. */
export async function deployments(cloudformation: CloudFormationClient, stackName: string, fromMs: number): Promise<OverlaySeries[]> {
  const intervals: { start: number; end: number }[] = [];
  let open: number | null = null;
  let token: string | undefined;
  const events: { time: number; status: string }[] = [];
  do {
    const page = await cloudformation.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: token }));
    for (const e of page.StackEvents ?? []) if (e.ResourceType === 'AWS::CloudFormation::Stack' && e.Timestamp) events.push({ time: e.Timestamp.getTime(), status: e.ResourceStatus ?? '' });
    token = page.NextToken;
    if ((page.StackEvents ?? []).some((e) => e.Timestamp && e.Timestamp.getTime() < fromMs)) break;
  } while (token);
  for (const e of events.sort((a, b) => a.time - b.time)) {
    if (e.status.endsWith('_IN_PROGRESS') && open === null) open = e.time;
    else if (e.status.endsWith('_COMPLETE') || e.status.endsWith('_FAILED')) {
      intervals.push({ start: open ?? e.time, end: e.time });
      open = null;
    }
  }
  const inRange = intervals.filter((i) => i.end >= fromMs);
  return inRange.length ? [{ label: 'stack deployments', intervals: inRange }] : [];
}

/** What `drs diagnose --stage` needs, all read-only. */
export { DIAGNOSE_PERMISSIONS };

export interface AwsClients {
  cloudformation: CloudFormationClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  now?: () => number;
  pollMs?: number;
}

export interface AwsRead {
  log: FailureLog;
  from: number;
  to: number;
  sampled: boolean;
  overlays: OverlaySeries[];
  /** What else was read, in plain words (including what could not be, and why). */
  context: string[];
}

export interface AwsLogSource {
  describe: string;
  read(options: { match?: RegExp; year?: number; sinceMs?: number }): Promise<AwsRead>;
}

const plural = (n: number, word: string, words = `${word}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? word : words}`;
const why = (error: unknown) => `${(error as Error).name}: ${(error as Error).message}`;

export function awsLogSource(stage: string, clients?: AwsClients): AwsLogSource {
  const stackName = `DonorReadiness-${stage}`;
  return {
    describe: `stack ${stackName} (CloudWatch Logs Insights)`,
    async read({ match, year, sinceMs }) {
      const cloudformation = clients?.cloudformation ?? new CloudFormationClient({});
      const logs = clients?.logs ?? new CloudWatchLogsClient({});
      const cloudwatch = clients?.cloudwatch ?? new CloudWatchClient({});
      let logGroup: string | undefined;
      try {
        const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
        logGroup = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'ScoringLogGroup')?.OutputValue;
      } catch (error) {
        throw new Error(`cannot read stack ${stackName} (${why(error)}): check the stage, region and credentials; drs diagnose --stage needs ${DIAGNOSE_PERMISSIONS.join('; ')}`);
      }
      if (!logGroup) throw new Error(`stack ${stackName} has no output ScoringLogGroup: deploy this version of the stack`);
      const end = (clients?.now ?? Date.now)();
      const start = end - (sinceMs ?? 24 * 3_600_000);
      const builder = failureLogBuilder({ match, year });
      const progress = progressBar('Logs Insights (seconds read)', Math.ceil((end - start) / 1000));
      let collected: CollectedRows;
      try {
        collected = await collectRows(
          insightsQuery(logs, logGroup, failureQuery(match), clients?.pollMs),
          start,
          end,
          // Each row as a log line: Insights' own timestamp first, for lines that carry none.
          (rows) => rows.forEach((r) => builder.line(`${r.timestamp.replace(' ', 'T')}Z ${r.message.replace(/\r?\n/g, ' ')}`)),
          { onProgress: (done) => progress.tick(done) },
        );
      } finally {
        progress.stop();
      }
      const context = [
        `Logs Insights on ${logGroup}: ${plural(collected.queries, 'query', 'queries')}, ${plural(collected.rows, 'row')}${collected.sampled ? `; ${plural(collected.sampledSeconds, 'second')} held more than a query returns (10,000 rows), so only the first 10,000 of each were read` : ''}.`,
      ];
      const overlays: OverlaySeries[] = [];
      try {
        overlays.push(...(await deployments(cloudformation, stackName, start)));
      } catch (error) {
        context.push(`Stack deployments not read (${why(error)}): needs cloudformation:DescribeStackEvents.`);
      }
      let resources: StackResource[] = [];
      try {
        resources = await stackResources(cloudformation, stackName);
      } catch (error) {
        context.push(`Alarms, throttles and errors not read: the stack's resources could not be listed (${why(error)}); needs cloudformation:ListStackResources.`);
      }
      if (resources.length) {
        const alarms = resources.filter((r) => r.type === 'AWS::CloudWatch::Alarm' || r.type === 'AWS::CloudWatch::CompositeAlarm');
        try {
          const byName = new Map(alarms.map((a) => [a.physicalId, shortLogicalId(a.logicalId)]));
          const history = await alarmHistoryOverlays(cloudwatch, [...byName.keys()], start, end, (name) => `alarm ${byName.get(name) ?? name}`);
          overlays.push(...history.series);
          context.push(`Alarm history: ${plural(alarms.length, 'alarm')} of the stack, ${plural(history.changes, 'state change')}; ${history.series.length ? `${plural(history.series.length, 'alarm')} went to ALARM` : 'none went to ALARM'}.`);
        } catch (error) {
          context.push(`Alarm history not read (${why(error)}): needs cloudwatch:DescribeAlarmHistory on the stack's alarms.`);
        }
        const specs = stackMetricSpecs(resources);
        const functions = resources.filter((r) => r.type === 'AWS::Lambda::Function').length;
        try {
          const metrics = await metricOverlays(cloudwatch, specs, start, end, end);
          overlays.push(...metrics.series);
          context.push(
            `Metrics (sums per ${metrics.periodSeconds >= 3600 ? `${metrics.periodSeconds / 3600} h` : `${metrics.periodSeconds / 60} min`}): Throttles and Errors of ${plural(functions, 'function')}, throttled requests of ${plural(specs.length - 2 * functions, 'table')}; ${metrics.series.length ? `${plural(metrics.series.length, 'series', 'series')} above zero (${metrics.series.map((s) => s.label).join(', ')})` : 'all at zero'}.`,
          );
        } catch (error) {
          context.push(`Throttles and errors not read (${why(error)}): needs cloudwatch:GetMetricData.`);
        }
      }
      return { log: builder.finish(), from: start, to: end, sampled: collected.sampled, overlays, context };
    },
  };
}
