// Where a process's main thread spends the wall clock (issue 15, target 4): on a core, runnable
// but waiting for a core, or idle (nothing to do: waiting for the other process's answers). Read
// from the scheduler's own accounting (Linux `/proc/<pid>/task/<pid>/schedstat`), so it holds on a
// loaded machine, where wall-clock rates do not.
import { readFileSync } from 'node:fs';

/** Nanoseconds a thread has run and has waited runnable on a run queue, since it started. */
export interface ThreadTime {
  onCpuNs: number;
  waitingNs: number;
}

/** Shares of a stretch of wall time; they add up to 1. */
export interface ThreadShares {
  onCpu: number;
  waitingForCore: number;
  idle: number;
}

/** `schedstat` is three numbers: time on a CPU (ns), time waiting on a run queue (ns), timeslices run. */
export function parseSchedstat(text: string): ThreadTime | undefined {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 3 || !fields.every((f) => /^\d+$/.test(f))) return undefined;
  return { onCpuNs: Number(fields[0]), waitingNs: Number(fields[1]) };
}

/** The main thread's times (its thread id is the process id); undefined where there is no /proc or no such process. */
export function readThreadTime(pid: number | undefined): ThreadTime | undefined {
  if (pid === undefined) return undefined;
  try {
    return parseSchedstat(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The shares of `wallSeconds` between two readings. Idle is the rest of the wall clock; the
 * scheduler's clocks and ours are read a moment apart, so a share is clamped to [0, 1] and idle
 * never goes below 0.
 */
export function threadShares(before: ThreadTime, after: ThreadTime, wallSeconds: number): ThreadShares | undefined {
  if (!(wallSeconds > 0)) return undefined;
  const wallNs = wallSeconds * 1e9;
  const share = (ns: number) => Math.min(1, Math.max(0, ns / wallNs));
  const onCpu = share(after.onCpuNs - before.onCpuNs);
  const waitingForCore = Math.min(1 - onCpu, share(after.waitingNs - before.waitingNs));
  return { onCpu, waitingForCore, idle: 1 - onCpu - waitingForCore };
}
