// The small pure modules under the scoring core: calendar days, the function environment, the
// input unwrapping shared by every entry point, and the JSON writer for kept events.
// Expected values are worked out by hand (comments show how), not read from the code.
import { DAYS_PER_YEAR, dayToIsoDate, isoDateToDay, parseIsoDate, todayIsoDate } from '../../lambdas/core/calendar';
import { readEnvironment } from '../../lambdas/core/environment';
import { unwrapDetail } from '../../lambdas/core/event-input';
import { copyJson, stringifyIteratively, stringifyJson } from '../../lambdas/core/safe-json';

describe('calendar days', () => {
  it('counts days since 1970-01-01 (UTC), also from the date part of a timestamp', () => {
    expect(isoDateToDay('1970-01-01')).toBe(0);
    expect(isoDateToDay('1969-12-31')).toBe(-1);
    expect(isoDateToDay('2000-02-29')).toBe(11016); // 30 years * 365 + 7 leap days + 31 + 28
    expect(isoDateToDay('2026-11-23')).toBe(20780);
    expect(isoDateToDay('2026-11-23T23:59:59+14:00')).toBe(20780);
    expect(isoDateToDay('2026-12-01') - isoDateToDay('2026-11-30')).toBe(1);
    expect(DAYS_PER_YEAR).toBe(365.25);
  });

  it('writes a day number back as YYYY-MM-DD', () => {
    expect(dayToIsoDate(0)).toBe('1970-01-01');
    expect(dayToIsoDate(-1)).toBe('1969-12-31');
    expect(dayToIsoDate(11016)).toBe('2000-02-29');
    expect(dayToIsoDate(20780)).toBe('2026-11-23');
  });

  it("takes today's date in UTC, whatever the local time zone says", () => {
    expect(todayIsoDate(new Date('2026-11-23T23:59:59.999Z'))).toBe('2026-11-23');
    expect(todayIsoDate(new Date('2026-11-24T00:30:00+01:00'))).toBe('2026-11-23');
    const before = new Date().toISOString().slice(0, 10);
    const today = todayIsoDate();
    expect([before, new Date().toISOString().slice(0, 10)]).toContain(today);
  });

  it('parses real calendar dates only', () => {
    for (const ok of ['2026-02-28', '2024-02-29', '2000-02-29', '1900-01-01', '2026-12-31']) expect(parseIsoDate(ok)).toBe(ok);
    for (const bad of ['2026-02-29', '1900-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-01', '26-01-01', ' 2026-01-01', '2026-01-01 ', '2026-01-01T00:00:00Z', 'x2026-01-01', '']) {
      expect(parseIsoDate(bad)).toBeUndefined();
    }
  });
});

describe('readEnvironment', () => {
  const variables = { table: 'SCORE_TABLE', queue: 'REJECTED_QUEUE_URL', topic: 'ALERT_TOPIC_ARN' };

  it('maps each key to its variable', () => {
    expect(readEnvironment('the scoring function', variables, { SCORE_TABLE: 't', REJECTED_QUEUE_URL: 'q', ALERT_TOPIC_ARN: 'a', OTHER: 'x' })).toEqual({ table: 't', queue: 'q', topic: 'a' });
  });

  it('names every missing or empty variable at once and says how to fix it', () => {
    expect(() => readEnvironment('the scoring function', variables, { REJECTED_QUEUE_URL: 'q', ALERT_TOPIC_ARN: '' })).toThrow(
      new Error('the scoring function is missing environment variables SCORE_TABLE, ALERT_TOPIC_ARN: deploy it with the stack (npx cdk deploy), which sets them'),
    );
    expect(() => readEnvironment('x', { a: 'A' }, {})).toThrow(/^x is missing environment variables A: /);
  });
});

describe('unwrapDetail', () => {
  const detail = { donorId: 'D-1' };

  it('takes the detail and id of a whole EventBridge event', () => {
    expect(unwrapDetail({ id: 'e1', source: 'registry.donors', 'detail-type': 'DonorUpdated', detail })).toEqual({ detail, sourceEventId: 'e1' });
  });

  it('takes the detail of a generator row, with no event id', () => {
    expect(unwrapDetail({ detail, truth: { available: true } })).toEqual({ detail, sourceEventId: null });
  });

  it('keeps a bare detail, an array, null and a string as they are', () => {
    for (const input of [detail, [detail], null, undefined, 'text', 7]) expect(unwrapDetail(input)).toEqual({ detail: input, sourceEventId: null });
    // Not from JSON, but an array never counts as a wrapper, even one carrying event properties.
    const odd = Object.assign([1], { id: 'e0', source: 'registry.donors', detail });
    expect(unwrapDetail(odd).detail).toBe(odd);
  });

  it('treats a whole event with a broken detail as an event (the error then names the detail)', () => {
    expect(unwrapDetail({ id: 'e2', source: 'registry.donors', detail: 'oops' })).toEqual({ detail: 'oops', sourceEventId: 'e2' });
    expect(unwrapDetail({ id: 'e3', 'detail-type': 'DonorUpdated', detail: null })).toEqual({ detail: null, sourceEventId: 'e3' });
    expect(unwrapDetail({ id: 'e4', source: 'registry.donors', detail: [1] })).toEqual({ detail: [1], sourceEventId: 'e4' });
  });

  it('does not unwrap a non-event whose detail is not an object', () => {
    for (const input of [{ detail: 'oops' }, { detail: null }, { detail: [1] }, { id: 'e5', detail: 3 }]) {
      expect(unwrapDetail(input)).toEqual({ detail: input, sourceEventId: null });
    }
  });

  it('ignores a non-string id and a detail that is only inherited', () => {
    expect(unwrapDetail({ id: 42, detail })).toEqual({ detail, sourceEventId: null });
    const inherited = Object.create({ detail, source: 'registry.donors' });
    expect(unwrapDetail(inherited)).toEqual({ detail: inherited, sourceEventId: null });
    const ownDetailOnly = Object.assign(Object.create({ source: 'registry.donors' }), { id: 'e6', detail: 'x' });
    expect(unwrapDetail(ownDetailOnly)).toEqual({ detail: ownDetailOnly, sourceEventId: null });
  });
});

describe('stringifyJson / stringifyIteratively', () => {
  it('write exactly what JSON.stringify writes for parsed JSON', () => {
    const samples: unknown[] = [
      {}, [], '', 'a"b\\c\n\u2028', 0, -1.5e-7, true, false, null,
      { a: 1, b: [1, { c: 'x' }, []], 'k"ey': { '': null } },
      [[], [[]], {}, [{}]],
      { nested: { deeper: { deepest: [1, 2, 3] } }, after: 'x' },
    ];
    for (const value of samples) {
      expect(stringifyIteratively(value)).toBe(JSON.stringify(value));
      expect(stringifyJson(value)).toBe(JSON.stringify(value));
    }
  });

  it('leave out undefined and function properties, write them as null in arrays', () => {
    const value = { a: undefined, b: () => 1, c: 1, d: [undefined, () => 1, 2] };
    expect(stringifyIteratively(value)).toBe('{"c":1,"d":[null,null,2]}');
    expect(stringifyIteratively(undefined)).toBe('null');
    expect(stringifyJson(undefined)).toBe('null');
  });

  it('fall back to the iterative writer only for depth, and rethrow other errors', () => {
    const deep = JSON.parse('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000));
    expect(stringifyJson(deep)).toBe('{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000));
    expect(() => stringifyJson({ big: 1n })).toThrow(TypeError);
    const cyclic: any = {};
    cyclic.self = cyclic;
    expect(() => stringifyJson(cyclic)).toThrow(TypeError);
  });

  it('copyJson gives an equal, separate copy', () => {
    const original = { a: [1, { b: 'x' }] };
    const copy = copyJson(original);
    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    expect(copy.a[1]).not.toBe(original.a[1]);
  });
});
