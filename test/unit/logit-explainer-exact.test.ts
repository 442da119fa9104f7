// LogitExplainer (model-manifest.ts) on a small hand-made manifest whose contributions are worked
// out by hand: the terms flat in typed arrays (interleaved in the manifest, summed per feature),
// clipping to each range, the contributions at whole values 0..12 worked out ahead, and the reason
// key (largest first, ties by feature order, minEffect inclusive, maxReasons, catalogue only).
import { LogitExplainer, type ModelManifest } from '../../lambdas/core/model-manifest';

const feature = (name: string, index: number, range: [number, number], reference: number) => ({
  name, index, range, reference, unit: 'count', derivation: '', reason: { raises: `${name.toUpperCase()}_UP`, lowers: `${name.toUpperCase()}_DOWN`, meaning: '' },
});
/**
 * a: 0.5 x - max(0, x - 5) on [0, 20], reference 2 (part 1): contribution 0.5 x - max(0, x - 5) - 1.
 * b: 2 x on [0, 1], reference 1: 2 x - 2 (only lowers; not in the catalogue).
 * c: 0.1 max(0, x - 10) - 0.3 max(0, x - 50) on [0, 100], reference 10 (part 0).
 * d: 0.25 x on [0, 12], reference 0.
 */
const manifestWith = (maxReasons: number, minEffect = 0.5) => ({
  features: [feature('a', 0, [0, 20], 2), feature('b', 1, [0, 1], 1), feature('c', 2, [0, 100], 10), feature('d', 3, [0, 12], 0)],
  model: {
    intercept: -0.5,
    terms: [
      { feature: 'c', kind: 'hinge', knot: 10, weight: 0.1 },
      { feature: 'a', kind: 'linear', weight: 0.5 },
      { feature: 'b', kind: 'linear', weight: 2 },
      { feature: 'a', kind: 'hinge', knot: 5, weight: -1 },
      { feature: 'd', kind: 'linear', weight: 0.25 },
      { feature: 'c', kind: 'hinge', knot: 50, weight: -0.3 },
    ],
  },
  reasonCodes: {
    maxReasons,
    minEffect,
    codes: [
      { code: 'A_UP', feature: 'a', effect: 'raises' }, { code: 'A_DOWN', feature: 'a', effect: 'lowers' }, { code: 'B_UP', feature: 'b', effect: 'raises' },
      { code: 'C_UP', feature: 'c', effect: 'raises' }, { code: 'C_DOWN', feature: 'c', effect: 'lowers' }, { code: 'D_UP', feature: 'd', effect: 'raises' },
    ],
  },
}) as unknown as ModelManifest;

const two = new LogitExplainer(manifestWith(2));
const three = new LogitExplainer(manifestWith(3));
// Digits: 1 + 2 x index + (1 when it raises): A_DOWN 1, A_UP 2, C_DOWN 5, C_UP 6, D_UP 8; base 64, largest first.
const up = (code: string) => ({ code, effect: 'raises' });
const down = (code: string) => ({ code, effect: 'lowers' });

describe('LogitExplainer on a hand-made manifest', () => {
  test('contributions, clipped to each range, against the reference donor', () => {
    const cases: [number[], number[]][] = [
      [[2, 1, 10, 0], [0, 0, 0, 0]],
      [[0, 0, 0, 0], [-1, -2, 0, 0]],
      [[5, 0.5, 30, 12], [1.5, -1, 2, 3]],
      [[8, 1, 60, 4], [0, 0, 2, 1]],
      [[12, 1, 100, 2], [-2, 0, -6, 0.5]],
      [[20, 1, 40, 1], [-6, 0, 3, 0.25]],
      [[25, 3, 150, 20], [-6, 0, -6, 3]],
      [[-3, -1, -5, -2], [-1, -2, 0, 0]],
      [[6.5, 0.25, 12, 6.5], [0.75, -1.5, 0.2, 1.625]],
    ];
    for (const [vector, expected] of cases) {
      const got = two.contributions(vector);
      expect(got).toHaveLength(4);
      got.forEach((c, i) => expect([vector, i, c]).toEqual([vector, i, expect.closeTo(expected[i], 12)]));
    }
    // The reference logit: intercept -0.5 + parts a 1, b 2, c 0, d 0.
    expect(two.referenceLogit).toBeCloseTo(2.5, 12);
    expect(two.logit([5, 0.5, 30, 12])).toBeCloseTo(2.5 + 1.5 - 1 + 2 + 3, 12);
    expect(two.probability([2, 1, 10, 0])).toBeCloseTo(1 / (1 + Math.exp(-2.5)), 12);
    expect(two.probability([0, 0, 0, 0])).toBeCloseTo(1 / (1 + Math.exp(0.5)), 12);
  });

  test('reason keys: largest first, ties by feature order, minEffect inclusive, catalogue only, maxReasons', () => {
    const cases: [number[], number, number, ReturnType<typeof up>[], ReturnType<typeof up>[]][] = [
      // vector, key with 2 reasons, key with 3, reasons with 2, reasons with 3
      [[2, 1, 10, 0], 0, 0, [], []],
      // a 1.5 up, d 2 up; c 0.
      [[5, 1, 10, 8], 8 + 2 * 64, 8 + 2 * 64, [up('D_UP'), up('A_UP')], [up('D_UP'), up('A_UP')]],
      // a -1 down, b -2 down (not listed), c -6 down.
      [[0, 0, 100, 0], 5 + 1 * 64, 5 + 1 * 64, [down('C_DOWN'), down('A_DOWN')], [down('C_DOWN'), down('A_DOWN')]],
      // a -2, c 2 (tie: a first), d 1.
      [[12, 1, 60, 4], 1 + 6 * 64, 1 + 6 * 64 + 8 * 4096, [down('A_DOWN'), up('C_UP')], [down('A_DOWN'), up('C_UP'), up('D_UP')]],
      // d 3 first, then the tie a -2, c 2.
      [[12, 1, 60, 12], 8 + 1 * 64, 8 + 1 * 64 + 6 * 4096, [up('D_UP'), down('A_DOWN')], [up('D_UP'), down('A_DOWN'), up('C_UP')]],
      // a 0.5 (minEffect: kept), d 0.5 at 2 (kept), c 0.2 (not).
      [[3, 1, 12, 2], 2 + 8 * 64, 2 + 8 * 64, [up('A_UP'), up('D_UP')], [up('A_UP'), up('D_UP')]],
      // a 0.49, d 0.475: under minEffect.
      [[2.98, 1, 10, 1.9], 0, 0, [], []],
      // clipped: a at 25 is a at 20 (-6), c at -5 is c at 0 (0), d at 13 is d at 12 (3).
      [[25, 1, -5, 13], 1 + 8 * 64, 1 + 8 * 64, [down('A_DOWN'), up('D_UP')], [down('A_DOWN'), up('D_UP')]],
      [[-3, 1, 10, 0], 1, 1, [down('A_DOWN')], [down('A_DOWN')]],
      // the long way (not whole): a 0.75, c 2.05, d 1.625.
      [[6.5, 1, 30.5, 6.5], 6 + 8 * 64, 6 + 8 * 64 + 2 * 4096, [up('C_UP'), up('D_UP')], [up('C_UP'), up('D_UP'), up('A_UP')]],
      // -0 reads as 0: d 0; a 0 at 8; c 3 at 40.
      [[8, 1, 40, -0], 6, 6, [up('C_UP')], [up('C_UP')]],
      // smallest first in the row: each later, larger one goes in front.
      [[6, 1, 30, 12], 8 + 6 * 64, 8 + 6 * 64 + 2 * 4096, [up('D_UP'), up('C_UP')], [up('D_UP'), up('C_UP'), up('A_UP')]],
    ];
    for (const [vector, key2, key3, reasons2, reasons3] of cases) {
      const matrix = Float64Array.from([9, 9, 9, 9, ...vector, 0, 0, 0, 0]);
      expect([vector, two.reasonKey(matrix, 4), three.reasonKey(matrix, 4)]).toEqual([vector, key2, key3]);
      expect([vector, two.reasonsOfKey(key2), three.reasonsOfKey(key3)]).toEqual([vector, reasons2, reasons3]);
      expect([vector, two.reasons(vector), three.reasons(vector)]).toEqual([vector, reasons2, reasons3]);
    }
    // Nothing is left over from the row before: the reference donor after a row with reasons.
    expect(three.reasonKey([12, 1, 60, 12], 0)).toBe(8 + 1 * 64 + 6 * 4096);
    expect(three.reasonKey([2, 1, 10, 0], 0)).toBe(0);
    expect(three.reasonKey([5, 1, 10, 0], 0)).toBe(2);
  });

  test('a minEffect of 0 names every listed nonzero contribution, never a zero one; a term of an unknown feature is refused', () => {
    const all = new LogitExplainer(manifestWith(4, 0));
    expect(all.reasonKey([5, 0, 30, 1], 0)).toBe(6 + 2 * 64 + 8 * 4096);
    expect(all.reasons([5, 0, 30, 1])).toEqual([up('C_UP'), up('A_UP'), up('D_UP')]);
    // A zero contribution is named in neither direction (a at its reference 2: A_UP and A_DOWN both
    // listed; c at 10 likewise; d at 0): only c 2 and d 0.25 here, and nothing for the reference donor.
    expect(all.reasonKey([2, 0, 30, 1], 0)).toBe(6 + 8 * 64);
    expect(all.reasons([2, 1, 10, 0])).toEqual([]);
    expect(all.reasonKey([2, 1, 10, 0], 0)).toBe(0);
    // Not whole (the long way): a at 2 + 1e-9 still raises, by 5e-10 (at least minEffect 0).
    expect(all.reasons([2.000000001, 1, 10, 0])).toEqual([up('A_UP')]);
    const bad = manifestWith(2);
    (bad.model.terms as unknown[]).push({ feature: 'shoeSize', kind: 'linear', weight: 1 });
    expect(() => new LogitExplainer(bad)).toThrow('manifest term names unknown feature shoeSize');
  });
});

/**
 * Ties worked out by hand. Five linear features on [0, 8], reference 0, weights that are powers of
 * two (every contribution exact): e0 +1, e1 -1, e2 +0.5, e3 +2, e4 -0.25; every direction listed;
 * minEffect 0.5. Contribution of e_i = weight_i x value. Digits 1 + 2 x index + (1 if it raises):
 * e0 up 2, e1 down 3, e2 up 6, e3 up 8, e4 down 9; the key's first reason is its lowest digit.
 * The rule (reasons in the score record, drs score's batch path alike): largest |contribution|
 * first; equal ones in feature order; at the cut, the ones met first stay.
 */
describe('reason ties on a hand-made manifest (powers of two)', () => {
  const tied = (maxReasons: number) =>
    new LogitExplainer({
      features: ['e0', 'e1', 'e2', 'e3', 'e4'].map((name, i) => feature(name, i, [0, 8], 0)),
      model: { intercept: 0, terms: [1, -1, 0.5, 2, -0.25].map((weight, i) => ({ feature: `e${i}`, kind: 'linear', weight })) },
      reasonCodes: {
        maxReasons,
        minEffect: 0.5,
        codes: ['e0', 'e1', 'e2', 'e3', 'e4'].flatMap((name) => [{ code: '', feature: name, effect: 'raises' }, { code: '', feature: name, effect: 'lowers' }]),
      },
    } as unknown as ModelManifest);
  const two = tied(2);
  const three = tied(3);
  const E = (i: number, effect: 'raises' | 'lowers') => ({ code: `E${i}_${effect === 'raises' ? 'UP' : 'DOWN'}`, effect });
  const rows: [number[], string, [number, 'raises' | 'lowers'][]][] = [
    // All five at 2: e0 +2, e1 -2, e2 +2, e3 +2, e4 -2. Feature order; e3 and e4 tie with the last kept and stay out.
    [[2, 2, 4, 1, 8], 'five equal', [[0, 'raises'], [1, 'lowers'], [2, 'raises']]],
    // The long way (not whole): all five at 1.5.
    [[1.5, 1.5, 3, 0.75, 6], 'five equal, not whole', [[0, 'raises'], [1, 'lowers'], [2, 'raises']]],
    // e0 +1, e1 -2, e2 +2, e3 +4, e4 0: e3 moves ahead of the tie e1, e2, which keeps its order; e0 last.
    [[1, 2, 4, 2, 0], 'a larger one after a tie', [[3, 'raises'], [1, 'lowers'], [2, 'raises']]],
    // e0 +4, e1 -2, e2 +2, e3 0, e4 -2: the full list meets e4, equal to its last: e4 stays out.
    [[4, 2, 4, 0, 8], 'equal to the last kept', [[0, 'raises'], [1, 'lowers'], [2, 'raises']]],
    // e0 +1, e1 -1, e2 +1, e3 +2, e4 0: e3 goes in front of three equal ones.
    [[1, 1, 2, 1, 0], 'a larger one last but one', [[3, 'raises'], [0, 'raises'], [1, 'lowers']]],
    // e0 0, e1 0, e2 +0.5, e3 0, e4 -0.5: both at minEffect exactly, in feature order.
    [[0, 0, 1, 0, 2], 'a tie at minEffect', [[2, 'raises'], [4, 'lowers']]],
    // e0 +1, e1 -1, e2 +2, e3 +2, e4 -1: the tie e2, e3 in front, then e0 of the three ones.
    [[1, 1, 4, 1, 4], 'two ties', [[2, 'raises'], [3, 'raises'], [0, 'raises']]],
    // e0 +3, e1 -3, e2 +3, e3 +6, e4 -1: e3, then e0, e1 (feature order); e2 cut.
    [[3, 3, 6, 3, 4], 'a tie across the cut', [[3, 'raises'], [0, 'raises'], [1, 'lowers']]],
  ];
  const keyOf = (reasons: [number, 'raises' | 'lowers'][]) => reasons.reduceRight((key, [i, effect]) => key * 64 + 1 + 2 * i + (effect === 'raises' ? 1 : 0), 0);

  test.each(rows)('%j: %s', (vector, _what, expected) => {
    expect(three.reasonKey(vector, 0)).toBe(keyOf(expected));
    expect(two.reasonKey(vector, 0)).toBe(keyOf(expected.slice(0, 2)));
    expect(three.reasons(vector)).toEqual(expected.map(([i, effect]) => E(i, effect)));
    expect(two.reasons(vector)).toEqual(expected.slice(0, 2).map(([i, effect]) => E(i, effect)));
  });

  test('the batch path: every row of one matrix, forwards and backwards, as each alone', () => {
    const matrix = Float64Array.from(rows.flatMap(([vector]) => vector));
    const expected = rows.map(([, , reasons]) => keyOf(reasons));
    const order = [...rows.keys(), ...[...rows.keys()].reverse()];
    for (const r of order) expect([r, three.reasonKey(matrix, r * 5)]).toEqual([r, expected[r]]);
    for (const r of order) expect([r, two.reasonKey(matrix, r * 5)]).toEqual([r, keyOf(rows[r][2].slice(0, 2))]);
  });
});

test('the kind decides a term: a linear term that carries a knot is still linear', () => {
  // manifestWith's terms, with a stray knot 3 on a's linear term (0.5 x): a at 5 is 2.5 - 0 - 1 = 1.5
  // (a hinge at 3 would give 1), a at 0 is -1 (a hinge would give 0); the hinges are as before.
  const stray = manifestWith(2);
  (stray.model.terms[1] as { knot?: number }).knot = 3;
  const explainer = new LogitExplainer(stray);
  expect(explainer.contributions([5, 1, 10, 0])).toEqual([1.5, 0, 0, 0]);
  expect(explainer.contributions([0, 1, 30, 0])).toEqual([-1, 0, 2, 0]);
  expect(explainer.contributions([8, 1, 10, 0])).toEqual([0, 0, 0, 0]);
});
