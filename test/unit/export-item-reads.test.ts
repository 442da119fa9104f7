// A refresh reads only the attributes it uses from each table export line (parseExportItem with
// names, REFRESH_READS): each named attribute as the SDK's `unmarshall` reads it, absent ones left
// out, the rest not read at all; without names, or for an item that is not a plain object, the
// whole item as `unmarshall` reads it. A rejected row is still kept whole. Expected answers are the
// SDK's own `unmarshall`.
import fc from 'fast-check';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { REFRESH_READS } from '../../lambdas/rescore/rescore-batch';
import { parseExportItem } from '../../lambdas/rescore/s3-ports';

const pick = (item: Record<string, unknown>, names: readonly string[]) => Object.fromEntries(names.filter((n) => Object.hasOwn(item, n)).map((n) => [n, item[n]]));

/** What a call gives: its value, or the message it throws. */
function outcome(work: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: work() };
  } catch (error) {
    return { error: String((error as Error).message) };
  }
}

const STORED = {
  donorId: 'D-1',
  score: 0.123456,
  band: 'low',
  reasons: [{ code: 'STALE_CONTACT', effect: 'lowers' }],
  modelVersion: 'v1',
  modelSha256: 'a'.repeat(64),
  revision: 7,
  sourceEventId: null,
  updatedAt: '2026-01-01T00:00:00Z',
  scoringDate: '2026-06-01',
  scoredAt: '2026-06-01T00:00:00Z',
  features: { age: 41, tenureYears: 3.5 },
  input: [1, 1985, 'F', '2020-01-01', 'online', true, 'DE', null, null, 0, 0, 0, 0, null, null],
};

describe('parseExportItem: the attributes a refresh reads', () => {
  it('reads each named attribute as unmarshall does, leaves the others out', () => {
    const line = JSON.parse(JSON.stringify({ Item: marshall(STORED) }));
    const read = parseExportItem(line, REFRESH_READS);
    expect(read).toEqual(pick(unmarshall(line.Item), REFRESH_READS));
    expect(Object.keys(read).sort()).toEqual(['band', 'donorId', 'input', 'modelSha256', 'reasons', 'revision', 'score', 'sourceEventId', 'updatedAt']);
    expect(read).not.toHaveProperty('features');
    expect(read).not.toHaveProperty('scoredAt');
    // Without names: the whole item.
    expect(parseExportItem(line)).toEqual(unmarshall(line.Item));
  });

  it('leaves an absent attribute out (a score stored before inputs were kept)', () => {
    const { input: _input, sourceEventId: _id, ...older } = STORED;
    const read = parseExportItem({ Item: marshall(older) }, REFRESH_READS);
    expect(read).not.toHaveProperty('input');
    expect(read).not.toHaveProperty('sourceEventId');
    expect(read.donorId).toBe('D-1');
  });

  it('reads odd values the SDK way (big numbers, sets, binary), and does not read attributes it was not asked for', () => {
    const item = { revision: { N: '12345678901234567890' }, reasons: { SS: ['a', 'b'] }, input: { B: new Uint8Array([1, 2]) }, features: { Q: 'no such type' } };
    expect(outcome(() => parseExportItem({ Item: item }, REFRESH_READS))).toEqual(outcome(() => pick(unmarshall({ revision: item.revision, reasons: item.reasons, input: item.input }), REFRESH_READS)));
    // The malformed attribute is read, and refused as the SDK refuses it, when it is asked for or the item is read whole.
    expect(outcome(() => parseExportItem({ Item: item }, ['features']))).toEqual(outcome(() => unmarshall({ features: item.features } as never)));
    expect(outcome(() => parseExportItem({ Item: item }))).toEqual(outcome(() => unmarshall(item as never)));
    expect('error' in outcome(() => parseExportItem({ Item: item }))).toBe(true);
  });

  it('reads an item that is not a plain object whole, the SDK way', () => {
    const item = Object.assign(Object.create({ inherited: { S: 'x' } }), marshall(STORED));
    expect(parseExportItem({ Item: item }, REFRESH_READS)).toEqual(unmarshall(item));
    expect(parseExportItem({ Item: item }, REFRESH_READS)).toHaveProperty('features');
  });

  it('refuses a line without an Item, with or without names', () => {
    for (const line of [null, {}, { Item: null }, { Item: 'x' }]) {
      expect(() => parseExportItem(line, REFRESH_READS)).toThrow('a snapshot line has no Item');
      expect(() => parseExportItem(line)).toThrow('a snapshot line has no Item');
    }
  });

  it('on any item of DynamoDB JSON: the named attributes of unmarshall, nothing else', () => {
    const names = ['a', 'b', 'input', 'donorId', 'constructor'];
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...names, 'x', 'y'), fc.jsonValue()), fc.subarray(names), (plain, asked) => {
        const marshalled = outcome(() => marshall(plain, { removeUndefinedValues: true }));
        if ('error' in marshalled) return; // a number the SDK will not write
        const line = JSON.parse(JSON.stringify({ Item: marshalled.value }));
        const whole = outcome(() => unmarshall(line.Item));
        const read = outcome(() => parseExportItem(line, asked));
        if ('error' in whole) return;
        expect(read).toEqual({ value: pick(whole.value as Record<string, unknown>, asked) });
      }),
      { numRuns: 300 },
    );
  });
});
