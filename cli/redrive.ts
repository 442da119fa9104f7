// Redrive: moves kept events back through the scoring function, keeping their original ids. A
// message is deleted only after its event was re-sent; anything that could not be re-sent stays.
// Safe to run twice: scoring is idempotent (highest revision wins), so a re-sent duplicate is a
// no-op, and an event re-sent once in a run is never re-sent again in that run.
// Delivery is at least once, so a queue may hold two copies of one event. A copy the queue held
// before its event was re-sent is a duplicate: deleted, since the same event was just re-sent (and
// if it fails again it comes back as a new message). A copy that arrived after the re-send came
// back: the event failed or was rejected again, so it stays for a person. SQS's own timestamps
// tell the two apart, never this machine's clock.
import { createHash } from 'node:crypto';
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { keptEventOf, type KeptShape } from './kept-event';
import type { KeptFailure } from './kept-failure';

/** What re-sending one event did (a local twin knows the fate; AWS only that Lambda queued it). */
export type ResendResult = { accepted: true; fate?: string } | { accepted: false; error: string };

export interface RedriveOptions {
  sqs: SQSClient;
  queueUrl: string;
  resend: (event: Record<string, unknown>) => Promise<ResendResult>;
  dryRun: boolean;
  /** At most this many messages (default: all there are). */
  limit?: number;
  /** How long a received message stays hidden from others while it is re-sent. */
  visibilitySeconds?: number;
  onProgress?: (handled: number) => void;
}

export interface RedriveItem {
  messageId: string;
  eventId: string | null;
  shape?: KeptShape;
  /** Why it was kept: class, and field and rule (rejected) or error name (failed). */
  failure?: KeptFailure;
  /**
   * `kept-seen-this-run`: the event came back after it was re-sent in this run (rejected or failed again).
   * `kept-undecided`: a second copy SQS gave no time for, or, on a dry run, one not clearly older than
   * its event's listing: kept, and a later run sorts it. (A copy within the clock margin of a real
   * re-send is kept as came back: most such copies are the event rejected again at once.)
   */
  action: 'resent' | 'would-resend' | 'deleted-duplicate' | 'would-delete-duplicate' | 'kept-unreadable' | 'kept-resend-failed' | 'kept-seen-this-run' | 'kept-undecided';
  fate?: string;
  problem?: string;
}

export interface RedriveReport {
  dryRun: boolean;
  received: number;
  resent: number;
  deleted: number;
  wouldResend: number;
  /** Second copies of an event re-sent in this run that were already in the queue: deleted (dry run: would be). */
  duplicates: number;
  kept: number;
  byFate: Record<string, number>;
  items: RedriveItem[];
}

/** How far apart SQS's own clocks may be (its hosts): a copy sent closer than this to the re-send counts as came back. */
export const SQS_CLOCK_MARGIN_MS = 1000;

// The same event whatever shape kept it: JSON with sorted keys, hashed so a long run keeps 44 characters an event.
function eventDigest(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canonical) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v;
  return createHash('sha256').update(JSON.stringify(canonical(value))).digest('base64');
}

// Times SQS stamped on a message (ms since the epoch, SQS's clock), NaN when it gave none.
const stamp = (message: Message, name: 'SentTimestamp' | 'ApproximateFirstReceiveTimestamp') => Number(message.Attributes?.[name] ?? NaN);

export async function redriveQueue(options: RedriveOptions): Promise<RedriveReport> {
  const { sqs, queueUrl } = options;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const visibility = options.visibilitySeconds ?? 120;
  const items: RedriveItem[] = [];
  // Each event re-sent (or, on a dry run, listed) in this run: its digest, and the newest time SQS is
  // known to have reached before the re-send (the latest timestamp on any message received so far).
  const handledEvents = new Map<string, { digest: string; before: number }>();
  let sqsTimeReached = Number.NEGATIVE_INFINITY;
  const seenMessages = new Set<string>();
  // The newest receipt handle of each message to leave in the queue (an older one is void once the
  // message is received again or its visibility ran out).
  const toRelease = new Map<string, string>();

  receiving: while (items.length < limit) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, limit - items.length),
        VisibilityTimeout: visibility,
        WaitTimeSeconds: 0,
        // Lambda's and EventBridge's dead-letter messages say why in their attributes.
        MessageAttributeNames: ['All'],
        // When the queue got each copy, and first handed it out: tells a duplicate from a copy that came back.
        MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateFirstReceiveTimestamp'],
      }),
    );
    if (!Messages?.length) break;
    let fresh = 0;
    for (const message of Messages) {
      const messageId = message.MessageId!;
      if (seenMessages.has(messageId)) {
        toRelease.set(messageId, message.ReceiptHandle!);
        continue;
      }
      seenMessages.add(messageId);
      fresh++;
      const sentAt = stamp(message, 'SentTimestamp');
      for (const t of [sentAt, stamp(message, 'ApproximateFirstReceiveTimestamp')]) if (t > sqsTimeReached) sqsTimeReached = t;
      const kept = keptEventOf(message.Body ?? '', message.MessageAttributes);
      const handled = kept.ok && kept.eventId !== null ? handledEvents.get(kept.eventId) : undefined;
      const digest = kept.ok && kept.eventId !== null ? eventDigest(kept.event) : '';
      let item: RedriveItem;
      if (!kept.ok) {
        item = { messageId, eventId: null, action: 'kept-unreadable', problem: kept.problem };
        toRelease.set(messageId, message.ReceiptHandle!);
      } else if (handled && digest === handled.digest && sentAt < handled.before - SQS_CLOCK_MARGIN_MS) {
        // In the queue before the same event was re-sent (on a dry run: listed) above: a duplicate
        // delivery, accounted for by that re-send. The dry run applies the same test as the real run.
        if (options.dryRun) {
          item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'would-delete-duplicate' };
          toRelease.set(messageId, message.ReceiptHandle!);
        } else {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
          item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'deleted-duplicate' };
        }
      } else if (handled && digest === handled.digest && (options.dryRun || Number.isNaN(sentAt))) {
        // No time from SQS to judge by, or a dry run (nothing was re-sent, so nothing came back) for a
        // copy not clearly older than its event's listing: kept, a later run sorts it.
        item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'kept-undecided' };
        toRelease.set(messageId, message.ReceiptHandle!);
      } else if (handled && (digest === handled.digest || !(sentAt < handled.before))) {
        // Sent to the queue after its event was re-sent (or too close to the re-send for SQS's clocks
        // to tell): it came back, rejected or failed again. Leave it for a person: nothing is lost.
        item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'kept-seen-this-run' };
        toRelease.set(messageId, message.ReceiptHandle!);
      } else if (options.dryRun) {
        item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'would-resend' };
        toRelease.set(messageId, message.ReceiptHandle!);
      } else {
        const result = await options.resend(kept.event);
        if (result.accepted) {
          item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'resent', ...(result.fate ? { fate: result.fate } : {}) };
          try {
            await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
          } catch (error) {
            // The event was re-sent; its message stays (a later run re-sends it: a no-op) and is said so.
            item.problem = `re-sent, but the message could not be deleted (${(error as Error).name}): a later run re-sends it, which changes nothing`;
          }
        } else {
          item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'kept-resend-failed', problem: result.error };
          toRelease.set(messageId, message.ReceiptHandle!);
        }
      }
      // Only an event actually re-sent (or listed, on a dry run) makes later copies duplicates or comebacks.
      if (kept.ok && kept.eventId !== null && (item.action === 'resent' || item.action === 'would-resend')) {
        handledEvents.set(kept.eventId, { digest, before: sqsTimeReached });
      }
      items.push(item);
      options.onProgress?.(items.length);
      if (items.length >= limit) break receiving;
    }
    // Only messages already handled came back: everything there is has been seen.
    if (fresh === 0) break;
  }

  // What stays in the queue becomes visible again now, not after the visibility timeout. A handle
  // that no longer holds its message (its visibility ran out) is skipped: the message is visible
  // already, and the report is owed either way.
  for (const receiptHandle of toRelease.values()) {
    try {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
    } catch {
      // visible again at its timeout at the latest
    }
  }
  const count = (action: RedriveItem['action']) => items.filter((i) => i.action === action).length;
  const byFate: Record<string, number> = {};
  for (const i of items) if (i.fate) byFate[i.fate] = (byFate[i.fate] ?? 0) + 1;
  return {
    dryRun: options.dryRun,
    received: items.length,
    resent: count('resent'),
    deleted: items.filter((i) => i.action === 'resent' && !i.problem).length + count('deleted-duplicate'),
    wouldResend: count('would-resend'),
    duplicates: count('deleted-duplicate') + count('would-delete-duplicate'),
    kept: items.filter((i) => i.action.startsWith('kept')).length,
    byFate,
    items,
  };
}
