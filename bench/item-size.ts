// The size DynamoDB bills an item by (Developer Guide, "Item sizes and formats"): attribute names
// plus values, where a string is its UTF-8 bytes, a number ~1 byte per two significant digits + 1,
// a boolean or null 1 byte, and a list or map 3 bytes + 1 byte per element plus its elements (and,
// for a map, its keys). A write costs one write unit per started KB (1,024 bytes).
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

function numberBytes(n: string): number {
  const digits = n.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

export function attributeBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S, 'utf8');
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.B !== undefined) return value.B.length;
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + attributeBytes(v), 0);
  if (value.M !== undefined) return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k, 'utf8') + attributeBytes(v), 0);
  throw new Error(`no size rule for attribute type ${Object.keys(value).join(',')}`);
}

export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name, 'utf8') + attributeBytes(value), 0);
}

export const writeUnits = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
