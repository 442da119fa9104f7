// A fast path for the common case of `validateDetail`: a detail that plainly keeps every rule of the
// zod schema in donor-updated.ts is accepted here without zod's per-field machinery (zod took as
// long per row as JSON.parse in a batch of millions). It only ever says "valid": anything it is not
// sure of (a missing or extra-shaped field, an unusual timestamp form) returns undefined and goes
// through the schema, which alone words every rejection. What it returns is what zod returns: a
// fresh object with the schema's keys in the schema's order, unknown keys dropped.
import type { DonorUpdatedDetail } from './donor-updated';

const SEX = new Set(['F', 'M', 'U']);
const CHANNEL = new Set(['online', 'drive', 'blood_center', 'other']);
const RESIDENCE = new Set(['domestic', 'international']);
const REASON = new Set(['medical', 'personal', 'no_contact']);
const DONOR_ID = /^[A-Za-z0-9-]{4,40}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 with seconds, optional fraction, Z or a ±hh:mm offset: a subset of what the schema takes.
const DATETIME = /^(\d{4}-\d{2}-\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
const MS_PER_DAY = 86_400_000;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The day number of a real calendar date YYYY-MM-DD, else NaN. */
function dateDay(v: unknown): number {
  if (typeof v !== 'string') return NaN;
  const m = DATE.exec(v);
  if (!m) return NaN;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return NaN;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = mo === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(mo) ? 30 : 31;
  if (d > days) return NaN;
  return Math.floor(Date.UTC(y, mo - 1, d) / MS_PER_DAY);
}

const nullableDate = (v: unknown): boolean => v === null || !Number.isNaN(dateDay(v));

/** The detail as the schema would return it, when it plainly keeps every rule; otherwise undefined. */
export function plainlyValidDetail(input: unknown, referenceYear: number, referenceDay: number, minDonorAge: number, minBirthYear: number): DonorUpdatedDetail | undefined {
  if (!isObject(input)) return undefined;
  const { donorId, revision, updatedAt, donor } = input;
  if (typeof donorId !== 'string' || !DONOR_ID.test(donorId)) return undefined;
  if (!Number.isSafeInteger(revision) || (revision as number) < 1) return undefined;
  if (typeof updatedAt !== 'string') return undefined;
  const stamp = DATETIME.exec(updatedAt);
  if (!stamp || Number.isNaN(dateDay(stamp[1]))) return undefined;
  if (!isObject(donor)) return undefined;
  const d = donor;
  const { birthYear, registeredOn, outreach12m, priorRequests } = d;
  if (!Number.isSafeInteger(birthYear) || (birthYear as number) < minBirthYear || (birthYear as number) > referenceYear - minDonorAge) return undefined;
  if (!SEX.has(d.sex as string) || !CHANNEL.has(d.recruitmentChannel as string) || !RESIDENCE.has(d.residence as string)) return undefined;
  if (typeof d.bloodDonor !== 'boolean') return undefined;
  const registered = dateDay(registeredOn);
  if (Number.isNaN(registered) || registered > referenceDay) return undefined;
  if (Number((registeredOn as string).slice(0, 4)) < (birthYear as number) + minDonorAge) return undefined;
  if (!nullableDate(d.contactVerifiedOn) || !nullableDate(d.lastResponseOn) || !nullableDate(d.temporarilyUnavailableUntil)) return undefined;
  if (d.lastUnavailableReason !== null && !REASON.has(d.lastUnavailableReason as string)) return undefined;
  if (!isObject(outreach12m) || !isCount(outreach12m.attempts) || !isCount(outreach12m.responses) || outreach12m.responses > outreach12m.attempts) return undefined;
  if (!isObject(priorRequests) || !isCount(priorRequests.total) || !isCount(priorRequests.available) || priorRequests.available > priorRequests.total) return undefined;
  return {
    donorId,
    revision: revision as number,
    updatedAt,
    donor: {
      birthYear: birthYear as number,
      sex: d.sex as DonorUpdatedDetail['donor']['sex'],
      registeredOn: registeredOn as string,
      recruitmentChannel: d.recruitmentChannel as DonorUpdatedDetail['donor']['recruitmentChannel'],
      bloodDonor: d.bloodDonor,
      residence: d.residence as DonorUpdatedDetail['donor']['residence'],
      contactVerifiedOn: d.contactVerifiedOn as string | null,
      lastResponseOn: d.lastResponseOn as string | null,
      outreach12m: { attempts: outreach12m.attempts, responses: outreach12m.responses },
      priorRequests: { total: priorRequests.total, available: priorRequests.available },
      temporarilyUnavailableUntil: d.temporarilyUnavailableUntil as string | null,
      lastUnavailableReason: d.lastUnavailableReason as DonorUpdatedDetail['donor']['lastUnavailableReason'],
    },
  };
}
