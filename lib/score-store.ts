// The score table: the latest score of every donor, keyed by donorId.
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption, type TableProps } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface ScoreStoreProps {
  key: IKey;
  stage: string;
  /**
   * On-demand warm throughput (pre-warmed write units/s): what the table serves at once, without
   * scaling up first. A registry run paces itself under it (refreshWritesPerSecond) and leaves the
   * rest to live scoring. A new on-demand table starts at 4,000.
   */
  warmWritesPerSecond?: number;
  /** Merged over the secure defaults. */
  tableProps?: Partial<TableProps>;
}

export class ScoreStore extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: ScoreStoreProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'donorId', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      // Old and new image: the change-event pipes compare the band before and after a write.
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      // Scores are the product: only a dev stack may take them down with it.
      removalPolicy: props.stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      ...(props.warmWritesPerSecond ? { warmThroughput: { writeUnitsPerSecond: props.warmWritesPerSecond } } : {}),
      ...props.tableProps,
    });
  }
}
