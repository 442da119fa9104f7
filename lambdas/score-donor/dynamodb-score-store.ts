// The conditional write through the SDK's document client: the registry refresh and the bench.
// The scoring function sends the same PutItem signed, without the client (signed-put-item.ts).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredScore } from '../core/score-record';
import { isConditionRefused, newerScorePut } from './newer-score';
import type { ScoreStore } from './score-donor-update';

export { NEWER_SCORE_CONDITION } from './newer-score';

export class DynamoDbScoreStore implements ScoreStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async putIfNewer(record: StoredScore): Promise<boolean> {
    try {
      await this.documents.send(new PutCommand(newerScorePut(this.tableName, record)));
      return true;
    } catch (error) {
      if (isConditionRefused(error)) return false;
      throw error;
    }
  }
}
