// Population stability index (PSI) of a monitored sample against a reference distribution kept in
// the model manifest. Pure: used by the monitoring function, `drs monitor` and training (which
// writes the reference). PSI alone is noisy on small samples (a 50-row sample of an unchanged
// population reaches 0.2 by chance), so a shift is flagged only when PSI passes the material
// threshold AND lies above the sampling-noise floor for the two sample sizes.
import { normalQuantile } from '../core/outcome-statistics';

/** A binned distribution: bin i holds values <= cuts[i] (first such i); the last bin the rest. */
export interface BinnedReference {
  cuts: number[];
  shares: number[];
  rows: number;
}

export function binIndex(cuts: readonly number[], value: number): number {
  // Binary search for the first cut >= value.
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= cuts[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** Quantile cut points (deciles by default) of a sample, duplicates removed: point masses keep a bin of their own. */
export function quantileCuts(values: readonly number[], bins = 10): number[] {
  const sorted = Float64Array.from(values).sort();
  const cuts: number[] = [];
  // q / bins < 1, so the position is at most length - 1; no values, no cuts.
  for (let q = 1; q < bins && sorted.length > 0; q++) {
    // Compared as stored (rounded): two cuts that round alike would leave an always-empty bin between them.
    const cut = round6(sorted[Math.floor((q / bins) * sorted.length)]);
    if (cuts.length === 0 || cut > cuts[cuts.length - 1]) cuts.push(cut);
  }
  return cuts;
}

export function binCounts(cuts: readonly number[], values: Iterable<number>): number[] {
  const counts = new Array<number>(cuts.length + 1).fill(0);
  for (const v of values) counts[binIndex(cuts, v)]++;
  return counts;
}

export function binnedReference(values: readonly number[], bins = 10): BinnedReference {
  const cuts = quantileCuts(values, bins);
  const counts = binCounts(cuts, values);
  return { cuts, shares: counts.map((c) => round6(c / values.length)), rows: values.length };
}

/** Reference shares below this count as this much, so a bin empty in the reference gives a large but finite term. */
export const SHARE_FLOOR = 1e-4;

/**
 * PSI = sum over bins of (a - e) ln(a / e), with a the monitored and e the reference share. A bin the
 * sample left empty counts as half a row (a = 0.5 / n, the usual continuity correction): a sample of
 * n cannot tell shares below 1/n apart, and a tiny floor would make one empty bin of a 60-row sample
 * (likely by chance: 0.9^60 = 0.2% per decile bin, across 23 distributions and their bins) look like
 * a PSI of 0.7. The reference share is floored at SHARE_FLOOR; a bin empty on both sides adds nothing.
 */
// Only the shares are read: merged bins (compareBinCounts) have no cuts of their own.
export function populationStabilityIndex(reference: Partial<BinnedReference> & Pick<BinnedReference, 'shares'>, counts: readonly number[]): number {
  const k = reference.shares.length;
  if (counts.length !== k) throw new RangeError(`expected ${k} bin counts, got ${counts.length}`);
  const n = counts.reduce((s, c) => s + c, 0);
  if (n === 0) return NaN;
  let psi = 0;
  for (let i = 0; i < k; i++) {
    if (counts[i] === 0 && reference.shares[i] === 0) continue;
    const a = Math.max(counts[i], 0.5) / n;
    const e = Math.max(reference.shares[i], SHARE_FLOOR);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/** Chi-square quantile (Wilson-Hilferty), accurate to a few percent for df >= 1 at the tails used here. */
export function chiSquareQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  const h = 2 / (9 * df);
  return df * Math.max(0, 1 - h + z * Math.sqrt(h)) ** 3;
}

/**
 * The PSI an unchanged population exceeds with probability 1 - confidence: for small shifts
 * PSI ~ chi-square(k - 1) * (1/n + 1/m), n and m the two sample sizes.
 */
export function psiNoiseFloor(bins: number, rows: number, referenceRows: number, confidence = 0.999): number {
  // No rows: 1 / 0 makes it infinite too.
  if (bins < 2) return Infinity;
  return chiSquareQuantile(confidence, bins - 1) * (1 / rows + 1 / Math.max(referenceRows, 1));
}

export interface PsiResult {
  psi: number;
  rows: number;
  bins: number;
  noiseFloor: number;
  /** PSI >= threshold, above the noise floor, on at least the minimum rows. */
  drift: boolean;
  /** Monitored and reference share per bin, for the report's plots. */
  shares: { bin: string; monitored: number; reference: number }[];
}

export interface PsiThresholds {
  psi: number;
  minRows: number;
  confidence: number;
}

export const DEFAULT_PSI_THRESHOLDS: PsiThresholds = { psi: 0.2, minRows: 50, confidence: 0.999 };

export function binLabels(cuts: readonly number[]): string[] {
  const fmt = (x: number) => String(round6(x));
  if (cuts.length === 0) return ['all'];
  return Array.from({ length: cuts.length + 1 }, (_, i) =>
    i === 0 ? `≤ ${fmt(cuts[0])}` : i === cuts.length ? `> ${fmt(cuts[i - 1])}` : `${fmt(cuts[i - 1])} – ${fmt(cuts[i])}`,
  );
}

export function comparePopulation(reference: BinnedReference, values: Iterable<number>, t: PsiThresholds = DEFAULT_PSI_THRESHOLDS): PsiResult {
  return compareBinCounts(reference, binCounts(reference.cuts, values), t);
}

/** Fewer expected rows than this in a bin, and the chi-square noise floor no longer holds: such bins are merged. */
export const MIN_EXPECTED_ROWS = 5;

/**
 * Adjacent reference bins merged until each holds at least MIN_EXPECTED_ROWS expected rows of this
 * sample (a remainder joins the last group), as a chi-square test does: a 2%-share bin seen 5 times
 * in 80 rows is chance, not drift. A large sample merges nothing.
 */
export function mergeSparseBins(shares: readonly number[], counts: readonly number[], rows: number): { shares: number[]; counts: number[] } {
  const merged = { shares: [] as number[], counts: [] as number[] };
  let share = 0;
  let count = 0;
  for (let i = 0; i < shares.length; i++) {
    share += shares[i];
    count += counts[i];
    if (share * rows >= MIN_EXPECTED_ROWS) {
      merged.shares.push(share);
      merged.counts.push(count);
      share = 0;
      count = 0;
    }
  }
  if (share > 0 || count > 0) {
    if (merged.shares.length) {
      merged.shares[merged.shares.length - 1] += share;
      merged.counts[merged.counts.length - 1] += count;
    } else {
      merged.shares.push(share);
      merged.counts.push(count);
    }
  }
  return merged;
}

/** The same comparison from counts per reference bin (a population counted as it streams by). */
export function compareBinCounts(reference: BinnedReference, counts: readonly number[], t: PsiThresholds = DEFAULT_PSI_THRESHOLDS): PsiResult {
  if (counts.length !== reference.shares.length) throw new RangeError(`expected ${reference.shares.length} bin counts, got ${counts.length}`);
  const rows = counts.reduce((s, c) => s + c, 0);
  const merged = mergeSparseBins(reference.shares, counts, rows);
  const psi = populationStabilityIndex({ shares: merged.shares }, merged.counts);
  const noiseFloor = psiNoiseFloor(merged.counts.length, rows, reference.rows, t.confidence);
  const labels = binLabels(reference.cuts);
  return {
    psi: round6(psi),
    rows,
    bins: merged.counts.length,
    noiseFloor: round6(noiseFloor),
    drift:
      rows >= t.minRows &&
      psi >= t.psi &&
      // Stryker disable next-line EqualityOperator: >= differs only when the PSI equals the noise floor to the last bit (a sum of logarithms against a chi-square quantile times 1/n + 1/m): no input reaches it.
      psi > noiseFloor,
    shares: counts.map((c, i) => ({ bin: labels[i], monitored: rows ? round6(c / rows) : 0, reference: reference.shares[i] })),
  };
}
