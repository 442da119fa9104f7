// The donor readiness pipeline: EventBridge -> scoring Lambda (ONNX model from S3) -> DynamoDB,
// with SNS e-mail alerts and a kept copy of every event that could not be scored.
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { Archive } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { AlertDigest, alertStateTable } from './alert-digest';
import { Alerting } from './alerting';
import { retainOutsideDev } from './encrypted-queue';
import { EventIntake } from './event-intake';
import { logGroupNameFor, logGroupPrefixFor } from './function-basics';
import { FunctionNetwork } from './function-network';
import { ModelStore } from './model-store';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { OutcomeLog } from './outcome-log';
import { ModelMonitoring } from './model-monitoring';
import { DEFAULT_THRESHOLDS } from '../lambdas/monitoring/monitoring-run';
import { PipelineMonitoring } from './pipeline-monitoring';
import { ReadApi } from './read-api';
import { ReadinessChangeEvents } from './readiness-change-events';
import { defaultEventBusName, type PipelineConfig } from './pipeline-config';
import { ScoreStore } from './score-store';
import { RegistryRefresh } from './registry-refresh';
import { ScoringFunction } from './scoring-function';

export interface DonorReadinessStackProps extends StackProps {
  config: PipelineConfig;
  /** Tests point this at a fixture model; deployments use model/. */
  modelDir?: string;
}

const OUTCOME_NOT_RECORDED = 'a DonorRequestOutcome event that is not in the prediction log';

/** In a key policy, "*" as the resource means this key and nothing else. */
const THIS_KEY = '*';

export class DonorReadinessStack extends Stack {
  public readonly key: Key;
  public readonly scoreStore: ScoreStore;
  public readonly modelStore: ModelStore;
  public readonly alerting: Alerting;
  public readonly scoring: ScoringFunction;
  public readonly intake: EventIntake;
  public readonly monitoring: PipelineMonitoring;
  public readonly archive: Archive;
  public readonly alertDigest: AlertDigest;
  public readonly network?: FunctionNetwork;
  public readonly alertStateTable: Table;
  public readonly registryRefresh: RegistryRefresh;
  public readonly outcomeLog: OutcomeLog;
  public readonly modelMonitoring: ModelMonitoring;
  public readonly readApi: ReadApi;
  public readonly changeEvents: ReadinessChangeEvents;

  constructor(scope: Construct, id: string, props: DonorReadinessStackProps) {
    super(scope, id, props);
    const { config } = props;
    const stack = Stack.of(this);

    this.key = new Key(this, 'DataKey', {
      description: `Donor readiness ${config.stage}: scores, model, queues, alerts and logs`,
      enableKeyRotation: true,
      removalPolicy: config.stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    // CloudWatch alarms and EventBridge (target dead-letter queue) publish into encrypted
    // destinations; CloudWatch Logs encrypts the function's log group.
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.key.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal(service)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: [THIS_KEY],
          conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
        }),
      );
    }
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: [THIS_KEY],
        conditions: {
          // Only the stack's own log groups, all named under /donor-readiness/<stage>/.
          ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:${logGroupPrefixFor(config.stage)}*` },
        },
      }),
    );

    this.scoreStore = new ScoreStore(this, 'ScoreStore', { key: this.key, stage: config.stage, warmWritesPerSecond: config.tableWarmWritesPerSecond });
    this.modelStore = new ModelStore(this, 'ModelStore', { key: this.key, stage: config.stage, modelDir: props.modelDir });
    this.alerting = new Alerting(this, 'Alerting', { key: this.key, stage: config.stage, alertEmails: config.alertEmails });
    const alertState = alertStateTable(this.alerting, this.key);
    this.alertStateTable = alertState;
    if (config.vpc) {
      this.network = new FunctionNetwork(this, 'Network', { key: this.key, logRetentionDays: config.logRetentionDays, flowLogGroupName: logGroupNameFor(config.stage, 'vpc-flow-logs') });
    }
    this.scoring = new ScoringFunction(this, 'ScoringFunction', {
      key: this.key,
      stage: config.stage,
      architecture: config.architecture,
      memorySize: config.memorySize,
      reservedConcurrency: config.reservedConcurrency,
      logRetentionDays: config.logRetentionDays,
      scoreTable: this.scoreStore.table,
      modelStore: this.modelStore,
      alertStateTable: alertState,
      network: this.network,
    });
    this.alertDigest = new AlertDigest(this, 'AlertDigest', {
      key: this.key,
      stage: config.stage,
      architecture: config.architecture,
      windowMinutes: config.alertWindowMinutes,
      reservedConcurrency: config.alertDigestReservedConcurrency,
      logRetentionDays: config.logRetentionDays,
      stateTable: alertState,
      topic: this.alerting.topic,
      scoringFunction: this.scoring.function,
      scoringLogGroupName: this.scoring.logGroup.logGroupName,
      rejectedQueue: this.scoring.rejectedQueue,
      failedQueue: this.scoring.failedQueue,
      network: this.network,
    });
    this.intake = new EventIntake(this, 'EventIntake', {
      key: this.key,
      existingEventBusName: config.eventBusName,
      createdBusName: defaultEventBusName(config.stage),
      ruleName: `donor-readiness-${config.stage}-donor-updated`,
      removalPolicy: retainOutsideDev(config.stage),
      eventSource: config.eventSource,
      detailType: config.detailType,
      target: this.scoring.function,
    });

    this.alerting.alarmOnQueueDepth('RejectedEventsAlarm', this.scoring.rejectedQueue, 'DonorUpdated events were rejected as invalid.');
    this.alerting.alarmOnQueueDepth('FailedScoringAlarm', this.scoring.failedQueue, 'Events failed scoring after all Lambda retries.');
    this.alerting.alarmOnQueueDepth('DeadLettersAlarm', this.scoring.deadLetterQueue, "Events are in the scoring function's dead-letter queue.");
    this.alerting.alarmOnQueueDepth('UndeliveredEventsAlarm', this.intake.undeliveredQueue, 'EventBridge could not deliver events to the scoring function.');

    // Issue 17: request outcomes beside the score each donor had when requested (the prediction log).
    this.outcomeLog = new OutcomeLog(this, 'OutcomeLog', {
      key: this.key,
      stage: config.stage,
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      eventBus: this.intake.eventBus,
      eventSource: config.eventSource,
      detailType: config.outcomeDetailType,
      scoreTable: this.scoreStore.table,
      network: this.network,
    });
    this.alerting.alarmOnQueueDepth('RejectedOutcomesAlarm', this.outcomeLog.rejectedQueue, 'DonorRequestOutcome events were rejected as invalid.', OUTCOME_NOT_RECORDED);
    this.alerting.alarmOnQueueDepth('FailedOutcomesAlarm', this.outcomeLog.failedQueue, 'DonorRequestOutcome events failed after all Lambda retries.', OUTCOME_NOT_RECORDED);
    this.alerting.alarmOnQueueDepth('OutcomeDeadLettersAlarm', this.outcomeLog.deadLetterQueue, "Events are in the outcome function's dead-letter queue.", OUTCOME_NOT_RECORDED);
    this.alerting.alarmOnQueueDepth('UndeliveredOutcomesAlarm', this.outcomeLog.undeliveredQueue, 'EventBridge could not deliver outcome events to the outcome function.', OUTCOME_NOT_RECORDED);

    this.monitoring = new PipelineMonitoring(this, 'Monitoring', {
      stage: config.stage,
      scoringFunction: this.scoring.function,
      alertDigestFunction: this.alertDigest.function,
      functionTimeout: this.scoring.function.timeout ?? Duration.seconds(30),
      ruleName: `donor-readiness-${config.stage}-donor-updated`,
      eventBusName: this.intake.eventBusName,
      isDefaultBus: this.intake.isDefaultBus,
      alertTopic: this.alerting.topic,
    });
    // Issue 17: the daily monitoring run, its report bucket, drift and freshness alarms.
    this.modelMonitoring = new ModelMonitoring(this, 'ModelMonitoring', {
      key: this.key,
      stage: config.stage,
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      scoreTable: this.scoreStore.table,
      outcomeTable: this.outcomeLog.table,
      modelStore: this.modelStore,
      accessLogs: this.modelStore.accessLogs,
      alertTopic: this.alerting.topic,
      dashboard: this.monitoring.dashboard,
      thresholds: {
        ...DEFAULT_THRESHOLDS,
        psi: config.monitorPsiThreshold,
        calibrationDrift: config.monitorCalibrationDrift,
        aucDrop: config.monitorAucDrop,
        refreshPeriodDays: config.refreshPeriodDays,
        staleShare: config.staleScoreShare,
      },
      scoreSampleRows: config.monitorSampleRows,
      freshness: { minutes: config.freshnessMinutes, quietHoursUtc: config.freshnessQuietHoursUtc },
      network: this.network,
    });

    // Every DonorUpdated event is archived for a year, so events can be replayed after a bug fix.
    this.archive = new Archive(this, 'EventArchive', {
      // Named per stage, so a replay picks this stage's archive by name (README, Replay).
      archiveName: `donor-readiness-${config.stage}`,
      sourceEventBus: this.intake.eventBus,
      eventPattern: { source: [config.eventSource], detailType: [config.detailType] },
      retention: Duration.days(365),
      kmsKey: this.key,
      description: 'DonorUpdated events, for replay after a fix',
    });
    // The archive is how scores are rebuilt: it outlives a deleted stack, except in dev.
    this.archive.applyRemovalPolicy(retainOutsideDev(config.stage));

    this.registryRefresh = new RegistryRefresh(this, 'RegistryRefresh', {
      key: this.key,
      stage: config.stage,
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      scoreTable: this.scoreStore.table,
      modelStore: this.modelStore,
      alertTopic: this.alerting.topic,
      accessLogs: this.modelStore.accessLogs,
      schedule: config.refreshSchedule,
      timeZone: config.refreshTimeZone,
      tolerance: config.refreshTolerance,
      writesPerSecond: config.refreshWritesPerSecond,
      network: this.network,
    });
    // Issue 17: the monitoring run reads the refresh's daily snapshot rather than scanning the table.
    this.modelMonitoring.readSnapshotsFrom(this.registryRefresh.runBucket);
    this.monitoring.dashboard.addWidgets(...this.registryRefresh.dashboardWidgets(config.stage, { writesPerSecond: config.refreshWritesPerSecond, warmWritesPerSecond: config.tableWarmWritesPerSecond }));

    // Every alarm of the stack notifies the topic: CloudWatch must be allowed to publish there.
    this.readApi = new ReadApi(this, 'ReadApi', {
      key: this.key,
      stage: config.stage,
      architecture: config.architecture,
      logRetentionDays: config.logRetentionDays,
      scoreTable: this.scoreStore.table,
      modelStore: this.modelStore,
      allowedPrincipals: config.apiAllowedPrincipals,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      reservedConcurrency: config.apiReservedConcurrency,
      network: this.network,
    });
    this.changeEvents = new ReadinessChangeEvents(this, 'ReadinessChangeEvents', { key: this.key, stage: config.stage, scoreTable: this.scoreStore.table, eventBus: this.intake.eventBus });
    this.alerting.alarmOnQueueDepth(
      'UndeliveredChangeEventsAlarm',
      this.changeEvents.undeliveredQueue,
      'DonorReadinessChanged events could not be put on the bus; what the change pipe could not deliver is recorded in this queue.',
      'a change pipe\'s record of stream records it could not deliver (the scores themselves are stored and the read API serves them)',
      `let subscribers re-read the donors concerned through the read API, then purge ${this.changeEvents.undeliveredQueue.queueName}: drs redrive does not take these messages (README, Reading an alarm)`,
    );

    this.alerting.allowAlarmsToPublish(this.node.findAll().filter((c): c is Alarm => c instanceof Alarm));


    acknowledgeNagFindings(this);

    new CfnOutput(this, 'EventBusName', { value: this.intake.eventBus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: this.intake.eventBus.eventBusArn });
    new CfnOutput(this, 'ArchiveName', { value: this.archive.archiveName, description: 'aws events start-replay reads from this archive (README, Replay)' });
    new CfnOutput(this, 'DataKeyArn', { value: this.key.keyArn, description: 'the key of the table, queues, topic, bucket and logs: readers need kms:Decrypt on it' });
    new CfnOutput(this, 'ScoreTableName', { value: this.scoreStore.table.tableName });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerting.topic.topicArn });
    new CfnOutput(this, 'ScoringFunctionName', { value: this.scoring.function.functionName });
    new CfnOutput(this, 'ScoringLogGroup', { value: this.scoring.logGroup.logGroupName });
    new CfnOutput(this, 'AlertDigestLogGroup', { value: this.alertDigest.logGroup.logGroupName });
    if (this.network) new CfnOutput(this, 'FlowLogGroup', { value: this.network.flowLogGroup.logGroupName });
    new CfnOutput(this, 'RejectedQueueName', { value: this.scoring.rejectedQueue.queueName });
    new CfnOutput(this, 'FailedQueueName', { value: this.scoring.failedQueue.queueName });
    new CfnOutput(this, 'DeadLetterQueueName', { value: this.scoring.deadLetterQueue.queueName });
    new CfnOutput(this, 'UndeliveredQueueName', { value: this.intake.undeliveredQueue.queueName });
    new CfnOutput(this, 'RegistryRunStateMachineArn', { value: this.registryRefresh.stateMachine.stateMachineArn });
    new CfnOutput(this, 'RegistryRunBucketName', { value: this.registryRefresh.runBucket.bucketName });
    new CfnOutput(this, 'OutcomeTableName', { value: this.outcomeLog.table.tableName });
    new CfnOutput(this, 'OutcomeFunctionName', { value: this.outcomeLog.function.functionName });
    new CfnOutput(this, 'RejectedOutcomesQueueName', { value: this.outcomeLog.rejectedQueue.queueName });
    new CfnOutput(this, 'MonitoringReportBucket', { value: this.modelMonitoring.reportBucket.bucketName });
    new CfnOutput(this, 'ReadApiUrl', { value: this.readApi.api.url });
    new CfnOutput(this, 'ReadApiBatchGetUrl', { value: this.readApi.batchGetUrl });
    new CfnOutput(this, 'ReadApiFunctionName', { value: this.readApi.function.functionName });
    new CfnOutput(this, 'ModelLocation', { value: `s3://${this.modelStore.bucket.bucketName}/${this.modelStore.modelPrefix}` });
  }
}
