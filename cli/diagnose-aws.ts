// AWS source for `drs diagnose --stage S`: filled in below once the Logs client is installed.
import type { FailureLog } from './failure-log';

export function awsLogSource(stage: string): { describe: string; read(options: { match?: RegExp; year?: number; sinceMs?: number }): Promise<{ log: FailureLog; from?: number; sampled: boolean }> } {
  return {
    describe: `stage ${stage}`,
    read: () => Promise.reject(new Error('reading CloudWatch Logs is not available in this build')),
  };
}
