// Realistic DonorUpdated traffic for the local run: new donors and later revisions of the same
// donors, with a few duplicate deliveries, out-of-order revisions and malformed events, all from a
// seed. Or events replayed from a JSON Lines file, in the given order.
import { readFileSync } from 'node:fs';
import { dayToIsoDate, isoDateToDay } from '../lambdas/core/calendar';
import type { DonorUpdatedDetail } from '../lambdas/core/donor-updated';
import { parseJsonLine } from '../lambdas/core/json-line';
import { Random } from '../model/random';
import { generateRegistry } from '../model/synthetic-registry';

export interface BusEvent {
  version: string;
  id: string;
  source: string;
  'detail-type': string;
  account: string;
  time: string;
  region: string;
  resources: unknown[];
  detail: unknown;
  [key: string]: unknown;
}

export interface EventSourceIdentity {
  source: string;
  detailType: string;
  account: string;
  region: string;
}

export interface GeneratedTraffic {
  events: BusEvent[];
  /** How the generator shaped the traffic, for the summary. */
  shape: { donors: number; updates: number; duplicates: number; outOfOrder: number; malformed: number };
}

const eventId = (rng: Random) => `${rng.token(8)}-${rng.token(4)}-${rng.token(4)}-${rng.token(4)}-${rng.token(12)}`;

function envelope(detail: unknown, id: string, identity: EventSourceIdentity, time: string): BusEvent {
  return { version: '0', id, source: identity.source, 'detail-type': identity.detailType, account: identity.account, time, region: identity.region, resources: [], detail };
}

/** Breaks one contract rule, the way a faulty publisher would. */
const MALFORMATIONS: ((d: any, rng: Random) => void)[] = [
  (d) => delete d.donor.sex,
  (d) => (d.donor.birthYear = 2030),
  (d) => (d.revision = 0),
  (d) => (d.donor.outreach12m.responses = d.donor.outreach12m.attempts + 1),
  (d) => (d.donor.registeredOn = '2099-01-01'),
  (d) => (d.donorId = 'Jane Doe'),
  (d) => (d.donor.recruitmentChannel = 'billboard'),
  (d) => (d.donor.contactVerifiedOn = '2026-02-30'),
  (d, rng) => (d.donor.bloodDonor = rng.bernoulli(0.5) ? 'yes' : 1),
];

/** A later revision: the registry confirmed contact details or recorded a response. */
function nextRevision(detail: DonorUpdatedDetail, rng: Random, asOfDay: number): DonorUpdatedDetail {
  const next = structuredClone(detail);
  next.revision += 1;
  const day = Math.min(asOfDay, Math.max(isoDateToDay(next.donor.registeredOn), asOfDay - rng.int(0, 60)));
  if (rng.bernoulli(0.5)) next.donor.contactVerifiedOn = dayToIsoDate(day);
  const attempts = Math.min(12, next.donor.outreach12m.attempts + 1);
  const answered = rng.bernoulli(0.5);
  next.donor.outreach12m = { attempts, responses: Math.min(attempts, next.donor.outreach12m.responses + (answered ? 1 : 0)) };
  if (answered) next.donor.lastResponseOn = dayToIsoDate(day);
  next.updatedAt = new Date(day * 86_400_000 + rng.int(0, 86_399) * 1000).toISOString();
  return next;
}

export interface TrafficOptions {
  events: number;
  seed: number;
  asOf: string;
  badFraction: number;
  duplicateFraction?: number;
  outOfOrderFraction?: number;
  identity: EventSourceIdentity;
}

export function generateTraffic(options: TrafficOptions): GeneratedTraffic {
  const rng = new Random(options.seed ^ 0x7a1c);
  const asOfDay = isoDateToDay(options.asOf);
  const duplicateFraction = options.duplicateFraction ?? 0.03;
  const outOfOrderFraction = options.outOfOrderFraction ?? 0.03;
  const donors = generateRegistry({ seed: options.seed, asOf: options.asOf });
  const latest: DonorUpdatedDetail[] = [];
  const events: BusEvent[] = [];
  const shape = { donors: 0, updates: 0, duplicates: 0, outOfOrder: 0, malformed: 0 };
  const time = (detail: unknown) => (typeof (detail as any)?.updatedAt === 'string' ? (detail as any).updatedAt : new Date(asOfDay * 86_400_000).toISOString());

  while (events.length < options.events) {
    const roll = rng.uniform();
    if (events.length > 0 && roll < duplicateFraction) {
      events.push(structuredClone(events[rng.int(Math.max(0, events.length - 50), events.length - 1)]));
      shape.duplicates++;
      continue;
    }
    let detail: DonorUpdatedDetail;
    if (latest.length > 0 && rng.bernoulli(0.35)) {
      const k = rng.int(0, latest.length - 1);
      detail = nextRevision(latest[k], rng, asOfDay);
      latest[k] = detail;
      shape.updates++;
    } else {
      detail = { ...donors.next().value!.detail, revision: 1 };
      latest.push(detail);
      shape.donors++;
    }
    let payload: unknown = detail;
    if (rng.uniform() < options.badFraction) {
      payload = structuredClone(detail);
      MALFORMATIONS[rng.int(0, MALFORMATIONS.length - 1)](payload, rng);
      shape.malformed++;
    }
    events.push(envelope(payload, eventId(rng), options.identity, time(payload)));
  }
  // Out of order: swap a revision with the next event for the same donor that follows it.
  for (let i = 0; i < events.length; i++) {
    if (rng.uniform() >= outOfOrderFraction) continue;
    const id = (events[i].detail as any)?.donorId;
    const j = events.findIndex((e, k) => k > i && (e.detail as any)?.donorId === id && e.id !== events[i].id);
    if (j > 0) {
      [events[i], events[j]] = [events[j], events[i]];
      shape.outOfOrder++;
    }
  }
  return { events, shape };
}

const lineProblems = new WeakMap<BusEvent, string>();

/** The line-level problem of an event read from a file (blank, not JSON, not an object), in `drs score`'s words. */
export function lineProblemOf(event: BusEvent): string | undefined {
  return lineProblems.get(event);
}

/**
 * JSON Lines of whole EventBridge events or bare details, in file order. A bare detail (or a line
 * that is not an object at all) gets an envelope with a fresh id, so nothing in the file is skipped:
 * what cannot be scored is rejected and kept whole. A line that is blank, not JSON or not an object
 * is delivered as it is (the function keeps it) and its problem is named as `drs score` names it.
 */
export function readEventsFile(file: string, identity: EventSourceIdentity, seed = 1): BusEvent[] {
  const rng = new Random(seed ^ 0xf11e);
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => {
    const parsed = parseJsonLine(line);
    if (!parsed.ok) {
      const event = envelope(parsed.value, eventId(rng), identity, new Date().toISOString());
      lineProblems.set(event, `${parsed.error.field}: ${parsed.error.rule}`);
      return event;
    }
    const value = parsed.value;
    const isEvent = 'detail' in value && ('detail-type' in value || 'source' in value);
    if (isEvent) {
      const e = value as Partial<BusEvent>;
      return { version: '0', account: identity.account, region: identity.region, resources: [], time: new Date().toISOString(), ...e, id: typeof e.id === 'string' ? e.id : eventId(rng) } as BusEvent;
    }
    return envelope(value, eventId(rng), identity, new Date().toISOString());
  });
}
