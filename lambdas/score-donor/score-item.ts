// A stored score in DynamoDB attribute values and back, for the registry run (millions of rows a
// run): its conditional PutItem with the item already in attribute values, and a table export's
// item read back to plain values. The values are what the document client's marshalling
// gives (each member by `convertToAttr(value, { removeUndefinedValues: true })`), made by a walk over the few shapes a
// stored score holds (strings, numbers, booleans, null, lists, plain objects) instead of the SDK's
// general converter, which looks up each value's constructor name against a list of binary types:
// that converter was the largest part of a registry row's work (bench/rescore-floor.ts). Anything
// else (a class instance, a Set, a number the SDK refuses) goes to the SDK's own converter, so
// every value gets the same answer, or the same error (test/unit/score-item.test.ts). Reading back,
// `nativeMapOf` is `unmarshall` the same way: strings, numbers, booleans, null, lists and maps walked
// here, anything else (binary, sets, big numbers, a malformed value) by the SDK's own converter.
import type { AttributeValue, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { convertToAttr, convertToNative, unmarshall } from '@aws-sdk/util-dynamodb';
import type { StoredScore } from '../core/score-record';
import { newerScorePut } from './newer-score';

/** As the document client marshals a score (DynamoDbScoreStore before it wrote attribute values). */
const MARSHALL = { removeUndefinedValues: true } as const;
const OBJECT = Object.prototype;

/** `convertToAttr(value, { removeUndefinedValues: true })`. */
export function attributeValueOf(value: unknown): AttributeValue {
  switch (typeof value) {
    // Stryker disable next-line StringLiteral: sends the value to the SDK's own converter, which gives the same attribute value (equivalent).
    case 'string':
      return { S: value };
    // Stryker disable next-line StringLiteral: sends the value to the SDK's own converter, which gives the same attribute value (equivalent).
    case 'number':
      // A safe, finite number: its text, as the SDK writes it (NaN fails both tests: the SDK's error).
      // Stryker disable next-line ConditionalExpression,EqualityOperator: sends the value to the SDK's own converter, which gives the same attribute value (equivalent); the SDK writes a safe bound as the same text.
      if (value <= Number.MAX_SAFE_INTEGER && value >= Number.MIN_SAFE_INTEGER) return { N: `${value}` };
      break;
    // Stryker disable next-line ConditionalExpression,StringLiteral: sends the value to the SDK's own converter, which gives the same attribute value (equivalent).
    case 'boolean':
      return { BOOL: value };
    // Stryker disable next-line ConditionalExpression,StringLiteral: sends the value to the SDK's own converter, which gives the same attribute value (equivalent).
    case 'object':
      if (value === null) return { NULL: true };
      // Stryker disable next-line ConditionalExpression: sends the value to the SDK's own converter, which gives the same attribute value (equivalent).
      if (Array.isArray(value)) return { L: attributeListOf(value) };
      // A plain object (the SDK reads one by its constructor's name: an own `constructor` key confuses that, so it takes the SDK's way).
      // Stryker disable next-line ConditionalExpression: sends the value to the SDK's own converter, which gives the same attribute value (equivalent).
      if (Object.getPrototypeOf(value) === OBJECT && !Object.hasOwn(value, 'constructor')) return { M: attributeMapOf(value as Record<string, unknown>) };
      break;
  }
  return convertToAttr(value, MARSHALL) as AttributeValue;
}

/** A list's members, functions and undefined left out (as the SDK leaves them out). */
function attributeListOf(values: readonly unknown[]): AttributeValue[] {
  const out: AttributeValue[] = [];
  for (const value of values) if (value !== undefined && typeof value !== 'function') out.push(attributeValueOf(value));
  return out;
}

/** A map's members as the SDK's converter takes them: for...in (inherited enumerable members too), functions and undefined left out. */
function attributeMapOf(map: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const key in map) {
    const value = map[key];
    if (value !== undefined && typeof value !== 'function') out[key] = attributeValueOf(value);
  }
  return out;
}

/**
 * An item's members as the document client marshals them (lib-dynamodb's marshallInput for `Item`
 * and `ExpressionAttributeValues`): each own enumerable member, in order, by the SDK's converter;
 * functions and undefined left out.
 */
export function attributeItemOf(item: Record<string, unknown>): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const key of Object.keys(item)) {
    const value = item[key];
    if (value !== undefined && typeof value !== 'function') out[key] = attributeValueOf(value);
  }
  return out;
}

/** The conditional write (newer-score.ts) as the low-level client takes it: the request the document client sent. */
export function newerScorePutItem(tableName: string, record: StoredScore): PutItemCommandInput {
  const { Item, ExpressionAttributeValues, ...rest } = newerScorePut(tableName, record);
  return { ...rest, Item: attributeItemOf(Item as unknown as Record<string, unknown>), ExpressionAttributeValues: attributeItemOf(ExpressionAttributeValues) };
}

type Attribute = Record<string, unknown>;
// Stryker disable next-line ArrowFunction: a plain test that always fails sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
const isPlain = (value: unknown): value is Attribute =>
  // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,StringLiteral: a primitive fails the prototype test anyway, null throws the SDK's own TypeError, and a plain object failing it sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
  typeof value === 'object' && value !== null &&
  Object.getPrototypeOf(value) === OBJECT;

/** `convertToNative(value)` (no options, as the refresh unmarshals): the first member that is not undefined decides. */
export function nativeOf(value: unknown): unknown {
  // Stryker disable next-line ConditionalExpression,BlockStatement: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent); a for...in over a primitive or a non-plain object finds no member here.
  if (isPlain(value)) {
    // Stryker disable next-line BlockStatement: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
    for (const key in value) {
      const member = value[key];
      // Stryker disable next-line ConditionalExpression: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
      if (member === undefined) continue;
      // The members a stored score holds, most frequent first; any other, or an odd value, the SDK's way.
      // (Separate ifs rather than an else-if chain: the keys exclude each other, and a disable comment
      // before `} else if` would not reach its test.)
      // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
      if (key === 'N') {
        // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral,BlockStatement: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent); the SDK reads a non-string N with Number() too.
        if (typeof member === 'string') {
          // A safe number as Number() reads it (NaN fails both tests; big numbers become BigInt there).
          const n = Number(member);
          // Stryker disable next-line ConditionalExpression,EqualityOperator: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent); the SDK reads a safe bound as the same number.
          if (n <= Number.MAX_SAFE_INTEGER && n >= Number.MIN_SAFE_INTEGER) return n;
        }
      }
      // Stryker disable next-line ConditionalExpression,StringLiteral: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
      if (key === 'S') return member;
      // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent) (`true` is killed by the BOOL test but hidden with `false`).
      if (key === 'M') {
        // Stryker disable next-line ConditionalExpression: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
        if (isPlain(member)) return nativeMapOf(member);
      }
      // Stryker disable next-line ConditionalExpression,StringLiteral,BlockStatement: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
      if (key === 'L') {
        // Stryker disable next-line ConditionalExpression: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
        if (Array.isArray(member)) return member.map((item) => nativeOf(item));
      }
      // Stryker disable next-line ConditionalExpression,StringLiteral: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
      if (key === 'BOOL') return Boolean(member);
      // Stryker disable next-line ConditionalExpression,StringLiteral: sends the attribute value to the SDK's own convertToNative, which reads it the same (equivalent).
      if (key === 'NULL') return null;
      break;
    }
  }
  return convertToNative(value as AttributeValue);
}

/** `unmarshall(item)`: a map's members read back, in order (assigned as the SDK assigns them). */
export function nativeMapOf(item: Attribute): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in item) out[key] = nativeOf(item[key]);
  return out;
}

/** `unmarshall(item)` of a table export's item. */
export const unmarshallItem = (item: object): Record<string, unknown> => (isPlain(item) ? nativeMapOf(item) : unmarshall(item as Record<string, AttributeValue>));
