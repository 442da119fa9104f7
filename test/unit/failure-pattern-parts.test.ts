// The parts of drs diagnose's period test (lambdas/core/failure-pattern.ts), each on an input small
// enough to work out by hand: smoothing, interpolation, the comb contrast, the median by
// quickselect, the split into baseline and episodes, the surrogates and the lag refinement.
// Expected values are the arithmetic in the comments or an independent computation in the test,
// never the code under test.
import { at, combContrast, decompose, gaussianSmooth, nthSmallest, refineLag, seededRandom, surrogate } from '../../lambdas/core/failure-pattern';

const f64 = (values: number[]) => Float64Array.from(values);

describe('gaussianSmooth', () => {
  it('returns the series itself at a width of 0 or less', () => {
    const x = f64([1, 5, 2]);
    expect(gaussianSmooth(x, 0)).toBe(x);
    expect(gaussianSmooth(x, -1)).toBe(x);
  });

  it('spreads an impulse over 3 sigma each side, weights renormalised at the edges', () => {
    // sigma 1: radius 3, weights w(d) = exp(-d² / 2): w0 = 1, w1 = 0.6065307, w2 = 0.1353353, w3 = 0.0111090.
    const w = [1, Math.exp(-0.5), Math.exp(-2), Math.exp(-4.5)];
    const x = f64([0, 0, 0, 0, 1, 0, 0, 0, 0]);
    const out = gaussianSmooth(x, 1);
    const full = w[0] + 2 * (w[1] + w[2] + w[3]); // 2.505950: the whole window fits
    // Bin 0: window 0..3 (the impulse at 4 is out of reach).
    expect(out[0]).toBe(0);
    // Bin 1: window 0..4, distances 1 0 1 2 3; the impulse at distance 3.
    expect(out[1]).toBeCloseTo(w[3] / (w[1] + w[0] + w[1] + w[2] + w[3]), 12);
    // Bin 2: window 0..5, distances 2 1 0 1 2 3; the impulse at distance 2.
    expect(out[2]).toBeCloseTo(w[2] / (w[2] + w[1] + w[0] + w[1] + w[2] + w[3]), 12);
    expect(out[3]).toBeCloseTo(w[1] / full, 12);
    expect(out[4]).toBeCloseTo(1 / full, 12); // 0.399050
    expect(out[5]).toBeCloseTo(w[1] / full, 12);
    // Bin 7: window 4..8, distances 3 2 1 0 1.
    expect(out[7]).toBeCloseTo(w[3] / (w[3] + w[2] + w[1] + w[0] + w[1]), 12);
    expect(out[8]).toBe(0);
    expect(x[4]).toBe(1); // the input is left as it was
  });

  it('keeps a constant series constant, edges included, and uses 2 sigma² in the exponent', () => {
    expect(Array.from(gaussianSmooth(f64([3, 3, 3, 3, 3]), 2))).toEqual([3, 3, 3, 3, 3].map(() => expect.closeTo(3, 12)));
    // sigma 0.5: radius ceil(1.5) = 2, w(d) = exp(-d² / 0.5) = exp(-2 d²): w1 = e^-2, w2 = e^-8.
    const out = gaussianSmooth(f64([0, 0, 1, 0, 0]), 0.5);
    const total = 1 + 2 * Math.exp(-2) + 2 * Math.exp(-8);
    expect(out[2]).toBeCloseTo(1 / total, 12);
    expect(out[0]).toBeCloseTo(Math.exp(-8) / (1 + Math.exp(-2) + Math.exp(-8)), 12);
  });
});

describe('at: the autocorrelation between bins', () => {
  const r = f64([0, 1, 3, 6]);
  it('interpolates linearly and holds the last value past the end', () => {
    expect(at(r, 0)).toBe(0);
    expect(at(r, 2)).toBe(3);
    expect(at(r, 1.5)).toBe(2);
    expect(at(r, 2.25)).toBe(3.75);
    expect(at(r, 3)).toBe(6);
    expect(at(r, 3.5)).toBe(6);
    expect(at(r, 10)).toBe(6);
  });
});

describe('combContrast', () => {
  // acf[k] = k for k = 0..20 except the peaks, so the arithmetic is plain.
  const acf = f64(Array.from({ length: 21 }, (_, k) => (k % 4 === 0 ? 10 : k / 10)));
  it('sums peak minus half-way over the multiples within reach, over the square root of their number', () => {
    // k = 4, reach 9: multiples 4 and 8 (12 is beyond). Peaks 10 + 10; half-way at 2 and 6: 0.2 + 0.6.
    expect(combContrast(acf, 4, 9)).toBeCloseTo((20 - 0.8) / Math.sqrt(2), 12);
    // reach 8 still takes 8 (m k <= reach).
    expect(combContrast(acf, 4, 8)).toBeCloseTo((20 - 0.8) / Math.sqrt(2), 12);
    // k = 4, reach 20: 4, 8, 12, 16, 20 (five); half-way 2, 6, 10, 14, 18.
    expect(combContrast(acf, 4, 20)).toBeCloseTo((50 - (0.2 + 0.6 + 1.0 + 1.4 + 1.8)) / Math.sqrt(5), 12);
  });

  it('takes at most 6 multiples and reads between bins', () => {
    // k = 2, reach 20: multiples 2..12 (six, not ten). Peaks at 2 6 10 are k/10, at 4 8 12 they are 10;
    // half-way at 1, 3, 5, 7, 9, 11.
    const peaks = 0.2 + 10 + 0.6 + 10 + 1.0 + 10;
    const troughs = 0.1 + 0.3 + 0.5 + 0.7 + 0.9 + 1.1;
    expect(combContrast(acf, 2, 20)).toBeCloseTo((peaks - troughs) / Math.sqrt(6), 12);
    // k = 3, reach 6: peaks at 3 (0.3) and 6 (0.6); half-way at 1.5 (0.15) and 4.5 (between 10 and 0.5: 5.25).
    expect(combContrast(acf, 3, 6)).toBeCloseTo((0.9 - (0.15 + 5.25)) / Math.sqrt(2), 12);
  });
});

describe('nthSmallest (quickselect)', () => {
  it('gives the k-th smallest of the first `length` values, duplicates and all, as sorting does', () => {
    const random = seededRandom(5);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(random() * 30);
      const values = Array.from({ length: n + 3 }, () => Math.floor(random() * 8));
      const sorted = values.slice(0, n).sort((a, b) => a - b);
      for (let k = 0; k < n; k++) expect(nthSmallest(f64(values), n, k)).toBe(sorted[k]);
    }
    expect(nthSmallest(f64([9, 1, 8, 2, 7, 0, 0]), 5, 2)).toBe(7);
    expect(nthSmallest(f64([4]), 1, 0)).toBe(4);
  });
});

describe('decompose', () => {
  it('keeps at most the median per bin as baseline and the excess runs as episodes', () => {
    // Sorted 0 0 1 1 1 3 4 5: the median (index 4) is 1. Excess 0 0 4 0 0 2 3 0.
    const parts = decompose(f64([0, 1, 5, 1, 0, 3, 4, 1]));
    expect(Array.from(parts.baseline)).toEqual([0, 1, 1, 1, 0, 1, 1, 1]);
    expect(parts.episodes).toEqual([{ values: [4] }, { values: [2, 3] }]);
  });

  it('closes an episode that runs to the end, and finds none in a flat series', () => {
    // Sorted 1 1 2: median 1; excess 0 0 1.
    expect(decompose(f64([1, 1, 2])).episodes).toEqual([{ values: [1] }]);
    // Sorted 0 2 9 (median 2): baseline 2 2 0, excess 7 0 0.
    const first = decompose(f64([9, 2, 0]));
    expect(Array.from(first.baseline)).toEqual([2, 2, 0]);
    expect(first.episodes).toEqual([{ values: [7] }]);
    expect(decompose(f64([2, 2, 2])).episodes).toEqual([]);
  });
});

describe('surrogate', () => {
  const parts = { baseline: f64([1, 2, 3, 4]), episodes: [{ values: [5, 6] }] };

  it('shuffles the baseline (Fisher-Yates) and drops each episode at a random start', () => {
    // random() = 0: every j is 0. Swap 3<->0: 4 2 3 1; 2<->0: 3 2 4 1; 1<->0: 2 3 4 1. Episode at 0: 7 9 4 1.
    expect(Array.from(surrogate(parts, () => 0))).toEqual([7, 9, 4, 1]);
    // random() just under 1: every j is i (no swap); the episode starts at floor(0.999 * 3) = 2: 1 2 8 10.
    expect(Array.from(surrogate(parts, () => 0.999))).toEqual([1, 2, 8, 10]);
    // random() = 0.5: j = floor(0.5 * 4) = 2 (swap 3<->2: 1 2 4 3), floor(1.5) = 1 (2<->1: 1 4 2 3),
    // floor(1) = 1 (1<->1). Episode at floor(0.5 * 3) = 1: 1 9 8 3.
    expect(Array.from(surrogate(parts, () => 0.5))).toEqual([1, 9, 8, 3]);
    expect(Array.from(parts.baseline)).toEqual([1, 2, 3, 4]); // left as it was
  });

  it('cuts an episode longer than the series at its end', () => {
    const long = { baseline: f64([0, 0, 0]), episodes: [{ values: [1, 2, 3, 4, 5] }, { values: [10] }] };
    // First episode: start floor(r * max(1, -1)) = 0, only 1 2 3 fit. Second: start floor(0.9 * 3) = 2.
    const calls = [0, 0, 0.9]; // two swaps (j = 0 both, zeros anyway), then the starts
    let i = 0;
    expect(Array.from(surrogate(long, () => calls[Math.min(i++, calls.length - 1)] ?? 0))).toEqual([1, 2, 13]);
  });
});

describe('refineLag', () => {
  it('moves a lag to the vertex of the parabola through the peak and its neighbours', () => {
    // Peak at 5 (0.9) with 0.5 and 0.7 beside it: a - 2b + c = -0.6, offset 0.5 * (0.5 - 0.7) / -0.6 = 1/6.
    const acf = f64([1, 0.2, -0.3, -0.1, 0.5, 0.9, 0.7, 0.1]);
    expect(refineLag(acf, 5)).toBeCloseTo(5 + 1 / 6, 12);
    // From lag 4 the search (reach max(1, round(0.6)) = 1) finds the same peak at 5.
    expect(refineLag(acf, 4)).toBeCloseTo(5 + 1 / 6, 12);
  });

  it('takes the median of the estimates from the multiples, and keeps the lag when none fits', () => {
    // Multiples of 5 that fit in 14 values: 5 (5 + 1/6) and 10 (peak 10 between equal neighbours: 10 / 2 = 5).
    const acf = f64([1, 0.2, -0.3, -0.1, 0.5, 0.9, 0.7, 0.1, 0, 0.4, 0.8, 0.4, 0, 0]);
    // Sorted 5, 5.1667: the upper one (index floor(2 / 2) = 1).
    expect(refineLag(acf, 5)).toBeCloseTo(5 + 1 / 6, 12);
    expect(refineLag(f64([1, 0.5, 0.2]), 5)).toBe(5);
    // A flat top (a - 2b + c = 0) gives no offset.
    expect(refineLag(f64([1, 0, 0, 0, 0.9, 0.9, 0.9, 0]), 5)).toBe(5);
  });

  it('stops at a multiple whose peak is under half the autocorrelation at the lag', () => {
    // At 10 the peak is 0.4 < 0.5 * 0.9: only the estimate from 5 counts.
    const acf = f64([1, 0.2, -0.3, -0.1, 0.5, 0.9, 0.7, 0.1, 0, 0.3, 0.4, 0.3, 0, 0]);
    expect(refineLag(acf, 5)).toBeCloseTo(5 + 1 / 6, 12);
  });
});
