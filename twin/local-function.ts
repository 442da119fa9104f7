// Loads the function's real bundled handler (the asset `cdk deploy` would upload) with the
// environment from the template and the local endpoints, as a Lambda container would at cold start.

import { reportEvent, routeHandlerOutput } from './handler-output';

export type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

export function loadHandler(handlerFile: string, handlerExport: string, environment: Record<string, string>): Handler {
  Object.assign(process.env, environment);
  // A fresh module each time, as each container starts: its clients are made now, from this
  // environment (a cached module would keep the clients, and endpoints, of an earlier load).
  delete require.cache[require.resolve(handlerFile)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(handlerFile) as Record<string, unknown>;
  const handler = module[handlerExport];
  if (typeof handler !== 'function') {
    throw new Error(`${handlerFile} has no export named ${handlerExport}: the stack's Handler names a function that does not exist`);
  }
  // Every event a local function receives is reported, as Lambda's own logs would show its invocations.
  return (event: unknown, context?: unknown) => {
    reportEvent(event);
    return (handler as Handler)(event, context);
  };
}

/** Runs `work` with the handler's log lines dropped (for measurements and tests). */
export function withHandlerLogsDropped<T>(work: () => Promise<T>): Promise<T> {
  return routeHandlerOutput(() => undefined, work);
}

/** Runs `work` and returns the handler's JSON log lines instead of printing them. */
export async function captureHandlerLogs<T>(work: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const text: string[] = [];
  const result = await routeHandlerOutput((t) => void text.push(t), work);
  return { result, lines: text.join('').split('\n').filter((line) => line.startsWith('{')) };
}
