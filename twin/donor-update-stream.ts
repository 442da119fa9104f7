// Realistic DonorUpdated traffic for the local run: new donors and later revisions of the same
// donors, with a few duplicate deliveries, out-of-order revisions and malformed events, all from a
// seed. Or events replayed from a JSON Lines file, in the given order. Both are read lazily, so a
// local run of a million events does not hold a million events.
import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { dayToIsoDate, isoDateToDay } from '../lambdas/core/calendar';
import type { DonorUpdatedDetail } from '../lambdas/core/donor-updated';
import { unwrapDetail } from '../lambdas/core/event-input';
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

/**
 * How far ahead an out-of-order revision may be found: EventBridge reorders deliveries that are
 * close in time, not a revision from hours later. Bounded, so the traffic can be generated lazily.
 */
export const REORDER_WINDOW = 2000;

/**
 * Revisions are drawn for the donors registered most recently, up to this many: a run of any
 * length holds at most this many donors' latest records (runs below ~150,000 events never reach it).
 */
export const REVISION_POOL = 100_000;

export interface TrafficStream {
  /** Generated as they are read: a run of any length holds only the reorder window. */
  events: Iterable<BusEvent>;
  /** Filled in as the events are read; complete once they all have been. */
  shape: GeneratedTraffic['shape'];
}

/**
 * The traffic as a lazy sequence. A duplicate repeats one of the 50 events generated before it;
 * an out-of-order revision swaps places with the next event for the same donor within the next
 * REORDER_WINDOW events. The same options give the same sequence.
 */
export function trafficStream(options: TrafficOptions): TrafficStream {
  const rng = new Random(options.seed ^ 0x7a1c);
  const asOfDay = isoDateToDay(options.asOf);
  const duplicateFraction = options.duplicateFraction ?? 0.03;
  const outOfOrderFraction = options.outOfOrderFraction ?? 0.03;
  const shape = { donors: 0, updates: 0, duplicates: 0, outOfOrder: 0, malformed: 0 };
  const time = (detail: unknown) => (typeof (detail as any)?.updatedAt === 'string' ? (detail as any).updatedAt : new Date(asOfDay * 86_400_000).toISOString());
  const donorOf = (event: BusEvent) => (event.detail as any)?.donorId;

  function* generated(): Generator<BusEvent> {
    const donors = generateRegistry({ seed: options.seed, asOf: options.asOf });
    const latest: DonorUpdatedDetail[] = [];
    const recent: BusEvent[] = [];
    for (let n = 0; n < options.events; n++) {
      let event: BusEvent;
      if (n > 0 && rng.uniform() < duplicateFraction) {
        event = structuredClone(recent[rng.int(0, recent.length - 1)]);
        shape.duplicates++;
      } else {
        let detail: DonorUpdatedDetail;
        if (latest.length > 0 && rng.bernoulli(0.35)) {
          const k = rng.int(0, latest.length - 1);
          detail = nextRevision(latest[k], rng, asOfDay);
          latest[k] = detail;
          shape.updates++;
        } else {
          detail = { ...donors.next().value!.detail, revision: 1 };
          // Once the pool is full, a new donor takes the place of the one registered longest ago.
          if (latest.length < REVISION_POOL) latest.push(detail);
          else latest[shape.donors % REVISION_POOL] = detail;
          shape.donors++;
        }
        let payload: unknown = detail;
        if (rng.uniform() < options.badFraction) {
          payload = structuredClone(detail);
          MALFORMATIONS[rng.int(0, MALFORMATIONS.length - 1)](payload, rng);
          shape.malformed++;
        }
        event = envelope(payload, eventId(rng), options.identity, time(payload));
      }
      recent.push(event);
      if (recent.length > 50) recent.shift();
      yield event;
    }
  }

  function* reordered(): Generator<BusEvent> {
    const source = generated();
    const window: BusEvent[] = [];
    const fill = () => {
      while (window.length < REORDER_WINDOW) {
        const next = source.next();
        if (next.done) return;
        window.push(next.value);
      }
    };
    fill();
    while (window.length) {
      if (rng.uniform() < outOfOrderFraction) {
        const head = window[0];
        const j = window.findIndex((e, k) => k > 0 && donorOf(e) === donorOf(head) && e.id !== head.id);
        if (j > 0) {
          [window[0], window[j]] = [window[j], window[0]];
          shape.outOfOrder++;
        }
      }
      yield window.shift()!;
      fill();
    }
  }

  return { events: { [Symbol.iterator]: reordered }, shape };
}

/** The whole traffic at once (small runs, tests); `trafficStream` for long runs. */
export function generateTraffic(options: TrafficOptions): GeneratedTraffic {
  const stream = trafficStream(options);
  const events = [...stream.events];
  return { events, shape: stream.shape };
}

const lineProblems = new WeakMap<BusEvent, string>();

/** The line-level problem of an event read from a file (blank, not JSON, not an object), in `drs score`'s words. */
export function lineProblemOf(event: BusEvent): string | undefined {
  return lineProblems.get(event);
}

/** The lines of a file, read a megabyte at a time (split as `text.split(/\r?\n/)`, without the empty last one). */
function* fileLines(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  const decoder = new StringDecoder('utf8');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let rest = '';
  try {
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      const lines = (rest + decoder.write(chunk.subarray(0, n))).split(/\r?\n/);
      rest = lines.pop()!;
      yield* lines;
    }
    rest += decoder.end();
    if (rest !== '') yield rest;
  } finally {
    closeSync(fd);
  }
}

/**
 * JSON Lines of whole EventBridge events, generator rows (`drs data`) or bare details, in file
 * order, read as they are delivered. A bare detail (or a line that is not an object at all) gets an envelope with a fresh
 * id, so nothing in the file is skipped: what cannot be scored is rejected and kept whole. A line
 * that is blank, not JSON or not an object is delivered as it is (the function keeps it) and its
 * problem is named as `drs score` names it.
 */
export function* eventsFromFile(file: string, identity: EventSourceIdentity, seed = 1): Generator<BusEvent> {
  const rng = new Random(seed ^ 0xf11e);
  for (const line of fileLines(file)) {
    const parsed = parseJsonLine(line);
    if (!parsed.ok) {
      const event = envelope(parsed.value, eventId(rng), identity, new Date().toISOString());
      lineProblems.set(event, `${parsed.error.field}: ${parsed.error.rule}`);
      yield event;
      continue;
    }
    const value = parsed.value;
    const isEvent = 'detail' in value && ('detail-type' in value || 'source' in value);
    if (isEvent) {
      const e = value as Partial<BusEvent>;
      yield { version: '0', account: identity.account, region: identity.region, resources: [], time: new Date().toISOString(), ...e, id: typeof e.id === 'string' ? e.id : eventId(rng) } as BusEvent;
    } else {
      // A generator row ({detail, truth}, what `drs data` writes) is read as its detail, by the
      // rule drs score and the registry run use (event-input.ts); anything else is a bare detail.
      yield envelope(unwrapDetail(value).detail, eventId(rng), identity, new Date().toISOString());
    }
  }
}

/** The whole file at once (small files, tests); `eventsFromFile` for long runs. */
export function readEventsFile(file: string, identity: EventSourceIdentity, seed = 1): BusEvent[] {
  return [...eventsFromFile(file, identity, seed)];
}
