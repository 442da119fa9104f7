// The model monitoring run (issue 17): a daily scheduled function that compares live scores with the
// training reference and, from the prediction log, AUC and calibration; writes the HTML report to an
// encrypted, versioned bucket; publishes the figures as metrics whose alarms reach the alert topic;
// e-mails a weekly summary. Plus the freshness alarm on the scoring function's own metric.
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, GraphWidget, MathExpression, Metric, TreatMissingData, type Dashboard, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { MonitoringThresholds } from '../lambdas/monitoring/monitoring-run';
import { BUNDLING, functionBasics, PROJECT_ROOT } from './function-basics';
import type { FunctionNetwork } from './function-network';
import { allowGetObjects, allowKeyUse, allowPublish } from './least-privilege';
import type { ModelStore } from './model-store';
import { METRICS_NAMESPACE } from './pipeline-monitoring';

/** Where the registry refresh writes its table exports (lib/registry-refresh.ts, lambdas/monitor-model/score-snapshot.ts). */
const SNAPSHOT_PREFIX = 'snapshots/';

export const MONITOR_HANDLER_ENTRY = join(PROJECT_ROOT, 'lambdas', 'monitor-model', 'handler.ts');
export const MONITOR_HANDLER_EXPORT = 'handler';

export interface FreshnessConfig {
  /** Alarm when no donor update was scored for this long. */
  minutes: number;
  /** UTC hours [from, to) when silence is normal (e.g. [22, 6]); none when undefined. */
  quietHoursUtc?: [number, number];
}

export interface ModelMonitoringProps {
  key: IKey;
  stage: string;
  architecture: 'x86_64' | 'arm64';
  logRetentionDays: number;
  scoreTable: ITable;
  outcomeTable: ITable;
  modelStore: ModelStore;
  accessLogs: IBucket;
  alertTopic: ITopic;
  dashboard: Dashboard;
  thresholds: MonitoringThresholds;
  scoreSampleRows: number;
  freshness: FreshnessConfig;
  network?: FunctionNetwork;
}

export class ModelMonitoring extends Construct {
  public readonly reportBucket: Bucket;
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly dailyRule: Rule;
  public readonly weeklyRule: Rule;
  public readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ModelMonitoringProps) {
    super(scope, id);
    this.reportBucket = new Bucket(this, 'Reports', {
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'report-bucket/',
      versioned: true,
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(365) }],
      // Reports are aggregates, but the history of a model's quality is evidence: kept outside dev.
      // In dev the stack key goes with the stack, so a kept bucket would hold objects no one can
      // decrypt: it goes too, emptied first, like the model and run buckets.
      removalPolicy: props.stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: props.stage === 'dev',
    });

    const basics = functionBasics(this, {
      ...props,
      logName: 'model-monitoring',
      roleDescription: 'Donor readiness monitoring function: reads scores, the prediction log and the model manifest; writes reports; e-mails the weekly summary',
    });
    this.logGroup = basics.logGroup;
    this.function = new NodejsFunction(this, 'Function', {
      ...basics.functionProps,
      description: 'Daily model monitoring: drift (PSI), calibration and AUC from outcomes, freshness; HTML report to S3',
      entry: MONITOR_HANDLER_ENTRY,
      handler: MONITOR_HANDLER_EXPORT,
      memorySize: 2048,
      // The whole snapshot streamed through counts (9 M rows, a few minutes), or a 100,000-row sample
      // of the table, and the year's outcomes.
      timeout: Duration.minutes(15),
      retryAttempts: 0,
      environment: {
        STAGE: props.stage,
        POWERTOOLS_SERVICE_NAME: 'monitor-model',
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        MONITOR_THRESHOLDS: JSON.stringify(props.thresholds),
        SCORE_SAMPLE_ROWS: String(props.scoreSampleRows),
      },
      bundling: BUNDLING,
    });
    const fn = this.function;
    allowKeyUse(fn, props.key);
    fn.addEnvironment('SCORE_TABLE_NAME', props.scoreTable.tableName);
    props.scoreTable.grant(fn, 'dynamodb:Scan', 'dynamodb:DescribeTable');
    fn.addEnvironment('OUTCOME_TABLE_NAME', props.outcomeTable.tableName);
    props.outcomeTable.grant(fn, 'dynamodb:Scan');
    fn.addEnvironment('MODEL_BUCKET', props.modelStore.bucket.bucketName);
    fn.addEnvironment('MODEL_PREFIX', props.modelStore.modelPrefix);
    allowGetObjects(fn, [props.modelStore.bucket.arnForObjects(`${props.modelStore.modelPrefix}manifest.json`)]);
    fn.addEnvironment('REPORT_BUCKET', this.reportBucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.reportBucket.arnForObjects('reports/*')] }));
    fn.addEnvironment('ALERT_TOPIC_ARN', props.alertTopic.topicArn);
    allowPublish(fn, props.alertTopic.topicArn);
    // Rejection and failure rates: the scoring function's own metrics. GetMetricData has no
    // resource-level permission and no condition key (Service Authorization Reference), so this
    // one read-only action is the only grant on '*' (acknowledged in nag-acknowledgements.ts).
    fn.addToRolePolicy(new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));

    this.dailyRule = new Rule(this, 'DailyRun', {
      description: 'Daily model monitoring run',
      schedule: Schedule.cron({ minute: '30', hour: '5' }),
      targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(2) })],
    });
    this.weeklyRule = new Rule(this, 'WeeklyEmail', {
      description: 'Weekly model monitoring run that also e-mails the summary to the alert topic',
      schedule: Schedule.cron({ minute: '0', hour: '6', weekDay: 'MON' }),
      targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.hours(2), event: RuleTargetInput.fromObject({ weeklyEmail: true }) })],
    });

    const day = Duration.days(1);
    const monitorMetric = (name: string, statistic = 'Maximum') =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { service: 'monitor-model', stage: props.stage }, statistic, period: day });
    const t = props.thresholds;
    this.alarm('ModelDriftAlarm', monitorMetric('DriftDetected'), 1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, TreatMissingData.NOT_BREACHING, props,
      `The daily monitoring run found model drift: a PSI >= ${t.psi}, a calibration gap beyond ${t.calibrationDrift}, or an AUC drop beyond ${t.aucDrop}. Read the report under s3://${'${ReportBucket}'}/reports/<date>/report.html (README, "The monitoring report").`);
    this.alarm('StaleScoresAlarm', monitorMetric('StaleScoreShare'), t.staleShare, ComparisonOperator.GREATER_THAN_THRESHOLD, TreatMissingData.NOT_BREACHING, props,
      `More than ${t.staleShare * 100}% of stored scores are older than ${t.refreshPeriodDays} days: the refresh is not keeping up. Check the refresh run and the scoring function.`);
    // Donors without a score: stored records without a usable score, and (what partners see) requests
    // of the last 90 days that found the donor without one; the larger share alarms.
    const unscored = new MathExpression({
      expression: 'MAX([stored, requested])',
      usingMetrics: { stored: monitorMetric('UnscoredShare'), requested: monitorMetric('RequestsWithoutScoreShare') },
      period: day,
      label: 'share of donors without a score',
    });
    this.alarm('UnscoredDonorsAlarm', unscored, t.unscoredShare, ComparisonOperator.GREATER_THAN_THRESHOLD, TreatMissingData.NOT_BREACHING, props,
      `More than ${t.unscoredShare * 100}% of donors have no score: stored records without a usable score, or donors requested in the last 90 days that had none. Partners see scores not populating: check the rejected-events and failed-scoring queues and the registry's publishing.`);
    this.alarm('MonitoringRunFailed', fn.metricErrors({ period: day, statistic: 'Sum' }), 0, ComparisonOperator.GREATER_THAN_THRESHOLD, TreatMissingData.NOT_BREACHING, props,
      'The monitoring run failed: no report today. Read its log group; the next run tries again.');

    // Freshness: the scoring function's Scored metric. Missing data breaches (silence is the symptom);
    // in quiet hours the expression reads 1 so the night's silence does not page anyone.
    const scored = new Metric({ namespace: METRICS_NAMESPACE, metricName: 'Scored', dimensionsMap: { service: 'score-donor', stage: props.stage }, statistic: 'Sum', period: Duration.minutes(props.freshness.minutes) });
    const quiet = props.freshness.quietHoursUtc;
    const quietCondition = quiet ? (quiet[0] <= quiet[1] ? `HOUR(s) >= ${quiet[0]} AND HOUR(s) < ${quiet[1]}` : `HOUR(s) >= ${quiet[0]} OR HOUR(s) < ${quiet[1]}`) : undefined;
    const freshness: IMetric = new MathExpression({
      expression: quietCondition ? `IF(${quietCondition}, 1, s)` : 's',
      usingMetrics: { s: new MathExpression({ expression: 'FILL(m, 0)', usingMetrics: { m: scored }, period: Duration.minutes(props.freshness.minutes) }) },
      period: Duration.minutes(props.freshness.minutes),
      label: 'donor updates scored',
    });
    this.alarm('ScoringFreshnessAlarm', freshness, 1, ComparisonOperator.LESS_THAN_THRESHOLD, TreatMissingData.BREACHING, props,
      `No donor update was scored in the last ${props.freshness.minutes} minutes${quiet ? ` (outside quiet hours ${quiet[0]}-${quiet[1]} UTC)` : ''}. Partners will see scores not populating: check the registry's publishing, the event bus rule and the scoring function.`);

    props.dashboard.addWidgets(
      new GraphWidget({ title: 'Model drift (daily run)', left: [monitorMetric('ScorePsi'), monitorMetric('MaxFeaturePsi')], width: 12 }),
      new GraphWidget({ title: 'Calibration gap and AUC drop, last 90 days', left: [monitorMetric('CalibrationGap90d'), monitorMetric('AucDrop90d')], width: 12 }),
      new GraphWidget({ title: 'Freshness: stale and missing scores (share)', left: [monitorMetric('StaleScoreShare'), monitorMetric('UnscoredShare'), monitorMetric('RequestsWithoutScoreShare')], right: [scored], width: 12 }),
      new GraphWidget({ title: 'Donor updates rejected and failed (share, daily run)', left: [monitorMetric('RejectedShare'), monitorMetric('FailedShare')], width: 12 }),
    );
  }

  /**
   * Reads the registry refresh's daily snapshots of the score table (snapshots/ of its run bucket)
   * instead of scanning the table: list that prefix, read its objects; the stack key decrypts them.
   */
  readSnapshotsFrom(runBucket: IBucket): void {
    const fn = this.function;
    fn.addEnvironment('SNAPSHOT_BUCKET', runBucket.bucketName);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [runBucket.bucketArn], conditions: { StringLike: { 's3:prefix': [SNAPSHOT_PREFIX, `${SNAPSHOT_PREFIX}*`] } } }));
    allowGetObjects(fn, [runBucket.arnForObjects(`${SNAPSHOT_PREFIX}*`)]);
    this.snapshotBucket = runBucket;
  }

  /** The bucket whose snapshots the run reads, once readSnapshotsFrom was called. */
  public snapshotBucket?: IBucket;

  private alarm(id: string, metric: IMetric, threshold: number, comparisonOperator: ComparisonOperator, treatMissingData: TreatMissingData, props: ModelMonitoringProps, description: string): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description.replace('${ReportBucket}', this.reportBucket.bucketName),
      metric,
      threshold,
      comparisonOperator,
      evaluationPeriods: 1,
      treatMissingData,
    });
    alarm.addAlarmAction(new SnsAction(props.alertTopic));
    alarm.addOkAction(new SnsAction(props.alertTopic));
    this.alarms.push(alarm);
  }
}
