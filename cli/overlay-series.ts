// Overlay series a person lays beside the failures: another system's incidents, deploys, alarms.
// A CSV (header optional) or JSON Lines of a time, an optional end and an optional label; each
// label is its own series (a file without labels is one series named after the file).
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { OverlayInterval } from '../lambdas/core/failure-pattern';
import { epochToMs, jsonTimestamp, timestampReader } from './log-timestamp';

export interface OverlaySeries {
  label: string;
  intervals: OverlayInterval[];
  /** A measured series (e.g. a CloudWatch metric's sums), drawn as a line: a value per step. */
  values?: { time: number; value: number }[];
  stepMs?: number;
}

const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'start', 'starttime', 'start_time', 'from', 'date', 'at', 'ts', 'begin'];
const END_KEYS = ['end', 'endtime', 'end_time', 'until', 'to', 'stop', 'finish'];
const LABEL_KEYS = ['label', 'name', 'series', 'type', 'event', 'kind', 'source', 'system'];

function splitCsv(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') cells.push(cell.trim()), (cell = '');
    else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

export function parseOverlay(content: string, file: string, options: { year?: number } = {}): OverlaySeries[] {
  const reader = timestampReader({ year: options.year });
  const fallback = basename(file, extname(file));
  const time = (value: unknown): number | null =>
    typeof value === 'number' ? epochToMs(value) : typeof value === 'string' && value.trim() ? (/^\d+(\.\d+)?$/.test(value.trim()) ? epochToMs(Number(value)) : reader.read(value)) : null;
  const bySeries = new Map<string, OverlayInterval[]>();
  const add = (label: string, start: number, end: number | null, where: string) => {
    if (end !== null && end < start) throw new Error(`${where}: the end is before the start`);
    const list = bySeries.get(label) ?? [];
    list.push({ start, end: end ?? start });
    bySeries.set(label, list);
  };
  const lines = content.split(/\r?\n/).map((l, i) => ({ l: l.trim(), n: i + 1 })).filter(({ l }) => l && !l.startsWith('#'));
  if (!lines.length) throw new Error(`${file} holds no overlay events`);
  if (lines[0].l.startsWith('{')) {
    for (const { l, n } of lines) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`${file} line ${n}: not JSON (a JSON Lines overlay needs one object per line)`);
      }
      const lower = Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
      const start = time(TIME_KEYS.map((k) => lower[k]).find((v) => v !== undefined)) ?? jsonTimestamp(record, reader);
      if (start === null) throw new Error(`${file} line ${n}: no time found (give "time" as RFC 3339 or epoch seconds/ms)`);
      const endValue = END_KEYS.map((k) => lower[k]).find((v) => v !== undefined);
      const label = LABEL_KEYS.map((k) => lower[k]).find((v) => typeof v === 'string');
      add(typeof label === 'string' ? label : fallback, start, endValue === undefined || endValue === null ? null : time(endValue), `${file} line ${n}`);
    }
  } else {
    const first = splitCsv(lines[0].l).map((c) => c.toLowerCase());
    const hasHeader = time(splitCsv(lines[0].l)[0]) === null && first.some((c) => TIME_KEYS.includes(c));
    const column = (keys: string[]) => (hasHeader ? first.findIndex((c) => keys.includes(c)) : -1);
    const timeColumn = hasHeader ? column(TIME_KEYS) : 0;
    const endColumn = column(END_KEYS);
    const labelColumn = hasHeader ? column(LABEL_KEYS) : 1;
    for (const { l, n } of hasHeader ? lines.slice(1) : lines) {
      const cells = splitCsv(l);
      const start = time(cells[timeColumn]);
      if (start === null) throw new Error(`${file} line ${n}: "${cells[timeColumn] ?? ''}" is not a time (RFC 3339, syslog with --year, or epoch seconds/ms)`);
      const end = endColumn >= 0 && cells[endColumn] ? time(cells[endColumn]) : null;
      const label = labelColumn >= 0 && cells[labelColumn] ? cells[labelColumn] : fallback;
      add(label, start, end, `${file} line ${n}`);
    }
  }
  return [...bySeries].map(([label, intervals]) => ({ label, intervals: intervals.sort((a, b) => a.start - b.start) }));
}

export function readOverlay(file: string, options: { year?: number } = {}): OverlaySeries[] {
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read overlay ${file}: ${(error as Error).message}`);
  }
  return parseOverlay(content, file, options);
}
