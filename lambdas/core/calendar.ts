// Dates in the contract are calendar days (YYYY-MM-DD, UTC). Working in whole days since the epoch
// keeps feature derivation exact and free of time-zone drift.
const MS_PER_DAY = 86_400_000;
export const DAYS_PER_YEAR = 365.25;

/** Days since 1970-01-01 for a `YYYY-MM-DD` (or RFC 3339, whose date part is used) string. */
export function isoDateToDay(isoDate: string): number {
  // The common case (digits where the form has them, a year Date.UTC takes as written, a month
  // 1-12) by arithmetic, per row of a batch of millions: the same day Date.UTC gives, whose day of
  // month may run over (day 31 of February is March 3rd) exactly as here.
  const y = digits4(isoDate, 0);
  const m = digits2(isoDate, 5);
  const d = digits2(isoDate, 8);
  if (y >= 100 && m >= 1 && m <= 12 && d >= 0) return daysToMonth(y, m) + d - 1;
  return dayByDateUtc(isoDate);
}

const digit = (text: string, i: number): number => {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
};
const digits2 = (text: string, i: number): number => digit(text, i) * 10 + digit(text, i + 1);
const digits4 = (text: string, i: number): number => digits2(text, i) * 100 + digits2(text, i + 2);

/** Days from 1970-01-01 to the first of month `m` of year `y` (proleptic Gregorian; H. Hinnant's days_from_civil). */
function daysToMonth(y: number, m: number): number {
  const year = m <= 2 ? y - 1 : y;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5);
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

function dayByDateUtc(isoDate: string): number {
  const y = Number(isoDate.slice(0, 4));
  const m = Number(isoDate.slice(5, 7));
  const d = Number(isoDate.slice(8, 10));
  return Math.floor(Date.UTC(y, m - 1, d) / MS_PER_DAY);
}

export function dayToIsoDate(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function todayIsoDate(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}

// Stryker disable next-line Regex: without `$` the round trip below still refuses any trailing text
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date such as 2026-02-28 (not 2026-02-30), or undefined. */
export function parseIsoDate(text: string): string | undefined {
  if (!ISO_DATE.test(text)) return undefined;
  return dayToIsoDate(isoDateToDay(text)) === text ? text : undefined;
}
