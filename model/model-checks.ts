// Checks of a fitted model's shape that the domain fixes, run as training gates and in tests:
// monotone effects really are monotone, and every reason code in the catalogue says what it does.
import { LogitExplainer, type ModelManifest } from '../lambdas/core/model-manifest';
import type { GateResult } from './gates';

/**
 * The direction a code's wording claims. Codes named for a direction (CONTACT_STALE) must only
 * be given with it; a neutral name (SEX_UNKNOWN, RECRUITED_ONLINE) may go either way.
 */
export const CLAIMED_EFFECT: Record<string, 'raises' | 'lowers'> = {
  AGE_FAVOURABLE: 'raises',
  AGE_UNFAVOURABLE: 'lowers',
  SEX_F: 'lowers',
  RECENTLY_REGISTERED: 'raises',
  LONG_ON_REGISTRY: 'lowers',
  BLOOD_DONOR: 'raises',
  LIVES_ABROAD: 'lowers',
  CONTACT_RECENT: 'raises',
  CONTACT_STALE: 'lowers',
  CONTACT_NEVER_VERIFIED: 'lowers',
  RESPONDED_RECENTLY: 'raises',
  NO_RECENT_RESPONSE: 'lowers',
  NEVER_RESPONDED: 'lowers',
  ANSWERS_OUTREACH: 'raises',
  NO_ANSWERED_OUTREACH: 'lowers',
  FEW_UNANSWERED_OUTREACH: 'raises',
  IGNORES_OUTREACH: 'lowers',
  AVAILABLE_BEFORE: 'raises',
  UNAVAILABLE_BEFORE: 'lowers',
  NOT_PAUSED: 'raises',
  TEMPORARILY_UNAVAILABLE: 'lowers',
  LAST_UNAVAILABLE_MEDICAL: 'lowers',
  LAST_UNAVAILABLE_PERSONAL: 'lowers',
  LAST_UNAVAILABLE_NO_CONTACT: 'lowers',
};

/** Largest drop (or rise) of the feature's logit part across its range, on a fine grid. */
export function monotoneViolation(manifest: ModelManifest, feature: string, direction: 'increasing' | 'decreasing'): number {
  const explainer = new LogitExplainer(manifest);
  const f = manifest.features.find((x) => x.name === feature);
  if (!f) throw new Error(`no feature ${feature}`);
  const [lo, hi] = f.range;
  const steps = f.unit === 'indicator' ? 1 : 400;
  const v = manifest.features.map((x) => x.reference);
  let worst = 0;
  let previous = NaN;
  for (let s = 0; s <= steps; s++) {
    v[f.index] = lo + ((hi - lo) * s) / steps;
    const logit = explainer.logit(v);
    if (s > 0) {
      const change = direction === 'increasing' ? previous - logit : logit - previous;
      worst = Math.max(worst, change);
    }
    previous = logit;
  }
  return worst;
}

/** Float32 weights may add up to a rounding error this small; anything larger breaks the direction. */
export const MONOTONE_TOLERANCE = 1e-6;

export function modelShapeGates(manifest: ModelManifest, monotone: Record<string, 'increasing' | 'decreasing'>): GateResult[] {
  const broken = Object.entries(monotone)
    .map(([feature, direction]) => ({ feature, direction, by: monotoneViolation(manifest, feature, direction) }))
    .filter((x) => x.by > MONOTONE_TOLERANCE);
  const wrongWording = manifest.reasonCodes.codes.filter((c) => CLAIMED_EFFECT[c.code] && CLAIMED_EFFECT[c.code] !== c.effect);
  return [
    {
      gate: 'monotone effects',
      passed: broken.length === 0,
      detail: broken.length
        ? broken.map((b) => `${b.feature} should be ${b.direction} but moves the other way by ${b.by.toExponential(2)} log-odds`).join('; ')
        : `${Object.keys(monotone).length} effects hold the direction the domain fixes (${Object.entries(monotone).map(([f, d]) => `${f} ${d}`).join(', ')})`,
    },
    {
      gate: 'reason wording',
      passed: wrongWording.length === 0,
      detail: wrongWording.length
        ? wrongWording.map((c) => `${c.code} is worded as ${CLAIMED_EFFECT[c.code] === 'raises' ? 'raising' : 'lowering'} the score but ${c.effect} it`).join('; ')
        : `${manifest.reasonCodes.codes.length} catalogue codes, each with the direction its name claims`,
    },
    reasonCodesFireGate(manifest),
  ];
}

/** Every code in the catalogue is given to at least one donor of the training data, or it is removed. */
function reasonCodesFireGate(manifest: ModelManifest): GateResult {
  const codes = manifest.reasonCodes.codes;
  const silent = codes.filter((c) => !((c.firedFor ?? 0) > 0)).map((c) => c.code);
  return {
    gate: 'reason codes fire',
    passed: codes.length > 0 && silent.length === 0,
    detail:
      codes.length === 0
        ? 'the catalogue has no codes'
        : silent.length
          ? `${silent.length} of ${codes.length} codes are given to no donor of the training data: ${silent.join(', ')} (remove them from the catalogue or fix their rule)`
          : // Worded as in the committed model card (a retrain reproduces model/ byte for byte).
            `${codes.length} codes in the catalogue, each given to at least one synthetic donor`,
  };
}
