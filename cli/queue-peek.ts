// Reads every message of a queue without consuming it: each is received with a short visibility
// timeout, and all are made visible again at the end, so the queue is left as it was (only SQS's
// receive count grows). `drs trace` uses it to find a donor's kept events.
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

export interface PeekedMessage {
  messageId: string;
  body: string;
  sentAt: string | null;
  attributes: Record<string, string>;
}

export async function peekQueue(sqs: SQSClient, queueUrl: string, options: { max?: number; visibilitySeconds?: number } = {}): Promise<{ messages: PeekedMessage[]; truncated: boolean }> {
  const max = options.max ?? 10_000;
  const seen = new Map<string, PeekedMessage>();
  const receipts: string[] = [];
  let truncated = false;
  try {
    for (;;) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: options.visibilitySeconds ?? 60,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['SentTimestamp'],
          MessageAttributeNames: ['All'],
        }),
      );
      if (!Messages?.length) break;
      let fresh = 0;
      for (const m of Messages as Message[]) {
        receipts.push(m.ReceiptHandle!);
        if (seen.has(m.MessageId!)) continue;
        fresh++;
        const sent = Number(m.Attributes?.SentTimestamp);
        seen.set(m.MessageId!, {
          messageId: m.MessageId!,
          body: m.Body ?? '',
          sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : null,
          attributes: Object.fromEntries(Object.entries(m.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue ?? ''])),
        });
      }
      if (fresh === 0) break;
      if (seen.size >= max) {
        truncated = true;
        break;
      }
    }
  } finally {
    // Visible again now, not after the timeout: a redrive or an alarm sees the queue unchanged.
    for (const receiptHandle of receipts) {
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 })).catch(() => undefined);
    }
  }
  return { messages: [...seen.values()], truncated };
}
