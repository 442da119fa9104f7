// Exact grants where CDK's grant helpers would add wildcard actions (kms:GenerateDataKey*,
// kms:ReEncrypt*, s3:GetObject*, s3:List*): each statement names its actions and resources.
import { PolicyStatement, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { DestinationConfig, IDestination } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

function allow(grantee: IGrantable, actions: string[], resources: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources }));
}

/** What writing to and reading from the stack key's tables, queues, topic and bucket needs. */
export function allowKeyUse(grantee: IGrantable, key: IKey): void {
  allow(grantee, ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], [key.keyArn]);
}

export function allowSend(grantee: IGrantable, queue: IQueue): void {
  allow(grantee, ['sqs:SendMessage'], [queue.queueArn]);
}

export function allowPublish(grantee: IGrantable, topicArn: string): void {
  allow(grantee, ['sns:Publish'], [topicArn]);
}

export function allowGetObjects(grantee: IGrantable, objectArns: string[]): void {
  allow(grantee, ['s3:GetObject'], objectArns);
}

/**
 * Lambda's on-failure destination as a plain queue ARN: CDK's SqsDestination would also grant
 * the function kms:GenerateDataKey* and kms:ReEncrypt* on the key; the caller grants exactly.
 */
export function queueDestination(queue: IQueue): IDestination {
  return { bind: (): DestinationConfig => ({ destination: queue.queueArn }) };
}
