// Finding when a log line happened, in the forms people's logs use: RFC 3339 / ISO 8601 (a time
// without a zone is read as UTC), syslog `Nov 25 19:34:08` (which has no year: --year, else the
// current one, stepping back a year for dates that would lie in the future), Apache's
// `[25/Nov/2026:19:34:08 +0000]`, and epoch seconds or milliseconds (years 2000-2100 only, so
// ordinary numbers are not read as times).

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };
const ISO = /(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ]|\s+)(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s?(Z|z|[+-]\d{2}(?::?\d{2})?)?/;
const SYSLOG = /\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,6}))?\b/i;
const APACHE = /\[(\d{2})\/([A-Za-z]{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\s+([+-]\d{4}))?\]/;
const EPOCH = /(?<![\d.])(\d{13}|\d{10})(?:\.(\d{1,6}))?(?![\d])/;
const EPOCH_FROM = Date.UTC(2000, 0, 1);
const EPOCH_TO = Date.UTC(2100, 0, 1);

export type TimestampForm = 'rfc3339' | 'syslog' | 'apache' | 'epoch';

const offsetMs = (zone: string | undefined): number => {
  if (!zone || zone === 'Z' || zone === 'z') return 0;
  const digits = zone.replace(':', '');
  const sign = digits[0] === '-' ? -1 : 1;
  const hours = Number(digits.slice(1, 3));
  const minutes = digits.length > 3 ? Number(digits.slice(3, 5)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
};

const fraction = (digits: string | undefined) => (digits ? Number(`0.${digits}`) * 1000 : 0);

function valid(ms: number): number | null {
  return Number.isFinite(ms) && ms >= EPOCH_FROM && ms < EPOCH_TO ? ms : null;
}

/** Epoch seconds or milliseconds, by magnitude. */
export function epochToMs(value: number): number | null {
  if (!Number.isFinite(value)) return null;
  return valid(value < 1e11 ? value * 1000 : value);
}

export interface TimestampReader {
  /** Milliseconds since the epoch of the first time found in `text`, or null. */
  read(text: string): number | null;
  /** Which forms were seen, and whether a syslog year was assumed. */
  forms: Set<TimestampForm>;
  assumedYear: number | null;
}

export function timestampReader(options: { year?: number; now?: Date } = {}): TimestampReader {
  const now = (options.now ?? new Date()).getTime();
  const reader: TimestampReader = {
    forms: new Set(),
    assumedYear: null,
    read(text) {
      let m = ISO.exec(text);
      if (m) {
        const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], m[6] ? +m[6] : 0) + fraction(m[7]) - offsetMs(m[8]);
        const month = +m[2];
        const day = +m[3];
        if (month >= 1 && month <= 12 && day >= 1 && day <= 31 && valid(ms) !== null) {
          reader.forms.add('rfc3339');
          return ms;
        }
      }
      m = APACHE.exec(text);
      if (m && MONTHS[m[2].toLowerCase()] !== undefined) {
        const ms = Date.UTC(+m[3], MONTHS[m[2].toLowerCase()], +m[1], +m[4], +m[5], +m[6]) - offsetMs(m[7]);
        if (valid(ms) !== null) {
          reader.forms.add('apache');
          return ms;
        }
      }
      m = SYSLOG.exec(text);
      if (m) {
        const month = MONTHS[m[1].slice(0, 3).toLowerCase()];
        const at = (year: number) => Date.UTC(year, month, +m![2], +m![3], +m![4], +m![5]) + fraction(m![6]);
        let ms: number;
        if (options.year !== undefined) ms = at(options.year);
        else {
          const year = new Date(now).getUTCFullYear();
          ms = at(year);
          // A syslog date later than tomorrow belongs to last year (a log read in early January).
          if (ms > now + 86_400_000) ms = at(year - 1);
          reader.assumedYear ??= new Date(ms).getUTCFullYear();
        }
        if (+m[2] >= 1 && +m[2] <= 31 && valid(ms) !== null) {
          reader.forms.add('syslog');
          return ms;
        }
      }
      m = EPOCH.exec(text);
      if (m) {
        const ms = epochToMs(Number(m[2] ? `${m[1]}.${m[2]}` : m[1]));
        if (ms !== null) {
          reader.forms.add('epoch');
          return ms;
        }
      }
      return null;
    },
  };
  return reader;
}

/** A JSON log line's time: the usual field names, as text or epoch numbers. */
export function jsonTimestamp(record: Record<string, unknown>, reader: TimestampReader): number | null {
  for (const key of ['timestamp', '@timestamp', 'time', 'ts', 'datetime', 'date', 'eventTime', 'Timestamp']) {
    const value = record[key];
    if (typeof value === 'number') {
      const ms = epochToMs(value);
      if (ms !== null) {
        reader.forms.add('epoch');
        return ms;
      }
    } else if (typeof value === 'string') {
      const ms = /^\d+(\.\d+)?$/.test(value) ? epochToMs(Number(value)) : reader.read(value);
      if (ms !== null) return ms;
    }
  }
  return null;
}

export { parseDuration } from '../lambdas/core/duration';
