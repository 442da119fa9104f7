// The prediction log: DonorRequestOutcome events from the registry's bus, matched by their own rule
// and recorded by the outcome function beside the donor's score record as it stood at the request.
// Same guarantees as the scoring path: invalid events kept whole, failed ones kept after retries,
// undeliverable ones kept by the rule, and any kept message alarms.
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption, type ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { encryptedQueue, retainOutsideDev } from './encrypted-queue';
import { BUNDLING, functionBasics, PROJECT_ROOT } from './function-basics';
import type { FunctionNetwork } from './function-network';
import { allowKeyUse, allowSend, queueDestination } from './least-privilege';

export const OUTCOME_HANDLER_ENTRY = join(PROJECT_ROOT, 'lambdas', 'record-outcome', 'handler.ts');
export const OUTCOME_HANDLER_EXPORT = 'handler';

export interface OutcomeLogProps {
  key: IKey;
  stage: string;
  architecture: 'x86_64' | 'arm64';
  logRetentionDays: number;
  eventBus: IEventBus;
  eventSource: string;
  detailType: string;
  scoreTable: ITable;
  network?: FunctionNetwork;
}

export class OutcomeLog extends Construct {
  /** One item per request id: the outcome and the prediction as it stood at the request. */
  public readonly table: Table;
  public readonly function: NodejsFunction;
  public readonly logGroup: LogGroup;
  public readonly rule: Rule;
  public readonly rejectedQueue: Queue;
  public readonly failedQueue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly undeliveredQueue: Queue;

  constructor(scope: Construct, id: string, props: OutcomeLogProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'requestId', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      // The outcomes are the only ground truth the model is judged and retrained on.
      removalPolicy: props.stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    this.rejectedQueue = encryptedQueue(this, 'RejectedOutcomes', props.key, { removalPolicy: retainOutsideDev(props.stage) });
    this.failedQueue = encryptedQueue(this, 'FailedOutcomes', props.key, { removalPolicy: retainOutsideDev(props.stage) });
    this.deadLetterQueue = encryptedQueue(this, 'DeadLetterQueue', props.key, { removalPolicy: retainOutsideDev(props.stage) });
    this.undeliveredQueue = encryptedQueue(this, 'Undelivered', props.key, { removalPolicy: retainOutsideDev(props.stage) });

    const basics = functionBasics(this, {
      ...props,
      logName: 'outcome-function',
      roleDescription: 'Donor readiness outcome function: reads scores, writes the prediction log and rejected outcomes',
    });
    this.logGroup = basics.logGroup;
    this.function = new NodejsFunction(this, 'Function', {
      ...basics.functionProps,
      description: 'Records DonorRequestOutcome events beside the score each donor had at the request',
      entry: OUTCOME_HANDLER_ENTRY,
      handler: OUTCOME_HANDLER_EXPORT,
      memorySize: 256,
      timeout: Duration.seconds(30),
      // Tens of thousands of outcomes a year: a few at a time is plenty, and it caps the reads on the score table.
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: queueDestination(this.failedQueue),
      deadLetterQueue: this.deadLetterQueue,
      environment: { STAGE: props.stage, POWERTOOLS_SERVICE_NAME: 'record-outcome', POWERTOOLS_METRICS_NAMESPACE: 'DonorReadiness', POWERTOOLS_LOG_LEVEL: 'INFO' },
      bundling: BUNDLING,
    });
    const fn = this.function;
    allowKeyUse(fn, props.key);
    fn.addEnvironment('SCORE_TABLE_NAME', props.scoreTable.tableName);
    props.scoreTable.grant(fn, 'dynamodb:GetItem');
    fn.addEnvironment('OUTCOME_TABLE_NAME', this.table.tableName);
    this.table.grant(fn, 'dynamodb:PutItem');
    fn.addEnvironment('REJECTED_QUEUE_URL', this.rejectedQueue.queueUrl);
    allowSend(fn, this.rejectedQueue);
    allowSend(fn, this.failedQueue);

    this.rule = new Rule(this, 'OutcomeRule', {
      eventBus: props.eventBus,
      description: 'Every DonorRequestOutcome event goes to the outcome function',
      eventPattern: { source: [props.eventSource], detailType: [props.detailType] },
    });
    this.rule.addTarget(new LambdaFunction(fn, { retryAttempts: 185, maxEventAge: Duration.hours(24), deadLetterQueue: this.undeliveredQueue }));
  }
}
