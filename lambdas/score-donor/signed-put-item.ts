// The score's conditional PutItem as one signed DynamoDB request (JSON protocol 1.0), without the
// DynamoDB client: its compile, evaluation and first send were a third of a floor on every cold
// start (bench/PROFILE.md, "Cold start"). Signing, HTTP, retries and credentials are the SDK's own
// parts (signed-request.ts); the item's attribute values are made by score-item.ts, the same
// marshalling the registry run writes with (as the document client marshals: one marshaller for one
// item). Errors are named as the client names them: a refused condition is a
// `ConditionalCheckFailedException`, throttling a `ThrottlingException` etc. after its retries.
import type { PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { StoredScore } from '../core/score-record';
import { isConditionRefused } from './newer-score';
import { attributeItemOf, newerScorePutItem } from './score-item';
import type { ScoreStore } from './score-donor-update';
import { signedSender, SigningUnavailable, type SignedRequestOptions } from './signed-request';

/** What the DynamoDB client retries by default: 4 attempts (AWS_MAX_ATTEMPTS overrides), 25 ms base delay. */
export const DYNAMODB_RETRIES = { maxAttempts: 4, baseDelay: 25 } as const;

/**
 * DynamoDB's endpoint as the SDK picks it for these variables: AWS_ENDPOINT_URL_DYNAMODB, then
 * AWS_ENDPOINT_URL (local endpoints, the twin), else the regional one.
 */
export function dynamoDbUrl(region: string, env: NodeJS.ProcessEnv): URL {
  const override = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  return new URL(override ?? `https://dynamodb.${region}.amazonaws.com/`);
}

/**
 * DynamoDB's error document: `{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"…"}`
 * (`Message` in some errors); the `x-amzn-errortype` header names it when the body does not.
 */
export function dynamoDbError(status: number, body: string, headers: Record<string, string>): { code: string; message: string } {
  let document: { __type?: string; message?: string; Message?: string } = {};
  try {
    document = JSON.parse(body) ?? {};
  } catch {
    // An HTML or empty answer from something in front of DynamoDB: named by its status.
  }
  const type = document.__type ?? headers['x-amzn-errortype']?.split(':')[0];
  return { code: type?.split('#').pop() || `Http${status}`, message: document.message ?? document.Message ?? '' };
}

export type PutItemInput = { TableName: string; Item: object; ConditionExpression?: string; ExpressionAttributeValues?: Record<string, unknown> };

/** The JSON body of a PutItem given in document form: the item and the expression values as DynamoDB attribute values. */
export function putItemBody(input: PutItemInput): string {
  const { Item, ExpressionAttributeValues, ...rest } = input;
  return JSON.stringify({
    ...rest,
    Item: attributeItemOf(Item as Record<string, unknown>),
    ...(ExpressionAttributeValues ? { ExpressionAttributeValues: attributeItemOf(ExpressionAttributeValues) } : {}),
  });
}

/** Returns a PutItem (its input already in attribute values) that signs with the environment's credentials and region. */
export function signedPutItem(options: SignedRequestOptions = {}): (input: PutItemCommandInput) => Promise<void> {
  const env = options.env ?? process.env;
  // The DynamoDB client's own retry defaults (@aws-sdk/client-dynamodb, 2026 retry behaviour).
  const dynamodb = signedSender('dynamodb', { ...options, retries: DYNAMODB_RETRIES });
  return async (input) => {
    try {
      await dynamodb.send(
        {
          method: 'POST',
          url: dynamoDbUrl(dynamodb.region ?? '', env),
          headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' },
          body: JSON.stringify(input),
        },
        dynamoDbError,
      );
    } catch (error) {
      if (error instanceof SigningUnavailable) throw new Error(`cannot write to DynamoDB table ${input.TableName}: ${error.message}`);
      throw error;
    }
  };
}

/** The scoring function's store: the conditional write as a signed PutItem. */
export class SignedDynamoDbScoreStore implements ScoreStore {
  private readonly putItem: ReturnType<typeof signedPutItem>;

  constructor(private readonly tableName: string, options: SignedRequestOptions = {}) {
    this.putItem = signedPutItem(options);
  }

  async putIfNewer(record: StoredScore): Promise<boolean> {
    try {
      await this.putItem(newerScorePutItem(this.tableName, record));
      return true;
    } catch (error) {
      if (isConditionRefused(error)) return false;
      throw error;
    }
  }
}
