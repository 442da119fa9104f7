// Durations as typed on a command line (drs trace/diagnose --since): milliseconds written out here.
import { parseDuration } from '../../lambdas/core/duration';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['90m', 5_400_000],
    ['90min', 5_400_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['2w', 1_209_600_000],
    ['1.5h', 5_400_000],
    ['0.5s', 500],
    ['1.25h', 4_500_000],
    ['0.125s', 125],
  ])('%s is %i ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it('ignores case and spaces around and between number and unit', () => {
    expect(parseDuration(' 24H ')).toBe(86_400_000);
    expect(parseDuration('90 MIN')).toBe(5_400_000);
    expect(parseDuration('\t7 d\n')).toBe(604_800_000);
  });

  it.each(['0s', '0.0h', '', 'h', '24', '24 hours', '-1h', '+1h', '1.h', '.5h', '1e3s', '1h30m', 'x24h', '24hx', '1y'])('refuses %p', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
