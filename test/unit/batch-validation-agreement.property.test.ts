// The batch path validates with the contract's zod schema compiled by zod (`z.compile`); the event
// path with the schema as it is. The schema is the one judge: on valid rows, on rows at every
// boundary of the contract (shared/docs/contract.md) and on hostile rows, both must give the very
// same answer (the detail with the schema's keys in its order, or the same violations).
import fc from 'fast-check';
import * as z from 'zod/mini';
import { compileDetailSchema, compiledDetailValidator } from '../../lambdas/core/donor-updated-compiled';
import { detailSchemaFor, validateDetail, type DetailSchema } from '../../lambdas/core/donor-updated';
import { generateRegistry } from '../../model/synthetic-registry';

const DATE = '2026-06-01'; // youngest birth year allowed: 2009; registration at the latest today

/** Values on both sides of each rule, plus the wrong types every field may meet. */
const wrongTypes = [undefined, null, true, 0, -0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '', ' ', '1', [], {}, { x: 1 }];
const dates = ['2026-06-01', '2026-06-02', '2026-05-31', '2024-02-29', '2023-02-29', '2000-02-29', '1900-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-01-01', '0050-06-01', '9999-12-31', '2026-1-01', '2026-06-01T00:00:00Z', ' 2026-06-01', '2026-06-01 '];
const stamps = ['2026-05-01T10:00:00Z', '2026-05-01T10:00:00.000Z', '2026-05-01T10:00:00.123456789+02:00', '2026-05-01T23:59:59-23:59', '2026-05-01T10:00Z', '2026-05-01T10:00:00', '2026-05-01t10:00:00z', '2026-05-01T24:00:00Z', '2026-05-01T10:60:00Z', '2026-05-01T10:00:60Z', '2026-05-01T10:00:00+24:00', '2026-05-01T10:00:00+0200', '2026-02-29T10:00:00Z', '2024-02-29T10:00:00Z', '2026-05-01 10:00:00Z'];
const counts = [0, 1, 2, 12, 13, 1000, Number.MAX_SAFE_INTEGER, -1, 0.5];
const field = {
  donorId: fc.constantFrom('D-0001', 'abcd', 'abc', 'a'.repeat(40), 'a'.repeat(41), 'A-Z-9', 'D_0001', 'D 0001', 'Dé01', 'D-0001\n', '-----', ...wrongTypes),
  revision: fc.constantFrom(1, 2, Number.MAX_SAFE_INTEGER, 0, -1, 1.5, 2 ** 53, ...wrongTypes),
  updatedAt: fc.constantFrom(...stamps, ...wrongTypes),
  birthYear: fc.constantFrom(1899, 1900, 1901, 1950, 1989, 2008, 2009, 2010, 2009.5, ...wrongTypes),
  sex: fc.constantFrom('F', 'M', 'U', 'f', 'X', ...wrongTypes),
  registeredOn: fc.constantFrom('1917-01-01', '1916-12-31', '1960-05-05', '2006-12-31', '2007-01-01', '2025-12-31', ...dates, ...wrongTypes),
  recruitmentChannel: fc.constantFrom('online', 'drive', 'blood_center', 'other', 'Online', 'web', ...wrongTypes),
  bloodDonor: fc.constantFrom(true, false, 'true', 0, 1, ...wrongTypes),
  residence: fc.constantFrom('domestic', 'international', 'abroad', ...wrongTypes),
  nullableDate: fc.constantFrom(null, null, ...dates, ...wrongTypes),
  count: fc.constantFrom(...counts, ...wrongTypes),
  reason: fc.constantFrom(null, 'medical', 'personal', 'no_contact', 'busy', 'Medical', ...wrongTypes),
};
/** Mostly valid values with the occasional boundary or hostile one, so rows get past the first rule. */
const mostly = <T>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<unknown>) => fc.oneof({ weight: 30, arbitrary: valid }, { weight: 1, arbitrary: any });

const donor = fc.record(
  {
    birthYear: mostly(fc.integer({ min: 1900, max: 2009 }), field.birthYear),
    sex: mostly(fc.constantFrom('F', 'M', 'U'), field.sex),
    registeredOn: mostly(fc.constantFrom('2007-01-01', '2015-04-01', '2026-06-01', '2026-02-28'), field.registeredOn),
    recruitmentChannel: mostly(fc.constantFrom('online', 'drive', 'blood_center', 'other'), field.recruitmentChannel),
    bloodDonor: mostly(fc.boolean(), field.bloodDonor),
    residence: mostly(fc.constantFrom('domestic', 'international'), field.residence),
    contactVerifiedOn: mostly(fc.constantFrom(null, '2025-11-01', '2030-01-01'), field.nullableDate),
    lastResponseOn: mostly(fc.constantFrom(null, '2026-03-15'), field.nullableDate),
    outreach12m: mostly(
      fc.record({ attempts: mostly(fc.integer({ min: 0, max: 20 }), field.count), responses: mostly(fc.integer({ min: 0, max: 20 }), field.count) }),
      fc.constantFrom(null, [], 'x', 3, { attempts: 1, responses: 1, extra: 'dropped' }),
    ),
    priorRequests: mostly(
      fc.record({ total: mostly(fc.integer({ min: 0, max: 6 }), field.count), available: mostly(fc.integer({ min: 0, max: 6 }), field.count) }),
      fc.constantFrom(null, [], 'x', { total: 2, available: 2, extra: 'dropped' }),
    ),
    temporarilyUnavailableUntil: mostly(fc.constantFrom(null, '2026-09-01', '2026-05-01'), field.nullableDate),
    lastUnavailableReason: mostly(fc.constantFrom(null, 'medical', 'personal', 'no_contact'), field.reason),
  },
  // A field holding undefined is a missing field to zod ("is required"): wrongTypes has it.
);

const detail = fc.record(
  {
    donorId: mostly(fc.stringMatching(/^[A-Za-z0-9-]{4,40}$/), field.donorId),
    revision: mostly(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), field.revision),
    updatedAt: mostly(fc.constantFrom('2026-05-01T10:00:00Z', '2026-05-01T10:00:00.000Z'), field.updatedAt),
    donor: mostly(donor, fc.constantFrom(null, [], 'donor', 1, {})),
    // Unknown fields are dropped, never stored: both must drop them.
    nationalId: fc.constantFrom(undefined, '123-45-6789'),
  },
  { requiredKeys: ['donorId', 'revision', 'updatedAt', 'donor'] },
);

/** Both validations of `input`: equal as values (-0 included) and as JSON (key order included). */
function expectSameAnswer(input: unknown): void {
  const compiled = compiledDetailValidator(DATE)(input);
  const runtime = validateDetail(input, DATE);
  expect(compiled).toEqual(runtime);
  expect(JSON.stringify(compiled)).toBe(JSON.stringify(runtime));
}

describe('the compiled schema (batch path) and the schema (event path)', () => {
  it('zod compiles every part of the schema (nothing falls back to the slow runtime)', () => {
    expect(() => compileDetailSchema(detailSchemaFor(DATE), true)).not.toThrow();
  });

  it('that check can fail: a part zod cannot compile throws when strict, and is kept on the runtime parser otherwise', () => {
    // An async refinement is one thing z.compile refuses (zod/v4/core/compile: ZodCompileAsyncError).
    const uncompilable = z.string().check(z.refine(async () => true)) as unknown as DetailSchema;
    expect(() => compileDetailSchema(uncompilable, true)).toThrow(/async/);
    expect(compileDetailSchema(uncompilable)).toBe(uncompilable);
    expect(compileDetailSchema(uncompilable, false)).toBe(uncompilable);
  });

  it('give the same answer on generated, boundary and hostile details', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.oneof(detail, fc.anything()), (input) => {
        expectSameAnswer(input);
        if (validateDetail(input, DATE).ok) valid += 1;
      }),
      { numRuns: 3000 },
    );
    // The generator reaches past the first rule: a good share of rows is valid.
    expect(valid).toBeGreaterThan(150);
  });

  it('give the same answer on every boundary value of every field of an otherwise valid detail', () => {
    const base = { donorId: 'D-0001', revision: 3, updatedAt: '2026-05-01T10:00:00Z', donor: { birthYear: 1990, sex: 'F', registeredOn: '2015-04-01', recruitmentChannel: 'online', bloodDonor: true, residence: 'domestic', contactVerifiedOn: '2025-11-01', lastResponseOn: null, outreach12m: { attempts: 2, responses: 1 }, priorRequests: { total: 1, available: 1 }, temporarilyUnavailableUntil: null, lastUnavailableReason: null } };
    const perField: Record<string, readonly unknown[]> = {
      donorId: ['D-0001', 'abcd', 'abc', 'a'.repeat(40), 'a'.repeat(41), 'D_0001', ...wrongTypes],
      revision: [1, Number.MAX_SAFE_INTEGER, 0, 2 ** 53, 1.5, ...wrongTypes],
      updatedAt: [...stamps, ...wrongTypes],
      'donor.birthYear': [1899, 1900, 2009, 2010, ...wrongTypes],
      'donor.sex': ['F', 'M', 'U', 'f', ...wrongTypes],
      'donor.registeredOn': ['1917-01-01', '2007-01-01', '2006-12-31', ...dates, ...wrongTypes],
      'donor.recruitmentChannel': ['online', 'drive', 'blood_center', 'other', 'web', ...wrongTypes],
      'donor.bloodDonor': [true, false, ...wrongTypes],
      'donor.residence': ['domestic', 'international', 'abroad', ...wrongTypes],
      'donor.contactVerifiedOn': [...dates, ...wrongTypes],
      'donor.lastResponseOn': [...dates, ...wrongTypes],
      'donor.temporarilyUnavailableUntil': [...dates, ...wrongTypes],
      'donor.lastUnavailableReason': [null, 'medical', 'personal', 'no_contact', 'busy', ...wrongTypes],
      'donor.outreach12m': [{ attempts: 1, responses: 2 }, { attempts: 2, responses: 2 }, { attempts: 1 }, { responses: 0 }, ...wrongTypes],
      'donor.outreach12m.attempts': [...counts, ...wrongTypes],
      'donor.outreach12m.responses': [...counts, ...wrongTypes],
      'donor.priorRequests': [{ total: 1, available: 2 }, { total: 0, available: 0 }, { total: 1 }, ...wrongTypes],
      'donor.priorRequests.total': [...counts, ...wrongTypes],
      'donor.priorRequests.available': [...counts, ...wrongTypes],
    };
    let cases = 0;
    for (const [path, values] of Object.entries(perField)) {
      for (const value of values) {
        const input = structuredClone(base) as Record<string, any>;
        const keys = path.split('.');
        const parent = keys.slice(0, -1).reduce((o, k) => o[k], input);
        if (value === undefined) delete parent[keys[keys.length - 1]];
        else parent[keys[keys.length - 1]] = value;
        expectSameAnswer(input);
        cases += 1;
      }
    }
    expect(cases).toBeGreaterThan(400);
  });

  it('give the same answer on generated registry rows', () => {
    let n = 0;
    for (const row of generateRegistry({ seed: 16, asOf: DATE, baseRate: 0.55 })) {
      expectSameAnswer(row.detail);
      if (++n === 2000) break;
    }
  });
});
