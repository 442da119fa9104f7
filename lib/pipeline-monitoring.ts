// What the operator watches: alarms on the function, the rule and the async delivery (each notifying
// the alert topic when it fires and when it clears), and one dashboard of the pipeline's metrics.
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Dashboard, GraphWidget, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface PipelineMonitoringProps {
  stage: string;
  scoringFunction: IFunction;
  alertDigestFunction: IFunction;
  functionTimeout: Duration;
  /** The rule's plain name and its bus: EventBridge publishes rule metrics under EventBusName + RuleName (RuleName alone on the default bus). */
  ruleName: string;
  eventBusName: string;
  isDefaultBus: boolean;
  alertTopic: ITopic;
}

/** The namespace and dimensions the handler's EMF metrics are published under. */
export const METRICS_NAMESPACE = 'DonorReadiness';

export class PipelineMonitoring extends Construct {
  public readonly alarms: Alarm[] = [];
  public readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    const fn = props.scoringFunction;
    const minute = { period: Duration.minutes(1) };
    const ruleDimensions: Record<string, string> = props.isDefaultBus ? { RuleName: props.ruleName } : { EventBusName: props.eventBusName, RuleName: props.ruleName };
    const ruleMetric = (name: string) => new Metric({ namespace: 'AWS/Events', metricName: name, dimensionsMap: ruleDimensions, statistic: 'Sum', ...minute });
    const fnMetric = (name: string) => fn.metric(name, { statistic: 'Sum', ...minute });
    const anyAbove = (alarmId: string, metric: IMetric, what: string, threshold = 0) => this.alarm(alarmId, metric, threshold, what, props.alertTopic);

    anyAbove('FunctionErrors', fn.metricErrors(minute), 'The scoring function threw: events are being retried and may reach the failed-scoring queue. Read the function log group.');
    anyAbove('FunctionThrottles', fn.metricThrottles(minute), 'The scoring function was throttled (its reserved concurrency, or the account\'s unreserved concurrency, is used up). Events wait and are retried; if it persists see README, "Concurrency and quotas".');
    this.alarm(
      'DurationNearTimeout',
      fn.metricDuration({ statistic: 'Maximum', ...minute }),
      props.functionTimeout.toMilliseconds() * 0.8,
      `A scoring took more than 80% of the ${props.functionTimeout.toSeconds()} s timeout: check DynamoDB/S3 latency in the logs.`,
      props.alertTopic,
    );
    anyAbove('RuleFailedInvocations', ruleMetric('FailedInvocations'), 'EventBridge could not invoke the scoring function; it retries for 24 h, then dead-letters the event.');
    anyAbove('RuleInvocationsSentToDlq', ruleMetric('InvocationsSentToDlq'), 'EventBridge gave up on events and put them in the undelivered-events queue.');
    anyAbove(
      'RuleInvocationsFailedToBeSentToDlq',
      ruleMetric('InvocationsFailedToBeSentToDlq'),
      'EventBridge gave up on events and could not put them in the undelivered-events queue (its policy or key): these events exist only in the archive now; fix the queue, then replay them (README, Replay from the archive).',
    );
    anyAbove('DestinationDeliveryFailures', fnMetric('DestinationDeliveryFailures'), 'Lambda could not deliver a failed event to the on-failure queue: check the queue and its key policy.');
    anyAbove(
      'AlertDigestErrors',
      props.alertDigestFunction.metricErrors(minute),
      'The alert digest function failed: alert e-mails may be late (failures stay counted and are sent once it recovers). Read its log group.',
    );
    anyAbove('DeadLetterErrors', fnMetric('DeadLetterErrors'), "Lambda could not write a failed event to the function's dead-letter queue.");

    const app = (name: string, statistic = 'Sum') =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: 'score-donor', stage: props.stage }, statistic, period: Duration.minutes(5) });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `donor-readiness-${props.stage}`,
      widgets: [
        [
          new GraphWidget({ title: 'Events by outcome', left: ['Scored', 'Stale', 'Rejected', 'Failed'].map((n) => app(n)), width: 12 }),
          new GraphWidget({ title: 'Scores by band', left: ['BandHigh', 'BandMedium', 'BandLow'].map((n) => app(n)), width: 12 }),
        ],
        [
          new GraphWidget({ title: 'Scoring latency (ms)', left: [app('ScoringLatency', 'p50'), app('ScoringLatency', 'p99')], width: 12 }),
          new GraphWidget({ title: 'Function errors and throttles', left: [fn.metricErrors(), fn.metricThrottles()], right: [ruleMetric('FailedInvocations')], width: 12 }),
        ],
      ],
    });
  }

  private alarm(id: string, metric: IMetric, threshold: number, description: string, topic: ITopic): Alarm {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(topic));
    alarm.addOkAction(new SnsAction(topic));
    this.alarms.push(alarm);
    return alarm;
  }
}
