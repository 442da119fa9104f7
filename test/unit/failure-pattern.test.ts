// The statistics of drs diagnose on series whose pattern is known because the test drew it.
import { binFailures, cooccurrence, findBursts, findPeriod, seededRandom } from '../../lambdas/core/failure-pattern';
import { drawPattern, HOUR, MINUTE } from '../fixtures/failure-logs';

const START = Date.UTC(2026, 10, 24);
const day = (spec: Partial<Parameters<typeof drawPattern>[0]>) => drawPattern({ seed: 1, start: START, hours: 24, noisePerHour: 10, okPerHour: 0, ...spec });
const periodOf = (times: number[], end = START + 24 * HOUR) => findPeriod(binFailures(times, START, end));

describe('findPeriod', () => {
  it.each([
    [30, 4, 11],
    [45, 6, 12],
    [20, 2, 13],
  ])('finds failure windows every %i min with ±%i min jitter among noise (seed %i)', (period, jitter, seed) => {
    const { failures } = day({ seed, periodMinutes: period, jitterMinutes: jitter, windowMinutes: 2, windowRate: 3 });
    const test = periodOf(failures);
    expect(test.period).not.toBeNull();
    expect(Math.abs(test.period!.minutes - period)).toBeLessThanOrEqual(1);
    expect(test.period!.confidence).toBeGreaterThan(0.99);
  });

  it('finds a period in single failures, one a cycle, with jitter and noise', () => {
    const random = seededRandom(5);
    const failures = Array.from({ length: 48 }, (_, i) => START + (i * 30 + 10 + (random() - 0.5) * 3) * MINUTE);
    for (let i = 0; i < 40; i++) failures.push(START + random() * 24 * HOUR);
    const test = periodOf(failures);
    expect(test.period?.minutes).toBeCloseTo(30, 0);
  });

  it.each([1, 2, 3])('claims no period on pure noise (seed %i)', (seed) => {
    const test = periodOf(day({ seed, noisePerHour: 25 }).failures);
    expect(test.period).toBeNull();
    expect(test.reason).toMatch(/no period is supported/);
  });

  it('claims no period on randomly timed bursts, a steady rise, or too few failures', () => {
    const random = seededRandom(9);
    const bursts: number[] = [];
    for (let b = 0; b < 30; b++) {
      const at = START + random() * 24 * HOUR;
      for (let i = 0; i < 10; i++) bursts.push(at + random() * 2 * MINUTE);
    }
    expect(periodOf(bursts).period).toBeNull();
    const rising = Array.from({ length: 1500 }, () => START + 24 * HOUR * Math.sqrt(random()));
    expect(periodOf(rising).period).toBeNull();
    expect(periodOf([START + HOUR, START + 2 * HOUR, START + 3 * HOUR]).reason).toMatch(/too few failures/);
  });
});

describe('findPeriod on failures that follow the day', () => {
  // Poisson failures whose rate swells and ebbs with the time of day (thinning of a faster process).
  const diurnal = (seed: number, days: number, perHour: number, amplitude: number): number[] => {
    const random = seededRandom(seed);
    const out: number[] = [];
    for (let t = START; t < START + days * 24 * HOUR; ) {
      t += (-Math.log(1 - random()) / (perHour * (1 + amplitude))) * HOUR;
      if (random() < (1 + amplitude * Math.sin((2 * Math.PI * (t - START)) / (24 * HOUR))) / (1 + amplitude)) out.push(t);
    }
    return out;
  };
  const over = (times: number[], days: number) => findPeriod(binFailures(times, START, START + days * 24 * HOUR));

  it('claims no period on noise with a daily swell, and says why', () => {
    for (const [seed, days] of [[31, 3], [32, 7]]) {
      const test = over(diurnal(seed, days, 30, 0.9), days);
      expect(test.period).toBeNull();
      expect(test.reason).toMatch(/rise and fall every 2\d\.?\d? h, but broadly/);
    }
  });

  it('still finds a nightly job: narrow failure windows once a day', () => {
    const random = seededRandom(33);
    const failures = diurnal(34, 7, 3, 0);
    for (let d = 0; d < 7; d++) for (let i = 0; i < 30; i++) failures.push(START + d * 24 * HOUR + 2 * HOUR + (random() - 0.5) * 20 * MINUTE + random() * 30 * MINUTE);
    expect(Math.abs(over(failures, 7).period!.minutes - 1440)).toBeLessThanOrEqual(15);
  });

  it('finds a 30-minute rhythm riding on the daily swell', () => {
    const failures = diurnal(35, 3, 20, 0.9);
    const random = seededRandom(36);
    for (let c = START + 10 * MINUTE; c < START + 72 * HOUR; c += 30 * MINUTE) {
      const from = c + (random() - 0.5) * 6 * MINUTE;
      for (let i = 0; i < 6; i++) failures.push(from + random() * 2 * MINUTE);
    }
    const test = over(failures, 3);
    expect(Math.abs(test.period!.minutes - 30)).toBeLessThanOrEqual(1);
    expect(test.reason).toContain('besides, failures rise and fall broadly');
  });
});

describe('findBursts', () => {
  it('finds each failure window and none in quiet noise', () => {
    const { failures, windows } = day({ seed: 3, periodMinutes: 60, jitterMinutes: 0, windowMinutes: 3, windowRate: 6, noisePerHour: 4 });
    const sorted = Float64Array.from(failures);
    const bins = MINUTE;
    const bursts = findBursts(sorted, binFailures(sorted, START, START + 24 * HOUR, bins));
    expect(bursts.length).toBeGreaterThanOrEqual(windows.length - 1);
    expect(bursts.length).toBeLessThanOrEqual(windows.length + 1);
    for (const w of windows.slice(0, -1)) expect(bursts.some((b) => b.start >= w - MINUTE && b.start <= w + 3 * MINUTE)).toBe(true);
    const quiet = Float64Array.from(day({ seed: 4, noisePerHour: 4 }).failures);
    expect(findBursts(quiet, binFailures(quiet, START, START + 24 * HOUR, bins))).toHaveLength(0);
  });
});

describe('cooccurrence', () => {
  const { failures, windows } = day({ seed: 7, periodMinutes: 45, jitterMinutes: 10, windowMinutes: 2, windowRate: 4, noisePerHour: 5 });
  const sorted = Float64Array.from(failures);
  const span = { start: START, end: START + 24 * HOUR };

  it('reports an overlay whose events precede the failure windows', () => {
    const overlay = windows.map((w) => ({ start: w - MINUTE, end: w - MINUTE }));
    const c = cooccurrence(sorted, overlay, span, 5 * MINUTE);
    expect(c.cooccurring).toBe(true);
    expect(c.chanceProbability).toBeLessThan(0.01);
    expect(c.failuresNear).toBeGreaterThan(2 * c.expectedNear);
  });

  it('does not report an overlay unrelated to the failures', () => {
    const random = seededRandom(11);
    const overlay = Array.from({ length: 25 }, () => {
      const at = START + random() * 24 * HOUR;
      return { start: at, end: at + 10 * MINUTE };
    });
    const c = cooccurrence(sorted, overlay, span, 5 * MINUTE);
    expect(c.cooccurring).toBe(false);
    expect(c.chanceProbability).toBeGreaterThan(0.01);
  });

  it('says nothing co-occurs with an overlay outside the span', () => {
    const c = cooccurrence(sorted, [{ start: START - 48 * HOUR, end: START - 47 * HOUR }], span, 5 * MINUTE);
    expect(c).toMatchObject({ events: 0, cooccurring: false, chanceProbability: 1 });
  });
});
