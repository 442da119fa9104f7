// The feature specs and the derivation, each branch on both sides. Specs are compared with the
// committed manifest (the model was trained on them); values are worked out by hand.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateDetail } from '../../lambdas/core/donor-updated';
import { deriveFeatures, FEATURE_COUNT, FEATURE_NAMES, FEATURES, toFeatureRecord } from '../../lambdas/core/features';
import type { ModelManifest } from '../../lambdas/core/model-manifest';
import { validDetail } from '../fixtures/donor-events';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'model', 'manifest.json'), 'utf8')) as ModelManifest;
const DATE = '2026-11-23';
const features = (mutate: (d: any) => void = () => {}, date = DATE) => {
  const detail: any = validDetail();
  mutate(detail.donor);
  const checked = validateDetail(detail, date);
  if (!checked.ok) throw new Error(JSON.stringify(checked.violation));
  return toFeatureRecord(deriveFeatures(checked.detail.donor, date));
};

describe('feature specs', () => {
  it('are the ones the committed model was trained on: names, order, units, ranges, derivations, reason codes', () => {
    expect(FEATURE_COUNT).toBe(manifest.features.length);
    expect(FEATURE_NAMES).toEqual(manifest.features.map((f) => f.name));
    expect(FEATURES.map((f) => ({ name: f.name, unit: f.unit, range: f.range, derivation: f.derivation, reason: f.reason }))).toEqual(
      manifest.features.map((f) => ({ name: f.name, unit: f.unit, range: f.range, derivation: f.derivation, reason: f.reason })),
    );
  });

  it('give each continuous feature its range and its two reason codes', () => {
    const spec = (name: string) => FEATURES.find((f) => f.name === name)!;
    expect(spec('ageYears')).toMatchObject({ unit: 'years', range: [17, 70], reason: { raises: 'AGE_FAVOURABLE', lowers: 'AGE_UNFAVOURABLE' } });
    expect(spec('yearsSinceContactVerified')).toMatchObject({ unit: 'years', range: [0, 45], reason: { raises: 'CONTACT_RECENT', lowers: 'CONTACT_STALE' } });
    expect(spec('daysUntilAvailableAgain')).toMatchObject({ unit: 'days', range: [0, 365], reason: { raises: 'NOT_PAUSED', lowers: 'TEMPORARILY_UNAVAILABLE' } });
    expect(spec('female')).toMatchObject({ unit: 'indicator', range: [0, 1], reason: { raises: 'SEX_F', lowers: 'SEX_F' } });
  });

  it('agree with the manifest code table: each listed code is its feature’s code for that direction', () => {
    expect(manifest.reasonCodes.codes.length).toBeGreaterThan(0);
    for (const c of manifest.reasonCodes.codes) {
      const f = FEATURES.find((x) => x.name === c.feature);
      expect({ code: c.code, effect: c.effect, feature: f?.name }).toEqual({ code: f?.reason[c.effect], effect: c.effect, feature: c.feature });
    }
  });
});

describe('deriveFeatures, branch by branch', () => {
  it('sex: F, M and U', () => {
    expect(features((d) => (d.sex = 'F'))).toMatchObject({ female: 1, sexUnknown: 0 });
    expect(features((d) => (d.sex = 'M'))).toMatchObject({ female: 0, sexUnknown: 0 });
    expect(features((d) => (d.sex = 'U'))).toMatchObject({ female: 0, sexUnknown: 1 });
  });

  it.each([
    ['online', 1, 0, 0],
    ['drive', 0, 0, 0],
    ['blood_center', 0, 1, 0],
    ['other', 0, 0, 1],
  ])('recruitment channel %s', (channel, recruitedOnline, recruitedAtBloodCenter, recruitedOtherChannel) => {
    expect(features((d) => (d.recruitmentChannel = channel))).toMatchObject({ recruitedOnline, recruitedAtBloodCenter, recruitedOtherChannel });
  });

  it.each([
    [null, 0, 0, 0],
    ['medical', 1, 0, 0],
    ['personal', 0, 1, 0],
    ['no_contact', 0, 0, 1],
  ])('last unavailable reason %s', (reason, lastUnavailableMedical, lastUnavailablePersonal, lastUnavailableNoContact) => {
    expect(features((d) => (d.lastUnavailableReason = reason))).toMatchObject({ lastUnavailableMedical, lastUnavailablePersonal, lastUnavailableNoContact });
  });

  it('blood donor and residence', () => {
    expect(features((d) => (d.bloodDonor = false)).bloodDonor).toBe(0);
    expect(features((d) => (d.bloodDonor = true)).bloodDonor).toBe(1);
    expect(features((d) => (d.residence = 'domestic')).livesAbroad).toBe(0);
    expect(features((d) => (d.residence = 'international')).livesAbroad).toBe(1);
  });

  it('age: year of the scoring date minus birth year, clipped to 17..70', () => {
    expect(features((d) => (d.birthYear = 1990), '2026-01-01').ageYears).toBe(36);
    expect(features((d) => (d.birthYear = 1956)).ageYears).toBe(70);
    expect(features((d) => (d.birthYear = 1955)).ageYears).toBe(70);
    expect(features((d) => (d.birthYear = 1957)).ageYears).toBe(69);
  });

  it('years on registry: days / 365.25, rounded to 4 decimals', () => {
    expect(features((d) => (d.registeredOn = '2025-11-23')).yearsOnRegistry).toBe(0.9993); // 365 / 365.25
    expect(features((d) => (d.registeredOn = '2024-11-23')).yearsOnRegistry).toBe(1.9986); // 730 / 365.25 = 1.99863
    expect(features((d) => (d.registeredOn = '2026-11-22')).yearsOnRegistry).toBe(0.0027); // 1 / 365.25 = 0.00274
    expect(features((d) => ((d.birthYear = 1960), (d.registeredOn = '1980-01-01'))).yearsOnRegistry).toBe(45); // 46.9, clipped
  });

  it('contact and response: years since the date, or years on registry with the "never" indicator', () => {
    const f = features((d) => ((d.registeredOn = '2016-11-23'), (d.contactVerifiedOn = '2026-05-23'), (d.lastResponseOn = null)));
    expect(f).toMatchObject({ yearsOnRegistry: 9.9986, yearsSinceContactVerified: 0.5038, contactNeverVerified: 0, yearsSinceLastResponse: 9.9986, neverResponded: 1 }); // 3652 and 184 days
    const g = features((d) => ((d.registeredOn = '2016-11-23'), (d.contactVerifiedOn = null), (d.lastResponseOn = '2026-05-23')));
    expect(g).toMatchObject({ yearsSinceContactVerified: 9.9986, contactNeverVerified: 1, yearsSinceLastResponse: 0.5038, neverResponded: 0 });
    expect(features((d) => ((d.contactVerifiedOn = DATE), (d.lastResponseOn = DATE)))).toMatchObject({ yearsSinceContactVerified: 0, contactNeverVerified: 0, yearsSinceLastResponse: 0, neverResponded: 0 });
    expect(features((d) => ((d.contactVerifiedOn = '2026-11-24'), (d.lastResponseOn = '2026-11-24')))).toMatchObject({ yearsSinceContactVerified: 0, yearsSinceLastResponse: 0 });
  });

  it('outreach: answered and unanswered attempts, each clipped at 12', () => {
    expect(features((d) => (d.outreach12m = { attempts: 0, responses: 0 }))).toMatchObject({ outreachAnswered12m: 0, outreachUnanswered12m: 0 });
    expect(features((d) => (d.outreach12m = { attempts: 3, responses: 1 }))).toMatchObject({ outreachAnswered12m: 1, outreachUnanswered12m: 2 });
    expect(features((d) => (d.outreach12m = { attempts: 30, responses: 13 }))).toMatchObject({ outreachAnswered12m: 12, outreachUnanswered12m: 12 });
  });

  it('prior requests: available and unavailable, each clipped at 5', () => {
    expect(features((d) => (d.priorRequests = { total: 0, available: 0 }))).toMatchObject({ priorRequestsAvailable: 0, priorRequestsUnavailable: 0 });
    expect(features((d) => (d.priorRequests = { total: 7, available: 3 }))).toMatchObject({ priorRequestsAvailable: 3, priorRequestsUnavailable: 4 });
    expect(features((d) => (d.priorRequests = { total: 12, available: 6 }))).toMatchObject({ priorRequestsAvailable: 5, priorRequestsUnavailable: 5 });
  });

  it('pause: days still to run, 0 when none, ended or ending today, at most 365', () => {
    expect(features((d) => (d.temporarilyUnavailableUntil = null)).daysUntilAvailableAgain).toBe(0);
    expect(features((d) => (d.temporarilyUnavailableUntil = DATE)).daysUntilAvailableAgain).toBe(0);
    expect(features((d) => (d.temporarilyUnavailableUntil = '2026-11-24')).daysUntilAvailableAgain).toBe(1);
    expect(features((d) => (d.temporarilyUnavailableUntil = '2026-11-22')).daysUntilAvailableAgain).toBe(0);
    expect(features((d) => (d.temporarilyUnavailableUntil = '2027-11-23')).daysUntilAvailableAgain).toBe(365);
    expect(features((d) => (d.temporarilyUnavailableUntil = '2027-11-24')).daysUntilAvailableAgain).toBe(365);
  });

  it('toFeatureRecord names each value by its feature, in order', () => {
    const vector = FEATURES.map((_, i) => i + 0.5);
    expect(Object.entries(toFeatureRecord(vector))).toEqual(FEATURES.map((f, i) => [f.name, i + 0.5]));
  });
});
