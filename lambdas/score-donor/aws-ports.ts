// The scoring ports on AWS: DynamoDB for scores, SQS for rejected events, S3 for the model
// (alert counts: ../alert-digest/alert-windows.ts). Clients come from the caller (created once per container) and honour
// AWS_ENDPOINT_URL_*, so the same code runs against local endpoints. The model's two objects are
// read by whatever GetObject the caller passes: a signed GET in the scoring function
// (signed-object-get.ts, no S3 client at its cold start), the S3 client in the registry run.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { ModelManifest } from '../core/model-manifest';
import { ModelIntegrityError, ReadinessModel } from '../core/readiness-model';
import { sqsSafeJson, sqsSafeText } from '../core/sqs-body';
import type { StoredScore } from '../core/score-record';
import type { ScoringConfig } from './config';
import type { ObjectGetter } from './signed-object-get';
import type { FailedEventSink, RejectedEvent, RejectedEventSink, ScoreStore } from './score-donor-update';

type SqsModule = typeof import('./sqs-client');

/**
 * Highest revision wins; an equal revision is rewritten only by a rescore with another model or a
 * later scoring date. So duplicates and late, older revisions are no-ops, in any delivery order.
 */
export const NEWER_SCORE_CONDITION =
  'attribute_not_exists(donorId) OR revision < :revision OR ' +
  '(revision = :revision AND (modelSha256 <> :modelSha256 OR scoringDate < :scoringDate))';

export class DynamoDbScoreStore implements ScoreStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async putIfNewer(record: StoredScore): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: record,
          ConditionExpression: NEWER_SCORE_CONDITION,
          ExpressionAttributeValues: {
            ':revision': record.revision,
            ':modelSha256': record.modelSha256,
            ':scoringDate': record.scoringDate,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

/**
 * The SQS SDK and one client, loaded at the first send, not at cold start: most containers never
 * send, and the module's evaluation would otherwise be paid on every cold start.
 */
function lazySqs(createClient: (sdk: SqsModule) => SQSClient) {
  let client: { sqs: SQSClient; SendMessageCommand: SqsModule['SendMessageCommand'] } | undefined;
  return () => {
    if (!client) {
      // A synchronous require, not import(): the bundle stays CommonJS, and the twin and the tests
      // load it inside a vm context where a dynamic import() is not available. In the function's
      // asset, ./sqs-client is a file of its own, not compiled at cold start.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sdk = require('./sqs-client') as SqsModule;
      client = { sqs: createClient(sdk), SendMessageCommand: sdk.SendMessageCommand };
    }
    return client;
  };
}

export class SqsRejectedEventSink implements RejectedEventSink {
  private readonly connect: ReturnType<typeof lazySqs>;

  constructor(createClient: (sdk: SqsModule) => SQSClient, private readonly queueUrl: string) {
    this.connect = lazySqs(createClient);
  }

  async keep(rejected: RejectedEvent): Promise<void> {
    const { sqs, SendMessageCommand } = this.connect();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        // Escaped where a queue would refuse a character: the body still parses to the whole event.
        MessageBody: sqsSafeJson(rejected),
        MessageAttributes: {
          field: { DataType: 'String', StringValue: sqsSafeText(rejected.reason.field) || '(none)' },
          rule: { DataType: 'String', StringValue: sqsSafeText(rejected.reason.rule) || '(none)' },
          ...(rejected.eventId ? { eventId: { DataType: 'String', StringValue: sqsSafeText(rejected.eventId) } } : {}),
        },
      }),
    );
  }
}

/**
 * The function's own copy of a failed event, in the shape of Lambda's invocation record
 * (`requestPayload` holds the event) so that the queue's readers handle both alike.
 */
export class SqsFailedEventSink implements FailedEventSink {
  private readonly connect: ReturnType<typeof lazySqs>;

  constructor(createClient: (sdk: SqsModule) => SQSClient, private readonly queueUrl: string) {
    this.connect = lazySqs(createClient);
  }

  async keep(failed: Parameters<FailedEventSink['keep']>[0]): Promise<void> {
    const record = {
      version: '1.0',
      timestamp: failed.keptAt,
      requestContext: { condition: 'KeptByFunction', reason: 'the event holds characters SQS refuses; kept escaped, not retried', approximateInvokeCount: 1 },
      requestPayload: failed.event,
      responseContext: { functionError: 'Handled' },
      responsePayload: failed.error,
    };
    const { sqs, SendMessageCommand } = this.connect();
    await sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: sqsSafeJson(record) }));
  }
}

/** S3 refusals that mean the model is not where the deployment put it (or may not be read there). */
const MISSING = new Set(['NoSuchKey', 'NoSuchBucket', 'AccessDenied']);

async function getBytes(getObject: ObjectGetter, bucket: string, key: string): Promise<Uint8Array> {
  try {
    return await getObject(bucket, key);
  } catch (error) {
    const name = (error as Error).name;
    if (MISSING.has(name)) {
      throw new ModelIntegrityError(`model object s3://${bucket}/${key} cannot be read (${name}): deploy the model with npx cdk deploy`);
    }
    throw error;
  }
}

/** Where the pinned model lives; `modelFile` (when known) lets both objects be fetched at once. */
export type ModelLocation = Pick<ScoringConfig, 'modelBucket' | 'modelPrefix' | 'modelSha256'> & { modelFile?: string };

/** Reads manifest and ONNX bytes under the deployed prefix; both must match the pinned SHA-256. */
export async function loadModelFromS3(getObject: ObjectGetter, config: ModelLocation): Promise<ReadinessModel> {
  // The two GETs run side by side on a cold start; the ONNX bytes are used only once the manifest
  // that names them has passed its checks.
  const onnxRead = config.modelFile ? getBytes(getObject, config.modelBucket, `${config.modelPrefix}${config.modelFile}`) : undefined;
  onnxRead?.catch(() => {}); // judged below, after the manifest
  const manifestBytes = await getBytes(getObject, config.modelBucket, `${config.modelPrefix}manifest.json`);
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(Buffer.from(manifestBytes).toString('utf8')) as ModelManifest;
  } catch {
    throw new ModelIntegrityError(`s3://${config.modelBucket}/${config.modelPrefix}manifest.json is not valid JSON`);
  }
  if (manifest.onnx?.sha256 !== config.modelSha256) {
    throw new ModelIntegrityError(
      `manifest under ${config.modelPrefix} names model SHA-256 ${manifest.onnx?.sha256} but the function pins ${config.modelSha256}: deploy model/ and the function together (npx cdk deploy)`,
    );
  }
  if (config.modelFile && manifest.onnx.file !== config.modelFile) {
    throw new ModelIntegrityError(
      `manifest under ${config.modelPrefix} names ONNX file ${manifest.onnx.file} but the function was deployed with ${config.modelFile}: deploy model/ and the function together (npx cdk deploy)`,
    );
  }
  const onnxBytes = await (onnxRead ?? getBytes(getObject, config.modelBucket, `${config.modelPrefix}${manifest.onnx.file}`));
  return ReadinessModel.load(manifest, onnxBytes);
}
