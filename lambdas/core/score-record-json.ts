// A score record's JSON text straight from a batch's columns: byte for byte what
// `JSON.stringify(buildScoreRecord(...))` gives (a test holds the two together on generated and
// hostile rows), without building the record object and walking it. The parts that are the same
// for every row of a run (model, dates, key names) are written once; reasons are a handful of
// combinations, each serialised once. Batch output is dominated by this text, so it matters.
import { FEATURE_NAMES } from './features';
import type { Band, ReasonCode } from './model-manifest';
import { recordedScore } from './score-record';

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
}

export class ScoreRecordJson {
  private readonly reasonsText = new Map<number, string>();
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
  }

  /** A batch scored later in the same run says so (`scoredAt` is per batch). */
  set scoredAt(scoredAt: string) {
    this.datesText = this.datesTextOf(scoredAt);
  }

  private datesTextOf(scoredAt: string): string {
    return `,"scoringDate":${JSON.stringify(this.run.scoringDate)},"scoredAt":${JSON.stringify(scoredAt)},"features":{`;
  }

  /** The record of one row; its features are row `offset / FEATURE_COUNT` of a batch's matrix. */
  text(row: ScoreRecordRow, features: Float64Array, offset: number): string {
    let reasons = this.reasonsText.get(row.reasonKey);
    // Stryker disable next-line ConditionalExpression: a cache; serialising the reasons again gives the same text
    if (reasons === undefined) {
      reasons = JSON.stringify(this.run.reasonsOfKey(row.reasonKey));
      this.reasonsText.set(row.reasonKey, reasons);
    }
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
