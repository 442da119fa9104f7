// Rejection and failure rates of the scoring path over the run's window, from the metrics the scoring
// function publishes (Powertools EMF, namespace DonorReadiness, service score-donor): one GetMetricData
// request, one Sum over the whole window per metric. Pure: the request and the reading of its answer;
// the handler sends it.
import type { GetMetricDataCommandInput, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { PipelineCounts } from '../monitoring/monitoring-run';

/** The scoring function's outcome metrics and what each counts toward. */
export const SCORING_OUTCOME_METRICS = {
  scored: 'Scored',
  stale: 'Stale',
  rejected: 'Rejected',
  failed: 'Failed',
} as const;

type Outcome = keyof typeof SCORING_OUTCOME_METRICS;

/** The request for the Sum of each outcome metric over [from, to), one data point each. */
export function pipelineRatesRequest(namespace: string, stage: string, from: Date, to: Date): GetMetricDataCommandInput {
  const seconds = Math.max(60, Math.round((to.getTime() - from.getTime()) / 1000 / 60) * 60);
  return {
    StartTime: from,
    EndTime: to,
    ScanBy: 'TimestampAscending',
    MetricDataQueries: (Object.keys(SCORING_OUTCOME_METRICS) as Outcome[]).map((id) => ({
      Id: id,
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: namespace,
          MetricName: SCORING_OUTCOME_METRICS[id],
          Dimensions: [
            { Name: 'service', Value: 'score-donor' },
            { Name: 'stage', Value: stage },
          ],
        },
        Period: seconds,
        Stat: 'Sum',
      },
    })),
  };
}

/**
 * Counts from the answer (all pages' results): a metric with no data point counted nothing (the
 * function publishes a metric only when it counts one). `Stale` events (older than the stored
 * record) were handled correctly, so they count with the scored ones. `PartialData` is normal on all
 * but the last page (the caller reads every page); `InternalError` or `Forbidden` is an error, not a zero.
 */
export function pipelineCountsFrom(results: readonly MetricDataResult[]): Omit<PipelineCounts, 'unscored'> {
  const sums: Record<Outcome, number> = { scored: 0, stale: 0, rejected: 0, failed: 0 };
  for (const r of results) {
    if (!r.Id || !(r.Id in sums)) continue;
    if (r.StatusCode === 'InternalError' || r.StatusCode === 'Forbidden') throw new Error(`CloudWatch returned the ${r.Id} metric ${r.StatusCode}: the rates would be partial`);
    for (const v of r.Values ?? []) if (Number.isFinite(v)) sums[r.Id as Outcome] += v;
  }
  return { scored: sums.scored + sums.stale, rejected: sums.rejected, failed: sums.failed };
}
