// Alert throttling state in DynamoDB: one item per failure class holding the failures not yet
// e-mailed (count, up to SAMPLE_LIMIT event ids, the first error) and when the last e-mail went
// out. The scoring function only records; the digest function claims and sends. Every write is a
// single conditional UpdateItem, so concurrent functions never lose a count or send twice.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { FailureClass } from '../core/alert-message';

/** How many event ids an alert carries as a sample. */
export const SAMPLE_LIMIT = 10;
/** State of a class nobody has touched for this long expires (DynamoDB TTL). */
export const STATE_TTL_DAYS = 30;

export interface FailureRecord {
  failureClass: FailureClass;
  eventId: string | null;
  /** Free of donor data: a field and rule, or an error name and message of our own. */
  error: string;
}

export interface AlertWindowState {
  failureClass: FailureClass;
  /** Failures recorded and not yet e-mailed. */
  pending: number;
  sampleIds: string[];
  firstError?: string;
  firstAt?: string;
  /** When the last e-mail for this class was claimed (ISO time). */
  lastSentAt?: string;
}

/** What a digest took out of the state to e-mail; given back if the e-mail cannot be sent. */
export interface AlertClaim {
  state: AlertWindowState;
  claimedAt: string;
}

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException';

const expiresAt = (now: Date) => Math.floor(now.getTime() / 1000) + STATE_TTL_DAYS * 86_400;

export class AlertWindows {
  private readonly documents: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient, private readonly tableName: string) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  /** Counts one failure; its event id joins the sample while the sample has room. */
  async record(failure: FailureRecord, now: Date): Promise<void> {
    const values = { ':one': 1, ':error': failure.error, ':now': now.toISOString(), ':expiresAt': expiresAt(now) };
    const count = 'pending :one';
    const set = 'SET firstError = if_not_exists(firstError, :error), firstAt = if_not_exists(firstAt, :now), expiresAt = :expiresAt';
    const key = { failureClass: failure.failureClass };
    if (failure.eventId !== null) {
      try {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: `ADD ${count}, sampleIds :id ${set}`,
            ConditionExpression: 'attribute_not_exists(sampleIds) OR size(sampleIds) < :limit',
            ExpressionAttributeValues: { ...values, ':id': new Set([failure.eventId]), ':limit': SAMPLE_LIMIT },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    // The sample is full (or there is no id): count only.
    await this.documents.send(new UpdateCommand({ TableName: this.tableName, Key: key, UpdateExpression: `ADD ${count} ${set}`, ExpressionAttributeValues: values }));
  }

  async read(failureClass: FailureClass): Promise<AlertWindowState | undefined> {
    const { Item } = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: { failureClass }, ConsistentRead: true }));
    if (!Item) return undefined;
    return {
      failureClass,
      pending: Number(Item.pending ?? 0),
      sampleIds: [...((Item.sampleIds as Set<string> | undefined) ?? [])].sort(),
      firstError: Item.firstError as string | undefined,
      firstAt: Item.firstAt as string | undefined,
      lastSentAt: Item.lastSentAt as string | undefined,
    };
  }

  /**
   * Takes what `state` saw out of the pending failures and stamps the send time, if no other
   * digest sent for this class since `state` was read. Failures recorded meanwhile stay pending.
   * Returns undefined when another digest won.
   */
  async claim(state: AlertWindowState, now: Date): Promise<AlertClaim | undefined> {
    const claimedAt = now.toISOString();
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { failureClass: state.failureClass },
          UpdateExpression: `SET lastSentAt = :claimedAt, expiresAt = :expiresAt ADD pending :minus${state.sampleIds.length ? ' DELETE sampleIds :sent' : ''} REMOVE firstError, firstAt`,
          ConditionExpression: state.lastSentAt ? 'lastSentAt = :previous' : 'attribute_not_exists(lastSentAt)',
          ExpressionAttributeValues: {
            ':claimedAt': claimedAt,
            ':expiresAt': expiresAt(now),
            ':minus': -state.pending,
            ...(state.sampleIds.length ? { ':sent': new Set(state.sampleIds) } : {}),
            ...(state.lastSentAt ? { ':previous': state.lastSentAt } : {}),
          },
        }),
      );
      return { state, claimedAt };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Gives a claim back after its e-mail failed, so the next digest reports those failures. */
  async release(claim: AlertClaim): Promise<void> {
    const { state } = claim;
    const values: Record<string, unknown> = { ':pending': state.pending, ':claimedAt': claim.claimedAt };
    const set: string[] = [];
    if (state.lastSentAt) {
      set.push('lastSentAt = :previous');
      values[':previous'] = state.lastSentAt;
    }
    if (state.firstError) {
      set.push('firstError = :firstError', 'firstAt = :firstAt');
      values[':firstError'] = state.firstError;
      values[':firstAt'] = state.firstAt ?? claim.claimedAt;
    }
    if (state.sampleIds.length) values[':sent'] = new Set(state.sampleIds);
    const expression = [
      set.length ? `SET ${set.join(', ')}` : '',
      `ADD pending :pending${state.sampleIds.length ? ', sampleIds :sent' : ''}`,
      state.lastSentAt ? '' : 'REMOVE lastSentAt',
    ].filter(Boolean).join(' ');
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { failureClass: state.failureClass },
          UpdateExpression: expression,
          ConditionExpression: 'lastSentAt = :claimedAt',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
