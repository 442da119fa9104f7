import { keptEventOf } from '../../cli/kept-event';

const event = { id: 'e1', source: 'registry.donors', 'detail-type': 'DonorUpdated', detail: { donorId: 'x' } };

describe('keptEventOf', () => {
  it('reads the original event from each shape the pipeline keeps', () => {
    expect(keptEventOf(JSON.stringify({ eventId: 'e1', reason: {}, rejectedAt: 't', event }))).toMatchObject({ ok: true, shape: 'rejected', event, eventId: 'e1' });
    expect(keptEventOf(JSON.stringify({ version: '1.0', requestContext: {}, requestPayload: event, responsePayload: {} }))).toMatchObject({ ok: true, shape: 'on-failure', event, eventId: 'e1' });
    expect(keptEventOf(JSON.stringify(event))).toMatchObject({ ok: true, shape: 'event', event, eventId: 'e1' });
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

describe('why a message was kept (drs redrive --dry-run)', () => {
  const failureOf = (body: unknown, attributes?: Record<string, { StringValue: string }>) => {
    const kept = keptEventOf(JSON.stringify(body), attributes);
    if (!kept.ok) throw new Error(kept.problem);
    return kept.failure;
  };

  it('reads field and rule from a rejected event, and nothing of the donor', () => {
    const donorEvent = { ...event, detail: { donorId: 'D-SECRET-1', donor: { sex: 'Q' } } };
    const failure = failureOf({ eventId: 'e1', reason: { field: 'donor.sex', rule: 'must be one of F, M, U', violations: [] }, rejectedAt: 't', event: donorEvent });
    expect(failure).toEqual({ failureClass: 'rejected', field: 'donor.sex', rule: 'must be one of F, M, U' });
    expect(JSON.stringify(failure)).not.toMatch(/D-SECRET|"Q"/);
  });

  it('reads the error type of an on-failure record (model or failed), never its message', () => {
    const record = (errorType: string) => ({ requestContext: { condition: 'RetriesExhausted' }, requestPayload: event, responsePayload: { errorType, errorMessage: 'donor D-SECRET-1 broke it' } });
    expect(failureOf(record('ModelIntegrityError'))).toEqual({ failureClass: 'model', error: 'ModelIntegrityError' });
    expect(failureOf(record('ThrottlingException'))).toEqual({ failureClass: 'failed', error: 'ThrottlingException' });
    expect(JSON.stringify(failureOf(record('ThrottlingException')))).not.toContain('D-SECRET');
  });

  it('tells EventBridge\'s undelivered events from Lambda\'s dead letters by their message attributes', () => {
    expect(failureOf(event, { RULE_ARN: { StringValue: 'arn:aws:events:eu-west-1:1:rule/b/r' }, ERROR_CODE: { StringValue: 'SDK_CLIENT_ERROR' } })).toEqual({ failureClass: 'undelivered', error: 'SDK_CLIENT_ERROR' });
    expect(failureOf(event, { ErrorCode: { StringValue: '200' }, RequestID: { StringValue: 'r' } })).toEqual({ failureClass: 'failed', error: '200' });
    expect(failureOf(event)).toEqual({ failureClass: 'unknown' });
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
