// Synthetic registry history. No real donor data exists here: every donor is drawn from a
// generating process built on published figures (shared/docs/domain.md; sources in MODEL_CARD.md).
// Each row is what the registry would publish (`detail`, a valid DonorUpdated detail) and what
// only the simulation knows (`truth`: latent factors, the true availability probability, its draw).
import { dayToIsoDate, DAYS_PER_YEAR, isoDateToDay } from '../lambdas/core/calendar';
import type { DonorUpdatedDetail } from '../lambdas/core/donor-updated';
import { Random, sigmoid } from './random';

/** Ancestry lives only in `truth`: it is never an event field nor a model input. */
export const ANCESTRY_SHARES = {
  european: 0.58,
  african_caribbean: 0.1,
  asian: 0.14,
  mediterranean: 0.07,
  other_mixed: 0.11,
} as const;
export type AncestryGroup = keyof typeof ANCESTRY_SHARES;

export const DEFAULT_BASE_RATE = 0.55;
export const MAX_DONOR_AGE = 60;

/**
 * Worlds the model's form does not mirror, to judge it beyond the generator that built it:
 * - `baseline`: the published effects below, the world the model is trained on;
 * - `hidden-engagement`: latent engagement (never an event field) moves availability six times as much;
 * - `interactions`: effects that depend on each other (stale contact hurts donors abroad far more;
 *   blood donors stay keen only in their first years; women 30-40 pause more when also long registered);
 * - `curved`: smooth curved effects of contact age, response age and donor age instead of the
 *   piecewise-linear ones whose knots the model's features copy.
 * Base rates (0.45 US domestic, 0.77 German registry) are chosen separately with `baseRate`.
 */
export const GENERATOR_VARIANTS = ['baseline', 'hidden-engagement', 'interactions', 'curved'] as const;
export type GeneratorVariant = (typeof GENERATOR_VARIANTS)[number];

export interface DonorTruth {
  /** The generator world the row was drawn from. */
  variant: GeneratorVariant;
  pAvailable: number;
  available: 0 | 1;
  ancestryGroup: AncestryGroup;
  /** Latent engagement with the registry (standard normal, lower for under-served groups). */
  engagement: number;
  /** Took part in a re-engagement campaign in the last 12 months. */
  reengaged: boolean;
  /** Number of the UK risk factors present (non-European, female, not a blood donor, > 5 years). */
  riskFactors: number;
}

export interface RegistryRow {
  /**
   * The date of the CT request whose outcome `truth.available` is. The donor record in `detail` is
   * the record as it stood before that request (point in time): features are derived as of this date.
   */
  requestDate: string;
  detail: DonorUpdatedDetail;
  truth: DonorTruth;
}

export interface GeneratorOptions {
  seed: number;
  /** The date the donor records are snapshotted (drawn) as of. */
  asOf: string;
  baseRate?: number;
  variant?: GeneratorVariant;
  /**
   * The date of the request the outcome is drawn for (default: `asOf`). A later date ages the same
   * records, unchanged, to that day: forward-in-time validation and the shelf life of a score.
   */
  requestDate?: string;
}

interface DrawnDonor {
  detail: DonorUpdatedDetail;
  truth: Omit<DonorTruth, 'pAvailable' | 'available' | 'variant'>;
  /** The availability logit without the intercept (which sets the base rate). */
  logitWithoutIntercept: number;
}

/** Shrinks every effect alike so that the best possible AUC is realistic (domain.md: 0.75-0.85). */
const LOGIT_SCALE = 0.75;

const triangle = (x: number, peak: number, halfWidth: number) =>
  Math.max(0, 1 - Math.abs(x - peak) / halfWidth);

/**
 * The true availability logit (without intercept). Published effects, as log-odds:
 * - recently recruited donors (< 5 years) more often available; slow decline after;
 * - stale contact details and unanswered outreach: "no contact" is the top reason (36%);
 * - medical deferral rises with age (OR ~1.36), personal withdrawal peaks at 30-40 (OR ~1.72);
 * - women OR 1.32, mostly through temporary pauses (pregnancy), modelled as pauses + a small rest;
 * - blood donors more often available; living abroad (emigration 8% of reasons);
 * - ancestry OR 2.4-3.1 overall, mostly carried through observable factors (stale contact, less
 *   response, living abroad, fewer blood donors) and a small direct residual;
 * - risk factors stack sub-multiplicatively (odds 1.99, 2.52, 3.4, 5.53 for 1-4 factors).
 */
function availabilityLogit(
  d: DonorUpdatedDetail['donor'],
  t: DrawnDonor['truth'],
  asOfDay: number,
  variant: GeneratorVariant = 'baseline',
): number {
  const asOfYear = Number(dayToIsoDate(asOfDay).slice(0, 4));
  const age = asOfYear - d.birthYear;
  const years = Math.max(0, (asOfDay - isoDateToDay(d.registeredOn)) / DAYS_PER_YEAR);
  const since = (date: string | null) =>
    date === null ? years : Math.max(0, (asOfDay - isoDateToDay(date)) / DAYS_PER_YEAR);
  const contactAge = since(d.contactVerifiedOn);
  const responseAge = since(d.lastResponseOn);
  const { attempts, responses } = d.outreach12m;
  const pauseDays = d.temporarilyUnavailableUntil
    ? Math.max(0, isoDateToDay(d.temporarilyUnavailableUntil) - asOfDay)
    : 0;
  const curved = variant === 'curved';
  let logit = 0;
  logit += curved
    ? -0.45 * Math.exp(-(((age - 33) / 6) ** 2)) - 0.0025 * Math.max(0, age - 38) ** 2
    : -0.3 * triangle(age, 35, 8) - 0.035 * Math.max(0, age - 40);
  logit += d.sex === 'F' ? -0.12 : 0;
  logit += d.bloodDonor ? 0.4 : 0;
  logit += 0.45 * Math.max(0, 1 - years / 5) - 0.04 * Math.max(0, years - 5);
  logit += { online: -0.15, drive: 0, blood_center: 0.1, other: -0.05 }[d.recruitmentChannel];
  logit += d.residence === 'international' ? -0.9 : 0;
  logit += curved
    ? -1.4 * (1 - Math.exp(-contactAge / 1.3))
    : -0.45 * Math.min(contactAge, 2) - 0.12 * Math.max(0, contactAge - 2);
  logit += d.contactVerifiedOn === null ? -0.35 : 0;
  logit += attempts > 0 ? 0.9 * (responses / attempts) - 0.3 : -0.1;
  logit += (curved ? -0.45 * Math.sqrt(Math.min(responseAge, 9)) : -0.25 * Math.min(responseAge, 3)) + (d.lastResponseOn === null ? -0.4 : 0);
  logit += 0.5 * Math.min(d.priorRequests.available, 3);
  logit += -0.7 * Math.min(d.priorRequests.total - d.priorRequests.available, 3);
  logit += -2.5 * Math.min(1, pauseDays / 180);
  logit += d.lastUnavailableReason ? { medical: -0.5, personal: -0.4, no_contact: -0.3 }[d.lastUnavailableReason] : 0;
  logit += t.ancestryGroup === 'european' ? 0 : -0.12;
  logit += (variant === 'hidden-engagement' ? 0.72 : 0.12) * t.engagement;
  logit += 0.12 * Math.max(0, t.riskFactors - 2);
  if (variant === 'interactions') {
    logit += d.residence === 'international' ? -0.5 * Math.min(contactAge, 4) : 0;
    logit += d.bloodDonor ? (years < 5 ? 0.6 : -0.5) : 0;
    logit += d.sex === 'F' && age >= 30 && age < 40 && years > 5 ? -0.7 : 0;
  }
  return LOGIT_SCALE * logit;
}

function drawDonor(rng: Random, asOfDay: number, variant: GeneratorVariant, requestDay = asOfDay): DrawnDonor {
  const asOfYear = Number(dayToIsoDate(asOfDay).slice(0, 4));
  const ancestryGroup = rng.categorical(ANCESTRY_SHARES);
  const underServed = ancestryGroup !== 'european';
  const sex = rng.categorical({ F: 0.52, M: 0.47, U: 0.01 });

  // Registries have grown: more donors joined recently. Donors leave at 61.
  let registeredDay = asOfDay;
  let birthYear = asOfYear - 18;
  for (let attempt = 0; attempt < 20; attempt++) {
    const years = 25 * Math.pow(rng.uniform(), 1.3);
    registeredDay = asOfDay - Math.round(years * DAYS_PER_YEAR);
    const ageAtJoining = 18 + Math.min(37, Math.floor(rng.exponential(8)));
    birthYear = Number(dayToIsoDate(registeredDay).slice(0, 4)) - ageAtJoining;
    if (asOfYear - birthYear <= MAX_DONOR_AGE) break;
  }
  const years = (asOfDay - registeredDay) / DAYS_PER_YEAR;

  const onlineShare = 0.15 + 0.5 * Math.max(0, 1 - years / 25) + (underServed ? 0.1 : 0);
  const recruitmentChannel = rng.categorical({
    online: onlineShare,
    drive: (1 - onlineShare) * 0.55,
    blood_center: (1 - onlineShare) * 0.3,
    other: (1 - onlineShare) * 0.15,
  });
  const bloodDonor = rng.bernoulli((recruitmentChannel === 'blood_center' ? 0.85 : 0.22) * (underServed ? 0.6 : 1));
  const residence = rng.bernoulli(0.03 + 0.004 * years + (underServed ? 0.08 : 0)) ? 'international' : 'domestic';
  const engagement = rng.normal() - (underServed ? 1.2 : 0) - 0.03 * years;
  const reengaged = rng.bernoulli(sigmoid(-1.6 + 0.9 * engagement));

  const clampToRegistry = (day: number) => Math.min(asOfDay, Math.max(registeredDay, day));
  let contactVerifiedOn: string | null;
  if (reengaged) {
    contactVerifiedOn = dayToIsoDate(clampToRegistry(asOfDay - rng.int(0, 364)));
  } else if (years > 0.1 && rng.bernoulli(sigmoid(-1.5 - 0.6 * engagement + (underServed ? 0.4 : 0)))) {
    contactVerifiedOn = null;
  } else {
    const staleYears = rng.exponential(2.5 * Math.exp(-0.5 * engagement));
    contactVerifiedOn = dayToIsoDate(clampToRegistry(asOfDay - Math.round(staleYears * DAYS_PER_YEAR)));
  }

  const attempts = Math.min(12, rng.poisson(0.8 + (reengaged ? 1 : 0) + 0.05 * years) + (reengaged ? 1 : 0));
  let responses = rng.binomial(attempts, sigmoid(0.2 + engagement));
  if (reengaged) responses = Math.max(1, responses);
  let lastResponseOn: string | null = null;
  if (responses > 0) {
    lastResponseOn = dayToIsoDate(clampToRegistry(asOfDay - rng.int(0, 364)));
  } else if (years > 1 && rng.bernoulli(sigmoid(-0.5 + engagement))) {
    lastResponseOn = dayToIsoDate(clampToRegistry(asOfDay - 365 - Math.floor(rng.uniform() * (years - 1) * DAYS_PER_YEAR)));
  }

  const totalRequests = rng.poisson(0.04 * years);
  const availableRequests = rng.binomial(totalRequests, sigmoid(0.3 + 0.8 * engagement));

  let temporarilyUnavailableUntil: string | null = null;
  let paused = false;
  if (rng.bernoulli(0.025 + (sex === 'F' ? 0.035 : 0))) {
    temporarilyUnavailableUntil = dayToIsoDate(asOfDay + rng.int(1, 300));
    paused = true;
  } else if (rng.bernoulli(0.04)) {
    temporarilyUnavailableUntil = dayToIsoDate(clampToRegistry(asOfDay - rng.int(1, 700)));
    paused = true;
  }
  let lastUnavailableReason: DonorUpdatedDetail['donor']['lastUnavailableReason'] = null;
  if (totalRequests > availableRequests) {
    lastUnavailableReason = rng.categorical({ no_contact: 0.36, medical: 0.34, personal: 0.19 });
  } else if (paused) {
    lastUnavailableReason = rng.categorical({ personal: 0.6, medical: 0.4 });
  }

  const donor: DonorUpdatedDetail['donor'] = {
    birthYear,
    sex,
    registeredOn: dayToIsoDate(registeredDay),
    recruitmentChannel,
    bloodDonor,
    residence,
    contactVerifiedOn,
    lastResponseOn,
    outreach12m: { attempts, responses },
    priorRequests: { total: totalRequests, available: availableRequests },
    temporarilyUnavailableUntil,
    lastUnavailableReason,
  };
  // The record last changed on its newest date that is not in the future.
  const lastChangeDay = Math.max(
    registeredDay,
    ...[contactVerifiedOn, lastResponseOn].filter((d): d is string => d !== null).map(isoDateToDay),
  );
  const updatedAt = new Date(lastChangeDay * 86_400_000 + rng.int(0, 86_399) * 1000).toISOString();
  const detail: DonorUpdatedDetail = {
    donorId: `D${rng.token(12).toUpperCase()}`,
    revision: 1 + rng.poisson(2),
    updatedAt,
    donor,
  };
  const riskFactors =
    (underServed ? 1 : 0) + (sex === 'F' ? 1 : 0) + (bloodDonor ? 0 : 1) + (years > 5 ? 1 : 0);
  const truth = { ancestryGroup, engagement: Math.round(engagement * 1e4) / 1e4, reengaged, riskFactors };
  return { detail, truth, logitWithoutIntercept: availabilityLogit(donor, truth, requestDay, variant) };
}

// The intercept is solved once per (base rate, as-of date) on a fixed calibration sample, so the
// base rate holds whatever seed or row count the caller picks.
const CALIBRATION_SEED = 0x5eed;
const CALIBRATION_ROWS = 20_000;
const interceptCache = new Map<string, number>();

export function interceptFor(baseRate: number, asOf: string, variant: GeneratorVariant = 'baseline'): number {
  const key = `${baseRate}@${asOf}/${variant}`;
  const cached = interceptCache.get(key);
  if (cached !== undefined) return cached;
  const rng = new Random(CALIBRATION_SEED);
  const asOfDay = isoDateToDay(asOf);
  const logits = Array.from({ length: CALIBRATION_ROWS }, () => drawDonor(rng, asOfDay, variant).logitWithoutIntercept);
  let lo = -10;
  let hi = 10;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    const mean = logits.reduce((s, l) => s + sigmoid(mid + l), 0) / logits.length;
    if (mean < baseRate) lo = mid;
    else hi = mid;
  }
  const intercept = (lo + hi) / 2;
  interceptCache.set(key, intercept);
  return intercept;
}

/** Rows one at a time, so a caller can stream millions without holding them. */
export function* generateRegistry(options: GeneratorOptions): Generator<RegistryRow> {
  const baseRate = options.baseRate ?? DEFAULT_BASE_RATE;
  const variant = options.variant ?? 'baseline';
  if (!(baseRate > 0 && baseRate < 1)) throw new RangeError('baseRate must be between 0 and 1 (exclusive)');
  if (!GENERATOR_VARIANTS.includes(variant)) throw new RangeError(`variant must be one of ${GENERATOR_VARIANTS.join(', ')}`);
  const requestDate = options.requestDate ?? options.asOf;
  if (requestDate < options.asOf) throw new RangeError('requestDate must not be before asOf: a record cannot be snapshotted after its request');
  // The world (its intercept) is the one of the snapshot date; a later request only ages the records.
  const intercept = interceptFor(baseRate, options.asOf, variant);
  const rng = new Random(options.seed);
  const asOfDay = isoDateToDay(options.asOf);
  const requestDay = isoDateToDay(requestDate);
  for (;;) {
    const drawn = drawDonor(rng, asOfDay, variant, requestDay);
    const pAvailable = sigmoid(intercept + drawn.logitWithoutIntercept);
    const available = rng.bernoulli(pAvailable) ? 1 : 0;
    yield {
      requestDate,
      detail: drawn.detail,
      truth: { variant, pAvailable: Math.round(pAvailable * 1e6) / 1e6, available, ...drawn.truth },
    };
  }
}

export function takeRows(options: GeneratorOptions, rows: number): RegistryRow[] {
  const out: RegistryRow[] = [];
  for (const row of generateRegistry(options)) {
    if (out.length >= rows) break;
    out.push(row);
  }
  return out;
}
