// A fast reader for the lines `drs score` meets most: a valid `DonorUpdated` detail (bare, in a
// generator row {detail, truth} or in a whole event) written as plain JSON. It reads the line's bytes
// in place, without decoding them, JSON.parse building objects and zod walking them, and answers
// only "this line is valid, and these are its values" or "not sure": then the caller decodes the
// line and takes it the one judged way (JSON.parse, unwrapDetail, the contract's schema), which words
// every rejection. So the scanner may give up on anything (an escape, a non-ASCII value it would
// keep, a number written 1e2 or 1.0, a duplicate key, a BOM, deep nesting) but must never accept
// what JSON.parse + the schema would reject, nor read a value differently;
// test/unit/donor-updated-scanner.property.test.ts holds it to that on generated and hostile lines.
// Each rule below is the schema's (donor-updated.ts) for the values it accepts, no looser.
//
// Written for speed (a batch reads millions of lines): the bytes being read and the position are
// module state, the fields are matched in the order writers put them (the schema's) before any
// search, and dates, which repeat, are kept as strings once read.
import { isoDateToDay } from './calendar';
import type { DonorUpdatedDetail } from './donor-updated';
import { MIN_BIRTH_YEAR, MIN_DONOR_AGE } from './donor-updated-limits';

// tsx, which runs drs and the bench, turns every use of an import into two getter calls; what a
// per-row path uses is bound once here.
const dayOf = isoDateToDay;
const MIN_YEAR = MIN_BIRTH_YEAR;
const MIN_AGE = MIN_DONOR_AGE;

/** A row the scanner read: the detail (as the schema would return it) and the event id, if any. */
export interface ScannedDetail {
  detail: DonorUpdatedDetail;
  sourceEventId: string | null;
  /**
   * Where donorId's and updatedAt's characters are in the bytes scanned, [start, end) each: ASCII
   * that JSON writes as it is (the contract's patterns allow nothing to escape). A caller that copies
   * them from there (drs score) asks for no strings: then `detail` holds '' for both.
   */
  donorIdStart: number;
  donorIdEnd: number;
  updatedAtStart: number;
  updatedAtEnd: number;
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
const DIGIT_9 = 0x39;
const SPACE = 0x20;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
/** Nesting a skipped value may have before the scanner leaves the line to JSON.parse. */
const MAX_DEPTH = 32;
/** The years whose dates are kept as strings once read (the registry's: births from 1900 on). */
const FIRST_DATE_YEAR = 1900;
const DATE_YEARS = 250;

const bytesOf = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const TRUE = bytesOf('true');
const FALSE = bytesOf('false');
const NULL = bytesOf('null');

// The fields the scanner reads, in the schema's order (the order writers use): an index each.
const DETAIL_KEYS = ['donorId', 'revision', 'updatedAt', 'donor'].map(bytesOf);
const DONOR_KEYS = ['birthYear', 'sex', 'registeredOn', 'recruitmentChannel', 'bloodDonor', 'residence', 'contactVerifiedOn', 'lastResponseOn', 'outreach12m', 'priorRequests', 'temporarilyUnavailableUntil', 'lastUnavailableReason'].map(bytesOf);
const OUTREACH_KEYS = ['attempts', 'responses'].map(bytesOf);
const PRIOR_REQUEST_KEYS = ['total', 'available'].map(bytesOf);
const WRAPPER_KEYS = ['detail', 'id'].map(bytesOf);
const ALL_DETAIL = (1 << DETAIL_KEYS.length) - 1;
const ALL_DONOR = (1 << DONOR_KEYS.length) - 1;
const SEX_VALUES = ['F', 'M', 'U'] as const;
const CHANNEL_VALUES = ['online', 'drive', 'blood_center', 'other'] as const;
const RESIDENCE_VALUES = ['domestic', 'international'] as const;
const REASON_VALUES = ['medical', 'personal', 'no_contact'] as const;
const SEX_BYTES = SEX_VALUES.map(bytesOf);
const CHANNEL_BYTES = CHANNEL_VALUES.map(bytesOf);
const RESIDENCE_BYTES = RESIDENCE_VALUES.map(bytesOf);
const REASON_BYTES = REASON_VALUES.map(bytesOf);

// The line being read: its bytes, where reading is, where the text given ends (b[limit] is a line
// end or past the bytes: nothing the scanner accepts is a line end, so it stops there by itself).
let b: Buffer = Buffer.alloc(0);
let p = 0;
let limit = 0;
// The value just read: a string's contents are b[valueStart, valueEnd); an integer is `int`.
let valueStart = 0;
let valueEnd = 0;
let int = 0;
// The month and day of the date dateAt read last (the date cache's place).
let dateMonth = 0;
let dateDay = 0;

const isDigit = (c: number) => c >= DIGIT_0 && c <= DIGIT_9;
/** `[A-Za-z0-9-]`: the donor id pattern's characters. */
const isIdChar = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= DIGIT_0 && c <= DIGIT_9) || c === MINUS;

/** Spaces and tabs: the JSON whitespace a line can hold (a CR or LF would end it). */
function space(): void {
  const bytes = b;
  let q = p;
  let c = bytes[q];
  while (c === SPACE || c === TAB) c = bytes[++q];
  p = q;
}

/**
 * `word` at p (true, false, null); advances past it. No bound is needed: p is at most the limit,
 * and b[limit] (a line end, or past the bytes) matches no letter of a word.
 */
function literal(word: Uint8Array): boolean {
  const bytes = b;
  const at = p;
  const n = word.length;
  for (let i = 0; i < n; i++) if (bytes[at + i] !== word[i]) return false;
  p = at + n;
  return true;
}

/**
 * A string at p with no escape and no control character (JSON forbids those raw; an escape is left
 * to JSON.parse); its bytes are b[valueStart, valueEnd). Advances past the closing quote.
 */
function string(): boolean {
  const bytes = b;
  let q = p;
  if (bytes[q] !== QUOTE) return false;
  const start = ++q;
  // Up to a quote, a backslash or a byte below a space: a control character or the line's end
  // (b[limit] is a line end, or past the bytes: undefined, which `>=` refuses too), no bound needed.
  let c = bytes[q];
  while (c >= SPACE && c !== QUOTE && c !== BACKSLASH) c = bytes[++q];
  // Stryker disable next-line BooleanLiteral: a string that fails leaves p at its opening quote, which every caller's next check refuses
  if (c !== QUOTE) return false;
  valueStart = start;
  valueEnd = q;
  p = q + 1;
  return true;
}

/** A string at p of ASCII bytes only: its text is one char per byte, whatever decodes it. */
function asciiString(): boolean {
  return string() && asciiToQuote(valueStart);
}

/** Whether the bytes from `at` to the next quote (the string's closing one) are all ASCII. */
function asciiToQuote(at: number): boolean {
  const bytes = b;
  for (let i = at; bytes[i] !== QUOTE; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

/** The key at p (a plain string, then `:`): its bytes are b[valueStart, valueEnd) until the value is read. */
function key(): boolean {
  if (!string()) return false;
  space();
  if (b[p] !== COLON) return false;
  p++;
  space();
  return true;
}

/**
 * The key at p among `keys`: the expected one matched byte for byte in one pass (its name holds no
 * quote, backslash or control character, so matching it also checks it as a JSON string), any other
 * read as a string and looked up among the rest. Its index; -2 for a key not in `keys`; -1 when not JSON.
 */
function fieldKey(keys: readonly Uint8Array[], expected: number): number {
  if (expected < keys.length && plainKey(keys[expected])) {
    space();
    if (b[p] !== COLON) return -1;
    p++;
    space();
    return expected;
  }
  if (!key()) return -1;
  // Not the expected key (plainKey would have matched it): only the others are looked up.
  const length = valueEnd - valueStart;
  for (let k = expected - 1; k >= 0; k--) if (sameBytes(keys[k], length)) return k;
  for (let k = expected + 1; k < keys.length; k++) if (sameBytes(keys[k], length)) return k;
  return -2;
}

/** `"name"` at p, byte for byte; advances past it. */
function plainKey(name: Uint8Array): boolean {
  const bytes = b;
  const at = p + 1;
  const n = name.length;
  if (bytes[p] !== QUOTE || bytes[at + n] !== QUOTE) return false;
  for (let i = 0; i < n; i++) if (bytes[at + i] !== name[i]) return false;
  p = at + n + 1;
  return true;
}

/** The key just read among `keys`: its index, or -1. */
function keyIndex(keys: readonly Uint8Array[]): number {
  const length = valueEnd - valueStart;
  for (let k = 0; k < keys.length; k++) if (sameBytes(keys[k], length)) return k;
  return -1;
}

function sameBytes(name: Uint8Array, length: number): boolean {
  if (name.length !== length) return false;
  const bytes = b;
  const at = valueStart;
  for (let i = 0; i < length; i++) if (bytes[at + i] !== name[i]) return false;
  return true;
}

/** After a member: `,` (then the next key's position, true) or `}` (false, past it); -1 when neither. */
function nextMember(): number {
  space();
  const c = b[p++];
  if (c === COMMA) {
    space();
    return 1;
  }
  return c === CLOSE_BRACE ? 0 : -1;
}

/** A non-negative integer written plainly (no sign, fraction or exponent) into `int`. */
function integer(): boolean {
  const bytes = b;
  const start = p;
  let q = start;
  let c = bytes[q];
  if (!isDigit(c)) return false;
  let v = 0;
  do {
    v = v * 10 + (c - DIGIT_0);
    c = bytes[++q];
  } while (isDigit(c));
  // 01 is not JSON; long numbers are, but are left to JSON.parse (past 16 digits v is above the
  // largest safe integer). 1.0 and 1e2 are too: the caller refuses the `.`, `e` or `E` that follows,
  // which is neither `,` nor `}`.
  // Stryker disable next-line BooleanLiteral: p stays at the number, a digit, which the caller's next check refuses
  if (v > Number.MAX_SAFE_INTEGER || (q - start > 1 && bytes[start] === DIGIT_0)) return false;
  int = v;
  p = q;
  return true;
}

/** One of `options` as a string at p: its index, or -1. */
function oneOf(options: readonly Uint8Array[]): number {
  if (!string()) return -1;
  const length = valueEnd - valueStart;
  for (let k = 0; k < options.length; k++) if (sameBytes(options[k], length)) return k;
  return -1;
}

function digitsAt(at: number, n: number): number {
  const bytes = b;
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = bytes[i];
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - DIGIT_0);
  }
  return v;
}

/**
 * zod's `z.iso.date()` on b[at, at + 10): YYYY-MM-DD, a month 01-12 and a day that month has
 * (29 February in leap years: the last two year digits divisible by 4 and not 00, or 00 and the
 * first two divisible by 4), as zod's pattern spells it. Returns the year (0-9999), or -1.
 */
function dateAt(at: number): number {
  const century = digitsAt(at, 2);
  const yy = digitsAt(at + 2, 2);
  const month = digitsAt(at + 5, 2);
  const day = digitsAt(at + 8, 2);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1 || b[at + 4] !== MINUS || b[at + 7] !== MINUS) return -1;
  const ok = month === 2 ? day <= 28 || (day === 29 && (yy === 0 ? century % 4 === 0 : yy % 4 === 0)) : month === 4 || month === 6 || month === 9 || month === 11 ? day <= 30 : day <= 31;
  dateMonth = month;
  dateDay = day;
  return ok ? century * 100 + yy : -1;
}

/** `HH:MM` at `at`, hours 00-23 and minutes 00-59, as zod's pattern spells it. */
function hoursMinutesAt(at: number): boolean {
  const hours = digitsAt(at, 2);
  const minutes = digitsAt(at + 3, 2);
  return hours >= 0 && hours <= 23 && b[at + 2] === COLON && minutes >= 0 && minutes <= 59;
}

/**
 * zod's `z.iso.datetime({ offset: true })` on b[a, e): a date, `T`, HH:MM:SS with optional
 * fractional digits, then `Z` or an offset ±HH:MM (seconds required, capital T and Z). No length
 * check: the zone comes after 19 characters at least and must end exactly at e, so nothing shorter
 * than 20 passes (the few fixed places read past a short text's end are read, never kept).
 */
function dateTimeIn(a: number, e: number): boolean {
  if (dateAt(a) < 0 || b[a + 10] !== 0x54 || !hoursMinutesAt(a + 11) || b[a + 16] !== COLON) return false;
  const seconds = digitsAt(a + 17, 2);
  if (seconds < 0 || seconds > 59) return false;
  let q = a + 19;
  if (b[q] === DOT) {
    const first = ++q;
    // Not bounded by e: digits up to e or past it leave no zone that ends at e, false either way
    // (in a line b[e] is the closing quote).
    while (isDigit(b[q])) q++;
    if (q === first) return false;
  }
  const zone = b[q];
  if (zone === 0x5a) return q + 1 === e;
  return (zone === PLUS || zone === MINUS) && q + 6 === e && hoursMinutesAt(q + 1);
}

/** The text of b[a, e), bytes 0x00-0x7f only (checked by the caller): one char per byte, as UTF-8 reads them. */
function asciiText(a: number, e: number): string {
  return b.toString('latin1', a, e);
}

/** Any JSON value at p, checked as JSON.parse checks it (strings without escapes only); advances past it. */
function skip(depth: number): boolean {
  const c = b[p];
  if (c === QUOTE) return string();
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    // Stryker disable next-line BooleanLiteral: p stays at the bracket, which the caller's next check refuses
    if (depth >= MAX_DEPTH) return false;
    const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
    p++;
    space();
    if (b[p] === close) {
      p++;
      return true;
    }
    for (;;) {
      if (c === OPEN_BRACE) {
        if (!string()) return false;
        space();
        if (b[p++] !== COLON) return false;
        space();
      }
      if (!skip(depth + 1)) return false;
      space();
      const next = b[p++];
      if (next === close) return true;
      if (next !== COMMA) return false;
      space();
    }
  }
  if (c === 0x74) return literal(TRUE);
  if (c === 0x66) return literal(FALSE);
  if (c === 0x6e) return literal(NULL);
  return number();
}

/** A JSON number at p (-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), only checked; advances past it. */
function number(): boolean {
  const bytes = b;
  let q = p;
  if (bytes[q] === MINUS) q++;
  let c = bytes[q];
  if (c === DIGIT_0) c = bytes[++q];
  else if (isDigit(c)) {
    do c = bytes[++q];
    while (isDigit(c));
  } else return false;
  if (c === DOT) {
    const first = ++q;
    while (isDigit(bytes[q])) q++;
    // Stryker disable next-line BooleanLiteral: p stays at the number, which the caller's next check refuses
    if (q === first) return false;
    c = bytes[q];
  }
  if (c === 0x65 || c === 0x45) {
    c = bytes[++q];
    if (c === PLUS || c === MINUS) q++;
    const first = q;
    while (isDigit(bytes[q])) q++;
    // Stryker disable next-line BooleanLiteral: p stays at the number, which the caller's next check refuses
    if (q === first) return false;
  }
  p = q;
  return true;
}

const newDetail = (): DonorUpdatedDetail => ({
  // Stryker disable next-line StringLiteral: every field is written before an answer is given
  donorId: '',
  revision: 0,
  // Stryker disable next-line StringLiteral: every field is written before an answer is given
  updatedAt: '',
  donor: {
    birthYear: 0,
    // Stryker disable next-line StringLiteral: every field is written before an answer is given
    sex: 'U',
    // Stryker disable next-line StringLiteral: every field is written before an answer is given
    registeredOn: '',
    // Stryker disable next-line StringLiteral: every field is written before an answer is given
    recruitmentChannel: 'other',
    // Stryker disable next-line BooleanLiteral: every field is written before an answer is given
    bloodDonor: false,
    // Stryker disable next-line StringLiteral: every field is written before an answer is given
    residence: 'domestic',
    contactVerifiedOn: null,
    lastResponseOn: null,
    // Stryker disable next-line ObjectLiteral: both counts are written before an answer is given, in this order
    outreach12m: { attempts: 0, responses: 0 },
    // Stryker disable next-line ObjectLiteral: both counts are written before an answer is given, in this order
    priorRequests: { total: 0, available: 0 },
    temporarilyUnavailableUntil: null,
    lastUnavailableReason: null,
  },
});

interface Slot {
  nested: DonorUpdatedDetail;
  bare: DonorUpdatedDetail;
  /** donorId's and updatedAt's places (start, end, start, end) for `nested` and for `bare`. */
  nestedAt: Int32Array;
  bareAt: Int32Array;
  result: ScannedDetail;
}

/**
 * Reads lines judged as of one scoring date. `scan` fills objects of its own (one set per slot),
 * which the next `scan` into the same slot overwrites: a caller keeps what it needs at once.
 */
export class DonorUpdatedScanner {
  private readonly scoringDay: number;
  private readonly slots: Slot[];
  /** A date's text by its place in DATE_YEARS years (a registry's dates repeat: each is made a string once). */
  // Stryker disable next-line ArrayDeclaration: a cache of date texts: an empty array caches the same texts
  private readonly dates: (string | undefined)[] = new Array(DATE_YEARS * 12 * 31).fill(undefined);
  private countA = 0;
  private countB = 0;
  /** The year of the last date read (registeredOn's feeds a cross-field rule). */
  private year = 0;
  private registeredYear = 0;

  /**
   * `slots`: how many answers a caller keeps at once. `texts: false`: donorId and updatedAt are not
   * made strings (the caller copies their bytes, see ScannedDetail).
   */
  constructor(scoringDate: string, slots = 1, private readonly texts = true) {
    this.scoringDay = isoDateToDay(scoringDate);
    this.slots = Array.from({ length: slots }, () => {
      const nested = newDetail();
      // Stryker disable next-line ObjectLiteral: every field of the result is written before an answer is given
      const result = { detail: nested, sourceEventId: null, donorIdStart: 0, donorIdEnd: 0, updatedAtStart: 0, updatedAtEnd: 0 };
      return { nested, bare: newDetail(), nestedAt: new Int32Array(4), bareAt: new Int32Array(4), result };
    });
  }

  /**
   * Reads the line that starts at `start` in `bytes` (lines end at LF or CR; `end` is where the
   * text ends, and bytes[end], if any, must be a line end). When it is a valid detail written plainly,
   * returns where the line ends (its LF or CR, or `end`) and `result(slot)` holds it; otherwise -1.
   */
  scan(bytes: Buffer, start: number, end: number, slot = 0): number {
    if (end < bytes.length && bytes[end] !== LF && bytes[end] !== CR) return -1;
    b = bytes;
    p = start;
    limit = end;
    const found = this.line(this.slots[slot]);
    b = EMPTY;
    return found;
  }

  /** The answer of the last successful `scan` into `slot`. */
  result(slot = 0): ScannedDetail {
    return this.slots[slot].result;
  }

  private line({ nested, bare, nestedAt, bareAt, result }: Slot): number {
    space();
    if (b[p] !== OPEN_BRACE) return -1;
    p++;
    space();
    let bareFields = 0;
    let hasDetail = false;
    let hasId = false;
    let idStart = -1;
    // Stryker disable next-line UnaryOperator: idEnd is read only when idStart was set with it
    let idEnd = -1;
    for (;;) {
      if (!key()) return -1;
      const wrapperKey = keyIndex(WRAPPER_KEYS);
      // Stryker disable next-line UnaryOperator: field is read only when wrapperKey < 0
      const field = wrapperKey < 0 ? keyIndex(DETAIL_KEYS) : -1;
      if (wrapperKey === 0) {
        if (hasDetail || b[p] !== OPEN_BRACE || !this.detail(nested, nestedAt)) return -1;
        hasDetail = true;
      } else if (wrapperKey === 1) {
        if (hasId) return -1;
        hasId = true;
        if (b[p] === QUOTE) {
          if (!asciiString()) return -1;
          idStart = valueStart;
          idEnd = valueEnd;
        } else if (!skip(0)) return -1;
      } else if (field >= 0) {
        // The line may be a bare detail: its own fields are read as a detail's.
        if (bareFields & (1 << field) || !this.detailField(field, bare, bareAt)) return -1;
        bareFields |= 1 << field;
      } else if (!skip(0)) return -1;
      const more = nextMember();
      if (more < 0) return -1;
      if (more === 0) break;
    }
    // Only spaces may follow the object on its line.
    space();
    if (p < limit && b[p] !== LF && b[p] !== CR) return -1;
    let at = nestedAt;
    if (hasDetail) {
      result.detail = nested;
      result.sourceEventId = idStart >= 0 ? asciiText(idStart, idEnd) : null;
    } else {
      if (bareFields !== ALL_DETAIL) return -1;
      result.detail = bare;
      result.sourceEventId = null;
      at = bareAt;
    }
    result.donorIdStart = at[0];
    result.donorIdEnd = at[1];
    result.updatedAtStart = at[2];
    result.updatedAtEnd = at[3];
    return p;
  }

  /** A whole detail object at p into `detail` (and its two texts' places into `at`). */
  private detail(detail: DonorUpdatedDetail, at: Int32Array): boolean {
    p++;
    space();
    let met = 0;
    let expected = 0;
    for (;;) {
      const field = fieldKey(DETAIL_KEYS, expected);
      if (field === -1) return false;
      if (field >= 0) {
        if (met & (1 << field) || !this.detailField(field, detail, at)) return false;
        met |= 1 << field;
        expected = field + 1;
      } else if (!skip(0)) return false;
      const more = nextMember();
      if (more < 0) return false;
      if (more === 0) break;
    }
    return met === ALL_DETAIL;
  }

  private detailField(field: number, detail: DonorUpdatedDetail, at: Int32Array): boolean {
    switch (field) {
      case 0: {
        if (!string()) return false;
        const length = valueEnd - valueStart;
        if (length < 4 || length > 40) return false;
        const bytes = b;
        for (let i = valueStart, end = valueEnd; i < end; i++) if (!isIdChar(bytes[i])) return false;
        at[0] = valueStart;
        at[1] = valueEnd;
        detail.donorId = this.texts ? asciiText(valueStart, valueEnd) : '';
        return true;
      }
      case 1:
        if (!integer() || int < 1) return false;
        detail.revision = int;
        return true;
      case 2:
        if (!string() || !dateTimeIn(valueStart, valueEnd)) return false;
        at[2] = valueStart;
        at[3] = valueEnd;
        detail.updatedAt = this.texts ? asciiText(valueStart, valueEnd) : '';
        return true;
      default:
        return b[p] === OPEN_BRACE && this.donor(detail.donor);
    }
  }

  /** A date string at p into its text, or null for `null` when `nullable`; undefined when neither. */
  private date(nullable: boolean): string | null | undefined {
    if (b[p] === 0x6e) return nullable && literal(NULL) ? null : undefined;
    if (!string() || valueEnd - valueStart !== 10) return undefined;
    const dateYear = dateAt(valueStart);
    if (dateYear === -1) return undefined;
    this.year = dateYear;
    // Stryker disable next-line ArithmeticOperator: a year out of the cached range only skips the cache, same text
    const yearIndex = dateYear - FIRST_DATE_YEAR;
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: the cache: a date out of it is the same text made again; one in it beyond the array is kept as a property
    if (yearIndex < 0 || yearIndex >= DATE_YEARS) return asciiText(valueStart, valueEnd);
    // The date's place: (year - first year) x 372 + (month - 1) x 31 + day - 1 (dateAt's month and
    // day). A test reads every cached date through one scanner: two dates in one place would show.
    // Stryker disable next-line ArithmeticOperator: any one operator changed still keeps two dates apart (days 1-31 in steps of 31 a month, 12 x 31 in 372 a year; a place past the array is kept as a property): the same texts
    const place = yearIndex * 372 + dateMonth * 31 + dateDay - 32;
    // Each date's text is made once.
    return this.dates[place] ?? (this.dates[place] = asciiText(valueStart, valueEnd));
  }

  /** The donor object at p, every field present and within the schema's rules. */
  private donor(donor: DonorUpdatedDetail['donor']): boolean {
    p++;
    space();
    let met = 0;
    let expected = 0;
    for (;;) {
      const field = fieldKey(DONOR_KEYS, expected);
      if (field === -1) return false;
      if (field >= 0) {
        if (met & (1 << field) || !this.donorField(field, donor)) return false;
        met |= 1 << field;
        expected = field + 1;
      } else if (!skip(0)) return false;
      const more = nextMember();
      if (more < 0) return false;
      if (more === 0) break;
    }
    if (met !== ALL_DONOR) return false;
    // The schema's cross-field rules (its superRefine); registeredOn's year is the one its date had.
    if (dayOf(donor.registeredOn) > this.scoringDay) return false;
    if (this.registeredYear < donor.birthYear + MIN_AGE) return false;
    if (donor.outreach12m.responses > donor.outreach12m.attempts) return false;
    return donor.priorRequests.available <= donor.priorRequests.total;
  }

  private donorField(field: number, donor: DonorUpdatedDetail['donor']): boolean {
    switch (field) {
      case 0:
        // The schema's maximum (the scoring year - 17) is not checked here: the cross-field rules
        // imply it (registeredOn not after the scoring date, its year not before birth + 17).
        if (!integer() || int < MIN_YEAR) return false;
        donor.birthYear = int;
        return true;
      case 1: {
        const k = oneOf(SEX_BYTES);
        if (k < 0) return false;
        donor.sex = SEX_VALUES[k];
        return true;
      }
      case 2: {
        // Stryker disable next-line BooleanLiteral: a null registeredOn is refused by the `== null` test below as well
        const text = this.date(false);
        if (text == null) return false;
        donor.registeredOn = text;
        this.registeredYear = this.year;
        return true;
      }
      case 3: {
        const k = oneOf(CHANNEL_BYTES);
        if (k < 0) return false;
        donor.recruitmentChannel = CHANNEL_VALUES[k];
        return true;
      }
      case 4:
        if (literal(TRUE)) donor.bloodDonor = true;
        else if (literal(FALSE)) donor.bloodDonor = false;
        else return false;
        return true;
      case 5: {
        const k = oneOf(RESIDENCE_BYTES);
        if (k < 0) return false;
        donor.residence = RESIDENCE_VALUES[k];
        return true;
      }
      case 6: {
        const text = this.date(true);
        if (text === undefined) return false;
        donor.contactVerifiedOn = text;
        return true;
      }
      case 7: {
        const text = this.date(true);
        if (text === undefined) return false;
        donor.lastResponseOn = text;
        return true;
      }
      case 8:
        if (!this.counts(OUTREACH_KEYS)) return false;
        donor.outreach12m.attempts = this.countA;
        donor.outreach12m.responses = this.countB;
        return true;
      case 9:
        if (!this.counts(PRIOR_REQUEST_KEYS)) return false;
        donor.priorRequests.total = this.countA;
        donor.priorRequests.available = this.countB;
        return true;
      case 10: {
        const text = this.date(true);
        if (text === undefined) return false;
        donor.temporarilyUnavailableUntil = text;
        return true;
      }
      default: {
        if (literal(NULL)) {
          donor.lastUnavailableReason = null;
          return true;
        }
        const k = oneOf(REASON_BYTES);
        if (k < 0) return false;
        donor.lastUnavailableReason = REASON_VALUES[k];
        return true;
      }
    }
  }

  /** `{a: count, b: count}` (other fields dropped, as the schema drops them) into countA, countB. */
  private counts(keys: readonly Uint8Array[]): boolean {
    if (b[p] !== OPEN_BRACE) return false;
    p++;
    space();
    let met = 0;
    let expected = 0;
    for (;;) {
      const field = fieldKey(keys, expected);
      if (field === -1) return false;
      if (field >= 0) {
        if (met & (1 << field) || !integer()) return false;
        if (field === 0) this.countA = int;
        else this.countB = int;
        met |= 1 << field;
        expected = field + 1;
      } else if (!skip(0)) return false;
      const more = nextMember();
      if (more < 0) return false;
      if (more === 0) break;
    }
    return met === 3;
  }
}

const EMPTY = Buffer.alloc(0);

/** zod's `z.iso.date()` as the scanner checks it, on text (its tests hold the two together). */
export function isIsoDate(text: string): boolean {
  // UTF-8, not latin1: latin1 keeps only a char's low byte, and 'ı' (U+0131) would read as the digit 1.
  b = Buffer.from(text);
  const ok = text.length === 10 && dateAt(0) >= 0;
  b = EMPTY;
  return ok;
}

/** zod's `z.iso.datetime({ offset: true })` as the scanner checks it, on text. */
export function isIsoDateTime(text: string): boolean {
  // UTF-8, as above: a non-ASCII char is then bytes no rule accepts.
  b = Buffer.from(text);
  const ok = dateTimeIn(0, text.length);
  b = EMPTY;
  return ok;
}

