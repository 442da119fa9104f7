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

describe('findBursts', () => {
  it('finds each failure window and none in quiet noise', () => {
    const { failures, windows } = day({ seed: 3, periodMinutes: 60, jitterMinutes: 0, windowMinutes: 3, windowRate: 6, noisePerHour: 4 });
    const sorted = Float64Array.from(failures);
    const bursts = findBursts(sorted, binFailures(sorted, START, START + 24 * HOUR));
    expect(bursts.length).toBeGreaterThanOrEqual(windows.length - 1);
    expect(bursts.length).toBeLessThanOrEqual(windows.length + 1);
    for (const w of windows.slice(0, -1)) expect(bursts.some((b) => b.start >= w - MINUTE && b.start <= w + 3 * MINUTE)).toBe(true);
    const quiet = Float64Array.from(day({ seed: 4, noisePerHour: 4 }).failures);
    expect(findBursts(quiet, binFailures(quiet, START, START + 24 * HOUR))).toHaveLength(0);
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
