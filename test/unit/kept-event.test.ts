import { keptEventOf } from '../../cli/kept-event';

const event = { id: 'e1', source: 'registry.donors', 'detail-type': 'DonorUpdated', detail: { donorId: 'x' } };

describe('keptEventOf', () => {
  it('reads the original event from each shape the pipeline keeps', () => {
    expect(keptEventOf(JSON.stringify({ eventId: 'e1', reason: {}, rejectedAt: 't', event }))).toEqual({ ok: true, shape: 'rejected', event, eventId: 'e1' });
    expect(keptEventOf(JSON.stringify({ version: '1.0', requestContext: {}, requestPayload: event, responsePayload: {} }))).toEqual({ ok: true, shape: 'on-failure', event, eventId: 'e1' });
    expect(keptEventOf(JSON.stringify(event))).toEqual({ ok: true, shape: 'event', event, eventId: 'e1' });
  });

  it('keeps a rejected event of any shape, even without id or detail', () => {
    expect(keptEventOf(JSON.stringify({ rejectedAt: 't', event: { what: 1 } }))).toMatchObject({ ok: true, eventId: null });
  });

  it('names what is wrong with a message it cannot re-send', () => {
    expect(keptEventOf('{')).toEqual({ ok: false, problem: 'the message body is not JSON' });
    expect(keptEventOf('[1]')).toEqual({ ok: false, problem: 'the message body is not a JSON object' });
    expect(keptEventOf(JSON.stringify({ rejectedAt: 't', event: 'text' }))).toEqual({ ok: false, problem: 'the kept rejected event is not a JSON object' });
    expect(keptEventOf(JSON.stringify({ hello: 1 }))).toEqual({ ok: false, problem: 'the message holds no DonorUpdated event (no detail)' });
  });
});

describe('stringifyJson', () => {
  const { stringifyJson, stringifyIteratively } = require('../../lambdas/core/safe-json');
  it('writes what JSON.stringify writes, and still writes what is too deep for it', () => {
    const sample = { a: [1, 'x', null, true, { b: [] }], 'q"': { n: -1.5e-7, u: undefined }, arr: [undefined] };
    expect(stringifyIteratively(sample)).toBe(JSON.stringify(sample));
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(stringifyJson(deep)).toBe('['.repeat(100_000) + ']'.repeat(100_000));
  });
});
