// The model bucket and the deployment of model/ into it under `models/<sha256>/`, so every model
// version has its own immutable key and a rollback is a redeploy of an older commit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { ModelManifest } from '../lambdas/core/model-manifest';

export const MODEL_DIR = join(__dirname, '..', 'model');

export interface ModelStoreProps {
  key: IKey;
  stage: string;
  modelDir?: string;
}

export class ModelStore extends Construct {
  public readonly bucket: Bucket;
  /** Server access logs of the model bucket: who read or wrote which model, when. */
  public readonly accessLogs: Bucket;
  public readonly manifest: ModelManifest;
  /** `models/<sha256>/`: where manifest.json and the ONNX file land. */
  public readonly modelPrefix: string;
  public readonly deployment: BucketDeployment;
  /** The objects the scoring function reads: manifest.json and the ONNX file it names. */
  public readonly objectKeys: string[];

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    const modelDir = props.modelDir ?? MODEL_DIR;
    this.manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8')) as ModelManifest;
    this.modelPrefix = `models/${this.manifest.onnx.sha256}/`;
    this.objectKeys = [`${this.modelPrefix}manifest.json`, `${this.modelPrefix}${this.manifest.onnx.file}`];
    const dev = props.stage === 'dev';
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      // S3 log delivery can write only to SSE-S3 buckets, not SSE-KMS.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: dev,
    });
    this.bucket = new Bucket(this, 'Bucket', {
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'model-bucket/',
      versioned: true,
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: dev ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      autoDeleteObjects: dev,
    });
    // Only what the function reads (and the card that explains it) is deployed.
    this.deployment = new BucketDeployment(this, 'Deployment', {
      sources: [Source.asset(modelDir, { exclude: ['*', `!${this.manifest.onnx.file}`, '!manifest.json', '!MODEL_CARD.md'] })],
      destinationBucket: this.bucket,
      destinationKeyPrefix: this.modelPrefix,
      prune: false,
      retainOnDelete: !dev,
      memoryLimit: 256,
    });
  }
}
