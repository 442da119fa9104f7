// `drs diagnose --stage S`: the scoring function's failure lines from CloudWatch Logs Insights.
// A query returns at most 10,000 rows, so the time range is split in halves wherever a query comes
// back full, down to one minute; a minute that still holds more is a sample, and the report says
// so. The rows go through the same reader as a local file (failure-log.ts), and the stack's
// deployments become an overlay series.
import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient, GetQueryResultsCommand, StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { Readable } from 'node:stream';
import { readFailureLog, type FailureLog } from './failure-log';
import type { OverlaySeries } from './overlay-series';

export const INSIGHTS_ROW_LIMIT = 10_000;
const SMALLEST_SPLIT_MS = 60_000;

export interface InsightsRow {
  timestamp: string;
  message: string;
}

export type RunQuery = (startMs: number, endMs: number) => Promise<InsightsRow[]>;

/**
 * Every row in [start, end): a range whose query returns the row limit is split in two and
 * queried again; `sampled` is true when a range of the smallest size was still full.
 */
export async function collectRows(runQuery: RunQuery, startMs: number, endMs: number, onRange?: (done: number) => void): Promise<{ rows: InsightsRow[]; sampled: boolean; queries: number }> {
  const rows: InsightsRow[] = [];
  let sampled = false;
  let queries = 0;
  const ranges: [number, number][] = [[startMs, endMs]];
  while (ranges.length) {
    const [from, to] = ranges.shift()!;
    const page = await runQuery(from, to);
    queries++;
    if (page.length >= INSIGHTS_ROW_LIMIT && to - from > SMALLEST_SPLIT_MS) {
      const middle = from + Math.floor((to - from) / 2);
      ranges.unshift([from, middle], [middle, to]);
      continue;
    }
    if (page.length >= INSIGHTS_ROW_LIMIT) sampled = true;
    rows.push(...page);
    onRange?.(queries);
  }
  return { rows, sampled, queries };
}

/** Logs Insights' regex literal for a --match: slashes escaped. */
const insightsRegex = (match: RegExp) => `/${match.source.replace(/(?<!\\)\//g, '\\/')}/`;

export function failureQuery(match?: RegExp): string {
  const filter = match ? `@message like ${insightsRegex(match)}` : `ispresent(failureClass) or level in ["ERROR", "FATAL", "CRITICAL"] or @message like /Task timed out/`;
  return `fields @timestamp, @message | filter ${filter} | sort @timestamp asc | limit ${INSIGHTS_ROW_LIMIT}`;
}

function insightsQuery(client: CloudWatchLogsClient, logGroup: string, queryString: string): RunQuery {
  return async (startMs, endMs) => {
    const { queryId } = await client.send(
      new StartQueryCommand({ logGroupName: logGroup, startTime: Math.floor(startMs / 1000), endTime: Math.ceil(endMs / 1000) - 1, queryString }),
    );
    for (let wait = 300; ; wait = Math.min(2 * wait, 5_000)) {
      await new Promise((done) => setTimeout(done, wait));
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
async function deployments(cloudformation: CloudFormationClient, stackName: string, fromMs: number): Promise<OverlaySeries[]> {
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

export interface AwsLogSource {
  describe: string;
  read(options: { match?: RegExp; year?: number; sinceMs?: number }): Promise<{ log: FailureLog; from?: number; sampled: boolean; overlays: OverlaySeries[] }>;
}

export function awsLogSource(stage: string): AwsLogSource {
  const stackName = `DonorReadiness-${stage}`;
  return {
    describe: `stack ${stackName} (CloudWatch Logs Insights)`,
    async read({ match, year, sinceMs }) {
      const cloudformation = new CloudFormationClient({});
      let logGroup: string | undefined;
      try {
        const { Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
        logGroup = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'ScoringLogGroup')?.OutputValue;
      } catch (error) {
        throw new Error(`cannot read stack ${stackName} (${(error as Error).name}: ${(error as Error).message}): check the stage, region and credentials (needs cloudformation:DescribeStacks, logs:StartQuery, logs:GetQueryResults)`);
      }
      if (!logGroup) throw new Error(`stack ${stackName} has no output ScoringLogGroup: deploy this version of the stack`);
      const end = Date.now();
      const start = end - (sinceMs ?? 24 * 3_600_000);
      const { rows, sampled } = await collectRows(insightsQuery(new CloudWatchLogsClient({}), logGroup, failureQuery(match)), start, end);
      // Each row as a log line: Insights' own timestamp first, for lines that carry none.
      const lines = rows.map((r) => `${r.timestamp.replace(' ', 'T')}Z ${r.message.replace(/\n/g, ' ')}\n`);
      const log = await readFailureLog(Readable.from(lines), { match, year });
      return { log, from: start, sampled, overlays: await deployments(cloudformation, stackName, start).catch(() => []) };
    },
  };
}
