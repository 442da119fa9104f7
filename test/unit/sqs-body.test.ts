// SQS's character rule at each edge of each allowed range, and the exact text of the escapes. The
// allowed set is written here from the SQS documentation: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD
// #x10000-#x10FFFF (code points; a surrogate alone is not a character).
import { holdsSqsRefusedCharacters, sqsAccepts, sqsSafeJson, sqsSafeText } from '../../lambdas/core/sqs-body';

const ch = (cp: number) => String.fromCodePoint(cp);

describe('sqsAccepts: the edges of every allowed range', () => {
  it.each([0x9, 0xa, 0xd, 0x20, 0x7e, 0xe9, 0xd7ff, 0xe000, 0xfffd, 0x10000, 0x1f600, 0x10ffff])('accepts U+%s', (cp) => {
    expect(sqsAccepts(`a${ch(cp)}b`)).toBe(true);
  });
  it.each([0x0, 0x8, 0xb, 0xc, 0xe, 0x1f, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xfffe, 0xffff])('refuses U+%s', (cp) => {
    expect(sqsAccepts(`a${String.fromCharCode(cp)}b`)).toBe(false);
    expect(sqsAccepts(String.fromCharCode(cp))).toBe(false);
  });
  it('accepts a surrogate pair (one astral character) and the empty text', () => {
    expect(sqsAccepts('\uD83D\uDE00')).toBe(true);
    expect(sqsAccepts('')).toBe(true);
    expect(sqsAccepts('\uDE00\uD83D')).toBe(false); // the pair reversed: two lone surrogates
  });
});

describe('sqsSafeJson: exactly which units are escaped', () => {
  it('escapes surrogates (paired or lone), U+FFFE and U+FFFF in lower-case \\uXXXX, nothing else', () => {
    expect(sqsSafeJson({ s: '\uD7FF\uE000\uFFFD' })).toBe('{"s":"\uD7FF\uE000\uFFFD"}');
    expect(sqsSafeJson({ s: '\uFFFE\uFFFF' })).toBe('{"s":"\\ufffe\\uffff"}');
    expect(sqsSafeJson({ s: '\uD800\uDBFF\uDC00\uDFFF' })).toBe('{"s":"\\ud800\\udbff\\udc00\\udfff"}');
    expect(sqsSafeJson({ s: '\u{10FFFF}' })).toBe('{"s":"\\udbff\\udfff"}');
    expect(sqsSafeJson({ 'k\uFFFF': 'é' })).toBe('{"k\\uffff":"é"}');
  });
  it('leaves plain JSON as JSON.stringify writes it', () => {
    expect(sqsSafeJson({ a: [1, 'x', null, true], b: 'tab\there' })).toBe('{"a":[1,"x",null,true],"b":"tab\\there"}');
  });
});

describe('sqsSafeText: a label with every refused or control character escaped', () => {
  it('escapes C0 controls except tab, line feed and carriage return, with four hex digits', () => {
    expect(sqsSafeText('\u0000\u0001\u0008')).toBe('\\u0000\\u0001\\u0008');
    expect(sqsSafeText('\u000b\u000c\u000e\u001f')).toBe('\\u000b\\u000c\\u000e\\u001f');
    expect(sqsSafeText('a\tb\nc\rd e')).toBe('a\tb\nc\rd e');
  });
  it('escapes surrogates, U+FFFE and U+FFFF, keeps the rest', () => {
    expect(sqsSafeText('x\uFFFE\uFFFF\uD800y')).toBe('x\\ufffe\\uffff\\ud800y');
    expect(sqsSafeText('\u0020\u007f\uD7FF\uE000\uFFFD')).toBe('\u0020\u007f\uD7FF\uE000\uFFFD');
    expect(sqsSafeText('😀')).toBe('\\ud83d\\ude00');
  });
});

describe('holdsSqsRefusedCharacters: the raw strings of a JSON value, keys included', () => {
  it('finds a refused character at any depth, in values and keys', () => {
    expect(holdsSqsRefusedCharacters('\uFFFE')).toBe(true);
    expect(holdsSqsRefusedCharacters([1, [2, ['\uD800']]])).toBe(true);
    expect(holdsSqsRefusedCharacters({ a: { b: { c: 'x\uDFFF' } } })).toBe(true);
    expect(holdsSqsRefusedCharacters({ a: { 'b\uFFFF': 1 } })).toBe(true);
    expect(holdsSqsRefusedCharacters([{ ok: 'fine' }, { k: 'bad\uFFFF' }])).toBe(true);
  });
  it('ignores controls (JSON.stringify escapes them) and non-strings', () => {
    expect(holdsSqsRefusedCharacters({ 'k\u0001': 'v\u0000\u001f\u000b' })).toBe(false);
    expect(holdsSqsRefusedCharacters([null, 1, true, undefined, { a: null }, '😀', '\uFFFD'])).toBe(false);
    expect(holdsSqsRefusedCharacters(null)).toBe(false);
    expect(holdsSqsRefusedCharacters(42)).toBe(false);
  });
});
