// DynamoDB's item size rules, on items small enough to count by hand.
import { attributeBytes, itemBytes, writeUnits } from '../../bench/item-size';

test('strings, numbers, booleans and nulls are sized by the documented rules', () => {
  expect(attributeBytes({ S: 'héllo' })).toBe(6); // UTF-8: é is two bytes
  expect(attributeBytes({ N: '0.412751' })).toBe(4); // 6 significant digits: 3 + 1
  expect(attributeBytes({ N: '1996' })).toBe(3); // 4 digits: 2 + 1
  expect(attributeBytes({ N: '10' })).toBe(2); // trailing zeros are not significant: 1 + 1
  expect(attributeBytes({ BOOL: false })).toBe(1);
  expect(attributeBytes({ NULL: true })).toBe(1);
});

test('lists and maps add 3 bytes and 1 byte per element, and maps their keys', () => {
  expect(attributeBytes({ L: [{ N: '1' }, { NULL: true }] })).toBe(3 + (1 + 2) + (1 + 1));
  expect(attributeBytes({ M: { code: { S: 'AB' }, effect: { S: 'raises' } } })).toBe(3 + (1 + 4 + 2) + (1 + 6 + 6));
  expect(itemBytes({ donorId: { S: 'D-1' }, score: { N: '0.5' } })).toBe(7 + 3 + 5 + 2);
  expect(() => attributeBytes({ SS: ['a'] } as never)).toThrow(/no size rule/);
});

test('a write costs a unit per started KB', () => {
  expect([writeUnits(1), writeUnits(1024), writeUnits(1025), writeUnits(2048)]).toEqual([1, 1, 2, 2]);
});
