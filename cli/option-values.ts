// Values of command-line options, checked the same way by `drs` and `npm start`: whole numbers are
// plain decimal digits in range (`Number()` would take 0x200, 1e3, '' and ' 7'), fractions are
// plain decimals, and the message names the option and the rule, never "NaN".
import { InvalidArgumentError } from 'commander';

const DECIMAL_INTEGER = /^[0-9]+$/;
const DECIMAL_FRACTION = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;

/** A decimal whole number from `min` to `max` (inclusive), or null. */
export function parseDecimalInteger(text: string, min: number, max = Number.MAX_SAFE_INTEGER): number | null {
  if (!DECIMAL_INTEGER.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : null;
}

const rangeText = (min: number, max: number) => (max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`);

export const wholeNumber = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => (text: string) => {
  const n = parseDecimalInteger(text, min, max);
  if (n === null) throw new InvalidArgumentError(`${name} must be a whole number ${rangeText(min, max)} in decimal digits, e.g. ${min}`);
  return n;
};

/** A decimal number within [low, high] (or the open interval when `open`), e.g. 0.02. */
export const decimalFraction = (name: string, low: number, high: number, open = false) => (text: string) => {
  const n = DECIMAL_FRACTION.test(text) ? Number(text) : Number.NaN;
  const inRange = open ? n > low && n < high : n >= low && n <= high;
  if (!inRange) throw new InvalidArgumentError(`${name} must be a decimal number ${open ? 'between' : 'from'} ${low} ${open ? 'and' : 'to'} ${high}, e.g. ${open ? '0.55' : '0.02'}`);
  return n;
};

/** What a usage error prints after its one line: how to see the help, not the whole help. */
export const seeHelp = (command: string) => `(see ${command} --help for every option)`;
