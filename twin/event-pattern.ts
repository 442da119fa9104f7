// EventBridge event-pattern matching, for the subset of the syntax this twin supports. A pattern
// that uses anything else is refused up front with the operator's name, never silently mismatched.
// Semantics follow the EventBridge docs: every key in the pattern must match; a list matches when
// any element matches; arrays in the event match when any element matches.

export class UnsupportedPatternError extends Error {
  override readonly name = 'UnsupportedPatternError';
}

export const SUPPORTED_OPERATORS = ['prefix', 'suffix', 'anything-but', 'exists', 'equals-ignore-case', 'numeric'] as const;

type Matcher = (value: unknown, present: boolean) => boolean;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function numericMatcher(spec: unknown[]): Matcher {
  const tests: ((x: number) => boolean)[] = [];
  for (let i = 0; i < spec.length; i += 2) {
    const op = spec[i];
    const bound = spec[i + 1];
    if (typeof bound !== 'number') throw new UnsupportedPatternError(`numeric: ${JSON.stringify(op)} needs a number`);
    const compare: Record<string, (x: number) => boolean> = {
      '=': (x) => x === bound,
      '<': (x) => x < bound,
      '<=': (x) => x <= bound,
      '>': (x) => x > bound,
      '>=': (x) => x >= bound,
    };
    if (!compare[op as string]) throw new UnsupportedPatternError(`numeric operator ${JSON.stringify(op)} is not supported`);
    tests.push(compare[op as string]);
  }
  return (value) => typeof value === 'number' && tests.every((t) => t(value));
}

function operatorMatcher(rule: Record<string, unknown>): Matcher {
  const keys = Object.keys(rule);
  if (keys.length !== 1) throw new UnsupportedPatternError(`a pattern operator object must have one key, got ${JSON.stringify(keys)}`);
  const [op] = keys;
  const arg = rule[op];
  switch (op) {
    case 'prefix':
      if (typeof arg !== 'string') throw new UnsupportedPatternError('prefix takes a string');
      return (v) => typeof v === 'string' && v.startsWith(arg);
    case 'suffix':
      if (typeof arg !== 'string') throw new UnsupportedPatternError('suffix takes a string');
      return (v) => typeof v === 'string' && v.endsWith(arg);
    case 'equals-ignore-case':
      if (typeof arg !== 'string') throw new UnsupportedPatternError('equals-ignore-case takes a string');
      return (v) => typeof v === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'exists':
      if (typeof arg !== 'boolean') throw new UnsupportedPatternError('exists takes true or false');
      return (_v, present) => present === arg;
    case 'numeric':
      if (!Array.isArray(arg)) throw new UnsupportedPatternError('numeric takes a list such as [">", 0, "<=", 5]');
      return numericMatcher(arg);
    case 'anything-but': {
      if (isPlainObject(arg)) {
        if (typeof arg.prefix !== 'string' || Object.keys(arg).length !== 1) {
          throw new UnsupportedPatternError('anything-but supports values or {"prefix": "..."} only');
        }
        const prefix = arg.prefix;
        return (v, present) => present && !(typeof v === 'string' && v.startsWith(prefix));
      }
      const excluded = Array.isArray(arg) ? arg : [arg];
      return (v, present) => present && !excluded.includes(v as never);
    }
    default:
      throw new UnsupportedPatternError(
        `event pattern operator "${op}" is not supported by the local twin (supported: exact values, ${SUPPORTED_OPERATORS.join(', ')}); ` +
          'extend twin/event-pattern.ts with a test before using it in the rule',
      );
  }
}

function valueMatcher(list: unknown): Matcher {
  if (!Array.isArray(list)) throw new UnsupportedPatternError(`pattern values must be lists, got ${JSON.stringify(list)}`);
  const matchers = list.map((element): Matcher => {
    if (isPlainObject(element)) return operatorMatcher(element);
    return (v, present) => present && v === element;
  });
  return (value, present) => {
    // An array in the event matches when any of its elements does.
    if (Array.isArray(value)) return value.some((v) => matchers.some((m) => m(v, true)));
    return matchers.some((m) => m(value, present));
  };
}

export type EventMatcher = (event: unknown) => boolean;

/** Compiles a pattern once; throws UnsupportedPatternError for syntax the twin does not support. */
export function compileEventPattern(pattern: Record<string, unknown>): EventMatcher {
  const fields = Object.entries(pattern).map(([key, rule]) => {
    if (key.startsWith('$')) throw new UnsupportedPatternError(`event pattern operator "${key}" is not supported by the local twin`);
    if (isPlainObject(rule)) {
      const nested = compileEventPattern(rule);
      return (event: Record<string, unknown>) => isPlainObject(event[key]) && nested(event[key]);
    }
    const match = valueMatcher(rule);
    return (event: Record<string, unknown>) => match(event[key], Object.hasOwn(event, key));
  });
  return (event) => isPlainObject(event) && fields.every((f) => f(event));
}
