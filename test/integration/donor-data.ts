// What counts as donor data in a log line or an e-mail: a donorId, a date from a donor record, or
// a donor attribute written as a JSON key with its value. Event ids, field names in rule messages
// ("donor.birthYear must be ...") and the contract's enum words are not donor data.

export interface Leak {
  kind: string;
  value: string;
  excerpt: string;
}

const ATTRIBUTE_KEYS = [
  'birthYear', 'sex', 'registeredOn', 'recruitmentChannel', 'bloodDonor', 'residence', 'contactVerifiedOn', 'lastResponseOn',
  'outreach12m', 'priorRequests', 'temporarilyUnavailableUntil', 'lastUnavailableReason', 'donorId', 'donor',
];
const DATE = /^\d{4}-\d{2}-\d{2}/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Dates near today also appear in every timestamp: they identify nobody. */
function nearToday(value: string): boolean {
  const t = Date.parse(value.slice(0, 10));
  return Number.isFinite(t) && Math.abs(t - Date.now()) < 2 * 86_400_000;
}

export function donorValues(events: unknown[]): Set<string> {
  const values = new Set<string>();
  const collect = (value: unknown) => {
    if (typeof value === 'string' && DATE.test(value) && !nearToday(value)) values.add(value);
    else if (isObject(value)) Object.values(value).forEach(collect);
  };
  for (const event of events) {
    // A read API request (API Gateway proxy event): the donor ids it asked for.
    if (isObject(event) && isObject(event.requestContext) && typeof event.body === 'string') {
      try {
        const body = JSON.parse(event.body) as { donorIds?: unknown };
        if (Array.isArray(body.donorIds)) for (const id of body.donorIds) if (typeof id === 'string' && id.length >= 4) values.add(id);
      } catch {
        // not JSON: no ids to look for
      }
      continue;
    }
    const detail = isObject(event) && 'detail' in event ? event.detail : event;
    if (!isObject(detail)) continue;
    if (typeof detail.donorId === 'string' && detail.donorId.length >= 4) values.add(detail.donorId);
    collect(detail.donor);
  }
  return values;
}

export function findDonorData(events: unknown[], texts: { kind: string; text: string }[]): Leak[] {
  const values = donorValues(events);
  const keyPattern = new RegExp(`"(${ATTRIBUTE_KEYS.join('|')})"\\s*:`);
  const leaks: Leak[] = [];
  for (const { kind, text } of texts) {
    const key = keyPattern.exec(text);
    if (key) leaks.push({ kind, value: `key ${key[1]}`, excerpt: text.slice(Math.max(0, key.index - 60), key.index + 60) });
    for (const value of values) {
      const at = text.indexOf(value);
      if (at >= 0) leaks.push({ kind, value, excerpt: text.slice(Math.max(0, at - 60), at + value.length + 60) });
    }
  }
  return leaks;
}
