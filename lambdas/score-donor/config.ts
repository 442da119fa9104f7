// The function's configuration, read once at cold start from the environment the stack sets.
// A missing value fails loudly, naming every missing variable, instead of failing per event.

export interface ScoringConfig {
  stage: string;
  scoreTableName: string;
  modelBucket: string;
  /** Key prefix `models/<sha256>/` holding manifest.json and the ONNX file it names. */
  modelPrefix: string;
  /** The SHA-256 the deployment pins: the manifest and the ONNX bytes must both match it. */
  modelSha256: string;
  rejectedQueueUrl: string;
  rejectedQueueName: string;
  failedQueueName: string;
  alertTopicArn: string;
  logGroupName: string;
}

const VARIABLES = {
  stage: 'STAGE',
  scoreTableName: 'SCORE_TABLE_NAME',
  modelBucket: 'MODEL_BUCKET',
  modelPrefix: 'MODEL_PREFIX',
  modelSha256: 'MODEL_SHA256',
  rejectedQueueUrl: 'REJECTED_QUEUE_URL',
  rejectedQueueName: 'REJECTED_QUEUE_NAME',
  failedQueueName: 'FAILED_QUEUE_NAME',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  logGroupName: 'AWS_LAMBDA_LOG_GROUP_NAME',
} as const satisfies Record<keyof ScoringConfig, string>;

export function readScoringConfig(env: NodeJS.ProcessEnv = process.env): ScoringConfig {
  const missing = Object.values(VARIABLES).filter((name) => !env[name]);
  if (missing.length) {
    throw new Error(`scoring function is missing environment variables ${missing.join(', ')}: deploy it with the stack (npx cdk deploy), which sets them`);
  }
  const config = Object.fromEntries(Object.entries(VARIABLES).map(([key, name]) => [key, env[name]!])) as unknown as ScoringConfig;
  if (!/^[0-9a-f]{64}$/.test(config.modelSha256)) throw new Error('MODEL_SHA256 must be 64 lowercase hex characters');
  return config;
}
