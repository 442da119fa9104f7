// A Distributed Map item reader that lists the objects under a prefix and reads their lines as the
// items (ItemReader `s3:listObjectsV2` with ReaderConfig InputType JSONL and Transformation
// LOAD_AND_FLATTEN, Step Functions developer guide "ItemReader (Map)", updated 2025-09-11): one map
// run over every data file of a table export or a split registry export, each file up to 10 GB,
// gzip files (`.gz`) decompressed by Step Functions itself. aws-cdk-lib 2.276's S3ObjectsItemReader
// renders no ReaderConfig but MaxItems, so this adds the two fields and a ListBucket grant held to
// the prefixes a run may read.
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { S3ObjectsItemReader, type QueryLanguage, type S3ObjectsItemReaderProps } from 'aws-cdk-lib/aws-stepfunctions';

export interface FlattenedJsonLinesReaderProps extends S3ObjectsItemReaderProps {
  /** `s3:prefix` patterns the state machine may list (the ListBucket condition), e.g. `snapshots/*`. */
  listablePrefixes: string[];
}

export class FlattenedJsonLinesReader extends S3ObjectsItemReader {
  private readonly listablePrefixes: string[];

  constructor(props: FlattenedJsonLinesReaderProps) {
    const { listablePrefixes, ...reader } = props;
    super(reader);
    this.listablePrefixes = listablePrefixes;
  }

  override render(queryLanguage?: QueryLanguage): any {
    const rendered = super.render(queryLanguage);
    return { ...rendered, ReaderConfig: { ...rendered.ReaderConfig, InputType: 'JSONL', Transformation: 'LOAD_AND_FLATTEN' } };
  }

  override providePolicyStatements(): PolicyStatement[] {
    return [new PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn], conditions: { StringLike: { 's3:prefix': this.listablePrefixes } } })];
  }
}
