// A score record's JSON text straight from a batch's columns: byte for byte what
// `JSON.stringify(buildScoreRecord(...))` gives (a test holds the two together on generated and
// hostile rows), without building the record object and walking it. The parts that are the same
// for every row of a run (model, dates, key names) are written once; reasons are a handful of
// combinations, each serialised once. Batch output is dominated by this text, so it matters.
// `write` puts the same bytes straight into an output buffer (what drs score does): no string per
// record to build, flatten and encode; the constant parts are copied as ready bytes.
import { FEATURE_NAMES } from './features';
import type { Band, ReasonCode } from './model-manifest';
import { recordedScore } from './score-record';

// tsx, which runs drs and the bench, turns every use of an import into two getter calls; what a
// per-row path uses is bound once here.
const recorded = recordedScore;

/** JSON.stringify of a number: `null` for what JSON has no number for. */
const jsonNumber = (x: number): string => (Number.isFinite(x) ? `${x}` : 'null');
// What JSON.stringify escapes in a string: quotes, backslashes, control and surrogate code units.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const ZEROS = ['', '0', '00', '000', '0000', '00000'];
/**
 * JSON.stringify of `x` when `x` is a value rounded to `digits` decimals (features: 4, the score: 6):
 * the shortest decimal that reads back as `x` is then that rounded decimal itself, which whole
 * numbers print faster than the general double-to-text (which prints anything else).
 */
function roundedNumber(x: number, digits: number, scale: number): string {
  // A guard made stricter only sends more values to the general path, which writes the same text:
  // those mutants are equivalent (k = round(x / scale), k * scale !== x, k > 0, k < 2^31 - 1, `true`).
  // A looser guard writes wrong text, which the property test (score-record-json) catches.
  // Stryker disable next-line ArithmeticOperator: only a stricter guard (above)
  const k = Math.round(x * scale);
  // Stryker disable next-line ConditionalExpression,ArithmeticOperator,EqualityOperator: only a stricter guard (above)
  if (k / scale !== x || !(k >= 0 && k <= 0x7fffffff)) return jsonNumber(x);
  const whole = Math.floor(k / scale);
  let fraction = k - whole * scale;
  if (fraction === 0) return `${whole}`;
  let width = digits;
  while (fraction % 10 === 0) {
    fraction /= 10;
    width -= 1;
  }
  const text = `${fraction}`;
  return `${whole}.${ZEROS[width - text.length]}${text}`;
}
const jsonString = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

const QUOTE = 0x22;
const MINUS = 0x2d;
const DOT = 0x2e;
const DIGIT_0 = 0x30;
/** UTF-8 bytes of a constant part (JSON keys, model ids, dates: ASCII but for odd scoredAt texts). */
const asciiBytes = (text: string): Buffer => Buffer.from(text);
/**
 * The longest text JSON.stringify gives a number: 25 bytes, -0.0000012345678901234567. A number's
 * text (ECMAScript Number::toString) has k <= 17 significant digits and a decimal exponent n, and is
 * written as the k digits and n - k zeros (n <= 21 bytes), the digits with a point (k + 1 <= 18),
 * "0.", -n zeros and the digits when -6 < n <= 0 (2 + 5 + 17 = 24), or d.ddd then e, a sign and at
 * most 3 digits (17 + 1 + 1 + 1 + 3 = 23); a minus sign adds one. `null` (NaN, Infinity) takes 4.
 */
const MAX_NUMBER_BYTES = 25;
/**
 * Bytes of a JSON string of n UTF-16 units, at most: 6 a unit (\u001f; a character UTF-8 writes in
 * 3 bytes is one unit, in 4 two units) and its quotes; `null` takes 4. Reached by control characters.
 */
const jsonStringBytes = (s: string | null) => (s === null ? 4 : 6 * s.length + 2);

/**
 * Copies `bytes` to out[at...]. set() costs about the same whatever the length (~19 ns here), a loop
 * ~1.5 ns a byte: past a dozen bytes set() wins (measured: 16 bytes 19 vs 31 ns).
 */
function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: either way copies the same bytes
  if (n > 12) out.set(bytes, at);
  // Counting down: a bound one byte off then writes over the byte before (which shows), not one past
  // the end (which the next part would overwrite unseen).
  else for (let i = n; i-- > 0; ) out[at + i] = bytes[i];
  return at + n;
}

/** A whole number 0 <= n < 2^53 in decimal, as JSON.stringify writes it. */
function putWhole(out: Uint8Array, at: number, n: number): number {
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  for (let i = at + digits - 1; i >= at; i--) {
    out[i] = DIGIT_0 + (n % 10);
    n = Math.floor(n / 10);
  }
  return at + digits;
}

/** A safe integer in decimal, as JSON.stringify writes it (-0 as 0). */
function putInteger(out: Uint8Array, at: number, n: number): number {
  if (n < 0) {
    out[at++] = MINUS;
    n = -n;
  }
  return putWhole(out, at, n);
}

/** Text known to be ASCII (what JSON.stringify gives a number), byte per char (counting down, as in put). */
function putAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = text.length; i-- > 0; ) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/** `roundedNumber` written as bytes: the same text. */
function putRounded(out: Uint8Array, at: number, x: number, digits: number, scale: number): number {
  // The same guard as roundedNumber (its Stryker notes hold here too): anything else the general way.
  // Stryker disable next-line ArithmeticOperator: only a stricter guard
  const k = Math.round(x * scale);
  // Stryker disable next-line ConditionalExpression,ArithmeticOperator,EqualityOperator: only a stricter guard
  if (k / scale !== x || !(k >= 0 && k <= 0x7fffffff)) return putAscii(out, at, jsonNumber(x));
  const whole = Math.floor(k / scale);
  let fraction = k - whole * scale;
  at = putWhole(out, at, whole);
  if (fraction === 0) return at;
  let width = digits;
  while (fraction % 10 === 0) {
    fraction /= 10;
    width -= 1;
  }
  out[at] = DOT;
  // The fraction's digits, zero-padded to its width.
  for (let i = at + width; i > at; i--) {
    out[i] = DIGIT_0 + (fraction % 10);
    fraction = Math.floor(fraction / 10);
  }
  return at + width + 1;
}

/** bytes[start, end) in quotes: text that JSON writes as it is. */
function putQuoted(out: Uint8Array, at: number, bytes: Uint8Array, start: number, end: number): number {
  out[at++] = QUOTE;
  for (let i = start; i < end; i++) out[at++] = bytes[i];
  out[at++] = QUOTE;
  return at;
}

/** `jsonString` written as UTF-8 bytes; `out` must have room for `jsonStringBytes(s)`. */
function putString(out: Buffer, at: number, s: string): number {
  const start = at;
  out[at++] = QUOTE;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Anything JSON.stringify escapes, or that UTF-8 writes in more than one byte: the general way.
    if (c < 0x20 || c === QUOTE || c === 0x5c || c > 0x7f) return start + out.write(jsonString(s), start);
    out[at++] = c;
  }
  out[at++] = QUOTE;
  return at;
}

export interface ScoreRecordRun {
  modelVersion: string;
  modelSha256: string;
  scoringDate: string;
  scoredAt: string;
  /** The reason codes a reason key stands for (`LogitExplainer.reasonsOfKey`). */
  reasonsOfKey: (key: number) => ReasonCode[];
}

export interface ScoreRecordRow {
  donorId: string;
  revision: number;
  updatedAt: string;
  sourceEventId: string | null;
  /** The model's probability (as `Prediction.score`). */
  probability: number;
  band: Band;
  reasonKey: number;
  /**
   * For `write` only, optional: the input bytes donorId and updatedAt were read from (drs score's
   * scanner: characters JSON writes as they are, see ScannedDetail), copied from
   * textBytes[donorIdStart, donorIdEnd) and textBytes[updatedAtStart, updatedAtEnd); the two strings
   * are then not read. Null or absent: the strings.
   */
  textBytes?: Uint8Array | null;
  donorIdStart?: number;
  donorIdEnd?: number;
  updatedAtStart?: number;
  updatedAtEnd?: number;
}

/** A record's band, reasons and model as one part, and its reasons' length (for `maxBytes`). */
interface Middle {
  bytes: Buffer;
  reasonsLength: number;
}

export class ScoreRecordJson {
  private readonly reasonsText = new Map<number, string>();
  /** Per band, per reason key: `,"band":…,"reasons":[…],"modelVersion":…,"modelSha256":…,"revision":`, copied at once. */
  private readonly middles = new Map<string, Map<number, Middle>>();
  private readonly modelBytes: Buffer;
  private datesBytes: Buffer;
  private readonly featureKeyBytes: Buffer[];
  private readonly featurePairBytes: Buffer[][];
  /** Bytes of a record besides its dates, reasons, band and its three strings: its numbers at most, the rest exactly. */
  private readonly fixedBytes: number;
  private readonly modelText: string;
  private datesText: string;
  private readonly featureKeys: string[];
  /** `"name":v` of each feature for the whole numbers 0..12 most values are (indicators, counts). */
  private readonly featurePairs: string[][];

  constructor(private readonly run: ScoreRecordRun) {
    this.modelText = `,"modelVersion":${JSON.stringify(run.modelVersion)},"modelSha256":${JSON.stringify(run.modelSha256)},"revision":`;
    this.datesText = this.datesTextOf(run.scoredAt);
    this.featureKeys = FEATURE_NAMES.map((name, i) => `${i ? ',' : ''}${JSON.stringify(name)}:`);
    this.featurePairs = this.featureKeys.map((key) => Array.from({ length: 13 }, (_, v) => `${key}${v}`));
    this.modelBytes = asciiBytes(this.modelText);
    this.datesBytes = asciiBytes(this.datesText);
    this.featureKeyBytes = this.featureKeys.map(asciiBytes);
    this.featurePairBytes = this.featurePairs.map((pairs) => pairs.map(asciiBytes));
    const featureBytes = this.featureKeyBytes.reduce((n, key) => n + key.length + MAX_NUMBER_BYTES, 0);
    // `{"donorId":` ... `,"score":`, the score, `,"band":`, `,"reasons":`, the model, the revision, ... the features and `}}`.
    this.fixedBytes = OPEN.length + SCORE.length + MAX_NUMBER_BYTES + BAND.length + REASONS.length + this.modelBytes.length + MAX_NUMBER_BYTES + SOURCE_EVENT_ID.length + UPDATED_AT.length + featureBytes + 2;
  }

  /** A batch scored later in the same run says so (`scoredAt` is per batch). */
  set scoredAt(scoredAt: string) {
    this.datesText = this.datesTextOf(scoredAt);
    this.datesBytes = asciiBytes(this.datesText);
  }

  private datesTextOf(scoredAt: string): string {
    return `,"scoringDate":${JSON.stringify(this.run.scoringDate)},"scoredAt":${JSON.stringify(scoredAt)},"features":{`;
  }

  // The caches below are filled with `??`: an `if` around the filling would have a mutant that fills
  // them every time, the same bytes, which no test could tell from the cache.
  private reasonsTextOf(key: number): string {
    return this.reasonsText.get(key) ?? this.keep(this.reasonsText, key, JSON.stringify(this.run.reasonsOfKey(key)));
  }

  // No memo of the last part asked for: it saved two map lookups a row and gave the same bytes
  // (five equivalent mutants, seventh session's Stryker run).
  private middleOf(band: Band, key: number): Middle {
    const ofBand = this.middles.get(band) ?? this.keep(this.middles, band, new Map<number, Middle>());
    return ofBand.get(key) ?? this.keep(ofBand, key, this.middleBytes(band, key));
  }

  private middleBytes(band: Band, key: number): Middle {
    const reasons = Buffer.from(this.reasonsTextOf(key));
    return { bytes: Buffer.concat([BAND, Buffer.from(jsonString(band)), REASONS, reasons, this.modelBytes]), reasonsLength: reasons.length };
  }

  private keep<K, V>(cache: Map<K, V>, key: K, value: V): V {
    cache.set(key, value);
    return value;
  }

  /**
   * Room `write` may need for `row`: what to make room for before writing. Exact but for its numbers
   * (MAX_NUMBER_BYTES each) and its strings (jsonStringBytes each; copied input bytes exactly), so
   * `maxBytes(row) - written` is the unused room of those alone, which the tests hold it to.
   */
  maxBytes(row: ScoreRecordRow): number {
    const texts = row.textBytes ? (row.donorIdEnd ?? 0) - (row.donorIdStart ?? 0) + (row.updatedAtEnd ?? 0) - (row.updatedAtStart ?? 0) + 4 : jsonStringBytes(row.donorId) + jsonStringBytes(row.updatedAt);
    return this.fixedBytes + this.datesBytes.length + this.middleOf(row.band, row.reasonKey).reasonsLength + texts + jsonStringBytes(row.sourceEventId) + jsonStringBytes(row.band);
  }

  /**
   * The record of one row written as UTF-8 into `out` from `at` (room for `maxBytes(row)` there):
   * byte for byte `text(...)` encoded. Returns where it ends.
   */
  write(row: ScoreRecordRow, features: Float64Array, offset: number, out: Buffer, at: number): number {
    const texts = row.textBytes;
    at = put(out, at, OPEN);
    at = texts ? putQuoted(out, at, texts, row.donorIdStart ?? 0, row.donorIdEnd ?? 0) : putString(out, at, row.donorId);
    at = put(out, at, SCORE);
    at = putRounded(out, at, recorded(row.probability), 6, 1e6);
    at = put(out, at, this.middleOf(row.band, row.reasonKey).bytes);
    const revision = row.revision;
    at = Number.isSafeInteger(revision) ? putInteger(out, at, revision) : putAscii(out, at, jsonNumber(revision));
    if (row.sourceEventId === null) at = put(out, at, NO_SOURCE_EVENT_ID);
    else at = put(out, putString(out, put(out, at, SOURCE_EVENT_ID), row.sourceEventId), UPDATED_AT);
    at = texts ? putQuoted(out, at, texts, row.updatedAtStart ?? 0, row.updatedAtEnd ?? 0) : putString(out, at, row.updatedAt);
    at = put(out, at, this.datesBytes);
    const keys = this.featureKeyBytes;
    const pairs = this.featurePairBytes;
    for (let i = 0; i < keys.length; i++) {
      const x = features[offset + i];
      // As in `text`: a whole number 0..12 takes its ready bytes (-0 too).
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a stricter test only sends more values the general way, same bytes
      if (x >= 0 && x <= 12 && x === Math.floor(x)) at = put(out, at, pairs[i][x]);
      else at = putRounded(out, put(out, at, keys[i]), x, 4, 1e4);
    }
    out[at++] = 0x7d;
    out[at++] = 0x7d;
    return at;
  }

  /** The record of one row (its strings: `textBytes` is for `write`); its features are row `offset / FEATURE_COUNT` of a batch's matrix. */
  text(row: ScoreRecordRow, features: Float64Array, offset: number): string {
    const reasons = this.reasonsTextOf(row.reasonKey);
    let text =
      `{"donorId":${jsonString(row.donorId)},"score":${roundedNumber(recordedScore(row.probability), 6, 1e6)},"band":${jsonString(row.band)},"reasons":${reasons}` +
      `${this.modelText}${jsonNumber(row.revision)},"sourceEventId":${row.sourceEventId === null ? 'null' : jsonString(row.sourceEventId)},"updatedAt":${jsonString(row.updatedAt)}${this.datesText}`;
    const keys = this.featureKeys;
    for (let i = 0; i < keys.length; i++) {
      const x = features[offset + i];
      // A whole number 0..12 takes its ready text (-0 too: featurePairs[i][-0] is "name":0, as JSON writes -0).
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a stricter test (x > 0, x < 12, false) only sends more values the general way, same text
      text += x >= 0 && x <= 12 && x === Math.floor(x) ? this.featurePairs[i][x] : keys[i] + roundedNumber(x, 4, 1e4);
    }
    return `${text}}}`;
  }
}

const OPEN = asciiBytes('{"donorId":');
const SCORE = asciiBytes(',"score":');
const BAND = asciiBytes(',"band":');
const REASONS = asciiBytes(',"reasons":');
const SOURCE_EVENT_ID = asciiBytes(',"sourceEventId":');
const UPDATED_AT = asciiBytes(',"updatedAt":');
/** The two together when there is no source event id (most rows). */
const NO_SOURCE_EVENT_ID = asciiBytes(',"sourceEventId":null,"updatedAt":');
