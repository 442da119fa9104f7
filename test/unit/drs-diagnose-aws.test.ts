// `drs diagnose --stage` against a fake AWS boundary that behaves as the services document: Logs
// Insights (whole seconds, both ends included, sorted, at most 10,000 rows a query, a limit on
// concurrent queries), CloudFormation (paged stack events and resources) and CloudWatch (paged alarm
// history, GetMetricData's 500 queries and 100,800 data points a request). The failures, alarms and
// metrics are drawn by the test, so what the report must say is known.
import { DescribeStackEventsCommand, DescribeStacksCommand, ListStackResourcesCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmHistoryCommand, GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { GetQueryResultsCommand, StartQueryCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { alarmHistoryOverlays, metricPeriodSeconds, stackMetricSpecs } from '../../cli/cloudwatch-overlays';
import { awsLogSource, collectRows, failureQuery, INSIGHTS_ROW_LIMIT, type InsightsRow } from '../../cli/diagnose-aws';
import { diagnose } from '../../cli/failure-diagnosis';
import { timelineSvg } from '../../cli/timeline-plot';
import { lowerBound, seededRandom } from '../../lambdas/core/failure-pattern';
import { drawPattern, HOUR, MINUTE } from '../fixtures/failure-logs';

const END = Date.UTC(2026, 10, 25, 12);
const START = END - 24 * HOUR;
const insightsTime = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

/** A log group as Logs Insights answers the failure query: rows in [start s, end s] (inclusive), sorted, 10,000 at most. */
function fakeInsights(times: number[], options: { maxConcurrent?: number; refuseFirst?: number } = {}) {
  const sorted = Float64Array.from(times).sort();
  const queries: { start: number; end: number }[] = [];
  const results = new Map<string, { field: string; value: string }[][]>();
  let inFlight = 0;
  let peak = 0;
  let refusals = options.refuseFirst ?? 0;
  const client = {
    async send(command: unknown) {
      if (command instanceof StartQueryCommand) {
        const { startTime, endTime, queryString } = command.input;
        expect(Number.isInteger(startTime) && Number.isInteger(endTime) && endTime! >= startTime!).toBe(true);
        expect(queryString).toContain('sort @timestamp asc | limit 10000');
        if (refusals > 0) {
          refusals--;
          throw Object.assign(new Error('too many concurrent queries'), { name: 'LimitExceededException' });
        }
        if (inFlight >= (options.maxConcurrent ?? 30)) throw Object.assign(new Error('too many concurrent queries'), { name: 'LimitExceededException' });
        inFlight++;
        peak = Math.max(peak, inFlight);
        queries.push({ start: startTime!, end: endTime! });
        const from = startTime! * 1000;
        const to = (endTime! + 1) * 1000;
        const rows: { field: string; value: string }[][] = [];
        for (let i = lowerBound(sorted, from); i < sorted.length && sorted[i] < to && rows.length < INSIGHTS_ROW_LIMIT; i++) {
          const t = sorted[i];
          rows.push([
            { field: '@timestamp', value: insightsTime(t) },
            { field: '@message', value: JSON.stringify({ level: 'ERROR', message: 'scoring failed', timestamp: new Date(t).toISOString(), failureClass: 'failed', error: 'ProvisionedThroughputExceededException: Rate of requests exceeds the allowed throughput' }) },
          ]);
        }
        const queryId = `q${queries.length}`;
        results.set(queryId, rows);
        return { queryId };
      }
      if (command instanceof GetQueryResultsCommand) {
        const rows = results.get(command.input.queryId!)!;
        results.delete(command.input.queryId!);
        inFlight--;
        return { status: 'Complete', results: rows };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  };
  return { client: client as unknown as CloudWatchLogsClient, queries, peak: () => peak };
}

describe('Logs Insights pagination', () => {
  // A row every second for two hours, plus 12,000 rows inside one second.
  const crowded = Math.floor((START + HOUR) / 1000) * 1000;
  const times = [...Array.from({ length: 7200 }, (_, i) => START + i * 1000 + 500), ...Array.from({ length: 12_000 }, (_, i) => crowded + i / 100)];

  it('continues a full page from the second of its last row: every row once, only the crowded second sampled', async () => {
    const insights = fakeInsights(times);
    const seen: number[] = [];
    const run = (from: number, to: number) =>
      insights.client.send(new StartQueryCommand({ startTime: from, endTime: to, queryString: failureQuery(), logGroupName: 'g' })).then(async ({ queryId }) => {
        const { results } = await insights.client.send(new GetQueryResultsCommand({ queryId }));
        return results!.map((r) => ({ timestamp: r[0].value!, message: r[1].value! }) as InsightsRow);
      });
    const collected = await collectRows(run, START, START + 2 * HOUR, (rows) => rows.forEach((r) => seen.push(Date.parse(`${r.timestamp.replace(' ', 'T')}Z`))), { parts: 1 });
    // The crowded second holds 12,001 rows (its own row every second among them): 10,000 are read.
    expect(collected).toMatchObject({ sampled: true, sampledSeconds: 1, rows: 7199 + INSIGHTS_ROW_LIMIT });
    expect(seen).toHaveLength(7199 + INSIGHTS_ROW_LIMIT);
    // No row twice; every row outside the crowded second is there.
    const ordinary = seen.filter((t) => Math.floor(t / 1000) * 1000 !== crowded);
    expect(ordinary).toHaveLength(7199);
    expect(new Set(ordinary).size).toBe(7199);
    const got = new Set(seen);
    expect(times.filter((t) => Math.floor(t / 1000) * 1000 !== crowded).every((t) => got.has(t))).toBe(true);
    // Pages: 0-10,000 rows up to the crowded second, that second, then the rest: a handful, not one per minute.
    expect(collected.queries).toBeLessThanOrEqual(4);
    expect(insights.queries[0]).toEqual({ start: START / 1000, end: (START + 2 * HOUR) / 1000 - 1 });
  });

  it('reads a quiet window in one query per part, and the parts cover it exactly once', async () => {
    const insights = fakeInsights(times.slice(0, 3600));
    let rows = 0;
    const run = (from: number, to: number) =>
      insights.client.send(new StartQueryCommand({ startTime: from, endTime: to, queryString: failureQuery(), logGroupName: 'g' })).then(async ({ queryId }) => {
        const { results } = await insights.client.send(new GetQueryResultsCommand({ queryId }));
        return results!.map((r) => ({ timestamp: r[0].value!, message: r[1].value! }));
      });
    const collected = await collectRows(run, START, START + HOUR + 1, (page) => (rows += page.length));
    expect(collected).toMatchObject({ sampled: false, queries: 4, rows: 3600 });
    expect(rows).toBe(3600);
    const covered = insights.queries.map((q) => [q.start, q.end]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < covered.length; i++) expect(covered[i][0]).toBe(covered[i - 1][1] + 1);
    expect(covered[0][0]).toBe(START / 1000);
    expect(covered[covered.length - 1][1]).toBe(Math.ceil((START + HOUR + 1) / 1000) - 1);
  });

  it('asks Insights for the functions\' failure lines, or for --match', () => {
    expect(failureQuery()).toBe('fields @timestamp, @message | filter ispresent(failureClass) or level in ["ERROR", "FATAL", "CRITICAL"] or @message like /Task timed out/ | sort @timestamp asc | limit 10000');
    expect(failureQuery(/success=no|a\/b|c\/d/)).toContain('filter @message like /success=no|a\\/b|c\\/d/ |');
    expect(failureQuery(new RegExp('x/y'))).toContain('like /x\\/y/ |');
  });
});

describe('metric periods and specs', () => {
  it('uses minutes while CloudWatch keeps them, and at most 1,440 points a series', () => {
    expect(metricPeriodSeconds(START, END, END)).toBe(60);
    expect(metricPeriodSeconds(END - 7 * 24 * HOUR, END, END)).toBe(420);
    expect(metricPeriodSeconds(END - 20 * 24 * HOUR, END - 19 * 24 * HOUR, END)).toBe(300);
    expect(metricPeriodSeconds(END - 90 * 24 * HOUR, END - 89 * 24 * HOUR, END)).toBe(3600);
  });

  it('asks for each function\'s Throttles and Errors and each table\'s read and write throttles', () => {
    const specs = stackMetricSpecs([
      { type: 'AWS::Lambda::Function', logicalId: 'ScoringFunctionHandler1A2B3C4D', physicalId: 'DonorReadiness-prod-Scoring-abc' },
      { type: 'AWS::DynamoDB::Table', logicalId: 'ScoreStoreTable0F1E2D3C', physicalId: 'DonorReadiness-prod-ScoreTable-xyz' },
      { type: 'AWS::SQS::Queue', logicalId: 'Q', physicalId: 'https://sqs/q' },
    ]);
    expect(specs).toEqual([
      { label: 'throttles ScoringFunctionHandler', metrics: [{ namespace: 'AWS/Lambda', name: 'Throttles', dimensions: { FunctionName: 'DonorReadiness-prod-Scoring-abc' } }] },
      { label: 'errors ScoringFunctionHandler', metrics: [{ namespace: 'AWS/Lambda', name: 'Errors', dimensions: { FunctionName: 'DonorReadiness-prod-Scoring-abc' } }] },
      {
        label: 'throttled requests ScoreStoreTable',
        metrics: [
          { namespace: 'AWS/DynamoDB', name: 'ReadThrottleEvents', dimensions: { TableName: 'DonorReadiness-prod-ScoreTable-xyz' } },
          { namespace: 'AWS/DynamoDB', name: 'WriteThrottleEvents', dimensions: { TableName: 'DonorReadiness-prod-ScoreTable-xyz' } },
        ],
      },
    ]);
  });
});

// The stack as CloudFormation and CloudWatch describe it.
const STACK = 'DonorReadiness-test';
const SCORING = 'DonorReadiness-test-ScoringHandler-abc';
const TABLE = 'DonorReadiness-test-ScoreTable-xyz';
const OTHER_FUNCTIONS = Array.from({ length: 80 }, (_, i) => `DonorReadiness-test-Helper${i}-fn`);
const resources = [
  { ResourceType: 'AWS::Lambda::Function', LogicalResourceId: 'ScoringFunctionHandler1A2B3C4D', PhysicalResourceId: SCORING, ResourceStatus: 'UPDATE_COMPLETE' },
  ...OTHER_FUNCTIONS.map((name, i) => ({ ResourceType: 'AWS::Lambda::Function', LogicalResourceId: `Helper${i}`, PhysicalResourceId: name, ResourceStatus: 'CREATE_COMPLETE' })),
  { ResourceType: 'AWS::DynamoDB::Table', LogicalResourceId: 'ScoreStoreTable0F1E2D3C', PhysicalResourceId: TABLE, ResourceStatus: 'CREATE_COMPLETE' },
  { ResourceType: 'AWS::CloudWatch::Alarm', LogicalResourceId: 'ScoringErrorsAlarm5E6F7A8B', PhysicalResourceId: 'DonorReadiness-test-ScoringErrors', ResourceStatus: 'CREATE_COMPLETE' },
  { ResourceType: 'AWS::CloudWatch::Alarm', LogicalResourceId: 'FreshnessAlarm', PhysicalResourceId: 'DonorReadiness-test-Freshness', ResourceStatus: 'CREATE_COMPLETE' },
  { ResourceType: 'AWS::CloudWatch::Alarm', LogicalResourceId: 'QuietAlarm', PhysicalResourceId: 'DonorReadiness-test-Quiet', ResourceStatus: 'CREATE_COMPLETE' },
  { ResourceType: 'AWS::SQS::Queue', LogicalResourceId: 'Rejected', PhysicalResourceId: 'https://sqs.eu-west-1.amazonaws.com/1/rejected', ResourceStatus: 'CREATE_COMPLETE' },
];

function fakeCloudFormation(options: { listFails?: boolean } = {}) {
  const client = {
    async send(command: unknown) {
      if (command instanceof DescribeStacksCommand) return { Stacks: [{ StackName: STACK, Outputs: [{ OutputKey: 'ScoringLogGroup', OutputValue: '/aws/lambda/scoring' }] }] };
      if (command instanceof DescribeStackEventsCommand) {
        // Newest first, as CloudFormation lists them: one deployment in the window, one before it.
        return {
          StackEvents: [
            { ResourceType: 'AWS::CloudFormation::Stack', Timestamp: new Date(START + 5 * HOUR + 4 * MINUTE), ResourceStatus: 'UPDATE_COMPLETE' },
            { ResourceType: 'AWS::Lambda::Function', Timestamp: new Date(START + 5 * HOUR + 2 * MINUTE), ResourceStatus: 'UPDATE_COMPLETE' },
            { ResourceType: 'AWS::CloudFormation::Stack', Timestamp: new Date(START + 5 * HOUR), ResourceStatus: 'UPDATE_IN_PROGRESS' },
            { ResourceType: 'AWS::CloudFormation::Stack', Timestamp: new Date(START - 3 * HOUR), ResourceStatus: 'CREATE_COMPLETE' },
          ],
        };
      }
      if (command instanceof ListStackResourcesCommand) {
        if (options.listFails) throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
        // 50 a page, as the API pages them.
        const from = Number(command.input.NextToken ?? 0);
        const page = resources.slice(from, from + 50);
        return { StackResourceSummaries: page, NextToken: from + 50 < resources.length ? String(from + 50) : undefined };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  };
  return client as unknown as CloudFormationClient;
}

interface CloudWatchStory {
  /** State changes per alarm name. */
  alarms: Record<string, { time: number; from: string; to: string }[]>;
  /** Per metric (namespace/name/dimension value): sums per minute. */
  metric: (namespace: string, name: string, dimension: string, minute: number) => number;
  metricsFail?: boolean;
}

function fakeCloudWatch(story: CloudWatchStory) {
  const requests: { queries: number; points: number }[] = [];
  const historyCalls: string[] = [];
  const client = {
    async send(command: unknown) {
      if (command instanceof DescribeAlarmHistoryCommand) {
        const { AlarmName, MaxRecords, NextToken, StartDate, EndDate, HistoryItemType } = command.input;
        expect(MaxRecords).toBeLessThanOrEqual(100);
        expect(HistoryItemType).toBe('StateUpdate');
        historyCalls.push(AlarmName!);
        const all = (story.alarms[AlarmName!] ?? []).filter((c) => c.time >= StartDate!.getTime() && c.time <= EndDate!.getTime());
        const from = Number(NextToken ?? 0);
        const page = all.slice(from, from + MaxRecords!);
        return {
          AlarmHistoryItems: page.map((c) => ({
            AlarmName,
            Timestamp: new Date(c.time),
            HistoryItemType: 'StateUpdate',
            HistorySummary: `Alarm updated from ${c.from} to ${c.to}`,
            HistoryData: JSON.stringify({ version: '1.0', oldState: { stateValue: c.from }, newState: { stateValue: c.to } }),
          })),
          NextToken: from + MaxRecords! < all.length ? String(from + MaxRecords!) : undefined,
        };
      }
      if (command instanceof GetMetricDataCommand) {
        if (story.metricsFail) throw Object.assign(new Error('User is not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied' });
        const { MetricDataQueries, StartTime, EndTime, NextToken } = command.input;
        const queries = MetricDataQueries as MetricDataQuery[];
        const minutes = Math.ceil((EndTime!.getTime() - StartTime!.getTime()) / MINUTE);
        requests.push({ queries: queries.length, points: queries.length * minutes });
        if (queries.length > 500 || queries.length * minutes > 100_800) throw Object.assign(new Error('too many data points'), { name: 'InvalidParameterCombination' });
        // Half the series on the first page, the rest on the next (as the API pages large answers).
        const half = Math.ceil(queries.length / 2);
        const slice = NextToken ? queries.slice(half) : queries.slice(0, half);
        return {
          MetricDataResults: slice.map((q) => {
            expect(q.MetricStat!.Period).toBe(60);
            const metric = q.MetricStat!.Metric!;
            const timestamps: Date[] = [];
            const values: number[] = [];
            for (let m = 0; m < minutes; m++) {
              const value = story.metric(metric.Namespace!, metric.MetricName!, metric.Dimensions![0].Value!, m);
              timestamps.push(new Date(StartTime!.getTime() + m * MINUTE));
              values.push(value);
            }
            return { Id: q.Id, Label: metric.MetricName, Timestamps: timestamps, Values: values, StatusCode: 'Complete' };
          }),
          NextToken: NextToken ? undefined : 'page-2',
        };
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  };
  return { client: client as unknown as CloudWatchClient, requests, historyCalls };
}

describe('drs diagnose --stage (a fake AWS boundary)', () => {
  // Failures in windows every 30 minutes, 10 a second at the peak: more than one query's worth a day.
  const pattern = drawPattern({ seed: 41, start: START, hours: 24, periodMinutes: 30, jitterMinutes: 8, windowMinutes: 2, windowRate: 300, noisePerHour: 20, okPerHour: 0 });
  const windowMinute = new Set(pattern.windows.flatMap((w) => [0, 1, 2].map((k) => Math.floor((w - START) / MINUTE) + k)));
  const random = seededRandom(42);
  // The errors alarm goes to ALARM in step with most windows; the freshness alarm was in ALARM when
  // the window began and flaps 120 times later on, unrelated; the quiet alarm never changes.
  const errorsAlarm = pattern.windows.slice(0, 40).flatMap((w) => [
    { time: w + MINUTE, from: 'OK', to: 'ALARM' },
    { time: w + 4 * MINUTE, from: 'ALARM', to: 'OK' },
  ]);
  const flapping = [{ time: START + 2 * HOUR, from: 'ALARM', to: 'OK' }];
  for (let i = 0; i < 120; i++) {
    const at = START + 10 * HOUR + i * 3 * MINUTE + random() * MINUTE;
    flapping.push({ time: at, from: 'OK', to: 'ALARM' }, { time: at + 30_000, from: 'ALARM', to: 'OK' });
  }
  const story: CloudWatchStory = {
    alarms: { 'DonorReadiness-test-ScoringErrors': errorsAlarm, 'DonorReadiness-test-Freshness': flapping },
    metric: (namespace, name, dimension, minute) => {
      if (namespace === 'AWS/Lambda' && name === 'Throttles' && dimension === SCORING) return windowMinute.has(minute) ? 12 : 0;
      if (namespace === 'AWS/DynamoDB' && dimension === TABLE) return windowMinute.has(minute) ? (name === 'WriteThrottleEvents' ? 40 : 3) : 0;
      return 0;
    },
  };

  it('reads every failure, and lays the deployments, the alarms in ALARM and the throttles beside them', async () => {
    const insights = fakeInsights(pattern.failures, { maxConcurrent: 4, refuseFirst: 1 });
    const cloudwatch = fakeCloudWatch(story);
    const source = awsLogSource('test', { cloudformation: fakeCloudFormation(), logs: insights.client, cloudwatch: cloudwatch.client, now: () => END, pollMs: 1 });
    const read = await source.read({});
    expect(read.log.count).toBe(pattern.failures.length);
    expect(pattern.failures.length).toBeGreaterThan(2 * INSIGHTS_ROW_LIMIT);
    expect(read.sampled).toBe(false);
    expect(insights.peak()).toBeLessThanOrEqual(4);
    expect(read.context[0]).toMatch(/^Logs Insights on \/aws\/lambda\/scoring: \d+ queries, [\d,]+ rows\.$/);

    const labels = read.overlays.map((o) => o.label);
    expect(labels).toEqual(['stack deployments', 'alarm ScoringErrorsAlarm', 'alarm FreshnessAlarm', 'throttles ScoringFunctionHandler', 'throttled requests ScoreStoreTable']);
    expect(read.overlays[0].intervals).toEqual([{ start: START + 5 * HOUR, end: START + 5 * HOUR + 4 * MINUTE }]);
    const freshness = read.overlays[2].intervals;
    expect(freshness).toHaveLength(121);
    expect(freshness[0]).toEqual({ start: START, end: START + 2 * HOUR });
    expect(cloudwatch.historyCalls.filter((n) => n === 'DonorReadiness-test-Freshness')).toHaveLength(3);
    // The table's read and write throttles are added per minute.
    const table = read.overlays[4];
    expect(table.stepMs).toBe(MINUTE);
    expect(Math.max(...table.values!.map((v) => v.value))).toBe(43);
    expect(table.intervals).toHaveLength(windowMinute.size);
    // 81 functions x 2 + 2 table metrics, 1,441 minutes each: 69 queries a request, each answered in two pages.
    expect(cloudwatch.requests.every((r) => r.queries <= 500 && r.points <= 100_800)).toBe(true);
    expect(cloudwatch.requests.length).toBe(2 * Math.ceil(164 / Math.floor(100_800 / 1441)));
    expect(read.context).toEqual(
      expect.arrayContaining([
        'Alarm history: 3 alarms of the stack, 321 state changes; 2 alarms went to ALARM.',
        'Metrics (sums per 1 min): Throttles and Errors of 81 functions, throttled requests of 1 table; 2 series above zero (throttles ScoringFunctionHandler, throttled requests ScoreStoreTable).',
      ]),
    );

    const d = diagnose(read.log, { source: source.describe, overlays: read.overlays, from: read.from, sampled: read.sampled, context: read.context });
    const r = d.report;
    expect(Math.abs(r.period!.minutes - 30)).toBeLessThanOrEqual(1);
    expect(r.overlays['alarm ScoringErrorsAlarm'].cooccurring).toBe(true);
    expect(r.overlays['throttles ScoringFunctionHandler'].cooccurring).toBe(true);
    expect(r.overlays['throttled requests ScoreStoreTable'].cooccurring).toBe(true);
    expect(r.overlays['alarm FreshnessAlarm'].cooccurring).toBe(false);
    expect(r.overlays['stack deployments'].cooccurring).toBe(false);
    expect(r.context).toEqual(read.context);
    expect(r.verdict).toContain('Failures come with "throttles ScoringFunctionHandler"');
    // The metric is drawn as a line with its peak, the alarms as bands.
    const svg = timelineSvg(d);
    expect(svg).toContain('<title>throttled requests ScoreStoreTable: peak 43 per 1 min</title>');
  });

  it('says which permission is missing, and still reads the rest', async () => {
    const insights = fakeInsights(pattern.failures.slice(0, 500));
    const source = awsLogSource('test', { cloudformation: fakeCloudFormation(), logs: insights.client, cloudwatch: fakeCloudWatch({ ...story, metricsFail: true }).client, now: () => END, pollMs: 1 });
    const read = await source.read({});
    expect(read.log.count).toBe(500);
    expect(read.context).toContain('Throttles and errors not read (AccessDenied: User is not authorized to perform: cloudwatch:GetMetricData): needs cloudwatch:GetMetricData.');
    expect(read.overlays.map((o) => o.label)).toContain('alarm ScoringErrorsAlarm');

    const noList = awsLogSource('test', { cloudformation: fakeCloudFormation({ listFails: true }), logs: fakeInsights([]).client, cloudwatch: fakeCloudWatch(story).client, now: () => END, pollMs: 1 });
    const bare = await noList.read({});
    expect(bare.context[1]).toMatch(/^Alarms, throttles and errors not read: the stack's resources could not be listed \(AccessDenied: not authorized\); needs cloudformation:ListStackResources\.$/);
  });

  it('an alarm still in ALARM at the end is a band to the end of the window', async () => {
    const { series } = await alarmHistoryOverlays(fakeCloudWatch({ alarms: { a: [{ time: END - HOUR, from: 'OK', to: 'ALARM' }] }, metric: () => 0 }).client, ['a', 'b'], START, END);
    expect(series).toEqual([{ label: 'alarm a', intervals: [{ start: END - HOUR, end: END }] }]);
  });
});
