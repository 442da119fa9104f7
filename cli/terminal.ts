// What a person sees on the terminal: a progress bar on stderr only when stderr is a terminal, so
// pipes, CI logs and --json output stay clean.
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  tick(done: number): void;
  stop(): void;
}

export function progressBar(label: string, total: number | undefined): Progress {
  if (!process.stderr.isTTY) return { tick: () => {}, stop: () => {} };
  const bar = new SingleBar(
    {
      format: total
        ? `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`
        : `${label} {value} lines`,
      stream: process.stderr,
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(total ?? 0, 0);
  return { tick: (done) => bar.update(done), stop: () => bar.stop() };
}

export function fail(message: string, exitCode = 2): never {
  process.stderr.write(`drs: ${message}\n`);
  process.exit(exitCode);
}
