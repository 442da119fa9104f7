// Whose the twin's wall clock is at concurrency 16 (issue 15, target 4), from the scheduler's
// times of both main threads during delivery (twin/thread-time.ts, twin/idle-overlap.ts). Per
// event, the wall clock W splits exactly into: the twin's thread busy (on a core, or runnable and
// waiting for one), the endpoints' thread busy, minus the time both were busy at once, plus the
// time neither was (W = twin busy + endpoints busy - both busy + neither).
import type { ThreadShares } from '../twin/thread-time';

export interface TwinThreads {
  twinProcess: ThreadShares;
  endpoints?: ThreadShares;
  bothIdle?: number;
}

export interface TwinWallSplit {
  wallMs: number;
  twin: { onCpuMs: number; waitingMs: number; idleMs: number };
  endpoints: { onCpuMs: number; waitingMs: number; idleMs: number };
  bothBusyMs: number;
  neitherMs: number;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const pct = (x: number) => `${Math.round(x * 100)}%`;

export function twinWallSplit(eventsPerSecond: number, threads: TwinThreads | undefined): TwinWallSplit | undefined {
  if (!threads?.endpoints || threads.bothIdle === undefined || !(eventsPerSecond > 0)) return undefined;
  const wallMs = 1000 / eventsPerSecond;
  const ms = (s: ThreadShares) => ({ onCpuMs: r2(s.onCpu * wallMs), waitingMs: r2(s.waitingForCore * wallMs), idleMs: r2(s.idle * wallMs) });
  const twinBusy = 1 - threads.twinProcess.idle;
  const endpointsBusy = 1 - threads.endpoints.idle;
  const bothBusy = Math.max(0, twinBusy + endpointsBusy - 1 + threads.bothIdle);
  return { wallMs: r2(wallMs), twin: ms(threads.twinProcess), endpoints: ms(threads.endpoints), bothBusyMs: r2(bothBusy * wallMs), neitherMs: r2(threads.bothIdle * wallMs) };
}

/** The bench's sentence: the split in milliseconds per event, and which part holds the run back. */
export function twinWallLine(eventsPerSecond: number, threads: TwinThreads | undefined): string {
  const split = twinWallSplit(eventsPerSecond, threads);
  if (!split || !threads?.endpoints || threads.bothIdle === undefined) return '';
  const t = threads.twinProcess;
  const e = threads.endpoints;
  const head =
    `Where the wall clock goes (scheduler times of both main threads during delivery, ${split.wallMs} ms an event): ` +
    `the twin's thread on a core ${split.twin.onCpuMs} ms (${pct(t.onCpu)}), waiting for a core ${split.twin.waitingMs} ms (${pct(t.waitingForCore)}), idle ${split.twin.idleMs} ms (${pct(t.idle)}); ` +
    `the endpoints' thread ${split.endpoints.onCpuMs} ms (${pct(e.onCpu)}), ${split.endpoints.waitingMs} ms (${pct(e.waitingForCore)}), ${split.endpoints.idleMs} ms (${pct(e.idle)}); ` +
    `both busy at once ${split.bothBusyMs} ms, neither ${split.neitherMs} ms (${pct(threads.bothIdle)}). `;
  const waiting = Math.max(t.waitingForCore, e.waitingForCore);
  if (threads.bothIdle >= 0.1) return head + `For ${pct(threads.bothIdle)} of delivery neither process had work: it was between them (requests in flight, timers), which is the twin's delivery to shorten, not the endpoints'.`;
  if (waiting >= 0.15)
    return head + `Both threads waited for a core for much of the run (up to ${pct(waiting)}) while the other was not using both: the cores were taken by other processes, so this run does not say whose the gap is; read it on a quiet machine.`;
  if (1 - t.idle >= 0.9) return head + `The twin's thread is busy nearly all the time: its own CPU per event (most of it the handler's) bounds the run, and that part of the gap is ours.`;
  if (1 - e.idle >= 0.9) return head + `The endpoints' thread is busy nearly all the time: dynalite and fauxqs bound the run, and that part of the gap is the local endpoints', not ours.`;
  return (
    head +
    `Neither thread is saturated, neither waits for a core and they are seldom idle together: the two processes take turns. The 16 invocations move as a convoy (each process works through the batch of requests or answers the other just sent), so an event costs about the sum of both threads' work, not the larger of the two; 16 Lambda containers would not share one thread this way.`
  );
}
