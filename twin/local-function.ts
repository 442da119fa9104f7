// Loads the function's real bundled handler (the asset `cdk deploy` would upload) with the
// environment from the template and the local endpoints, as a Lambda container would at cold start.

export type Handler = (event: unknown, context?: unknown) => Promise<unknown>;

export function loadHandler(handlerFile: string, handlerExport: string, environment: Record<string, string>): Handler {
  Object.assign(process.env, environment);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(handlerFile) as Record<string, unknown>;
  const handler = module[handlerExport];
  if (typeof handler !== 'function') {
    throw new Error(`${handlerFile} has no export named ${handlerExport}: the stack's Handler names a function that does not exist`);
  }
  return handler as Handler;
}

/** Runs `work` with the handler's stdout/stderr log lines dropped (for measurements and tests). */
export async function withHandlerLogsDropped<T>(work: () => Promise<T>): Promise<T> {
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return await work();
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}

/** Runs `work` and returns the handler's JSON log lines instead of printing them. */
export async function captureHandlerLogs<T>(work: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const text: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const keep = ((chunk: string | Uint8Array) => (text.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')), true)) as typeof process.stdout.write;
  process.stdout.write = keep;
  process.stderr.write = keep;
  try {
    const result = await work();
    return { result, lines: text.join('').split('\n').filter((line) => line.startsWith('{')) };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
  }
}
