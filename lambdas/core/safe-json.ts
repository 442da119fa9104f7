// JSON.stringify for anything JSON.parse accepted. V8's JSON.parse handles any nesting depth, but
// JSON.stringify recurses and throws RangeError past a few thousand levels: a 256 KB event of
// nested brackets would then be impossible to keep. The fallback walks with its own stack.

export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    if (error instanceof RangeError) return stringifyIteratively(value);
    throw error;
  }
}

type Frame = { items: unknown[]; i: number; keys?: undefined } | { items: unknown[]; i: number; keys: string[] };

/** Same output as JSON.stringify for parsed JSON (objects, arrays, strings, numbers, booleans, null). */
export function stringifyIteratively(value: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = (v: unknown) => {
    if (Array.isArray(v)) {
      out.push('[');
      stack.push({ items: v, i: 0 });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function');
      out.push('{');
      stack.push({ items: entries.map(([, x]) => x), keys: entries.map(([k]) => k), i: 0 });
    } else {
      out.push(JSON.stringify(v) ?? 'null');
    }
  };
  open(value);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.i >= top.items.length) {
      out.push(top.keys ? '}' : ']');
      stack.pop();
      continue;
    }
    if (top.i > 0) out.push(',');
    if (top.keys) out.push(JSON.stringify(top.keys[top.i]), ':');
    open(top.items[top.i++]);
  }
  return out.join('');
}

/** A deep copy as Lambda hands each invocation its own payload (parse of the serialized event). */
export function copyJson<T>(value: T): T {
  return JSON.parse(stringifyJson(value)) as T;
}
