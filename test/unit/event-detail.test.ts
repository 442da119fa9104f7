// The scoring function checks a detail with the byte scanner first and the contract's schema only
// when the scanner declines (event-detail.ts): the answer must be the schema's own, for every
// detail. Held here on generated valid details, on hostile mutations of them, and on values a JSON
// event cannot hold but a caller could pass (undefined, NaN, -0, Dates, toJSON, class instances,
// getters), which the scanner would otherwise read as something else than the schema does.
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { validateDetail } from '../../lambdas/core/donor-updated';
import { scanDetail, validateEventDetail } from '../../lambdas/score-donor/event-detail';
import { GENERATOR_VARIANTS, generateRegistry } from '../../model/synthetic-registry';
import { validDetail } from '../fixtures/donor-events';

const DATE = '2026-06-01';

/** Same answer as the schema: values (-0 included), keys and their order, prototypes. */
function expectSchemaAnswer(detail: unknown, date = DATE): void {
  const expected = validateDetail(detail, date);
  const actual = validateEventDetail(detail, date);
  if (!isDeepStrictEqual(actual, expected) || JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual).toEqual(expected);
}

describe('validateEventDetail', () => {
  it('reads generated valid details with the scanner, to what the schema returns', () => {
    let read = 0;
    for (const variant of GENERATOR_VARIANTS) {
      let n = 0;
      for (const row of generateRegistry({ seed: 5, asOf: DATE, baseRate: 0.55, variant })) {
        if (n++ === 150) break;
        const detail = JSON.parse(JSON.stringify(row.detail));
        const expected = validateDetail(detail, DATE);
        expect(expected.ok).toBe(true);
        const scanned = scanDetail(detail, DATE);
        expect(scanned).toBeDefined();
        read++;
        expect(JSON.stringify(scanned)).toBe(JSON.stringify(expected.ok && expected.detail));
        expectSchemaAnswer(detail);
      }
    }
    expect(read).toBe(600);
  });

  it('never loads the schema (zod) for a valid detail, and loads it for the first it declines', () => {
    // The point of the scanner here is a cold start without zod (bench/PROFILE.md): a valid detail
    // that reached the schema would give the same answer, so only the module load can tell.
    jest.isolateModules(() => {
      let loads = 0;
      jest.doMock('../../lambdas/score-donor/detail-schema', () => {
        loads++;
        return jest.requireActual('../../lambdas/score-donor/detail-schema');
      });
      const isolated: typeof import('../../lambdas/score-donor/event-detail') = require('../../lambdas/score-donor/event-detail');
      for (const donorId of ['D-AAAA-0001', 'D-BBBB-0002']) expect(isolated.validateEventDetail(validDetail({ donorId }), DATE).ok).toBe(true);
      expect(loads).toBe(0);
      const declined = isolated.validateEventDetail({ ...validDetail(), revision: 0 }, DATE);
      expect(declined.ok).toBe(false);
      expect(loads).toBe(1);
    });
    jest.dontMock('../../lambdas/score-donor/detail-schema');
  });

  it('gives each call its own detail (the scanner refills its objects)', () => {
    const a = validateEventDetail(validDetail({ donorId: 'D-AAAA-0001' }), DATE);
    const b = validateEventDetail(validDetail({ donorId: 'D-BBBB-0002' }), DATE);
    expect(a.ok && a.detail.donorId).toBe('D-AAAA-0001');
    expect(b.ok && b.detail.donorId).toBe('D-BBBB-0002');
    expect(a.ok && b.ok && a.detail.donor.outreach12m).not.toBe(b.ok && b.detail.donor.outreach12m);
  });

  it('judges the date-dependent rules as of the date given, also when it changes between calls', () => {
    // Born 2009: 17 on 2026-06-01's year, too young as of 2025.
    const detail = validDetail({ donor: { ...validDetail().donor, birthYear: 2009, registeredOn: '2026-01-15' } });
    expectSchemaAnswer(detail, '2026-06-01');
    expect(validateEventDetail(detail, '2026-06-01').ok).toBe(true);
    expectSchemaAnswer(detail, '2025-06-01');
    expect(validateEventDetail(detail, '2025-06-01').ok).toBe(false);
    expectSchemaAnswer(detail, '2026-06-01');
  });

  // Each of these would read to the scanner as another detail than the schema sees, or as a valid one.
  const odd: [string, (d: any) => unknown][] = [
    ['a Date as updatedAt (JSON writes an RFC 3339 text)', (d) => ({ ...d, updatedAt: new Date('2026-05-01T10:00:00Z') })],
    ['NaN in a nullable date (JSON writes null)', (d) => ({ ...d, donor: { ...d.donor, contactVerifiedOn: Number.NaN } })],
    ['Infinity in a nullable field', (d) => ({ ...d, donor: { ...d.donor, lastUnavailableReason: Number.POSITIVE_INFINITY } })],
    ['-0 as a count (JSON writes 0)', (d) => ({ ...d, donor: { ...d.donor, outreach12m: { attempts: -0, responses: 0 } } })],
    ['undefined in a nullable date (JSON leaves it out)', (d) => ({ ...d, donor: { ...d.donor, lastResponseOn: undefined } })],
    ['a donor whose toJSON gives a valid donor', (d) => ({ ...d, donor: { toJSON: () => d.donor } })],
    ['a detail whose toJSON gives a valid detail', (d) => ({ toJSON: () => d })],
    ['a class instance as the donor', (d) => ({ ...d, donor: Object.assign(new (class Donor {})(), d.donor) })],
    ['a boxed string as the sex', (d) => ({ ...d, donor: { ...d.donor, sex: Object('F') } })],
    ['a function in an extra field', (d) => ({ ...d, extra: () => 1 })],
    ['a bigint in an extra field', (d) => ({ ...d, extra: 1n })],
    ['a symbol as the donorId', (d) => ({ ...d, donorId: Symbol('D-0001') })],
    ['a whole event around a valid detail', (d) => ({ detail: d, id: 'evt-1' })],
    ['a valid detail that also holds a detail member', (d) => ({ ...d, detail: d })],
    ['a getter that throws', (d) => Object.defineProperty({ ...d }, 'extra', { enumerable: true, get: () => { throw new Error('no'); } })],
    ['a cycle in an extra field', (d) => { const x: any = { ...d }; x.extra = x; return x; }],
    ['a hole in an array', (d) => ({ ...d, extra: [1, , 3] })],
    ['a null-prototype donor', (d) => ({ ...d, donor: Object.assign(Object.create(null), d.donor) })],
  ];
  it.each(odd)('leaves %s to the schema, with its answer', (_name, make) => {
    const detail = make(validDetail());
    expect(scanDetail(detail, DATE)).toBeUndefined();
    expectSchemaAnswer(detail);
  });

  it('leaves what is not an object to the schema', () => {
    for (const detail of [undefined, null, 'x', 42, true, [], [validDetail()]]) {
      expect(scanDetail(detail, DATE)).toBeUndefined();
      expectSchemaAnswer(detail);
    }
  });

  it('reads JSON values in fields the schema drops (plain objects, arrays, numbers) and drops them', () => {
    const detail = { ...validDetail(), note: { a: [1, 2.5, null, 'x', true, { b: -3 }] }, donor: { ...validDetail().donor, nationalId: 'X-1' } };
    expect(scanDetail(detail, DATE)).toBeDefined();
    expectSchemaAnswer(detail);
  });

  const hostileValue = fc.oneof(
    fc.anything({ withObjectString: true, withNullPrototype: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withBigInt: true }),
    fc.constantFrom(-1, 0, -0, 1e308, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1.5, undefined, null, '2026-02-30', '0000-00-00', '', 'F', 'online', '2020-01-01', '2026-05-01T10:00:00Z', new Date(0)),
  );
  const PATHS = [
    ['donorId'], ['revision'], ['updatedAt'], ['donor'], ['donor', 'birthYear'], ['donor', 'sex'], ['donor', 'registeredOn'],
    ['donor', 'recruitmentChannel'], ['donor', 'bloodDonor'], ['donor', 'residence'], ['donor', 'contactVerifiedOn'],
    ['donor', 'lastResponseOn'], ['donor', 'outreach12m'], ['donor', 'outreach12m', 'attempts'], ['donor', 'outreach12m', 'responses'],
    ['donor', 'priorRequests'], ['donor', 'priorRequests', 'total'], ['donor', 'priorRequests', 'available'], ['donor', 'temporarilyUnavailableUntil'],
    ['donor', 'lastUnavailableReason'], ['extra'], ['donor', 'extra'], ['detail'], ['id'],
  ];
  it('gives the schema its answer for hostile changes to a valid detail', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ path: fc.constantFrom(...PATHS), value: hostileValue, remove: fc.boolean() }), { minLength: 1, maxLength: 3 }), (changes) => {
        const detail: any = JSON.parse(JSON.stringify(validDetail()));
        for (const { path, value, remove } of changes) {
          let target = detail;
          for (const key of path.slice(0, -1)) target = target !== null && typeof target === 'object' ? target[key] : undefined;
          if (target === null || typeof target !== 'object') continue;
          if (remove) delete target[path[path.length - 1]];
          else target[path[path.length - 1]] = value;
        }
        expectSchemaAnswer(detail);
      }),
      { numRuns: 3000 },
    );
  });
});
