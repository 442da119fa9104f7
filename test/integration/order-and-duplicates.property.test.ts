// Random interleavings, with duplicates, of many donors' revision histories, delivered concurrently
// through the real handler to dynalite, always leave each donor's score of its highest revision.
import fc from 'fast-check';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';
import { withHandlerLogsDropped } from '../../twin/local-function';
import { coldStart, startTestPipeline, type TestPipeline } from './local-pipeline';

let test: TestPipeline;
let handler: (event: unknown) => Promise<any>;
beforeAll(async () => {
  test = await startTestPipeline({ stage: 'order', alertEmails: 'team@example.org' });
  const loaded = coldStart(test);
  // The handler's own logs are not this test's subject.
  handler = (event) => withHandlerLogsDropped(() => loaded(event));
});
afterAll(() => test?.stop());

let run = 0;

it('keeps the highest revision of every donor whatever the order, duplication and concurrency', async () => {
  const documents = DynamoDBDocumentClient.from(test.clients.dynamodb);
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 6 }), // revisions per donor
      fc.array(fc.nat(), { minLength: 0, maxLength: 10 }), // which deliveries are duplicated
      fc.integer({ min: 1, max: 8 }), // concurrency
      fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })), // shuffle keys
      async (histories, duplicateOf, concurrency, keys) => {
        run++;
        const events = histories.flatMap((revisions, d) =>
          Array.from({ length: revisions }, (_, r) => donorUpdatedEvent(validDetail({ donorId: `D-ORDER-${run}-${d}`, revision: r + 1 }), `order-${run}-${d}-${r + 1}`)),
        );
        for (const k of duplicateOf) events.push(structuredClone(events[k % events.length]));
        const order = events.map((e) => ({ e, key: keys.next().value as number })).sort((a, b) => a.key - b.key).map(({ e }) => e);
        let next = 0;
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < order.length) {
              const result = await handler(order[next++]);
              expect(['scored', 'stale']).toContain(result.outcome);
            }
          }),
        );
        const keysToGet = histories.map((_, d) => ({ donorId: `D-ORDER-${run}-${d}` }));
        const { Responses } = await documents.send(new BatchGetCommand({ RequestItems: { [test.pipeline.scoreTable]: { Keys: keysToGet } } }));
        const stored = new Map((Responses![test.pipeline.scoreTable] ?? []).map((item) => [item.donorId, item]));
        histories.forEach((revisions, d) => {
          const item = stored.get(`D-ORDER-${run}-${d}`);
          expect({ donor: d, revision: item?.revision, source: item?.sourceEventId }).toEqual({ donor: d, revision: revisions, source: `order-${run}-${d}-${revisions}` });
        });
      },
    ),
    { numRuns: 40, seed: 424242 },
  );
});
