// The read API function's configuration, read once at cold start from the environment the stack sets.
import { readEnvironment } from '../core/environment';

export interface ReadApiConfig {
  stage: string;
  scoreTableName: string;
  modelBucket: string;
  modelPrefix: string;
  modelSha256: string;
}

const VARIABLES = {
  stage: 'STAGE',
  scoreTableName: 'SCORE_TABLE_NAME',
  modelBucket: 'MODEL_BUCKET',
  modelPrefix: 'MODEL_PREFIX',
  modelSha256: 'MODEL_SHA256',
} as const satisfies Record<keyof ReadApiConfig, string>;

export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ReadApiConfig {
  return readEnvironment('read API function', VARIABLES, env);
}
