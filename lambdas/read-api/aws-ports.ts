// The read API's ports on AWS: BatchGetItem on the score table (unprocessed keys retried, never
// answered as missing) and the deployed model manifest from S3 (reason-code meanings).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, type BatchGetCommandInput, type BatchGetCommandOutput } from '@aws-sdk/lib-dynamodb';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ModelManifest } from '../core/model-manifest';
import { PUBLIC_FIELDS, type ScoreReader, type StoredScore } from './read-readiness';

/** DynamoDB kept some keys unprocessed through every retry (throttling): the caller should retry later. */
export class ScoresUnavailableError extends Error {
  override readonly name = 'ScoresUnavailableError';
}

export interface RetryPolicy {
  /** BatchGetItem calls at most, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/** ~3 s of backoff at most, well inside the function's timeout and API Gateway's 29 s. */
export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 8,
  baseDelayMs: 20,
  maxDelayMs: 800,
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
  random: Math.random,
};

// Only the public fields travel: `features` and the input's trace stay in the table.
const PROJECTION = {
  ProjectionExpression: PUBLIC_FIELDS.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(PUBLIC_FIELDS.map((f, i) => [`#f${i}`, f])),
};

export class DynamoDbScoreReader implements ScoreReader {
  /** BatchGetItem calls made, retries included (tests and the bench read it). */
  calls = 0;

  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async readScores(donorIds: string[]): Promise<Map<string, StoredScore>> {
    const found = new Map<string, StoredScore>();
    if (donorIds.length === 0) return found;
    type Pending = NonNullable<BatchGetCommandInput['RequestItems']>[string];
    let pending: Pending | undefined = { Keys: donorIds.map((donorId) => ({ donorId })), ...PROJECTION };
    for (let attempt = 1; pending?.Keys?.length; attempt++) {
      if (attempt > this.retry.attempts) {
        throw new ScoresUnavailableError(`${pending.Keys.length} of ${donorIds.length} keys stayed unprocessed after ${this.retry.attempts} BatchGetItem calls (throttled)`);
      }
      if (attempt > 1) {
        // Full jitter: concurrent requests that were throttled together do not retry together.
        const cap = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 2));
        await this.retry.sleep(Math.round(this.retry.random() * cap));
      }
      this.calls++;
      const page: BatchGetCommandOutput = await this.documents.send(new BatchGetCommand({ RequestItems: { [this.tableName]: pending } }));
      for (const item of page.Responses?.[this.tableName] ?? []) found.set(String(item.donorId), item as StoredScore);
      const unprocessed = page.UnprocessedKeys?.[this.tableName]?.Keys;
      pending = unprocessed?.length ? { Keys: unprocessed, ...PROJECTION } : undefined;
    }
    return found;
  }
}

/** The manifest of the pinned model (the one the scoring function runs), for reason-code meanings. */
export async function loadManifestFromS3(s3: S3Client, location: { modelBucket: string; modelPrefix: string; modelSha256: string }): Promise<ModelManifest> {
  const key = `${location.modelPrefix}manifest.json`;
  const object = await s3.send(new GetObjectCommand({ Bucket: location.modelBucket, Key: key }));
  const manifest = JSON.parse(await object.Body!.transformToString('utf8')) as ModelManifest;
  if (manifest.onnx?.sha256 !== location.modelSha256) {
    throw new Error(`s3://${location.modelBucket}/${key} names model SHA-256 ${manifest.onnx?.sha256}, the stack pins ${location.modelSha256}: deploy model/ and the API together (npx cdk deploy)`);
  }
  return manifest;
}
