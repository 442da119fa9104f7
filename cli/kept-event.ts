// What a kept message holds: the original DonorUpdated event, in whichever of the pipeline's four
// shapes it was kept. Rejected events: {eventId, reason, rejectedAt, event}; Lambda's on-failure
// destination: an invocation record with `requestPayload`; Lambda's dead-letter queue and the
// rule's undelivered queue: the event itself.

import { keptFailureOf, type KeptFailure, type MessageAttributes } from './kept-failure';

export type KeptShape = 'rejected' | 'on-failure' | 'event';

export type KeptEvent =
  | { ok: true; shape: KeptShape; event: Record<string, unknown>; eventId: string | null; failure: KeptFailure }
  | { ok: false; problem: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function keptEventOf(body: string, attributes?: MessageAttributes): KeptEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ok: false, problem: 'the message body is not JSON' };
  }
  if (!isObject(parsed)) return { ok: false, problem: 'the message body is not a JSON object' };
  let shape: KeptShape;
  let event: unknown;
  if ('requestPayload' in parsed && 'requestContext' in parsed) {
    shape = 'on-failure';
    event = parsed.requestPayload;
  } else if ('rejectedAt' in parsed && 'event' in parsed) {
    shape = 'rejected';
    event = parsed.event;
  } else {
    shape = 'event';
    event = parsed;
  }
  // A rejected event may be anything the bus carried; the others were whole events already.
  if (!isObject(event)) return { ok: false, problem: `the kept ${shape} event is not a JSON object` };
  if (shape !== 'rejected' && !('detail' in event)) return { ok: false, problem: 'the message holds no DonorUpdated event (no detail)' };
  return { ok: true, shape, event, eventId: typeof event.id === 'string' ? event.id : null, failure: keptFailureOf(parsed, shape, attributes) };
}
