// A recurring outage of the score table for the local run (`npm start -- --fault-every 20s
// --fault-for 4s`): every score write fails with a DynamoDB server error during each window, so the
// function's log shows failures in a rhythm that `drs diagnose --twin` can find. The first window
// opens one period after the start, so the run begins healthy.
import type { LocalEndpoints } from './local-endpoints';
import { DYNAMODB_SERVER_ERROR, dynamoDbOperation, startFaultProxy, type FaultProxy } from './fault-proxy';

export interface RecurringFault {
  /** Give to runTwin as `functionEndpoints`. */
  endpoints: (endpoints: LocalEndpoints) => Promise<Record<string, string>>;
  /** Windows opened so far. */
  windows: () => number;
  /** When each window opened (ms): what a diagnosis of the log should find again. */
  openedAt: () => number[];
  stop(): Promise<void>;
}

export function recurringScoreTableFault(everyMs: number, forMs: number): RecurringFault {
  if (!(forMs > 0 && forMs < everyMs)) throw new Error('the fault must last less than its period (e.g. --fault-every 20s --fault-for 4s)');
  let proxy: FaultProxy | undefined;
  let timer: NodeJS.Timeout | undefined;
  const pending = new Set<NodeJS.Timeout>();
  const opened: number[] = [];
  return {
    async endpoints(endpoints) {
      proxy = await startFaultProxy(endpoints.dynamodb);
      timer = setInterval(() => {
        opened.push(Date.now());
        proxy!.inject({ matches: dynamoDbOperation('PutItem'), times: Number.MAX_SAFE_INTEGER, ...DYNAMODB_SERVER_ERROR });
        const close = setTimeout(() => {
          pending.delete(close);
          proxy!.clear();
        }, forMs);
        pending.add(close);
      }, everyMs);
      return { AWS_ENDPOINT_URL_DYNAMODB: proxy.url };
    },
    windows: () => opened.length,
    openedAt: () => [...opened],
    async stop() {
      clearInterval(timer);
      pending.forEach(clearTimeout);
      await proxy?.close();
    },
  };
}
