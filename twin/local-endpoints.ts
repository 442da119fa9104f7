// Starts the local endpoints in a child process and hands back their URLs and the environment
// that points the AWS SDK (and the AWS CLI) at them.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';

export interface LocalEndpoints {
  dynamodb: string;
  fauxqs: string;
  /** AWS_ENDPOINT_URL_* plus dummy credentials and region: what an SDK client needs. */
  env: Record<string, string>;
  /** Peak resident memory of the endpoints' process so far (Linux: /proc; elsewhere undefined). */
  peakRssBytes(): number | undefined;
  /** CPU seconds (user + system) the endpoints' process has used so far (Linux: /proc; elsewhere undefined). */
  cpuSeconds(): number | undefined;
  /** The endpoints' process id (for its scheduler times during a run). */
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function startLocalEndpoints(options: { dataDir?: string } = {}): Promise<LocalEndpoints> {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'endpoint-server.mjs'), ...(options.dataDir ? [options.dataDir] : [])], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    once(lines, 'line').then(([line]) => line as string),
    once(child, 'exit').then(([code]) => {
      throw new Error(`local endpoints exited with code ${code} before starting: ${stderr.trim() || 'no output'}`);
    }),
  ]);
  const urls = JSON.parse(first) as { dynamodb: string; fauxqs: string };
  return {
    ...urls,
    pid: child.pid,
    env: {
      AWS_ENDPOINT_URL_DYNAMODB: urls.dynamodb,
      AWS_ENDPOINT_URL_SQS: urls.fauxqs,
      AWS_ENDPOINT_URL_SNS: urls.fauxqs,
      AWS_ENDPOINT_URL_S3: urls.fauxqs,
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
    peakRssBytes() {
      try {
        const kib = /VmHWM:\s*(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
        return kib ? Number(kib) * 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    cpuSeconds() {
      try {
        // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name), in clock ticks (100 a second on Linux).
        const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
        return (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        return undefined;
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.stdin!.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}
