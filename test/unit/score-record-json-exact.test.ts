// ScoreRecordJson (text and write, the bytes drs score writes) on hand-picked rows, each expected
// record written out here by hand: the JSON.stringify text of the record, worked out for each value
// (whole features 0..12 and past them, -0, rounded decimals with leading zeros in their fraction,
// numbers JSON has no number for, strings that need escaping, input bytes copied in place).
// Fast, so that mutation testing can run it per mutant; score-record-json.property.test.ts holds
// the writer to JSON.stringify at large.
import type { Band, ReasonCode } from '../../lambdas/core/model-manifest';
import { ScoreRecordJson, type ScoreRecordRow } from '../../lambdas/core/score-record-json';

const REASONS: Record<number, ReasonCode[]> = {
  0: [],
  5: [{ code: 'CONTACT_STALE', effect: 'lowers' }],
  9: [{ code: 'BLOOD_DONOR', effect: 'raises' }, { code: 'AGE_UNFAVOURABLE', effect: 'lowers' }],
};
const run = () => new ScoreRecordJson({ modelVersion: 'rm-2026.05', modelSha256: 'ab12', scoringDate: '2026-06-01', scoredAt: '2026-06-01T08:00:00.000Z', reasonsOfKey: (k) => REASONS[k] });

const names = ['ageYears', 'female', 'sexUnknown', 'yearsOnRegistry', 'recruitedOnline', 'recruitedAtBloodCenter', 'recruitedOtherChannel', 'bloodDonor', 'livesAbroad', 'yearsSinceContactVerified', 'contactNeverVerified', 'yearsSinceLastResponse', 'neverResponded', 'outreachAnswered12m', 'outreachUnanswered12m', 'priorRequestsAvailable', 'priorRequestsUnavailable', 'daysUntilAvailableAgain', 'lastUnavailableMedical', 'lastUnavailablePersonal', 'lastUnavailableNoContact'];
/** Feature values and the text JSON.stringify gives each, worked out by hand. */
const VALUES: [number, string][] = [
  [46, '46'], [1, '1'], [0, '0'], [21.2101, '21.2101'], [12, '12'], [13, '13'], [-0, '0'], [0.5832, '0.5832'], [0.0005, '0.0005'],
  [0.1, '0.1'], [0.001, '0.001'], [12.5, '12.5'], [365, '365'], [3.01, '3.01'], [7.0001, '7.0001'], [10.001, '10.001'], [1e21, '1e+21'],
  [Number.NaN, 'null'], [-1.5, '-1.5'], [2 ** 31, '2147483648'], [0.1 + 0.2, '0.30000000000000004'],
];
const OTHER: [number, string][] = [
  [1e-7, '1e-7'], [Infinity, 'null'], [-2, '-2'], [0.0123, '0.0123'], [11, '11'], [2, '2'], [5, '5'], [45, '45'], [20.05, '20.05'], [100.1, '100.1'],
  [-0.5, '-0.5'], [1.0009, '1.0009'], [0.05, '0.05'], [9.9999, '9.9999'], [4, '4'], [3, '3'], [6, '6'], [7, '7'], [8, '8'], [9, '9'], [10, '10'],
];

const row = (patch: Partial<ScoreRecordRow> = {}): ScoreRecordRow => ({
  donorId: 'D-0001', revision: 7, updatedAt: '2026-05-01T10:00:00Z', sourceEventId: null, probability: 0.25, band: 'medium' as Band, reasonKey: 5, ...patch,
});
const featuresText = (values: [number, string][]) => values.map(([, t], i) => `"${names[i]}":${t}`).join(',');
const matrix = (...rows: [number, string][][]) => Float64Array.from(rows.flatMap((r) => r.map(([x]) => x)));

/**
 * The room maxBytes asks that a row leaves unused, worked out here from the texts JSON.stringify gives
 * its values: a number has room for 25 bytes (the longest a number prints, -0.0000012345678901234567),
 * a string 6 bytes a UTF-16 unit (\u0001) and its quotes, null 4; input bytes copied in place are
 * counted exactly. The rest of a record (keys, model, dates, reasons) is counted exactly.
 */
function unusedRoom(r: ScoreRecordRow, features: Float64Array, offset: number): number {
  const numbers = [Math.round(r.probability * 1e6) / 1e6, r.revision, ...features.subarray(offset, offset + names.length)];
  const strings = [r.sourceEventId, r.band, ...(r.textBytes ? [] : [r.donorId, r.updatedAt])];
  return (
    numbers.reduce((n, x) => n + 25 - JSON.stringify(x).length, 0) +
    strings.reduce((n, s) => n + (s === null ? 0 : 6 * s.length + 2 - Buffer.byteLength(JSON.stringify(s))), 0)
  );
}

/**
 * `text`, and `write` at an offset into a sentinel-filled buffer with room to spare: what it writes
 * ends inside the room maxBytes asks, which is exactly the written bytes and the unused room.
 */
function both(json: ScoreRecordJson, r: ScoreRecordRow, features: Float64Array, offset: number): [string, string] {
  const text = json.text(r, features, offset);
  const room = json.maxBytes(r);
  const out = Buffer.alloc(3 + room + 40, 0xaa);
  const end = json.write(r, features, offset, out, 3);
  expect(end).toBeLessThanOrEqual(3 + room);
  expect(room - (end - 3)).toBe(unusedRoom(r, features, offset));
  expect([...out.subarray(0, 3), ...out.subarray(end)].every((c) => c === 0xaa)).toBe(true);
  return [text, out.toString('utf8', 3, end)];
}

const record = (r: { donorId?: string; score: string; band?: string; reasons: string; revision?: string; sourceEventId?: string; updatedAt?: string; scoredAt?: string; features: string }) =>
  `{"donorId":${r.donorId ?? '"D-0001"'},"score":${r.score},"band":${r.band ?? '"medium"'},"reasons":${r.reasons},"modelVersion":"rm-2026.05","modelSha256":"ab12","revision":${r.revision ?? '7'},` +
  `"sourceEventId":${r.sourceEventId ?? 'null'},"updatedAt":${r.updatedAt ?? '"2026-05-01T10:00:00Z"'},"scoringDate":"2026-06-01","scoredAt":${r.scoredAt ?? '"2026-06-01T08:00:00.000Z"'},"features":{${r.features}}}`;

describe('ScoreRecordJson writes the record JSON.stringify writes', () => {
  test('every kind of feature value, a row at an offset of the matrix', () => {
    const json = run();
    const features = matrix(OTHER, VALUES);
    const expected = record({ score: '0.25', reasons: '[{"code":"CONTACT_STALE","effect":"lowers"}]', features: featuresText(VALUES) });
    expect(both(json, row(), features, 21)).toEqual([expected, expected]);
    const first = record({ score: '0.25', reasons: '[{"code":"CONTACT_STALE","effect":"lowers"}]', features: featuresText(OTHER) });
    expect(both(json, row(), features, 0)).toEqual([first, first]);
  });

  test('scores rounded to six decimals, revisions, bands and reasons', () => {
    const json = run();
    const features = matrix(OTHER);
    for (const [probability, score] of [[0, '0'], [1, '1'], [0.1, '0.1'], [0.120034, '0.120034'], [0.000001, '0.000001'], [0.0000015, '0.000002'], [0.00000049, '0'], [0.9999996, '1'], [0.5000004, '0.5'], [0.05, '0.05'], [0.100001, '0.100001'], [0.000012, '0.000012'], [0.000123, '0.000123'], [0.001234, '0.001234'], [0.012345, '0.012345'], [0.00001, '0.00001'], [0.0001, '0.0001'], [0.2000005, '0.200001'], [Number.NaN, 'null'], [Infinity, 'null'], [-0.25, '-0.25'], [1.5, '1.5'], [-0, '0']] as [number, string][]) {
      const expected = record({ score, reasons: '[]', features: featuresText(OTHER) });
      expect([probability, ...both(json, row({ probability, reasonKey: 0 }), features, 0)]).toEqual([probability, expected, expected]);
    }
    for (const [revision, text] of [[0, '0'], [1, '1'], [10, '10'], [9007199254740991, '9007199254740991'], [9007199254740992, '9007199254740992'], [-3, '-3'], [-0, '0'], [-10, '-10'], [-9007199254740991, '-9007199254740991'], [1.5, '1.5'], [Number.NaN, 'null'], [1e21, '1e+21']] as [number, string][]) {
      const expected = record({ score: '0.25', revision: text, reasons: '[{"code":"BLOOD_DONOR","effect":"raises"},{"code":"AGE_UNFAVOURABLE","effect":"lowers"}]', features: featuresText(OTHER) });
      expect([revision, ...both(json, row({ revision, reasonKey: 9 }), features, 0)]).toEqual([revision, expected, expected]);
    }
    for (const band of ['high', 'low', 'medium', 'high'] as Band[]) {
      const expected = record({ score: '0.25', band: `"${band}"`, reasons: '[]', features: featuresText(OTHER) });
      expect(both(json, row({ band, reasonKey: 0 }), features, 0)).toEqual([expected, expected]);
    }
  });

  test('strings: plain, escaped, non-ASCII, and input bytes copied in place', () => {
    const json = run();
    const features = matrix(OTHER);
    const cases: [Partial<ScoreRecordRow>, Partial<Parameters<typeof record>[0]>][] = [
      [{ sourceEventId: 'evt-1' }, { sourceEventId: '"evt-1"' }],
      [{ sourceEventId: '' }, { sourceEventId: '""' }],
      [{ donorId: 'a"b\\c' }, { donorId: '"a\\"b\\\\c"' }],
      [{ donorId: 'x\u0001y\u001fz' }, { donorId: '"x\\u0001y\\u001fz"' }],
      [{ donorId: ' \u007f~' }, { donorId: '" \u007f~"' }],
      [{ sourceEventId: 'é😀' }, { sourceEventId: '"é😀"' }],
      [{ sourceEventId: '\ud800' }, { sourceEventId: '"\\ud800"' }],
      [{ updatedAt: 'ü\n' }, { updatedAt: '"ü\\n"' }],
      [{ updatedAt: '\u0080' }, { updatedAt: '"\u0080"' }],
      [{ donorId: 'a"b' }, { donorId: '"a\\"b"' }],
      [{ donorId: 'a\\b' }, { donorId: '"a\\\\b"' }],
      [{ sourceEventId: '"' }, { sourceEventId: '"\\""' }],
      [{ sourceEventId: '\\\\' }, { sourceEventId: '"\\\\\\\\"' }],
      [{ updatedAt: 'x\\' }, { updatedAt: '"x\\\\"' }],
    ];
    for (const [patch, expectedPatch] of cases) {
      const expected = record({ score: '0.25', reasons: '[]', features: featuresText(OTHER), ...expectedPatch });
      expect(both(json, row({ reasonKey: 0, ...patch }), features, 0)).toEqual([expected, expected]);
    }
    // drs score's rows: donorId and updatedAt copied from the input bytes, the strings not read.
    const input = Buffer.from('{"donorId":"AB-12","updatedAt":"2026-05-01T10:00:00.5+02:00"}');
    const copied = row({ donorId: '', updatedAt: '', reasonKey: 0, textBytes: input, donorIdStart: 12, donorIdEnd: 17, updatedAtStart: 32, updatedAtEnd: 59 });
    const expected = record({ donorId: '"AB-12"', updatedAt: '"2026-05-01T10:00:00.5+02:00"', score: '0.25', reasons: '[]', features: featuresText(OTHER) });
    const room = json.maxBytes(copied);
    const out = Buffer.alloc(room, 0xaa);
    const end = json.write(copied, features, 0, out, 0);
    expect(out.toString('utf8', 0, end)).toBe(expected);
    expect(out.subarray(end).every((c) => c === 0xaa)).toBe(true);
    expect(room - end).toBe(unusedRoom(copied, features, 0));
  });

  test('room: a string of escapes in every text field fits the room maxBytes asks', () => {
    const json = run();
    const features = matrix(VALUES);
    const escapes = '\u0001'.repeat(20);
    const escaped = `"${'\\u0001'.repeat(20)}"`;
    const r = row({ donorId: escapes, updatedAt: escapes, sourceEventId: escapes, reasonKey: 9, revision: -1.2345678901234e-300, probability: Number.NaN });
    const expected = record({ donorId: escaped, updatedAt: escaped, sourceEventId: escaped, score: 'null', revision: '-1.2345678901234e-300', reasons: '[{"code":"BLOOD_DONOR","effect":"raises"},{"code":"AGE_UNFAVOURABLE","effect":"lowers"}]', features: featuresText(VALUES) });
    expect(both(json, r, features, 0)).toEqual([expected, expected]);
  });

  test('room: the longest row there can be (every number 25 bytes, every string escapes) fits, with one byte to spare', () => {
    const json = run();
    // The longest texts: 25 bytes a number (-0.0000012345678901234567); a score (rounded to 6
    // decimals) at most 24 (-1.2345678901234567e+300); 6 bytes a char for strings of \u0001.
    const longest = -1.2345678901234567e-6;
    const features = new Float64Array(21).fill(longest);
    const escapes = '\u0001'.repeat(64);
    const escaped = `"${'\\u0001'.repeat(64)}"`;
    const reasons: Record<number, string> = { 0: '[]', 5: '[{"code":"CONTACT_STALE","effect":"lowers"}]', 9: '[{"code":"BLOOD_DONOR","effect":"raises"},{"code":"AGE_UNFAVOURABLE","effect":"lowers"}]' };
    const longFeatures = names.map((name) => `"${name}":-0.0000012345678901234567`).join(',');
    for (const reasonKey of [0, 5, 9]) {
      for (const sourceEventId of [escapes, null]) {
        const r = row({ donorId: escapes, updatedAt: escapes, sourceEventId, reasonKey, revision: longest, probability: -1.2345678901234567e300, band: '\u0001\u0001' as Band });
        const expected = record({ donorId: escaped, updatedAt: escaped, sourceEventId: sourceEventId === null ? 'null' : escaped, band: '"\\u0001\\u0001"', score: '-1.2345678901234567e+300', revision: '-0.0000012345678901234567', reasons: reasons[reasonKey], features: longFeatures });
        expect(both(json, r, features, 0)).toEqual([expected, expected]);
        expect(json.maxBytes(r) - Buffer.byteLength(expected)).toBe(1);
      }
    }
    // Copied input bytes (drs score's rows): room for exactly them, ids and dates of any length.
    const id = 'A'.repeat(64);
    const updatedAt = '2026-05-01T10:00:00.123456789012+02:00';
    const input = Buffer.from(`xyz"${id}""${updatedAt}"`);
    for (const reasonKey of [0, 5, 9]) {
      const copied = row({ donorId: '', updatedAt: '', reasonKey, revision: longest, probability: -1.2345678901234567e300, sourceEventId: escapes, band: '\u0001\u0001' as Band, textBytes: input, donorIdStart: 4, donorIdEnd: 68, updatedAtStart: 70, updatedAtEnd: 70 + updatedAt.length });
      const expected = record({ donorId: `"${id}"`, updatedAt: `"${updatedAt}"`, sourceEventId: escaped, band: '"\\u0001\\u0001"', score: '-1.2345678901234567e+300', revision: '-0.0000012345678901234567', reasons: reasons[reasonKey], features: longFeatures });
      const room = json.maxBytes(copied);
      expect(room - Buffer.byteLength(expected)).toBe(1);
      const out = Buffer.alloc(room + 5, 0xaa);
      const end = json.write(copied, features, 0, out, 5);
      expect(out.toString('utf8', 5, end)).toBe(expected);
      expect([...out.subarray(0, 5), ...out.subarray(end)].every((c) => c === 0xaa)).toBe(true);
    }
  });

  test('room: a plain row asks for its bytes and the unused room of its numbers and strings, no more', () => {
    const json = run();
    const features = matrix(OTHER);
    // Each number leaves 25 bytes less its text's length: the score 0.25 (4), the revision 7 (1), the features.
    const plain = row({ reasonKey: 9, sourceEventId: 'evt-1', band: 'high' });
    const expected = record({ score: '0.25', band: '"high"', sourceEventId: '"evt-1"', reasons: '[{"code":"BLOOD_DONOR","effect":"raises"},{"code":"AGE_UNFAVOURABLE","effect":"lowers"}]', features: featuresText(OTHER) });
    const numbers = 25 - 4 + (25 - 1) + OTHER.reduce((n, [, t]) => n + 25 - t.length, 0);
    // donorId "D-0001": 6 units, 8 bytes written of 38; updatedAt: 20 units, 22 of 122; "evt-1": 7 of 32; "high": 6 of 26.
    const strings = 30 + 100 + 25 + 20;
    expect(json.maxBytes(plain)).toBe(Buffer.byteLength(expected) + numbers + strings);
    expect(both(json, plain, features, 0)).toEqual([expected, expected]);
  });

  test('plain strings are copied a byte at a time; only what JSON escapes or UTF-8 writes in more bytes takes Buffer#write', () => {
    // Not a matter of the bytes (both ways write the same) but of what the fast path is for.
    const json = run();
    const features = matrix(OTHER);
    const cases: [string, number][] = [[' !#~\u007f', 0], ['', 0], ['a"', 1], ['a\\', 1], ['\u001f', 1], ['\u0080', 1], ['é', 1], ['😀', 1]];
    for (const [sourceEventId, writes] of cases) {
      const r = row({ sourceEventId, reasonKey: 0 });
      const out = Buffer.alloc(json.maxBytes(r), 0xaa);
      const write = jest.spyOn(out, 'write');
      const end = json.write(r, features, 0, out, 0);
      expect([sourceEventId, write.mock.calls.length]).toEqual([sourceEventId, writes]);
      expect(out.toString('utf8', 0, end)).toBe(record({ score: '0.25', reasons: '[]', sourceEventId: JSON.stringify(sourceEventId), features: featuresText(OTHER) }));
    }
  });

  test('a new scoredAt for the next batch of the run', () => {
    const json = run();
    const features = matrix(OTHER);
    json.scoredAt = '2026-06-01T09:30:00.000Z';
    const expected = record({ score: '0.25', reasons: '[]', scoredAt: '"2026-06-01T09:30:00.000Z"', features: featuresText(OTHER) });
    expect(both(json, row({ reasonKey: 0 }), features, 0)).toEqual([expected, expected]);
  });
});
