// A fast reader for the lines `drs score` meets most: a valid `DonorUpdated` detail (bare, in a
// generator row {detail, truth} or in a whole event) written as plain JSON. It reads the line's text
// in place, without JSON.parse building objects and zod walking them, and answers only "this line is
// valid, and these are its values" or "not sure": then the caller takes the line the one judged way
// (JSON.parse, unwrapDetail, the contract's schema), which words every rejection. So the scanner may
// give up on anything (an escape, a number written 1e2 or 1.0, a duplicate key, a BOM, deep nesting)
// but must never accept what JSON.parse + the schema would reject, nor read a value differently;
// test/unit/donor-updated-scanner.property.test.ts holds it to that on generated and hostile lines.
// Each rule below is the schema's (donor-updated.ts) for the values it accepts, no looser.
import { isoDateToDay } from './calendar';
import { MIN_BIRTH_YEAR, MIN_DONOR_AGE, type DonorUpdatedDetail } from './donor-updated';

/** A row the scanner read: the detail (as the schema would return it) and the event id, if any. */
export interface ScannedDetail {
  detail: DonorUpdatedDetail;
  sourceEventId: string | null;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
/** Nesting a skipped value may have before the scanner leaves the line to JSON.parse. */
const MAX_DEPTH = 32;
/**
 * Digits of an integer the scanner reads itself. Up to 16 digits the running value is exact while
 * it stays a safe integer, and a larger one comes out above Number.MAX_SAFE_INTEGER: declined.
 */
const MAX_INT_DIGITS = 16;
const FAIL = -1;

// Bits of the fields met in an object: a field met twice (JSON.parse keeps the last) or missing
// (the schema says "is required") sends the line the judged way.
const DONOR_ID = 1;
const REVISION = 2;
const UPDATED_AT = 4;
const DONOR = 8;
const DETAIL_FIELDS = DONOR_ID | REVISION | UPDATED_AT | DONOR;
const BIRTH_YEAR = 1;
const SEX = 2;
const REGISTERED_ON = 4;
const CHANNEL = 8;
const BLOOD_DONOR = 16;
const RESIDENCE = 32;
const CONTACT_VERIFIED_ON = 64;
const LAST_RESPONSE_ON = 128;
const OUTREACH = 256;
const PRIOR_REQUESTS = 512;
const UNAVAILABLE_UNTIL = 1024;
const UNAVAILABLE_REASON = 2048;
const DONOR_FIELDS = 4095;

const isDigit = (c: number) => c >= DIGIT_0 && c <= DIGIT_9;
const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
/** `[A-Za-z0-9-]`: the donor id pattern's characters. */
const isIdChar = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS;

function digitsAt(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return FAIL;
    v = v * 10 + (c - DIGIT_0);
  }
  return v;
}

/**
 * zod's `z.iso.date()` on the 10 characters from `at`: YYYY-MM-DD, a month 01-12 and a day that
 * month has (29 February in leap years: the last two year digits divisible by 4 and not 00, or 00
 * and the first two divisible by 4), as zod's pattern spells it.
 */
export function isIsoDateAt(s: string, at: number): boolean {
  const century = digitsAt(s, at, 2);
  const yy = digitsAt(s, at + 2, 2);
  const month = digitsAt(s, at + 5, 2);
  const day = digitsAt(s, at + 8, 2);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || s.charCodeAt(at + 4) !== MINUS || s.charCodeAt(at + 7) !== MINUS) return false;
  if (month === 2) return day <= 28 || (day === 29 && (yy === 0 ? century % 4 === 0 : yy % 4 === 0));
  if (month === 4 || month === 6 || month === 9 || month === 11) return day <= 30;
  return day <= 31;
}

/** `HH:MM` from `at`, hours 00-23 and minutes 00-59, as zod's pattern spells it. */
function isHoursMinutesAt(s: string, at: number): boolean {
  const hours = digitsAt(s, at, 2);
  const minutes = digitsAt(s, at + 3, 2);
  return hours >= 0 && hours <= 23 && s.charCodeAt(at + 2) === COLON && minutes >= 0 && minutes <= 59;
}

/**
 * zod's `z.iso.datetime({ offset: true })` on `s[a, b)`: a date, `T`, HH:MM:SS with optional
 * fractional digits, then `Z` or an offset ±HH:MM (seconds required, capital T and Z).
 */
export function isIsoDateTimeIn(s: string, a: number, b: number): boolean {
  if (b - a < 20 || !isIsoDateAt(s, a) || s.charCodeAt(a + 10) !== 0x54 || !isHoursMinutesAt(s, a + 11) || s.charCodeAt(a + 16) !== COLON) return false;
  const seconds = digitsAt(s, a + 17, 2);
  if (seconds < 0 || seconds > 59) return false;
  let p = a + 19;
  if (s.charCodeAt(p) === DOT) {
    const first = ++p;
    while (p < b && isDigit(s.charCodeAt(p))) p++;
    if (p === first) return false;
  }
  const zone = s.charCodeAt(p);
  if (zone === 0x5a) return p + 1 === b;
  return (zone === PLUS || zone === MINUS) && p + 6 === b && isHoursMinutesAt(s, p + 1);
}

const newDetail = (): DonorUpdatedDetail => ({
  donorId: '',
  revision: 0,
  updatedAt: '',
  donor: {
    birthYear: 0,
    sex: 'U',
    registeredOn: '',
    recruitmentChannel: 'other',
    bloodDonor: false,
    residence: 'domestic',
    contactVerifiedOn: null,
    lastResponseOn: null,
    outreach12m: { attempts: 0, responses: 0 },
    priorRequests: { total: 0, available: 0 },
    temporarilyUnavailableUntil: null,
    lastUnavailableReason: null,
  },
});

/**
 * Reads lines judged as of one scoring date. `scan` fills and returns one of its own objects, which
 * the next `scan` overwrites: a caller keeps what it needs (features, the record's few values) at once.
 */
export class DonorUpdatedScanner {
  private readonly maxBirthYear: number;
  private readonly scoringDay: number;
  /** The detail inside a wrapper, and the line itself read as a bare detail. */
  private readonly nested = newDetail();
  private readonly bare = newDetail();
  private readonly result: ScannedDetail = { detail: this.nested, sourceEventId: null };
  // The text being read and the value just read (positions, numbers): fields, not allocations.
  private s = '';
  private end = 0;
  private valueStart = 0;
  private valueEnd = 0;
  private keyStart = 0;
  private keyEnd = 0;
  private int = 0;

  constructor(scoringDate: string) {
    this.maxBirthYear = Number(scoringDate.slice(0, 4)) - MIN_DONOR_AGE;
    this.scoringDay = isoDateToDay(scoringDate);
  }

  /** The line `text[start, end)` read, when it is a valid detail written plainly; otherwise null. */
  scan(text: string, start: number, end: number): ScannedDetail | null {
    // What follows the line must end it (a line end or the text's end), so no check reads past it.
    if (end < text.length && text.charCodeAt(end) !== 0x0a && text.charCodeAt(end) !== 0x0d) return null;
    this.s = text;
    this.end = end;
    let p = this.space(start);
    if (text.charCodeAt(p) !== OPEN_BRACE || p >= end) return null;
    let bareFields = 0;
    let hasDetail = false;
    let idStart = -1;
    let idEnd = -1;
    let hasId = false;
    p = this.space(p + 1);
    if (text.charCodeAt(p) === CLOSE_BRACE) return null;
    for (;;) {
      p = this.key(p);
      if (p === FAIL) return null;
      const keyStart = this.keyStart;
      const keyEnd = this.keyEnd;
      p = this.space(p);
      const length = keyEnd - keyStart;
      if (length === 6 && text.startsWith('detail', keyStart)) {
        if (hasDetail || text.charCodeAt(p) !== OPEN_BRACE) return null;
        hasDetail = true;
        p = this.detail(p, this.nested);
      } else if (length === 2 && text.startsWith('id', keyStart)) {
        if (hasId) return null;
        hasId = true;
        if (text.charCodeAt(p) === QUOTE) {
          p = this.string(p);
          idStart = this.valueStart;
          idEnd = this.valueEnd;
        } else p = this.skip(p, 0);
      } else {
        // The line may be a bare detail: its own fields are read as a detail's.
        const field = this.detailField(keyStart, keyEnd, p, this.bare, bareFields);
        if (field === FAIL) return null;
        if (field === 0) p = this.skip(p, 0);
        else {
          bareFields |= field;
          p = this.valueEnd;
        }
      }
      if (p === FAIL) return null;
      p = this.space(p);
      const c = text.charCodeAt(p);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA || p >= end) return null;
      p = this.space(p + 1);
    }
    // Only spaces may follow the object on its line.
    if (this.space(p + 1) !== end || p >= end) return null;
    const result = this.result;
    if (hasDetail) {
      result.detail = this.nested;
      result.sourceEventId = idStart >= 0 ? text.slice(idStart, idEnd) : null;
    } else {
      if (bareFields !== DETAIL_FIELDS) return null;
      result.detail = this.bare;
      result.sourceEventId = null;
    }
    return result;
  }

  private space(p: number): number {
    const s = this.s;
    while (p < this.end && isSpace(s.charCodeAt(p))) p++;
    return p;
  }

  /** A key at `p` (a plain string, then `:`) into `keyStart`/`keyEnd`; the position after the colon. */
  private key(p: number): number {
    if (this.s.charCodeAt(p) !== QUOTE) return FAIL;
    p = this.string(p);
    if (p === FAIL) return FAIL;
    this.keyStart = this.valueStart;
    this.keyEnd = this.valueEnd;
    p = this.space(p);
    return this.s.charCodeAt(p) === COLON && p < this.end ? p + 1 : FAIL;
  }

  /**
   * A string at `p` with no escape and no control character (JSON forbids those raw); its contents
   * are `s[valueStart, valueEnd)`, exactly what JSON.parse gives. Returns the position after it.
   */
  private string(p: number): number {
    const s = this.s;
    const end = this.end;
    const start = p + 1;
    for (p = start; p < end; p++) {
      const c = s.charCodeAt(p);
      if (c === QUOTE) {
        this.valueStart = start;
        this.valueEnd = p;
        return p + 1;
      }
      if (c === BACKSLASH || c < 0x20) return FAIL;
    }
    return FAIL;
  }

  /** A non-negative integer written plainly (no sign, fraction or exponent) into `int`. */
  private integer(p: number): number {
    const s = this.s;
    let c = s.charCodeAt(p);
    if (p >= this.end || !isDigit(c)) return FAIL;
    const start = p;
    let v = 0;
    do {
      v = v * 10 + (c - DIGIT_0);
      c = s.charCodeAt(++p);
    } while (p < this.end && isDigit(c));
    const digits = p - start;
    // 01 is not JSON; 1.0, 1e2 and long numbers are, but are left to JSON.parse.
    if (digits > MAX_INT_DIGITS || v > Number.MAX_SAFE_INTEGER || (digits > 1 && s.charCodeAt(start) === DIGIT_0)) return FAIL;
    if (p < this.end && (c === DOT || c === 0x65 || c === 0x45)) return FAIL;
    this.int = v;
    return p;
  }

  /** `null` at `p` (then `valueStart` is -1), or a string. */
  private nullOrString(p: number): number {
    if (this.s.startsWith('null', p) && p + 4 <= this.end) {
      this.valueStart = -1;
      return p + 4;
    }
    return this.s.charCodeAt(p) === QUOTE ? this.string(p) : FAIL;
  }

  /** A date (zod's `z.iso.date()`) or null: the text, or null; undefined when neither. */
  private nullableDate(p: number): string | null | undefined {
    const q = this.nullOrString(p);
    if (q === FAIL) return undefined;
    this.valueEnd = q;
    if (this.valueStart < 0) return null;
    const a = this.valueStart;
    // valueEnd was the closing quote: the string is s[a, q - 1).
    if (q - 1 - a !== 10 || !isIsoDateAt(this.s, a)) return undefined;
    return this.s.slice(a, a + 10);
  }

  /** The string at `p` when it is exactly one of `options` (the option itself, not a copy); else undefined. */
  private oneOf<T extends string>(p: number, options: readonly T[]): T | undefined {
    const q = this.s.charCodeAt(p) === QUOTE ? this.string(p) : FAIL;
    if (q === FAIL) return undefined;
    const a = this.valueStart;
    const length = this.valueEnd - a;
    this.valueEnd = q;
    for (const option of options) if (option.length === length && this.s.startsWith(option, a)) return option;
    return undefined;
  }

  /**
   * One field of a detail: the key `s[keyStart, keyEnd)`, its value at `p` read into `detail`.
   * Returns the field's bit (its value ends at `valueEnd`), 0 for a field the schema drops (the
   * caller skips it), FAIL (-1) when the line must go the judged way.
   */
  private detailField(keyStart: number, keyEnd: number, p: number, detail: DonorUpdatedDetail, met: number): number {
    const s = this.s;
    const length = keyEnd - keyStart;
    let bit = 0;
    if (length === 7 && s.startsWith('donorId', keyStart)) {
      bit = DONOR_ID;
      const q = s.charCodeAt(p) === QUOTE ? this.string(p) : FAIL;
      if (q === FAIL) return FAIL;
      const a = this.valueStart;
      const b = this.valueEnd;
      if (b - a < 4 || b - a > 40) return FAIL;
      for (let i = a; i < b; i++) if (!isIdChar(s.charCodeAt(i))) return FAIL;
      detail.donorId = s.slice(a, b);
      this.valueEnd = q;
    } else if (length === 8 && s.startsWith('revision', keyStart)) {
      bit = REVISION;
      const q = this.integer(p);
      if (q === FAIL || this.int < 1) return FAIL;
      detail.revision = this.int;
      this.valueEnd = q;
    } else if (length === 9 && s.startsWith('updatedAt', keyStart)) {
      bit = UPDATED_AT;
      const q = s.charCodeAt(p) === QUOTE ? this.string(p) : FAIL;
      if (q === FAIL || !isIsoDateTimeIn(s, this.valueStart, this.valueEnd)) return FAIL;
      detail.updatedAt = s.slice(this.valueStart, this.valueEnd);
      this.valueEnd = q;
    } else if (length === 5 && s.startsWith('donor', keyStart)) {
      bit = DONOR;
      if (s.charCodeAt(p) !== OPEN_BRACE) return FAIL;
      const q = this.donor(p, detail.donor);
      if (q === FAIL) return FAIL;
      this.valueEnd = q;
    } else return 0;
    return met & bit ? FAIL : bit;
  }

  /** A whole detail object at `p` into `detail`; the position after it. */
  private detail(p: number, detail: DonorUpdatedDetail): number {
    const s = this.s;
    let met = 0;
    p = this.space(p + 1);
    if (s.charCodeAt(p) === CLOSE_BRACE) return FAIL;
    for (;;) {
      p = this.key(p);
      if (p === FAIL) return FAIL;
      p = this.space(p);
      const field = this.detailField(this.keyStart, this.keyEnd, p, detail, met);
      if (field === FAIL) return FAIL;
      if (field === 0) p = this.skip(p, 0);
      else {
        met |= field;
        p = this.valueEnd;
      }
      if (p === FAIL) return FAIL;
      p = this.space(p);
      const c = s.charCodeAt(p);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA || p >= this.end) return FAIL;
      p = this.space(p + 1);
    }
    return met === DETAIL_FIELDS && p < this.end ? p + 1 : FAIL;
  }

  /** The donor object at `p`, every field present and within the schema's rules; the position after it. */
  private donor(p: number, donor: DonorUpdatedDetail['donor']): number {
    const s = this.s;
    let met = 0;
    p = this.space(p + 1);
    if (s.charCodeAt(p) === CLOSE_BRACE) return FAIL;
    for (;;) {
      p = this.key(p);
      if (p === FAIL) return FAIL;
      const keyStart = this.keyStart;
      const length = this.keyEnd - keyStart;
      p = this.space(p);
      let bit = 0;
      let q = FAIL;
      switch (length) {
        case 9:
          if (s.startsWith('birthYear', keyStart)) {
            bit = BIRTH_YEAR;
            q = this.integer(p);
            if (q !== FAIL && this.int >= MIN_BIRTH_YEAR && this.int <= this.maxBirthYear) donor.birthYear = this.int;
            else q = FAIL;
          } else if (s.startsWith('residence', keyStart)) {
            bit = RESIDENCE;
            const v = this.oneOf(p, RESIDENCE_VALUES);
            if (v !== undefined) {
              donor.residence = v;
              q = this.valueEnd;
            }
          }
          break;
        case 3:
          if (s.startsWith('sex', keyStart)) {
            bit = SEX;
            const v = this.oneOf(p, SEX_VALUES);
            if (v !== undefined) {
              donor.sex = v;
              q = this.valueEnd;
            }
          }
          break;
        case 12:
          if (s.startsWith('registeredOn', keyStart)) {
            bit = REGISTERED_ON;
            const v = this.nullableDate(p);
            if (typeof v === 'string') {
              donor.registeredOn = v;
              q = this.valueEnd;
            }
          }
          break;
        case 18:
          if (s.startsWith('recruitmentChannel', keyStart)) {
            bit = CHANNEL;
            const v = this.oneOf(p, CHANNEL_VALUES);
            if (v !== undefined) {
              donor.recruitmentChannel = v;
              q = this.valueEnd;
            }
          }
          break;
        case 10:
          if (s.startsWith('bloodDonor', keyStart)) {
            bit = BLOOD_DONOR;
            if (s.startsWith('true', p)) {
              donor.bloodDonor = true;
              q = p + 4;
            } else if (s.startsWith('false', p)) {
              donor.bloodDonor = false;
              q = p + 5;
            }
            if (q > this.end) q = FAIL;
          }
          break;
        case 17:
          if (s.startsWith('contactVerifiedOn', keyStart)) {
            bit = CONTACT_VERIFIED_ON;
            const v = this.nullableDate(p);
            if (v !== undefined) {
              donor.contactVerifiedOn = v;
              q = this.valueEnd;
            }
          }
          break;
        case 14:
          if (s.startsWith('lastResponseOn', keyStart)) {
            bit = LAST_RESPONSE_ON;
            const v = this.nullableDate(p);
            if (v !== undefined) {
              donor.lastResponseOn = v;
              q = this.valueEnd;
            }
          }
          break;
        case 11:
          if (s.startsWith('outreach12m', keyStart)) {
            bit = OUTREACH;
            q = this.counts(p, 'attempts', 'responses');
            if (q !== FAIL) {
              donor.outreach12m.attempts = this.countA;
              donor.outreach12m.responses = this.countB;
            }
          }
          break;
        case 13:
          if (s.startsWith('priorRequests', keyStart)) {
            bit = PRIOR_REQUESTS;
            q = this.counts(p, 'total', 'available');
            if (q !== FAIL) {
              donor.priorRequests.total = this.countA;
              donor.priorRequests.available = this.countB;
            }
          }
          break;
        case 27:
          if (s.startsWith('temporarilyUnavailableUntil', keyStart)) {
            bit = UNAVAILABLE_UNTIL;
            const v = this.nullableDate(p);
            if (v !== undefined) {
              donor.temporarilyUnavailableUntil = v;
              q = this.valueEnd;
            }
          }
          break;
        case 21:
          if (s.startsWith('lastUnavailableReason', keyStart)) {
            bit = UNAVAILABLE_REASON;
            if (s.startsWith('null', p) && p + 4 <= this.end) {
              donor.lastUnavailableReason = null;
              q = p + 4;
            } else {
              const v = this.oneOf(p, REASON_VALUES);
              if (v !== undefined) {
                donor.lastUnavailableReason = v;
                q = this.valueEnd;
              }
            }
          }
          break;
      }
      if (bit === 0) q = this.skip(p, 0);
      else if (met & bit) return FAIL;
      if (q === FAIL) return FAIL;
      met |= bit;
      p = this.space(q);
      const c = s.charCodeAt(p);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA || p >= this.end) return FAIL;
      p = this.space(p + 1);
    }
    if (met !== DONOR_FIELDS || p >= this.end) return FAIL;
    // The schema's cross-field rules (its superRefine).
    if (isoDateToDay(donor.registeredOn) > this.scoringDay) return FAIL;
    if (Number(donor.registeredOn.slice(0, 4)) < donor.birthYear + MIN_DONOR_AGE) return FAIL;
    if (donor.outreach12m.responses > donor.outreach12m.attempts) return FAIL;
    if (donor.priorRequests.available > donor.priorRequests.total) return FAIL;
    return p + 1;
  }

  private countA = 0;
  private countB = 0;

  /** `{a: count, b: count}` (other fields dropped, as the schema drops them) into countA, countB. */
  private counts(p: number, a: string, b: string): number {
    const s = this.s;
    if (s.charCodeAt(p) !== OPEN_BRACE) return FAIL;
    let met = 0;
    p = this.space(p + 1);
    if (s.charCodeAt(p) === CLOSE_BRACE) return FAIL;
    for (;;) {
      p = this.key(p);
      if (p === FAIL) return FAIL;
      const keyStart = this.keyStart;
      const length = this.keyEnd - keyStart;
      p = this.space(p);
      let bit = 0;
      if (length === a.length && s.startsWith(a, keyStart)) bit = 1;
      else if (length === b.length && s.startsWith(b, keyStart)) bit = 2;
      if (bit === 0) p = this.skip(p, 0);
      else {
        if (met & bit) return FAIL;
        p = this.integer(p);
        if (bit === 1) this.countA = this.int;
        else this.countB = this.int;
      }
      if (p === FAIL) return FAIL;
      met |= bit;
      p = this.space(p);
      const c = s.charCodeAt(p);
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA || p >= this.end) return FAIL;
      p = this.space(p + 1);
    }
    return met === 3 && p < this.end ? p + 1 : FAIL;
  }

  /** Any JSON value at `p`, checked as JSON.parse checks it (strings without escapes only); the position after it. */
  private skip(p: number, depth: number): number {
    const s = this.s;
    const end = this.end;
    if (p >= end) return FAIL;
    const c = s.charCodeAt(p);
    if (c === QUOTE) return this.string(p);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (depth >= MAX_DEPTH) return FAIL;
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      p = this.space(p + 1);
      if (s.charCodeAt(p) === close && p < end) return p + 1;
      for (;;) {
        if (c === OPEN_BRACE) p = this.key(p);
        if (p === FAIL) return FAIL;
        p = this.skip(this.space(p), depth + 1);
        if (p === FAIL) return FAIL;
        p = this.space(p);
        const next = s.charCodeAt(p);
        if (p >= end) return FAIL;
        if (next === close) return p + 1;
        if (next !== COMMA) return FAIL;
        p = this.space(p + 1);
      }
    }
    if (c === 0x74) return s.startsWith('true', p) && p + 4 <= end ? p + 4 : FAIL;
    if (c === 0x66) return s.startsWith('false', p) && p + 5 <= end ? p + 5 : FAIL;
    if (c === 0x6e) return s.startsWith('null', p) && p + 4 <= end ? p + 4 : FAIL;
    return this.number(p);
  }

  /** A JSON number at `p` (-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), only checked; the position after it. */
  private number(p: number): number {
    const s = this.s;
    const end = this.end;
    if (s.charCodeAt(p) === MINUS) p++;
    let c = s.charCodeAt(p);
    if (p >= end) return FAIL;
    if (c === DIGIT_0) c = s.charCodeAt(++p);
    else if (c >= DIGIT_1 && c <= DIGIT_9) {
      do c = s.charCodeAt(++p);
      while (p < end && isDigit(c));
    } else return FAIL;
    if (p < end && c === DOT) {
      const first = ++p;
      while (p < end && isDigit(s.charCodeAt(p))) p++;
      if (p === first) return FAIL;
      c = s.charCodeAt(p);
    }
    if (p < end && (c === 0x65 || c === 0x45)) {
      c = s.charCodeAt(++p);
      if (p < end && (c === PLUS || c === MINUS)) p++;
      const first = p;
      while (p < end && isDigit(s.charCodeAt(p))) p++;
      if (p === first) return FAIL;
    }
    return p;
  }
}

const SEX_VALUES = ['F', 'M', 'U'] as const;
const CHANNEL_VALUES = ['online', 'drive', 'blood_center', 'other'] as const;
const RESIDENCE_VALUES = ['domestic', 'international'] as const;
const REASON_VALUES = ['medical', 'personal', 'no_contact'] as const;
