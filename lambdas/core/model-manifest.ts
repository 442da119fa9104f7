// The model contract (contract.md, "The model contract"): what `model/manifest.json` holds and the
// pure arithmetic the manifest allows without the ONNX runtime — the reference prediction, each
// feature's contribution to the logit, reason codes and bands. The ONNX graph computes the same
// function; a golden test holds the two together.
import { FEATURE_NAMES, type FeatureSpec } from './features';

export type BasisTerm =
  | { feature: string; kind: 'linear'; weight: number }
  | { feature: string; kind: 'hinge'; knot: number; weight: number };

export interface ManifestFeature extends FeatureSpec {
  index: number;
  /** The reference donor's value: contributions are measured against it. */
  reference: number;
}

export interface ReasonCodeSpec {
  code: string;
  feature: string;
  effect: 'raises' | 'lowers';
  meaning: string;
  /** Share of the training coverage sample (synthetic donors) that got this reason. */
  firedFor?: number;
}

/** One gate of the training that produced this model: its name, whether it passed, and what it measured. */
export interface GateRecord {
  gate: string;
  passed: boolean;
  detail: string;
}

export type Band = 'high' | 'medium' | 'low';

export interface GroupMetrics {
  group: string;
  rows: number;
  observedRate: number;
  meanPredicted: number;
  calibrationGap: number;
  auc: number;
  oracleAuc: number;
  /** 95% interval of the calibration gap (model/calibration.ts). */
  gapInterval?: { lower: number; upper: number };
}

/** Calibration of one reported donor group (age band, sex, residence, ...), with its 95% interval. */
export interface ReportGroupCalibration {
  dimension: string;
  group: string;
  rows: number;
  observedRate: number;
  meanPredicted: number;
  calibrationGap: number;
  gapInterval: { lower: number; upper: number };
}

export interface HeldOutMetrics {
  rows: number;
  seed: number;
  asOf: string;
  observedRate: number;
  meanPredicted: number;
  auc: number;
  oracleAuc: number;
  brier: number;
  oracleBrier: number;
  expectedCalibrationError: number;
  /** ECE a perfectly calibrated model would show on these rows by chance (model/calibration.ts). */
  calibrationNoiseFloor?: number;
  byAncestryGroup: GroupMetrics[];
  /** Per reported group; present when the evaluation had feature vectors. */
  byGroup?: ReportGroupCalibration[];
}

export interface ModelManifest {
  manifestVersion: 1;
  modelVersion: string;
  onnx: {
    file: string;
    sha256: string;
    opset: number;
    input: { name: string; type: 'float32'; shape: ['batch', number] };
    output: { name: string; type: 'float32'; shape: ['batch', 1]; meaning: string };
  };
  features: ManifestFeature[];
  model: {
    kind: 'logistic-regression-with-hinge-splines';
    intercept: number;
    terms: BasisTerm[];
  };
  reference: { description: string; logit: number; score: number };
  bands: { high: number; medium: number; rule: string };
  reasonCodes: { maxReasons: number; minEffect: number; codes: ReasonCodeSpec[] };
  training: Record<string, unknown>;
  metrics: { heldOut: HeldOutMetrics };
  /** Validation beyond the held-out draw (generator variants, forward in time); see model/validation.ts. */
  validation?: Record<string, unknown>;
  /** The gates the training passed before this model was written (npm run train). */
  gates?: GateRecord[];
}

export interface ReasonCode {
  code: string;
  effect: 'raises' | 'lowers';
}

/** Refuses a manifest whose feature list is not the one this code derives. */
export function assertManifestMatchesFeatures(manifest: ModelManifest): void {
  const names = manifest.features.map((f) => f.name);
  if (names.length !== FEATURE_NAMES.length || names.some((n, i) => n !== FEATURE_NAMES[i])) {
    throw new Error(
      `model ${manifest.modelVersion} expects features [${names.join(', ')}] but this code derives ` +
        `[${FEATURE_NAMES.join(', ')}]: retrain the model (npm run train) with this code`,
    );
  }
}

/** Each feature's shape function f_j evaluated at its clipped value; logit = intercept + sum. */
export class LogitExplainer {
  private readonly termsByFeature: BasisTerm[][];
  private readonly referenceParts: number[];
  /**
   * The same terms flat, for `part`, which runs per feature per row of a batch of millions: feature
   * i's terms are firstTerm[i] to firstTerm[i + 1] - 1, in the manifest's order (so sums add up in the
   * same order); a linear term has a NaN knot. Each feature's range, read once.
   */
  private readonly firstTerm: Int32Array;
  private readonly weights: Float64Array;
  private readonly knots: Float64Array;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  /** `feature:effect` pairs in the catalogue: a contribution outside it is never named. */
  private readonly catalogue: Set<string>;
  private listed?: { raises: boolean; lowers: boolean }[];
  /** Feature i's contribution at the whole values 0..12 most features take (indicators, counts), worked out once by the same sum. */
  private smallContributions?: Float64Array;
  private topSize?: Float64Array;
  private topDigit?: Float64Array;

  constructor(private readonly manifest: ModelManifest) {
    this.catalogue = new Set(manifest.reasonCodes.codes.map((c) => `${c.feature}:${c.effect}`));
    const index = new Map(manifest.features.map((f) => [f.name, f.index]));
    this.termsByFeature = manifest.features.map(() => []);
    this.lower = Float64Array.from(manifest.features, (f) => f.range[0]);
    this.upper = Float64Array.from(manifest.features, (f) => f.range[1]);
    for (const term of manifest.model.terms) {
      const i = index.get(term.feature);
      if (i === undefined) throw new Error(`manifest term names unknown feature ${term.feature}`);
      this.termsByFeature[i].push(term);
    }
    const flat = this.termsByFeature.flat();
    this.firstTerm = new Int32Array(manifest.features.length + 1);
    this.termsByFeature.forEach((terms, i) => (this.firstTerm[i + 1] = this.firstTerm[i] + terms.length));
    this.weights = Float64Array.from(flat, (t) => t.weight);
    this.knots = Float64Array.from(flat, (t) => (t.kind === 'linear' ? Number.NaN : t.knot));
    this.referenceParts = manifest.features.map((f, i) => this.part(i, f.reference));
  }

  private part(i: number, x: number): number {
    const clipped = Math.min(this.upper[i], Math.max(this.lower[i], x));
    const { weights, knots } = this;
    let sum = 0;
    // Term by term in order: a linear term is weight * x, a hinge weight * max(0, x - knot).
    for (let t = this.firstTerm[i], end = this.firstTerm[i + 1]; t < end; t++) {
      const knot = knots[t];
      sum += knot !== knot ? weights[t] * clipped : weights[t] * Math.max(0, clipped - knot);
    }
    return sum;
  }

  /** The reference donor's logit: the intercept against which contributions are measured. */
  get referenceLogit(): number {
    return this.manifest.model.intercept + this.referenceParts.reduce((a, b) => a + b, 0);
  }

  /** Contribution of every feature to the logit, relative to the reference donor. */
  contributions(vector: readonly number[]): number[] {
    return this.manifest.features.map((_, i) => this.part(i, vector[i]) - this.referenceParts[i]);
  }

  logit(vector: readonly number[]): number {
    return this.contributions(vector).reduce((a, b) => a + b, this.referenceLogit);
  }

  probability(vector: readonly number[]): number {
    return 1 / (1 + Math.exp(-this.logit(vector)));
  }

  /**
   * Up to `maxReasons` codes for the largest contributions of at least `minEffect` logits, among the
   * (feature, direction) pairs the manifest's catalogue lists (the ones training saw fire).
   */
  reasons(vector: readonly number[]): ReasonCode[] {
    return this.reasonsOfKey(this.reasonKey(vector, 0));
  }

  /**
   * The reasons of the row at `offset` of a feature matrix (row after row, `FEATURES` order), as one
   * number: the `reasons` of that row without an object per row (a batch keeps keys, not arrays).
   * Each named pair is 1 + 2 x feature index + (1 if it raises), a digit in base 64, largest first.
   */
  reasonKey(features: ArrayLike<number>, offset: number): number {
    const { maxReasons, minEffect } = this.manifest.reasonCodes;
    const listed = (this.listed ??= this.manifest.features.map((f) => ({ raises: this.catalogue.has(`${f.name}:raises`), lowers: this.catalogue.has(`${f.name}:lowers`) })));
    // The kept reasons are at 1..kept, largest first; size[0] is a sentinel no contribution passes,
    // and slot maxReasons + 1 takes a candidate that falls off the end.
    const size = (this.topSize ??= new Float64Array(maxReasons + 2).fill(Infinity, 0, 1));
    const digit = (this.topDigit ??= new Float64Array(maxReasons + 2));
    const small = (this.smallContributions ??= this.contributionsAtSmallValues());
    let kept = 0;
    // Stryker disable next-line EqualityOperator: one step past the row reads the next row's value or undefined; feature n's contribution is then NaN (typed-array reads past the end are undefined) and fails `a >= minEffect`
    for (let i = 0; i < listed.length; i++) {
      const x = features[offset + i];
      // Stryker disable next-line ConditionalExpression,EqualityOperator: a stricter test only computes more contributions the long way, same values
      const c = x >= 0 && x <= SMALL_MAX && x === Math.floor(x) ? small[i * (SMALL_MAX + 1) + x] : this.part(i, x) - this.referenceParts[i];
      const raises = c > 0;
      const a = Math.abs(c);
      // A zero contribution has no direction: never named, even when minEffect is 0.
      if (!(a >= minEffect) || !(raises ? listed[i].raises : c < 0 && listed[i].lowers)) continue;
      // Insertion after the last kept one: largest first; on a tie the lower feature index (met
      // earlier) stays ahead, and at the cut the one kept first stays.
      let p = kept + 1;
      while (size[p - 1] < a) {
        size[p] = size[p - 1];
        digit[p] = digit[p - 1];
        p--;
      }
      size[p] = a;
      digit[p] = 1 + 2 * i + (raises ? 1 : 0);
      if (kept < maxReasons) kept++;
    }
    let key = 0;
    for (let r = kept; r > 0; r--) key = key * REASON_DIGITS + digit[r];
    return key;
  }

  private contributionsAtSmallValues(): Float64Array {
    const n = this.manifest.features.length;
    const small = new Float64Array(n * (SMALL_MAX + 1));
    // Stryker disable next-line EqualityOperator: a step past the last feature writes past the end of `small`, a no-op (its part is NaN, not a throw)
    for (let i = 0; i < n; i++) {
      for (let v = 0; v <= SMALL_MAX; v++) small[i * (SMALL_MAX + 1) + v] = this.part(i, v) - this.referenceParts[i];
    }
    return small;
  }

  /** The reason codes a `reasonKey` stands for, in order. */
  reasonsOfKey(key: number): ReasonCode[] {
    const reasons: ReasonCode[] = [];
    for (let k = key; k > 0; k = Math.floor(k / REASON_DIGITS)) {
      const d = (k % REASON_DIGITS) - 1;
      const effect = d % 2 === 1 ? ('raises' as const) : ('lowers' as const);
      reasons.push({ code: this.manifest.features[d >> 1].reason[effect], effect });
    }
    return reasons;
  }
}

/** Whole feature values up to this have their contributions worked out ahead (-0 reads as 0: the same part). */
const SMALL_MAX = 12;

/** Base of a reason key's digits: room for 31 features in both directions. */
const REASON_DIGITS = 64;

export function bandOf(score: number, bands: ModelManifest['bands']): Band {
  if (score >= bands.high) return 'high';
  if (score >= bands.medium) return 'medium';
  return 'low';
}
