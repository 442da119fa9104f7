// Runs around every integration test file (jest setupFilesAfterEnv): gathers every log line the
// local functions wrote, every alert e-mail delivered and every event they were given, and fails
// the file if any donor value from those events shows up in a log line or an e-mail.
import { observeLocalRuns } from '../../twin/handler-output';
import { copyJson } from '../../lambdas/core/safe-json';
import { findDonorData } from './donor-data';

const events: unknown[] = [];
const texts: { kind: 'log' | 'mail'; text: string }[] = [];

observeLocalRuns({
  output: (text) => texts.push({ kind: 'log', text }),
  event: (event) => events.push(copyJson(event)),
  mail: (text) => texts.push({ kind: 'mail', text }),
});

// Handler output written straight to the terminal (a handler called outside any route) counts too.
// The functions' own log and metric lines (Powertools JSON) are checked here and not printed, so
// the suite's output stays readable; anything else still reaches the terminal.
const FUNCTION_LINE = /^\{"(level|_aws)":/;
for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write;
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{')) texts.push({ kind: 'log', text });
    if (FUNCTION_LINE.test(text)) {
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }
    return (write as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
  }) as typeof stream.write;
}

afterAll(() => {
  const leaks = findDonorData(events, texts);
  if (leaks.length) {
    throw new Error(`donor data in ${leaks.length} log line(s) or e-mail(s), e.g.:\n${leaks.slice(0, 5).map((l) => `  ${l.kind}: ${l.value} in ${l.excerpt}`).join('\n')}`);
  }
  // The guard saw something: an empty capture would prove nothing.
  expect(texts.length + events.length).toBeGreaterThan(0);
});
