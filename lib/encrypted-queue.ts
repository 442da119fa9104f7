// Every queue of the pipeline holds donor events: encrypted with the stack's key, TLS only, and
// kept 14 days (the SQS maximum) so an operator has time to redrive.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Queue, QueueEncryption, type QueueProps } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** What holds donor data or kept events outlives a deleted stack, except in dev. */
export function retainOutsideDev(stage: string): RemovalPolicy {
  return stage === 'dev' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}

export function encryptedQueue(scope: Construct, id: string, key: IKey, props: QueueProps = {}): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    ...props,
  });
}
