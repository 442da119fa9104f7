import { validateDetail } from '../../lambdas/core/donor-updated';
import { validDetail } from '../fixtures/donor-events';

const TODAY = '2026-11-23';

function violation(mutate: (d: any) => void) {
  const detail = validDetail();
  mutate(detail);
  const result = validateDetail(detail, TODAY);
  if (result.ok) throw new Error('expected a rejection');
  return result.violation;
}

describe('validateDetail', () => {
  it('accepts a valid detail and drops unknown fields', () => {
    const result = validateDetail({ ...validDetail(), nationalId: 'X', donor: { ...validDetail().donor, name: 'Ann' } }, TODAY);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.detail).not.toHaveProperty('nationalId');
    expect(result.detail.donor).not.toHaveProperty('name');
  });

  it.each([
    ['donorId', (d: any) => (d.donorId = 'Jane Doe'), 'donorId', 'must match ^[A-Za-z0-9-]{4,40}$'],
    ['short donorId', (d: any) => (d.donorId = 'abc'), 'donorId', 'must match ^[A-Za-z0-9-]{4,40}$'],
    ['revision 0', (d: any) => (d.revision = 0), 'revision', 'must be >= 1'],
    ['fractional revision', (d: any) => (d.revision = 1.5), 'revision', 'must be an integer'],
    ['updatedAt', (d: any) => (d.updatedAt = 'yesterday'), 'updatedAt', 'must be an RFC 3339 timestamp'],
    ['birthYear too late', (d: any) => (d.donor.birthYear = 2010), 'donor.birthYear', 'must be from 1900 to 2009'],
    ['birthYear too early', (d: any) => (d.donor.birthYear = 1899), 'donor.birthYear', 'must be from 1900 to 2009'],
    ['sex', (d: any) => (d.donor.sex = 'X'), 'donor.sex', 'must be one of F, M, U'],
    ['missing sex', (d: any) => delete d.donor.sex, 'donor.sex', 'is required'],
    ['registeredOn in the future', (d: any) => (d.donor.registeredOn = '2026-11-24'), 'donor.registeredOn', 'must not be in the future'],
    ['registeredOn before 17', (d: any) => (d.donor.registeredOn = '2000-01-01'), 'donor.registeredOn', 'must not be before birth + 17 years'],
    ['impossible date', (d: any) => (d.donor.contactVerifiedOn = '2026-02-30'), 'donor.contactVerifiedOn', 'must be a date YYYY-MM-DD'],
    ['channel', (d: any) => (d.donor.recruitmentChannel = 'tv'), 'donor.recruitmentChannel', 'must be one of online, drive, blood_center, other'],
    ['bloodDonor as string', (d: any) => (d.donor.bloodDonor = 'yes'), 'donor.bloodDonor', 'must be a boolean'],
    ['residence', (d: any) => (d.donor.residence = 'mars'), 'donor.residence', 'must be one of domestic, international'],
    ['negative attempts', (d: any) => (d.donor.outreach12m.attempts = -1), 'donor.outreach12m.attempts', 'must be >= 0'],
    ['responses > attempts', (d: any) => (d.donor.outreach12m.responses = 9), 'donor.outreach12m.responses', 'must be from 0 to outreach12m.attempts'],
    ['available > total', (d: any) => (d.donor.priorRequests.available = 3), 'donor.priorRequests.available', 'must be from 0 to priorRequests.total'],
    ['reason', (d: any) => (d.donor.lastUnavailableReason = 'bored'), 'donor.lastUnavailableReason', 'must be one of medical, personal, no_contact or null'],
    ['donor missing', (d: any) => delete d.donor, 'donor', 'is required'],
  ])('rejects %s with its field and rule', (_name, mutate, field, rule) => {
    expect(violation(mutate)).toEqual({ field, rule });
  });

  it('never echoes the offending value', () => {
    const result = validateDetail({ ...validDetail(), donorId: 'Jane Doe 1984-05-06' }, TODAY);
    expect(JSON.stringify(result)).not.toContain('Jane');
  });

  it('rejects non-objects as the whole detail', () => {
    for (const input of [null, 42, 'x', [], undefined]) {
      const result = validateDetail(input, TODAY);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.violation.field).toBe('(detail)');
    }
  });
});
