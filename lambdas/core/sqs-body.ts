// SQS keeps only #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF in a message body or
// attribute. A JSON event may hold U+FFFE, U+FFFF or lone surrogates in its strings; sent as it is,
// SQS refuses it and a kept event would be lost. Outside ASCII, JSON text has characters only
// inside strings, where `\uXXXX` means the same character: escaping them keeps the body valid JSON
// that parses back to exactly the same value, with nothing for a queue to refuse.
// Astral characters (emoji) are escaped too: SQS accepts them but the local endpoints (fauxqs)
// do not, and the escaped JSON means the same, so one body works everywhere.
import { stringifyJson } from './safe-json';

/** What real SQS refuses (lone surrogates are whole code points under the `u` flag). */
const SQS_REFUSES = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
/** Everything the kept bodies escape: what SQS refuses, plus every astral character and surrogate. */
const ESCAPED = /[\uD800-\uDFFF\uFFFE\uFFFF]/g;

const hex4 = (unit: number) => `\\u${unit.toString(16).padStart(4, '0')}`;

/** True when real SQS would accept `text` as a message body as it is. */
export function sqsAccepts(text: string): boolean {
  return !SQS_REFUSES.test(text);
}

/** True when any string in a JSON value (key or value) holds a character SQS refuses. */
export function holdsSqsRefusedCharacters(value: unknown): boolean {
  // JSON.stringify escapes lone surrogates and control characters itself; test the raw strings.
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      // Stryker disable next-line StringLiteral: controls dropped or spaced out, SQS accepts what is left either way
      if (!sqsAccepts(v.replace(/[\0-\x1f]/g, ' '))) return true;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        // Stryker disable next-line StringLiteral: controls dropped or spaced out, SQS accepts what is left either way
        if (!sqsAccepts(k.replace(/[\0-\x1f]/g, ' '))) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

/**
 * The JSON text of `value`, safe for any SQS queue (and the local endpoints): every UTF-16 unit of
 * U+FFFE, U+FFFF and of every surrogate (paired or lone) is written as a `\uXXXX` escape.
 * `JSON.parse` of the result equals `value` exactly.
 */
export function sqsSafeJson(value: unknown): string {
  return stringifyJson(value).replace(ESCAPED, (unit) => hex4(unit.charCodeAt(0)));
}

/** A message attribute value (a label, not the kept copy): the same escapes, as visible text. */
export function sqsSafeText(text: string): string {
  return text.replace(/[\0-\x08\x0b\x0c\x0e-\x1f]/g, (c) => hex4(c.charCodeAt(0))).replace(ESCAPED, (unit) => hex4(unit.charCodeAt(0)));
}
