// The integration suite's donor-data guard must itself catch a leak.
import { findDonorData } from '../integration/donor-data';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const event = donorUpdatedEvent(validDetail({ donorId: 'D-GUARD-0001' }), 'evt-guard');

describe('findDonorData', () => {
  it('passes a log line with event ids, field names and rules only', () => {
    const log = '{"level":"WARN","message":"event rejected","eventId":"evt-guard","field":"donor.birthYear","rule":"must be from 1900 to 2009"}';
    expect(findDonorData([event], [{ kind: 'log', text: log }, { kind: 'mail', text: 'Event ids: evt-guard\nFirst error: donor.sex must be one of F, M, U' }])).toEqual([]);
  });

  it('catches a donorId, a donor date and an attribute logged as a JSON key', () => {
    const leaks = findDonorData([event], [
      { kind: 'log', text: '{"message":"scored D-GUARD-0001"}' },
      { kind: 'mail', text: 'registered 2015-04-01' },
      { kind: 'log', text: '{"message":"x","donor":{"birthYear":1990}}' },
    ]);
    expect(leaks.map((l) => l.value)).toEqual(['D-GUARD-0001', '2015-04-01', 'key donor']);
  });
});
