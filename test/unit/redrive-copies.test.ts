// Two copies of one event in a queue (delivery is at least once): which copy is a duplicate (in the
// queue before the event was re-sent: deleted, its event accounted for by that re-send) and which
// came back (sent after the re-send: kept for a person). Decided on SQS's own timestamps, with a
// margin for its clocks; when in doubt, kept. The queue is a stand-in holding exactly the
// timestamps under test (the integration suite runs the same code on fauxqs).
import { ChangeMessageVisibilityCommand, DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { twinResendResult } from '../../cli/redrive-command';
import { redriveQueue, SQS_CLOCK_MARGIN_MS, type ResendResult } from '../../cli/redrive';

interface Held { id: string; body: string; sent: number | null; firstReceive?: number; visible: boolean }

/** An SQS queue in memory with a clock of its own (SQS's time, not this machine's). */
class StandInQueue {
  messages: Held[] = [];
  deleted: string[] = [];
  constructor(public now: number) {}
  /** `sent: null`: SQS gave no SentTimestamp. */
  put(id: string, body: unknown, sent: number | null = this.now) {
    this.messages.push({ id, body: JSON.stringify(body), sent, visible: true });
  }
  readonly client = {
    send: async (command: unknown) => {
      if (command instanceof ReceiveMessageCommand) {
        const out = this.messages.filter((m) => m.visible).slice(0, command.input.MaxNumberOfMessages ?? 1);
        for (const m of out) {
          m.visible = false;
          m.firstReceive ??= this.now;
        }
        const attributes = (m: Held) => ({ ...(m.sent !== null ? { SentTimestamp: String(m.sent) } : {}), ApproximateFirstReceiveTimestamp: String(m.firstReceive) });
        return { Messages: out.length ? out.map((m) => ({ MessageId: m.id, ReceiptHandle: m.id, Body: m.body, Attributes: attributes(m) })) : undefined };
      }
      if (command instanceof DeleteMessageCommand) {
        this.deleted.push(command.input.ReceiptHandle!);
        this.messages = this.messages.filter((m) => m.id !== command.input.ReceiptHandle);
        return {};
      }
      if (command instanceof ChangeMessageVisibilityCommand) {
        for (const m of this.messages) if (m.id === command.input.ReceiptHandle) m.visible = true;
        return {};
      }
      throw new Error(`the stand-in queue does not take ${(command as object).constructor.name}`);
    },
  } as unknown as SQSClient;
}

const T = Date.UTC(2026, 10, 26, 12);
const event = (id: string, revision = 1) => ({ version: '0', id, source: 'registry.donors', 'detail-type': 'DonorUpdated', detail: { donorId: 'D-COPY-0001', revision } });
const run = (queue: StandInQueue, resend: (e: Record<string, unknown>) => Promise<ResendResult> = async () => ({ accepted: true, fate: 'stale' }), dryRun = false) =>
  redriveQueue({ sqs: queue.client, queueUrl: 'q', resend, dryRun });
const actions = (report: Awaited<ReturnType<typeof run>>) => report.items.map((i) => [i.messageId, i.action]);

describe('a second copy of an event re-sent in this run', () => {
  it('is a duplicate when the queue had it a margin before the re-send: deleted, counted, not "came back"', async () => {
    const queue = new StandInQueue(T);
    queue.put('m1', event('e1'), T - 60_000);
    queue.put('m2', event('e1'), T - SQS_CLOCK_MARGIN_MS - 1);
    const report = await run(queue);
    expect(actions(report)).toEqual([['m1', 'resent'], ['m2', 'deleted-duplicate']]);
    expect(report).toMatchObject({ received: 2, resent: 1, deleted: 2, duplicates: 1, kept: 0 });
    expect(queue.messages).toEqual([]);
  });

  it('whatever shape kept each copy (an on-failure record and the bare event, keys in another order)', async () => {
    const queue = new StandInQueue(T);
    const e = event('e1');
    queue.put('m1', { requestContext: { condition: 'RetriesExhausted' }, requestPayload: e }, T - 60_000);
    queue.put('m2', { detail: e.detail, 'detail-type': e['detail-type'], source: e.source, id: e.id, version: e.version }, T - 60_000);
    expect(actions(await run(queue))).toEqual([['m1', 'resent'], ['m2', 'deleted-duplicate']]);
  });

  it('came back when the queue got it after the re-send (rejected or failed again): kept, and not re-sent again', async () => {
    const queue = new StandInQueue(T);
    queue.put('m1', event('e1'), T - 60_000);
    const resent: unknown[] = [];
    const report = await run(queue, async (e) => {
      resent.push(e);
      queue.now += 5; // the function rejects it again: a new copy, a few ms later by SQS's clock
      queue.put(`back-${resent.length}`, e);
      return { accepted: true, fate: 'rejected' };
    });
    expect(actions(report)).toEqual([['m1', 'resent'], ['back-1', 'kept-seen-this-run']]);
    expect(resent).toHaveLength(1);
    expect(queue.messages.map((m) => m.id)).toEqual(['back-1']);
  });

  it('is kept, never deleted, when SQS\'s clocks cannot tell (within the margin) or SQS gave no time', async () => {
    const queue = new StandInQueue(T);
    queue.put('m1', event('e1'), T - 60_000);
    queue.put('m2', event('e1'), T - SQS_CLOCK_MARGIN_MS + 1);
    queue.put('m3', event('e1'), null);
    const report = await run(queue);
    expect(actions(report)).toEqual([['m1', 'resent'], ['m2', 'kept-seen-this-run'], ['m3', 'kept-undecided']]);
    expect(queue.deleted).toEqual(['m1']);
    expect(report).toMatchObject({ deleted: 1, duplicates: 0, kept: 2 });
  });

  it('is re-sent, not deleted, when it holds another event under the same id (the conditional write decides)', async () => {
    const queue = new StandInQueue(T);
    queue.put('m1', event('e1', 1), T - 60_000);
    queue.put('m2', event('e1', 2), T - 60_000);
    const resent: unknown[] = [];
    const report = await run(queue, async (e) => (resent.push(e), { accepted: true, fate: 'scored' }));
    expect(actions(report)).toEqual([['m1', 'resent'], ['m2', 'resent']]);
    expect(resent).toEqual([event('e1', 1), event('e1', 2)]);
  });

  it('is re-sent when the first copy could not be: its event is not accounted for yet', async () => {
    const queue = new StandInQueue(T);
    queue.put('m1', event('e1'), T - 60_000);
    queue.put('m2', event('e1'), T - 60_000);
    let calls = 0;
    const report = await run(queue, async () => (++calls === 1 ? { accepted: false, error: 'TooManyRequestsException: Rate exceeded' } : { accepted: true, fate: 'scored' }));
    expect(actions(report)).toEqual([['m1', 'kept-resend-failed'], ['m2', 'resent']]);
    expect(queue.messages.map((m) => m.id)).toEqual(['m1']);
  });

  it('on --dry-run, is listed as a duplicate it would delete by the real run\'s test, and nothing is deleted', async () => {
    const queue = new StandInQueue(T);
    queue.put('m1', event('e1'), T - 60_000);
    queue.put('m2', event('e1'), T - 30_000);
    queue.put('m3', event('e1'), T - 10);
    const report = await run(queue, async () => {
      throw new Error('a dry run sends nothing');
    }, true);
    // m3 is not clearly older than the listing of m1: the real run would not delete it either.
    expect(actions(report)).toEqual([['m1', 'would-resend'], ['m2', 'would-delete-duplicate'], ['m3', 'kept-undecided']]);
    expect(report).toMatchObject({ wouldResend: 1, duplicates: 1, deleted: 0, kept: 1 });
    expect(queue.deleted).toEqual([]);
    expect(queue.messages.every((m) => m.visible)).toBe(true);
  });
});

describe('what the queue cannot undo', () => {
  it('an event the twin kept nowhere (undelivered) is not accounted for: its copies all stay', async () => {
    expect(twinResendResult({ fate: 'undelivered', reason: 'no queue kept it' })).toEqual({ accepted: false, error: 'the twin kept the event nowhere (undelivered: no queue kept it)' });
    expect(twinResendResult({ fate: 'unmatched' }).accepted).toBe(false);
    for (const fate of ['scored', 'stale', 'rejected', 'dead-lettered']) expect(twinResendResult({ fate })).toEqual({ accepted: true, fate });
    const queue = new StandInQueue(T);
    queue.put('m1', event('e1'), T - 60_000);
    queue.put('m2', event('e1'), T - 60_000);
    const report = await run(queue, async () => twinResendResult({ fate: 'undelivered' }));
    expect(actions(report)).toEqual([['m1', 'kept-resend-failed'], ['m2', 'kept-resend-failed']]);
    expect(queue.deleted).toEqual([]);
  });

  it('a delete or a release that SQS refuses (a handle past its visibility) still gives the whole report', async () => {
    const queue = new StandInQueue(T);
    queue.put('m1', event('e1'), T - 60_000);
    queue.put('m2', { not: 'an event' }, T - 60_000);
    const send = queue.client.send.bind(queue.client);
    (queue.client as unknown as { send: (c: unknown) => Promise<unknown> }).send = async (command: unknown) => {
      if (command instanceof DeleteMessageCommand || command instanceof ChangeMessageVisibilityCommand) {
        throw Object.assign(new Error('Value is not a valid receipt handle'), { name: 'ReceiptHandleIsInvalid' });
      }
      return send(command as never);
    };
    const report = await run(queue);
    expect(actions(report)).toEqual([['m1', 'resent'], ['m2', 'kept-unreadable']]);
    expect(report.items[0].problem).toMatch(/^re-sent, but the message could not be deleted \(ReceiptHandleIsInvalid\)/);
    expect(report).toMatchObject({ resent: 1, deleted: 0, kept: 1 });
  });
});
