// drs score reads most lines with DonorUpdatedScanner instead of JSON.parse + unwrapDetail + the
// contract's schema. The scanner may decline any line (the judged way then takes it), but what it
// accepts must be exactly what the judged way accepts, read to the same values. Held here on
// generated rows (every generator variant, every wrapping), on boundary and hostile values, and on
// valid lines mutated character by character (escapes, whitespace, duplicate keys, odd numbers).
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import * as z from 'zod/mini';
import { compiledDetailValidator } from '../../lambdas/core/donor-updated-compiled';
import { DonorUpdatedScanner, isIsoDate, isIsoDateTime } from '../../lambdas/core/donor-updated-scanner';
import { unwrapDetail } from '../../lambdas/core/event-input';
import { parseJsonLine } from '../../lambdas/core/json-line';
import { GENERATOR_VARIANTS, generateRegistry } from '../../model/synthetic-registry';

const DATE = '2026-06-01';
const validate = compiledDetailValidator(DATE);
const scanner = new DonorUpdatedScanner(DATE);
const textless = new DonorUpdatedScanner(DATE, 1, false);

/** The judged way: JSON.parse, unwrapDetail, the contract's schema. */
function judged(line: string) {
  const parsed = parseJsonLine(line);
  if (!parsed.ok) return null;
  const { detail, sourceEventId } = unwrapDetail(parsed.value);
  const checked = validate(detail);
  return checked.ok ? { detail: checked.detail, sourceEventId } : null;
}

// agrees() runs some 30,000 times a file run, most of them on lines the scanner reads: an expect per
// comparison would cost more than the scanning. These are the same checks, each made first the
// cheap way; only a comparison that fails the cheap way goes to expect, which then judges it (and
// reports it) exactly as before. Object.is is what toBe uses; isDeepStrictEqual passing implies
// toEqual passes (same prototypes, keys and Object.is values), so no failure can slip through.
const toBe = (actual: unknown, expected: unknown) => {
  if (!Object.is(actual, expected)) expect(actual).toBe(expected);
};
const toEqual = (actual: unknown, expected: unknown) => {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toEqual(expected);
};

/**
 * The scanner on the UTF-8 bytes of `line` (alone, and between other lines of a larger text) agrees
 * with the judged way on what drs score would hand it: the bytes up to the first LF or CR, decoded.
 * True when the scanner read the line itself.
 */
function agrees(line: string): boolean {
  const bytes = Buffer.from(line, 'utf8');
  let cut = bytes.findIndex((c) => c === 0x0a || c === 0x0d);
  if (cut < 0) cut = bytes.length;
  const expected = judged(bytes.toString('utf8', 0, cut));
  const before = Buffer.from('{"x":1}\n');
  const inText = Buffer.concat([before, bytes, Buffer.from('\r\n{"y":2}')]);
  for (const [text, start] of [[bytes, 0], [inText, before.length]] as const) {
    const end = scanner.scan(text, start, text.length);
    if (end < 0) continue;
    if (expected === null) throw new Error(`the scanner accepted a line the schema rejects: ${JSON.stringify(line)}`);
    toBe(end, start + cut);
    const scanned = scanner.result();
    // Same values, -0 included, and the same keys in the same order as the schema returns them.
    toEqual(scanned.detail, expected.detail);
    toBe(JSON.stringify(scanned.detail), JSON.stringify(expected.detail));
    toBe(scanned.sourceEventId, expected.sourceEventId);
    // The places of donorId and updatedAt hold their text, which JSON writes as it is.
    toBe(text.toString('latin1', scanned.donorIdStart, scanned.donorIdEnd), expected.detail.donorId);
    toBe(text.toString('latin1', scanned.updatedAtStart, scanned.updatedAtEnd), expected.detail.updatedAt);
    toBe(JSON.stringify(expected.detail.donorId + expected.detail.updatedAt), `"${expected.detail.donorId}${expected.detail.updatedAt}"`);
    // Without strings (as drs score reads): the same answer, the two texts left to their places.
    const noTexts = textless.scan(text, start, text.length);
    toBe(noTexts, end);
    const bare = textless.result();
    toEqual({ ...bare.detail, donorId: expected.detail.donorId, updatedAt: expected.detail.updatedAt }, expected.detail);
    toEqual([bare.detail.donorId, bare.detail.updatedAt], ['', '']);
    toEqual([bare.donorIdStart, bare.donorIdEnd, bare.updatedAtStart, bare.updatedAtEnd], [scanned.donorIdStart, scanned.donorIdEnd, scanned.updatedAtStart, scanned.updatedAtEnd]);
  }
  return scanner.scan(bytes, 0, bytes.length) >= 0;
}

const wrongTypes = [null, true, 0, -0, -1, 1.5, 2 ** 53, 1e21, '', ' ', '1', [], {}, { x: 1 }];
const dates = ['2026-06-01', '2026-06-02', '2026-05-31', '2024-02-29', '2023-02-29', '2000-02-29', '1900-02-29', '2100-02-29', '2026-02-30', '2026-04-31', '2026-13-01', '2026-00-10', '2026-01-00', '0000-01-01', '0000-02-29', '0050-06-01', '9999-12-31', '2026-1-01', '2026-06-01T00:00:00Z', ' 2026-06-01', '2026-06-01 ', '２０２６-06-01'];
const stamps = ['2026-05-01T10:00:00Z', '2026-05-01T10:00:00.000Z', '2026-05-01T10:00:00.123456789+02:00', '2026-05-01T23:59:59-23:59', '2026-05-01T10:00Z', '2026-05-01T10:00:00', '2026-05-01t10:00:00z', '2026-05-01T24:00:00Z', '2026-05-01T10:60:00Z', '2026-05-01T10:00:60Z', '2026-05-01T10:00:00+24:00', '2026-05-01T10:00:00+0200', '2026-02-29T10:00:00Z', '2024-02-29T10:00:00Z', '2026-05-01 10:00:00Z', '2026-05-01T10:00:00.Z', '2026-05-01T10:00:00+02:00:00', '2026-05-01T10:00:00.5-00:00'];
const counts = [0, 1, 2, 12, 13, 1000, Number.MAX_SAFE_INTEGER, 999_999_999_999_999, -1, 0.5];
const mostly = <T>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<unknown>) => fc.oneof({ weight: 40, arbitrary: valid }, { weight: 1, arbitrary: any });
const maybe = (values: readonly unknown[]) => fc.constantFrom(undefined, ...values);

const donor = fc.record(
  {
    birthYear: mostly(fc.integer({ min: 1900, max: 2009 }), maybe([1899, 2010, 2009.5, 2009, 1900, ...wrongTypes])),
    sex: mostly(fc.constantFrom('F', 'M', 'U'), maybe(['f', 'X', 'FF', ...wrongTypes])),
    registeredOn: mostly(fc.constantFrom('2007-01-01', '2015-04-01', '2026-06-01', '2026-02-28', '1917-01-01'), maybe(['1916-12-31', '2006-12-31', ...dates, ...wrongTypes])),
    recruitmentChannel: mostly(fc.constantFrom('online', 'drive', 'blood_center', 'other'), maybe(['Online', 'web', 'online ', ...wrongTypes])),
    bloodDonor: mostly(fc.boolean(), maybe(['true', 0, 1, ...wrongTypes])),
    residence: mostly(fc.constantFrom('domestic', 'international'), maybe(['abroad', 'domesti', ...wrongTypes])),
    contactVerifiedOn: mostly(fc.constantFrom(null, '2025-11-01', '2030-01-01'), maybe([...dates, ...wrongTypes])),
    lastResponseOn: mostly(fc.constantFrom(null, '2026-03-15'), maybe([...dates, ...wrongTypes])),
    outreach12m: mostly(
      fc.record({ attempts: mostly(fc.integer({ min: 0, max: 20 }), maybe([...counts, ...wrongTypes])), responses: mostly(fc.integer({ min: 0, max: 20 }), maybe([...counts, ...wrongTypes])) }),
      maybe([null, [], 'x', 3, { attempts: 1, responses: 1, extra: 'dropped' }, { attempts: 1 }]),
    ),
    priorRequests: mostly(
      fc.record({ total: mostly(fc.integer({ min: 0, max: 6 }), maybe([...counts, ...wrongTypes])), available: mostly(fc.integer({ min: 0, max: 6 }), maybe([...counts, ...wrongTypes])) }),
      maybe([null, [], 'x', { total: 2, available: 2, extra: [1, { a: null }] }, { available: 0 }]),
    ),
    temporarilyUnavailableUntil: mostly(fc.constantFrom(null, '2026-09-01', '2026-05-01'), maybe([...dates, ...wrongTypes])),
    lastUnavailableReason: mostly(fc.constantFrom(null, 'medical', 'personal', 'no_contact'), maybe(['busy', 'Medical', ...wrongTypes])),
    // A field holding undefined is left out of the line: a missing field ("is required").
    extra: fc.constantFrom(undefined, 'x', { nested: [1, 2, { deep: true }] }, -1.5e-7),
  },
);

const detail = fc.record(
  {
    donorId: mostly(fc.stringMatching(/^[A-Za-z0-9-]{4,40}$/), maybe(['abc', 'a'.repeat(41), 'D_0001', 'D 0001', 'Dé01', 'D-0001\n', ...wrongTypes])),
    revision: mostly(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), maybe([0, -1, 1.5, 2 ** 53, ...wrongTypes])),
    updatedAt: mostly(fc.constantFrom('2026-05-01T10:00:00Z', '2026-05-01T10:00:00.000Z'), maybe([...stamps, ...wrongTypes])),
    donor: mostly(donor, maybe([null, [], 'donor', 1, {}])),
    nationalId: fc.constantFrom(undefined, '123-45-6789', null, { a: [] }),
  },
);

// Mostly plain ids; escaped ones (control characters, lone surrogates) are declined, read the judged way.
const eventId = fc.oneof({ weight: 8, arbitrary: fc.uuid() }, { weight: 1, arbitrary: fc.string({ unit: 'binary' }) }, { weight: 1, arbitrary: fc.constantFrom(7, null, ['x'], 'ü-é-😀', '\u2028', '\ud800', 'a"b') });
/** A detail as drs score may meet it: bare, in a generator row, in a whole event, in odd wrappers. */
const wrapped = fc.oneof(
  detail,
  fc.record({ requestDate: fc.constant(DATE), detail, truth: fc.constant({ variant: 'baseline', pAvailable: 0.5, available: 1 }) }),
  fc.record({ version: fc.constant('0'), id: eventId, 'detail-type': fc.constant('DonorUpdated'), source: fc.constant('registry'), time: fc.constant('2026-05-01T10:00:00Z'), resources: fc.constant([]), detail }),
  fc.record({ id: eventId, detail: fc.oneof(detail, fc.constantFrom(null, [], 'x', 1)) }, { requiredKeys: ['detail'] }),
  fc.record({ 'detail-type': fc.constant('DonorUpdated'), detail: fc.constantFrom(null, [], 'x', 1) }),
  fc.anything(),
);

// Mutations of a valid line: each makes something JSON.parse or the schema may judge differently.
const NUMBER = /(?<=:)(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
const mutations: ((line: string, at: number, pick: number) => string)[] = [
  (l, at, pick) => l.slice(0, at) + '{}[]":,0123456789-+.eEtrufalsn \t\\/ubé\u2028\ufeffZT'[pick % 45] + l.slice(at),
  (l, at) => l.slice(0, at) + l.slice(at + 1),
  (l, at, pick) => l.slice(0, at) + ' \t\r\n\u00a0'[pick % 5] + l.slice(at),
  // Whitespace around every token.
  (l) => l.replace(/([{}[\],:])/g, ' $1\t'),
  // A number written another way: 1.0, 1e0, 01, -0, +1, 1E+0, 10e-1.
  (l, at, pick) => {
    let n = 0;
    return l.replace(NUMBER, (m) => (n++ === at % 12 ? [`${m}.0`, `${m}e0`, `0${m}`, `-${m}`, `+${m}`, `${m}E+0`, `${m}0e-1`, '-0', '1e2', '1.5'][pick % 10] : m));
  },
  // An escape where plain text was: a key or value character as \uXXXX, or \/.
  (l, at) => {
    const quotes = [...l.matchAll(/"[A-Za-z]/g)];
    if (quotes.length === 0) return l;
    const q = quotes[at % quotes.length].index + 1;
    return `${l.slice(0, q)}\\u${l.charCodeAt(q).toString(16).padStart(4, '0')}${l.slice(q + 1)}`;
  },
  // A field written twice (JSON.parse keeps the last).
  (l, at) => {
    const fields = [...l.matchAll(/"(\w+)":("[^"]*"|-?\d+|true|false|null)/g)];
    if (fields.length === 0) return l;
    const f = fields[at % fields.length];
    const twice = ['"x"', '0', 'null', '"2026-01-01"', 'true', '2', '"F"'][at % 7];
    return `${l.slice(0, f.index + f[0].length)},"${f[1]}":${twice}${l.slice(f.index + f[0].length)}`;
  },
  // A field dropped.
  (l, at) => {
    const fields = [...l.matchAll(/,?"(\w+)":("[^"]*"|-?\d+|true|false|null)/g)];
    if (fields.length === 0) return l;
    const f = fields[at % fields.length];
    return l.slice(0, f.index) + l.slice(f.index + f[0].length);
  },
  // A value replaced by another type.
  (l, at, pick) => {
    const fields = [...l.matchAll(/"(\w+)":("[^"]*"|-?\d+|true|false|null)/g)];
    if (fields.length === 0) return l;
    const f = fields[at % fields.length];
    const other = ['null', '"1"', '1', 'true', '[]', '{}', '""', '1.5', '"null"', '[1]'][pick % 10];
    const v = f.index + f[0].length - f[2].length;
    return l.slice(0, v) + other + l.slice(f.index + f[0].length);
  },
  // Trailing text after the object; a BOM before it.
  (l, _at, pick) => l + [' ', '\t', ',', '}', ' x', '{}', '\u0000'][pick % 7],
  (l) => `\ufeff${l}`,
];

describe('DonorUpdatedScanner against JSON.parse + unwrapDetail + the schema', () => {
  it('reads every generated row (each generator variant) exactly as the schema does, and declines none of them', () => {
    let n = 0;
    for (const variant of GENERATOR_VARIANTS) {
      let k = 0;
      for (const row of generateRegistry({ seed: 21, asOf: DATE, baseRate: 0.55, variant })) {
        const line = JSON.stringify(row);
        expect(agrees(line)).toBe(true);
        // The same row as a bare detail and inside a whole event.
        expect(agrees(JSON.stringify(row.detail))).toBe(true);
        expect(agrees(JSON.stringify({ version: '0', id: `e-${k}`, 'detail-type': 'DonorUpdated', source: 'registry', detail: row.detail }))).toBe(true);
        n += 1;
        if (++k === 400) break;
      }
    }
    expect(n).toBe(1600);
  });

  it('rows dated after the scoring date, or too young for it, are declined (the schema rejects them)', () => {
    let declined = 0;
    for (const row of generateRegistry({ seed: 3, asOf: '2026-09-01', baseRate: 0.55 })) {
      const line = JSON.stringify(row);
      if (!agrees(line)) declined += 1;
      if (judged(line) === null) expect(scanner.scan(Buffer.from(line), 0, line.length)).toBe(-1);
      if (declined > 20) break;
    }
    expect(declined).toBeGreaterThan(20);
  });

  it('agrees on generated, wrapped, boundary and hostile details', () => {
    let read = 0;
    let valid = 0;
    fc.assert(
      fc.property(wrapped, (value) => {
        const line = JSON.stringify(value);
        if (line === undefined) return;
        if (agrees(line)) read += 1;
        if (judged(line)) valid += 1;
      }),
      { numRuns: 6000 },
    );
    // The generator reaches valid rows, and the scanner reads most of them itself.
    expect(valid).toBeGreaterThan(400);
    expect(read).toBeGreaterThan(valid * 0.6);
  });

  it('agrees on every boundary value of every field of an otherwise valid detail, bare and wrapped', () => {
    const base = { donorId: 'D-0001', revision: 3, updatedAt: '2026-05-01T10:00:00Z', donor: { birthYear: 1990, sex: 'F', registeredOn: '2015-04-01', recruitmentChannel: 'online', bloodDonor: true, residence: 'domestic', contactVerifiedOn: '2025-11-01', lastResponseOn: null, outreach12m: { attempts: 2, responses: 1 }, priorRequests: { total: 1, available: 1 }, temporarilyUnavailableUntil: null, lastUnavailableReason: null } };
    const perField: Record<string, readonly unknown[]> = {
      donorId: ['D-0001', 'abcd', 'abc', 'a'.repeat(40), 'a'.repeat(41), 'D_0001', 'D.001', 'D/001', 'D:001', 'D@001', 'D[001', 'D`001', 'D{001', ...wrongTypes],
      revision: [1, 2, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 0, 2 ** 53, 2 ** 53 + 2, 1e15, 1e16, 1.5, ...wrongTypes],
      updatedAt: [...stamps, ...wrongTypes],
      'donor.birthYear': [1899, 1900, 1901, 2008, 2009, 2010, 20090, ...wrongTypes],
      'donor.sex': ['F', 'M', 'U', 'f', 'm', 'u', 'G', 'FM', ...wrongTypes],
      'donor.registeredOn': ['1917-01-01', '1916-12-31', '2007-01-01', '2006-12-31', '2026-06-01', '2026-06-02', ...dates, ...wrongTypes],
      'donor.recruitmentChannel': ['online', 'drive', 'blood_center', 'other', 'onlinE', 'driv', 'drivee', 'web', ...wrongTypes],
      'donor.bloodDonor': [true, false, 'true', 'false', ...wrongTypes],
      'donor.residence': ['domestic', 'international', 'Domestic', 'internationa', 'abroad', ...wrongTypes],
      'donor.contactVerifiedOn': [...dates, ...wrongTypes],
      'donor.lastResponseOn': [...dates, ...wrongTypes],
      'donor.temporarilyUnavailableUntil': [...dates, ...wrongTypes],
      'donor.lastUnavailableReason': [null, 'medical', 'personal', 'no_contact', 'no-contact', 'medicaL', 'busy', 'null', ...wrongTypes],
      'donor.outreach12m': [{ attempts: 1, responses: 2 }, { attempts: 2, responses: 2 }, { attempts: 1 }, { responses: 0 }, { attempts: 3, responses: 1, other: [null] }, ...wrongTypes],
      'donor.outreach12m.attempts': [...counts, ...wrongTypes],
      'donor.outreach12m.responses': [...counts, ...wrongTypes],
      'donor.priorRequests': [{ total: 1, available: 2 }, { total: 0, available: 0 }, { total: 1 }, { available: 1 }, ...wrongTypes],
      'donor.priorRequests.total': [...counts, ...wrongTypes],
      'donor.priorRequests.available': [...counts, ...wrongTypes],
    };
    let cases = 0;
    let read = 0;
    for (const [path, values] of Object.entries(perField)) {
      for (const value of [...values, undefined]) {
        const input = structuredClone(base) as Record<string, any>;
        const keys = path.split('.');
        const parent = keys.slice(0, -1).reduce((o, k) => o[k], input);
        if (value === undefined) delete parent[keys[keys.length - 1]];
        else parent[keys[keys.length - 1]] = value;
        for (const line of [JSON.stringify(input), JSON.stringify({ id: 'e', detail: input }), JSON.stringify({ requestDate: DATE, detail: input, truth: {} })]) {
          if (agrees(line)) read += 1;
          cases += 1;
        }
      }
    }
    expect(cases).toBeGreaterThan(1200);
    expect(read).toBeGreaterThan(150);
  });

  it('agrees on valid lines mutated: characters, whitespace, numbers, escapes, duplicate and missing fields', () => {
    const lines: string[] = [];
    for (const row of generateRegistry({ seed: 9, asOf: DATE, baseRate: 0.55 })) {
      lines.push(JSON.stringify(row), JSON.stringify(row.detail), JSON.stringify({ id: 'ev-1', source: 's', detail: row.detail }));
      if (lines.length >= 300) break;
    }
    let read = 0;
    let stillValid = 0;
    fc.assert(
      fc.property(fc.constantFrom(...lines), fc.array(fc.tuple(fc.nat(mutations.length - 1), fc.nat(2000), fc.nat(1000)), { minLength: 1, maxLength: 3 }), (line, steps) => {
        let mutated = line;
        for (const [m, at, pick] of steps) mutated = mutations[m](mutated, at % (mutated.length + 1), pick);
        if (agrees(mutated)) read += 1;
        if (judged(mutated)) stillValid += 1;
      }),
      { numRuns: 15000 },
    );
    // Many mutants stay valid (whitespace, numbers, dropped extras) and the scanner reads a share of those itself.
    expect(stillValid).toBeGreaterThan(1500);
    expect(read).toBeGreaterThan(500);
  });

  it('agrees on arbitrary JSON text and on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ unit: 'binary' }), fc.string({ unit: fc.constantFrom(...'{}[]":, \t0123456789-.eEtruefalsn\\') })), (line) => {
        agrees(line);
      }),
      { numRuns: 5000 },
    );
  });

  it('declines a line it is not sure of, whatever the schema says: escapes, 1.0, a BOM, a repeated field, deep nesting', () => {
    const base = { donorId: 'D-0001', revision: 3, updatedAt: '2026-05-01T10:00:00Z', donor: { birthYear: 1990, sex: 'F', registeredOn: '2015-04-01', recruitmentChannel: 'online', bloodDonor: true, residence: 'domestic', contactVerifiedOn: '2025-11-01', lastResponseOn: null, outreach12m: { attempts: 2, responses: 1 }, priorRequests: { total: 1, available: 1 }, temporarilyUnavailableUntil: null, lastUnavailableReason: null } };
    const line = JSON.stringify(base);
    expect(agrees(line)).toBe(true);
    let deep = '0';
    for (let i = 0; i < 40; i++) deep = `[${deep}]`;
    for (const variant of [
      line.replace('"donorId"', '"donor\\u0049d"'),
      line.replace('"revision":3', '"revision":3.0'),
      line.replace('"revision":3', '"revision":3e0'),
      `\ufeff${line}`,
      line.replace('"revision":3', '"revision":2,"revision":3'),
      line.replace('{', `{"deep":${deep},`),
    ]) {
      // Each is valid to the schema, read the judged way.
      expect(judged(variant)).not.toBeNull();
      expect(agrees(variant)).toBe(false);
    }
    // Whitespace anywhere JSON allows it is read.
    expect(agrees(` { "donorId" : "D-0001" ,\t"revision":3 , "updatedAt":"2026-05-01T10:00:00Z","donor":${JSON.stringify(base.donor, null, 1).replace(/\n/g, ' ')} } \t`)).toBe(true);
    // A text must end where a line ends.
    expect(scanner.scan(Buffer.from(`${line}x`), 0, line.length)).toBe(-1);
    expect(scanner.scan(Buffer.from(`${line}\r`), 0, line.length)).toBe(line.length);
  });

  it('reads dates and timestamps as zod does, on every month and day of leap and common years', () => {
    const date = z.iso.date();
    const stamp = z.iso.datetime({ offset: true });
    let checked = 0;
    for (const year of ['0000', '0004', '1900', '1996', '2000', '2023', '2024', '2100', '2400', '9999', '0100', '0400']) {
      for (let m = 0; m <= 13; m++) {
        for (let d = 0; d <= 32; d++) {
          const text = `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          expect(isIsoDate(text)).toBe(date.safeParse(text).success);
          const at = `${text}T12:34:56Z`;
          expect(isIsoDateTime(at)).toBe(stamp.safeParse(at).success);
          checked += 1;
        }
      }
    }
    expect(checked).toBe(12 * 14 * 33);
    fc.assert(
      fc.property(fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d{0,4})?([Zz]|[+-]\d\d:?\d\d)?$/), (text) => {
        expect(isIsoDateTime(text)).toBe(stamp.safeParse(text).success);
      }),
      { numRuns: 5000 },
    );
    for (const text of [...stamps, ...dates]) expect(isIsoDateTime(text)).toBe(stamp.safeParse(text).success);
  });
});
