// The outcome function's configuration, read once at cold start from the environment the stack sets.
import { readEnvironment } from '../core/environment';

export interface OutcomeConfig {
  stage: string;
  scoreTableName: string;
  outcomeTableName: string;
  rejectedQueueUrl: string;
}

const VARIABLES = {
  stage: 'STAGE',
  scoreTableName: 'SCORE_TABLE_NAME',
  outcomeTableName: 'OUTCOME_TABLE_NAME',
  rejectedQueueUrl: 'REJECTED_QUEUE_URL',
} as const satisfies Record<keyof OutcomeConfig, string>;

export function readOutcomeConfig(env: NodeJS.ProcessEnv = process.env): OutcomeConfig {
  return readEnvironment('outcome function', VARIABLES, env);
}
