// One JSON Lines input line: the three line-level problems and their words, written from the
// module's contract (a whole JSON object per line), and what is kept of a refused line.
import { LINE_FIELD, LINE_RULES, parseJsonLine } from '../../lambdas/core/json-line';

describe('parseJsonLine', () => {
  it('reads an object, with or without a byte-order mark and surrounding spaces', () => {
    expect(parseJsonLine('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonLine('\uFEFF{"a":[1,{"b":null}]}')).toEqual({ ok: true, value: { a: [1, { b: null }] } });
    expect(parseJsonLine('  {"a":1}\r')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseJsonLine('{}')).toEqual({ ok: true, value: {} });
    // Only a leading mark is dropped: one inside a string is data.
    expect(parseJsonLine('{"a":"x\uFEFF"}')).toEqual({ ok: true, value: { a: 'x\uFEFF' } });
  });

  it('calls an empty or blank line (a BOM alone too) blank, keeping the text', () => {
    for (const text of ['', '   ', '\t\r', '\uFEFF', '\uFEFF  ']) {
      expect(parseJsonLine(text)).toEqual({ ok: false, error: { field: '(line)', rule: 'must be a JSON object, not a blank line' }, value: text });
    }
  });

  it('calls text that is not JSON not JSON, keeping the text', () => {
    for (const text of ['{a:1}', '{"a":1', 'D-0001', '{"a":1}{"b":2}', '\uFEFF\uFEFF{}']) {
      expect(parseJsonLine(text)).toEqual({ ok: false, error: { field: '(line)', rule: 'must be valid JSON' }, value: text });
    }
  });

  it('refuses JSON that is not an object, keeping the parsed value', () => {
    for (const [text, value] of [['null', null], ['[1,2]', [1, 2]], ['[]', []], ['42', 42], ['"x"', 'x'], ['true', true]] as const) {
      expect(parseJsonLine(text)).toEqual({
        ok: false,
        error: { field: '(line)', rule: 'must be a JSON object (a whole event, a generator row or a detail)' },
        value,
      });
    }
  });

  it('exports the same words it uses', () => {
    expect(LINE_FIELD).toBe('(line)');
    expect(LINE_RULES).toEqual({
      blank: 'must be a JSON object, not a blank line',
      notJson: 'must be valid JSON',
      notObject: 'must be a JSON object (a whole event, a generator row or a detail)',
    });
  });
});
