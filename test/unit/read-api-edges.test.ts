// The read API's pure core at its edges: the body size limit to the byte (multi-byte characters
// count as bytes), base64 bodies, blank bodies, where a nested rule is reported, an age that is
// never negative, a reason code the deployed manifest does not know, and the configuration.
import { readApiConfig } from '../../lambdas/read-api/config';
import { fieldOf, parseBatchGetBody, reasonMeanings, toReadinessItem, type StoredScore } from '../../lambdas/read-api/read-readiness';
import { BANDS, MAX_BODY_BYTES, MAX_IDS_PER_REQUEST } from '../../lambdas/read-api/readiness-contract';

/** A request body of exactly `bytes` bytes: one id and padding inside a string of an unknown field. */
const bodyOf = (bytes: number, pad = 'x') => {
  const head = '{"donorIds":["abcd"],"p":"';
  const tail = '"}';
  return head + pad.repeat((bytes - head.length - tail.length) / Buffer.byteLength(pad)) + tail;
};

describe('parseBatchGetBody at its edges', () => {
  it('states the limits the contract gives', () => {
    expect(MAX_BODY_BYTES).toBe(16384);
    expect(MAX_IDS_PER_REQUEST).toBe(100);
    expect(BANDS).toEqual(['high', 'medium', 'low']);
  });

  it('takes 16384 bytes to parsing and refuses 16385 with 413, counting bytes, not characters', () => {
    expect(Buffer.byteLength(bodyOf(16384))).toBe(16384);
    // Parsed, so the unknown padding field is what it names.
    expect(parseBatchGetBody(bodyOf(16384))).toEqual({ ok: false, violation: { status: 400, field: 'p', rule: 'is not a field of this request' } });
    expect(parseBatchGetBody(bodyOf(16385))).toEqual({ ok: false, violation: { status: 413, field: 'body', rule: 'must be at most 16384 bytes' } });
    // 'é' is two bytes: 8,180 characters of it make 16,388 bytes with the rest.
    const accented = bodyOf(16388, 'é');
    expect(accented.length).toBeLessThan(16384);
    expect(parseBatchGetBody(accented)).toMatchObject({ ok: false, violation: { status: 413 } });
  });

  it('measures a base64 body after decoding it', () => {
    const body = bodyOf(16384);
    const encoded = Buffer.from(body).toString('base64');
    expect(encoded.length).toBeGreaterThan(16384);
    expect(parseBatchGetBody(encoded, true)).toMatchObject({ ok: false, violation: { status: 400, field: 'p' } });
    expect(parseBatchGetBody(Buffer.from(bodyOf(16385)).toString('base64'), true)).toMatchObject({ ok: false, violation: { status: 413 } });
    // Not decoded unless API Gateway says it is base64.
    expect(parseBatchGetBody(Buffer.from('{"donorIds":["abcd"]}').toString('base64'))).toEqual({ ok: false, violation: { status: 400, field: 'body', rule: 'must be JSON' } });
  });

  it.each([undefined, null, '', '   ', '\n\t'])('calls a body of %p missing', (body) => {
    expect(parseBatchGetBody(body)).toEqual({ ok: false, violation: { status: 400, field: 'body', rule: 'is required: a JSON object {"donorIds": [...]}' } });
  });

  it('names JSON that is not an object as the body', () => {
    for (const body of ['null', '"abcd"', '7']) {
      expect(parseBatchGetBody(body)).toEqual({ ok: false, violation: { status: 400, field: 'body', rule: 'must be a JSON object {"donorIds": [...]}' } });
    }
  });

  it('names the first broken id by its index and the first unknown field by its name', () => {
    expect(parseBatchGetBody('{"donorIds":["abcd","efgh","x"]}')).toEqual({ ok: false, violation: { status: 400, field: 'donorIds[2]', rule: 'must match ^[A-Za-z0-9-]{4,40}$' } });
    expect(parseBatchGetBody('{"donorIds":["abcd"],"b":1,"a":2}')).toEqual({ ok: false, violation: { status: 400, field: 'b', rule: 'is not a field of this request' } });
    expect(parseBatchGetBody('{"donorIds":["abcd","abcd"]}')).toEqual({ ok: false, violation: { status: 400, field: 'donorIds[1]', rule: 'must not repeat an id' } });
  });

  it('names a field by its path: indexes in brackets, names after dots, the body for none', () => {
    expect(fieldOf(['donorIds', 3])).toBe('donorIds[3]');
    expect(fieldOf(['donor', 'outreach12m', 'attempts'])).toBe('donor.outreach12m.attempts');
    expect(fieldOf(['items', 0, 'reasons', 2, 'code'])).toBe('items[0].reasons[2].code');
    expect(fieldOf([])).toBe('');
  });

  it('returns the ids as sent', () => {
    expect(parseBatchGetBody('{"donorIds":["D-0002","D-0001"]}')).toEqual({ ok: true, request: { donorIds: ['D-0002', 'D-0001'] } });
  });
});

describe('toReadinessItem', () => {
  const stored: StoredScore = {
    donorId: 'D-1',
    score: 0.42,
    band: 'low',
    reasons: [
      { code: 'KNOWN', effect: 'raises' },
      { code: 'KNOWN', effect: 'lowers' },
    ],
    modelVersion: '2026.1.0',
    scoringDate: '2026-11-20',
    scoredAt: '2026-11-20T08:00:00.000Z',
    revision: 7,
  };
  const meanings = reasonMeanings({ reasonCodes: { maxReasons: 3, minEffect: 0.1, codes: [{ code: 'KNOWN', effect: 'raises', feature: 'f', meaning: 'known meaning' }] } });

  it('looks a meaning up by code and direction, and explains a code the deployed manifest lacks', () => {
    expect(meanings).toEqual(new Map([['KNOWN|raises', 'known meaning']]));
    expect(toReadinessItem(stored, meanings, '2026-11-20').reasons).toEqual([
      { code: 'KNOWN', effect: 'raises', meaning: 'known meaning' },
      { code: 'KNOWN', effect: 'lowers', meaning: "reason code of model version that produced this score (not in the deployed model's manifest)" },
    ]);
  });

  it('counts whole days since the scoring date, never below 0, and answers a record without reasons with none', () => {
    expect(toReadinessItem(stored, meanings, '2026-11-20').ageDays).toBe(0);
    expect(toReadinessItem(stored, meanings, '2026-11-21').ageDays).toBe(1);
    expect(toReadinessItem(stored, meanings, '2026-11-19').ageDays).toBe(0);
    expect(toReadinessItem({ ...stored, reasons: undefined as never }, meanings, '2027-11-20')).toEqual({
      donorId: 'D-1',
      score: 0.42,
      band: 'low',
      reasons: [],
      modelVersion: '2026.1.0',
      scoringDate: '2026-11-20',
      scoredAt: '2026-11-20T08:00:00.000Z',
      revision: 7,
      ageDays: 365,
    });
  });
});

describe('readApiConfig', () => {
  const env = { STAGE: 'prod', SCORE_TABLE_NAME: 't', MODEL_BUCKET: 'b', MODEL_PREFIX: 'p/', MODEL_SHA256: 's' };
  it('reads the five variables', () => {
    expect(readApiConfig(env)).toEqual({ stage: 'prod', scoreTableName: 't', modelBucket: 'b', modelPrefix: 'p/', modelSha256: 's' });
  });
  it('names the function and a missing variable', () => {
    expect(() => readApiConfig({ ...env, MODEL_BUCKET: undefined })).toThrow(/read API function.*MODEL_BUCKET/);
  });
});
