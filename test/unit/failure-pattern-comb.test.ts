// The comb detector of drs diagnose's period test (lambdas/core/failure-pattern.ts): which lag
// `combPeak` names from the autocorrelations at each smoothing width, on autocorrelations built by
// hand (mostly zeros, a few values that are exact in binary, so every contrast below is worked out
// in the comments), and what `strongestComb` hands it for a series whose autocorrelation is known.
// With reach < 2k only one multiple of k counts: contrast(k) = r(k) - r(k / 2), read between bins.
// Last, `refineLag`'s search around each multiple of the lag the comb named.
import { autocorrelation, combPeak, gaussianSmooth, refineLag, strongestComb } from '../../lambdas/core/failure-pattern';

/** An autocorrelation of 16 lags: 1 at lag 0, the given values, 0 elsewhere. */
const acfWith = (values: Record<number, number>) => {
  const r = new Float64Array(16);
  r[0] = 1;
  for (const [lag, value] of Object.entries(values)) r[Number(lag)] = value;
  return r;
};
const look = (sigma: number, values: Record<number, number>) => ({ sigma, acf: acfWith(values) });
const NO_PEAK = { contrast: -1, lag: 0, sigma: 0, acf: new Float64Array(0) };

describe('combPeak: the strongest lag of one smoothing', () => {
  it('takes the strongest contrast among lags 4..maxLag whose autocorrelation is positive', () => {
    // maxLag 6, reach 6: c4 = r4 - r2 = 0, c5 = r5 - (r2 + r3) / 2 = 0.25, c6 = r6 - r3 = 0.75.
    const one = look(0, { 5: 0.25, 6: 0.75 });
    const peak = combPeak([one], 6, 6);
    expect(peak).toEqual({ contrast: 0.75, lag: 6, sigma: 0, acf: one.acf });
    expect(peak.acf).toBe(one.acf);
    // Up to maxLag 5, lag 6 is out of reach: 5 is the strongest left.
    expect(combPeak([one], 5, 6)).toEqual({ contrast: 0.25, lag: 5, sigma: 0, acf: one.acf });
  });

  it('never looks below lag 4, however strong the contrast there', () => {
    // r2 = 0.5 would give lag 2 the strongest comb: (r2 + r4 + r6 - r1 - r3 - r5) / √3 = 0.433.
    // From lag 4: c4 = 0 - 0.5 (r4 = 0: no candidate), c5 = 0 - 0.25, c6 = 0.25 - 0 = 0.25.
    expect(combPeak([look(0, { 2: 0.5, 6: 0.25 })], 6, 6)).toMatchObject({ contrast: 0.25, lag: 6 });
  });

  it('passes over lags whose autocorrelation is 0, however strong their contrast', () => {
    // r2 = -0.5: c4 = 0 + 0.5 = 0.5 and c5 = 0 + 0.25 = 0.25, but r4 = r5 = 0; c6 = 0.125 - 0 with r6 > 0.
    // Nor is 4 the first strong peak: r4 = 0 is under half of r6 (0.0625).
    expect(combPeak([look(0, { 2: -0.5, 6: 0.125 })], 6, 6)).toMatchObject({ contrast: 0.125, lag: 6 });
  });

  it('keeps the only candidate even when its contrast is below zero', () => {
    // r3 = 0.5, r6 = 0.25: c6 = 0.25 - 0.5 = -0.25, and r4 = r5 = 0. Lag 4 (c4 = 0 >= 0.6 * -0.25) is
    // no period either: r4 = 0 is under half of r6.
    expect(combPeak([look(0, { 3: 0.5, 6: 0.25 })], 6, 6)).toMatchObject({ contrast: -0.25, lag: 6 });
  });

  it('takes the earliest of equally strong lags', () => {
    // c4 = 0.25 + 0.5 = 0.75 and c6 = 0.75 - 0 = 0.75 (c5 = 0 + 0.25). Lag 6 taken as the top would
    // keep 6: r4 = 0.25 is under half of r6.
    expect(combPeak([look(0, { 2: -0.5, 4: 0.25, 6: 0.75 })], 6, 6)).toMatchObject({ contrast: 0.75, lag: 4 });
  });

  it('gives no peak, with a finite contrast of -1, when no lag repeats', () => {
    expect(combPeak([], 6, 6)).toEqual(NO_PEAK);
    expect(combPeak([look(0, { 2: 0.5, 4: -0.25, 5: 0, 6: -0.5 })], 6, 6)).toEqual(NO_PEAK);
    // A smoothing of 4 bins sees lags from 8 only: lag 5 is not for it to see.
    expect(combPeak([look(4, { 5: 0.75 })], 7, 7)).toEqual(NO_PEAK);
  });
});

describe('combPeak: the first strong peak before the strongest lag', () => {
  // maxLag 7, reach 7: c4 = r4 - r2, c5 = r5 - (r2 + r3) / 2, c6 = r6 - r3, c7 = r7 - (r3 + r4) / 2.
  // The strongest lag is 7 in each; an earlier lag is the period when its contrast is a local peak
  // of at least 0.6 of lag 7's and its autocorrelation at least half of r7.
  it('takes a peak at exactly 0.6 of the strongest contrast, not one under it', () => {
    // c4 = -0.5 - 0.5 = -1, c5 = 0.75 - 0 = 0.75, c6 = 0 + 0.5 = 0.5, c7 = 0.75 + 0.5 = 1.25 (0.6 of it: 0.75).
    expect(combPeak([look(0, { 2: 0.5, 3: -0.5, 4: -0.5, 5: 0.75, 7: 0.75 })], 7, 7)).toMatchObject({ contrast: 1.25, lag: 5 });
    // r5 = 0.5: c5 = 0.5 < 0.75 (but above 0.6 / 1.25 = 0.48), still a local peak (c6 = 0.5): lag 7.
    expect(combPeak([look(0, { 2: 0.5, 3: -0.5, 4: -0.5, 5: 0.5, 7: 0.75 })], 7, 7)).toMatchObject({ contrast: 1.25, lag: 7 });
  });

  it('takes a lag whose autocorrelation is exactly half the strongest lag\'s, not one under it', () => {
    // c4 = 0 + 0.5 = 0.5 (under 0.6), c5 = 0.375 + 0.5 = 0.875, c6 = 0 + 0.5 = 0.5, c7 = 0.75 + 0.25 = 1;
    // r5 = 0.375 = r7 / 2 (and under 0.5 / r7 = 0.667).
    expect(combPeak([look(0, { 2: -0.5, 3: -0.5, 5: 0.375, 7: 0.75 })], 7, 7)).toMatchObject({ contrast: 1, lag: 5 });
    // r5 = 0.25: c5 = 0.75, a local peak of more than 0.6, but r5 < 0.375: lag 7.
    expect(combPeak([look(0, { 2: -0.5, 3: -0.5, 5: 0.25, 7: 0.75 })], 7, 7)).toMatchObject({ contrast: 1, lag: 7 });
  });

  it('takes a plateau as a peak, on either side', () => {
    // c4 = 0 + 0.5 = 0.5 (r4 = 0: no period), c5 = 0.5 - 0 = 0.5, c6 = 0 - 0.5, c7 = 1 - 0.25 = 0.75:
    // c5 equals c4 on its left (r5 = 0.5 = r7 / 2, c5 >= 0.45).
    expect(combPeak([look(0, { 2: -0.5, 3: 0.5, 5: 0.5, 7: 1 })], 7, 7)).toMatchObject({ contrast: 0.75, lag: 5 });
    // c4 = 0, c5 = 0.5 + 0.5 = 1, c6 = 0 + 1 = 1 (r6 = 0: no period), c7 = 1 + 0.5 = 1.5: c5 equals c6
    // on its right (c5 >= 0.9, r5 = r7 / 2).
    expect(combPeak([look(0, { 3: -1, 5: 0.5, 7: 1 })], 7, 7)).toMatchObject({ contrast: 1.5, lag: 5 });
  });

  it('passes over a lag on a slope, down or up', () => {
    // Down: c4 = 0 + 0.5 = 0.5 (r4 = 0), c5 = 0.5 - 0.0625 = 0.4375 < c4, c6 = -0.625, c7 = 1 - 0.3125 = 0.6875.
    // Lag 5 has all else (0.4375 >= 0.4125, r5 = r7 / 2, c5 >= c6).
    expect(combPeak([look(0, { 2: -0.5, 3: 0.625, 5: 0.5, 7: 1 })], 7, 7)).toMatchObject({ contrast: 0.6875, lag: 7 });
    // Up: c4 = 0, c5 = 0.25 + 0.5 = 0.75 < c6 = 0 + 1 = 1 (r6 = 0), c7 = 0.5 + 0.5 = 1. Lag 5 has all
    // else (0.75 >= 0.6, r5 = r7 / 2, c5 >= c4).
    expect(combPeak([look(0, { 3: -1, 5: 0.25, 7: 0.5 })], 7, 7)).toMatchObject({ contrast: 1, lag: 7 });
  });
});

describe('combPeak: across smoothing widths', () => {
  // maxLag 6, reach 6 as above.
  const strong = () => look(0, { 5: 0.25, 6: 0.75 }); // lag 6, contrast 0.75
  const weak = () => look(0, { 6: 0.5 }); // lag 6, contrast 0.5

  it('keeps the narrower of two smoothings that see the same contrast', () => {
    const first = strong();
    const peak = combPeak([first, { ...strong(), sigma: 1 }], 6, 6);
    expect(peak).toMatchObject({ contrast: 0.75, lag: 6, sigma: 0 });
    expect(peak.acf).toBe(first.acf);
  });

  it('takes a wider smoothing that sees a stronger contrast, not one that sees a weaker one or none', () => {
    const wider = { ...strong(), sigma: 1 };
    const peak = combPeak([weak(), wider], 6, 6);
    expect(peak).toMatchObject({ contrast: 0.75, lag: 6, sigma: 1 });
    expect(peak.acf).toBe(wider.acf);
    expect(combPeak([strong(), { ...weak(), sigma: 1 }, look(2, {})], 6, 6)).toMatchObject({ contrast: 0.75, lag: 6, sigma: 0 });
  });
});

describe('combPeak: a whole fraction of the lag, seen by a narrower smoothing', () => {
  // maxLag 8, reach 8: for a narrower smoothing c4 = (r4 + r8 - r2 - r6) / √2 (two multiples), c8 = r8 - r4.
  // The smoothing of 4 bins sees lags from 8: its r8 = 0.75 gives c8 = 0.75, stronger than any below.
  const wide = () => look(4, { 8: 0.75 });

  it('takes half the lag when a narrower smoothing repeats there', () => {
    // Narrow: c4 = 0.5 / √2 = 0.354, c8 = 0: half the lag has at least 0.6 of lag 8's contrast and
    // r4 = 0.25 at least half of r8 = 0.25 (and above 0).
    const narrow = look(0, { 4: 0.25, 8: 0.25 });
    const peak = combPeak([narrow, wide()], 8, 8);
    expect(peak).toEqual({ contrast: 0.75, lag: 4, sigma: 4, acf: narrow.acf });
    expect(peak.acf).toBe(narrow.acf);
  });

  it('takes the fraction at exactly 0.6 of the contrast at the lag and exactly half its autocorrelation', () => {
    // Contrast: r2 = r4 = r6 = r8 = 0.25: c4 = 0 and c8 = 0 (0.6 of 0 is 0). (Narrow's own best: c6 = 0.25.)
    expect(combPeak([look(0, { 2: 0.25, 4: 0.25, 6: 0.25, 8: 0.25 }), wide()], 8, 8)).toMatchObject({ contrast: 0.75, lag: 4 });
    // Autocorrelation: r4 = 0.25 = r8 / 2, with c4 = 0.75 / √2 = 0.53 >= 0.6 * (0.5 - 0.25).
    expect(combPeak([look(0, { 4: 0.25, 8: 0.5 }), wide()], 8, 8)).toMatchObject({ contrast: 0.75, lag: 4 });
    // Under half: r4 = 0.125 < r8 / 2 = 0.25 (though c4 = 0.625 / √2 = 0.44 >= 0.6 * 0.375): lag 8.
    expect(combPeak([look(0, { 4: 0.125, 8: 0.5 }), wide()], 8, 8)).toMatchObject({ contrast: 0.75, lag: 8 });
  });

  it('does not take a fraction where the narrower smoothing does not repeat (autocorrelation 0)', () => {
    // r2 = r6 = -0.25, r8 = -0.5: c8 = -0.5 (0.6 of it -0.3), c4 = (0 - 0.5 + 0.5) / √2 = 0 and
    // r4 = 0 >= r8 / 2, but r4 is not above 0.
    const narrow = look(0, { 2: -0.25, 6: -0.25, 8: -0.5 });
    const broad = wide();
    const peak = combPeak([narrow, broad], 8, 8);
    expect(peak).toEqual({ contrast: 0.75, lag: 8, sigma: 4, acf: broad.acf });
    expect(peak.acf).toBe(broad.acf);
  });

  it('does not take a fraction whose comb is under 0.6 of the lag\'s, however much it repeats', () => {
    // r2 = 0.5, r4 = 0.25, r6 = 0.25, r8 = 0.5: c8 = 0.25 (0.6 of it 0.15) but c4 = (0.75 - 0.75) / √2 = 0,
    // though r4 = r8 / 2 > 0. (Narrow's own best: c6 = 0.25 - 0, before the equal c8.)
    expect(combPeak([look(0, { 2: 0.5, 4: 0.25, 6: 0.25, 8: 0.5 }), wide()], 8, 8)).toMatchObject({ contrast: 0.75, lag: 8, sigma: 4 });
  });

  it('asks the widest smoothing that can see the fraction, up to the one that found the lag', () => {
    // Sigma 0 (r8 = 0.5: c8 = 0.5, r4 = 0 < 0.25) would refuse half the lag; sigma 2 (first lag 4,
    // as above: c4 = 0.354) takes it; sigma 4 cannot see lag 4.
    const middle = look(2, { 4: 0.25, 8: 0.25 });
    const peak = combPeak([look(0, { 8: 0.5 }), middle, wide()], 8, 8);
    expect(peak).toMatchObject({ contrast: 0.75, lag: 4, sigma: 4 });
    expect(peak.acf).toBe(middle.acf);
  });

  it('never asks a smoothing wider than the one that found the lag', () => {
    // Sigma 0 finds lag 8 (c8 = 0.75; lag 4, c4 = 0.75 / √2 = 0.53, is no period: r4 = 0), sigma 2
    // (c4 = 0.354 at best) would take half of it, but is wider.
    expect(combPeak([look(0, { 8: 0.75 }), look(2, { 4: 0.25, 8: 0.25 })], 8, 8)).toMatchObject({ contrast: 0.75, lag: 8, sigma: 0 });
  });

  it('asks the smoothing that found the lag itself', () => {
    // Sigma 2 alone: c4 = (0.25 + 0.5 - 0.5) / √2 = 0.177, c5 = 0 + 0.25, c6 = 0 + 1, c7 = 0 + 0.375,
    // c8 = 0.5 - 0.25 = 0.25. The first strong peak is not 4 (c4 < c5, a slope), nor 6 (r6 = 0);
    // but as a fraction, 4 passes (0.177 >= 0.15, r4 = r8 / 2).
    expect(combPeak([look(2, { 2: 0.5, 3: -1, 4: 0.25, 8: 0.5 })], 8, 8)).toMatchObject({ contrast: 0.25, lag: 4, sigma: 2 });
  });

  it('takes the shortest fraction that repeats, a third before a half', () => {
    // maxLag 12, reach 12; sigma 4 finds lag 12 (c12 = 0.75 - r6 = 0.75). Sigma 0 has r4 = r6 = r8 =
    // r12 = 0.25: c12 = 0.25 - 0.25 = 0 and both 4 (c4 = (0.75 - 0.25) / √3) and 6 (c6 = 0.5 / √2) pass.
    expect(combPeak([look(0, { 4: 0.25, 6: 0.25, 8: 0.25, 12: 0.25 }), look(4, { 12: 0.75 })], 12, 12)).toMatchObject({ contrast: 0.75, lag: 4 });
  });

  it('reads a fraction between bins', () => {
    // maxLag 9, reach 9; sigma 4 finds lag 9 (c9 = 0.75). Sigma 0: r4 = r5 = r9 = 0.25, so r(4.5) = 0.25;
    // c9 = 0.25 - 0.25 = 0, c(4.5) = (0.25 + 0.25 - r(2.25) - r(6.75)) / √2 = 0.354.
    expect(combPeak([look(0, { 4: 0.25, 5: 0.25, 9: 0.25 }), look(4, { 9: 0.75 })], 9, 9)).toMatchObject({ contrast: 0.75, lag: 4.5 });
  });
});

describe('strongestComb: a series through every smoothing', () => {
  // One failure every 6 bins over 36 bins. Unsmoothed, its autocorrelation is 1 at 6, 12, 18 and
  // -0.2 between (e.g. lag 3: 11 of 33 pairs are a failure and a gap, -5/36 each, 22 are two gaps,
  // +1/36 each: -1/36 per pair over a variance of 5/36). Its comb at 6: 3 * (1 + 0.2) / √3 = 2.078.
  const pulses = Float64Array.from({ length: 36 }, (_, i) => (i % 6 === 0 ? 1 : 0));

  it('finds the period, and hands back the autocorrelation it was seen in, up to half the series and one', () => {
    const peak = strongestComb(pulses);
    expect(peak.lag).toBe(6);
    expect(peak.contrast).toBeGreaterThanOrEqual((3 * 1.2) / Math.sqrt(3) - 1e-9);
    expect([0, 1, 2]).toContain(peak.sigma);
    expect(peak.acf).toHaveLength(20);
    const expected = autocorrelation(gaussianSmooth(pulses, peak.sigma), 19);
    peak.acf.forEach((r, k) => expect(r).toBeCloseTo(expected[k], 9));
    // Unsmoothed, as worked out above.
    const raw = autocorrelation(pulses, 19);
    expect(raw[6]).toBeCloseTo(1, 12);
    expect(raw[3]).toBeCloseTo(-0.2, 12);
  });

  it('looks at lags up to a third of the series, or the longest lag asked for', () => {
    expect(strongestComb(pulses, 5).lag).toBeLessThanOrEqual(5);
    // 24 bins, a failure every 9: lag 9 is more than a third of the series.
    const sparse = Float64Array.from({ length: 24 }, (_, i) => (i % 9 === 0 ? 1 : 0));
    expect(strongestComb(sparse).lag).toBeLessThanOrEqual(8);
  });

  it('gives no peak in a series without any variation', () => {
    expect(strongestComb(new Float64Array(30).fill(2))).toEqual(NO_PEAK);
  });
});

describe('refineLag: where it looks for the peak near each multiple', () => {
  /** An autocorrelation of `length` lags: 1 at lag 0, the given values, 0 elsewhere. */
  const acfOf = (length: number, values: Record<number, number>) => {
    const r = new Float64Array(length);
    r[0] = 1;
    for (const [lag, value] of Object.entries(values)) r[Number(lag)] = value;
    return r;
  };

  it('searches 15% of the lag each side (rounded, here 2 bins from lag 10), no further', () => {
    // 16 values: only the first multiple fits (20 > 15). The window is 8..12.
    // Peak at 12 (0.9, equal neighbours: no offset); 0.95 at 14 is outside.
    expect(refineLag(acfOf(16, { 10: 0.4, 11: 0.5, 12: 0.9, 13: 0.5, 14: 0.95 }), 10)).toBe(12);
    // Peak at 8, the low end of the window.
    expect(refineLag(acfOf(16, { 7: 0.5, 8: 0.9, 9: 0.5, 10: 0.4 }), 10)).toBe(8);
  });

  it('takes a multiple only while it lies before the last value', () => {
    // 11 values, lag 5: the second multiple (10) is the last value and is not looked at, though
    // 0.9 at 9 would give (9 + 0.447) / 2 = 4.72. First: peak 5 between 0.8 and 0.2:
    // a - 2b + c = -0.8, offset 0.5 * 0.6 / -0.8 = -0.375.
    expect(refineLag(Float64Array.from([1, 0.5, 0, 0.3, 0.8, 0.9, 0.2, 0, 0, 0.9, 0.85]), 5)).toBeCloseTo(4.625, 12);
  });

  it('stops at a multiple whose peak falls on the last value (it has no right neighbour)', () => {
    // 12 values, lag 5.4: first multiple, centre 5, peak 5 (0.5, 0.9, 0.5): 5. The second, 10.8,
    // centres on 11, the last value, higher than 10 in its window: the search stops (counting it
    // would add 11 / 2 = 5.5, and the upper of two estimates would be taken).
    expect(refineLag(acfOf(12, { 4: 0.5, 5: 0.9, 6: 0.5, 10: 0.6, 11: 0.8 }), 5.4)).toBe(5);
    // 23 values, lag 10 (window 2 bins): first multiple 10 (0.5, 0.9, 0.5): 10. Second, centre 20,
    // window 18..21 (the last value, 22, is outside): peak 20 between 0.5 and 0.6, a - 2b + c = -0.5,
    // offset 0.5 * -0.1 / -0.5 = 0.1: 20.1 / 2 = 10.05, the upper of the two.
    expect(refineLag(acfOf(23, { 9: 0.5, 10: 0.9, 11: 0.5, 19: 0.5, 20: 0.8, 21: 0.6, 22: 0.95 }), 10)).toBeCloseTo(10.05, 12);
  });

  it('counts a later multiple whose peak is exactly half the autocorrelation at the lag, and stops under it', () => {
    // Lag 5: r5 = 0.8 (0.5, 0.8, 0.5: estimate 5), half of it 0.4. Second multiple: peak 10 at 0.4,
    // between 0.1 and 0.3: a - 2b + c = -0.4, offset 0.5 * -0.2 / -0.4 = 0.25: 10.25 / 2 = 5.125,
    // the upper of the two.
    expect(refineLag(Float64Array.from([1, 0, 0, 0, 0.5, 0.8, 0.5, 0, 0, 0.1, 0.4, 0.3]), 5)).toBeCloseTo(5.125, 12);
    // At 0.375 the search stops: 5 alone.
    expect(refineLag(Float64Array.from([1, 0, 0, 0, 0.5, 0.8, 0.5, 0, 0, 0.1, 0.375, 0.3]), 5)).toBe(5);
  });

  it('leaves a lag under half a bin as it is: bin 0 is no peak', () => {
    expect(refineLag(Float64Array.from([1, 0.5, 0.2, 0.1, 0, 0, 0, 0]), 0.25)).toBe(0.25);
  });
});
