// Alert throttling state in DynamoDB: one item per failure class holding the failures not yet
// e-mailed (count, up to SAMPLE_LIMIT event ids, the first error, a count per kind: field and rule,
// or error) and when the last e-mail went out. Each kind is a top-level number attribute `kind:<kind>`,
// so recording is one atomic ADD (a nested map would need to exist first) and a claim subtracts
// exactly what it read. The scoring function only records; the digest function claims and sends. Every write is a
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
  /**
   * What the failure is counted under in the e-mail's breakdown (default: `error`). Keep it to a
   * small set (a field and rule, an error name): each distinct kind is an attribute of the item.
   */
  kind?: string;
}

const KIND_PREFIX = 'kind:';
/** DynamoDB attribute names are at most 64 KB; a kind is a short label, cut to keep items small. */
const kindAttribute = (kind: string) => `${KIND_PREFIX}${kind.slice(0, 200)}`;

export interface AlertWindowState {
  failureClass: FailureClass;
  /** Failures recorded and not yet e-mailed. */
  pending: number;
  sampleIds: string[];
  firstError?: string;
  firstAt?: string;
  /** When the last e-mail for this class was claimed (ISO time). */
  lastSentAt?: string;
  /** Pending failures by kind (field and rule, or error), only kinds with a count. */
  byKind: Record<string, number>;
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
    const count = 'pending :one, #kind :one';
    const names = { '#kind': kindAttribute(failure.kind ?? failure.error) };
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
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ...values, ':id': new Set([failure.eventId]), ':limit': SAMPLE_LIMIT },
          }),
        );
        return;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    // The sample is full (or there is no id): count only.
    await this.documents.send(
      new UpdateCommand({ TableName: this.tableName, Key: key, UpdateExpression: `ADD ${count} ${set}`, ExpressionAttributeNames: names, ExpressionAttributeValues: values }),
    );
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
      byKind: kindsOf(Item),
    };
  }

  /**
   * Takes what `state` saw out of the pending failures and stamps the send time, if no other
   * digest sent for this class since `state` was read. Failures recorded meanwhile stay pending.
   * Returns undefined when another digest won.
   */
  async claim(state: AlertWindowState, now: Date): Promise<AlertClaim | undefined> {
    const claimedAt = now.toISOString();
    const kinds = kindTerms(state.byKind, -1);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { failureClass: state.failureClass },
          UpdateExpression: `SET lastSentAt = :claimedAt, expiresAt = :expiresAt ADD pending :minus${kinds.add}${state.sampleIds.length ? ' DELETE sampleIds :sent' : ''} REMOVE firstError, firstAt`,
          ConditionExpression: state.lastSentAt ? 'lastSentAt = :previous' : 'attribute_not_exists(lastSentAt)',
          ...kinds.names,
          ExpressionAttributeValues: {
            ...kinds.values,
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
    const kinds = kindTerms(state.byKind, 1);
    const values: Record<string, unknown> = { ...kinds.values, ':pending': state.pending, ':claimedAt': claim.claimedAt };
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
      `ADD pending :pending${kinds.add}${state.sampleIds.length ? ', sampleIds :sent' : ''}`,
      state.lastSentAt ? '' : 'REMOVE lastSentAt',
    ].filter(Boolean).join(' ');
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { failureClass: state.failureClass },
          UpdateExpression: expression,
          ConditionExpression: 'lastSentAt = :claimedAt',
          ...kinds.names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/** The kinds with a pending count, from an item's `kind:<kind>` attributes (claimed ones sit at 0). */
function kindsOf(item: Record<string, unknown>): Record<string, number> {
  const byKind: Record<string, number> = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(KIND_PREFIX) && Number(value) > 0) byKind[name.slice(KIND_PREFIX.length)] = Number(value);
  }
  return byKind;
}

/** `, #k0 :k0, #k1 :k1` for an ADD clause that moves each kind's count by sign * count. */
function kindTerms(byKind: Record<string, number>, sign: 1 | -1) {
  const entries = Object.entries(byKind);
  if (entries.length === 0) return { add: '', names: {}, values: {} };
  return {
    add: entries.map((_, i) => `, #k${i} :k${i}`).join(''),
    names: { ExpressionAttributeNames: Object.fromEntries(entries.map(([kind], i) => [`#k${i}`, kindAttribute(kind)])) },
    values: Object.fromEntries(entries.map(([, n], i) => [`:k${i}`, sign * n])),
  };
}
