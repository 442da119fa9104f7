// The arithmetic under drs diagnose on inputs small enough to work out by hand: bin widths and
// counts, the autocorrelation, the Poisson burst threshold, binary searches, overlay windows,
// the guards of the period test and the words of its figures. Fast: the statistical behaviour on
// day-long logs is in failure-pattern.test.ts and failure-pattern-period.test.ts.
import {
  autocorrelation,
  autocorrelations,
  binFailures,
  broadShare,
  chanceOf,
  chooseDetector,
  chooseBinMs,
  cooccurrence,
  findBursts,
  findPeriod,
  formatChance,
  formatMinutes,
  lowerBound,
  MAX_BINS,
  MINUTE_MS,
  phaseSpread,
  round,
  sameLag,
  seededRandom,
  upperBound,
} from '../../lambdas/core/failure-pattern';

const M = 60_000;
const T0 = Date.UTC(2026, 10, 24);

describe('chooseBinMs and binFailures', () => {
  it('takes the finest readable width that keeps at most 4096 bins, else span / 4096 rounded up', () => {
    expect(MAX_BINS).toBe(4096);
    expect(MINUTE_MS).toBe(60_000);
    expect(chooseBinMs(4096 * 100)).toBe(100);
    expect(chooseBinMs(4096 * 100 + 1)).toBe(200);
    expect(chooseBinMs(0)).toBe(100);
    expect(chooseBinMs(24 * 60 * M)).toBe(30_000); // 2880 half-minute bins (one-minute bins would be 1440, half-second 172,800)
    expect(chooseBinMs(4096 * M)).toBe(M);
    expect(chooseBinMs(4096 * M + 1)).toBe(90_000);
    expect(chooseBinMs(3 * 1440 * M)).toBe(90_000); // 3 days: 4320 one-minute bins are too many, 2880 of 90 s are not
    expect(chooseBinMs(4096 * 60 * M)).toBe(60 * M);
    expect(chooseBinMs(4096 * 1440 * M)).toBe(1440 * M);
    expect(chooseBinMs(4096 * 1440 * M + 4096)).toBe(1440 * M + 1);
    // Each readable width is chosen at exactly 4096 of its bins, and the next one a millisecond later.
    const widths = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, M, 90_000, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M, 60 * M, 120 * M, 180 * M, 360 * M, 720 * M, 1440 * M];
    widths.forEach((w, i) => {
      expect(chooseBinMs(4096 * w)).toBe(w);
      if (i + 1 < widths.length) expect(chooseBinMs(4096 * w + 1)).toBe(widths[i + 1]);
    });
    expect(chooseBinMs(1000, 10)).toBe(100);
    expect(chooseBinMs(1001, 10)).toBe(200);
  });

  it('counts per bin over [start, end], the end in the last bin, outside times dropped', () => {
    const s = binFailures([T0, T0 + 59_999, T0 + M, T0 + 3 * M, T0 - 1, T0 + 4 * M, T0 + 2 * M + 30_000], T0, T0 + 3 * M, M);
    expect(s.start).toBe(T0);
    expect(s.binMs).toBe(M);
    expect(Array.from(s.counts)).toEqual([2, 1, 1, 1]);
    expect(Array.from(binFailures([], T0, T0, M).counts)).toEqual([0]);
    expect(Array.from(binFailures([T0, T0 + M], T0, T0 - M, M).counts)).toEqual([1]); // always at least one bin
    // Default width from the span: 10 minutes -> 200 ms bins (3001 of them); 600 ms is in bin 3.
    expect(binFailures([T0 + 600], T0, T0 + 10 * M).binMs).toBe(200);
    expect(binFailures([T0 + 600], T0, T0 + 10 * M).counts[3]).toBe(1);
  });
});

// The published mulberry32, written out here as the oracle (also of the overlay's shifts below).
const reference = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

describe('seededRandom (mulberry32)', () => {
  it('gives the reference sequence for several seeds, in [0, 1)', () => {
    for (const seed of [0, 1, 7, 123456789, 2 ** 32 - 1, -1]) {
      const r = seededRandom(seed);
      const o = reference(seed);
      for (let i = 0; i < 50; i++) {
        const x = r();
        expect(x).toBe(o());
        expect(x >= 0 && x < 1).toBe(true);
      }
    }
    expect(seededRandom(1)()).not.toBe(seededRandom(2)());
  });
});

describe('autocorrelation', () => {
  it('matches hand-computed values (unbiased per lag, over the variance)', () => {
    // x - mean = -2 -1 0 1 2, variance 2: r1 = (2 + 0 + 0 + 2) / 4 / 2, r2 = -1 / 3 / 2, r3 = -4 / 2 / 2, r4 = -4 / 1 / 2.
    const r = autocorrelation(Float64Array.from([1, 2, 3, 4, 5]), 4);
    const expected = [1, 0.5, -1 / 6, -1, -2];
    expect(r).toHaveLength(5);
    expected.forEach((e, k) => expect(r[k]).toBeCloseTo(e, 10));
    // An alternating series: -1 at odd lags, +1 at even ones.
    const alt = autocorrelation(Float64Array.from([1, -1, 1, -1, 1, -1, 1, -1]), 5);
    [1, -1, 1, -1, 1, -1].forEach((e, k) => expect(alt[k]).toBeCloseTo(e, 10));
  });
  it('is all zeros for a constant series', () => {
    expect(Array.from(autocorrelation(Float64Array.from([3, 3, 3, 3]), 2))).toEqual([0, 0, 0]);
  });
  it('matches a direct computation on a longer, irregular series', () => {
    const random = seededRandom(3);
    const x = Float64Array.from({ length: 37 }, () => Math.floor(random() * 5));
    const n = x.length;
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const d = Array.from(x, (v) => v - mean);
    const variance = d.reduce((s, v) => s + v * v, 0) / n;
    const r = autocorrelation(x, 12);
    for (let k = 0; k <= 12; k++) {
      let sum = 0;
      for (let i = 0; i + k < n; i++) sum += d[i] * d[i + k];
      expect(r[k]).toBeCloseTo(sum / (n - k) / variance, 9);
    }
  });
});

describe('autocorrelations: several series, two per transform', () => {
  // The oracle: the sum of products written out per lag, over n - k pairs, over the variance.
  const direct = (x: Float64Array, maxLag: number) => {
    const n = x.length;
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const d = Array.from(x, (v) => v - mean);
    const variance = d.reduce((s, v) => s + v * v, 0) / n;
    return Array.from({ length: maxLag + 1 }, (_, k) => {
      let sum = 0;
      for (let i = 0; i + k < n; i++) sum += d[i] * d[i + k];
      return variance > 0 ? sum / (n - k) / variance : 0;
    });
  };

  it('separates the real and imaginary halves of each transform, and an odd last series stands alone', () => {
    const random = seededRandom(11);
    // Unlike shapes, so a swapped or mixed-up half shows: a ramp, a square wave, noise, a spike, a constant.
    const series = [
      Float64Array.from({ length: 21 }, (_, i) => i),
      Float64Array.from({ length: 21 }, (_, i) => (Math.floor(i / 3) % 2 ? 4 : 0)),
      Float64Array.from({ length: 21 }, () => Math.floor(random() * 7)),
      Float64Array.from({ length: 21 }, (_, i) => (i === 5 ? 9 : 1)),
      Float64Array.from({ length: 21 }, () => 2),
    ];
    const all = autocorrelations(series, 9);
    expect(all).toHaveLength(5);
    all.forEach((r, s) => {
      expect(r).toHaveLength(10);
      const expected = direct(series[s], 9);
      expected.forEach((e, k) => expect(r[k]).toBeCloseTo(e, 9));
    });
    // By hand for the square wave 0 0 0 4 4 4 0 0 0 ...: it is like itself 6 bins on (r > 0.5)
    // and unlike 3 bins on (r < -0.5).
    expect(all[1][6]).toBeGreaterThan(0.5);
    expect(all[1][3]).toBeLessThan(-0.5);
    // Four series (an even count) give the same per series as one at a time.
    const four = autocorrelations(series.slice(0, 4), 9);
    four.forEach((r, s) => direct(series[s], 9).forEach((e, k) => expect(r[k]).toBeCloseTo(e, 9)));
    expect(autocorrelations([], 3)).toEqual([]);
  });

  it('works at a length that is already a power of two and up to the longest lag', () => {
    const x = Float64Array.from([5, 1, 4, 1, 5, 9, 2, 6]);
    const r = autocorrelations([x, Float64Array.from(x).reverse()], 7);
    // A series and its reverse have the same autocorrelation.
    direct(x, 7).forEach((e, k) => {
      expect(r[0][k]).toBeCloseTo(e, 9);
      expect(r[1][k]).toBeCloseTo(e, 9);
    });
  });
});

describe('findBursts: Poisson threshold at 1/1000 over the quieter 90% of bins', () => {
  // 200 one-minute bins with one failure each: baseline 1 per bin. P(X >= 5) = 0.00366 and
  // P(X >= 6) = 0.000594 for Poisson(1), so a bin needs 6 failures to be a burst.
  const times: number[] = [];
  for (let b = 0; b < 200; b++) times.push(T0 + b * M + 1000);
  const withExtra = (bin: number, extra: number, into: number[]) => {
    for (let i = 0; i < extra; i++) into.push(T0 + bin * M + 2000 + i);
  };
  const bursts = (all: number[]) => {
    const sorted = Float64Array.from(all).sort();
    return findBursts(sorted, binFailures(sorted, T0, T0 + 199 * M, M));
  };

  it('needs 6 failures in a bin at a baseline of 1, not 5', () => {
    const six = [...times];
    withExtra(100, 5, six);
    const found = bursts(six);
    expect(found).toHaveLength(1);
    const sorted = Float64Array.from(six).sort();
    const first = lowerBound(sorted, T0 + 100 * M);
    expect(found[0]).toEqual({ start: T0 + 100 * M + 1000, end: T0 + 100 * M + 2004, failures: 6, peakPerMinute: 6, first, last: first + 6 });
    const five = [...times];
    withExtra(150, 4, five);
    expect(bursts(five)).toEqual([]);
  });

  it('joins busy bins up to two bins apart, not three, and keeps bursts of at least 3 failures', () => {
    // Baseline 0 (floored at 0.001 per bin): 2 failures in a bin already pass.
    const sparse: number[] = [];
    for (const bin of [10, 12]) for (let i = 0; i < 2; i++) sparse.push(T0 + bin * M + i * 1000);
    for (const bin of [40, 43]) for (let i = 0; i < 2; i++) sparse.push(T0 + bin * M + i * 1000);
    const sorted = Float64Array.from(sparse).sort();
    const found = findBursts(sorted, binFailures(sorted, T0, T0 + 99 * M, M));
    // Bins 10 and 12 make one burst of 4; bins 40 and 43 are two bursts of 2 each, too small.
    expect(found.map((b) => [b.start, b.end, b.failures, b.peakPerMinute])).toEqual([[T0 + 10 * M, T0 + 12 * M + 1000, 4, 2]]);
  });

  it('keeps a burst of exactly 3 failures, also in the last bin', () => {
    // Baseline 0: 2 failures in a bin pass; 3 in the last of 100 bins make a burst of 3.
    const sorted = Float64Array.from([0, 1, 2].map((i) => T0 + 99 * M + i * 1000));
    const found = findBursts(sorted, binFailures(sorted, T0, T0 + 99 * M, M));
    expect(found.map((b) => [b.start, b.end, b.failures, b.peakPerMinute])).toEqual([[T0 + 99 * M, T0 + 99 * M + 2000, 3, 3]]);
  });

  it('gives the peak rate per minute for any bin width', () => {
    const sorted = Float64Array.from([0, 1, 2, 3].map((i) => T0 + 30 * 1000 + i));
    const found = findBursts(sorted, binFailures(sorted, T0, T0 + 10 * M, 30_000));
    expect(found).toHaveLength(1);
    expect(found[0].peakPerMinute).toBe(8); // 4 failures in a 30 s bin
  });
});

describe('lowerBound and upperBound', () => {
  const a = [1, 3, 3, 3, 7];
  it('find the first index >= and > the value', () => {
    expect([0, 1, 2, 3, 4, 7, 8].map((v) => lowerBound(a, v))).toEqual([0, 0, 1, 1, 4, 4, 5]);
    expect([0, 1, 2, 3, 4, 7, 8].map((v) => upperBound(a, v))).toEqual([0, 1, 1, 4, 4, 5, 5]);
    expect(lowerBound([], 1)).toBe(0);
    expect(upperBound([], 1)).toBe(0);
  });
});

describe('cooccurrence: the observed figures', () => {
  const span = { start: T0, end: T0 + 24 * 60 * M };
  it('counts failures within the window of each event once, edges included', () => {
    const failures = Float64Array.from([T0 + 100 * M - 2 * M, T0 + 100 * M + 30_000, T0 + 101 * M + 2 * M, T0 + 101 * M + 2 * M + 1, T0 + 500 * M]);
    // Two events a minute apart, windows of 2 minutes: they overlap, so no failure counts twice.
    const c = cooccurrence(failures, [{ start: T0 + 100 * M, end: T0 + 100 * M }, { start: T0 + 101 * M, end: T0 + 101 * M }], span, 2 * M, { shifts: 19 });
    expect(c.events).toBe(2);
    expect(c.failuresNear).toBe(3);
    expect(c.eventsWithFailures).toBe(2);
  });

  it('keeps events that reach into the span by the window, and only those', () => {
    const failures = Float64Array.from([T0 + 10 * M]);
    const reach = (start: number, end: number) => cooccurrence(failures, [{ start, end }], span, 5 * M, { shifts: 9 }).events;
    expect(reach(T0 - 10 * M, T0 - 5 * M)).toBe(1);
    expect(reach(T0 - 10 * M, T0 - 5 * M - 1)).toBe(0);
    expect(reach(span.end + 5 * M, span.end + 6 * M)).toBe(1);
    expect(reach(span.end + 5 * M + 1, span.end + 6 * M)).toBe(0);
  });

  it('reports chance 1 and no co-occurrence with no events, no failures or an empty span', () => {
    const failures = Float64Array.from([T0 + 10 * M]);
    expect(cooccurrence(failures, [], span, M)).toEqual({ events: 0, failuresNear: 0, expectedNear: 0, eventsWithFailures: 0, chanceProbability: 1, cooccurring: false });
    expect(cooccurrence(new Float64Array(0), [{ start: T0 + M, end: T0 + M }], span, M)).toEqual({ events: 1, failuresNear: 0, expectedNear: 0, eventsWithFailures: 0, chanceProbability: 1, cooccurring: false });
    expect(cooccurrence(failures, [{ start: T0 + 10 * M, end: T0 + 10 * M }], { start: T0, end: T0 }, M)).toMatchObject({ events: 0, chanceProbability: 1, cooccurring: false });
    // An empty span with an event and a failure on it: nothing to shift, so nothing is claimed.
    expect(cooccurrence(Float64Array.from([T0]), [{ start: T0, end: T0 }], { start: T0, end: T0 }, M, { shifts: 9 })).toEqual({ events: 1, failuresNear: 1, expectedNear: 0, eventsWithFailures: 1, chanceProbability: 1, cooccurring: false });
  });

  it('merges windows given in any order, and windows that touch, counting each failure once', () => {
    const failures = Float64Array.from([T0 + 20 * M, T0 + 40 * M, T0 + 60 * M]);
    // Events at 50 and 30 min, windows of 15 min: [35, 65] and [15, 45] overlap, all three failures near.
    expect(cooccurrence(failures, [{ start: T0 + 50 * M, end: T0 + 50 * M }, { start: T0 + 30 * M, end: T0 + 30 * M }], span, 15 * M, { shifts: 9 })).toMatchObject({ failuresNear: 3, eventsWithFailures: 2 });
    // Events at 30 and 50 min, windows of 10 min: [20, 40] and [40, 60] touch at the failure at 40.
    expect(cooccurrence(failures, [{ start: T0 + 30 * M, end: T0 + 30 * M }, { start: T0 + 50 * M, end: T0 + 50 * M }], span, 10 * M, { shifts: 9 })).toMatchObject({ failuresNear: 3, eventsWithFailures: 2 });
  });
});

describe('cooccurrence: the shifted overlay', () => {
  const span = { start: T0, end: T0 + 24 * 60 * M };
  it('finds every shift as good when the window covers the whole span: expected = observed, chance 1', () => {
    const hour = { start: T0, end: T0 + 60 * M };
    const failures = Float64Array.from([10, 20, 30, 40, 50].map((m) => T0 + m * M));
    expect(cooccurrence(failures, [{ start: T0 + 30 * M, end: T0 + 30 * M }], hour, 60 * M, { shifts: 99 })).toEqual({
      events: 1,
      failuresNear: 5,
      expectedNear: 5,
      eventsWithFailures: 1,
      chanceProbability: 1,
      cooccurring: false,
    });
  });

  it('wraps a shifted event that runs past the end to the start of the span', () => {
    // Span [0, 100) min, one event lasting 50 min, failures at 10 and 90 min, no window. Shifted to
    // start at o, it covers [o, o + 50] and, past 100, [o - 100, o - 50]: it holds 1 failure for
    // o in [0, 10], 0 in (10, 40), 1 in [40, 60), 2 in [60, 90], 1 in (90, 100). Mean 1.0; at least
    // one failure for 70% of the shifts. Without the wrap: mean 0.6, 60%.
    const hundred = { start: T0, end: T0 + 100 * M };
    const failures = Float64Array.from([T0 + 10 * M, T0 + 90 * M]);
    const c = cooccurrence(failures, [{ start: T0, end: T0 + 50 * M }], hundred, 0, { shifts: 999 });
    expect(c.failuresNear).toBe(1);
    expect(Math.abs(c.expectedNear - 1)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(c.chanceProbability - 0.7)).toBeLessThanOrEqual(0.05);
    expect(c.cooccurring).toBe(false);
  });

  it('finds failures that sit on the events of a sparse overlay, and the chance is (as many + 1) / (shifts + 1)', () => {
    const events = [100, 400, 700, 1000, 1300].map((m) => T0 + m * M);
    const failures = Float64Array.from(events.flatMap((t) => [t + 10_000, t + 20_000]));
    const c = cooccurrence(failures, events.map((t) => ({ start: t, end: t })), span, M, { shifts: 99, alpha: 0.05 });
    expect(c.failuresNear).toBe(10);
    expect(c.eventsWithFailures).toBe(5);
    expect(c.chanceProbability).toBe(0.01); // no shift of the overlay lands all 5 events on failures again
    expect(c.expectedNear).toBeLessThan(1);
    expect(c.cooccurring).toBe(true);
    expect(cooccurrence(failures, events.map((t) => ({ start: t, end: t })), span, M, { shifts: 99, alpha: 0.01 }).cooccurring).toBe(false);
  });
});

describe('cooccurrence: where each shift puts the overlay', () => {
  it('moves every event by the same draw times the span, modulo the span (seed 7: three shifts counted by hand)', () => {
    // mulberry32(7) draws 0.011705, 0.061958, 0.976908 (the reference above): over a span of 100 min the
    // shifts are 1.1705, 6.1958 and 97.6908 min. A point event at 10 min with a window of 0.5 min lands at
    // 11.1705, 16.1958 and 107.6908 - 100 = 7.6908 min, and its windows [10.67, 11.67], [15.70, 16.70] and
    // [7.19, 8.19] hold 1 (11), 2 (16, 16.1) and 3 (7.5, 7.6, 7.7) failures: expected (1 + 2 + 3) / 3 = 2.
    // Its own window [9.5, 10.5] holds 2 (10, 10.2); 2 shifts hold as many: chance (2 + 1) / (3 + 1).
    // (A shift by any other amount, e.g. 80 min more, lands elsewhere and counts other failures.)
    const draws = reference(7);
    expect([draws(), draws(), draws()].map((u) => round(u, 6))).toEqual([0.011705, 0.061958, 0.976908]);
    const hundred = { start: T0, end: T0 + 100 * M };
    const failures = Float64Array.from([7.5, 7.6, 7.7, 10, 10.2, 11, 16, 16.1].map((m) => T0 + m * M));
    const point = { start: T0 + 10 * M, end: T0 + 10 * M };
    expect(cooccurrence(failures, [point], hundred, 0.5 * M, { shifts: 3 })).toEqual({
      events: 1,
      failuresNear: 2,
      expectedNear: 2,
      eventsWithFailures: 1,
      chanceProbability: 0.75,
      cooccurring: false,
    });
    // An event that starts 2 min before the span (it reaches in: it lasts 3 min) moves to -2 + 1.1705 =
    // -0.8295 min, which is 99.1705 modulo the span: [99.1705, 102.1705] wraps to [-0.8295, 2.1705] as well.
    // With no window, a failure at 99.5 min is near it (and one at 1 min, on the wrapped part), and the
    // event's own place [-2, 1] holds the one at 1 min: 2 near the one shift, 1 observed.
    const early = { start: T0 - 2 * M, end: T0 + M };
    expect(cooccurrence(Float64Array.from([T0 + M, T0 + 99.5 * M]), [early], hundred, 0, { shifts: 1 })).toMatchObject({
      failuresNear: 1,
      expectedNear: 2,
      chanceProbability: 1,
    });
  });

  it('is co-occurring only with more near failures than the shifts expect, not as many', () => {
    // Nine shifts of seed 7 over 100 min (draws x 100: 1.1705, 6.1958, 97.6908, 69.9029, 52.1445, 40.5522,
    // 46.6233, 23.9925, 55.3326 min) move a point event at 10 min to 11.17, 16.20, 7.69, 79.90, 62.14,
    // 50.55, 56.62, 33.99 and 65.33 min. With a window of 0.5 min, six failures near each of 79.90, 50.55
    // and 33.99 and none near the others: 3 shifts with 6, 6 with 0, expected 18 / 9 = 2; the 3 busy
    // shifts count at least as many as the 2 or 3 observed: chance (3 + 1) / (9 + 1) = 0.4.
    const draws = reference(7);
    expect(Array.from({ length: 9 }, () => round(draws() * 100, 4))).toEqual([1.1705, 6.1958, 97.6908, 69.9029, 52.1445, 40.5522, 46.6233, 23.9925, 55.3326]);
    const hundred = { start: T0, end: T0 + 100 * M };
    const busy = [79.5, 79.6, 79.7, 79.8, 80, 80.1, 50.2, 50.3, 50.4, 50.5, 50.6, 50.7, 33.6, 33.7, 33.8, 33.9, 34, 34.1];
    const near = (observed: number[], alpha: number) =>
      cooccurrence(Float64Array.from([...observed, ...busy].map((m) => T0 + m * M)).sort(), [{ start: T0 + 10 * M, end: T0 + 10 * M }], hundred, 0.5 * M, { shifts: 9, alpha });
    // 2 observed, 2 expected: a chance of 0.4 under alpha 0.5, but no more than chance gives.
    expect(near([10, 10.2], 0.5)).toEqual({ events: 1, failuresNear: 2, expectedNear: 2, eventsWithFailures: 1, chanceProbability: 0.4, cooccurring: false });
    // 3 observed: more than expected, co-occurring at alpha 0.5, not at alpha 0.4 (the chance must be below it).
    expect(near([10, 10.2, 10.4], 0.5)).toMatchObject({ failuresNear: 3, expectedNear: 2, chanceProbability: 0.4, cooccurring: true });
    expect(near([10, 10.2, 10.4], 0.4).cooccurring).toBe(false);
  });

  it('wraps an event that runs past the end of the span, not one that ends on it', () => {
    // A span of 2^32 ms, so the first shift of seed 7 is a whole number of milliseconds (the draw's
    // 32 bits): x = 0.011705... * 2^32. An event of 60 min placed x before (span end - 60 min) moves to
    // end exactly at the span's end: nothing of it lies past the end, so it does not wrap, and a failure
    // at the span's start is not near it. One millisecond longer, it runs past the end and its wrapped
    // part [start - 60 min, start + 1 ms] holds that failure.
    const length = 2 ** 32;
    const x = reference(7)() * length;
    expect(Number.isInteger(x)).toBe(true);
    const span = { start: T0, end: T0 + length };
    const from = T0 + length - 60 * M - x;
    const failures = Float64Array.from([T0]);
    const near = (end: number) => cooccurrence(failures, [{ start: from, end }], span, 0, { shifts: 1 }).expectedNear;
    expect(near(from + 60 * M)).toBe(0);
    expect(near(from + 60 * M + 1)).toBe(1);
  });
});

describe("the period test's decisions, on figures given by hand", () => {
  const comb = { chance: 0.01, asStrong: 0 };
  it('reports the surer detector, the comb on a tie, and the comb\'s lag unless the comb alone misses the rhythm', () => {
    const spectral = (chance: number) => ({ chance, asStrong: 1 });
    // Surer harmonic sum (0.004 < 0.01), but the comb sees the rhythm too (0.01 <= 0.05): the comb's lag.
    expect(chooseDetector(comb, spectral(0.004))).toEqual({ chosen: spectral(0.004), spectralLag: false });
    // A tie: the comb's figures (its asStrong 0, not the harmonic sum's 1).
    expect(chooseDetector(comb, spectral(0.01))).toEqual({ chosen: comb, spectralLag: false });
    expect(chooseDetector(comb, spectral(0.02))).toEqual({ chosen: comb, spectralLag: false });
    // The comb at exactly 0.05 still sees the rhythm; a little above, the harmonic sum's lag is taken.
    expect(chooseDetector({ chance: 0.05, asStrong: 3 }, spectral(0.01)).spectralLag).toBe(false);
    expect(chooseDetector({ chance: 0.0501, asStrong: 3 }, spectral(0.01)).spectralLag).toBe(true);
    // Both at chance 1 (every surrogate stronger): a tie, so the comb names the strongest repeat.
    expect(chooseDetector({ chance: 1, asStrong: 49 }, { chance: 1, asStrong: 40 })).toEqual({ chosen: { chance: 1, asStrong: 49 }, spectralLag: false });
  });

  it('counts a cycle of 6 h or more whose failures spread over more than a quarter of it as broad', () => {
    // Quarter-hour bins: a 6-hour cycle is 24 bins, one in each of the 24 phases.
    const QUARTER = 15 * M;
    const SIX_HOURS = 6 * 60 * M;
    const cycles = (perPhase: (phase: number) => number) => Float64Array.from({ length: 48 }, (_, i) => perPhase(i % 24));
    // 1 failure a bin: no phase above the quartile, phaseSpread 1 (the whole cycle): broad from 6 h on.
    const even = cycles(() => 1);
    expect(broadShare(even, QUARTER, SIX_HOURS)).toBe(1);
    expect(broadShare(even, QUARTER, SIX_HOURS - 1)).toBeNull();
    // 3 failures in 12 phases: excess 36 over the quartile 0, 80% (28.8) needs 10 of them: 10/24.
    expect(broadShare(cycles((p) => (p < 12 ? 3 : 0)), QUARTER, SIX_HOURS)).toBe(10 / 24);
    // 3 in 7 phases: 80% of 21 (16.8) needs 6: exactly a quarter, which is narrow.
    expect(broadShare(cycles((p) => (p < 7 ? 3 : 0)), QUARTER, SIX_HOURS)).toBeNull();
    // 5 failures in one phase: 1/24, narrow.
    expect(broadShare(cycles((p) => (p === 3 ? 5 : 0)), QUARTER, SIX_HOURS)).toBeNull();
  });

  it('takes a second look within 10% of the first as confirming it, 10% exactly included', () => {
    expect(sameLag(11, 10)).toBe(true); // |11 - 10| = 1 = 0.1 * 10
    expect(sameLag(9, 10)).toBe(true);
    expect(sameLag(11.5, 10)).toBe(false);
    expect(sameLag(8.9, 10)).toBe(false);
    expect(sameLag(30, 30)).toBe(true);
  });
});

describe('findPeriod: when there is nothing to test', () => {
  const series = (counts: number[]) => ({ start: T0, binMs: M, counts: Float64Array.from(counts) });
  it('needs 24 bins', () => {
    expect(findPeriod(series(Array(23).fill(1))).reason).toBe('the failures span too short a time to show a period');
    expect(findPeriod(series(Array(24).fill(1))).reason).not.toBe('the failures span too short a time to show a period');
  });
  it('needs 6 failures in at least 4 bins', () => {
    const few = (counts: Record<number, number>) => findPeriod(series(Array.from({ length: 40 }, (_, i) => counts[i] ?? 0))).reason;
    expect(few({ 1: 2, 5: 1, 9: 1, 13: 1 })).toBe('too few failures to show a period'); // 5 failures
    expect(few({ 1: 3, 5: 1, 9: 1 })).toBe('too few failures to show a period'); // 3 bins
    expect(few({ 1: 4, 5: 1, 9: 1 })).toBe('too few failures to show a period'); // 6 failures, but in 3 bins
    expect(few({ 1: 3, 5: 1, 9: 1, 13: 1 })).not.toBe('too few failures to show a period');
  });
  it('needs 3 episodes above the median', () => {
    expect(findPeriod(series(Array(30).fill(2))).reason).toBe('failures are spread evenly: no episodes that could repeat');
    const two = Array(30).fill(1);
    two[5] = 4;
    two[20] = 4;
    expect(findPeriod(series(two)).reason).toBe('failures are spread evenly: no episodes that could repeat');
    const three = [...two];
    three[12] = 4;
    expect(findPeriod(series(three), { surrogates: 9 }).reason).not.toBe('failures are spread evenly: no episodes that could repeat');
  });
  it('answers a refusal with no period and no figures', () => {
    expect(findPeriod(series(Array(10).fill(1)))).toEqual({ period: null, reason: 'the failures span too short a time to show a period', surrogatesAsStrong: 0, surrogates: 0, contrast: 0, chance: null });
  });
});

describe('findPeriod on a small series', () => {
  it('finds failure windows every 6 bins among noise, and names the period in minutes', () => {
    const random = seededRandom(21);
    const counts = Array.from({ length: 96 }, () => (random() < 0.1 ? 1 : 0));
    for (let b = 2; b < 96; b += 6) counts[b] += 4 + Math.floor(random() * 3);
    const test = findPeriod({ start: T0, binMs: 5 * M, counts: Float64Array.from(counts) }, { surrogates: 49, alpha: 0.05 });
    expect(test.period).not.toBeNull();
    expect(test.period!.minutes).toBeCloseTo(30, 0);
    expect(test.surrogates).toBe(49);
    expect(test.surrogatesAsStrong).toBe(0);
    // 96 bins of 5 min = 480 min: 16 periods of 30 min, 15 whole ones if the period is a little longer.
    expect([15, 16]).toContain(test.cycles);
    expect(test.reason).toMatch(new RegExp(`^failures repeat every (29|30)(\\.\\d)? min over ${test.cycles} cycles; none of 49 random rearrangements of the same failures repeat as strongly \\(chance `));
    // Ten minutes and more are given to 0.1 min; the confidence is 1 - the chance, to 4 decimals.
    expect(Math.round(test.period!.minutes * 10)).toBeCloseTo(test.period!.minutes * 10, 9);
    expect(test.period!.confidence).toBeCloseTo(1 - test.chance!, 4);
    expect(test.period!.confidence).toBeLessThan(1);
  });
  it('claims none, even when no surrogate is as strong, when alpha is below what 49 surrogates can show', () => {
    // The chance is at least (0 + 1) / (49 + 1) / 10 = 0.002, doubled for two detectors: 0.004 > alpha.
    const random = seededRandom(21);
    const counts = Array.from({ length: 96 }, () => (random() < 0.1 ? 1 : 0));
    for (let b = 2; b < 96; b += 6) counts[b] += 4 + Math.floor(random() * 3);
    const test = findPeriod({ start: T0, binMs: 5 * M, counts: Float64Array.from(counts) }, { surrogates: 49, alpha: 0.003 });
    expect(test.period).toBeNull();
    expect(test.surrogatesAsStrong).toBe(0);
    expect(test.chance).toBeGreaterThanOrEqual(0.004);
    expect(test.reason).toMatch(/^no period is supported: the strongest repeat \(every .+\) is as strong in 0 of 49 random rearrangements/);
  });
  it('claims none in noise', () => {
    const random = seededRandom(22);
    const counts = Array.from({ length: 96 }, () => (random() < 0.3 ? 1 + Math.floor(random() * 4) : 0));
    const test = findPeriod({ start: T0, binMs: 5 * M, counts: Float64Array.from(counts) }, { surrogates: 49, alpha: 0.05 });
    expect(test.period).toBeNull();
    expect(test.reason).toMatch(/^no period is supported: the strongest repeat \(every .+\) is as strong in \d+ of 49 random rearrangements of the same failures \(chance .+\)$/);
  });
});

describe('the words of the figures', () => {
  it('rounds to the given digits', () => {
    expect(round(1.23456, 2)).toBe(1.23);
    expect(round(1.235, 1)).toBe(1.2);
    expect(round(-0.5, 0)).toBe(-0);
    expect(round(1234.5, -2)).toBe(1200);
  });
  it('writes minutes as seconds below 1, minutes below 120, hours from 120', () => {
    expect(formatMinutes(0.5)).toBe('30 s');
    expect(formatMinutes(0.99)).toBe('59.4 s');
    expect(formatMinutes(1)).toBe('1 min');
    expect(formatMinutes(119.94)).toBe('119.9 min');
    expect(formatMinutes(120)).toBe('2 h');
    expect(formatMinutes(150)).toBe('2.5 h');
  });
  it('writes a chance with the digits it deserves', () => {
    expect(formatChance(0.00009)).toBe('< 0.0001');
    expect(formatChance(0.0001)).toBe('0.0001');
    expect(formatChance(0.00999)).toBe('0.0100');
    expect(formatChance(0.01)).toBe('0.01');
    expect(formatChance(0.456)).toBe('0.46');
  });
});

describe('phaseSpread: the share of 24 phases that hold 80% of the excess over the lower quartile', () => {
  const spread = (counts: number[], binMs: number, periodMs: number) => phaseSpread(Float64Array.from(counts), binMs, periodMs);
  it('is 1/24 for failures in one phase of each cycle', () => {
    const counts = Array(48).fill(0);
    counts[3] = 1;
    counts[27] = 1;
    expect(spread(counts, M, 24 * M)).toBe(1 / 24);
  });
  it('is 10/24 for a steady rise over the cycle (rates 0..23: excess 17..1 over the quartile 6, 80% of 153 in the top 10)', () => {
    expect(spread(Array.from({ length: 48 }, (_, i) => i % 24), M, 24 * M)).toBe(10 / 24);
  });
  it('takes the quartile of the sorted rates, whatever the order of the phases (a steady fall: 10/24 too)', () => {
    expect(spread(Array.from({ length: 48 }, (_, i) => 23 - (i % 24)), M, 24 * M)).toBe(10 / 24);
  });
  it('compares rates per bin when phases hold unequal numbers of bins', () => {
    // 36 bins on a 24-bin cycle: phases 0..11 hold 2 bins, 12..23 one. Phase 0 holds 4 failures
    // (rate 2), phases 13..18 one each (rate 1): excess 2 + 6 = 8, 80% (6.4) needs 6 phases.
    const counts = Array(36).fill(0);
    counts[0] = 2;
    counts[24] = 2;
    for (let i = 13; i <= 18; i++) counts[i] = 1;
    expect(spread(counts, M, 24 * M)).toBe(6 / 24);
  });
  it('is 1 for failures spread evenly (no excess at all)', () => {
    expect(spread(Array(48).fill(1), M, 24 * M)).toBe(1);
    expect(spread(Array(48).fill(0), M, 24 * M)).toBe(1);
  });
  it('stops at exactly 80%: excess 4 and 1 of 5 is held by one phase', () => {
    const counts = Array(24).fill(0);
    counts[0] = 4;
    counts[1] = 1;
    expect(spread(counts, M, 24 * M)).toBe(1 / 24);
  });
  it('places a bin by its middle: 12 bins on a 12-bin cycle fill the odd phases, the first bin phase 1', () => {
    // Bin 0's middle is at 0.5 of 12: phase floor(0.5 / 12 * 24) = 1. Its own rate 5, the others 0.
    const counts = Array(12).fill(0);
    counts[0] = 5;
    expect(spread(counts, 1, 12)).toBe(1 / 24);
    counts[11] = 5; // bin 11's middle, 11.5 of 12: phase 23 (not 24, not 0)
    expect(spread(counts, 1, 12)).toBe(2 / 24);
  });
});

describe('chanceOf: a Gumbel fit to the surrogate maxima by moments, bounded below by the rank', () => {
  // Worked out apart from the code: mean 2, sd sqrt(10/4), beta = sd * sqrt(6) / pi, mu = mean - 0.5772156649 * beta,
  // chance = 1 - exp(-exp(-(x - mu) / beta)); the floor is (as strong + 1) / (n + 1) / 10.
  const maxima = [0, 1, 2, 3, 4];
  it('fits the tail above and below the maxima', () => {
    expect(chanceOf(5, maxima).chance).toBeCloseTo(0.04806453030112485, 12);
    expect(chanceOf(5, maxima).asStrong).toBe(0);
    expect(chanceOf(2, maxima)).toEqual({ chance: expect.closeTo(0.4296239983254678, 12), asStrong: 3 });
    expect(chanceOf(0, maxima)).toEqual({ chance: expect.closeTo(0.9417884185403138, 12), asStrong: 5 });
  });
  it('never claims less than a tenth of the rank allows', () => {
    expect(chanceOf(100, maxima)).toEqual({ chance: 1 / 6 / 10, asStrong: 0 });
  });
  it('answers maxima that are all alike with 0 (then the rank floor) above them and 1 at or below', () => {
    expect(chanceOf(2, [1, 1, 1])).toEqual({ chance: 1 / 4 / 10, asStrong: 0 });
    expect(chanceOf(1, [1, 1, 1])).toEqual({ chance: 1, asStrong: 3 });
    expect(chanceOf(0.5, [1, 1, 1])).toEqual({ chance: 1, asStrong: 3 });
  });
});
