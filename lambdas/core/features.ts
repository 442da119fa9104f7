// The one feature derivation: a validated donor record plus a scoring date -> the feature vector.
// Training, the batch CLI and the scoring Lambda all import this module, so the model never sees a
// feature computed two ways. Everything here is derived and non-identifying: no id, no dates, no
// ancestry. Pure: no I/O, no clock (the scoring date is an argument).
import { DAYS_PER_YEAR, isoDateToDay } from './calendar';
import type { DonorAttributes } from './donor-updated';

// tsx, which runs drs and the bench, turns every use of an import into two getter calls; what a
// per-row path uses is bound once here.
const dayOf = isoDateToDay;
const daysPerYear = DAYS_PER_YEAR;

export type FeatureUnit = 'years' | 'days' | 'count' | 'fraction' | 'indicator';

export interface FeatureSpec {
  name: string;
  unit: FeatureUnit;
  /** Values are clipped to this range before the model sees them (the model graph clips too). */
  range: [number, number];
  derivation: string;
  /** Reason code when the feature raises / lowers the score relative to the reference donor. */
  reason: { raises: string; lowers: string; meaning: string };
}

const indicator = (
  name: string,
  derivation: string,
  code: string,
  meaning: string,
): FeatureSpec => ({ name, unit: 'indicator', range: [0, 1], derivation, reason: { raises: code, lowers: code, meaning } });

export const FEATURES: readonly FeatureSpec[] = [
  {
    name: 'ageYears',
    unit: 'years',
    range: [17, 70],
    derivation: 'year of the scoring date - donor.birthYear',
    reason: { raises: 'AGE_FAVOURABLE', lowers: 'AGE_UNFAVOURABLE', meaning: "donor's age group" },
  },
  indicator('female', 'donor.sex = F', 'SEX_F', 'female donors are more often temporarily unavailable (pregnancy)'),
  indicator('sexUnknown', 'donor.sex = U', 'SEX_UNKNOWN', 'sex not recorded'),
  {
    name: 'yearsOnRegistry',
    unit: 'years',
    range: [0, 45],
    derivation: '(scoring date - donor.registeredOn) / 365.25, at least 0',
    reason: { raises: 'RECENTLY_REGISTERED', lowers: 'LONG_ON_REGISTRY', meaning: 'time since the donor joined the registry' },
  },
  indicator('recruitedOnline', "donor.recruitmentChannel = 'online'", 'RECRUITED_ONLINE', 'joined online (reference: recruitment drive)'),
  indicator('recruitedAtBloodCenter', "donor.recruitmentChannel = 'blood_center'", 'RECRUITED_AT_BLOOD_CENTER', 'joined at a blood centre'),
  indicator('recruitedOtherChannel', "donor.recruitmentChannel = 'other'", 'RECRUITED_OTHER_CHANNEL', 'joined through another channel'),
  indicator('bloodDonor', 'donor.bloodDonor', 'BLOOD_DONOR', 'active blood donors are more often available'),
  indicator('livesAbroad', "donor.residence = 'international'", 'LIVES_ABROAD', 'donor lives outside the registry country'),
  {
    name: 'yearsSinceContactVerified',
    unit: 'years',
    range: [0, 45],
    derivation:
      '(scoring date - donor.contactVerifiedOn) / 365.25, at least 0; when never verified, years on registry',
    reason: { raises: 'CONTACT_RECENT', lowers: 'CONTACT_STALE', meaning: 'time since contact details were last confirmed' },
  },
  indicator('contactNeverVerified', 'donor.contactVerifiedOn is null', 'CONTACT_NEVER_VERIFIED', 'contact details never confirmed since joining'),
  {
    name: 'yearsSinceLastResponse',
    unit: 'years',
    range: [0, 45],
    derivation: '(scoring date - donor.lastResponseOn) / 365.25, at least 0; when never, years on registry',
    reason: { raises: 'RESPONDED_RECENTLY', lowers: 'NO_RECENT_RESPONSE', meaning: 'time since the donor last answered outreach' },
  },
  indicator('neverResponded', 'donor.lastResponseOn is null', 'NEVER_RESPONDED', 'donor never answered outreach'),
  {
    name: 'outreachAnswered12m',
    unit: 'count',
    range: [0, 12],
    derivation: 'donor.outreach12m.responses, at most 12',
    reason: { raises: 'ANSWERS_OUTREACH', lowers: 'NO_ANSWERED_OUTREACH', meaning: 'outreach the donor answered in the last 12 months' },
  },
  {
    name: 'outreachUnanswered12m',
    unit: 'count',
    range: [0, 12],
    derivation: 'donor.outreach12m.attempts - responses, at most 12',
    reason: { raises: 'FEW_UNANSWERED_OUTREACH', lowers: 'IGNORES_OUTREACH', meaning: 'outreach the donor left unanswered in the last 12 months' },
  },
  {
    name: 'priorRequestsAvailable',
    unit: 'count',
    range: [0, 5],
    derivation: 'donor.priorRequests.available, at most 5',
    reason: { raises: 'AVAILABLE_BEFORE', lowers: 'AVAILABLE_BEFORE', meaning: 'earlier CT requests the donor was available for' },
  },
  {
    name: 'priorRequestsUnavailable',
    unit: 'count',
    range: [0, 5],
    derivation: 'donor.priorRequests.total - available, at most 5',
    reason: { raises: 'UNAVAILABLE_BEFORE', lowers: 'UNAVAILABLE_BEFORE', meaning: 'earlier CT requests the donor was unavailable for' },
  },
  {
    name: 'daysUntilAvailableAgain',
    unit: 'days',
    range: [0, 365],
    derivation: 'donor.temporarilyUnavailableUntil - scoring date in days, 0 when null or past, at most 365',
    reason: { raises: 'NOT_PAUSED', lowers: 'TEMPORARILY_UNAVAILABLE', meaning: 'donor-reported pause (pregnancy, travel, illness)' },
  },
  indicator('lastUnavailableMedical', "donor.lastUnavailableReason = 'medical'", 'LAST_UNAVAILABLE_MEDICAL', 'last unavailability was medical'),
  indicator('lastUnavailablePersonal', "donor.lastUnavailableReason = 'personal'", 'LAST_UNAVAILABLE_PERSONAL', 'last unavailability was personal'),
  indicator('lastUnavailableNoContact', "donor.lastUnavailableReason = 'no_contact'", 'LAST_UNAVAILABLE_NO_CONTACT', 'donor could not be reached last time'),
];

export const FEATURE_NAMES: readonly string[] = FEATURES.map((f) => f.name);
export const FEATURE_COUNT = FEATURES.length;

export type FeatureRecord = Record<string, number>;

const LOWER = FEATURES.map((f) => f.range[0]);
const UPPER = FEATURES.map((f) => f.range[1]);
const yearsSince = (scoringDay: number, isoDate: string) =>
  Math.max(0, (scoringDay - dayOf(isoDate)) / daysPerYear);
/** Clipped to the feature's range, then rounded so that the stored feature record and the float32 model input agree. */
const fit = (value: number, i: number) => Math.round(Math.min(UPPER[i], Math.max(LOWER[i], value)) * 10_000) / 10_000;

/**
 * The feature vector (in `FEATURES` order) for a donor as of `scoringDate` (`YYYY-MM-DD`).
 * Dates after the scoring date count as "now" (0 years), never as negative durations.
 */
export function deriveFeatures(donor: DonorAttributes, scoringDate: string): number[] {
  const out = new Float64Array(FEATURE_COUNT);
  writeFeatures(donor, scoringDayOf(scoringDate), out, 0);
  return Array.from(out);
}

/** The day number and year of a scoring date, worked out once per batch rather than per row. */
export interface ScoringDay {
  day: number;
  year: number;
}

export const scoringDayOf = (scoringDate: string): ScoringDay => ({ day: isoDateToDay(scoringDate), year: Number(scoringDate.slice(0, 4)) });

/**
 * `deriveFeatures` written into `out` from `offset` (a batch's feature matrix, row after row): the
 * one derivation, without a vector per row. Float64 holds every value exactly as `deriveFeatures`
 * returns it.
 */
export function writeFeatures(donor: DonorAttributes, scoring: ScoringDay, out: Float64Array, offset: number): void {
  const scoringDay = scoring.day;
  const yearsOnRegistry = yearsSince(scoringDay, donor.registeredOn);
  const { attempts, responses } = donor.outreach12m;
  const { total, available } = donor.priorRequests;
  const pauseDays = donor.temporarilyUnavailableUntil
    ? Math.max(0, dayOf(donor.temporarilyUnavailableUntil) - scoringDay)
    : 0;
  const channel = donor.recruitmentChannel;
  const reason = donor.lastUnavailableReason;
  out[offset] = fit(scoring.year - donor.birthYear, 0);
  // An indicator is 0 or 1, which its range [0, 1] and the rounding keep as they are: no fit.
  out[offset + 1] = donor.sex === 'F' ? 1 : 0;
  out[offset + 2] = donor.sex === 'U' ? 1 : 0;
  out[offset + 3] = fit(yearsOnRegistry, 3);
  out[offset + 4] = channel === 'online' ? 1 : 0;
  out[offset + 5] = channel === 'blood_center' ? 1 : 0;
  out[offset + 6] = channel === 'other' ? 1 : 0;
  out[offset + 7] = donor.bloodDonor ? 1 : 0;
  out[offset + 8] = donor.residence === 'international' ? 1 : 0;
  out[offset + 9] = fit(donor.contactVerifiedOn ? yearsSince(scoringDay, donor.contactVerifiedOn) : yearsOnRegistry, 9);
  out[offset + 10] = donor.contactVerifiedOn ? 0 : 1;
  out[offset + 11] = fit(donor.lastResponseOn ? yearsSince(scoringDay, donor.lastResponseOn) : yearsOnRegistry, 11);
  out[offset + 12] = donor.lastResponseOn ? 0 : 1;
  out[offset + 13] = fit(responses, 13);
  out[offset + 14] = fit(attempts - responses, 14);
  out[offset + 15] = fit(available, 15);
  out[offset + 16] = fit(total - available, 16);
  out[offset + 17] = fit(pauseDays, 17);
  out[offset + 18] = reason === 'medical' ? 1 : 0;
  out[offset + 19] = reason === 'personal' ? 1 : 0;
  out[offset + 20] = reason === 'no_contact' ? 1 : 0;
}

export function toFeatureRecord(vector: ArrayLike<number>): FeatureRecord {
  const record: FeatureRecord = {};
  FEATURES.forEach((f, i) => (record[f.name] = vector[i]));
  return record;
}
