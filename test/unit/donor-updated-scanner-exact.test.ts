// DonorUpdatedScanner on hand-written lines, each expected answer written out here (never taken
// from the scanner or the schema): it ACCEPTS and reads exactly every plainly written valid form
// (accepting is its contract: it is the speed of every backfill), at and just inside each of the
// contract's boundaries; it DECLINES (-1, "not sure") everything on the other side of each boundary
// and every form it leaves to JSON.parse + the schema. Fast (a few ms) so that mutation testing can
// run it per mutant; donor-updated-scanner.property.test.ts holds it to the judged way at large.
import { DonorUpdatedScanner, isIsoDate, isIsoDateTime } from '../../lambdas/core/donor-updated-scanner';

const DATE = '2026-06-01';
const scanner = new DonorUpdatedScanner(DATE);

type Json = unknown;

/** A valid detail, fields in the schema's order, as a hand-written object. */
const detail = () => ({
  donorId: 'D-0001',
  revision: 3,
  updatedAt: '2026-05-01T10:00:00Z',
  donor: {
    birthYear: 1980,
    sex: 'F',
    registeredOn: '2005-03-15',
    recruitmentChannel: 'online',
    bloodDonor: true,
    residence: 'domestic',
    contactVerifiedOn: '2025-11-01',
    lastResponseOn: null as string | null,
    outreach12m: { attempts: 3, responses: 1 },
    priorRequests: { total: 2, available: 1 },
    temporarilyUnavailableUntil: null as string | null,
    lastUnavailableReason: null as string | null,
  },
});
type Detail = ReturnType<typeof detail>;
type Donor = Detail['donor'];

const withDonor = (patch: Partial<Record<keyof Donor, Json>>): Record<string, Json> => {
  const d = detail();
  return { ...d, donor: { ...d.donor, ...patch } } as unknown as Record<string, Json>;
};
const withDetail = (patch: Record<string, Json>) => ({ ...detail(), ...patch }) as Record<string, Json>;

/** The scanner's answer on a whole text: the line end it returns, and what it read. */
function scan(text: string, s = scanner, start = 0, end?: number) {
  const bytes = Buffer.from(text, 'utf8');
  const at = s.scan(bytes, start, end ?? bytes.length);
  if (at < 0) return null;
  const r = s.result();
  return { at, detail: r.detail, sourceEventId: r.sourceEventId, places: [r.donorIdStart, r.donorIdEnd, r.updatedAtStart, r.updatedAtEnd] };
}
/** Accepted, read to `expected` (same values, same key order), the line ending at its end. */
function accepts(text: string, expected: unknown = detail(), sourceEventId: string | null = null) {
  const got = scan(text);
  expect(got).not.toBeNull();
  expect(got!.at).toBe(Buffer.byteLength(text));
  expect(got!.detail).toEqual(expected);
  expect(JSON.stringify(got!.detail)).toBe(JSON.stringify(expected));
  expect(got!.sourceEventId).toBe(sourceEventId);
}
const declines = (text: string) => expect(scan(text)).toBeNull();
const line = (value: unknown) => JSON.stringify(value);
/** The canonical valid bare line, with `from` replaced by `to` (a raw edit of its text). */
const edited = (from: string, to: string) => {
  const text = line(detail());
  expect(text).toContain(from);
  return text.replace(from, to);
};

describe('DonorUpdatedScanner accepts each plainly written valid form', () => {
  test('a bare detail, read to its values, positions of donorId and updatedAt', () => {
    const text = line(detail());
    accepts(text);
    const got = scan(text)!;
    // {"donorId":" is 12 characters, D-0001 6; then ","revision":3,"updatedAt":" (28).
    expect(got.places).toEqual([12, 18, 46, 66]);
    expect(text.slice(12, 18)).toBe('D-0001');
    expect(text.slice(46, 66)).toBe('2026-05-01T10:00:00Z');
  });

  test('a drs-data row {detail, truth} and a whole event with its id', () => {
    accepts(line({ detail: detail(), truth: { available: true, p: 0.25, tags: ['a', 1, null, false] } }));
    accepts(line({ truth: -1.5e-3, detail: detail() }));
    const event = { version: '0', id: 'evt-1', 'detail-type': 'DonorUpdated', source: 'registry.donors', time: '2026-05-01T10:00:00Z', account: '123', region: 'eu-west-1', resources: [], detail: detail() };
    accepts(line(event), detail(), 'evt-1');
    // The id after the detail; an id of ASCII up to 0x7f (DEL is written raw by JSON); an empty id.
    accepts(line({ detail: detail(), id: 'x' }), detail(), 'x');
    accepts(line({ id: 'a\u007fb', detail: detail() }), detail(), 'a\u007fb');
    accepts(line({ id: '', detail: detail() }), detail(), '');
    // An id that is not a string: no source event id (as unwrapDetail says).
    accepts(line({ id: 7, detail: detail() }), detail(), null);
    accepts(line({ id: { a: [1] }, detail: detail() }), detail(), null);
    // The detail's places are in the detail.
    const text = line({ id: 'e', detail: detail() });
    const got = scan(text)!;
    // {"id":"e","detail": is 19 characters more.
    expect(got.places).toEqual([31, 37, 65, 85]);
  });

  test('every field at and just inside each boundary of the contract', () => {
    // donorId: 4 and 40 characters, every character class at its edges.
    for (const donorId of ['abcd', 'A'.repeat(40), 'azAZ09-x', '----', 'z9Z0']) accepts(line(withDetail({ donorId })), { ...detail(), donorId });
    // revision: 1 and the largest safe integer (16 digits).
    for (const revision of [1, 10, 9007199254740991, 1000000000000000]) accepts(line(withDetail({ revision })), { ...detail(), revision });
    // updatedAt: seconds required, fraction optional, Z or an offset.
    for (const updatedAt of ['2026-05-01T00:00:00Z', '2026-05-01T23:59:59Z', '2026-05-01T10:00:00.5Z', '2026-05-01T10:00:00.123456789+02:00', '2026-05-01T10:00:00-23:59', '2026-05-01T10:00:00+00:00', '2024-02-29T10:00:00Z', '2026-12-31T10:00:00Z'])
      accepts(line(withDetail({ updatedAt })), { ...detail(), updatedAt });
    // birthYear: 1900 and scoring year - 17 (2009), registered at birth + 17 years.
    accepts(line(withDonor({ birthYear: 1900, registeredOn: '1917-01-01' })), withDonor({ birthYear: 1900, registeredOn: '1917-01-01' }));
    accepts(line(withDonor({ birthYear: 2009, registeredOn: '2026-01-01' })), withDonor({ birthYear: 2009, registeredOn: '2026-01-01' }));
    accepts(line(withDonor({ birthYear: 1988, registeredOn: '2005-12-31' })), withDonor({ birthYear: 1988, registeredOn: '2005-12-31' }));
    // registeredOn: the scoring date itself.
    accepts(line(withDonor({ registeredOn: '2026-06-01' })), withDonor({ registeredOn: '2026-06-01' }));
    // Each enumerated value.
    for (const sex of ['F', 'M', 'U']) accepts(line(withDonor({ sex })), withDonor({ sex }));
    for (const recruitmentChannel of ['online', 'drive', 'blood_center', 'other']) accepts(line(withDonor({ recruitmentChannel })), withDonor({ recruitmentChannel }));
    for (const bloodDonor of [true, false]) accepts(line(withDonor({ bloodDonor })), withDonor({ bloodDonor }));
    for (const residence of ['domestic', 'international']) accepts(line(withDonor({ residence })), withDonor({ residence }));
    for (const lastUnavailableReason of ['medical', 'personal', 'no_contact', null]) accepts(line(withDonor({ lastUnavailableReason })), withDonor({ lastUnavailableReason }));
    // Nullable dates, null and not; dates need not be in the past.
    for (const value of [null, '2030-01-01', '1850-07-04', '2024-02-29', '2000-02-29', '2026-04-30', '2026-01-31', '2026-12-31'])
      for (const field of ['contactVerifiedOn', 'lastResponseOn', 'temporarilyUnavailableUntil'] as const) accepts(line(withDonor({ [field]: value })), withDonor({ [field]: value }));
    // Counts: 0, equal pairs, large.
    for (const [attempts, responses] of [[0, 0], [5, 5], [13, 0], [1000000000000000, 999999999999999]])
      accepts(line(withDonor({ outreach12m: { attempts, responses } })), withDonor({ outreach12m: { attempts, responses } }));
    for (const [total, available] of [[0, 0], [4, 4], [12, 0]])
      accepts(line(withDonor({ priorRequests: { total, available } })), withDonor({ priorRequests: { total, available } }));
  });

  test('whitespace (spaces, tabs) between every token, before and after the object', () => {
    const text = line(detail());
    let spaced = '';
    let inString = false;
    for (const c of text) {
      if (c === '"') inString = !inString;
      if (!inString && '{}[]:,'.includes(c)) spaced += ` \t${c} \t`;
      else spaced += c;
    }
    accepts(` \t${spaced}\t `);
    accepts(line({ detail: detail(), truth: 1 }).replace('{"detail":', '{ "detail" :\t'));
    accepts(`{ "id" : "e" , "detail" : ${line(detail())} }`, detail(), 'e');
  });

  test('fields in any order, unknown fields anywhere (skipped, whatever JSON value)', () => {
    const d = detail();
    const reversedDonor = Object.fromEntries(Object.entries(d.donor).reverse());
    const reversed = { donor: { ...reversedDonor, outreach12m: { responses: 1, attempts: 3 }, priorRequests: { available: 1, total: 2 } }, updatedAt: d.updatedAt, revision: d.revision, donorId: d.donorId };
    accepts(line(reversed));
    accepts(line({ detail: reversed }));
    const extras = { x: [[], {}, [1, -0.5e+2, 2E-3, 0, -0, 'a b', true, false, null, { k: { l: [] } }]], y: 'z' };
    accepts(line({ ...extras, ...d, z: null }));
    accepts(line({ ...extras, detail: d, z: 1 }));
    accepts(line({ detail: { ...extras, ...d, zz: {} } }));
    accepts(line({ ...d, donor: { ...extras, ...d.donor, zz: [1] } }));
    accepts(line({ ...d, donor: { ...d.donor, outreach12m: { x: 1, attempts: 3, y: [2], responses: 1, z: 'q' }, priorRequests: { total: 2, available: 1, extra: false } } }));
    // A key that starts like a field's name is another key.
    accepts(line({ donorIdX: 'no', revisio: 1, ...d }));
    accepts(line({ detail: { donorIdX: 1, donorI: 2, ...d, donorX: 3 } }));
    accepts(line({ ...d, donor: { birthYearX: 1, sexy: 'F', ...d.donor } }));
    accepts(line({ ...d, donor: { ...d.donor, outreach12m: { attemptsX: 9, attempts: 3, responses: 1 } } }));
    // Empty containers, spaced.
    accepts(line({ detail: d }).replace('{"detail"', '{"a":[ ],"b":{ },"c":[ 1 , 2 ],"detail"'));
  });

  test('nesting: 32 levels of an unknown value are read, 33 are left to JSON.parse', () => {
    accepts(line({ x: JSON.parse('['.repeat(32) + ']'.repeat(32)), ...detail() }));
    declines(line({ x: JSON.parse('['.repeat(33) + ']'.repeat(33)), ...detail() }));
    accepts(line({ x: JSON.parse('{"a":'.repeat(32) + '1' + '}'.repeat(32)), ...detail() }));
    declines(line({ x: JSON.parse('{"a":'.repeat(33) + '1' + '}'.repeat(33)), ...detail() }));
  });

  test('lines in a larger text: LF and CR end them; the slot keeps its answer', () => {
    const one = line(detail());
    const two = line(withDetail({ donorId: 'other-id', revision: 9 }));
    const text = `${one}\n${two}\r\n`;
    const bytes = Buffer.from(text);
    const s = new DonorUpdatedScanner(DATE, 2);
    expect(s.scan(bytes, 0, one.length, 0)).toBe(one.length);
    expect(s.scan(bytes, one.length + 1, one.length + 1 + two.length, 1)).toBe(one.length + 1 + two.length);
    expect(s.result(0).detail).toEqual(detail());
    expect(s.result(1).detail).toEqual({ ...detail(), donorId: 'other-id', revision: 9 });
    expect(s.result(1).donorIdStart).toBe(one.length + 1 + 12);
    // Trailing spaces belong to the line; it ends at the line end after them.
    const spaced = Buffer.from(`${one}  \rX`);
    expect(scanner.scan(spaced, 0, one.length + 2)).toBe(one.length + 2);
    // The text given may end before the line does (then the caller has more to read): no answer.
    expect(scanner.scan(Buffer.from(`${one}X`), 0, one.length)).toBe(-1);
    expect(scanner.scan(Buffer.from(`${one} `), 0, one.length)).toBe(-1);
  });

  test('each read overwrites the last one in the slot: nulls, the id, every value', () => {
    accepts(line({ id: 'e1', detail: withDonor({ lastUnavailableReason: 'medical', contactVerifiedOn: '2020-01-02', temporarilyUnavailableUntil: '2027-01-01', lastResponseOn: '2021-03-04' }) }), withDonor({ lastUnavailableReason: 'medical', contactVerifiedOn: '2020-01-02', temporarilyUnavailableUntil: '2027-01-01', lastResponseOn: '2021-03-04' }), 'e1');
    accepts(line({ detail: withDonor({ contactVerifiedOn: null, bloodDonor: false }) }), withDonor({ contactVerifiedOn: null, bloodDonor: false }), null);
    accepts(line({ id: 'e2', detail: detail() }), detail(), 'e2');
    accepts(line(detail()), detail(), null);
    accepts(line(withDonor({ sex: 'M', residence: 'international', recruitmentChannel: 'drive', bloodDonor: false })), withDonor({ sex: 'M', residence: 'international', recruitmentChannel: 'drive', bloodDonor: false }));
    accepts(line(detail()));
  });

  test('dates repeat: each read back as written, across months, years and the years kept', () => {
    const dates = ['1899-12-31', '1900-01-01', '1900-01-02', '1900-02-01', '1901-01-01', '2025-06-01', '2026-06-01', '2026-05-01', '2026-05-31', '2026-06-30', '2026-07-01', '2027-06-01', '2149-12-31', '2150-01-01', '2150-01-02', '0001-01-01', '9999-12-31', '2016-01-31', '2016-02-01'];
    for (let round = 0; round < 2; round++)
      for (const date of dates) for (const other of [dates[0], date, dates[dates.length - 1]])
        accepts(line(withDonor({ contactVerifiedOn: date, lastResponseOn: other })), withDonor({ contactVerifiedOn: date, lastResponseOn: other }));
  });

  test('every date of the first, last and two middle years kept as strings, read through one scanner, comes back as written', () => {
    // Dates are kept as strings by place once read: two dates in one place would read back as the
    // first. Every day of two pairs of years next to each other (a formula that folds days, months or
    // years together shows within a year or across the next) and of the first and last years kept
    // (1900-2149); the days past each month's end, which are no dates, are declined.
    const text = line(withDonor({ contactVerifiedOn: '2000-01-01' }));
    const at = text.indexOf('2000-01-01');
    const bytes = Buffer.from(text);
    const s = new DonorUpdatedScanner(DATE);
    const wrong: string[] = [];
    let read = 0;
    const days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for (const year of [1900, 1901, 2023, 2024, 2148, 2149]) {
      const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
      for (let month = 1; month <= 12; month++) {
        const last = days[month - 1] + (month === 2 && leap ? 1 : 0);
        for (let day = 1; day <= 31; day++) {
          const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          bytes.write(date, at, 'latin1');
          const accepted = s.scan(bytes, 0, bytes.length) >= 0;
          if (accepted !== day <= last || (accepted && s.result().detail.donor.contactVerifiedOn !== date)) wrong.push(date);
          read += accepted ? 1 : 0;
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(read).toBe(6 * 365 + 2);
  });

  test('without texts: donorId and updatedAt left to their places', () => {
    const s = new DonorUpdatedScanner(DATE, 1, false);
    const text = line(detail());
    expect(s.scan(Buffer.from(text), 0, text.length)).toBe(text.length);
    expect(s.result().detail).toEqual({ ...detail(), donorId: '', updatedAt: '' });
    expect([s.result().donorIdStart, s.result().donorIdEnd, s.result().updatedAtStart, s.result().updatedAtEnd]).toEqual([12, 18, 46, 66]);
  });

  test('the scoring date sets the birth-year and registration limits', () => {
    const s = new DonorUpdatedScanner('2030-01-15');
    const read = (value: unknown) => {
      const text = line(value);
      return s.scan(Buffer.from(text), 0, text.length) >= 0;
    };
    expect(read(withDonor({ birthYear: 2013, registeredOn: '2030-01-15' }))).toBe(true);
    expect(read(withDonor({ birthYear: 2014, registeredOn: '2030-01-15' }))).toBe(false);
    expect(read(withDonor({ registeredOn: '2030-01-16' }))).toBe(false);
    expect(read(withDonor({ registeredOn: '2029-12-31' }))).toBe(true);
  });
});

describe('DonorUpdatedScanner declines what is past each boundary', () => {
  test('donorId: length, characters, type', () => {
    for (const donorId of ['abc', 'A'.repeat(41), '', 'ab`d', 'ab{d', 'ab@d', 'ab[d', 'ab/d', 'ab:d', 'ab_d', 'ab.d', 'ab d', 'abé1', 'ab\u007fd'])
      declines(line(withDetail({ donorId })));
    for (const donorId of [1234, null, ['abcd'], { a: 'abcd' }, true]) declines(line(withDetail({ donorId })));
  });

  test('revision: 0, negative, unsafe, fractions and exponents, leading zeros, wrong types', () => {
    for (const revision of [0, -1, 9007199254740992, 10000000000000000, 1.5, '1', null, true]) declines(line(withDetail({ revision })));
    for (const raw of ['3.0', '1e2', '1E2', '1e+2', '03', '00', '-0', '+3', '3.', '99999999999999999', '18014398509481984'])
      declines(edited('"revision":3', `"revision":${raw}`));
  });

  test('updatedAt: every part of the timestamp', () => {
    for (const updatedAt of ['2026-05-01T10:00Z', '2026-05-01T10:00:00', '2026-05-01t10:00:00Z', '2026-05-01T10:00:00z', '2026-05-01 10:00:00Z', '2026-05-01T24:00:00Z', '2026-05-01T10:60:00Z', '2026-05-01T10:00:60Z', '2026-05-01T10:00:00+24:00', '2026-05-01T10:00:00+02:60', '2026-05-01T10:00:00+0200', '2026-05-01T10:00:00+02:00:00', '2026-05-01T10:00:00.Z', '2026-05-01T10:00:00ZZ', '2026-02-29T10:00:00Z', '2026-13-01T10:00:00Z', '2026-05-01T10-00:00Z', '2026-05-01T10:00-00Z', '2026-05-01T10:00:00+02-00', '2026-05-01T10:00:00*02:00', '2026-05-01', '', 1, null])
      declines(line(withDetail({ updatedAt })));
  });

  test('donor: birth year, registration, the cross-field rules, each enumeration, wrong types', () => {
    declines(line(withDonor({ birthYear: 1899, registeredOn: '1917-01-01' })));
    declines(line(withDonor({ birthYear: 2010, registeredOn: '2026-01-01' })));
    declines(line(withDonor({ birthYear: 1988, registeredOn: '2004-12-31' })));
    declines(line(withDonor({ registeredOn: '2026-06-02' })));
    declines(line(withDonor({ registeredOn: null })));
    declines(line(withDonor({ registeredOn: '2027-01-01' })));
    declines(line(withDonor({ outreach12m: { attempts: 3, responses: 4 } })));
    declines(line(withDonor({ priorRequests: { total: 2, available: 3 } })));
    for (const sex of ['f', 'X', 'FF', '', 'F ', null, 1]) declines(line(withDonor({ sex })));
    for (const recruitmentChannel of ['Online', 'onlin', 'online ', 'web', 'blood-center', null]) declines(line(withDonor({ recruitmentChannel })));
    for (const bloodDonor of ['true', 0, 1, null]) declines(line(withDonor({ bloodDonor })));
    for (const residence of ['abroad', 'domesti', 'International', null]) declines(line(withDonor({ residence })));
    for (const lastUnavailableReason of ['Medical', 'other', '', 0, false]) declines(line(withDonor({ lastUnavailableReason })));
    for (const birthYear of [1980.5, '1980', null]) declines(line(withDonor({ birthYear })));
    declines(edited('"birthYear":1980', '"birthYear":1980.0'));
    declines(edited('"bloodDonor":true', '"bloodDonor":tru'));
    declines(edited('"bloodDonor":true', '"bloodDonor":True'));
    declines(edited('"lastUnavailableReason":null', '"lastUnavailableReason":nul'));
    declines(edited('"lastResponseOn":null', '"lastResponseOn":nulL'));
    for (const donor of [null, 'x', [], 1]) declines(line(withDetail({ donor })));
  });

  test('dates: calendar, form, type', () => {
    for (const value of ['2026-02-29', '1900-02-29', '2100-02-29', '2026-02-30', '2024-02-30', '2026-04-31', '2026-06-31', '2026-09-31', '2026-11-31', '2026-01-32', '2026-13-01', '2026-00-10', '2026-01-00', '2026-1-01', '2026/06/01', '2026-06-01 ', ' 2026-06-01', '2026-06-01T00:00:00Z', 'x026-06-01', '2x26-06-01', '20x6-06-01', '202x-06-01', '2026-0x-01', '2026-06-0x', '', 1, true, {}])
      for (const field of ['contactVerifiedOn', 'lastResponseOn', 'temporarilyUnavailableUntil', 'registeredOn'] as const) declines(line(withDonor({ [field]: value })));
  });

  test('counts: negative, fractions, types, missing, duplicated, not an object', () => {
    for (const outreach12m of [{ attempts: -1, responses: 0 }, { attempts: 1.5, responses: 0 }, { attempts: 3 }, { responses: 0 }, {}, null, [3, 1], 3, { attempts: '3', responses: 1 }])
      declines(line(withDonor({ outreach12m })));
    for (const priorRequests of [{ total: 2, available: -1 }, { total: 2 }, { available: 0 }, null, { total: 2, available: null }]) declines(line(withDonor({ priorRequests })));
    declines(edited('"attempts":3,"responses":1', '"attempts":3,"attempts":3,"responses":1'));
    declines(edited('"attempts":3,"responses":1', '"attempts":3,"responses":1,"responses":1'));
    declines(edited('"total":2,', '"total":2e0,'));
    declines(edited('"total":2,', '"total":02,'));
    declines(edited('"attempts":3,', '"attempts" 3,'));
    declines(edited('"attempts":3,', '"attempts":3;'));
    declines(edited('"available":1}', '"available":1,}'));
  });

  test('missing fields, duplicate fields, each at each level', () => {
    const d = detail();
    for (const field of Object.keys(d)) {
      const rest: Record<string, unknown> = { ...d };
      delete rest[field];
      declines(line(rest));
      declines(line({ detail: rest }));
    }
    for (const field of Object.keys(d.donor)) {
      const rest: Record<string, unknown> = { ...d.donor };
      delete rest[field];
      declines(line({ ...d, donor: rest }));
    }
    const text = line(d);
    for (const [from, to] of [['"revision":3,', '"revision":3,"revision":3,'], ['"donorId":"D-0001",', '"donorId":"D-0001","donorId":"D-0001",'], ['"sex":"F",', '"sex":"F","sex":"F",'], ['"bloodDonor":true,', '"bloodDonor":true,"bloodDonor":true,'], ['"lastUnavailableReason":null', '"lastUnavailableReason":null,"lastUnavailableReason":null']]) {
      declines(text.replace(from, to));
      declines(`{"detail":${text.replace(from, to)}}`);
    }
    declines(`{"detail":${text},"detail":${text}}`);
    declines(`{"id":"a","detail":${text},"id":"b"}`);
    declines(`{"id":"a","id":1,"detail":${text}}`);
    declines(`{"detail":${text.slice(0, -1)},"donor":1}}`);
  });

  test('the forms left to JSON.parse: escapes, non-ASCII ids, BOM, odd numbers, control characters', () => {
    const text = line(detail());
    declines(text.replace('"D-0001"', '"D-\\u0030001"'));
    declines(text.replace('"donorId"', '"donor\\u0049d"'));
    declines(line({ note: 'a"b', ...detail() }));
    declines(line({ note: 'a\\b', ...detail() }));
    declines(`{"note":"a\tb",${text.slice(1)}`);
    declines(`{"note":"a\u0001b",${text.slice(1)}`);
    declines(line({ id: 'évt', detail: detail() }));
    declines(line({ id: 'a\\b', detail: detail() }));
    declines(`\uFEFF${text}`);
    for (const number of ['1.', '.5', '-', '-a', '1e', '1e+', 'E1', '1.e1', '+1', '0x1', 'Infinity', 'NaN', '- 1'])
      declines(`{"x":${number},${text.slice(1)}`);
  });

  test('malformed JSON around the fields: trailing text, missing braces, commas, colons', () => {
    const text = line(detail());
    for (const bad of [
      `${text}x`, `${text} x`, `${text},`, `${text}}`, `[${text}]`, text.slice(0, -1), text.slice(1), `{${text}`, 'null', '', ' ', '{}', '{ }',
      text.replace('"donorId":', '"donorId" '), text.replace('"donorId":', 'donorId":'), text.replace('"donorId":', '"donorId:'),
      text.replace('"donorId":', 'XdonorId":'), text.replace('"donorId":', '"donorIdX:'), text.replace(',"revision"', '"revision"'), text.replace(',"revision"', ',,"revision"'),
      text.replace('"birthYear":', '"birthYear" '), text.replace('"birthYear":', 'XbirthYear":'), text.replace('"attempts":', 'Xattempts":'),
      text.replace('{"birthYear"', '{birthYear"'), text.replace('{"birthYear"', '{"birthYear'), text.replace(',"sex":', ',sex":'),
      `{"detail":${text.replace('"donorId":', 'XdonorId":')}}`, `{"detail":${text.replace('"donorId":', '"donorId" ')}}`, `{"detail":${text}`, `{"detail" ${text}}`, `{detail":${text}}`,
      `{"detail":${text};`, `{"detail":${text}}}`, `{"detail":${text} 1}`, `{"x":[1 2],${text.slice(1)}`, `{"x":[1,],${text.slice(1)}`, `{"x":{"a" 1},${text.slice(1)}`, `{"x":{a:1},${text.slice(1)}`,
      `{"x":{"a":1,},${text.slice(1)}`, `{"x":{1:2},${text.slice(1)}`, `{"x":[1}],${text.slice(1)}`, `{"x":{"a":1]},${text.slice(1)}`, `{"x":tru,${text.slice(1)}`, `{"x":fals,${text.slice(1)}`, `{"x":nul,${text.slice(1)}`, `{"x":"a,${text.slice(1)}`, `{"x":,${text.slice(1)}`,
      `{"x":[,${text.slice(1)}`, `{"x":{,${text.slice(1)}`,
      `{"detail":1,${text.slice(1)}`, `{"detail":null}`, `{"detail":"x"}`, `{"detail":[${text}]}`, `{"id":"e"}`, `{"truth":1}`,
    ]) declines(bad);
  });

  test('a text cut inside the line: no answer, no endless read', () => {
    const text = line(detail());
    for (const cut of [5, 14, 30, 60, 100, 150, 200, text.length - 1]) {
      const bytes = Buffer.from(text.slice(0, cut));
      expect(scanner.scan(bytes, 0, bytes.length)).toBe(-1);
    }
    for (const tail of ['"x', '"x":', '"x":[', '"x":{"a"', '"x":"ab', '"x":tr', '"x":-', '"x":1.', '"x":1e', '"x":[1,', '"x":{"a":1,']) {
      const bytes = Buffer.from(`{${tail}`);
      expect(scanner.scan(bytes, 0, bytes.length)).toBe(-1);
    }
  });
});

describe('DonorUpdatedScanner declines every line that is not JSON', () => {
  /** Valid lines whose objects end in each kind of member (a broken last member then meets `}`). */
  const bases = (): string[] => {
    const d = detail();
    const lastOf = (field: keyof Donor) => {
      const { [field]: value, ...rest } = d.donor;
      return line({ ...d, donor: { ...rest, [field]: value } });
    };
    const lastOfDonor = (field: keyof Donor) => {
      const { [field]: _, ...rest } = d.donor;
      return rest;
    };
    const detailLast = (field: 'donorId' | 'revision' | 'updatedAt') => {
      const { [field]: value, ...rest } = d;
      return line({ ...rest, [field]: value });
    };
    return [
      line(d), line({ id: 'e', detail: d }),
      ...(['birthYear', 'sex', 'registeredOn', 'bloodDonor', 'contactVerifiedOn', 'outreach12m'] as const).map(lastOf),
      ...(['donorId', 'revision', 'updatedAt'] as const).map(detailLast),
      `{"detail":${detailLast('revision')}}`, `{"detail":${lastOf('outreach12m')}}`,
      `{"x":[1e2,-2E-3,0,1.5,true,false,null,"s",{"a":{}}],${line(d).slice(1, -1)},"y":{"b":[[]]}}`,
      line({ ...d, donor: { ...d.donor, outreach12m: { responses: 1, attempts: 3 }, priorRequests: { available: 1, total: 2 } } }),
      // Unknown plain fields inside the detail, the donor and the counts, first and last.
      line({ detail: { x: 1, ...d, y: 2, donor: { z: 3, ...d.donor, outreach12m: { q: 4, attempts: 3, responses: 1, r: 5 }, w: 6 } } }),
      line({ x: 1, ...d, donor: { z: 3, ...d.donor, priorRequests: { q: 4, total: 2, available: 1, r: 5 }, w: 6 } }),
      line({ ...d, donor: { ...lastOfDonor('outreach12m'), outreach12m: { q: 4, attempts: 3, responses: 1 } } }),
    ];
  };

  test('a stray character for each one outside strings, each plain value taken out (and the last brace with them)', () => {
    // Built so that every variant is not JSON (no JSON reads `;` outside a string, nor `"key":,`):
    // each must be declined, and the last brace taken as well lets a broken member end its object.
    let judged = 0;
    const accepted: string[] = [];
    for (const base of bases()) {
      expect([base, scan(base) !== null]).toEqual([base, true]);
      let inString = false;
      for (let i = 0; i < base.length; i++) {
        const c = base[i];
        if (c === '"') inString = !inString;
        if (inString || c === '"') continue;
        const junk = `${base.slice(0, i)};${base.slice(i + 1)}`;
        const variants = [junk, junk.slice(0, -1)];
        // A plain value after its key's colon, taken out up to the next `,` or `}`.
        if (c === ':' && !'{['.includes(base[i + 1])) {
          let k = i + 1;
          while (!',}'.includes(base[k])) k++;
          const cut = base.slice(0, i + 1) + base.slice(k);
          // The colon taken out with the value: a key with nothing after it.
          const bareKey = base.slice(0, i) + base.slice(k);
          variants.push(cut, cut.slice(0, -1), bareKey, bareKey.slice(0, -1));
        }
        for (const v of variants) {
          judged++;
          if (scan(v) !== null) accepted.push(v);
        }
      }
    }
    expect(accepted).toEqual([]);
    expect(judged).toBeGreaterThan(2_500);
  });

  test('a member with a value missing, a key with no colon, a value with no key', () => {
    const text = line(detail());
    const bad = [
      text.replace('"donorId":"D-0001"', '"donorId":'), text.replace('"revision":3', '"revision":'), text.replace('"bloodDonor":true', '"bloodDonor":'), text.replace('"sex":"F"', '"sex":'),
      text.replace('"attempts":3', '"attempts":'), text.replace('"outreach12m":{"attempts":3,"responses":1}', '"outreach12m":'), text.replace('"registeredOn":"2005-03-15"', '"registeredOn":'), text.replace('"contactVerifiedOn":"2025-11-01"', '"contactVerifiedOn":'), text.replace('"updatedAt":"2026-05-01T10:00:00Z"', '"updatedAt":'), text.replace('"lastUnavailableReason":null', '"lastUnavailableReason":'), `{"detail":${text.replace('"lastUnavailableReason":null', '"lastUnavailableReason":')}}`,
      text.replace('"revision":3', '"revision";3'), text.replace('"birthYear":1980', '"birthYear";1980'), text.replace('"sex":"F"', '"sex";"F"'), `{"detail":${text.replace('"donorId":', '"donorId";')}}`,
      // A fast-matched key followed by a value and no colon: read as the next field's would be wrong.
      text.replace('"birthYear":1980,"sex":"F"', '"birthYear""F","birthYear":1980'),
      `{"detail":${text.replace('"donorId":"D-0001","revision":3', '"donorId"3,"donorId":"D-0001"')}}`,
      `{"detail":${text.replace('"donorId":"D-0001","revision":3', '"donorId":"D-0001",3')}}`,
      text.replace('"birthYear":1980,"sex":"F"', '"birthYear":1980,"q" "F"'),
      text.replace('"attempts":3,"responses":1', '"attempts"1,"attempts":3'),
      // A key with no colon after every field (a value that could be read past follows it).
      text.replace('"lastUnavailableReason":null', '"lastUnavailableReason":null,"q" 1'), text.replace('"responses":1', '"responses":1,"q" 1'),
      text.replace('"available":1', '"available":1,"q" 1'), text.replace('"donorId":"D-0001"', '"q" 1,"donorId":"D-0001"'),
      `${text.slice(0, -1)},5}`, `${text.slice(0, -1)},"x":1,5}`, `{"detail":${text.slice(0, -1)},5}}`,
      `${text.slice(0, -1)},"x":{"a";}`, `${text.slice(0, -1)},"x":[1;}`, `${text.slice(0, -1)},"x":{"a":1;}`,
      `{"id":"e";"detail":${text}}`, `{"id":,"detail":${text}}`, `{"id":tru,"detail":${text}}`, `{"id":[1;],"detail":${text}}`,
      `(${text.slice(1)}`, `{"detail":(${text.slice(1)}}`, text.replace('"donor":{', '"donor":('), text.replace('"outreach12m":{', '"outreach12m":('),
      `${text.slice(0, -1)},"x":01}`, `${text.slice(0, -1)},"x":-01}`, `${text.slice(0, -1)},"x":00}`, `${text.slice(0, -1)},"x":1e+-2}`, `${text.slice(0, -1)},"x":1e2.5}`,
    ];
    for (const v of bad) expect([v, scan(v)]).toEqual([v, null]);
  });

  test('numbers of every JSON form in unknown fields are read past', () => {
    const text = line(detail());
    for (const number of ['1e2', '1E2', '1e+2', '1e-2', '1E+0', '-1.5e+10', '0e0', '-0', '0.5', '-0.0', '123', '2E-3'])
      accepts(`{"x":${number},"y":[${number},${number}],${text.slice(1)}`);
  });

  test('a text that goes on past the line: the line ends at its LF or CR', () => {
    const one = line(detail());
    for (const end of ['\n', '\r', '  \n', '\t\r']) {
      const text = Buffer.from(`${one}${end}{"x":1}`);
      const at = scanner.scan(text, 0, text.length);
      expect(at).toBe(one.length + end.length - 1);
    }
  });

  test('a key that starts like the expected one, after a string', () => {
    const d = detail();
    const { birthYear, ...rest } = d.donor;
    accepts(line({ ...d, donor: { birthYear, q: 'z', sexy: 'F', ...rest } }));
    accepts(line({ detail: { x: 'z', donorIdX: 1, ...d } }));
    accepts(line({ ...d, donor: { ...d.donor, outreach12m: { q: 'z', attemptsX: 1, attempts: 3, responses: 1 } } }));
  });
});

describe('isIsoDate and isIsoDateTime (zod z.iso.date and z.iso.datetime({offset: true}))', () => {
  test('dates: every month length, leap years, form', () => {
    for (const date of ['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2026-05-31', '2026-06-30', '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-31', '2026-11-30', '2026-12-31', '2026-01-01', '2024-02-29', '2000-02-29', '0000-02-29', '1600-02-29', '2004-02-29', '2096-02-29', '0000-01-01', '9999-12-31', '1999-10-10'])
      expect([date, isIsoDate(date)]).toEqual([date, true]);
    for (const date of ['2026-02-29', '1900-02-29', '2100-02-29', '1700-02-29', '2002-02-29', '2001-02-29', '2003-02-29', '2026-02-30', '2024-02-30', '2026-04-31', '2026-06-31', '2026-09-31', '2026-11-31', '2026-01-32', '2026-03-32', '2026-12-32', '2026-13-01', '2026-00-01', '2026-01-00', '2026-10-00', '2026-1-01', '2026-06-1', '2026/06/01', '2026-06/01', '20260601xx', '2026-06-011', '2026-06-0', ' 2026-06-01', 'a026-06-01', '2a26-06-01', '20a6-06-01', '202a-06-01', '2026-a6-01', '2026-0a-01', '2026-06-a1', '2026-06-0a', '2026-06-:1', '2026-06-/1', '2026/06-01', '2026-06/01', '2026x06-01', '2026-06x01'])
      expect([date, isIsoDate(date)]).toEqual([date, false]);
    // Non-ASCII characters whose low byte is a digit or a dash are not ASCII digits (U+0131, U+0130, U+012D).
    for (const date of ['2026-06-0\u0131', '\u0132026-06-01', '2026\u012d06-01']) expect([date, isIsoDate(date)]).toEqual([date, false]);
  });

  test('timestamps: hours, minutes, seconds, fraction, zone', () => {
    for (const stamp of ['2026-05-01T00:00:00Z', '2026-05-01T23:59:59Z', '2026-05-01T19:09:09Z', '2026-05-01T10:00:00.0Z', '2026-05-01T10:00:00.123456789Z', '2026-05-01T10:00:00+23:59', '2026-05-01T10:00:00-00:00', '2026-05-01T10:00:00.5+01:30', '2024-02-29T00:00:00Z'])
      expect([stamp, isIsoDateTime(stamp)]).toEqual([stamp, true]);
    for (const stamp of ['2026-05-01T24:00:00Z', '2026-05-01T10:60:00Z', '2026-05-01T10:00:60Z', '2026-05-01T10:00:00+24:00', '2026-05-01T10:00:00+23:60', '2026-05-01T10:00:00', '2026-05-01T10:00:0Z', '2026-05-01T10:00Z', '2026-05-01t10:00:00Z', '2026-05-01T10:00:00z', '2026-05-01T10:00:00.Z', '2026-05-01T10:00:00.aZ', '2026-05-01T10:00:00.5', '2026-05-01T10:00:00Z ', '2026-05-01T10:00:00+02:00Z', '2026-05-01T10:00:00+2:00', '2026-05-01T10:00:00+02:0', '2026-05-01T10:00:00+02:000', '2026-05-01T10:00:00+02.00', '2026-05-01T10.00:00Z', '2026-05-01T10:00.00Z', '2026-02-29T10:00:00Z', '2026-05-01X10:00:00Z', 'a026-05-01T10:00:00Z', '2026-05-01Ta0:00:00Z', '2026-05-01T1a:00:00Z', '2026-05-01T10:a0:00Z', '2026-05-01T10:0a:00Z', '2026-05-01T10:00:a0Z', '2026-05-01T10:00:0aZ', '2026-05-01T10:00:00+a2:00', '2026-05-01T10:00:00+02:a0', '2026-05-01T10:00:00/02:00', '2026-05-01T10:00:00,5Z', '', '2026-05-01T1'])
      expect([stamp, isIsoDateTime(stamp)]).toEqual([stamp, false]);
    for (const stamp of ['2026-05-01T10:00:0\u0131Z', '2026-05-01T10:00:00\u015a', '2026-05-01T10:00:00+02:0\u0130']) expect([stamp, isIsoDateTime(stamp)]).toEqual([stamp, false]);
  });
});
