// The monitoring function's configuration, read once at cold start from the environment the stack sets.
import { readEnvironment } from '../core/environment';
import { DEFAULT_THRESHOLDS, type MonitoringThresholds } from '../monitoring/monitoring-run';

export interface MonitorConfig {
  stage: string;
  scoreTableName: string;
  outcomeTableName: string;
  modelBucket: string;
  modelPrefix: string;
  reportBucket: string;
  alertTopicArn: string;
  thresholds: MonitoringThresholds;
  /** Score records the run reads at most from the table when there is no snapshot: a sample of its segments at 9 M donors. */
  scoreSampleRows: number;
  /** The registry refresh's run bucket, whose snapshots/ hold the daily exports of the score table. */
  snapshotBucket?: string;
  /** A snapshot older than this is not used (the refresh has not run): the table is read instead. */
  snapshotMaxAgeHours: number;
  /** Snapshot rows the run reads at most (whole data files, chosen at random beyond this). */
  snapshotSampleRows: number;
}

const VARIABLES = {
  stage: 'STAGE',
  scoreTableName: 'SCORE_TABLE_NAME',
  outcomeTableName: 'OUTCOME_TABLE_NAME',
  modelBucket: 'MODEL_BUCKET',
  modelPrefix: 'MODEL_PREFIX',
  reportBucket: 'REPORT_BUCKET',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  thresholds: 'MONITOR_THRESHOLDS',
  scoreSampleRows: 'SCORE_SAMPLE_ROWS',
} as const;

export function readMonitorConfig(env: NodeJS.ProcessEnv = process.env): MonitorConfig {
  const raw = readEnvironment('monitoring function', VARIABLES, env);
  const thresholds = { ...DEFAULT_THRESHOLDS, ...(JSON.parse(raw.thresholds) as Partial<MonitoringThresholds>) };
  const scoreSampleRows = Number(raw.scoreSampleRows);
  if (!(Number.isSafeInteger(scoreSampleRows) && scoreSampleRows > 0)) throw new Error('SCORE_SAMPLE_ROWS must be a whole number > 0');
  const snapshotMaxAgeHours = Number(env.SNAPSHOT_MAX_AGE_HOURS ?? 36);
  if (!(snapshotMaxAgeHours > 0)) throw new Error('SNAPSHOT_MAX_AGE_HOURS must be a number of hours > 0');
  const snapshotSampleRows = Number(env.SNAPSHOT_SAMPLE_ROWS ?? 2_000_000);
  if (!(Number.isSafeInteger(snapshotSampleRows) && snapshotSampleRows > 0)) throw new Error('SNAPSHOT_SAMPLE_ROWS must be a whole number > 0');
  // Optional: a stack without the registry refresh has no snapshots, and the run reads the table.
  return { ...raw, thresholds, scoreSampleRows, snapshotBucket: env.SNAPSHOT_BUCKET || undefined, snapshotMaxAgeHours, snapshotSampleRows };
}
