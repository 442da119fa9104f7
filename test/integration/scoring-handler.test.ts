// The real bundled handler, invoked with EventBridge events, against dynalite and fauxqs, with
// every resource provisioned from the synthesized template.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { deriveFeatures } from '../../lambdas/core/features';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { ReadinessModel } from '../../lambdas/core/readiness-model';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';
import { alertDigest, coldStart, drainQueue, readMailbox, startTestPipeline, type TestPipeline } from './local-pipeline';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
const today = () => new Date().toISOString().slice(0, 10);

let test: TestPipeline;
let documents: DynamoDBDocumentClient;
let handler: (event: unknown) => Promise<any>;

const queue = (logicalIdPrefix: string) => test.pipeline.queues.find((q) => q.logicalId.startsWith(logicalIdPrefix))!;
const scoreTable = () => test.pipeline.scoreTable;
const stored = async (donorId: string) => (await documents.send(new GetCommand({ TableName: scoreTable(), Key: { donorId } }))).Item;

beforeAll(async () => {
  test = await startTestPipeline({ stage: 'itest', alertEmails: 'team@example.org,oncall@example.org' });
  documents = DynamoDBDocumentClient.from(test.clients.dynamodb);
  handler = coldStart(test);
});
afterAll(() => test?.stop());

describe('the scoring function on the local twin', () => {
  it('scores a DonorUpdated event and stores the contract record', async () => {
    const detail = validDetail({ donorId: 'D-INT-0001', revision: 4 });
    const result = await handler(donorUpdatedEvent(detail, 'evt-score-1'));
    expect(result).toMatchObject({ outcome: 'scored', eventId: 'evt-score-1', revision: 4 });

    const item = await stored('D-INT-0001');
    expect(item).toMatchObject({
      donorId: 'D-INT-0001',
      revision: 4,
      sourceEventId: 'evt-score-1',
      updatedAt: detail.updatedAt,
      modelVersion: manifest.modelVersion,
      modelSha256: manifest.onnx.sha256,
      scoringDate: today(),
    });
    const vector = deriveFeatures(detail.donor, today());
    const model = await ReadinessModel.load(manifest, readFileSync(join(MODEL_DIR, manifest.onnx.file)));
    const [expected] = await model.predict([vector]);
    expect(item!.score).toBeCloseTo(expected.score, 6);
    expect(item!.band).toBe(expected.band);
    expect(item!.reasons).toEqual(expected.reasons);
    expect(Object.keys(item!.features)).toEqual(manifest.features.map((f) => f.name));
    expect(Date.parse(item!.scoredAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('keeps an invalid event whole in the rejected queue with field and rule, and alerts without donor data', async () => {
    await readMailbox(test);
    const detail: any = validDetail({ donorId: 'D-INT-BAD1' });
    detail.donor.birthYear = 2024;
    const event = donorUpdatedEvent(detail, 'evt-bad-1');
    const result = await handler(event);
    expect(result).toMatchObject({ outcome: 'rejected', violation: { field: 'donor.birthYear' } });

    const [message, ...more] = await drainQueue(test.clients.sqs, queue('ScoringFunctionRejectedEvents').url);
    expect(more).toHaveLength(0);
    const kept = JSON.parse(message.body);
    expect(kept.event).toEqual(event);
    expect(kept.reason).toMatchObject({ field: 'donor.birthYear', rule: expect.stringMatching(/^must be from 1900 to \d{4}$/) });
    expect(message.attributes).toMatchObject({ field: 'donor.birthYear', eventId: 'evt-bad-1' });
    expect(await stored('D-INT-BAD1')).toBeUndefined();

    // The scoring function counts the failure; the digest (every minute) e-mails it.
    expect(await readMailbox(test)).toHaveLength(0);
    expect(await alertDigest(test)()).toContainEqual({ failureClass: 'rejected', outcome: 'sent', count: 1 });
    const mails = await readMailbox(test);
    expect(mails).toHaveLength(1);
    expect(mails[0].subject).toBe('[donor-readiness itest] rejected: 1 event');
    expect(mails[0].body).toContain('evt-bad-1');
    expect(mails[0].body).toContain('donor.birthYear must be from 1900');
    expect(mails[0].body).toContain(queue('ScoringFunctionRejectedEvents').name);
    expect(mails[0].body).toContain('By field and rule:\n  1  donor.birthYear must be from 1900');
    expect(mails[0].body).toContain('| filter failureClass = "rejected"');
    // The log group the e-mail names is the one the function writes to, by its stage's name.
    expect(test.pipeline.scoringFunction.environment.AWS_LAMBDA_LOG_GROUP_NAME).toBe('/donor-readiness/itest/scoring-function');
    expect(mails[0].body).toContain(`- Log group: ${test.pipeline.scoringFunction.environment.AWS_LAMBDA_LOG_GROUP_NAME}`);
    expect(mails[0].body).not.toContain('D-INT-BAD1');
    expect(mails[0].body).not.toContain('2024');
  });

  it('leaves the newer score when an older revision arrives after it', async () => {
    await handler(donorUpdatedEvent(validDetail({ donorId: 'D-INT-0002', revision: 7 }), 'evt-new'));
    const older = validDetail({ donorId: 'D-INT-0002', revision: 6 });
    older.donor.bloodDonor = false;
    expect(await handler(donorUpdatedEvent(older, 'evt-old'))).toMatchObject({ outcome: 'stale', revision: 6 });
    expect(await stored('D-INT-0002')).toMatchObject({ revision: 7, sourceEventId: 'evt-new' });
  });

  it('writes a duplicate delivery once', async () => {
    const event = donorUpdatedEvent(validDetail({ donorId: 'D-INT-0003', revision: 2 }), 'evt-dup');
    expect(await handler(event)).toMatchObject({ outcome: 'scored' });
    const first = await stored('D-INT-0003');
    expect(await handler(event)).toMatchObject({ outcome: 'stale' });
    expect(await stored('D-INT-0003')).toEqual(first);
  });
});

describe('a model whose bytes do not match the manifest', () => {
  it('fails clearly, stores nothing and alerts', async () => {
    const { environment } = test.pipeline.scoringFunction;
    const key = `${environment.MODEL_PREFIX}${manifest.onnx.file}`;
    const tampered = Buffer.from(readFileSync(join(MODEL_DIR, manifest.onnx.file)));
    tampered[tampered.length - 1] ^= 0xff;
    await test.clients.s3.send(new PutObjectCommand({ Bucket: environment.MODEL_BUCKET, Key: key, Body: tampered }));
    await readMailbox(test);
    const freshContainer = coldStart(test);

    await expect(freshContainer(donorUpdatedEvent(validDetail({ donorId: 'D-INT-0004' }), 'evt-model'))).rejects.toThrow(
      /model bytes have SHA-256 [0-9a-f]{64} but manifest .* expects/,
    );
    expect(await stored('D-INT-0004')).toBeUndefined();
    await alertDigest(test)();
    const mails = await readMailbox(test);
    expect(mails.map((m) => m.subject)).toEqual(['[donor-readiness itest] model: 1 attempt']);
    expect(mails[0].body).toContain('evt-model');
    expect(mails[0].body).toContain(queue('ScoringFunctionFailedScoring').name);
    await test.clients.s3.send(new PutObjectCommand({ Bucket: environment.MODEL_BUCKET, Key: key, Body: readFileSync(join(MODEL_DIR, manifest.onnx.file)) }));
  });
});
