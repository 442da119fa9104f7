// score-item.ts walks a stored score to DynamoDB attribute values and back instead of the SDK's
// general converters: it must give what `convertToAttr` ({ removeUndefinedValues }) and the document
// client's item marshalling, and `convertToNative` / `unmarshall` give, value for value, or throw the
// same error, on anything, including what a stored score never holds (sets, binary, class
// instances, big numbers, NaN). The expected answers are the SDK's own.
import fc from 'fast-check';
import { convertToAttr, convertToNative, marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { attributeItemOf, attributeValueOf, nativeMapOf, nativeOf, newerScorePutItem, unmarshallItem } from '../../lambdas/score-donor/score-item';
import { NEWER_SCORE_CONDITION } from '../../lambdas/score-donor/newer-score';
import type { StoredScore } from '../../lambdas/core/score-record';

const OPTIONS = { removeUndefinedValues: true } as const;

/**
 * The document client's marshalling of `Item` (lib-dynamodb marshallInput, ALL_VALUES): each own
 * member not a function nor undefined, by marshall({ convertTopLevelContainer: true }).
 */
const documentClientItem = (item: Record<string, unknown>) =>
  Object.entries(item).reduce<Record<string, unknown>>((acc, [key, value]) => {
    if (typeof value !== 'function' && value !== undefined) acc[key] = marshall(value, { ...OPTIONS, convertTopLevelContainer: true });
    return acc;
  }, {});

/** What a call gives: its value, or the message it throws. */
function outcome(work: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: work() };
  } catch (error) {
    return { error: String((error as Error).message) };
  }
}

class Donor {
  constructor(readonly id = 'x') {}
}

// Values a score never holds, beside those it does: each must take the SDK's way.
const ODD: unknown[] = [
  Number.NaN,
  Infinity,
  -Infinity,
  -0,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_SAFE_INTEGER - 2,
  1e21,
  5e-324,
  '',
  'é ü \u2028 \ud83d\ude00',
  true,
  null,
  [],
  {},
  [undefined, 1, () => 2, null],
  { a: undefined, b: () => 1, c: 0 },
  { constructor: 1 },
  { constructor: { name: 'Object' }, x: 1 },
  JSON.parse('{"__proto__": {"x": 1}, "y": 2}'),
  Object.create(null),
  Object.assign(Object.create({ inherited: 1 }), { own: 2 }),
  new Set([1, 2]),
  new Set(['a']),
  new Set(),
  new Map([['k', 1]]),
  new Uint8Array([1, 2]),
  new Donor(),
  new Date(0),
  10n,
  Symbol('s'),
  () => 1,
  new Number(3),
  new String('s'),
  new Boolean(false),
];

describe('attributeValueOf / attributeMapOf: what the SDK marshals', () => {
  it.each(ODD.map((v) => [v]))('%p', (value) => {
    expect(outcome(() => attributeValueOf(value))).toEqual(outcome(() => convertToAttr(value, OPTIONS)));
    expect(outcome(() => attributeItemOf({ a: 1, value, z: 'z' }))).toEqual(outcome(() => documentClientItem({ a: 1, value, z: 'z' })));
  });

  it('on anything fast-check makes', () => {
    const anything = fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withNullPrototype: true, withObjectString: true, withSparseArray: true, withDate: true, withUnicodeString: true });
    fc.assert(
      fc.property(anything, (value) => {
        expect(outcome(() => attributeValueOf(value))).toEqual(outcome(() => convertToAttr(value, OPTIONS)));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), anything), (map) => {
        expect(outcome(() => attributeItemOf(map))).toEqual(outcome(() => documentClientItem(map)));
      }),
      { numRuns: 1000 },
    );
  });

  it('the conditional write carries the condition and its three values', () => {
    const record = { donorId: 'D-1', revision: 4, modelSha256: 'ab', scoringDate: '2026-01-01', score: 0.5, features: { a: 1.5 }, reasons: [], sourceEventId: null } as unknown as StoredScore;
    expect(newerScorePutItem('scores', record)).toEqual({
      TableName: 'scores',
      Item: { donorId: { S: 'D-1' }, revision: { N: '4' }, modelSha256: { S: 'ab' }, scoringDate: { S: '2026-01-01' }, score: { N: '0.5' }, features: { M: { a: { N: '1.5' } } }, reasons: { L: [] }, sourceEventId: { NULL: true } },
      ConditionExpression: NEWER_SCORE_CONDITION,
      ExpressionAttributeValues: { ':revision': { N: '4' }, ':modelSha256': { S: 'ab' }, ':scoringDate': { S: '2026-01-01' } },
    });
  });
});

/** Attribute values, well formed and not: every type, several members, undefined first members, junk. */
const attribute: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.record({ S: fc.string({ unit: 'grapheme' }) }),
    fc.record({ N: fc.oneof(fc.double().map(String), fc.bigInt().map(String), fc.constantFrom('NaN', 'Infinity', '-0', '1e400', 'x', '', ' 7 ', '0x10', '9007199254740993')) }),
    fc.record({ BOOL: fc.oneof(fc.boolean(), fc.constantFrom(0, 'false', null)) }),
    fc.record({ NULL: fc.oneof(fc.constant(true), fc.boolean()) }),
    fc.record({ L: fc.oneof(fc.array(tie('value'), { maxLength: 4 }), fc.constantFrom('x', 3)) }),
    fc.record({ M: fc.oneof(fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }), fc.constantFrom('x', 3, null)) }),
    fc.record({ B: fc.uint8Array({ maxLength: 3 }) }),
    fc.record({ SS: fc.array(fc.string(), { maxLength: 3 }) }),
    fc.record({ NS: fc.array(fc.integer().map(String), { maxLength: 3 }) }),
    fc.record({ S: fc.constant(undefined), N: fc.constant('2') }),
    fc.record({ N: fc.constant('3'), S: fc.string() }),
    fc.record({ X: fc.string() }),
    fc.constantFrom({}, null, 'S', 1, [], Object.create(null), Object.assign(Object.create(null), { S: 'a' })),
  ),
})).value;

describe('nativeOf / nativeMapOf / unmarshallItem: what the SDK unmarshals', () => {
  it('on well formed and malformed attribute values', () => {
    fc.assert(
      fc.property(attribute, (value) => {
        expect(outcome(() => nativeOf(value))).toEqual(outcome(() => convertToNative(value as never)));
      }),
      { numRuns: 3000 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), attribute, { maxKeys: 6 }), (item) => {
        expect(outcome(() => nativeMapOf(item))).toEqual(outcome(() => unmarshall(item as never)));
        expect(outcome(() => unmarshallItem(item))).toEqual(outcome(() => unmarshall(item as never)));
      }),
      { numRuns: 1000 },
    );
  });

  it('reads back what it wrote, and what the SDK wrote', () => {
    const record = { donorId: 'D-é', score: 0.123456, reasons: [{ code: 'R', effect: 'raises' }], sourceEventId: null, input: [1, 1980, 'F', true, null, 2.5], features: { a: 0, b: -0.25 } };
    expect(nativeMapOf(attributeItemOf(record) as never)).toEqual(record);
    expect(unmarshallItem(marshall(record))).toEqual(unmarshall(marshall(record)));
    // A big number comes back as the SDK gives it (a BigInt), and the `__proto__` member as it assigns it.
    expect(unmarshallItem({ n: { N: '12345678901234567890' } })).toEqual({ n: 12345678901234567890n });
    const proto = JSON.parse('{"__proto__": {"M": {"x": {"N": "1"}}}, "y": {"S": "a"}}');
    expect(unmarshallItem(proto)).toEqual(unmarshall(proto));
  });
});

// The same, against answers written by hand (not the SDK's, not score-item's): a stored score's
// attribute values and the item read back, and the odd values whose fast-path guards decide.
describe('by hand', () => {
  const record = { donorId: 'D-7', revision: 12, score: 0.8125, band: 'high', stale: false, sourceEventId: null, reasons: [{ code: 'RECENT_RESPONSE', effect: 'raises' }], features: { age: 36, outreach: -0.5 }, input: [1, 1990, 'F', true, null] };
  const item = {
    donorId: { S: 'D-7' },
    revision: { N: '12' },
    score: { N: '0.8125' },
    band: { S: 'high' },
    stale: { BOOL: false },
    sourceEventId: { NULL: true },
    reasons: { L: [{ M: { code: { S: 'RECENT_RESPONSE' }, effect: { S: 'raises' } } }] },
    features: { M: { age: { N: '36' }, outreach: { N: '-0.5' } } },
    input: { L: [{ N: '1' }, { N: '1990' }, { S: 'F' }, { BOOL: true }, { NULL: true }] },
  };

  it('a stored score becomes these attribute values, and this item reads back as that score', () => {
    expect(attributeItemOf(record)).toEqual(item);
    expect(unmarshallItem(JSON.parse(JSON.stringify(item)))).toEqual(record);
  });

  it('the safe-integer bounds both ways', () => {
    expect(attributeValueOf(9007199254740991)).toEqual({ N: '9007199254740991' });
    expect(attributeValueOf(-9007199254740991)).toEqual({ N: '-9007199254740991' });
    expect(nativeOf({ N: '9007199254740991' })).toBe(9007199254740991);
    expect(nativeOf({ N: '-9007199254740991' })).toBe(-9007199254740991);
    expect(nativeOf({ N: '9007199254740993' })).toBe(9007199254740993n);
  });

  it('malformed attribute values are read as DynamoDB reads them, not as a map', () => {
    // A BOOL holding an object is true, not the object read as a map.
    expect(nativeOf({ BOOL: {} })).toBe(true);
    expect(nativeOf({ NULL: {} })).toBeNull();
    // An inherited member is no member: nothing to read.
    expect(() => nativeOf(Object.create({ S: 'a' }))).toThrow('No value defined: {}');
    expect(() => nativeOf({ X: {} })).toThrow('Unsupported type passed: X');
  });
});
