import { validateDetail } from '../../lambdas/core/donor-updated';
import { ANCESTRY_SHARES, GENERATOR_VARIANTS, takeRows } from '../../model/synthetic-registry';

const AS_OF = '2026-08-15';

describe('synthetic registry', () => {
  const rows = takeRows({ seed: 424242, asOf: AS_OF }, 5000);

  it('gives the same bytes for the same seed and date, and others for another seed', () => {
    const again = takeRows({ seed: 424242, asOf: AS_OF }, 5000);
    expect(JSON.stringify(again)).toBe(JSON.stringify(rows));
    const other = takeRows({ seed: 424243, asOf: AS_OF }, 50);
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(rows.slice(0, 50)));
  });

  it('writes only details that pass the scoring schema unchanged', () => {
    for (const row of rows) {
      const checked = validateDetail(row.detail, AS_OF);
      expect(checked).toEqual({ ok: true, detail: row.detail });
    }
  });

  it('keeps ancestry and latent factors out of the detail', () => {
    for (const row of rows.slice(0, 200)) {
      const text = JSON.stringify(row.detail);
      expect(text).not.toMatch(/ancestry|engagement|pAvailable|reengaged/);
      expect(Object.keys(ANCESTRY_SHARES)).toContain(row.truth.ancestryGroup);
    }
  });

  it('hits the configured base rate', () => {
    const rate = (r: typeof rows) => r.reduce((s, x) => s + x.truth.pAvailable, 0) / r.length;
    expect(rate(rows)).toBeCloseTo(0.55, 1);
    expect(rate(takeRows({ seed: 9, asOf: AS_OF, baseRate: 0.77 }, 5000))).toBeCloseTo(0.77, 1);
  });

  it('gives donor ids that are unique and match the contract', () => {
    const ids = new Set(rows.map((r) => r.detail.donorId));
    expect(ids.size).toBe(rows.length);
  });

  it('carries the published effects: lower availability for under-served groups, higher for blood donors', () => {
    const rate = (pred: (r: (typeof rows)[number]) => boolean) => {
      const sel = rows.filter(pred);
      return sel.reduce((s, r) => s + r.truth.pAvailable, 0) / sel.length;
    };
    const odds = (p: number) => p / (1 - p);
    const ancestryOr = odds(rate((r) => r.truth.ancestryGroup === 'european')) / odds(rate((r) => r.truth.ancestryGroup !== 'european'));
    expect(ancestryOr).toBeGreaterThan(1.6);
    expect(rate((r) => r.detail.donor.bloodDonor)).toBeGreaterThan(rate((r) => !r.detail.donor.bloodDonor));
    expect(rate((r) => r.detail.donor.temporarilyUnavailableUntil !== null && r.detail.donor.temporarilyUnavailableUntil > AS_OF)).toBeLessThan(0.4);
  });

  it('carries the request date on every row: the record is the one that stood before the request', () => {
    expect(rows.every((r) => r.requestDate === AS_OF)).toBe(true);
    const aged = takeRows({ seed: 424242, asOf: AS_OF, requestDate: '2027-08-15' }, 5000);
    expect(aged.map((r) => r.detail)).toEqual(rows.map((r) => r.detail));
    expect(aged[0].requestDate).toBe('2027-08-15');
    // A year on with nothing in the record renewed, contact goes stale: fewer donors are available.
    const mean = (r: typeof rows) => r.reduce((s, x) => s + x.truth.pAvailable, 0) / r.length;
    expect(mean(aged)).toBeLessThan(mean(rows) - 0.02);
    expect(() => takeRows({ seed: 1, asOf: AS_OF, requestDate: '2026-01-01' }, 1)).toThrow(/requestDate must not be before asOf/);
  });

  it('draws the same donors in every variant world, with other truths, each at the base rate', () => {
    const other = GENERATOR_VARIANTS.filter((v) => v !== 'baseline').map((variant) => takeRows({ seed: 424242, asOf: AS_OF, variant }, 2000));
    for (const world of other) {
      expect(world.map((r) => r.detail)).toEqual(rows.slice(0, 2000).map((r) => r.detail));
      expect(world.some((r, i) => Math.abs(r.truth.pAvailable - rows[i].truth.pAvailable) > 0.1)).toBe(true);
      expect(world.reduce((s, x) => s + x.truth.pAvailable, 0) / world.length).toBeCloseTo(0.55, 1);
    }
    expect(other.map((w) => w[0].truth.variant)).toEqual(['hidden-engagement', 'interactions', 'curved']);
    expect(() => takeRows({ seed: 1, asOf: AS_OF, variant: 'nope' as never }, 1)).toThrow(/variant must be one of/);
  });
});
