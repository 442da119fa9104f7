// Delivers events the way the deployed pipeline would: the rule's pattern decides, then the
// function is invoked asynchronously — on error Lambda retries (twice by default), then sends an
// invocation record to the on-failure destination and the event to the dead-letter queue.
// Retries here are immediate; AWS waits about a minute, then two, between them.
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { copyJson, stringifyJson } from '../lambdas/core/safe-json';
import type { EventMatcher } from './event-pattern';
import type { BusEvent } from './donor-update-stream';
import type { Handler } from './local-function';
import type { LocalFunction } from './provision';

export type EventFate = 'scored' | 'stale' | 'rejected' | 'dead-lettered' | 'unmatched';

export interface DeliveryRecord {
  eventId: string;
  fate: EventFate;
  invocations: number;
  /** Wall-clock ms of each handler invocation. */
  latenciesMs: number[];
  band?: string;
  reason?: string;
  error?: string;
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
      record.fate = result?.outcome === 'scored' ? 'scored' : result?.outcome === 'stale' ? 'stale' : result?.outcome === 'rejected' ? 'rejected' : 'scored';
      if (result?.band) record.band = result.band;
      if (result?.violation) record.reason = `${result.violation.field}: ${result.violation.rule}`;
      return record;
    } catch (error) {
      record.latenciesMs.push(performance.now() - started);
      lastError = error as Error;
    }
  }
  record.fate = 'dead-lettered';
  record.error = `${lastError?.name}: ${lastError?.message}`;
  if (fn.onFailureQueue) {
    const invocationRecord = {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: { requestId: randomUUID(), functionArn: `${options.functionArn}:$LATEST`, condition: 'RetriesExhausted', approximateInvokeCount: record.invocations },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: lastError?.name, errorMessage: lastError?.message },
    };
    await options.sqs.send(new SendMessageCommand({ QueueUrl: fn.onFailureQueue.url, MessageBody: stringifyJson(invocationRecord) }));
  }
  if (fn.deadLetterQueue) {
    await options.sqs.send(
      new SendMessageCommand({
        QueueUrl: fn.deadLetterQueue.url,
        MessageBody: stringifyJson(event),
        MessageAttributes: {
          RequestID: { DataType: 'String', StringValue: randomUUID() },
          ErrorMessage: { DataType: 'String', StringValue: String(lastError?.message ?? 'unknown').slice(0, 1000) },
        },
      }),
    );
  }
  return record;
}

/** Delivers every event with at most `concurrency` invocations in flight; records keep input order. */
export async function deliverAll(events: BusEvent[], options: DeliveryOptions): Promise<DeliveryRecord[]> {
  const records: DeliveryRecord[] = new Array(events.length);
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const i = next++;
      records[i] = await deliverOne(events[i], options);
      options.onDelivered?.(records[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, events.length)) }, worker));
  return records;
}
