import { validateDetail } from '../../lambdas/core/donor-updated';
import { FEATURES, deriveFeatures, toFeatureRecord } from '../../lambdas/core/features';
import { validDetail } from '../fixtures/donor-events';

const SCORING_DATE = '2026-11-23';
const features = (mutate: (d: any) => void = () => {}, date = SCORING_DATE) => {
  const detail: any = validDetail();
  mutate(detail.donor);
  const checked = validateDetail(detail, date);
  if (!checked.ok) throw new Error(JSON.stringify(checked.violation));
  return toFeatureRecord(deriveFeatures(checked.detail.donor, date));
};

describe('deriveFeatures', () => {
  it('derives every feature of a typical donor', () => {
    expect(features()).toEqual({
      ageYears: 36,
      female: 1,
      sexUnknown: 0,
      yearsOnRegistry: 11.6468, // 2015-04-01 .. 2026-11-23 = 4254 days / 365.25
      recruitedOnline: 1,
      recruitedAtBloodCenter: 0,
      recruitedOtherChannel: 0,
      bloodDonor: 1,
      livesAbroad: 0,
      yearsSinceContactVerified: 1.0595, // 387 days
      contactNeverVerified: 0,
      yearsSinceLastResponse: 0.6927, // 253 days
      neverResponded: 0,
      outreachAnswered12m: 1,
      outreachUnanswered12m: 1,
      priorRequestsAvailable: 1,
      priorRequestsUnavailable: 0,
      daysUntilAvailableAgain: 0,
      lastUnavailableMedical: 0,
      lastUnavailablePersonal: 0,
      lastUnavailableNoContact: 0,
    });
  });

  it('uses years on registry and sets the indicator when contact or response dates are null', () => {
    const f = features((d) => {
      d.contactVerifiedOn = null;
      d.lastResponseOn = null;
    });
    expect(f.contactNeverVerified).toBe(1);
    expect(f.neverResponded).toBe(1);
    expect(f.yearsSinceContactVerified).toBe(f.yearsOnRegistry);
    expect(f.yearsSinceLastResponse).toBe(f.yearsOnRegistry);
  });

  it('counts dates after the scoring date as now, never as negative durations', () => {
    const f = features((d) => {
      d.contactVerifiedOn = '2027-05-01';
      d.lastResponseOn = '2030-01-01';
    });
    expect(f.yearsSinceContactVerified).toBe(0);
    expect(f.yearsSinceLastResponse).toBe(0);
  });

  it('handles zero outreach without dividing by zero', () => {
    const f = features((d) => (d.outreach12m = { attempts: 0, responses: 0 }));
    expect(f.outreachAnswered12m).toBe(0);
    expect(f.outreachUnanswered12m).toBe(0);
  });

  it('gives a donor registered today zero years everywhere', () => {
    const f = features((d) => {
      d.registeredOn = SCORING_DATE;
      d.birthYear = 2009;
      d.contactVerifiedOn = SCORING_DATE;
      d.lastResponseOn = null;
    });
    expect(f.ageYears).toBe(17);
    expect(f.yearsOnRegistry).toBe(0);
    expect(f.yearsSinceContactVerified).toBe(0);
    expect(f.yearsSinceLastResponse).toBe(0);
  });

  it('counts days of a pause still running, and nothing for one that has ended', () => {
    expect(features((d) => (d.temporarilyUnavailableUntil = '2026-12-23')).daysUntilAvailableAgain).toBe(30);
    expect(features((d) => (d.temporarilyUnavailableUntil = '2026-01-01')).daysUntilAvailableAgain).toBe(0);
    expect(features((d) => (d.temporarilyUnavailableUntil = '2030-01-01')).daysUntilAvailableAgain).toBe(365);
  });

  it('clips every feature into its documented range', () => {
    const f = features((d) => {
      d.birthYear = 1900;
      d.outreach12m = { attempts: 500, responses: 500 };
      d.priorRequests = { total: 40, available: 2 };
    });
    expect(f.ageYears).toBe(70);
    expect(f.outreachAnswered12m).toBe(12);
    expect(f.outreachUnanswered12m).toBe(0);
    expect(f.priorRequestsUnavailable).toBe(5);
    for (const [i, spec] of FEATURES.entries()) {
      const v = Object.values(f)[i];
      expect(v).toBeGreaterThanOrEqual(spec.range[0]);
      expect(v).toBeLessThanOrEqual(spec.range[1]);
    }
  });

  it('maps each categorical value to its own indicator', () => {
    expect(features((d) => (d.sex = 'U'))).toMatchObject({ female: 0, sexUnknown: 1 });
    expect(features((d) => (d.recruitmentChannel = 'drive'))).toMatchObject({ recruitedOnline: 0, recruitedAtBloodCenter: 0, recruitedOtherChannel: 0 });
    expect(features((d) => (d.residence = 'international')).livesAbroad).toBe(1);
    expect(features((d) => (d.lastUnavailableReason = 'no_contact'))).toMatchObject({ lastUnavailableNoContact: 1, lastUnavailableMedical: 0 });
  });

  it('moves with the scoring date: contact details go stale as time passes', () => {
    const now = features();
    const later = features(() => {}, '2028-11-23');
    expect(later.yearsSinceContactVerified).toBeGreaterThan(now.yearsSinceContactVerified + 1.9);
    expect(later.ageYears).toBe(now.ageYears + 2);
  });
});
