// isoDateToDay works the common case out by arithmetic (once per date per row of a batch); it must
// give the day Date.UTC gives for any text, calendar dates or not, including the odd ones the
// fallback handles (years before 100, months out of range, day of month past its end).
import fc from 'fast-check';
import { isoDateToDay } from '../../lambdas/core/calendar';

/** The definition: Date.UTC of the fields where the form has them. */
const byDateUtc = (text: string) => Math.floor(Date.UTC(Number(text.slice(0, 4)), Number(text.slice(5, 7)) - 1, Number(text.slice(8, 10))) / 86_400_000);

describe('isoDateToDay', () => {
  it('is the day Date.UTC gives, on dates and date-like text', () => {
    const dateLike = fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 }), fc.constantFrom('', 'T10:00:00Z', 'x'))
      .map(([y, m, d, tail]) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}${tail}`);
    const noisy = fc.string({ unit: fc.constantFrom('0', '1', '2', '9', '-', ' ', 'x', '+', '.', 'e'), minLength: 0, maxLength: 12 });
    fc.assert(
      fc.property(fc.oneof(dateLike, noisy, fc.date({ noInvalidDate: true }).map((d) => d.toISOString())), (text) => {
        expect(Object.is(isoDateToDay(text), byDateUtc(text))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it('knows leap years and the epoch', () => {
    expect(isoDateToDay('1970-01-01')).toBe(0);
    expect(isoDateToDay('2000-03-01') - isoDateToDay('2000-02-28')).toBe(2);
    expect(isoDateToDay('1900-03-01') - isoDateToDay('1900-02-28')).toBe(1);
    expect(isoDateToDay('2026-02-31')).toBe(isoDateToDay('2026-03-03'));
  });
});
