// The prediction log's ports on AWS: the score table read for the donor's current record, and the
// outcome table written once per request id (a redelivered event is a no-op).
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { stringifyJson } from '../core/safe-json';
import type { ScoreRecord } from '../core/score-record';
import type { RejectedEvent, RejectedEventSink } from '../score-donor/score-donor-update';
import type { PredictionLog, PredictionLogEntry, ScoreLookup } from './record-request-outcome';

const documentsOf = (client: DynamoDBClient) => DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

export class DynamoDbScoreLookup implements ScoreLookup {
  private readonly documents: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.documents = documentsOf(client);
  }

  async get(donorId: string): Promise<ScoreRecord | undefined> {
    // Consistent read: an update scored just before the outcome arrives must be seen.
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { donorId }, ConsistentRead: true }));
    return Item as ScoreRecord | undefined;
  }
}

export class DynamoDbPredictionLog implements PredictionLog {
  private readonly documents: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.documents = documentsOf(client);
  }

  async putIfAbsent(entry: PredictionLogEntry): Promise<boolean> {
    try {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: entry, ConditionExpression: 'attribute_not_exists(requestId)' }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  }
}

/**
 * Rejected outcomes in the same shape as rejected donor updates ({eventId, reason, rejectedAt,
 * event}), so `drs redrive` reads both. Not the scoring port itself: that module loads the ONNX runtime.
 */
export class SqsRejectedOutcomeSink implements RejectedEventSink {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  async keep(rejected: RejectedEvent): Promise<void> {
    const { field, rule } = rejected.reason;
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: stringifyJson(rejected),
        MessageAttributes: {
          field: { DataType: 'String', StringValue: field },
          rule: { DataType: 'String', StringValue: rule },
          ...(rejected.eventId ? { eventId: { DataType: 'String', StringValue: rejected.eventId } } : {}),
        },
      }),
    );
  }
}
