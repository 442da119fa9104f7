// What else happened in the stack while failures came, as overlay series for `drs diagnose --stage`:
// each alarm's time in ALARM (CloudWatch alarm history), and the Throttles and Errors of the stack's
// functions and the throttled requests of its tables (CloudWatch metrics). The names come from the
// stack's own resources, so nothing has to be configured. Read-only; within the APIs' limits
// (alarm history 100 items a page, GetMetricData 500 queries and 100,800 data points a request).
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAlarmHistoryCommand, GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { OverlaySeries } from './overlay-series';

export interface StackResource {
  type: string;
  logicalId: string;
  physicalId: string;
}

/** Every resource of the stack (ListStackResources, page by page). */
export async function stackResources(cloudformation: CloudFormationClient, stackName: string): Promise<StackResource[]> {
  const resources: StackResource[] = [];
  let token: string | undefined;
  do {
    const page = await cloudformation.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
    for (const r of page.StackResourceSummaries ?? []) {
      if (r.ResourceType && r.LogicalResourceId && r.PhysicalResourceId && !r.ResourceStatus?.startsWith('DELETE')) {
        resources.push({ type: r.ResourceType, logicalId: r.LogicalResourceId, physicalId: r.PhysicalResourceId });
      }
    }
    token = page.NextToken;
  } while (token);
  return resources;
}

const MAX_HISTORY_PAGE = 100;

/** A state change read from an alarm's history. */
interface StateChange {
  time: number;
  from: string;
  to: string;
}

function stateChange(item: { Timestamp?: Date; HistoryData?: string; HistorySummary?: string }): StateChange | null {
  if (!item.Timestamp) return null;
  try {
    const data = JSON.parse(item.HistoryData ?? '') as { oldState?: { stateValue?: string }; newState?: { stateValue?: string } };
    if (data.newState?.stateValue) return { time: item.Timestamp.getTime(), from: data.oldState?.stateValue ?? '', to: data.newState.stateValue };
  } catch {
    // Fall back on the summary: "Alarm updated from OK to ALARM".
  }
  const m = /from (\w+) to (\w+)/.exec(item.HistorySummary ?? '');
  return m ? { time: item.Timestamp.getTime(), from: m[1], to: m[2] } : null;
}

/**
 * Each alarm's time in ALARM between `fromMs` and `toMs`, one series per alarm that was in ALARM:
 * a band from the change to ALARM to the change out of it (to the window's edge when it was
 * already in ALARM at the start, or still is at the end).
 */
export async function alarmHistoryOverlays(cloudwatch: CloudWatchClient, alarmNames: string[], fromMs: number, toMs: number, label = (name: string) => `alarm ${name}`): Promise<{ series: OverlaySeries[]; changes: number }> {
  const series: OverlaySeries[] = [];
  let changes = 0;
  for (const name of alarmNames) {
    const history: StateChange[] = [];
    let token: string | undefined;
    do {
      const page = await cloudwatch.send(
        new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: 'StateUpdate', StartDate: new Date(fromMs), EndDate: new Date(toMs), MaxRecords: MAX_HISTORY_PAGE, ScanBy: 'TimestampAscending', NextToken: token }),
      );
      for (const item of page.AlarmHistoryItems ?? []) {
        const change = stateChange(item);
        if (change) history.push(change);
      }
      token = page.NextToken;
    } while (token);
    history.sort((a, b) => a.time - b.time);
    changes += history.length;
    const intervals: { start: number; end: number }[] = [];
    let open: number | null = history[0]?.from === 'ALARM' ? fromMs : null;
    for (const change of history) {
      if (change.to === 'ALARM' && open === null) open = change.time;
      else if (change.to !== 'ALARM' && open !== null) {
        intervals.push({ start: open, end: change.time });
        open = null;
      }
    }
    if (open !== null) intervals.push({ start: open, end: toMs });
    if (intervals.length) series.push({ label: label(name), intervals });
  }
  return { series, changes };
}

/** GetMetricData's limits per request. */
export const METRIC_QUERIES_PER_REQUEST = 500;
export const DATA_POINTS_PER_REQUEST = 100_800;
const MAX_POINTS_PER_SERIES = 1_440;
const DAY_MS = 86_400_000;

/**
 * The period of the metric series: one minute where CloudWatch still keeps minutes (15 days), five
 * where it keeps five (63 days), an hour beyond; coarser when the window would give more than
 * 1,440 points a series.
 */
export function metricPeriodSeconds(fromMs: number, toMs: number, nowMs: number): number {
  const age = nowMs - fromMs;
  const floor = age > 63 * DAY_MS ? 3600 : age > 15 * DAY_MS ? 300 : 60;
  const needed = Math.ceil((toMs - fromMs) / 1000 / MAX_POINTS_PER_SERIES / floor) * floor;
  return Math.max(floor, needed);
}

export interface MetricSeriesSpec {
  label: string;
  /** One or more metrics whose sums are added (e.g. a table's read and write throttle events). */
  metrics: { namespace: string; name: string; dimensions: Record<string, string> }[];
}

/** A logical id without the hash CDK appends: `ScoringFunctionHandler1A2B3C4D` -> `ScoringFunctionHandler`. */
export const shortLogicalId = (id: string) => id.replace(/[0-9A-F]{8}$/, '') || id;

/** The metrics `drs diagnose` lays beside failures, for the stack's functions and tables. */
export function stackMetricSpecs(resources: StackResource[]): MetricSeriesSpec[] {
  const specs: MetricSeriesSpec[] = [];
  for (const r of resources) {
    if (r.type === 'AWS::Lambda::Function') {
      for (const name of ['Throttles', 'Errors']) {
        specs.push({ label: `${name.toLowerCase()} ${shortLogicalId(r.logicalId)}`, metrics: [{ namespace: 'AWS/Lambda', name, dimensions: { FunctionName: r.physicalId } }] });
      }
    } else if (r.type === 'AWS::DynamoDB::Table' || r.type === 'AWS::DynamoDB::GlobalTable') {
      specs.push({
        label: `throttled requests ${shortLogicalId(r.logicalId)}`,
        metrics: ['ReadThrottleEvents', 'WriteThrottleEvents'].map((name) => ({ namespace: 'AWS/DynamoDB', name, dimensions: { TableName: r.physicalId } })),
      });
    }
  }
  return specs;
}

/**
 * Sums per period of each spec's metrics over [fromMs, toMs], as overlay series: the values as a
 * line, and every period with a non-zero sum as an interval (what co-occurrence counts). Series
 * that stayed at zero are left out; `quiet` says how many.
 */
export async function metricOverlays(cloudwatch: CloudWatchClient, specs: MetricSeriesSpec[], fromMs: number, toMs: number, nowMs: number): Promise<{ series: OverlaySeries[]; quiet: number; periodSeconds: number; requests: number }> {
  const periodSeconds = metricPeriodSeconds(fromMs, toMs, nowMs);
  const queries = specs.flatMap((spec, s) =>
    spec.metrics.map((metric, m): MetricDataQuery & { spec: number } => ({
      spec: s,
      Id: `m${s}_${m}`,
      MetricStat: {
        Metric: { Namespace: metric.namespace, MetricName: metric.name, Dimensions: Object.entries(metric.dimensions).map(([Name, Value]) => ({ Name, Value })) },
        Period: periodSeconds,
        Stat: 'Sum',
      },
      ReturnData: true,
    })),
  );
  const pointsPerQuery = Math.ceil((toMs - fromMs) / 1000 / periodSeconds) + 1;
  const perRequest = Math.max(1, Math.min(METRIC_QUERIES_PER_REQUEST, Math.floor(DATA_POINTS_PER_REQUEST / pointsPerQuery)));
  const sums = specs.map(() => new Map<number, number>());
  let requests = 0;
  for (let i = 0; i < queries.length; i += perRequest) {
    const batch = queries.slice(i, i + perRequest);
    const specOf = new Map(batch.map((q) => [q.Id!, q.spec]));
    let token: string | undefined;
    do {
      const page = await cloudwatch.send(
        new GetMetricDataCommand({ MetricDataQueries: batch.map(({ spec: _spec, ...query }) => query), StartTime: new Date(fromMs), EndTime: new Date(toMs), ScanBy: 'TimestampAscending', NextToken: token }),
      );
      requests++;
      for (const result of page.MetricDataResults ?? []) {
        const spec = specOf.get(result.Id ?? '');
        if (spec === undefined) continue;
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        for (let k = 0; k < timestamps.length; k++) {
          const time = timestamps[k].getTime();
          sums[spec].set(time, (sums[spec].get(time) ?? 0) + (values[k] ?? 0));
        }
      }
      token = page.NextToken;
    } while (token);
  }
  const stepMs = periodSeconds * 1000;
  const series: OverlaySeries[] = [];
  let quiet = 0;
  specs.forEach((spec, s) => {
    const values = [...sums[s]].map(([time, value]) => ({ time, value })).sort((a, b) => a.time - b.time);
    const busy = values.filter((v) => v.value > 0);
    if (!busy.length) {
      quiet++;
      return;
    }
    series.push({ label: spec.label, intervals: busy.map((v) => ({ start: v.time, end: v.time + stepMs })), values, stepMs });
  });
  return { series, quiet, periodSeconds, requests };
}
