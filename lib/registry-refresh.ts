// Keeps every stored score current: one Step Functions state machine with a Distributed Map runs a
// backfill (a registry export in S3), the daily refresh (EventBridge Scheduler) and the rescoring
// after a model change (started by the deployment that changes the pinned model). A refresh reads
// a point-in-time export of the score table (no read capacity, a consistent snapshot) and the
// batch function writes with the event path's conditional rule, so live events always win.
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, TimeZone, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, GraphWidget, MathExpression, Metric, TreatMissingData, type IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Fail,
  ItemBatcher,
  JsonPath,
  OutputType,
  Pass,
  Result,
  ResultWriterV2,
  S3JsonLItemReader,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Transformation,
  Wait,
  WaitTime,
  WriterConfig,
  type IChainable,
} from 'aws-cdk-lib/aws-stepfunctions';
import { CallAwsService, LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { BUNDLING, functionBasics, PROJECT_ROOT } from './function-basics';
import { ENI_POLICY, type FunctionNetwork } from './function-network';
import { FlattenedJsonLinesReader } from './flattened-item-reader';
import { allowGetObjects, allowKeyUse } from './least-privilege';
import type { ModelStore } from './model-store';
import { onnxRuntimeCopyCommands } from './scoring-function';

/** The singleton function behind every AwsCustomResource of a stack (CDK's fixed id). */
const AWS_CUSTOM_RESOURCE_PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

export const BATCH_HANDLER_ENTRY = join(PROJECT_ROOT, 'lambdas', 'rescore', 'handler.ts');
/** Rows per backfill batch: well under the 256 KiB a map batch may carry (a row is ~0.5 KiB). */
export const ROWS_PER_BATCH = 400;
/** Snapshot lines per refresh batch: a line (DynamoDB JSON of a < 1 KB item) is ~1.5-2 KiB. */
export const SNAPSHOT_ROWS_PER_BATCH = 100;
/** Conditional writes one batch function keeps in flight. */
export const WRITES_IN_FLIGHT = 16;
/**
 * The most writes a second one batch function makes (its write pacer enforces it): the map runs
 * refreshWritesPerSecond / this functions at once. Locally one function reaches ~400 writes/s
 * against dynalite; in AWS a PutItem takes a few ms, so 16 in flight could go far faster: the pacer
 * is what holds a run to its share of the table.
 */
export const WRITES_PER_SECOND_PER_FUNCTION = 400;

export interface RegistryRefreshProps {
  key: IKey;
  stage: string;
  architecture: 'x86_64' | 'arm64';
  logRetentionDays: number;
  scoreTable: ITable;
  modelStore: ModelStore;
  alertTopic: Topic;
  accessLogs: IBucket;
  /** EventBridge Scheduler expression for the daily refresh, or 'off'. */
  schedule: string;
  timeZone: string;
  tolerance: number;
  /** Table write units per second the runs may use (the rest of the table's warm throughput is left to live scoring). */
  writesPerSecond: number;
  network?: FunctionNetwork;
}

/** How many batches run at once so the run writes at most `writesPerSecond` (1 WRU per write of <= 1 KB, paced per function). */
export function mapConcurrency(writesPerSecond: number): number {
  return Math.max(1, Math.floor(writesPerSecond / WRITES_PER_SECOND_PER_FUNCTION));
}

export class RegistryRefresh extends Construct {
  public readonly runBucket: Bucket;
  public readonly batchFunction: NodejsFunction;
  public readonly stateMachine: StateMachine;
  public readonly logGroup: ILogGroup;
  public readonly failedRunsAlarm: Alarm;
  public readonly schedule?: Schedule;
  public readonly maxConcurrency: number;

  constructor(scope: Construct, id: string, props: RegistryRefreshProps) {
    super(scope, id);
    // ResultWriterV2 renders only under this feature flag; set here so cdk.json stays as it is.
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);
    const dev = props.stage === 'dev';
    this.maxConcurrency = mapConcurrency(props.writesPerSecond);
    this.scoreTable = props.scoreTable;
    this.network = props.network;

    // Snapshots, imports, rejected rows, map results and run summaries: donor data, the stack key.
    this.runBucket = new Bucket(this, 'RunBucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogs,
      serverAccessLogsPrefix: 'run-bucket/',
      lifecycleRules: [
        { prefix: 'snapshots/', expiration: Duration.days(7), noncurrentVersionExpiration: Duration.days(1) },
        { prefix: 'runs/', expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy: dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: dev,
    });

    const basics = functionBasics(this, { ...props, logName: 'registry-run', roleDescription: 'Donor readiness registry runs: scores batches of rows, keeps rejected rows, summarizes runs' });
    this.logGroup = basics.logGroup;
    this.batchFunction = new NodejsFunction(this, 'BatchFunction', {
      ...basics.functionProps,
      description: 'Scores batches of a registry run (backfill, refresh) with the donor readiness ONNX model',
      entry: BATCH_HANDLER_ENTRY,
      handler: 'handler',
      // 1,769 MB is one full vCPU: the batch is CPU-bound between its writes.
      memorySize: 1769,
      timeout: Duration.minutes(15),
      // No reservation: the map's MaxConcurrency bounds it (its only caller), and a reservation
      // would take from the account's unreserved pool that the quota rule protects.
      environment: { STAGE: props.stage, WRITE_CONCURRENCY: String(WRITES_IN_FLIGHT), WRITES_PER_SECOND: String(WRITES_PER_SECOND_PER_FUNCTION), POWERTOOLS_SERVICE_NAME: 'registry-run', POWERTOOLS_LOG_LEVEL: 'INFO' },
      bundling: {
        ...BUNDLING,
        externalModules: ['onnxruntime-node'],
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_inputDir: string, outputDir: string) => onnxRuntimeCopyCommands(outputDir, props.architecture),
        },
      },
    });
    const fn = this.batchFunction;
    fn.addEnvironment('SCORE_TABLE_NAME', props.scoreTable.tableName);
    props.scoreTable.grant(fn, 'dynamodb:PutItem');
    allowKeyUse(fn, props.key);
    fn.addEnvironment('MODEL_BUCKET', props.modelStore.bucket.bucketName);
    fn.addEnvironment('MODEL_PREFIX', props.modelStore.modelPrefix);
    fn.addEnvironment('MODEL_SHA256', props.modelStore.manifest.onnx.sha256);
    allowGetObjects(fn, props.modelStore.objectKeys.map((key) => props.modelStore.bucket.arnForObjects(key)));
    fn.addEnvironment('RUN_BUCKET', this.runBucket.bucketName);
    // Reads the map's result files (the summary), writes rejected rows and the summary: the map's
    // item reader reads the exports and snapshots itself, so the function never touches them.
    allowGetObjects(fn, [this.runBucket.arnForObjects('runs/*')]);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.runBucket.arnForObjects('runs/*')] }));
    fn.node.addDependency(props.modelStore.deployment);

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(this.definition(props)),
      comment: 'Donor readiness registry run: backfill from an export, daily refresh, rescoring after a model change',
      // No X-Ray tracing and no CloudWatch Logs delivery: both need IAM grants on Resource '*'
      // (they have no resource-level permissions). Each run's summary goes to S3 and to the batch
      // function's log, and Step Functions keeps every execution's history for 90 days.
      timeout: Duration.hours(6),
    });
    const sm = this.stateMachine;
    // The map reads an uploaded export (imports/) or the table export's data files (snapshots/) and writes its results.
    sm.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.runBucket.arnForObjects('imports/*'), this.runBucket.arnForObjects('snapshots/*')] }));
    sm.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'], resources: [this.runBucket.arnForObjects('runs/*')] }));
    // The table export writes the snapshot into the run bucket, encrypted with the stack key.
    sm.addToRolePolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [this.runBucket.arnForObjects('snapshots/*')] }));
    allowKeyUse(sm, props.key);

    const failures = new MathExpression({
      expression: 'failed + timedOut + aborted',
      usingMetrics: { failed: sm.metricFailed(), timedOut: sm.metricTimedOut(), aborted: sm.metricAborted() },
      period: Duration.minutes(5),
      label: 'registry runs that failed, timed out or were aborted',
    });
    this.failedRunsAlarm = new Alarm(this, 'FailedRunsAlarm', {
      alarmDescription:
        `A registry run (backfill, daily refresh or model-change rescoring) failed or left failed batches. Look at the run's summary ` +
        `s3://${this.runBucket.bucketName}/runs/<execution name>/summary.json (failed batches: runs/<execution name>/results/), the execution in the ` +
        'Step Functions console and the batch function log group; fix the cause and start the run again (npx drs rescore): runs are idempotent.',
      metric: failures,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.failedRunsAlarm.addAlarmAction(new SnsAction(props.alertTopic));
    this.failedRunsAlarm.addOkAction(new SnsAction(props.alertTopic));

    if (props.schedule !== 'off') {
      this.schedule = new Schedule(this, 'DailyRefresh', {
        description: 'Rescore every stored donor as of today (registry refresh)',
        schedule: ScheduleExpression.expression(props.schedule, TimeZone.of(props.timeZone)),
        target: new StepFunctionsStartExecution(sm, { input: ScheduleTargetInput.fromObject({ mode: 'refresh', tolerance: props.tolerance, trigger: 'schedule' }) }),
      });
    }

    // A deployment that changes the pinned model starts a rescoring of every donor: the custom
    // resource's properties carry the model's SHA-256, so CloudFormation updates it (and starts
    // an execution) exactly when the model changes, after the new function and model are in place.
    const sha = props.modelStore.manifest.onnx.sha256;
    const start = {
      service: 'SFN',
      action: 'startExecution',
      parameters: { stateMachineArn: sm.stateMachineArn, input: JSON.stringify({ mode: 'refresh', tolerance: 0, trigger: 'model-change', modelSha256: sha }) },
      physicalResourceId: PhysicalResourceId.of(`model-${sha}`),
    };
    const trigger = new AwsCustomResource(this, 'RescoreOnModelChange', {
      onCreate: start,
      onUpdate: start,
      policy: AwsCustomResourcePolicy.fromStatements([new PolicyStatement({ actions: ['states:StartExecution'], resources: [sm.stateMachineArn] })]),
      installLatestAwsSdk: false,
    });
    trigger.node.addDependency(fn, props.modelStore.deployment);
    this.acknowledge(trigger);
  }

  private readonly scoreTable: ITable;
  private readonly network?: FunctionNetwork;

  /**
   * The dashboard's row for registry runs: executions by end state, rows by outcome (the batch
   * function's metrics, the same counts as the map run and the run summary), and the table's
   * write rate beside the run's pace and the warm throughput it must stay under.
   */
  dashboardWidgets(stage: string, pace: { writesPerSecond: number; warmWritesPerSecond: number }): IWidget[] {
    const sm = this.stateMachine;
    const period = { period: Duration.minutes(5) };
    const rows = (name: string, label: string) =>
      new Metric({ namespace: 'DonorReadiness', metricName: name, dimensionsMap: { service: 'registry-run', stage }, statistic: 'Sum', label, ...period });
    const tableMetric = (name: string) =>
      new Metric({ namespace: 'AWS/DynamoDB', metricName: name, dimensionsMap: { TableName: this.scoreTable.tableName }, statistic: 'Sum', period: Duration.minutes(1) });
    return [
      new GraphWidget({
        title: 'Registry runs (executions)',
        left: [
          sm.metricStarted({ ...period, label: 'started' }),
          sm.metricSucceeded({ ...period, label: 'succeeded' }),
          sm.metricFailed({ ...period, label: 'failed' }),
          sm.metricAborted({ ...period, label: 'aborted' }),
          sm.metricTimedOut({ ...period, label: 'timed out' }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Registry run rows by outcome',
        left: [rows('RunRowsScored', 'scored'), rows('RunRowsUnchanged', 'unchanged'), rows('RunRowsStale', 'stale'), rows('RunRowsRejected', 'rejected'), rows('RunRowsFailed', 'failed')],
        right: [this.batchFunction.metricErrors({ ...period, label: 'batch function errors' })],
        width: 8,
      }),
      new GraphWidget({
        title: 'Score table writes (units/s) and throttles',
        left: [new MathExpression({ expression: 'w / 60', usingMetrics: { w: tableMetric('ConsumedWriteCapacityUnits') }, label: 'write units/s', period: Duration.minutes(1) })],
        right: [tableMetric('WriteThrottleEvents').with({ label: 'write throttles' })],
        leftAnnotations: [
          { value: pace.writesPerSecond, label: `run pace (refreshWritesPerSecond ${pace.writesPerSecond})` },
          { value: pace.warmWritesPerSecond, label: `warm throughput (tableWarmWritesPerSecond ${pace.warmWritesPerSecond})` },
        ],
        width: 8,
      }),
    ];
  }

  private definition(props: RegistryRefreshProps): IChainable {
    const batchInput = (mode: 'backfill' | 'refresh') => ({
      'runId.$': '$.runId',
      mode,
      'scoringDate.$': '$.scoringDate',
      'tolerance.$': '$.tolerance',
    });
    const scoreBatch = (id: string) =>
      new LambdaInvoke(this, id, { lambdaFunction: this.batchFunction, payloadResponseOnly: true, retryOnServiceExceptions: false }).addRetry({
        errors: ['States.ALL'],
        interval: Duration.seconds(2),
        maxAttempts: 3,
        backoffRate: 2,
      });
    // COMPACT: a succeeded batch is kept as its output (its counts, ~200 B) instead of its whole input
    // (400 rows, ~250 KB) and metadata; a failed batch is always kept whole (input, error, cause), as AWS
    // documents, which is what the summary and a re-run need.
    const resultWriter = new ResultWriterV2({
      bucket: this.runBucket,
      prefix: JsonPath.format('runs/{}/results', JsonPath.stringAt('$.runId')),
      writerConfig: new WriterConfig({ outputType: OutputType.JSON, transformation: Transformation.COMPACT }),
    });
    const mapCommon = {
      maxConcurrency: this.maxConcurrency,
      // Each child is one batch of seconds' work: Express child workflows cost per request and
      // GB-second instead of per state transition (bench/RESULTS.md counts both).
      mapExecutionType: StateMachineType.EXPRESS,
      // A failed batch never stops the others: it is written by the result writer and reported.
      toleratedFailurePercentage: 100,
      resultWriterV2: resultWriter,
      resultPath: '$.mapRun',
    };
    // No step before the map copies or decompresses anything: the map's item reader reads the
    // source as it is. A registry export of one file (`.jsonl`, or `.jsonl.gz` that Step Functions
    // decompresses) goes through the JSON Lines reader; an export split into files (each at most
    // 10 GB, the reader's limit: how a 42 M-donor export is uploaded) and the table export's gzip
    // data files go through the listing reader with LOAD_AND_FLATTEN, which reads every listed
    // object's lines as items. One map run either way, so one MaxConcurrency paces the whole run.
    const fileReader = () => new S3JsonLItemReader({ bucket: this.runBucket, key: JsonPath.stringAt('$.source.key') });
    const filesReader = (prefixPath: string) =>
      new FlattenedJsonLinesReader({ bucket: this.runBucket, prefix: JsonPath.stringAt(prefixPath), listablePrefixes: ['imports/*', 'snapshots/*'] });
    const exportBatcher = () => new ItemBatcher({ maxItemsPerBatch: ROWS_PER_BATCH, maxInputBytesPerBatch: 256 * 1024, batchInput: batchInput('backfill') });
    const scoreExport = new DistributedMap(this, 'Score export rows', { ...mapCommon, itemReader: fileReader(), itemBatcher: exportBatcher() }).itemProcessor(
      scoreBatch('Score batch of rows'),
    );
    const scoreExportFiles = new DistributedMap(this, 'Score export files', { ...mapCommon, itemReader: filesReader('$.source.prefix'), itemBatcher: exportBatcher() }).itemProcessor(
      scoreBatch('Score batch of file rows'),
    );
    const scoreSnapshot = new DistributedMap(this, 'Score snapshot rows', {
      ...mapCommon,
      itemReader: filesReader('$.snapshot.dataPrefix'),
      itemBatcher: new ItemBatcher({ maxItemsPerBatch: SNAPSHOT_ROWS_PER_BATCH, maxInputBytesPerBatch: 256 * 1024, batchInput: batchInput('refresh') }),
    }).itemProcessor(scoreBatch('Score batch of snapshot rows'));
    // The export writes <S3Prefix>/AWSDynamoDB/<export id>/data/*.json.gz beside its manifests; the
    // export id is the last part of its ARN (table/<name>/export/<id>; a table name has no '/').
    const snapshotFiles = new Pass(this, 'Snapshot data files', {
      parameters: { 'dataPrefix.$': "States.Format('snapshots/{}/AWSDynamoDB/{}/data/', $.runId, States.ArrayGetItem(States.StringSplit($.export.arn, '/'), 3))" },
      resultPath: '$.snapshot',
    }).next(scoreSnapshot);

    const summarize = new LambdaInvoke(this, 'Summarize run', {
      lambdaFunction: this.batchFunction,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({ summarize: { 'runId.$': '$.runId', 'mode.$': '$.mode', 'scoringDate.$': '$.scoringDate', 'startedAt.$': '$.startedAt', 'mapRun.$': '$.mapRun' } }),
      resultPath: '$.summary',
    }).addRetry({ errors: ['States.ALL'], interval: Duration.seconds(2), maxAttempts: 3, backoffRate: 2 });
    const verdict = new Choice(this, 'Any batch failed?')
      .when(Condition.numberGreaterThan('$.summary.failed', 0), new Fail(this, 'Run left failed batches', { error: 'RunLeftFailures', cause: 'batches failed after their retries: see the run summary (runs/<execution name>/summary.json) and results/' }))
      .otherwise(new Succeed(this, 'Run done'));
    summarize.next(verdict);
    scoreExport.next(summarize);
    scoreExportFiles.next(summarize);
    scoreSnapshot.next(summarize);

    const exportTable = new CallAwsService(this, 'Export table snapshot', {
      service: 'dynamodb',
      action: 'exportTableToPointInTime',
      parameters: {
        TableArn: props.scoreTable.tableArn,
        S3Bucket: this.runBucket.bucketName,
        S3Prefix: JsonPath.format('snapshots/{}', JsonPath.stringAt('$.runId')),
        ExportFormat: 'DYNAMODB_JSON',
        S3SseAlgorithm: 'KMS',
        S3SseKmsKeyId: props.key.keyArn,
      },
      iamResources: [props.scoreTable.tableArn],
      resultSelector: { 'arn.$': '$.ExportDescription.ExportArn' },
      resultPath: '$.export',
    });
    const waitForExport = new Wait(this, 'Wait for snapshot', { time: WaitTime.duration(Duration.minutes(1)) });
    const describeExport = new CallAwsService(this, 'Check snapshot', {
      service: 'dynamodb',
      action: 'describeExport',
      parameters: { 'ExportArn.$': '$.export.arn' },
      iamResources: [`${props.scoreTable.tableArn}/export/*`],
      resultSelector: { 'status.$': '$.ExportDescription.ExportStatus' },
      resultPath: '$.exportStatus',
    });
    exportTable.next(waitForExport).next(describeExport).next(
      new Choice(this, 'Snapshot ready?')
        .when(Condition.stringEquals('$.exportStatus.status', 'COMPLETED'), snapshotFiles)
        .when(Condition.stringEquals('$.exportStatus.status', 'FAILED'), new Fail(this, 'Snapshot failed', { error: 'SnapshotFailed', cause: 'the table export failed: see DescribeExport for its FailureMessage' }))
        .otherwise(waitForExport),
    );

    const byMode = new Choice(this, 'Backfill or refresh?')
      .when(Condition.and(Condition.stringEquals('$.mode', 'backfill'), Condition.isPresent('$.source.key'), Condition.stringMatches('$.source.key', 'imports/*')), scoreExport)
      .when(Condition.and(Condition.stringEquals('$.mode', 'backfill'), Condition.isPresent('$.source.prefix'), Condition.stringMatches('$.source.prefix', 'imports/*/')), scoreExportFiles)
      .when(Condition.stringEquals('$.mode', 'refresh'), exportTable)
      .otherwise(
        new Fail(this, 'Unknown run', {
          error: 'InvalidRunInput',
          cause: 'start a run with {"mode": "refresh"}, {"mode": "backfill", "source": {"key": "imports/<file>.jsonl or .jsonl.gz"}} or {"mode": "backfill", "source": {"prefix": "imports/<folder>/"}} (an export split into files of at most 10 GB)',
        }),
      );

    // Every run gets its id (the execution name), its scoring date (given, or the UTC date it
    // started: the event path's rule) and its tolerance (given, or 0: write every change).
    const plan = new Pass(this, 'Plan run', {
      parameters: {
        'runId.$': '$$.Execution.Name',
        'startedAt.$': '$$.Execution.StartTime',
        'today.$': "States.ArrayGetItem(States.StringSplit($$.Execution.StartTime, 'T'), 0)",
        'mode.$': '$.mode',
        'request.$': '$',
      },
    });
    const givenDate = new Pass(this, 'Scoring date as given', { inputPath: '$.request.scoringDate', resultPath: '$.scoringDate' });
    const today = new Pass(this, 'Scoring date is today', { inputPath: '$.today', resultPath: '$.scoringDate' });
    const givenTolerance = new Pass(this, 'Tolerance as given', { inputPath: '$.request.tolerance', resultPath: '$.tolerance' });
    const zeroTolerance = new Pass(this, 'No tolerance', { result: Result.fromNumber(0), resultPath: '$.tolerance' });
    const source = new Pass(this, 'Source export', { inputPath: '$.request.source', resultPath: '$.source' });
    const noSource = new Pass(this, 'No source', { result: Result.fromObject({}), resultPath: '$.source' });
    const tolerance = new Choice(this, 'Tolerance given?').when(Condition.isPresent('$.request.tolerance'), givenTolerance).otherwise(zeroTolerance);
    const sourceChoice = new Choice(this, 'Source given?').when(Condition.isPresent('$.request.source'), source).otherwise(noSource);
    givenDate.next(tolerance);
    today.next(tolerance);
    givenTolerance.next(sourceChoice);
    zeroTolerance.next(sourceChoice);
    source.next(byMode);
    noSource.next(byMode);
    return plan.next(new Choice(this, 'Scoring date given?').when(Condition.isPresent('$.request.scoringDate'), givenDate).otherwise(today));
  }

  private acknowledge(trigger: AwsCustomResource): void {
    const ack = (scope: Construct | undefined, id: string, reason: string) => scope && Validations.of(scope).acknowledge({ id, reason });
    const inline = 'this policy belongs to this one role and is created, changed and deleted with it';
    const bucket = Stack.of(this).getLogicalId(this.runBucket.node.defaultChild as CfnResource);
    const table = Stack.of(this).getLogicalId(this.scoreTable.node.defaultChild as CfnResource);
    const fnId = Stack.of(this).getLogicalId(this.batchFunction.node.defaultChild as CfnResource);
    const fnPolicy = this.batchFunction.role!.node.tryFindChild('DefaultPolicy');
    const smPolicy = this.stateMachine.role.node.tryFindChild('DefaultPolicy');
    ack(this.batchFunction, 'AwsSolutions-L1', 'nodejs22.x is the runtime this project pins and tests against; moving to nodejs24.x is a deliberate upgrade');
    ack(this.batchFunction.role!, 'HIPAA.Security-IAMNoInlinePolicy', inline);
    ack(this.batchFunction, 'HIPAA.Security-LambdaConcurrency', `its only caller is the registry run's Distributed Map, whose MaxConcurrency (${this.maxConcurrency}) bounds it; a reservation would take from the account's unreserved pool`);
    ack(this.batchFunction, 'HIPAA.Security-LambdaDLQ', 'invoked synchronously by the state machine, whose map retries a failed batch and then writes it to the run results (no event to keep)');
    if (this.network) {
      ack(this.batchFunction.role!, `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${ENI_POLICY}]`, 'Lambda needs the ENI actions to attach the function to its subnets; Describe has no resource-level permissions, and this AWS policy grants only these ENI actions');
    } else {
      ack(this.batchFunction, 'HIPAA.Security-LambdaInsideVPC', 'vpc=false (the default): the function calls only AWS APIs (DynamoDB, S3) over TLS with IAM; deploy with -c vpc=true for isolated subnets');
    }
    ack(fnPolicy, `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/runs/*]`, 'each run reads its map results and writes its rejected rows and summary under runs/<run id>/, a name known only when the run starts');
    ack(this.stateMachine.role, 'HIPAA.Security-IAMNoInlinePolicy', inline);
    ack(smPolicy, `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/runs/*]`, 'the map writes its results under runs/<run id>/results, a name known only when the run starts');
    ack(smPolicy, `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/snapshots/*]`, 'the table export writes, and the map reads, snapshots/<run id>/');
    ack(smPolicy, `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/imports/*]`, 'a backfill reads the registry export the operator uploaded under imports/');
    ack(smPolicy, `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::<${bucket}>/*]`, "CDK's result-writer grant for the map: the run bucket only, whose every object is written by this stack's runs");
    ack(smPolicy, `AwsSolutions-IAM5[Resource::<${table}.Arn>/export/*]`, 'DescribeExport on the exports of the score table; an export ARN is known only after the export starts');
    ack(smPolicy, `AwsSolutions-IAM5[Resource::<${fnId}.Arn>:*]`, "CDK's grant to invoke the batch function's versions and aliases: this one function only");
    ack(this.stateMachine, 'AwsSolutions-SF1', "no CloudWatch Logs delivery: it needs logs:*Delivery on Resource '*'; each run's summary is written to S3 and logged by the batch function, and the execution history is kept 90 days");
    ack(this.stateMachine, 'AwsSolutions-SF2', "no X-Ray: it needs xray:Put* on Resource '*'; the map run's counts and the run summary show where time and failures go");
    const mapPolicy = this.stateMachine.node.tryFindChild('DistributedMapPolicy');
    const smId = Stack.of(this).getLogicalId(this.stateMachine.node.defaultChild as CfnResource);
    // cdk-nag prints the environment literally when the stack's is known (cdk synth with a profile).
    const stack = Stack.of(this);
    const known = (value: string, token: string) => (Token.isUnresolved(value) ? token : value);
    const partition = Token.isUnresolved(stack.region) ? '<AWS::Partition>' : stack.partition;
    const executions = `arn:${partition}:states:${known(stack.region, '<AWS::Region>')}:${known(stack.account, '<AWS::AccountId>')}:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${smId}"}]}]}`;
    for (const suffix of [':*', '/*:*']) {
      ack(mapPolicy, `AwsSolutions-IAM5[Resource::${executions}${suffix}]`, 'the Distributed Map describes and stops the child executions of this state machine only; their ARNs are known only at run time');
    }
    ack(mapPolicy, 'HIPAA.Security-IAMNoInlinePolicy', inline);
    ack(this.runBucket, 'HIPAA.Security-S3BucketReplicationEnabled', 'snapshots and run results are rebuilt by running again; rejected rows are also in the source export');
    ack(trigger.node.tryFindChild('CustomResourcePolicy'), 'HIPAA.Security-IAMNoInlinePolicy', `model-change trigger: ${inline}`);
    const provider = Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_PROVIDER_ID);
    const why = "CDK's AwsCustomResource handler, run by CloudFormation only at deploy time to start the rescoring after a model change";
    ack(provider, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', `${why}: CDK attaches the basic execution policy to its own role`);
    ack(provider, 'AwsSolutions-L1', `${why}: CDK chooses and updates this handler's runtime`);
    ack(provider, 'HIPAA.Security-LambdaConcurrency', `${why}: invoked once per deployment by CloudFormation, never by events`);
    ack(provider, 'HIPAA.Security-LambdaDLQ', `${why}: invoked synchronously by CloudFormation, which reports a failure as a failed deployment`);
    ack(provider, 'HIPAA.Security-LambdaInsideVPC', `${why}: it calls states:StartExecution only (no donor data)`);
    const schedulerRole = Stack.of(this).node.children.find((c) => c.node.id.startsWith('SchedulerRoleForTarget'));
    ack(schedulerRole, 'HIPAA.Security-IAMNoInlinePolicy', `daily refresh schedule's role (CDK's): ${inline}`);
  }
}
