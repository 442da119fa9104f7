// The rescore bench makes the floor's parts a stretch of batches at a time (bench/rescore-floor.ts):
// whole batches, in order, none lost, at most the stretch's items unless one batch alone is larger.
import { stretchesOf } from '../../bench/rescore-floor';

const batches = (sizes: number[]) => sizes.map((n, b) => Array.from({ length: n }, (_, i) => `${b}:${i}`));

test('whole batches in order, at most the given items a stretch', () => {
  const input = batches(Array(250).fill(100));
  const stretches = stretchesOf(input, 10_000);
  expect(stretches.map((s) => s.length)).toEqual([100, 100, 50]);
  expect(stretches.flat()).toEqual(input);
  expect(stretchesOf(batches([3, 3, 3, 2]), 6).map((s) => s.map((b) => b.length))).toEqual([[3, 3], [3, 2]]);
});

test('a batch larger than a stretch is a stretch of its own; no batches, no stretches', () => {
  expect(stretchesOf(batches([2, 9, 2]), 4).map((s) => s.map((b) => b.length))).toEqual([[2], [9], [2]]);
  expect(stretchesOf([], 4)).toEqual([]);
});
