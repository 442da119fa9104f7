// The scoring function's conditional write, as data: the same PutItem whether it goes through the
// SDK's document client (registry refresh, bench) or as a signed request (the scoring function).
import type { StoredScore } from '../core/score-record';

/**
 * Highest revision wins; an equal revision is rewritten only by a rescore with another model or a
 * later scoring date. So duplicates and late, older revisions are no-ops, in any delivery order.
 */
export const NEWER_SCORE_CONDITION =
  'attribute_not_exists(donorId) OR revision < :revision OR ' +
  '(revision = :revision AND (modelSha256 <> :modelSha256 OR scoringDate < :scoringDate))';

/** The PutItem input in document form (plain values, not yet DynamoDB attribute values). */
export function newerScorePut(tableName: string, record: StoredScore) {
  return {
    TableName: tableName,
    Item: record,
    ConditionExpression: NEWER_SCORE_CONDITION,
    ExpressionAttributeValues: {
      ':revision': record.revision,
      ':modelSha256': record.modelSha256,
      ':scoringDate': record.scoringDate,
    },
  };
}

/** A refused condition: a newer or identical score is stored (DynamoDB's error name, as the SDK names it). */
export const isConditionRefused = (error: unknown) => (error as Error)?.name === 'ConditionalCheckFailedException';
