// Throttled alert e-mails: the scoring function counts failures in the alert-state table; this
// function, run every minute, sends at most one e-mail per failure class per window with the
// count and sample event ids. Alerting is off the scoring path, so it can never fail scoring.
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PROJECT_ROOT } from './scoring-function';
import type { FunctionNetwork } from './function-network';
import { allowKeyUse, allowPublish } from './least-privilege';

/** The table where failures are counted; created before the scoring function, which writes it. */
export function alertStateTable(scope: Construct, key: IKey): Table {
  return new Table(scope, 'AlertState', {
    partitionKey: { name: 'failureClass', type: AttributeType.STRING },
    billingMode: BillingMode.PAY_PER_REQUEST,
    encryption: TableEncryption.CUSTOMER_MANAGED,
    encryptionKey: key,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: 'expiresAt',
    // Only counters of failures still to e-mail: nothing worth keeping after the stack is gone.
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

export interface AlertDigestProps {
  key: IKey;
  stage: string;
  architecture: 'x86_64' | 'arm64';
  windowMinutes: number;
  logRetentionDays: number;
  stateTable: Table;
  topic: ITopic;
  scoringFunction: IFunction;
  scoringLogGroupName: string;
  rejectedQueue: IQueue;
  failedQueue: IQueue;
  network?: FunctionNetwork;
}

export class AlertDigest extends Construct {
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly schedule: Rule;

  constructor(scope: Construct, id: string, props: AlertDigestProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays,
      encryptionKey: props.key,
      removalPolicy: props.stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'Donor readiness alert digest: reads and claims alert state, publishes to the alert topic',
    });
    this.logGroup.grantWrite(role);
    props.network?.grantNetworkInterfaces(role);

    this.function = new NodejsFunction(this, 'Function', {
      role,
      description: 'Sends at most one alert e-mail per failure class per window',
      entry: join(PROJECT_ROOT, 'lambdas', 'alert-digest', 'handler.ts'),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: props.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      // One digest at a time; the conditional claim still guards against an overlap.
      reservedConcurrentExecutions: 1,
      logGroup: this.logGroup,
      // A failed run changes nothing (counts stay pending); the next minute's run retries.
      retryAttempts: 0,
      ...props.network?.functionProps,
      environment: {
        STAGE: props.stage,
        ALERT_WINDOW_MINUTES: String(props.windowMinutes),
        SCORING_LOG_GROUP_NAME: props.scoringLogGroupName,
        SCORING_FUNCTION_NAME: props.scoringFunction.functionName,
        REJECTED_QUEUE_NAME: props.rejectedQueue.queueName,
        FAILED_QUEUE_NAME: props.failedQueue.queueName,
        POWERTOOLS_SERVICE_NAME: 'alert-digest',
        POWERTOOLS_METRICS_NAMESPACE: 'DonorReadiness',
      },
      // Bundle our pinned AWS SDK rather than the runtime's, as the scoring function does.
      bundling: { format: OutputFormat.CJS, target: 'node22', minify: true, sourceMap: false, externalModules: [], forceDockerBundling: false },
    });
    const fn = this.function;
    fn.addEnvironment('ALERT_STATE_TABLE_NAME', props.stateTable.tableName);
    props.stateTable.grant(fn, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    fn.addEnvironment('ALERT_TOPIC_ARN', props.topic.topicArn);
    allowPublish(fn, props.topic.topicArn);
    allowKeyUse(fn, props.key);

    this.schedule = new Rule(this, 'EveryMinute', {
      description: 'Runs the alert digest every minute',
      schedule: Schedule.rate(Duration.minutes(1)),
    });
    this.schedule.addTarget(new LambdaFunction(fn, { retryAttempts: 0 }));
  }
}
