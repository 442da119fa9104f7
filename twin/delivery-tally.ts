// What a local run needs to know of its deliveries, counted as they happen instead of keeping a
// record per event: fates, bands, rejection reasons, retries, which queues kept failed events, and
// a bounded sample of handler latencies. Undelivered events are kept by id (each is a failure the
// summary must name), up to a cap.
import { lineProblemOf, type BusEvent } from './donor-update-stream';
import { LatencySample } from './latency-sample';
import type { DeliveryRecord, EventFate } from './local-delivery';

export const UNDELIVERED_NAMED = 1000;

export class DeliveryTally {
  in = 0;
  readonly fates: Record<EventFate, number> = { scored: 0, stale: 0, rejected: 0, 'dead-lettered': 0, unmatched: 0, undelivered: 0 };
  readonly bands: Record<string, number> = { high: 0, medium: 0, low: 0 };
  readonly byReason: Record<string, number> = {};
  retriedInvocations = 0;
  eventsRecovered = 0;
  /** Events kept in each queue (by logical id) after their invocations failed. */
  readonly keptIn: Record<string, number> = {};
  /** The first UNDELIVERED_NAMED undelivered events, with the reason; `fates.undelivered` counts them all. */
  readonly undelivered: { eventId: string; reason: string }[] = [];
  readonly latencies = new LatencySample();

  add(record: DeliveryRecord, event: BusEvent): void {
    this.in++;
    this.fates[record.fate]++;
    if (record.fate === 'scored' && record.band) this.bands[record.band] = (this.bands[record.band] ?? 0) + 1;
    if (record.fate === 'rejected') {
      // A file line that was blank, not JSON or not an object is named as drs score names it.
      const reason = lineProblemOf(event) ?? record.reason ?? 'unknown';
      this.byReason[reason] = (this.byReason[reason] ?? 0) + 1;
    }
    if (record.fate === 'undelivered' && this.undelivered.length < UNDELIVERED_NAMED) this.undelivered.push({ eventId: record.eventId, reason: record.reason ?? 'unknown' });
    this.retriedInvocations += Math.max(0, record.invocations - 1);
    if (record.invocations > 1 && record.fate !== 'dead-lettered') this.eventsRecovered++;
    for (const queue of record.keptIn ?? []) this.keptIn[queue] = (this.keptIn[queue] ?? 0) + 1;
    for (const ms of record.latenciesMs) this.latencies.add(ms);
  }
}
