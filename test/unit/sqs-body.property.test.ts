// Kept bodies hold any JSON event, whatever its strings: U+FFFE, U+FFFF, lone surrogates and emoji
// are escaped so SQS (and fauxqs, which also refuses astral characters) accepts the body, and
// reading the body back gives exactly the event.
import fc from 'fast-check';
import { keptEventOf } from '../../cli/kept-event';
import { holdsSqsRefusedCharacters, sqsAccepts, sqsSafeJson, sqsSafeText } from '../../lambdas/core/sqs-body';
import { stringifyJson } from '../../lambdas/core/safe-json';
import { scoreDonorUpdate, type ScoringDeps } from '../../lambdas/score-donor/score-donor-update';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

// SQS's rule, written out from the documentation (not from the code under test).
const SQS_ALLOWED = (cp: number) => cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
/** What fauxqs accepts: SQS's rule without the astral planes. Code points, with a lone surrogate as itself. */
const fauxqsAccepts = (text: string) => [...text].every((ch) => { const cp = ch.codePointAt(0)!; return SQS_ALLOWED(cp) && cp <= 0xffff; });

/** Any UTF-16 units (lone surrogates included), and strings made of the troublesome ones. */
const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\uFFFE', '\uFFFF', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '😀', '𝄞', '\u0000', '\u001f', 'é', 'a', '"', '\\'), maxLength: 20 }),
);
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, hostileString, fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(hostileString, tie('value'), { maxKeys: 4 }),
})).value;

describe('sqsSafeJson', () => {
  it('is accepted by SQS and by fauxqs and parses back to exactly the value, for any strings', () => {
    fc.assert(
      fc.property(hostileJson, (value) => {
        const body = sqsSafeJson(value);
        expect(fauxqsAccepts(body)).toBe(true);
        expect(sqsAccepts(body)).toBe(true);
        expect(JSON.parse(body)).toStrictEqual(JSON.parse(stringifyJson(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('restores a rejected event whole from the kept body', () => {
    fc.assert(
      fc.property(hostileString, hostileJson, (id, detail) => {
        const event = donorUpdatedEvent(detail, `evt-${id}`);
        const kept = keptEventOf(sqsSafeJson({ eventId: event.id, reason: { field: 'x', rule: 'y', violations: [] }, rejectedAt: 'now', event }));
        expect(kept).toMatchObject({ ok: true, shape: 'rejected', eventId: event.id });
        expect(kept.ok && kept.event).toStrictEqual(JSON.parse(stringifyJson(event)));
      }),
      { numRuns: 300 },
    );
  });

  it('is needed: the plain JSON text of such an event is refused by SQS', () => {
    for (const ch of ['\uFFFE', '\uFFFF']) expect(sqsAccepts(stringifyJson({ note: `a${ch}b` }))).toBe(false);
    expect(fauxqsAccepts(stringifyJson({ note: '😀' }))).toBe(false);
    expect(sqsSafeJson({ note: 'a\uFFFF😀\uD800' })).toBe('{"note":"a\\uffff\\ud83d\\ude00\\ud800"}');
  });

  it('labels (message attributes) carry no character a queue refuses', () => {
    fc.assert(fc.property(hostileString, (s) => expect(fauxqsAccepts(sqsSafeText(s))).toBe(true)));
  });

  it('tells which values SQS would refuse as Lambda sends them', () => {
    expect(holdsSqsRefusedCharacters({ a: ['ok', { b: 'x\uFFFF' }] })).toBe(true);
    expect(holdsSqsRefusedCharacters({ 'k\uD800': 1 })).toBe(true);
    expect(holdsSqsRefusedCharacters({ a: 'x\uDC00' })).toBe(true);
    expect(holdsSqsRefusedCharacters({ a: '😀 é \n\t\u0001', b: [1, null, true] })).toBe(false);
  });
});

describe('a failed event that Lambda could not keep', () => {
  const failing = (kept: unknown[]): ScoringDeps => ({
    loadModel: async () => Promise.reject(Object.assign(new Error('down'), { name: 'ServiceUnavailable' })),
    store: { putIfNewer: async () => true },
    rejected: { keep: async () => undefined },
    failed: { keep: async (f) => void kept.push(f) },
    alerts: { record: async () => undefined },
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    now: () => new Date('2026-11-23T12:00:00Z'),
  });

  it('is kept by the function itself, once, and not retried', async () => {
    const kept: any[] = [];
    const event = { ...donorUpdatedEvent(validDetail(), 'e-fffe'), note: 'x\uFFFFy' };
    await expect(scoreDonorUpdate(event, failing(kept))).resolves.toMatchObject({ outcome: 'failed-kept', eventId: 'e-fffe' });
    expect(kept).toHaveLength(1);
    expect(kept[0].event).toBe(event);
    expect(kept[0].error).toEqual({ errorType: 'ServiceUnavailable', errorMessage: 'down' });
  });

  it('is left to Lambda when SQS takes it as it is (emoji included): thrown, retried', async () => {
    const kept: unknown[] = [];
    await expect(scoreDonorUpdate({ ...donorUpdatedEvent(validDetail(), 'e-emoji'), note: '😀' }, failing(kept))).rejects.toThrow('down');
    expect(kept).toEqual([]);
  });
});
