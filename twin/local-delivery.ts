// Delivers events the way the deployed pipeline would: the rule's pattern decides, then the
// function is invoked asynchronously — on error Lambda retries (twice by default), then sends an
// invocation record to the on-failure destination and the event to the dead-letter queue.
// Retries here are immediate; AWS waits about a minute, then two, between them.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { copyJson } from '../lambdas/core/safe-json';
import { holdsSqsRefusedCharacters, sqsSafeJson, sqsSafeText } from '../lambdas/core/sqs-body';
import type { EventMatcher } from './event-pattern';
import type { BusEvent } from './donor-update-stream';
import type { Handler } from './local-function';
import type { LocalFunction } from './provision';

/** `undelivered`: no queue kept the event after its invocations failed (`reason` says why). */
export type EventFate = 'scored' | 'stale' | 'rejected' | 'dead-lettered' | 'unmatched' | 'undelivered';

export interface DeliveryRecord {
  eventId: string;
  fate: EventFate;
  invocations: number;
  /** Wall-clock ms of each handler invocation. */
  latenciesMs: number[];
  band?: string;
  reason?: string;
  error?: string;
  /** Logical ids of the queues that hold the event after a failure (function's copy or Lambda's). */
  keptIn?: string[];
}

export interface DeliveryOptions {
  matches: EventMatcher;
  handler: Handler;
  fn: LocalFunction;
  sqs: SQSClient;
  functionArn: string;
  concurrency: number;
  onDelivered?: (record: DeliveryRecord) => void;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`Task timed out after ${ms / 1000} seconds`), { name: 'TimeoutError' })), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function deliverOne(event: BusEvent, options: DeliveryOptions): Promise<DeliveryRecord> {
  const record: DeliveryRecord = { eventId: event.id, fate: 'unmatched', invocations: 0, latenciesMs: [] };
  if (!options.matches(event)) return record;
  const { fn } = options;
  let lastError: Error | undefined;
  for (let attempt = 0; attempt <= fn.retryAttempts; attempt++) {
    record.invocations++;
    const started = performance.now();
    try {
      // Each invocation gets its own copy, as each Lambda invocation deserializes its own payload.
      const result = (await withTimeout(options.handler(copyJson(event)), fn.timeoutSeconds * 1000)) as any;
      record.latenciesMs.push(performance.now() - started);
      const outcome = result?.outcome;
      if (outcome === 'failed-kept') {
        // The function kept the event in the failed-scoring queue itself (characters SQS refuses).
        record.fate = 'dead-lettered';
        record.error = String(result.error);
        if (fn.onFailureQueue) record.keptIn = [fn.onFailureQueue.logicalId];
        return record;
      }
      if (outcome !== 'scored' && outcome !== 'stale' && outcome !== 'rejected') {
        record.fate = 'undelivered';
        record.reason = `the function returned no known outcome (${JSON.stringify(outcome ?? null)})`;
        return record;
      }
      record.fate = outcome;
      if (result?.band) record.band = result.band;
      if (result?.violation) record.reason = `${result.violation.field}: ${result.violation.rule}`;
      return record;
    } catch (error) {
      record.latenciesMs.push(performance.now() - started);
      lastError = error as Error;
    }
  }
  record.error = `${lastError?.name}: ${lastError?.message}`;
  record.keptIn = [];
  const problems: string[] = [];
  // What Lambda sends after the retries. Lambda sends the event as it came; real SQS refuses some
  // characters, and then AWS loses it: the twin says so rather than keeping what AWS could not.
  // Astral characters (which SQS accepts and the local endpoints do not) are sent escaped: the
  // same JSON.
  const refused = holdsSqsRefusedCharacters(event);
  const keep = async (queue: { logicalId: string; url: string }, what: string, send: () => Promise<unknown>) => {
    if (refused) {
      problems.push(`${what} ${queue.logicalId}: SQS refuses the event's characters (U+FFFE, U+FFFF or a lone surrogate) as Lambda sends them`);
      return;
    }
    try {
      await send();
      record.keptIn!.push(queue.logicalId);
    } catch (error) {
      problems.push(`${what} ${queue.logicalId}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  };
  if (fn.onFailureQueue) {
    const queue = fn.onFailureQueue;
    const invocationRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: randomUUID(), functionArn: `${options.functionArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: record.invocations },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: lastError?.name, errorMessage: lastError?.message },
    };
    await keep(queue, 'on-failure destination', () => options.sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: sqsSafeJson(invocationRecord) })));
  }
  if (fn.deadLetterQueue) {
    const queue = fn.deadLetterQueue;
    await keep(queue, 'dead-letter queue', () =>
      options.sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.url,
          MessageBody: sqsSafeJson(event),
          MessageAttributes: {
            RequestID: { DataType: 'String', StringValue: randomUUID() },
            ErrorMessage: { DataType: 'String', StringValue: sqsSafeText(String(lastError?.message ?? 'unknown')).slice(0, 1000) || 'unknown' },
          },
        }),
      ),
    );
  }
  if (record.keptIn.length) {
    record.fate = 'dead-lettered';
  } else {
    record.fate = 'undelivered';
    record.reason = problems.length ? `failed after ${record.invocations} invocations (${record.error}) and no queue kept it: ${problems.join('; ')}` : `failed after ${record.invocations} invocations (${record.error}) and the function has no on-failure destination or dead-letter queue`;
  }
  return record;
}

/**
 * Delivers events as they are read from `events` (a lazy sequence is read only as fast as it is
 * delivered), at most `concurrency` invocations in flight, and hands each record to `onRecord`
 * with the event and its position; nothing is kept here.
 */
export async function deliverEach(events: Iterable<BusEvent>, options: DeliveryOptions, onRecord: (record: DeliveryRecord, event: BusEvent, index: number) => void): Promise<number> {
  const source = events[Symbol.iterator]();
  let read = 0;
  const worker = async () => {
    for (let next = source.next(); !next.done; next = source.next()) {
      const index = read++;
      const record = await deliverOne(next.value, options);
      onRecord(record, next.value, index);
      options.onDelivered?.(record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return read;
}

/** Delivers every event with at most `concurrency` invocations in flight; records keep input order. */
export async function deliverAll(events: BusEvent[], options: DeliveryOptions): Promise<DeliveryRecord[]> {
  const records: DeliveryRecord[] = new Array(events.length);
  await deliverEach(events, { ...options, concurrency: Math.min(options.concurrency, events.length) }, (record, _event, i) => (records[i] = record));
  return records;
}
