// The statistics behind `drs diagnose`: given failure timestamps, find bursts, a period (only when
// the data support one) and whether failures come with an outside series of events. Pure: no I/O,
// seeded randomness, so a report is reproducible and testable.
//
// Periodicity is read from the binned series (log counts, so one huge burst does not dominate) with
// a "comb" contrast on its autocorrelation, r(k) - mean(r(k/2), r(3k/2)): high only when the series
// repeats every k bins and is out of step half a period away (a trend or one long outage is not).
// The contrast is taken at several smoothing widths, which absorbs jitter. How sure we are comes
// from surrogates: the same failure episodes placed at random times (and the baseline shuffled)
// go through the same procedure, and the observed contrast must beat all of them and the tail of a
// Gumbel fit to their maxima. Pure noise therefore claims no period except at a rate below 0.1%.

export const MINUTE_MS = 60_000;

/** Bin widths a person reads easily, from 100 ms to a day. */
const NICE_BIN_MS = [
  100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, MINUTE_MS, 90_000, 2 * MINUTE_MS, 5 * MINUTE_MS, 10 * MINUTE_MS,
  15 * MINUTE_MS, 30 * MINUTE_MS, 60 * MINUTE_MS, 120 * MINUTE_MS, 180 * MINUTE_MS, 360 * MINUTE_MS, 720 * MINUTE_MS, 1440 * MINUTE_MS,
];
export const MAX_BINS = 4096;

export function chooseBinMs(spanMs: number, maxBins = MAX_BINS): number {
  return NICE_BIN_MS.find((w) => spanMs / w <= maxBins) ?? Math.ceil(spanMs / maxBins);
}

export interface BinnedSeries {
  start: number;
  binMs: number;
  counts: Float64Array;
}

/** Counts per bin over [start, end]; `times` need not be sorted. */
export function binFailures(times: ArrayLike<number>, start: number, end: number, binMs = chooseBinMs(end - start)): BinnedSeries {
  const n = Math.max(1, Math.floor((end - start) / binMs) + 1);
  const counts = new Float64Array(n);
  // Stryker disable next-line EqualityOperator: times[times.length] is undefined, so its bin is NaN and counts nothing
  for (let i = 0; i < times.length; i++) {
    const b = Math.floor((times[i] - start) / binMs);
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator: a typed array ignores writes outside it, so the test only says what happens
    if (b >= 0 && b < n) counts[b]++;
  }
  return { start, binMs, counts };
}

/** A small seeded generator (mulberry32): surrogates must be the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// In-place iterative radix-2 FFT; `re.length` must be a power of two. The bit-reversal order and
// the twiddle factors are computed once per size: the period test runs hundreds of transforms.
const fftTables = new Map<number, { reversed: Uint32Array; cos: Float64Array; sin: Float64Array }>();

function tablesFor(n: number) {
  let tables = fftTables.get(n);
  // Stryker disable next-line ConditionalExpression: a cache: tables built again are the same tables
  if (!tables) {
    const reversed = new Uint32Array(n);
    // Stryker disable next-line EqualityOperator: reversed[n] is outside the typed array: the write is ignored
    for (let i = 1, j = 0; i < n; i++) {
      let bit = n >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      reversed[i] = j;
    }
    // Stryker disable next-line ArithmeticOperator: a longer table only has unread zeros at its end
    const cos = new Float64Array(n / 2);
    // Stryker disable next-line ArithmeticOperator: a longer table only has unread zeros at its end
    const sin = new Float64Array(n / 2);
    // Stryker disable next-line EqualityOperator,ArithmeticOperator: writes past the end of the tables are ignored
    for (let k = 0; k < n / 2; k++) {
      cos[k] = Math.cos((2 * Math.PI * k) / n);
      sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    tables = { reversed, cos, sin };
    fftTables.set(n, tables);
  }
  return tables;
}

function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  const { reversed, cos, sin } = tablesFor(n);
  // Stryker disable next-line EqualityOperator: reversed[n] is undefined, and i < undefined is false: no swap
  for (let i = 1; i < n; i++) {
    const j = reversed[i];
    // Stryker disable next-line EqualityOperator: the bit reversal is its own inverse: swapping each pair at its second visit (i > j) or swapping i with itself gives the same order
    if (i < j) {
      const r = re[i];
      re[i] = re[j];
      re[j] = r;
      const m = im[i];
      im[i] = im[j];
      im[j] = m;
    }
  }
  // Stryker disable next-line UnaryOperator: every transform here is of a power spectrum (real, even: both signs give the same) or read as power (|X(k)|² = |X(-k)|² for the pair it is taken from)
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const halfLen = len >> 1;
    const stride = n / len;
    // Stryker disable next-line EqualityOperator: at i = n every index is past the end of the typed arrays: reads give NaN into writes that are ignored
    for (let i = 0; i < n; i += len) {
      for (let k = 0; k < halfLen; k++) {
        const cr = cos[k * stride];
        const ci = sign * sin[k * stride];
        const a = i + k;
        const b = a + halfLen;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
      }
    }
  }
}

/** Autocorrelation (unbiased per lag, normalised by the variance) for lags 0..maxLag. */
export function autocorrelation(x: Float64Array, maxLag: number): Float64Array {
  return autocorrelations([x], maxLag)[0];
}

/**
 * The autocorrelations of several series of one length, two at a time: one series in the real
 * part and one in the imaginary part of a single transform, separated by symmetry (both are real),
 * and both inverse transforms again in one (power spectra are real and even). Half the transforms.
 */
export function autocorrelations(series: Float64Array[], maxLag: number): Float64Array[] {
  const n = series[0]?.length ?? 0;
  let size = 1;
  // Stryker disable next-line EqualityOperator: more zero padding than 2n leaves the linear autocorrelation the same
  while (size < 2 * n) size <<= 1;
  const out: Float64Array[] = [];
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const centred = (x: Float64Array | undefined, into: Float64Array) => {
    into.fill(0);
    if (!x) return;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[i];
    mean /= n;
    for (let i = 0; i < n; i++) into[i] = x[i] - mean;
  };
  // Stryker disable next-line EqualityOperator: one more pass transforms two empty series and keeps neither
  for (let s = 0; s < series.length; s += 2) {
    centred(series[s], re);
    centred(series[s + 1], im);
    // Stryker disable next-line BooleanLiteral: the inverse transform gives Z(-k) for Z(k), and the split below is the same for k and size - k
    fft(re, im, false);
    // Power of each series at each frequency, from Z[k] and Z[size - k].
    // (Four times the power: a common factor that the division by the variance below takes out.)
    for (let k = 0; k <= size / 2; k++) {
      const m = (size - k) % size;
      const ar = re[k];
      const ai = im[k];
      const br = re[m];
      const bi = im[m];
      const p1 = (ar + br) ** 2 + (ai - bi) ** 2;
      const p2 = (ar - br) ** 2 + (ai + bi) ** 2;
      re[k] = p1;
      im[k] = p2;
      re[m] = p1;
      im[m] = p2;
    }
    // Stryker disable next-line BooleanLiteral: the spectra are real and even, and the forward transform of one is its inverse (up to rounding)
    fft(re, im, true);
    for (const [part, index] of [[re, s], [im, s + 1]] as const) {
      if (index >= series.length) continue;
      const r = new Float64Array(maxLag + 1);
      const variance = part[0] / size / n;
      if (variance > 0) for (let k = 0; k <= maxLag; k++) r[k] = part[k] / size / (n - k) / variance;
      out.push(r);
    }
  }
  return out;
}

/** Exported for the exact tests, as are the other parts of the period test below. */
export function gaussianSmooth(x: Float64Array, sigma: number): Float64Array {
  if (sigma <= 0) return x;
  const radius = Math.ceil(3 * sigma);
  const kernel = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
  const out = new Float64Array(x.length);
  // Stryker disable next-line EqualityOperator: out[x.length] is outside the typed array: the write is ignored
  for (let i = 0; i < x.length; i++) {
    let sum = 0;
    let weight = 0;
    for (let j = -radius; j <= radius; j++) {
      // Stryker disable next-line ArithmeticOperator: the kernel is symmetric: i - j runs over the same window with the same weights (summed in the other order)
      const k = i + j;
      if (k < 0 || k >= x.length) continue;
      sum += kernel[j + radius] * x[k];
      weight += kernel[j + radius];
    }
    out[i] = sum / weight;
  }
  return out;
}

const SMOOTHING_BINS = [0, 1, 2, 4];
const MIN_LAG_BINS = 4;

export const at = (r: Float64Array, lag: number) => {
  const lo = Math.floor(lag);
  return lo + 1 < r.length ? r[lo] + (r[lo + 1] - r[lo]) * (lag - lo) : r[Math.min(lo, r.length - 1)];
};

export interface CombPeak {
  contrast: number;
  lag: number;
  sigma: number;
  acf: Float64Array;
}

/**
 * The comb contrast at lag k: the autocorrelation at k and its multiples minus halfway between
 * them (averaged over the multiples that fit, which adds up a weak rhythm and averages out noise).
 */
export function combContrast(acf: Float64Array, k: number, reach: number): number {
  let peaks = 0;
  let troughs = 0;
  let m = 1;
  for (; m * k <= reach && m <= 6; m++) {
    peaks += at(acf, m * k);
    troughs += at(acf, (m - 0.5) * k);
  }
  // Scaled like a z-score: an average of more multiples is a surer sign than one lag alone.
  return (peaks - troughs) / Math.sqrt(m - 1);
}

/** The strongest comb contrast over lags and smoothing widths (lags up to a third of the series: 3 cycles). */
export function strongestComb(x: Float64Array, longestLag = Infinity): CombPeak {
  const reach = Math.floor(x.length / 2);
  const acfs = autocorrelations(SMOOTHING_BINS.map((sigma) => gaussianSmooth(x, sigma)), reach + 1);
  return combPeak(SMOOTHING_BINS.map((sigma, index) => ({ sigma, acf: acfs[index] })), Math.floor(Math.min(x.length / 3, longestLag)), reach);
}

/** The choice of lag from the autocorrelations at each smoothing width, narrowest first (tested on ones built by hand). */
export function combPeak(smoothed: { sigma: number; acf: Float64Array }[], maxLag: number, reach: number): CombPeak {
  let best: CombPeak = { contrast: Number.NEGATIVE_INFINITY, lag: 0, sigma: 0, acf: new Float64Array(0) };
  const looks = smoothed.map(({ acf, sigma }) => ({ acf, sigma, first: Math.max(MIN_LAG_BINS, Math.ceil(2 * sigma)), contrasts: new Float64Array(maxLag + 2) }));
  for (const { acf, sigma, first, contrasts } of looks) {
    // A period is a lag at which the series is like itself (positive autocorrelation): one and a
    // half periods pass the comb on every other multiple, but not this. (Lag 0: none yet.)
    let top = 0;
    for (let k = first; k <= maxLag; k++) {
      contrasts[k] = combContrast(acf, k, reach);
      if (acf[k] > 0 && (!top || contrasts[k] > contrasts[top])) top = k;
    }
    if (!top || contrasts[top] <= best.contrast) continue;
    // Odd multiples of the period pass the comb too: the period is the first strong local peak.
    let lag = top;
    // Stryker disable next-line EqualityOperator: at k = top the lag is top whether the conditions hold or not
    for (let k = first; k < top; k++) {
      // ...but half the period passes as well (its even multiples are the period's): the series must
      // itself repeat at the earlier lag, not only at twice it (acf[top] > 0, so acf[k] is too).
      if (contrasts[k] >= 0.6 * contrasts[top] && contrasts[k] >= contrasts[k - 1] && contrasts[k] >= contrasts[k + 1] && acf[k] >= 0.5 * acf[top]) {
        lag = k;
        break;
      }
    }
    best = { contrast: contrasts[top], lag, sigma, acf };
  }
  // A smoothing wide enough to absorb jitter cannot see lags below twice its width, and finds a
  // multiple of a short period instead: the period is the shortest whole fraction of the lag that
  // a narrower smoothing sees repeat about as strongly.
  // The fraction need not be a whole number of bins: the comb reads the autocorrelation between bins.
  for (let d = 6; d >= 2; d--) {
    const k = best.lag / d;
    // The widest smoothing (up to the one that found the lag) that can see the fraction (none below
    // MIN_LAG_BINS): a narrower one sees mostly noise, in which any two lags look alike.
    const look = [...looks].reverse().find((l) => l.sigma <= best.sigma && k >= l.first);
    if (look) {
      const atLag = combContrast(look.acf, best.lag, reach);
      if (combContrast(look.acf, k, reach) >= 0.6 * atLag && at(look.acf, k) >= 0.5 * look.acf[best.lag] && at(look.acf, k) > 0) {
        return { ...best, lag: k, acf: look.acf };
      }
    }
  }
  // No lag where the series is like itself: a low, finite contrast (the surrogates' fit needs numbers).
  return Number.isFinite(best.contrast) ? best : { ...best, contrast: -1 };
}

/**
 * The second detector: incoherent harmonic summing on the power spectrum, as pulsar searches do.
 * A rhythm of narrow failure windows puts power at its frequency and its multiples; the spectrum is
 * divided by a running median (so a trend's red noise does not count) and the first 1, 2, 4 or 8
 * harmonics are summed, scaled like a z-score. Stronger than the comb on sparse single failures.
 * Exported for the exact tests, as are its three steps below.
 */
export function strongestHarmonicSum(x: Float64Array, longestLag = Infinity): { value: number; lag: number } {
  return strongestHarmonics(whitenedPower(powerSpectrum(x)), x.length, longestLag);
}

/**
 * The power spectrum of the series less its mean, zero-padded to `size`, the first power of two at
 * least 4 times its length: frequencies 0..size/2 (a lag of size/j bins at frequency j).
 */
export function powerSpectrum(x: Float64Array): Float64Array {
  const n = x.length;
  let size = 1;
  while (size < 4 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  for (let i = 0; i < n; i++) re[i] = x[i] - mean;
  // Stryker disable next-line BooleanLiteral: the inverse transform of a real series is the complex conjugate of the forward one: the same power
  fft(re, im, false);
  const half = size / 2;
  const power = new Float64Array(half + 1);
  for (let j = 0; j <= half; j++) power[j] = re[j] * re[j] + im[j] * im[j];
  return power;
}

/**
 * The spectrum over its local noise level: the median of the power in a window of 32 frequencies
 * each side (frequency 0, the mean, left out), taken at every 8th frequency and used for it and
 * the 7 above, over ln 2 (so an exponential spectrum of mean 1 reads about 1). Where the median is
 * 0 the last level above 0 stands; before there is one, the spectrum reads 0.
 */
export function whitenedPower(power: Float64Array): Float64Array {
  const half = power.length - 1;
  const reach = 32;
  const window = new Float64Array(2 * reach + 1);
  const levels: number[] = [];
  let level = 0;
  for (let j = 0; j <= half; j += 8) {
    const from = Math.max(1, j - reach);
    const length = Math.min(half, j + reach) + 1 - from;
    window.set(power.subarray(from, from + length));
    const median = nthSmallest(window, length, Math.floor(length / 2)) / Math.LN2;
    if (median > 0) level = median;
    levels.push(level);
  }
  return power.map((v, k) => (levels[k >> 3] > 0 ? v / levels[k >> 3] : 0));
}

/**
 * The strongest sum of the first 1, 2, 4 or 8 harmonics in a whitened spectrum (`whitenedPower`) of
 * a series of n bins, over the frequencies of lags from MIN_LAG_BINS to a third of the series (or
 * `longestLag`); a harmonic above the first counts as the best of its frequency and the two beside
 * it, and it and its neighbours must lie below the last frequency. The first of equals wins.
 */
export function strongestHarmonics(p: Float64Array, n: number, longestLag = Infinity): { value: number; lag: number } {
  const half = p.length - 1;
  const size = 2 * half;
  const near = new Float64Array(p.length);
  // Stryker disable next-line ArithmeticOperator: near[half - 1] and near[half] are never read (the highest harmonic read is at half - 2)
  for (let j = 1; j <= half - 2; j++) {
    near[j] = Math.max(p[j - 1], p[j], p[j + 1]);
  }
  const jMin = Math.ceil(size / Math.min(n / 3, longestLag));
  const jMax = size / MIN_LAG_BINS;
  let bestValue = Number.NEGATIVE_INFINITY;
  let bestJ = 0;
  for (const harmonics of [1, 2, 4, 8]) {
    const scale = 1 / Math.sqrt(harmonics);
    for (let j = jMin; j * harmonics <= half - 2 && j <= jMax; j++) {
      let sum = p[j];
      for (let h = 2; h <= harmonics; h++) sum += near[h * j];
      const value = (sum - harmonics) * scale;
      if (value > bestValue) {
        bestValue = value;
        bestJ = j;
      }
    }
  }
  return { value: bestValue, lag: bestJ ? size / bestJ : 0 };
}

/** The k-th smallest of the first `length` values (quickselect, in place): a median without sorting. */
export function nthSmallest(values: Float64Array, length: number, k: number): number {
  let lo = 0;
  let hi = length - 1;
  // Stryker disable next-line EqualityOperator: at lo = hi the pass swaps the one value with itself and stops (k is neither below nor above it)
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else {
      // Stryker disable next-line ConditionalExpression: with k between j and i its value equals the pivot and is in place; narrowing to [i, hi] instead never moves it
      if (k >= i) lo = i;
      else break;
    }
  }
  return values[k];
}

export interface Episode {
  values: number[];
}

/** Splits counts into a baseline (at most the median per bin) and episodes of excess above it. */
export function decompose(counts: Float64Array): { baseline: Float64Array; episodes: Episode[] } {
  const sorted = Float64Array.from(counts).sort();
  const median = sorted[Math.floor(sorted.length / 2)];
  const baseline = new Float64Array(counts.length);
  const episodes: Episode[] = [];
  let current: Episode | null = null;
  for (const [i, count] of counts.entries()) {
    baseline[i] = Math.min(count, median);
    const excess = count - baseline[i];
    if (excess > 0) {
      current ??= { values: [] };
      current.values.push(excess);
    } else if (current) {
      episodes.push(current);
      current = null;
    }
  }
  if (current) episodes.push(current);
  return { baseline, episodes };
}

export function surrogate(parts: { baseline: Float64Array; episodes: Episode[] }, random: () => number): Float64Array {
  const n = parts.baseline.length;
  const out = Float64Array.from(parts.baseline);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  for (const { values } of parts.episodes) {
    const start = Math.floor(random() * Math.max(1, n - values.length + 1));
    // An episode longer than the rest of the series is cut at its end (a typed array ignores writes past it).
    for (let i = 0; i < values.length; i++) out[start + i] += values[i];
  }
  return out;
}

const logCounts = (counts: Float64Array) => counts.map((c) => Math.log1p(c));

/** Refines the lag with the peaks of its multiples in the autocorrelation (parabolic interpolation). */
export function refineLag(acf: Float64Array, lag: number): number {
  const estimates: number[] = [];
  for (let m = 1; m * lag < acf.length - 1; m++) {
    const centre = Math.round(m * lag);
    const reach = Math.max(1, Math.round(0.15 * lag));
    let peak = centre;
    for (let k = Math.max(1, centre - reach); k <= Math.min(acf.length - 2, centre + reach); k++) if (acf[k] > acf[peak]) peak = k;
    if (peak <= 0 || peak >= acf.length - 1 || acf[peak] < 0.5 * at(acf, lag)) break;
    const [a, b, c] = [acf[peak - 1], acf[peak], acf[peak + 1]];
    const denominator = a - 2 * b + c;
    const offset = denominator < 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / denominator)) : 0;
    estimates.push((peak + offset) / m);
  }
  if (!estimates.length) return lag;
  estimates.sort((p, q) => p - q);
  return estimates[Math.floor(estimates.length / 2)];
}

export interface PeriodFinding {
  minutes: number;
  /** 1 - the chance probability that episodes at random times show as strong a period. */
  confidence: number;
}

export interface PeriodTest {
  period: PeriodFinding | null;
  /** Why there is or is not a period, in plain words. */
  reason: string;
  /** How many surrogates had a contrast at least as strong as the data's. */
  surrogatesAsStrong: number;
  surrogates: number;
  contrast: number;
  /** Chance probability from the Gumbel fit to the surrogates' strongest contrasts. */
  chance: number | null;
  /** How many whole periods the span covers (when a period is claimed). */
  cycles?: number;
}

export interface PeriodOptions {
  surrogates?: number;
  seed?: number;
  /** The largest chance probability at which a period is claimed. */
  alpha?: number;
  /** Look only at periods up to this many bins (after a broad slow cycle was set aside). */
  longestLagBins?: number;
  /** Set on the second look that checks a period survives dividing out a slower swell. */
  confirming?: boolean;
}

const EULER_GAMMA = 0.5772156649;

/** Slow cycles (6 h and more) are where the day's traffic lives: there a period must be narrow. */
const SLOW_CYCLE_MS = 6 * 60 * MINUTE_MS;
const NARROW_SHARE = 0.25;
const PHASES = 24;

/** The counts divided by their slow swell (a Gaussian over a sixth of the cycle), scaled to the same mean. */
export function flattenSwell(counts: Float64Array, cycleBins: number): Float64Array {
  const swell = gaussianSmooth(counts, Math.max(1, cycleBins / 6));
  const mean = counts.reduce((s, c) => s + c, 0) / counts.length;
  return counts.map((c, i) => (swell[i] > 0 ? (c * mean) / swell[i] : 0));
}

/**
 * How spread out failures are within a cycle: the series folded on the period into 24 phases, the
 * excess above the lower quartile of the phases, and the share of phases that hold 80% of it. A
 * daily rise and fall of traffic (a broad swell) needs 40% or more; a nightly job's failures 10%.
 */
export function phaseSpread(counts: Float64Array, binMs: number, periodMs: number): number {
  const profile = new Float64Array(PHASES);
  const bins = new Float64Array(PHASES);
  for (let i = 0; i < counts.length; i++) {
    const phase = Math.floor((((i + 0.5) * binMs) % periodMs) / periodMs * PHASES) % PHASES;
    profile[phase] += counts[i];
    bins[phase]++;
  }
  const rate = Array.from(profile, (p, j) => (bins[j] ? p / bins[j] : 0));
  const floor = [...rate].sort((a, b) => a - b)[Math.floor(PHASES / 4)];
  const excess = rate.map((r) => Math.max(0, r - floor)).sort((a, b) => b - a);
  const total = excess.reduce((s, e) => s + e, 0);
  if (!(total > 0)) return 1;
  let held = 0;
  let k = 0;
  while (held < 0.8 * total) held += excess[k++];
  return k / PHASES;
}

/**
 * Which detector's figures the period test reports: the surer one, the comb on a tie. Its lag is the
 * comb's, refined, unless the harmonic sum is surer and the comb alone does not see the rhythm (a
 * chance above 0.05): harmonic summing can lock onto a harmonic of the rhythm.
 */
export function chooseDetector<C extends { chance: number }>(comb: C, spectral: C): { chosen: C; spectralLag: boolean } {
  const useSpectral = spectral.chance < comb.chance;
  return { chosen: useSpectral ? spectral : comb, spectralLag: useSpectral && comb.chance > 0.05 };
}

/**
 * A slow cycle (6 h or more) whose failures spread over more than a quarter of it (`phaseSpread`):
 * the share, or null for a faster cycle or a narrow one.
 */
export function broadShare(counts: Float64Array, binMs: number, lagMs: number): number | null {
  if (lagMs < SLOW_CYCLE_MS) return null;
  const share = phaseSpread(counts, binMs, lagMs);
  return share > NARROW_SHARE ? share : null;
}

/** Whether a second look's period (in minutes) confirms the first's: within 10% of it. */
export const sameLag = (found: number, minutes: number) => Math.abs(found - minutes) <= 0.1 * minutes;

export function findPeriod(series: BinnedSeries, options: PeriodOptions = {}): PeriodTest {
  const surrogates = options.surrogates ?? 199;
  const alpha = options.alpha ?? 0.005;
  const { counts, binMs } = series;
  const none = (reason: string): PeriodTest => ({ period: null, reason, surrogatesAsStrong: 0, surrogates: 0, contrast: 0, chance: null });
  const total = counts.reduce((s, c) => s + c, 0);
  const active = counts.reduce((s, c) => s + (c > 0 ? 1 : 0), 0);
  if (counts.length < 3 * MIN_LAG_BINS * 2) return none('the failures span too short a time to show a period');
  if (total < 6 || active < 4) return none('too few failures to show a period');
  const parts = decompose(counts);
  if (parts.episodes.length < 3) return none('failures are spread evenly: no episodes that could repeat');
  const x = logCounts(counts);
  const longest = options.longestLagBins;
  const observed = strongestComb(x, longest);
  const observedSpectral = strongestHarmonicSum(x, longest);

  const random = seededRandom(options.seed ?? 1);
  const combMaxima: number[] = [];
  const spectralMaxima: number[] = [];
  for (let i = 0; i < surrogates; i++) {
    const y = logCounts(surrogate(parts, random));
    combMaxima.push(strongestComb(y, longest).contrast);
    spectralMaxima.push(strongestHarmonicSum(y, longest).value);
  }
  const comb = chanceOf(observed.contrast, combMaxima);
  const spectral = chanceOf(observedSpectral.value, spectralMaxima);
  const { chosen, spectralLag } = chooseDetector(comb, spectral);
  // Two detectors, so each must pass at half the level (Bonferroni).
  const chance = Math.min(1, 2 * chosen.chance);
  const asStrong = chosen.asStrong;
  const result = { surrogatesAsStrong: asStrong, surrogates, contrast: round(observed.contrast, 4), chance: round(chance, 6) };
  const lagBins = spectralLag ? observedSpectral.lag : refineLag(observed.acf, observed.lag);
  const lagMs = lagBins * binMs;
  const minutes = lagMs / MINUTE_MS;
  if (asStrong > 0 || chance > alpha) {
    return {
      period: null,
      reason: `no period is supported: the strongest repeat (every ${formatMinutes(minutes)}) is as strong in ${asStrong} of ${surrogates} random rearrangements of the same failures (chance ${formatChance(chance)})`,
      ...result,
    };
  }
  const cycles = Math.floor((counts.length * binMs) / lagMs);
  const share = broadShare(counts, binMs, lagMs);
  if (share !== null) {
    // A faster rhythm may ride on the swell: take the swell out and look below it. At every depth: a
    // job under a weekly and a daily swell is seen only when the look below the week (or its
    // confirming look) can look below the day in turn. Each look below is 4 times shorter, and slow
    // cycles start at 6 h, so this ends.
    const faster = findPeriod({ ...series, counts: flattenSwell(counts, lagBins) }, { ...options, longestLagBins: lagBins / 4 });
    if (faster.period) return { ...faster, reason: `${faster.reason}; besides, failures rise and fall broadly every ${formatMinutes(minutes)}, as the day's traffic does` };
    return {
      period: null,
      reason: `no period is claimed: failures rise and fall every ${formatMinutes(minutes)}, but broadly (most of them spread over ${Math.round(100 * share)}% of each cycle), as failures that follow the day's traffic do; a rhythm of failure windows (a job, a backup) gathers them in a narrower part of the cycle`,
      ...result,
      cycles,
    };
  }
  if (!options.confirming) {
    // A slower swell with sharp edges (busy hours) repeats at its harmonics too: the rhythm must
    // still be there once the swell (smoothed over a few of its cycles) is divided out.
    // (Fewer surrogates: this look only confirms the lag; the first one measured how sure it is.)
    const check = findPeriod({ ...series, counts: flattenSwell(counts, 12 * lagBins) }, { ...options, surrogates: Math.min(99, surrogates), confirming: true });
    if (!check.period || !sameLag(check.period.minutes, minutes)) {
      return {
        period: null,
        reason: `no period is claimed: failures repeat every ${formatMinutes(minutes)}, but only as part of a slower rise and fall; once that is divided out, ${check.period ? `the repeat is every ${formatMinutes(check.period.minutes)} instead` : 'no repeat is left'}`,
        ...result,
        cycles,
      };
    }
  }
  return {
    // Stryker disable next-line EqualityOperator: at exactly 1 or 10 minutes either number of decimals gives the same whole number
    period: { minutes: round(minutes, minutes < 1 ? 4 : minutes < 10 ? 2 : 1), confidence: round(1 - chance, 4) },
    reason: `failures repeat every ${formatMinutes(minutes)} over ${cycles} cycles; none of ${surrogates} random rearrangements of the same failures repeat as strongly (chance ${formatChance(chance)})`,
    ...result,
    cycles,
  };
}

/** Chance probability of `observed` among surrogate maxima: a Gumbel fit, bounded below by the rank. */
export function chanceOf(observed: number, maxima: number[]): { chance: number; asStrong: number } {
  const asStrong = maxima.filter((m) => m >= observed).length;
  const mean = maxima.reduce((s, m) => s + m, 0) / maxima.length;
  const sd = Math.sqrt(maxima.reduce((s, m) => s + (m - mean) ** 2, 0) / Math.max(1, maxima.length - 1));
  let chance: number;
  if (sd > 0) {
    const beta = (sd * Math.sqrt(6)) / Math.PI;
    const mu = mean - EULER_GAMMA * beta;
    chance = -Math.expm1(-Math.exp(-(observed - mu) / beta));
  } else {
    chance = observed > mean ? 0 : 1;
  }
  // Never claim more certainty than the surrogates allow.
  return { chance: Math.max(chance, (asStrong + 1) / (maxima.length + 1) / 10), asStrong };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${round(minutes * 60, 1)} s`;
  if (minutes < 120) return `${round(minutes, 1)} min`;
  return `${round(minutes / 60, 1)} h`;
}

export const formatChance = (p: number) => (p < 0.0001 ? '< 0.0001' : p < 0.01 ? p.toFixed(4) : p.toFixed(2));

export interface Burst {
  start: number;
  end: number;
  failures: number;
  /** Failures per minute in the busiest bin of the burst. */
  peakPerMinute: number;
  /** Indexes [first, last) into the time-sorted failures. */
  first: number;
  last: number;
}

function poissonTailAtLeast(c: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let cdf = 0;
  for (let k = 0; k < c; k++) {
    cdf += term;
    term *= lambda / (k + 1);
  }
  return Math.max(0, 1 - cdf);
}

/**
 * Bursts: runs of bins (gaps of one quiet bin allowed) whose counts a Poisson baseline would
 * produce with probability below 1/1000, holding at least 3 failures. The baseline rate is the
 * mean of the quieter 90% of bins, so the bursts themselves do not raise it.
 */
export function findBursts(sortedTimes: Float64Array, series: BinnedSeries): Burst[] {
  const { counts, binMs, start } = series;
  const quiet = Float64Array.from(counts).sort().subarray(0, Math.max(1, Math.floor(counts.length * 0.9)));
  const lambda = Math.max(quiet.reduce((s, c) => s + c, 0) / quiet.length, 1e-3);
  let threshold = 2;
  // The tail is 1 - cdf, exact for cdf in [0.5, 1] (Sterbenz) and so a multiple of 2^-53 there, above 0.5
  // below it, or 0; the double nearest 1e-3 is not a multiple of 2^-53 (0.001 * 2^53 is not whole), so the
  // tail never equals it.
  // Stryker disable next-line EqualityOperator: the tail is never exactly 1e-3 (above), so > and >= stop alike
  while (poissonTailAtLeast(threshold, lambda) >= 1e-3) threshold++;
  const bursts: Burst[] = [];
  let open: { from: number; to: number } | null = null;
  const close = () => {
    if (!open) return;
    const from = start + open.from * binMs;
    const to = start + (open.to + 1) * binMs;
    const first = lowerBound(sortedTimes, from);
    const last = lowerBound(sortedTimes, to);
    let peak = 0;
    for (let b = open.from; b <= open.to; b++) peak = Math.max(peak, counts[b]);
    if (last - first >= 3) {
      bursts.push({ start: sortedTimes[first], end: sortedTimes[last - 1], failures: last - first, peakPerMinute: round((peak * MINUTE_MS) / binMs, 1), first, last });
    }
    open = null;
  };
  for (let b = 0; b < counts.length; b++) {
    if (counts[b] < threshold) continue;
    if (open && b - open.to <= 2) open.to = b;
    else {
      close();
      open = { from: b, to: b };
    }
  }
  close();
  return bursts;
}

export function lowerBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface OverlayInterval {
  start: number;
  end: number;
}

export interface Cooccurrence {
  events: number;
  /** Failures within the window of an overlay event. */
  failuresNear: number;
  /** The same count averaged over random shifts of the overlay: what chance alone gives. */
  expectedNear: number;
  /** Overlay events with at least one failure within the window. */
  eventsWithFailures: number;
  /** Share of random shifts of the overlay with at least as many failures near it. */
  chanceProbability: number;
  cooccurring: boolean;
}

function failuresNear(sortedTimes: Float64Array, intervals: OverlayInterval[], windowMs: number): { near: number; eventsHit: number } {
  const spans = intervals.map((i) => [i.start - windowMs, i.end + windowMs] as [number, number]).sort((a, b) => a[0] - b[0]);
  const count = (from: number, to: number) => upperBound(sortedTimes, to) - lowerBound(sortedTimes, from);
  let eventsHit = 0;
  // Stryker disable next-line ArrayDeclaration: a first entry that is not a span merges with nothing and counts no failures (every comparison with it is false)
  const merged: [number, number][] = [];
  for (const [from, to] of spans) {
    if (count(from, to) > 0) eventsHit++;
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return { near: merged.reduce((s, [from, to]) => s + count(from, to), 0), eventsHit };
}

export function upperBound(sorted: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Do failures come with an overlay series? Counts failures within `windowMs` of the overlay's
 * events and compares with the overlay shifted by random offsets around the analysed span
 * (circularly, so its own rhythm and clustering are kept): the chance probability is the share of
 * shifts that do as well. Co-occurring when that is below `alpha` and more than chance gives.
 */
export function cooccurrence(
  sortedTimes: Float64Array,
  intervals: OverlayInterval[],
  span: { start: number; end: number },
  windowMs: number,
  options: { shifts?: number; seed?: number; alpha?: number } = {},
): Cooccurrence {
  const shifts = options.shifts ?? 999;
  const alpha = options.alpha ?? 0.01;
  const inside = intervals.filter((i) => i.end >= span.start - windowMs && i.start <= span.end + windowMs);
  const observed = failuresNear(sortedTimes, inside, windowMs);
  const length = span.end - span.start;
  if (!inside.length || !(length > 0) || !sortedTimes.length) {
    return { events: inside.length, failuresNear: observed.near, expectedNear: 0, eventsWithFailures: observed.eventsHit, chanceProbability: 1, cooccurring: false };
  }
  const random = seededRandom(options.seed ?? 7);
  let asMany = 0;
  let sum = 0;
  for (let s = 0; s < shifts; s++) {
    const offset = random() * length;
    // Each event moved by the offset around the span; the part past its end wraps to its start.
    const moved = inside.flatMap(({ start, end }) => {
      const from = span.start + ((((start - span.start + offset) % length) + length) % length);
      const to = from + (end - start);
      return to > span.end ? [{ start: from, end: to }, { start: from - length, end: to - length }] : [{ start: from, end: to }];
    });
    const { near } = failuresNear(sortedTimes, moved, windowMs);
    sum += near;
    if (near >= observed.near) asMany++;
  }
  const expectedNear = sum / shifts;
  const chanceProbability = (asMany + 1) / (shifts + 1);
  return {
    events: inside.length,
    failuresNear: observed.near,
    expectedNear: round(expectedNear, 1),
    eventsWithFailures: observed.eventsHit,
    chanceProbability: round(chanceProbability, 4),
    cooccurring: chanceProbability < alpha && observed.near > expectedNear,
  };
}
