// The one feature derivation: a validated donor record plus a scoring date -> the feature vector.
// Training, the batch CLI and the scoring Lambda all import this module, so the model never sees a
// feature computed two ways. Everything here is derived and non-identifying: no id, no dates, no
// ancestry. Pure: no I/O, no clock (the scoring date is an argument).
import { DAYS_PER_YEAR, isoDateToDay } from './calendar';
import type { DonorAttributes } from './donor-updated';

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

const clip = (value: number, [lo, hi]: [number, number]) => Math.min(hi, Math.max(lo, value));
const yearsSince = (scoringDay: number, isoDate: string) =>
  Math.max(0, (scoringDay - isoDateToDay(isoDate)) / DAYS_PER_YEAR);
/** Rounded so that the stored feature record and the float32 model input agree. */
const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/**
 * The feature vector (in `FEATURES` order) for a donor as of `scoringDate` (`YYYY-MM-DD`).
 * Dates after the scoring date count as "now" (0 years), never as negative durations.
 */
export function deriveFeatures(donor: DonorAttributes, scoringDate: string): number[] {
  const scoringDay = isoDateToDay(scoringDate);
  const yearsOnRegistry = yearsSince(scoringDay, donor.registeredOn);
  const { attempts, responses } = donor.outreach12m;
  const { total, available } = donor.priorRequests;
  const pauseDays = donor.temporarilyUnavailableUntil
    ? Math.max(0, isoDateToDay(donor.temporarilyUnavailableUntil) - scoringDay)
    : 0;
  const raw = [
    Number(scoringDate.slice(0, 4)) - donor.birthYear,
    donor.sex === 'F' ? 1 : 0,
    donor.sex === 'U' ? 1 : 0,
    yearsOnRegistry,
    donor.recruitmentChannel === 'online' ? 1 : 0,
    donor.recruitmentChannel === 'blood_center' ? 1 : 0,
    donor.recruitmentChannel === 'other' ? 1 : 0,
    donor.bloodDonor ? 1 : 0,
    donor.residence === 'international' ? 1 : 0,
    donor.contactVerifiedOn ? yearsSince(scoringDay, donor.contactVerifiedOn) : yearsOnRegistry,
    donor.contactVerifiedOn ? 0 : 1,
    donor.lastResponseOn ? yearsSince(scoringDay, donor.lastResponseOn) : yearsOnRegistry,
    donor.lastResponseOn ? 0 : 1,
    responses,
    attempts - responses,
    available,
    total - available,
    pauseDays,
    donor.lastUnavailableReason === 'medical' ? 1 : 0,
    donor.lastUnavailableReason === 'personal' ? 1 : 0,
    donor.lastUnavailableReason === 'no_contact' ? 1 : 0,
  ];
  return raw.map((value, i) => round4(clip(value, FEATURES[i].range)));
}

export function toFeatureRecord(vector: readonly number[]): FeatureRecord {
  const record: FeatureRecord = {};
  FEATURES.forEach((f, i) => (record[f.name] = vector[i]));
  return record;
}
