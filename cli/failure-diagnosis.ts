// `drs diagnose` as a function: failures read from a log (and overlay series) in, a report out:
// bursts, a period when the data support one, co-occurrence with each overlay, the dominant
// failure classes and messages, and a verdict in plain words. The statistics are in
// lambdas/core/failure-pattern.ts; this file lays them out for people and machines.
import {
  binFailures,
  chooseBinMs,
  cooccurrence,
  findBursts,
  findPeriod,
  formatChance,
  formatMinutes,
  MINUTE_MS,
  round,
  type BinnedSeries,
  type PeriodTest,
} from '../lambdas/core/failure-pattern';
import type { FailureLog } from './failure-log';
import type { OverlaySeries } from './overlay-series';

export interface Tally {
  name: string;
  count: number;
}

export interface BurstReport {
  start: string;
  end: string;
  minutes: number;
  failures: number;
  peakPerMinute: number;
  classes: Tally[];
  messages: Tally[];
}

export interface OverlayReport {
  events: number;
  cooccurring: boolean;
  chanceProbability: number;
  /** The same number, under the name statisticians use. */
  pValue: number;
  failuresNear: number;
  expectedNear: number;
  eventsWithFailures: number;
  windowMinutes: number;
}

export interface DiagnoseReport {
  source: string;
  linesRead: number;
  failures: number;
  undatable: number;
  span: { start: string; end: string; minutes: number } | null;
  binMinutes: number | null;
  period: { minutes: number; confidence: number } | null;
  periodicity: { reason: string; chance: number | null; surrogates: number; surrogatesAsStrong: number; cycles?: number; phase?: string };
  bursts: BurstReport[];
  burstsTotal: number;
  overlays: Record<string, OverlayReport>;
  classes: Tally[];
  messages: Tally[];
  timestampForms: string[];
  assumedYear: number | null;
  /** True when the failures are a sample of the source (Logs Insights' row limit). */
  sampled: boolean;
  /** What else was read beside the failures (in AWS: the queries, alarms, metrics), in plain words. */
  context?: string[];
  verdict: string;
}

/** What the plot needs beyond the report: the sorted times and the binned series. */
export interface Diagnosis {
  report: DiagnoseReport;
  sortedTimes: Float64Array;
  series: BinnedSeries | null;
  overlays: OverlaySeries[];
  spanMs: { start: number; end: number } | null;
  phaseMs: number | null;
}

export interface DiagnoseOptions {
  source: string;
  overlays?: OverlaySeries[];
  /** Only failures at or after this time (ms). */
  from?: number;
  windowMs?: number;
  surrogates?: number;
  sampled?: boolean;
  maxBursts?: number;
  context?: string[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const readable = (ms: number) => iso(ms).replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC');
/** To the second when the failures span less than an hour: "17:49 to 17:49" says nothing. */
const readableWithin = (ms: number, spanMinutes: number) => (spanMinutes < 60 ? iso(ms).replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : readable(ms));

function top(ids: ArrayLike<number>, order: Uint32Array, from: number, to: number, names: string[], n: number): Tally[] {
  const counts = new Map<number, number>();
  for (let i = from; i < to; i++) {
    const id = ids[order[i]];
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([id, count]) => ({ name: names[id], count }));
}

/** Where in the period failures cluster (circular mean of their phases): to draw the period's grid. */
function phaseOf(sorted: Float64Array, periodMs: number): number {
  let x = 0;
  let y = 0;
  for (const t of sorted) {
    const angle = (2 * Math.PI * (t % periodMs)) / periodMs;
    x += Math.cos(angle);
    y += Math.sin(angle);
  }
  const angle = Math.atan2(y, x);
  return (((angle / (2 * Math.PI)) * periodMs) % periodMs + periodMs) % periodMs;
}

export function diagnose(log: FailureLog, options: DiagnoseOptions): Diagnosis {
  const overlays = options.overlays ?? [];
  const order = Uint32Array.from({ length: log.count }, (_, i) => i).sort((a, b) => log.times[a] - log.times[b]);
  let first = 0;
  const spanEnd = log.lastTime;
  const spanStart = log.firstTime === null ? null : Math.max(log.firstTime, options.from ?? Number.NEGATIVE_INFINITY);
  if (options.from !== undefined) while (first < order.length && log.times[order[first]] < options.from) first++;
  const kept = order.subarray(first);
  const sortedTimes = Float64Array.from(kept, (i) => log.times[i]);
  const base = {
    source: options.source,
    linesRead: log.linesRead,
    failures: sortedTimes.length,
    undatable: log.undatable,
    timestampForms: log.timestampForms,
    assumedYear: log.assumedYear,
    sampled: options.sampled ?? false,
    ...(options.context?.length ? { context: options.context } : {}),
    classes: top(log.classIds, kept, 0, kept.length, log.classes, 5),
    messages: top(log.messageIds, kept, 0, kept.length, log.messages, 5),
  };
  if (spanStart === null || spanEnd === null || !sortedTimes.length) {
    const report: DiagnoseReport = {
      ...base,
      span: spanStart !== null && spanEnd !== null ? { start: iso(spanStart), end: iso(spanEnd), minutes: round((spanEnd - spanStart) / MINUTE_MS, 1) } : null,
      binMinutes: null,
      period: null,
      periodicity: { reason: 'no failures to look at', chance: null, surrogates: 0, surrogatesAsStrong: 0 },
      bursts: [],
      burstsTotal: 0,
      overlays: Object.fromEntries(overlays.map((o) => [o.label, { events: o.intervals.length, cooccurring: false, chanceProbability: 1, pValue: 1, failuresNear: 0, expectedNear: 0, eventsWithFailures: 0, windowMinutes: 0 }])),
      verdict: '',
    };
    report.verdict = verdictOf(report);
    return { report, sortedTimes, series: null, overlays, spanMs: null, phaseMs: null };
  }
  const span = { start: spanStart, end: Math.max(spanEnd, spanStart + 1) };
  const series = binFailures(sortedTimes, span.start, span.end);
  const periodTest: PeriodTest = findPeriod(series, { surrogates: options.surrogates });
  const periodMs = periodTest.period ? periodTest.period.minutes * MINUTE_MS : null;
  const phaseMs = periodMs ? phaseOf(sortedTimes, periodMs) : null;
  // Bursts on coarser bins than the period test: a burst is a few minutes of a day, not one bin's worth.
  const bursts = findBursts(sortedTimes, binFailures(sortedTimes, span.start, span.end, chooseBinMs(span.end - span.start, 512)));
  const maxBursts = options.maxBursts ?? 200;
  const burstReports: BurstReport[] = bursts.slice(0, maxBursts).map((b) => ({
    start: iso(b.start),
    end: iso(b.end),
    minutes: round((b.end - b.start) / MINUTE_MS, 1),
    failures: b.failures,
    peakPerMinute: b.peakPerMinute,
    classes: top(log.classIds, kept, b.first, b.last, log.classes, 3),
    messages: top(log.messageIds, kept, b.first, b.last, log.messages, 3),
  }));
  // The window: 5 minutes, narrower on short logs so that it stays a small part of the span.
  const windowMs = options.windowMs ?? Math.max(series.binMs, Math.min(5 * MINUTE_MS, (span.end - span.start) / 50));
  const overlayReports: Record<string, OverlayReport> = {};
  for (const overlay of overlays) {
    const c = cooccurrence(sortedTimes, overlay.intervals, span, windowMs);
    overlayReports[overlay.label] = { ...c, pValue: c.chanceProbability, windowMinutes: round(windowMs / MINUTE_MS, 2) };
  }
  const report: DiagnoseReport = {
    ...base,
    span: { start: iso(span.start), end: iso(span.end), minutes: round((span.end - span.start) / MINUTE_MS, 1) },
    binMinutes: round(series.binMs / MINUTE_MS, 4),
    period: periodTest.period,
    periodicity: {
      reason: periodTest.reason,
      chance: periodTest.chance,
      surrogates: periodTest.surrogates,
      surrogatesAsStrong: periodTest.surrogatesAsStrong,
      ...(periodTest.cycles ? { cycles: periodTest.cycles } : {}),
      ...(phaseMs !== null ? { phase: iso(span.start + ((phaseMs - (span.start % periodMs!) + periodMs!) % periodMs!)) } : {}),
    },
    bursts: burstReports,
    burstsTotal: bursts.length,
    overlays: overlayReports,
    verdict: '',
  };
  report.verdict = verdictOf(report);
  return { report, sortedTimes, series, overlays, spanMs: span, phaseMs };
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
const dominant = (t: Tally[]) => t[0]?.name ?? '';

export function verdictOf(r: DiagnoseReport): string {
  const parts: string[] = [];
  if (!r.failures) {
    parts.push(`No failures found in ${plural(r.linesRead, 'line')}${r.span ? ` (${readable(Date.parse(r.span.start))} to ${readable(Date.parse(r.span.end))})` : ''}.`);
    if (!r.span) parts.push('No line carried a time that could be read.');
  } else {
    parts.push(`${plural(r.failures, 'failure')} from ${readableWithin(Date.parse(r.span!.start), r.span!.minutes)} to ${readableWithin(Date.parse(r.span!.end), r.span!.minutes)} (${formatMinutes(r.span!.minutes)}).`);
    if (r.period) {
      parts.push(`They come in a rhythm: every ${formatMinutes(r.period.minutes)} (confidence ${r.period.confidence}${r.periodicity.phase ? `, e.g. around ${readable(Date.parse(r.periodicity.phase))}` : ''}): look for something scheduled at that interval (a cron job, a batch, a backup, a token refresh).`);
    } else {
      const reason = r.periodicity.reason.startsWith('no period') ? r.periodicity.reason : `no period: ${r.periodicity.reason}`;
      parts.push(`${reason[0].toUpperCase()}${reason.slice(1)}.`);
    }
    if (r.burstsTotal) {
      const largest = [...r.bursts].sort((a, b) => b.failures - a.failures)[0];
      parts.push(
        `${plural(r.burstsTotal, 'burst')}; the largest at ${readable(Date.parse(largest.start))} with ${plural(largest.failures, 'failure')} over ${formatMinutes(Math.max(largest.minutes, 1 / 60))}, mostly ${dominant(largest.classes)}${largest.messages[0] ? ` ("${largest.messages[0].name}")` : ''}.`,
      );
    } else {
      parts.push('No bursts: failures are spread out, not clustered.');
    }
    if (r.classes.length) parts.push(`Most common: ${r.classes.slice(0, 3).map((c) => `${c.name} ${c.count}`).join(', ')}.`);
  }
  for (const [label, o] of Object.entries(r.overlays)) {
    parts.push(
      o.cooccurring
        ? `Failures come with "${label}": ${o.failuresNear} within ${formatMinutes(o.windowMinutes)} of its ${plural(o.events, 'event')} where chance gives ${o.expectedNear} (chance probability ${formatChance(o.chanceProbability)}).`
        : `Not with "${label}": ${o.failuresNear} failures near its ${plural(o.events, 'event')}, chance gives ${o.expectedNear} (chance probability ${formatChance(o.chanceProbability)}).`,
    );
  }
  if (r.undatable) parts.push(`${plural(r.undatable, 'failure line')} had no time that could be read and ${r.undatable === 1 ? 'is' : 'are'} not counted.`);
  if (r.assumedYear !== null) parts.push(`Syslog times carry no year: ${r.assumedYear} was assumed (give --year).`);
  if (r.sampled) parts.push('The failures are a sample (Logs Insights returns at most 10,000 rows a query): counts are lower bounds.');
  return parts.join(' ');
}
