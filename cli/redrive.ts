// Redrive: moves kept events back through the scoring function, keeping their original ids. A
// message is deleted only after its event was re-sent; anything that could not be re-sent stays.
// Safe to run twice: scoring is idempotent (highest revision wins), so a re-sent duplicate is a
// no-op, and an event seen once in a run is never re-sent again in that run.
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
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
  action: 'resent' | 'would-resend' | 'kept-unreadable' | 'kept-resend-failed' | 'kept-seen-this-run';
  fate?: string;
  problem?: string;
}

export interface RedriveReport {
  dryRun: boolean;
  received: number;
  resent: number;
  deleted: number;
  wouldResend: number;
  kept: number;
  byFate: Record<string, number>;
  items: RedriveItem[];
}

export async function redriveQueue(options: RedriveOptions): Promise<RedriveReport> {
  const { sqs, queueUrl } = options;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const visibility = options.visibilitySeconds ?? 120;
  const items: RedriveItem[] = [];
  const seenEvents = new Set<string>();
  const seenMessages = new Set<string>();
  const toRelease: string[] = [];

  receiving: while (items.length < limit) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, limit - items.length),
        VisibilityTimeout: visibility,
        WaitTimeSeconds: 0,
        // Lambda's and EventBridge's dead-letter messages say why in their attributes.
        MessageAttributeNames: ['All'],
      }),
    );
    if (!Messages?.length) break;
    let fresh = 0;
    for (const message of Messages) {
      const messageId = message.MessageId!;
      if (seenMessages.has(messageId)) {
        toRelease.push(message.ReceiptHandle!);
        continue;
      }
      seenMessages.add(messageId);
      fresh++;
      const kept = keptEventOf(message.Body ?? '', message.MessageAttributes);
      let item: RedriveItem;
      if (!kept.ok) {
        item = { messageId, eventId: null, action: 'kept-unreadable', problem: kept.problem };
        toRelease.push(message.ReceiptHandle!);
      } else if (kept.eventId !== null && seenEvents.has(kept.eventId)) {
        // The same event came back in this run (rejected again, or failed again): leave it for a person.
        item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'kept-seen-this-run' };
        toRelease.push(message.ReceiptHandle!);
      } else if (options.dryRun) {
        item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'would-resend' };
        toRelease.push(message.ReceiptHandle!);
      } else {
        const result = await options.resend(kept.event);
        if (result.accepted) {
          await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
          item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'resent', ...(result.fate ? { fate: result.fate } : {}) };
        } else {
          item = { messageId, eventId: kept.eventId, shape: kept.shape, failure: kept.failure, action: 'kept-resend-failed', problem: result.error };
          toRelease.push(message.ReceiptHandle!);
        }
      }
      if (kept.ok && kept.eventId !== null) seenEvents.add(kept.eventId);
      items.push(item);
      options.onProgress?.(items.length);
      if (items.length >= limit) break receiving;
    }
    // Only messages already handled came back: everything there is has been seen.
    if (fresh === 0) break;
  }

  // What stays in the queue becomes visible again now, not after the visibility timeout.
  for (const receiptHandle of toRelease) {
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
  }
  const count = (action: RedriveItem['action']) => items.filter((i) => i.action === action).length;
  const byFate: Record<string, number> = {};
  for (const i of items) if (i.fate) byFate[i.fate] = (byFate[i.fate] ?? 0) + 1;
  return {
    dryRun: options.dryRun,
    received: items.length,
    resent: count('resent'),
    deleted: count('resent'),
    wouldResend: count('would-resend'),
    kept: items.length - count('resent') - count('would-resend'),
    byFate,
    items,
  };
}
