// The bench's account of whose the twin's gap to its store ceiling is: hand-computed bounds.
import { twinGapLine, type BenchResult } from '../../bench/run-bench';

const result = (sameWrite: number, cores: number, at16: number) =>
  ({
    storeCeiling: { writesPerSecond: 1672, concurrency: 16, sameWriteWritesPerSecond: sameWrite },
    machine: { cores },
    concurrency: [{ level: 16, eventsPerSecond: at16 }],
  }) as unknown as BenchResult;

it('gives each process its one-thread bound and both their bound on the cores, as shares of the ceiling', () => {
  // 1000/1.5 = 666.7 of 843 -> 0.79; 1000/1.79 = 558.7 -> 0.66; 2 x 1000 / 3.29 = 607.9 -> 0.72; 444/843 -> 0.53.
  const line = twinGapLine(result(843, 2, 444), 1.79, 1.5);
  expect(line).toContain("the endpoints' process alone (one thread) 0.79, the twin's process alone 0.66, both on this machine's 2 cores 0.72; measured 0.53.");
  // Four cores lift the shared bound only: 4000 / 3.29 = 1215.8 -> 1.44.
  expect(twinGapLine(result(843, 4, 444), 1.79, 1.5)).toContain("both on this machine's 4 cores 1.44;");
});

it('calls the run CPU-bound only when it reaches 90% of the lowest bound', () => {
  // Lowest bound 607.9 events/s: 547 is 90% of it, 444 is not.
  expect(twinGapLine(result(843, 2, 548), 1.79, 1.5)).toContain('The run is bound by CPU');
  expect(twinGapLine(result(843, 2, 444), 1.79, 1.5)).toContain('The run stays below every CPU bound');
});

it('says nothing without the endpoints\' CPU or a ceiling', () => {
  expect(twinGapLine(result(843, 2, 444), 1.79, undefined)).toBe('');
  expect(twinGapLine(result(0, 2, 444), 1.79, 1.5)).toBe('');
});
