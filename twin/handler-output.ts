// Where the local functions' output goes. In Lambda, everything a handler writes lands in its log
// group; locally it goes to a log file, to a test, or nowhere (benchmarks). Every route passes
// through here, and observers (the integration suite's donor-data guard) see all of it, as well
// as every event handed to a function and every e-mail delivered to the outbox.

type Listener = { output?: (text: string) => void; event?: (event: unknown) => void; mail?: (text: string) => void };
const listeners: Listener[] = [];

export function observeLocalRuns(listener: Listener): void {
  listeners.push(listener);
}
export const reportOutput = (text: string) => listeners.forEach((l) => l.output?.(text));
export const reportEvent = (event: unknown) => listeners.forEach((l) => l.event?.(event));
export const reportMail = (text: string) => listeners.forEach((l) => l.mail?.(text));

/** Handler log lines are JSON; the SDK's Node version warning comes with them. */
const isHandlerOutput = (text: string) => text.startsWith('{') || text.includes('AWS SDK for JavaScript');

/**
 * Runs `work` with the handler's output sent to `route` instead of the terminal; other output (a
 * progress bar) passes through.
 */
export async function routeHandlerOutput<T>(route: (text: string) => void, work: () => Promise<T>): Promise<T> {
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((s) => s.write);
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (isHandlerOutput(text)) {
        reportOutput(text);
        route(text);
        return true;
      }
      return (originals[i] as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    return await work();
  } finally {
    streams.forEach((stream, i) => (stream.write = originals[i]));
  }
}
