// The compact stored input (lambdas/core/stored-input.ts): what a refresh reads back is exactly the
// detail that was scored, for every contract value, and an input it cannot read is named, not guessed.
import fc from 'fast-check';
import { decodeInput, encodeInput } from '../../lambdas/core/stored-input';
import type { DonorUpdatedDetail } from '../../lambdas/core/donor-updated';
import { validDetail } from '../fixtures/donor-events';

const date = fc.integer({ min: 0, max: 40000 }).map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
const detail: fc.Arbitrary<DonorUpdatedDetail> = fc.record({
  donorId: fc.stringMatching(/^[A-Za-z0-9-]{4,40}$/),
  revision: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  updatedAt: fc.constant('2026-11-20T10:00:00+05:30'),
  donor: fc.record({
    birthYear: fc.integer({ min: 1900, max: 2009 }),
    sex: fc.constantFrom('F', 'M', 'U'),
    registeredOn: date,
    recruitmentChannel: fc.constantFrom('online', 'drive', 'blood_center', 'other'),
    bloodDonor: fc.boolean(),
    residence: fc.constantFrom('domestic', 'international'),
    contactVerifiedOn: fc.option(date, { nil: null }),
    lastResponseOn: fc.option(date, { nil: null }),
    outreach12m: fc.record({ attempts: fc.nat(), responses: fc.nat() }),
    priorRequests: fc.record({ total: fc.nat(), available: fc.nat() }),
    temporarilyUnavailableUntil: fc.option(date, { nil: null }),
    lastUnavailableReason: fc.constantFrom('medical', 'personal', 'no_contact', null),
  }),
}) as fc.Arbitrary<DonorUpdatedDetail>;

test('a stored input reads back as the detail that was scored', () => {
  fc.assert(
    fc.property(detail, (d) => {
      const item = { donorId: d.donorId, revision: d.revision, updatedAt: d.updatedAt, input: encodeInput(d) };
      expect(decodeInput(JSON.parse(JSON.stringify(item)))).toEqual({ ok: true, detail: d });
    }),
  );
});

test('the stored form is the version and the fourteen values in the documented order', () => {
  expect(encodeInput(validDetail())).toEqual([1, 1990, 'F', '2015-04-01', 'online', true, 'domestic', '2025-11-01', '2026-03-15', 2, 1, 1, 1, null, null]);
});

test('an item stored before the compact form (a map) is read as it is', () => {
  const d = validDetail();
  expect(decodeInput({ donorId: d.donorId, input: d })).toEqual({ ok: true, detail: d });
});

test('an input that cannot be read back is named with the reason', () => {
  expect(decodeInput({ donorId: 'D-1' })).toEqual({ ok: false, rule: expect.stringMatching(/^is required: this score was stored before inputs were kept/) });
  // DynamoDB's NULL (an item written with input: null) is as absent as no attribute, not a detail of null.
  expect(decodeInput({ donorId: 'D-1', input: null })).toEqual({ ok: false, rule: expect.stringMatching(/^is required: this score was stored before inputs were kept/) });
  expect(decodeInput({ donorId: 'D-1', input: [2, 1990] })).toEqual({ ok: false, rule: expect.stringMatching(/encoding version 2/) });
  expect(decodeInput({ donorId: 'D-1', input: [1, 1990, 'F'] })).toEqual({ ok: false, rule: 'must hold 14 values after its version, not 2' });
});
