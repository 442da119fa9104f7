// The batch function's configuration, read once at cold start from the environment the stack sets.
import { readEnvironment } from '../core/environment';
import type { ScoringConfig } from '../score-donor/config';

export interface RescoreConfig extends Pick<ScoringConfig, 'stage' | 'scoreTableName' | 'modelBucket' | 'modelPrefix' | 'modelSha256'> {
  /** Snapshots, rejected rows, map results and run summaries. */
  runBucket: string;
  writeConcurrency: number;
  /** Writes a second this function makes at most (the map's MaxConcurrency x this = the run's pace). */
  writesPerSecond: number;
}

const VARIABLES = {
  stage: 'STAGE',
  scoreTableName: 'SCORE_TABLE_NAME',
  modelBucket: 'MODEL_BUCKET',
  modelPrefix: 'MODEL_PREFIX',
  modelSha256: 'MODEL_SHA256',
  runBucket: 'RUN_BUCKET',
  writeConcurrency: 'WRITE_CONCURRENCY',
  writesPerSecond: 'WRITES_PER_SECOND',
} as const;

export function readRescoreConfig(env: NodeJS.ProcessEnv = process.env): RescoreConfig {
  const raw = readEnvironment('registry batch function', VARIABLES, env);
  const writeConcurrency = Number(raw.writeConcurrency);
  if (!Number.isInteger(writeConcurrency) || writeConcurrency < 1) throw new Error('WRITE_CONCURRENCY must be a whole number >= 1');
  if (!/^[0-9a-f]{64}$/.test(raw.modelSha256)) throw new Error('MODEL_SHA256 must be 64 lowercase hex characters');
  const writesPerSecond = Number(raw.writesPerSecond);
  if (!Number.isInteger(writesPerSecond) || writesPerSecond < 1) throw new Error('WRITES_PER_SECOND must be a whole number >= 1');
  return { ...raw, writeConcurrency, writesPerSecond };
}
