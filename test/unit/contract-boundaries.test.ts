// Every rule of the DonorUpdated contract (shared/docs/contract.md) tested on both sides of its
// boundary. Expected values are written from the contract, never taken from the validator.
import { validateDetail } from '../../lambdas/core/donor-updated';
import { validDetail } from '../fixtures/donor-events';

const TODAY = '2026-11-23'; // oldest birth year allowed today: 2026 - 17 = 2009

/** All violations of `validDetail()` changed by `mutate`, judged as of `today`; [] when accepted. */
function violations(mutate: (d: any) => void, today = TODAY) {
  const detail: any = validDetail();
  mutate(detail);
  const result = validateDetail(detail, today);
  return result.ok ? [] : result.violations;
}
const accepted = (mutate: (d: any) => void, today = TODAY) => expect(violations(mutate, today)).toEqual([]);
const rejected = (mutate: (d: any) => void, field: string, rule: string, today = TODAY) =>
  expect(violations(mutate, today)).toEqual([{ field, rule }]);

describe('donorId: ^[A-Za-z0-9-]{4,40}$', () => {
  const rule = 'must match ^[A-Za-z0-9-]{4,40}$';
  it('accepts 4 and 40 characters of letters, digits and hyphens', () => {
    accepted((d) => (d.donorId = 'aZ9-'));
    accepted((d) => (d.donorId = 'A'.repeat(20) + '0123456789-bcdefghij'));
  });
  it('rejects 3 and 41 characters, other characters, and anything around a valid id', () => {
    rejected((d) => (d.donorId = 'aZ9'), 'donorId', rule);
    rejected((d) => (d.donorId = 'A'.repeat(41)), 'donorId', rule);
    for (const id of ['D_0001', 'D 0001', 'D.0001', 'Dé0001', ' D-0001', 'D-0001 ', 'D-0001\n', '']) {
      rejected((d) => (d.donorId = id), 'donorId', rule);
    }
  });
  it('says "is required" when missing and "must be a string" for a number', () => {
    rejected((d) => delete d.donorId, 'donorId', 'is required');
    rejected((d) => (d.donorId = 12345), 'donorId', 'must be a string');
  });
});

describe('revision: an integer >= 1', () => {
  it('accepts 1 and the largest safe integer', () => {
    accepted((d) => (d.revision = 1));
    accepted((d) => (d.revision = Number.MAX_SAFE_INTEGER));
  });
  it('rejects 0, -1, 1.5, a numeric string, a missing value and integers past 2^53', () => {
    rejected((d) => (d.revision = 0), 'revision', 'must be >= 1');
    rejected((d) => (d.revision = -1), 'revision', 'must be >= 1');
    rejected((d) => (d.revision = 1.5), 'revision', 'must be an integer');
    rejected((d) => (d.revision = '3'), 'revision', 'must be an integer');
    rejected((d) => delete d.revision, 'revision', 'is required');
    expect(violations((d) => (d.revision = 2 ** 53))).toEqual([
      { field: 'revision', rule: 'must be an integer' },
      { field: 'revision', rule: 'must be a safe integer' },
    ]);
  });
});

describe('updatedAt: an RFC 3339 timestamp', () => {
  it('accepts UTC (Z) and numeric offsets, with or without fractions of a second', () => {
    for (const t of ['2026-11-20T10:00:00Z', '2026-11-20T10:00:00.123Z', '2026-11-20T10:00:00+02:00', '2026-11-20T10:00:00.5-05:30']) {
      accepted((d) => (d.updatedAt = t));
    }
  });
  it('rejects a time without offset, a bare date, prose and a number', () => {
    for (const t of ['2026-11-20T10:00:00', '2026-11-20', 'yesterday', '2026-11-20 10:00:00Z', 1_700_000_000]) {
      rejected((d) => (d.updatedAt = t), 'updatedAt', 'must be an RFC 3339 timestamp');
    }
    rejected((d) => delete d.updatedAt, 'updatedAt', 'is required');
  });
});

describe('donor.birthYear: 1900 .. (year of the scoring date - 17)', () => {
  const rule = 'must be from 1900 to 2009';
  it('accepts both ends', () => {
    accepted((d) => {
      d.donor.birthYear = 1900;
    });
    accepted((d) => {
      d.donor.birthYear = 2009;
      d.donor.registeredOn = '2026-01-01';
    });
  });
  it('rejects one year outside either end, fractions and strings', () => {
    rejected((d) => (d.donor.birthYear = 1899), 'donor.birthYear', rule);
    // Born in 2010, nobody can have joined by 2026 either: both rules speak.
    expect(violations((d) => {
      d.donor.birthYear = 2010;
      d.donor.registeredOn = '2026-01-01';
    })).toEqual([{ field: 'donor.birthYear', rule }, { field: 'donor.registeredOn', rule: 'must not be before birth + 17 years' }]);
    rejected((d) => (d.donor.birthYear = 1990.5), 'donor.birthYear', 'must be an integer');
    rejected((d) => (d.donor.birthYear = '1990'), 'donor.birthYear', 'must be an integer');
  });
  it('moves the upper end with the scoring date, and names it in the rule', () => {
    accepted((d) => {
      d.donor.birthYear = 2010;
      d.donor.registeredOn = '2027-01-01';
    }, '2027-01-01');
    expect(violations((d) => {
      d.donor.birthYear = 2011;
      d.donor.registeredOn = '2027-01-01';
    }, '2027-01-01')).toEqual([{ field: 'donor.birthYear', rule: 'must be from 1900 to 2010' }, { field: 'donor.registeredOn', rule: 'must not be before birth + 17 years' }]);
    // Judged again as of the first date: nothing of the later parse is kept.
    expect(violations((d) => {
      d.donor.birthYear = 2010;
      d.donor.registeredOn = '2027-01-01';
    }, TODAY)[0]).toEqual({ field: 'donor.birthYear', rule });
  });
});

describe('enumerations: each value accepted, a near miss rejected', () => {
  it.each([
    ['sex', ['F', 'M', 'U'], ['f', 'X', ''], 'must be one of F, M, U'],
    ['recruitmentChannel', ['online', 'drive', 'blood_center', 'other'], ['Online', 'tv', 'blood-center'], 'must be one of online, drive, blood_center, other'],
    ['residence', ['domestic', 'international'], ['Domestic', 'abroad'], 'must be one of domestic, international'],
  ])('donor.%s', (field, values, wrong, rule) => {
    for (const value of values) accepted((d) => (d.donor[field] = value));
    for (const value of wrong) rejected((d) => (d.donor[field] = value), `donor.${field}`, rule);
    rejected((d) => (d.donor[field] = null), `donor.${field}`, rule);
    rejected((d) => delete d.donor[field], `donor.${field}`, 'is required');
  });

  it('donor.lastUnavailableReason: each reason or null', () => {
    const rule = 'must be one of medical, personal, no_contact or null';
    for (const value of ['medical', 'personal', 'no_contact', null]) accepted((d) => (d.donor.lastUnavailableReason = value));
    for (const value of ['Medical', 'no-contact', 'other', '']) rejected((d) => (d.donor.lastUnavailableReason = value), 'donor.lastUnavailableReason', rule);
  });

  it('donor.bloodDonor: true or false, never a string or number', () => {
    accepted((d) => (d.donor.bloodDonor = true));
    accepted((d) => (d.donor.bloodDonor = false));
    rejected((d) => (d.donor.bloodDonor = 'true'), 'donor.bloodDonor', 'must be a boolean');
    rejected((d) => (d.donor.bloodDonor = 1), 'donor.bloodDonor', 'must be a boolean');
    rejected((d) => delete d.donor.bloodDonor, 'donor.bloodDonor', 'is required');
  });
});

describe('dates: YYYY-MM-DD, real calendar days', () => {
  it.each(['contactVerifiedOn', 'lastResponseOn', 'temporarilyUnavailableUntil'])('donor.%s takes a date or null, and must be present', (field) => {
    accepted((d) => (d.donor[field] = null));
    accepted((d) => (d.donor[field] = '2024-02-29'));
    for (const value of ['2023-02-29', '2026-13-01', '2026-1-05', '2026-11-20T00:00:00Z', '20261120', 20261120]) {
      rejected((d) => (d.donor[field] = value), `donor.${field}`, 'must be a date YYYY-MM-DD');
    }
    rejected((d) => delete d.donor[field], `donor.${field}`, 'is required');
  });

  it('donor.registeredOn: today is fine, tomorrow is the future', () => {
    accepted((d) => (d.donor.registeredOn = TODAY));
    rejected((d) => (d.donor.registeredOn = '2026-11-24'), 'donor.registeredOn', 'must not be in the future');
    accepted((d) => (d.donor.registeredOn = '2026-11-24'), '2026-11-24');
    rejected((d) => (d.donor.registeredOn = null), 'donor.registeredOn', 'must be a date YYYY-MM-DD');
  });

  it('donor.registeredOn: not before the year of birth + 17', () => {
    accepted((d) => {
      d.donor.birthYear = 1990;
      d.donor.registeredOn = '2007-01-01';
    });
    rejected((d) => {
      d.donor.birthYear = 1990;
      d.donor.registeredOn = '2006-12-31';
    }, 'donor.registeredOn', 'must not be before birth + 17 years');
  });
});

describe('counts: integers >= 0, the part never above the whole', () => {
  it.each([
    ['outreach12m', 'attempts', 'responses'],
    ['priorRequests', 'total', 'available'],
  ])('donor.%s.{%s, %s}', (group, whole, part) => {
    accepted((d) => (d.donor[group] = { [whole]: 0, [part]: 0 }));
    accepted((d) => (d.donor[group] = { [whole]: 7, [part]: 7 }));
    rejected((d) => (d.donor[group] = { [whole]: 7, [part]: 8 }), `donor.${group}.${part}`, `must be from 0 to ${group}.${whole}`);
    rejected((d) => (d.donor[group] = { [whole]: 7, [part]: -1 }), `donor.${group}.${part}`, 'must be >= 0');
    rejected((d) => (d.donor[group] = { [whole]: 7, [part]: 1.5 }), `donor.${group}.${part}`, 'must be an integer');
    // A negative whole is also smaller than any part: both rules speak, the count rule first.
    expect(violations((d) => (d.donor[group] = { [whole]: -1, [part]: 0 }))).toEqual([
      { field: `donor.${group}.${whole}`, rule: 'must be >= 0' },
      { field: `donor.${group}.${part}`, rule: `must be from 0 to ${group}.${whole}` },
    ]);
    rejected((d) => (d.donor[group] = { [whole]: 7.5, [part]: 0 }), `donor.${group}.${whole}`, 'must be an integer');
    rejected((d) => (d.donor[group] = null), `donor.${group}`, `must be an object {${whole}, ${part}}`);
    rejected((d) => delete d.donor[group], `donor.${group}`, 'is required');
  });
});

describe('the whole detail', () => {
  it('must be an object, as must donor', () => {
    for (const input of [null, [], 'x', 42]) {
      expect(validateDetail(input, TODAY)).toEqual({ ok: false, violation: { field: '(detail)', rule: 'must be an object' }, violations: [{ field: '(detail)', rule: 'must be an object' }] });
    }
    rejected((d) => (d.donor = []), 'donor', 'must be an object');
  });

  it('lists every violation in field order and names the first', () => {
    const detail: any = validDetail();
    detail.revision = 0;
    detail.donor.sex = 'X';
    detail.donor.birthYear = 2010;
    const result = validateDetail(detail, TODAY);
    expect(result).toEqual({
      ok: false,
      violation: { field: 'revision', rule: 'must be >= 1' },
      violations: [
        { field: 'revision', rule: 'must be >= 1' },
        { field: 'donor.birthYear', rule: 'must be from 1900 to 2009' },
        { field: 'donor.sex', rule: 'must be one of F, M, U' },
      ],
    });
  });

  it('returns the known fields exactly as sent, without the unknown ones', () => {
    const sent: any = { ...validDetail(), extra: 1, donor: { ...validDetail().donor, name: 'Ann', outreach12m: { attempts: 2, responses: 1, phone: 'x' } } };
    expect(validateDetail(sent, TODAY)).toEqual({ ok: true, detail: validDetail() });
  });
});
