// The validation fast path must agree with the schema: whatever it accepts, the schema accepts with
// the same output (keys, order, values); on everything else it must step aside to the schema.
import { validateDetail, validateDetailBySchema } from '../../lambdas/core/donor-updated';
import { plainlyValidDetail } from '../../lambdas/core/donor-updated-fast';
import { isoDateToDay } from '../../lambdas/core/calendar';
import { generateRegistry } from '../../model/synthetic-registry';
import { validDetail } from '../fixtures/donor-events';

const DATE = '2026-06-01';
const fast = (d: unknown, date = DATE) => plainlyValidDetail(d, Number(date.slice(0, 4)), isoDateToDay(date), 17, 1900);

function agree(detail: unknown, date = DATE): void {
  const f = fast(detail, date);
  const z = validateDetailBySchema(detail, date);
  if (f) {
    expect(z.ok).toBe(true);
    expect(JSON.stringify(f)).toBe(JSON.stringify(z.ok && z.detail));
  }
  expect(JSON.stringify(validateDetail(detail, date))).toBe(JSON.stringify(z));
}

describe('validation fast path', () => {
  it('accepts generated rows with the very object the schema returns', () => {
    let n = 0;
    for (const row of generateRegistry({ seed: 7, asOf: DATE, baseRate: 0.55 })) {
      expect(fast(row.detail)).toBeDefined();
      agree(row.detail);
      if (++n === 2000) break;
    }
  });

  const base = validDetail() as unknown as Record<string, unknown>;
  const donor = base.donor as Record<string, unknown>;
  const withDetail = (patch: Record<string, unknown>) => ({ ...base, ...patch });
  const withDonor = (patch: Record<string, unknown>) => ({ ...base, donor: { ...donor, ...patch } });
  const odd = [undefined, null, '', 'x', 0, -1, 1.5, 2 ** 53, NaN, true, [], {}, '2026-02-30', '2024-02-29', '2023-02-29', '2026-13-01', '2026-06-02', '1999-01-01', '2026-01-01T00:00:00Z'];
  const detailValues: Record<string, unknown[]> = {
    donorId: ['abc', 'a'.repeat(41), 'ok-id-1', 'bad id'],
    revision: [1, Number.MAX_SAFE_INTEGER],
    updatedAt: ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.123+02:00', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00', '2026-01-01T00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T00:00:00+2400', '2026-01-01t00:00:00z'],
  };
  const donorValues: Record<string, unknown[]> = {
    birthYear: [1899, 1900, 2009, 2010],
    sex: ['F', 'M', 'U', 'f'],
    recruitmentChannel: ['online', 'drive', 'blood_center', 'other', 'web'],
    residence: ['domestic', 'international', 'abroad'],
    lastUnavailableReason: ['medical', 'personal', 'no_contact', 'busy'],
    outreach12m: [{ attempts: 1, responses: 2 }, { attempts: 2, responses: 1 }, { attempts: 1 }, { attempts: 1, responses: 0, x: 1 }],
    priorRequests: [{ total: 1, available: 2 }, { total: 2, available: 2 }, { total: -0, available: 0 }],
    registeredOn: ['2026-06-01', '2026-06-02', '1950-01-01'],
  };

  it('steps aside on every broken or unusual field and still agrees', () => {
    for (const key of ['donorId', 'revision', 'updatedAt', 'donor', 'extra']) for (const v of [...odd, ...(detailValues[key] ?? [])]) agree(withDetail({ [key]: v }));
    for (const key of Object.keys(donor).concat('extra')) for (const v of [...odd, ...(donorValues[key] ?? [])]) agree(withDonor({ [key]: v }));
    for (const v of [null, [], 'x', 1]) agree(v);
  });

  it('rejects what the schema rejects, e.g. registration after the scoring date', () => {
    expect(fast(withDonor({ registeredOn: '2026-06-02' }))).toBeUndefined();
    expect(validateDetail(withDonor({ registeredOn: '2026-06-02' }), DATE)).toMatchObject({ ok: false, violation: { field: 'donor.registeredOn', rule: 'must not be in the future' } });
    expect(fast(withDonor({ sex: 'f' }))).toBeUndefined();
  });
});
