// `npm start`'s engine on a small event file with known outcomes.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dynamoDbOperation, DYNAMODB_SERVER_ERROR, startFaultProxy, type FaultProxy } from '../../twin/fault-proxy';
import { runTwin, type TwinOptions } from '../../twin/run-twin';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

/** The DynamoDB client's own attempts per call (its default retry strategy) before the handler sees an error. */
const SDK_ATTEMPTS = 4;

const lines = (...values: unknown[]) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n') + '\n';

async function run(file: string, options: Partial<TwinOptions> & { failPutItems?: number } = {}) {
  const workDir = mkdtempSync(join(tmpdir(), 'drs-twin-'));
  let proxy: FaultProxy | undefined;
  const result = await runTwin({
    events: 0,
    eventsFile: file,
    badFraction: 0,
    concurrency: 1,
    seed: 1,
    asOf: new Date().toISOString().slice(0, 10),
    workDir,
    alertEmails: 'team@example.org',
    dumpTable: join(workDir, 'table.jsonl'),
    keepRecords: true,
    functionEndpoints: async (endpoints) => {
      proxy = await startFaultProxy(endpoints.dynamodb);
      if (options.failPutItems) proxy.inject({ matches: dynamoDbOperation('PutItem'), times: options.failPutItems, ...DYNAMODB_SERVER_ERROR });
      return { AWS_ENDPOINT_URL_DYNAMODB: proxy.url };
    },
    ...options,
  });
  await result.endpoints.stop();
  await proxy?.close();
  // The dump is in scan order, as DynamoDB gives it: sorted here to compare.
  const table = readFileSync(join(workDir, 'table.jsonl'), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).sort((x, y) => String(x.donorId).localeCompare(String(y.donorId)));
  return { ...result, workDir, table, proxy: proxy! };
}

describe('the local twin', () => {
  it('accounts for duplicates, out-of-order revisions, malformed events and a transient failure', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-events-'));
    const file = join(dir, 'events.jsonl');
    const bad: any = validDetail({ donorId: 'D-TWIN-BAD' });
    bad.donor.birthYear = 2030;
    writeFileSync(
      file,
      lines(
        donorUpdatedEvent(validDetail({ donorId: 'D-TWIN-A', revision: 1 }), 'a1'), // its PutItem fails every SDK attempt once: Lambda retries, then it is scored
        donorUpdatedEvent(validDetail({ donorId: 'D-TWIN-A', revision: 3 }), 'a3'),
        donorUpdatedEvent(validDetail({ donorId: 'D-TWIN-A', revision: 2 }), 'a2'), // out of order: stale
        donorUpdatedEvent(validDetail({ donorId: 'D-TWIN-A', revision: 3 }), 'a3'), // duplicate: stale
        donorUpdatedEvent(bad, 'bad-1'), // rejected
        '{not json', // rejected, kept whole
        validDetail({ donorId: 'D-TWIN-B', revision: 5 }), // a bare detail gets an envelope
        { ...donorUpdatedEvent(validDetail({ donorId: 'D-TWIN-C' }), 'other-1'), source: 'somebody.else' }, // not matched
      ),
    );
    const { summary, table, workDir, proxy } = await run(file, { failPutItems: SDK_ATTEMPTS });

    expect(proxy.failed).toBe(SDK_ATTEMPTS);
    expect(summary).toMatchObject({
      in: 8,
      matched: 7,
      scored: 3,
      ignored: { total: 3, staleOrDuplicate: 2, notMatched: 1 },
      rejected: { total: 2, byReason: { 'donor.birthYear: must be from 1900 to 2009': 1, '(line): must be valid JSON': 1 } },
      retried: { invocations: 1, eventsRecovered: 1 },
      deadLettered: 0,
      emailsSent: 2,
      tableItems: 2,
      accounted: true,
    });
    expect(table.map((i) => [i.donorId, i.revision, i.sourceEventId])).toEqual([
      ['D-TWIN-A', 3, 'a3'],
      ['D-TWIN-B', 5, expect.any(String)],
    ]);
    const outbox = readdirSync(join(workDir, 'outbox'));
    expect(outbox).toEqual(['0001-team@example.org.eml', '0002-team@example.org.eml']);
    // One digest e-mail per failure class: the two rejected events, and the attempt that failed.
    const mails = outbox.map((name) => readFileSync(join(workDir, 'outbox', name), 'utf8'));
    const subjects = mails.map((m) => /^Subject: (.*)$/m.exec(m)![1]).sort();
    expect(subjects).toEqual(['[donor-readiness local] failed: 1 attempt', '[donor-readiness local] rejected: 2 events']);
    const rejectedMail = mails.find((m) => m.includes('rejected: 2 events'))!;
    expect(rejectedMail).toContain('bad-1');
    for (const mail of mails) expect(mail).not.toMatch(/D-TWIN/);
  });

  it('dead-letters an event whose failure outlasts every retry, and still accounts for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-events-'));
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, lines(donorUpdatedEvent(validDetail({ donorId: 'D-TWIN-DLQ' }), 'dlq-1')));
    const { summary, table, records, proxy } = await run(file, { failPutItems: 1000 });
    expect(summary).toMatchObject({ in: 1, scored: 0, deadLettered: 1, accounted: true, retried: { invocations: 2, eventsRecovered: 0 } });
    expect(records[0]).toMatchObject({ fate: 'dead-lettered', invocations: 3, error: expect.stringContaining('InternalServerError') });
    expect(Object.entries(summary.queues).filter(([name]) => /FailedScoring|DeadLetters/.test(name)).map(([, n]) => n)).toEqual([1, 1]);
    expect(table).toEqual([]);
    expect(proxy.failed).toBe(3 * SDK_ATTEMPTS); // three invocations, each with the SDK's full set of attempts
  });

  it('keeps hostile lines whole: 100,000 levels of nesting, a byte-order mark, blank and broken lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-events-'));
    const file = join(dir, 'events.jsonl');
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const bom = '\uFEFF' + JSON.stringify(donorUpdatedEvent(validDetail({ donorId: 'D-TWIN-BOM' }), 'bom-1'));
    const brokenEvent = JSON.stringify({ ...donorUpdatedEvent(validDetail(), 'broken-1'), detail: 'not an object' });
    writeFileSync(file, [deep, bom, '', '{"truncated": ', brokenEvent].join('\r\n') + '\r\n');
    const { summary, table } = await run(file);
    expect(summary).toMatchObject({ in: 5, scored: 1, rejected: { total: 4 }, deadLettered: 0, accounted: true });
    // Line problems in the words drs score uses; a whole event with a broken detail names the detail.
    expect(summary.rejected.byReason).toEqual({
      '(line): must be a JSON object (a whole event, a generator row or a detail)': 1,
      '(line): must be a JSON object, not a blank line': 1,
      '(line): must be valid JSON': 1,
      '(detail): must be an object': 1,
    });
    expect(table.map((i) => i.sourceEventId)).toEqual(['bom-1']);
  });
});
