// The twin's delivery never dies on a refused send: every event ends with a fate, and an event no
// queue kept is named with the reason. (The SQS client is faked here; the integration suites run
// the same code against fauxqs.)
import type { SQSClient } from '@aws-sdk/client-sqs';
import { deliverAll } from '../../twin/local-delivery';
import type { LocalFunction } from '../../twin/provision';
import type { BusEvent } from '../../twin/donor-update-stream';
import { formatSummary } from '../../twin/main';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const queue = (name: string) => ({ logicalId: name, name, url: `http://127.0.0.1:1/000000000000/${name}`, arn: `arn:aws:sqs:us-east-1:000000000000:${name}` });
const fn: LocalFunction = {
  logicalId: 'Fn',
  handlerFile: 'index.js',
  handlerExport: 'handler',
  environment: {},
  timeoutSeconds: 5,
  retryAttempts: 2,
  onFailureQueue: queue('Failed') as any,
  deadLetterQueue: queue('DeadLetters') as any,
};
const events = [donorUpdatedEvent(validDetail(), 'ok-1'), donorUpdatedEvent(validDetail(), 'boom-1'), donorUpdatedEvent(validDetail(), 'boom-2')] as unknown as BusEvent[];
const handler = async (event: any) => {
  if (event.id.startsWith('boom')) throw Object.assign(new Error('model missing'), { name: 'ModelIntegrityError' });
  return { outcome: 'scored', band: 'high' };
};

function sqsThat(refuse: (queueUrl: string) => boolean) {
  const sent: { queue: string; body: string }[] = [];
  const sqs = {
    send: async (command: any) => {
      const url = command.input.QueueUrl as string;
      if (refuse(url)) throw Object.assign(new Error('Invalid characters found.'), { name: 'InvalidMessageContents' });
      sent.push({ queue: url.split('/').pop()!, body: command.input.MessageBody });
      return {};
    },
  } as unknown as SQSClient;
  return { sqs, sent };
}

describe('deliverAll', () => {
  it('records an event as undelivered, with the reason, when every queue refuses it; the others go on', async () => {
    const { sqs } = sqsThat(() => true);
    const records = await deliverAll(events, { matches: () => true, handler, fn, sqs, functionArn: 'arn:fn', concurrency: 2 });
    expect(records.map((r) => [r.eventId, r.fate])).toEqual([['ok-1', 'scored'], ['boom-1', 'undelivered'], ['boom-2', 'undelivered']]);
    expect(records[1].reason).toContain('failed after 3 invocations (ModelIntegrityError: model missing)');
    expect(records[1].reason).toContain('on-failure destination Failed: InvalidMessageContents: Invalid characters found.');
    expect(records[1].reason).toContain('dead-letter queue DeadLetters: InvalidMessageContents');
  });

  it('counts an event kept by one queue as dead-lettered, naming where it is', async () => {
    const { sqs, sent } = sqsThat((url) => url.endsWith('/Failed'));
    const [, record] = await deliverAll(events.slice(0, 2), { matches: () => true, handler, fn, sqs, functionArn: 'arn:fn', concurrency: 1 });
    expect(record).toMatchObject({ fate: 'dead-lettered', keptIn: ['DeadLetters'] });
    expect(sent.map((s) => s.queue)).toEqual(['DeadLetters']);
  });

  it('does not send what SQS would refuse as Lambda sends it, and says so', async () => {
    const { sqs, sent } = sqsThat(() => false);
    const hostile = { ...donorUpdatedEvent(validDetail(), 'boom-fffe'), note: 'a\uFFFEb' } as unknown as BusEvent;
    const [record] = await deliverAll([hostile], { matches: () => true, handler, fn, sqs, functionArn: 'arn:fn', concurrency: 1 });
    expect(record.fate).toBe('undelivered');
    expect(record.reason).toMatch(/SQS refuses the event's characters/);
    expect(sent).toEqual([]);
  });

  it('sends emoji escaped (fauxqs refuses them raw; the JSON is the same)', async () => {
    const { sqs, sent } = sqsThat(() => false);
    const emoji = { ...donorUpdatedEvent(validDetail(), 'boom-emoji'), note: '😀' } as unknown as BusEvent;
    const [record] = await deliverAll([emoji], { matches: () => true, handler, fn, sqs, functionArn: 'arn:fn', concurrency: 1 });
    expect(record).toMatchObject({ fate: 'dead-lettered', keptIn: ['Failed', 'DeadLetters'] });
    for (const s of sent) expect(s.body).not.toMatch(/[\uD800-\uDFFF]/);
    expect(JSON.parse(sent[1].body)).toEqual(JSON.parse(JSON.stringify(emoji)));
  });

  it('the summary names each undelivered event and says the run did not account for it', () => {
    const text = formatSummary({
      stack: 'S', in: 1, matched: 1, scored: 0, ignored: { total: 0, staleOrDuplicate: 0, notMatched: 0 }, rejected: { total: 0, byReason: {} },
      retried: { invocations: 2, eventsRecovered: 0 }, deadLettered: 0, undelivered: { total: 1, events: [{ eventId: 'boom-1', reason: 'no queue' }] },
      emailsSent: 0, handlerLatencyMs: { p50: 0, p99: 0, invocations: 3, exact: true }, bands: {}, queues: {}, tableItems: 0, accounted: false,
      readinessChanged: { events: 0, byDetailType: {}, firstScores: 0, bandChanges: 0, records: 0, directory: 'events' },
      missing: ['event boom-1 was not kept anywhere: no queue'], outbox: 'o', logFile: 'l', seconds: 1, deliverySeconds: 1,
    });
    expect(text).toMatch(/undelivered\s+1/);
    expect(text).toContain('NOT every event is accounted for:\n  - event boom-1 was not kept anywhere: no queue');
  });
});
