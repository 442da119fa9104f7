// How the score table keeps a donor's latest valid input (what a registry refresh rescores from):
// one list of the donor's attribute values in a fixed order, led by an encoding version, instead of
// a map of named attributes. donorId, revision and updatedAt are not repeated: the score record
// holds them already. This keeps the stored item under 1 KB, so every write costs one DynamoDB
// write unit instead of two (bench/RESULTS.md, "Registry runs"). Only a refresh reads it back; the
// read API and `drs trace` read the score record's own attributes.
import type { DonorAttributes, DonorUpdatedDetail } from './donor-updated';

/** Bump when the order or the set of fields changes; decode keeps reading every older version. */
export const STORED_INPUT_VERSION = 1;

type Value = string | number | boolean | null;
export type StoredInput = [version: number, ...values: Value[]];

/** Version 1: the contract's donor attributes (contract.md, DonorUpdated `detail.donor`), in this order. */
const V1: readonly (readonly [keyof DonorAttributes, ...string[]])[] = [
  ['birthYear'],
  ['sex'],
  ['registeredOn'],
  ['recruitmentChannel'],
  ['bloodDonor'],
  ['residence'],
  ['contactVerifiedOn'],
  ['lastResponseOn'],
  ['outreach12m', 'attempts'],
  ['outreach12m', 'responses'],
  ['priorRequests', 'total'],
  ['priorRequests', 'available'],
  ['temporarilyUnavailableUntil'],
  ['lastUnavailableReason'],
];

export function encodeInput(detail: DonorUpdatedDetail): StoredInput {
  const donor = detail.donor as unknown as Record<string, unknown>;
  // One array, filled in place (a registry run encodes millions).
  const encoded: StoredInput = [STORED_INPUT_VERSION];
  for (const [key, sub] of V1) encoded.push((sub === undefined ? donor[key] : (donor[key] as Record<string, unknown>)[sub]) as Value);
  return encoded;
}

/** The identifying part of the stored record that the compact input leaves out. */
export interface StoredInputOwner {
  donorId?: unknown;
  revision?: unknown;
  updatedAt?: unknown;
  input?: unknown;
}

export type DecodedInput = { ok: true; detail: unknown } | { ok: false; rule: string };

/**
 * The `DonorUpdated` detail a stored item was scored from, to be validated again by the caller.
 * Also reads the map form that items stored before the compact encoding hold.
 */
export function decodeInput(item: StoredInputOwner): DecodedInput {
  const input = item.input;
  if (input === undefined || input === null) {
    return { ok: false, rule: 'is required: this score was stored before inputs were kept; the next DonorUpdated event or a backfill restores it' };
  }
  if (!Array.isArray(input)) return { ok: true, detail: input };
  const [version, ...values] = input as unknown[];
  if (version !== 1) return { ok: false, rule: `is stored in encoding version ${String(version)}, which this function does not read (it reads 1): deploy the function that wrote it` };
  if (values.length !== V1.length) return { ok: false, rule: `must hold ${V1.length} values after its version, not ${values.length}` };
  const donor: Record<string, unknown> = {};
  V1.forEach(([key, sub], i) => {
    if (sub === undefined) donor[key] = values[i];
    // A group's members fill one object (its first member makes it).
    else ((donor[key] ??= {}) as Record<string, unknown>)[sub] = values[i];
  });
  return { ok: true, detail: { donorId: item.donorId, revision: item.revision, updatedAt: item.updatedAt, donor } };
}
