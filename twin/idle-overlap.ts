// How often the twin's and the endpoints' main threads are idle at the same moment during
// delivery (issue 15, target 4). With 16 invocations in flight, some process always has work
// unless the work is in neither: requests on the wire, timers, a disk. Sampled by a child process
// (idle-overlap-child.cjs) so the sampling costs the watched threads nothing. Linux only.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface IdleOverlap {
  samples: number;
  /** Share of samples in which every watched main thread was idle. */
  allIdle: number;
  /** Share of samples in which each watched main thread was idle, in the order given. */
  idle: number[];
}

/** Turns the child's counts into shares; undefined when it took no sample. */
export function idleShares(counts: { samples: number; allIdle: number; idle: number[] }): IdleOverlap | undefined {
  if (!(counts.samples > 0)) return undefined;
  return { samples: counts.samples, allIdle: counts.allIdle / counts.samples, idle: counts.idle.map((n) => n / counts.samples) };
}

export interface IdleOverlapSampler {
  stop(): Promise<IdleOverlap | undefined>;
}

export function startIdleOverlap(pids: number[]): IdleOverlapSampler | undefined {
  if (!existsSync('/proc/self/task') || pids.length === 0) return undefined;
  const child = spawn(process.execPath, [join(__dirname, 'idle-overlap-child.cjs'), ...pids.map(String)], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  return {
    async stop() {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
      try {
        return idleShares(JSON.parse(out));
      } catch {
        return undefined;
      }
    },
  };
}
