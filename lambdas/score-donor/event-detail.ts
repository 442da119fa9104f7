// The scoring function's contract check of an event's detail, with zod off a valid event's path.
// Lambda hands the function the event as JSON parsed, so a detail is a tree of JSON's own values;
// written back as JSON, it is a line that drs score's byte scanner (core/donor-updated-scanner.ts)
// reads: the scanner accepts only what JSON.parse + the contract's schema accept, read to the same
// values, and declines whatever it is not sure of (test/unit/donor-updated-scanner.property.test.ts).
// A detail the scanner reads is valid as the schema would judge it; anything else (every rejected
// event, anything odd) goes to the schema itself, which alone words a rejection. The schema and zod
// are in ./detail-schema, a file of its own in the function's asset, required at a container's
// first such detail: a cold start neither compiles zod nor builds the schema (bench/PROFILE.md).
import type { DetailValidation, DonorUpdatedDetail } from '../core/donor-updated';
import { DonorUpdatedScanner } from '../core/donor-updated-scanner';

/** Thrown inside JSON.stringify when the detail holds a value JSON.parse could not have made (caught below; never shown). */
const NOT_JSON = new Error();
const OBJECT = Object.prototype;
const ARRAY = Array.prototype;

/**
 * JSON.stringify's replacer, seeing each value before its toJSON: only what JSON.parse makes
 * passes (strings, booleans, null, finite numbers but -0, plain objects and arrays without toJSON).
 * Anything else (undefined, NaN, a Date, a class instance, a function) would be written as
 * something other than itself, or left out, and the scanner would judge another detail than the
 * schema: such a detail goes to the schema.
 */
function jsonValuesOnly(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const original = this[key];
  switch (typeof original) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (Number.isFinite(original) && !Object.is(original, -0)) return value;
      break;
    case 'object': {
      if (original === null) return value;
      const prototype = Object.getPrototypeOf(original);
      if ((prototype === OBJECT || prototype === ARRAY) && !('toJSON' in original)) return value;
      break;
    }
  }
  throw NOT_JSON;
}

/** One scanner per scoring date: its date-dependent limits are set when it is made. */
let cached: { date: string; scanner: DonorUpdatedScanner } | undefined;

/**
 * The detail as the contract's schema returns it, read by the byte scanner; undefined when the
 * scanner declines it or it is not a tree of JSON values (the schema then judges it).
 */
export function scanDetail(detail: unknown, scoringDate: string): DonorUpdatedDetail | undefined {
  // A detail that holds a `detail` member reads to the scanner as a whole event around it.
  if (typeof detail !== 'object' || detail === null || Object.hasOwn(detail, 'detail')) return undefined;
  let text: string;
  try {
    text = JSON.stringify(detail, jsonValuesOnly);
  } catch {
    return undefined; // a value JSON has not, a throwing getter, a cycle: the schema's to judge
  }
  // Stryker disable next-line ConditionalExpression: a new scanner for every detail reads the same, only slower
  if (cached?.date !== scoringDate) cached = { date: scoringDate, scanner: new DonorUpdatedScanner(scoringDate) };
  const { scanner } = cached;
  const bytes = Buffer.from(text);
  if (scanner.scan(bytes, 0, bytes.length) === -1) return undefined;
  // The scanner's objects are refilled by its next scan: the detail is copied, in the schema's order.
  const { donorId, revision, updatedAt, donor } = scanner.result().detail;
  return {
    donorId,
    revision,
    updatedAt,
    donor: {
      birthYear: donor.birthYear,
      sex: donor.sex,
      registeredOn: donor.registeredOn,
      recruitmentChannel: donor.recruitmentChannel,
      bloodDonor: donor.bloodDonor,
      residence: donor.residence,
      contactVerifiedOn: donor.contactVerifiedOn,
      lastResponseOn: donor.lastResponseOn,
      outreach12m: { attempts: donor.outreach12m.attempts, responses: donor.outreach12m.responses },
      priorRequests: { total: donor.priorRequests.total, available: donor.priorRequests.available },
      temporarilyUnavailableUntil: donor.temporarilyUnavailableUntil,
      lastUnavailableReason: donor.lastUnavailableReason,
    },
  };
}

/** `validateDetail(detail, scoringDate)` (core/donor-updated.ts), the same answer, zod only when the scanner declines. */
export function validateEventDetail(detail: unknown, scoringDate: string): DetailValidation {
  const scanned = scanDetail(detail, scoringDate);
  if (scanned) return { ok: true, detail: scanned };
  // A synchronous require, not import(), as for ./sqs-client (aws-ports.ts): in the function's asset
  // ./detail-schema is a file of its own, compiled only here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('./detail-schema') as typeof import('./detail-schema')).validateDetail(detail, scoringDate);
}
