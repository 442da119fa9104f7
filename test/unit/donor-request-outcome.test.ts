// Every rule of the DonorRequestOutcome contract (shared/docs/contract.md) on both sides of its
// boundary. Expected fields and rules are written from the contract, never taken from the validator.
import { validateOutcome } from '../../lambdas/core/donor-request-outcome';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const valid = () => ({
  requestId: 'REQ-2026-000123',
  donorId: 'D-TEST-0001',
  requestedAt: '2026-11-21T09:30:00Z',
  outcome: 'unavailable',
  reason: 'no_contact',
});

function violations(change: (o: any) => void, now = NOW) {
  const o: any = valid();
  change(o);
  const result = validateOutcome(o, now);
  return result.ok ? [] : result.violations;
}
const accepted = (change: (o: any) => void, now = NOW) => expect(violations(change, now)).toEqual([]);
const rejected = (change: (o: any) => void, field: string, rule: string, now = NOW) =>
  expect(violations(change, now)).toEqual([{ field, rule }]);

describe('validateOutcome: the whole outcome', () => {
  it('returns the outcome as sent, unknown fields dropped', () => {
    expect(validateOutcome({ ...valid(), note: 'x' }, NOW)).toEqual({
      ok: true,
      outcome: { requestId: 'REQ-2026-000123', donorId: 'D-TEST-0001', requestedAt: '2026-11-21T09:30:00Z', outcome: 'unavailable', reason: 'no_contact' },
    });
  });

  it('stores an absent reason as null', () => {
    const { reason: _, ...available } = { ...valid(), outcome: 'available' };
    const result = validateOutcome(available, NOW);
    expect(result).toEqual({ ok: true, outcome: { ...available, reason: null } });
    expect(result.ok && 'reason' in result.outcome).toBe(true);
  });

  it('names the first violation and lists them all, in field order', () => {
    const result = validateOutcome({ ...valid(), requestId: 'R', outcome: 'maybe' }, NOW);
    expect(result).toEqual({
      ok: false,
      violation: { field: 'requestId', rule: 'must match ^[A-Za-z0-9-]{4,64}$' },
      violations: [
        { field: 'requestId', rule: 'must match ^[A-Za-z0-9-]{4,64}$' },
        { field: 'outcome', rule: 'must be one of available, unavailable' },
      ],
    });
  });

  it.each([null, 'text', 42, [valid()]])('rejects a detail that is not an object (%p) as a whole', (detail) => {
    const result = validateOutcome(detail, NOW);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.violations).toEqual([{ field: '(detail)', rule: 'must be an object' }]);
  });

  it('says "is required" for a missing detail and each missing field', () => {
    expect(validateOutcome(undefined, NOW)).toMatchObject({ ok: false, violations: [{ field: '(detail)', rule: 'is required' }] });
    for (const field of ['requestId', 'donorId', 'requestedAt', 'outcome']) {
      rejected((o) => delete o[field], field, 'is required');
    }
  });
});

describe('requestId: ^[A-Za-z0-9-]{4,64}$', () => {
  const rule = 'must match ^[A-Za-z0-9-]{4,64}$';
  it('accepts 4 and 64 characters of letters, digits and hyphens', () => {
    accepted((o) => (o.requestId = 'aZ9-'));
    accepted((o) => (o.requestId = 'R'.repeat(54) + '0123456789'));
  });
  it('rejects 3 and 65 characters, other characters and anything around a valid id', () => {
    rejected((o) => (o.requestId = 'aZ9'), 'requestId', rule);
    rejected((o) => (o.requestId = 'R'.repeat(65)), 'requestId', rule);
    for (const id of ['REQ_0001', 'REQ 0001', 'REQ.0001', ' REQ-0001', 'REQ-0001 ', 'REQ-0001\n', '']) rejected((o) => (o.requestId = id), 'requestId', rule);
  });
  it('must be a string', () => rejected((o) => (o.requestId = 12345), 'requestId', 'must be a string'));
});

describe('donorId: as in DonorUpdated, ^[A-Za-z0-9-]{4,40}$', () => {
  const rule = 'must match ^[A-Za-z0-9-]{4,40}$';
  it('accepts 4 and 40 characters', () => {
    accepted((o) => (o.donorId = 'D-01'));
    accepted((o) => (o.donorId = 'D'.repeat(40)));
  });
  it('rejects 3 and 41 characters and other characters', () => {
    rejected((o) => (o.donorId = 'D-0'), 'donorId', rule);
    rejected((o) => (o.donorId = 'D'.repeat(41)), 'donorId', rule);
    rejected((o) => (o.donorId = 'D_0001'), 'donorId', rule);
  });
  it('must be a string', () => rejected((o) => (o.donorId = 1234), 'donorId', 'must be a string'));
});

describe('requestedAt: an RFC 3339 timestamp, not in the future', () => {
  const rule = 'must be an RFC 3339 timestamp';
  it('accepts Z and numeric offsets, with and without fractions', () => {
    for (const t of ['2026-11-21T09:30:00Z', '2026-11-21T09:30:00+01:00', '2026-11-21T09:30:00.123-05:30', '2026-11-23T13:00:00+01:00']) {
      accepted((o) => (o.requestedAt = t));
    }
  });
  it('rejects a timestamp without an offset, a date alone, and other text', () => {
    for (const t of ['2026-11-21T09:30:00', '2026-11-21', 'yesterday', '2026-13-01T00:00:00Z']) rejected((o) => (o.requestedAt = t), 'requestedAt', rule);
    rejected((o) => (o.requestedAt = 1764000000000), 'requestedAt', rule);
  });
  it('accepts now exactly and rejects one millisecond later (offsets counted)', () => {
    accepted((o) => (o.requestedAt = '2026-11-23T12:00:00.000Z'));
    accepted((o) => (o.requestedAt = '2026-11-23T13:00:00.000+01:00'));
    rejected((o) => (o.requestedAt = '2026-11-23T12:00:00.001Z'), 'requestedAt', 'must not be in the future');
    rejected((o) => (o.requestedAt = '2026-11-23T11:00:00.001-01:00'), 'requestedAt', 'must not be in the future');
  });
  it('judges the future against the clock it is given', () => {
    const later = new Date('2026-11-23T12:00:00.001Z');
    accepted((o) => (o.requestedAt = '2026-11-23T12:00:00.001Z'), later);
  });
});

describe('outcome: available | unavailable', () => {
  const rule = 'must be one of available, unavailable';
  it('accepts each value', () => {
    accepted((o) => ((o.outcome = 'available'), (o.reason = null)));
    accepted((o) => (o.outcome = 'unavailable'));
  });
  it('rejects anything else', () => {
    for (const v of ['Available', 'unknown', '', true, 1]) rejected((o) => (o.outcome = v), 'outcome', rule);
  });
});

describe('reason: medical | personal | no_contact | null, only when unavailable', () => {
  const rule = 'must be one of medical, personal, no_contact or null';
  it('accepts each reason, null and absence with unavailable', () => {
    for (const r of ['medical', 'personal', 'no_contact', null]) accepted((o) => (o.reason = r));
    accepted((o) => delete o.reason);
  });
  it('rejects any other reason', () => {
    for (const r of ['Medical', 'other', '', 0]) rejected((o) => (o.reason = r), 'reason', rule);
  });
  it('must be null or absent when the donor was available', () => {
    for (const r of ['medical', 'personal', 'no_contact']) {
      rejected((o) => ((o.outcome = 'available'), (o.reason = r)), 'reason', 'must be null when outcome is available');
    }
    accepted((o) => ((o.outcome = 'available'), (o.reason = null)));
    accepted((o) => ((o.outcome = 'available'), delete o.reason));
  });
});
