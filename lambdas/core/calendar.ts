// Dates in the contract are calendar days (YYYY-MM-DD, UTC). Working in whole days since the epoch
// keeps feature derivation exact and free of time-zone drift.
const MS_PER_DAY = 86_400_000;
export const DAYS_PER_YEAR = 365.25;

/** Days since 1970-01-01 for a `YYYY-MM-DD` (or RFC 3339, whose date part is used) string. */
export function isoDateToDay(isoDate: string): number {
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
