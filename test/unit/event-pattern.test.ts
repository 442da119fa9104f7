import { compileEventPattern, UnsupportedPatternError } from '../../twin/event-pattern';

const event = {
  source: 'registry.donors',
  'detail-type': 'DonorUpdated',
  detail: { donorId: 'D-1', revision: 3, donor: { sex: 'F', tags: ['a', 'b'] } },
};

describe('compileEventPattern', () => {
  it("matches the rule's own pattern: exact source and detail-type", () => {
    const matches = compileEventPattern({ source: ['registry.donors'], 'detail-type': ['DonorUpdated'] });
    expect(matches(event)).toBe(true);
    expect(matches({ ...event, source: 'other' })).toBe(false);
    expect(matches({ ...event, 'detail-type': 'DonorDeleted' })).toBe(false);
    expect(matches({ source: 'registry.donors' })).toBe(false);
    expect(matches('not an event')).toBe(false);
  });

  it('matches any of several values and nested fields', () => {
    expect(compileEventPattern({ source: ['x', 'registry.donors'], detail: { donor: { sex: ['M', 'F'] } } })(event)).toBe(true);
    expect(compileEventPattern({ detail: { donor: { sex: ['M'] } } })(event)).toBe(false);
  });

  it('matches an array in the event when any element matches', () => {
    expect(compileEventPattern({ detail: { donor: { tags: ['b'] } } })(event)).toBe(true);
    expect(compileEventPattern({ detail: { donor: { tags: ['c'] } } })(event)).toBe(false);
  });

  it.each([
    [{ source: [{ prefix: 'registry.' }] }, true],
    [{ source: [{ prefix: 'org.' }] }, false],
    [{ source: [{ suffix: '.donors' }] }, true],
    [{ 'detail-type': [{ 'equals-ignore-case': 'donorupdated' }] }, true],
    [{ source: [{ 'anything-but': ['other'] }] }, true],
    [{ source: [{ 'anything-but': 'registry.donors' }] }, false],
    [{ source: [{ 'anything-but': { prefix: 'registry' } }] }, false],
    [{ detail: { revision: [{ numeric: ['>', 1, '<=', 3] }] } }, true],
    [{ detail: { revision: [{ numeric: ['<', 3] }] } }, false],
    [{ detail: { donorId: [{ exists: true }] } }, true],
    [{ detail: { missing: [{ exists: false }] } }, true],
    [{ detail: { donorId: [{ exists: false }] } }, false],
  ])('supports %j (expect %s)', (pattern, expected) => {
    expect(compileEventPattern(pattern)(event)).toBe(expected);
  });

  it.each([
    [{ source: [{ wildcard: 'registry.*' }] }, 'event pattern operator "wildcard" is not supported'],
    [{ source: [{ cidr: '10.0.0.0/24' }] }, 'event pattern operator "cidr" is not supported'],
    [{ $or: [{ source: ['a'] }] }, 'event pattern operator "$or" is not supported'],
    [{ source: 'registry.donors' }, 'pattern values must be lists'],
    [{ detail: { revision: [{ numeric: ['!=', 1] }] } }, 'numeric operator "!=" is not supported'],
  ])('refuses %j with a clear error', (pattern, message) => {
    expect(() => compileEventPattern(pattern as any)).toThrow(UnsupportedPatternError);
    expect(() => compileEventPattern(pattern as any)).toThrow(message);
  });
});
