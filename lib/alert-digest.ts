// Throttled alert e-mails: the scoring function counts failures in the alert-state table; this
// function, run every minute, sends at most one e-mail per failure class per window with the
// count and sample event ids. Alerting is off the scoring path, so it can never fail scoring.
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUNDLING, functionBasics, PROJECT_ROOT } from './function-basics';
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
  /** Off (undefined) by default; the conditional claim already keeps overlapping runs from sending twice. */
  reservedConcurrency?: number;
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
    const basics = functionBasics(this, {
      ...props,
      logName: 'alert-digest',
      roleDescription: 'Donor readiness alert digest: reads and claims alert state, publishes to the alert topic',
    });
    this.logGroup = basics.logGroup;

    this.function = new NodejsFunction(this, 'Function', {
      ...basics.functionProps,
      description: 'Sends at most one alert e-mail per failure class per window',
      entry: join(PROJECT_ROOT, 'lambdas', 'alert-digest', 'handler.ts'),
      handler: 'handler',
      memorySize: 256,
      timeout: Duration.seconds(30),
      // Unreserved by default: runs may overlap, and the conditional claim lets only one send per class.
      reservedConcurrentExecutions: props.reservedConcurrency,
      // A failed run changes nothing (counts stay pending); the next minute's run retries.
      retryAttempts: 0,
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
      bundling: BUNDLING,
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
