// `DonorReadinessChanged` events (contract.md): the score table's stream feeds two EventBridge
// pipes whose filters let through only a donor's first score (INSERT) and a band change (MODIFY
// with old band != new band); a rescore that keeps the band never leaves the stream. The input
// templates pick the public fields only: no donor attributes, no features. Records a pipe cannot
// deliver after its retries go to an encrypted queue (alarmed by the stack).
import { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BANDS } from '../lambdas/read-api/readiness-contract';
import { encryptedQueue, retainOutsideDev } from './encrypted-queue';

export const CHANGE_DETAIL_TYPE = 'DonorReadinessChanged';
export const CHANGE_SOURCE = 'donor-readiness';

/** EventBridge pipe filter patterns over DynamoDB stream records (JSON, as the template holds them). */
export function changeFilters(): { firstScore: Record<string, unknown>[]; bandChange: Record<string, unknown>[] } {
  return {
    firstScore: [{ eventName: ['INSERT'] }],
    // Patterns cannot compare two fields: one pattern per old band, listing the other bands as new.
    bandChange: BANDS.map((old) => ({
      eventName: ['MODIFY'],
      dynamodb: { OldImage: { band: { S: [old] } }, NewImage: { band: { S: BANDS.filter((b) => b !== old) } } },
    })),
  };
}

/** Unquoted placeholders insert the value raw: DynamoDB's number strings become JSON numbers. */
const detailTemplate = (previousBand: string) =>
  `{"donorId": "<$.dynamodb.NewImage.donorId.S>", "score": <$.dynamodb.NewImage.score.N>, "band": "<$.dynamodb.NewImage.band.S>", ` +
  `"previousBand": ${previousBand}, "modelVersion": "<$.dynamodb.NewImage.modelVersion.S>", "scoredAt": "<$.dynamodb.NewImage.scoredAt.S>"}`;

export interface ReadinessChangeEventsProps {
  key: IKey;
  stage: string;
  scoreTable: ITable;
  eventBus: IEventBus;
}

export class ReadinessChangeEvents extends Construct {
  public readonly firstScorePipe: CfnPipe;
  public readonly bandChangePipe: CfnPipe;
  public readonly role: Role;
  /** Stream records a pipe could not deliver to the bus after its retries. */
  public readonly undeliveredQueue: Queue;

  constructor(scope: Construct, id: string, props: ReadinessChangeEventsProps) {
    super(scope, id);
    const streamArn = props.scoreTable.tableStreamArn;
    if (!streamArn) throw new Error('the score table needs a stream (NEW_AND_OLD_IMAGES) for readiness change events');
    const stack = Stack.of(this);
    this.undeliveredQueue = encryptedQueue(this, 'Undelivered', props.key);
    this.undeliveredQueue.applyRemovalPolicy(retainOutsideDev(props.stage));
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('pipes.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description: 'Donor readiness change pipes: read the score table stream, put DonorReadinessChanged events',
    });
    const allow = (actions: string[], resources: string[]) => this.role.addToPolicy(new PolicyStatement({ actions, resources }));
    allow(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'], [streamArn]);
    allow(['events:PutEvents'], [props.eventBus.eventBusArn]);
    allow(['sqs:SendMessage'], [this.undeliveredQueue.queueArn]);
    // The stream and the queue are encrypted with the stack key.
    allow(['kms:Decrypt', 'kms:GenerateDataKey'], [props.key.keyArn]);

    const filters = changeFilters();
    const pipe = (pipeId: string, description: string, patterns: Record<string, unknown>[], previousBand: string) =>
      new CfnPipe(this, pipeId, {
        roleArn: this.role.roleArn,
        description,
        source: streamArn,
        sourceParameters: {
          dynamoDbStreamParameters: {
            startingPosition: 'LATEST',
            batchSize: 10,
            maximumRetryAttempts: 10,
            deadLetterConfig: { arn: this.undeliveredQueue.queueArn },
          },
          filterCriteria: { filters: patterns.map((p) => ({ pattern: JSON.stringify(p) })) },
        },
        target: props.eventBus.eventBusArn,
        targetParameters: {
          inputTemplate: detailTemplate(previousBand),
          eventBridgeEventBusParameters: { detailType: CHANGE_DETAIL_TYPE, source: CHANGE_SOURCE },
        },
      });
    // Two pipes, because the first score has no old image to take previousBand from. DynamoDB
    // allows two readers per stream shard: further subscribers use the events, not the stream.
    this.firstScorePipe = pipe('FirstScorePipe', 'DonorReadinessChanged for a donor scored for the first time', filters.firstScore, 'null');
    this.bandChangePipe = pipe('BandChangePipe', "DonorReadinessChanged when a donor's band changes", filters.bandChange, '"<$.dynamodb.OldImage.band.S>"');
    for (const p of [this.firstScorePipe, this.bandChangePipe]) p.node.addDependency(this.role);
  }
}
