// The function's configuration, read once at cold start from the environment the stack sets.
// A missing value fails loudly, naming every missing variable, instead of failing per event.
import { readEnvironment } from '../core/environment';

export interface ScoringConfig {
  stage: string;
  scoreTableName: string;
  modelBucket: string;
  /** Key prefix `models/<sha256>/` holding manifest.json and the ONNX file it names. */
  modelPrefix: string;
  /** The SHA-256 the deployment pins: the manifest and the ONNX bytes must both match it. */
  modelSha256: string;
  /** The ONNX file under the prefix (the manifest must name the same one). */
  modelFile: string;
  rejectedQueueUrl: string;
  /** Where failures are counted for the throttled alert e-mails. */
  alertStateTableName: string;
}

const VARIABLES = {
  stage: 'STAGE',
  scoreTableName: 'SCORE_TABLE_NAME',
  modelBucket: 'MODEL_BUCKET',
  modelPrefix: 'MODEL_PREFIX',
  modelSha256: 'MODEL_SHA256',
  modelFile: 'MODEL_FILE',
  rejectedQueueUrl: 'REJECTED_QUEUE_URL',
  alertStateTableName: 'ALERT_STATE_TABLE_NAME',
} as const satisfies Record<keyof ScoringConfig, string>;

export function readScoringConfig(env: NodeJS.ProcessEnv = process.env): ScoringConfig {
  const config = readEnvironment('scoring function', VARIABLES, env);
  if (!/^[0-9a-f]{64}$/.test(config.modelSha256)) throw new Error('MODEL_SHA256 must be 64 lowercase hex characters');
  return config;
}
