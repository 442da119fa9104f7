// The conditional write through the SDK's DynamoDB client: the registry run's batch function.
// The scoring function sends the same PutItem signed, without the client (signed-put-item.ts).
// The item goes as attribute values made by score-item.ts: the values the document client's
// marshalling gives, at a fraction of its cost per row (a registry run writes millions).
import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StoredScore } from '../core/score-record';
import { isConditionRefused } from './newer-score';
import type { ScoreStore } from './score-donor-update';
import { newerScorePutItem } from './score-item';

export { NEWER_SCORE_CONDITION } from './newer-score';

/** What the store needs of the client: its send (the bench passes one that stops short of the network). */
export type PutItemSender = Pick<DynamoDBClient, 'send'>;

export class DynamoDbScoreStore implements ScoreStore {
  constructor(private readonly client: PutItemSender, private readonly tableName: string) {}

  async putIfNewer(record: StoredScore): Promise<boolean> {
    try {
      await this.client.send(new PutItemCommand(newerScorePutItem(this.tableName, record)));
      return true;
    } catch (error) {
      if (isConditionRefused(error)) return false;
      throw error;
    }
  }
}
