// The stack's schedule rule, locally: runs a function every `everyMs` while the twin delivers
// events, and once more at the end (so a short run still sends its alert digest).
import type { Handler } from './local-function';

export interface LocalSchedule {
  /** Stops the timer and runs the function one last time. */
  stop(): Promise<void>;
  runs(): number;
}

export function startSchedule(handler: Handler, everyMs: number, onError: (error: Error) => void): LocalSchedule {
  let runs = 0;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    // One run at a time, as the stack's reserved concurrency of 1 ensures.
    running = running.then(async () => {
      runs += 1;
      try {
        await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
      } catch (error) {
        onError(error as Error);
      }
    });
    return running;
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await tick();
    },
    runs: () => runs,
  };
}
