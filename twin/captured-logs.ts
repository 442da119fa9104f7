// The local functions' log files: what a handler writes goes to a file, as in Lambda to its log group.
import { appendFileSync } from 'node:fs';
import { routeHandlerOutput } from './handler-output';

/** How long a captured log line may wait in memory before it is written (someone may be tailing the file). */
export const LOG_FLUSH_MS = 1_000;

/**
 * The functions' log lines go to a log file, as in Lambda they go to the log group. Buffered: one
 * write per 64 KB instead of a synchronous write per line (two lines an event), flushed at the end,
 * and at most `LOG_FLUSH_MS` after a line arrives: a served twin's log (read API, --serve) fills as
 * requests come, not at Ctrl-C. The timer is armed only while lines wait (an idle twin wakes for
 * nothing), never keeps the process alive, and is gone when `run` ends; lines still waiting when the
 * process exits (an error's exit) are written then.
 */
export async function withCapturedLogs<T>(logFile: string, run: () => Promise<T>): Promise<T> {
  let pending: string[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length) appendFileSync(logFile, pending.join(''));
    pending = [];
    size = 0;
  };
  process.once('exit', flush);
  try {
    return await routeHandlerOutput((text) => {
      pending.push(text);
      size += text.length;
      if (size >= 65_536) flush();
      else timer ??= setTimeout(flush, LOG_FLUSH_MS).unref();
    }, run);
  } finally {
    process.removeListener('exit', flush);
    flush();
  }
}
