// BatchColumns.addValid (a detail the scanner already read as valid becomes the next matrix row):
// the feature row worked out by hand for two donors, and the batch's capacity held.
import type { DonorUpdatedDetail } from '../../lambdas/core/donor-updated';
import { BatchColumns, type BatchModel } from '../../lambdas/core/score-batch';

const unused = () => {
  throw new Error('not scored here');
};
const model = { scoreMatrix: unused, predictionOf: unused, version: 'v', sha256: 's' } as unknown as BatchModel;

const first: DonorUpdatedDetail = {
  donorId: 'D-0001', revision: 3, updatedAt: '2026-05-01T10:00:00Z',
  donor: { birthYear: 1980, sex: 'F', registeredOn: '2005-03-15', recruitmentChannel: 'online', bloodDonor: true, residence: 'domestic', contactVerifiedOn: '2025-11-01', lastResponseOn: null, outreach12m: { attempts: 3, responses: 1 }, priorRequests: { total: 2, available: 1 }, temporarilyUnavailableUntil: null, lastUnavailableReason: null },
};
const second: DonorUpdatedDetail = {
  donorId: 'D-0002', revision: 1, updatedAt: '2026-05-01T10:00:00Z',
  donor: { birthYear: 2009, sex: 'U', registeredOn: '2026-01-01', recruitmentChannel: 'blood_center', bloodDonor: false, residence: 'international', contactVerifiedOn: null, lastResponseOn: '2026-06-01', outreach12m: { attempts: 20, responses: 15 }, priorRequests: { total: 9, available: 0 }, temporarilyUnavailableUntil: '2026-06-11', lastUnavailableReason: 'medical' },
};
// 2005-03-15 to 2026-06-01: 7748 days, / 365.25 = 21.2129; 2025-11-01 to 2026-06-01: 212 days = 0.5804;
// 2026-01-01 to 2026-06-01: 151 days = 0.4134.
const firstRow = [46, 1, 0, 21.2129, 1, 0, 0, 1, 0, 0.5804, 0, 21.2129, 1, 1, 2, 1, 1, 0, 0, 0, 0];
const secondRow = [17, 0, 1, 0.4134, 0, 1, 0, 0, 1, 0.4134, 1, 0, 0, 12, 5, 0, 5, 10, 1, 0, 0];

test('addValid writes each detail as the next row of features, up to the capacity', () => {
  const batch = new BatchColumns(model, '2026-06-01', 2);
  batch.addValid(first);
  expect(batch.scored).toBe(1);
  batch.addValid(second);
  expect(batch.scored).toBe(2);
  expect(Array.from(batch.features)).toEqual([...firstRow, ...secondRow]);
  expect(() => batch.addValid(first)).toThrow(new RangeError('a batch holds at most 2 rows'));
  expect(batch.scored).toBe(2);
  batch.clear();
  batch.addValid(second);
  expect(Array.from(batch.features.subarray(0, 21))).toEqual(secondRow);
});
