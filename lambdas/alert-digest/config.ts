// The digest function's configuration, from the environment the stack sets.
import { readEnvironment } from '../core/environment';
import type { DigestSettings } from './send-alert-digest';

export interface DigestConfig extends DigestSettings {
  alertStateTableName: string;
  alertTopicArn: string;
}

const VARIABLES = {
  stage: 'STAGE',
  alertStateTableName: 'ALERT_STATE_TABLE_NAME',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  windowMinutes: 'ALERT_WINDOW_MINUTES',
  scoringLogGroupName: 'SCORING_LOG_GROUP_NAME',
  scoringFunctionName: 'SCORING_FUNCTION_NAME',
  rejectedQueueName: 'REJECTED_QUEUE_NAME',
  failedQueueName: 'FAILED_QUEUE_NAME',
} as const;

/** The local twin's work dir, set on the digest only by the twin (twin/run-twin.ts). */
export const LOCAL_TWIN_WORK_DIR = 'LOCAL_TWIN_WORK_DIR';

export function readDigestConfig(env: NodeJS.ProcessEnv = process.env): DigestConfig {
  const raw = readEnvironment('alert digest function', VARIABLES, env);
  const windowMinutes = Number(raw.windowMinutes);
  if (!Number.isInteger(windowMinutes) || windowMinutes < 1) throw new Error('ALERT_WINDOW_MINUTES must be a whole number of minutes >= 1');
  return {
    stage: raw.stage,
    alertStateTableName: raw.alertStateTableName,
    alertTopicArn: raw.alertTopicArn,
    windowMinutes,
    scoringLogGroupName: raw.scoringLogGroupName,
    scoringFunctionName: raw.scoringFunctionName,
    // A model failure and a failed write end in the same place: the failed-scoring queue.
    queueNames: { rejected: raw.rejectedQueueName, model: raw.failedQueueName, failed: raw.failedQueueName },
    // Never set by the stack: the local twin sets it so its e-mails give the redrive command that works there.
    ...(env[LOCAL_TWIN_WORK_DIR] ? { localTwinWorkDir: env[LOCAL_TWIN_WORK_DIR] } : {}),
  };
}
