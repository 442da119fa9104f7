// Reason codes that mean what they say, and effects that keep the direction the domain fixes,
// checked on the committed model over generated donors (fast-check picks donor and change).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateDetail, type DonorAttributes } from '../../lambdas/core/donor-updated';
import { deriveFeatures, FEATURES } from '../../lambdas/core/features';
import { LogitExplainer, type ModelManifest } from '../../lambdas/core/model-manifest';
import { dayToIsoDate, isoDateToDay } from '../../lambdas/core/calendar';
import { CLAIMED_EFFECT, MONOTONE_TOLERANCE } from '../../model/model-checks';
import { generateRegistry, takeRows } from '../../model/synthetic-registry';

const MODEL_DIR = join(__dirname, '..', '..', 'model');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
const explainer = new LogitExplainer(manifest);
const AS_OF = '2026-11-01';
const donors = takeRows({ seed: 8675309, asOf: AS_OF }, 3000).map((r) => r.detail.donor);

const logitOf = (donor: DonorAttributes) => {
  const checked = validateDetail({ donorId: 'D-PROPERTY-1', revision: 1, updatedAt: '2026-10-31T00:00:00Z', donor }, AS_OF);
  if (!checked.ok) throw new Error(JSON.stringify(checked.violation));
  return explainer.logit(deriveFeatures(checked.detail.donor, AS_OF));
};
const donorArb = fc.integer({ min: 0, max: donors.length - 1 }).map((i) => structuredClone(donors[i]));

describe('effects the domain fixes in direction (property tests over generated donors)', () => {
  it('more prior "available" requests never lower the score', () => {
    fc.assert(
      fc.property(donorArb, fc.integer({ min: 1, max: 6 }), (donor, more) => {
        const before = logitOf(donor);
        donor.priorRequests = { total: donor.priorRequests.total + more, available: donor.priorRequests.available + more };
        expect(logitOf(donor)).toBeGreaterThanOrEqual(before - MONOTONE_TOLERANCE);
      }),
      { numRuns: 500 },
    );
  });

  it('more unanswered outreach never raises the score', () => {
    fc.assert(
      fc.property(donorArb, fc.integer({ min: 1, max: 12 }), (donor, more) => {
        const before = logitOf(donor);
        donor.outreach12m = { attempts: donor.outreach12m.attempts + more, responses: donor.outreach12m.responses };
        expect(logitOf(donor)).toBeLessThanOrEqual(before + MONOTONE_TOLERANCE);
      }),
      { numRuns: 500 },
    );
  });

  it('a verified contact never hurts: verifying, or verifying more recently, never lowers the score', () => {
    fc.assert(
      fc.property(donorArb, fc.double({ min: 0, max: 1, noNaN: true }), (donor, where) => {
        const before = logitOf(donor);
        const from = Math.max(isoDateToDay(donor.registeredOn), donor.contactVerifiedOn ? isoDateToDay(donor.contactVerifiedOn) : -Infinity);
        const to = isoDateToDay(AS_OF);
        donor.contactVerifiedOn = dayToIsoDate(Math.round(from + where * (to - from)));
        expect(logitOf(donor)).toBeGreaterThanOrEqual(before - MONOTONE_TOLERANCE);
      }),
      { numRuns: 500 },
    );
  });

  it('more earlier unavailability never raises the score', () => {
    fc.assert(
      fc.property(donorArb, fc.integer({ min: 1, max: 6 }), (donor, more) => {
        const before = logitOf(donor);
        donor.priorRequests = { total: donor.priorRequests.total + more, available: donor.priorRequests.available };
        expect(logitOf(donor)).toBeLessThanOrEqual(before + MONOTONE_TOLERANCE);
      }),
      { numRuns: 300 },
    );
  });
});

describe('reason codes', () => {
  const at = (name: string) => FEATURES.findIndex((f) => f.name === name);
  const reference = () => manifest.features.map((f) => f.reference);

  it('uses a responding reference donor: answered outreach, contact verified, no pause', () => {
    const r = reference();
    expect(r[at('outreachAnswered12m')]).toBeGreaterThanOrEqual(1);
    expect(r[at('contactNeverVerified')]).toBe(0);
    expect(r[at('neverResponded')]).toBe(0);
    expect(r[at('yearsSinceLastResponse')]).toBeLessThan(1);
    expect(manifest.reference.description).toMatch(/^a responding donor/);
  });

  it('says IGNORES_OUTREACH for a donor with six unanswered attempts', () => {
    const v = reference();
    v[at('outreachAnswered12m')] = 0;
    v[at('outreachUnanswered12m')] = 6;
    expect(explainer.reasons(v)).toContainEqual({ code: 'IGNORES_OUTREACH', effect: 'lowers' });
    expect(explainer.logit(v)).toBeLessThan(explainer.referenceLogit);
  });

  it('gives every catalogue code to some donor of a synthetic registry of 100,000, each with the direction its wording claims', () => {
    const seen = new Map<string, number>();
    // Every reason of every donor is checked; the ones against their wording are gathered and shown
    // together (one expect per reason, some 300,000, cost more than the explainer itself).
    const againstWording = new Map<string, number>();
    let n = 0;
    for (const row of generateRegistry({ seed: 5150, asOf: AS_OF })) {
      if (n++ >= 100_000) break;
      for (const r of explainer.reasons(deriveFeatures(row.detail.donor, AS_OF))) {
        const key = `${r.code}:${r.effect}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        if (CLAIMED_EFFECT[r.code] && r.effect !== CLAIMED_EFFECT[r.code]) againstWording.set(key, (againstWording.get(key) ?? 0) + 1);
      }
    }
    expect(n).toBe(100_001); // all 100,000 donors were explained (the count includes the row the loop stops at)
    expect(Object.fromEntries(againstWording)).toEqual({});
    const catalogue = manifest.reasonCodes.codes.map((c) => `${c.code}:${c.effect}`);
    expect(catalogue.filter((c) => !seen.has(c))).toEqual([]);
    expect([...seen.keys()].filter((k) => !catalogue.includes(k))).toEqual([]);
    expect(catalogue.length).toBeGreaterThanOrEqual(15);
  }, 60_000);

  it('claims a direction for every code whose name has one, and never lists NO_RECENT_OUTREACH as raising', () => {
    for (const c of manifest.reasonCodes.codes) {
      if (CLAIMED_EFFECT[c.code]) expect(c.effect).toBe(CLAIMED_EFFECT[c.code]);
    }
    expect(manifest.reasonCodes.codes.some((c) => c.code === 'NO_RECENT_OUTREACH')).toBe(false);
  });
});
