// Reads failures out of a log, one line at a time (the file is never held in memory): the
// functions' JSON lines (Powertools: a `failureClass`, or level ERROR/FATAL; Lambda's platform
// report with a status other than success) or any text log where `--match` says what a failure
// line is. Keeps per failure only its time, class and (normalised) message: 12 bytes, so a million
// failures take 12 MB whatever the lines held.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { jsonTimestamp, timestampReader, type TimestampForm } from './log-timestamp';

export interface FailureLog {
  /** Failure times (ms), classes and messages, in file order (indexes into the name lists). */
  times: Float64Array;
  classIds: Uint16Array;
  messageIds: Uint32Array;
  classes: string[];
  messages: string[];
  count: number;
  linesRead: number;
  /** Failure lines without a time that could be read. */
  undatable: number;
  /** First and last time of any datable line (the span the log covers). */
  firstTime: number | null;
  lastTime: number | null;
  format: { json: number; text: number };
  timestampForms: TimestampForm[];
  assumedYear: number | null;
}

export interface FailureLogOptions {
  /** A failure is a line this matches (any line format); without it, the functions' JSON rules apply. */
  match?: RegExp;
  year?: number;
  now?: Date;
  onProgress?: (lines: number) => void;
}

const MAX_DISTINCT = 2000;
const LEVELS_THAT_FAIL = new Set(['error', 'fatal', 'critical', 'alert', 'emerg', 'emergency']);
const TEXT_FAILURE = /\b(ERROR|FATAL|CRITICAL)\b|Task timed out|Status: (error|timeout)/;

/**
 * Messages are grouped by shape, and anything that could identify a record (a token with a digit,
 * a long capitalised code) is masked: a text log may carry ids a report must not repeat.
 */
export function messageShape(text: string): string {
  return text
    .replace(/\d{4}-\d{2}-\d{2}[T ][\d:.,]+(Z|[+-]\d{2}:?\d{2})?/g, '')
    .replace(/\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}([.,]\d+)?/gi, '')
    .replace(/\[\d{2}\/[A-Za-z]{3}\/\d{4}:[\d:]+(\s+[+-]\d{4})?\]/g, '')
    .replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>')
    .replace(/[A-Za-z0-9_-]*\d[A-Za-z0-9_.-]*/g, '#')
    .replace(/\b[A-Z][A-Z0-9-]{7,}\b/g, '<id>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 160);
}

class Interner {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();
  constructor(private readonly overflow: string) {}
  id(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      if (this.names.length >= MAX_DISTINCT) return this.id(this.overflow);
      id = this.names.length;
      this.names.push(name);
      this.ids.set(name, id);
    }
    return id;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** Whether a function's JSON log line records a failure, and of which class and message. */
export function jsonFailure(record: Record<string, unknown>): { failureClass: string; message: string } | null {
  // Numeric levels are pino's and bunyan's: 50 error, 60 fatal.
  const numeric = typeof record.level === 'number' ? (record.level >= 60 ? 'fatal' : record.level >= 50 ? 'error' : 'info') : undefined;
  const level = (numeric ?? text(record.level) ?? text(record.levelname) ?? text(record.severity) ?? '').toLowerCase();
  const failureClass = text(record.failureClass);
  const report = record.type === 'platform.report' && isObject(record.record) ? record.record : null;
  if (report && typeof report.status === 'string' && report.status !== 'success') {
    return { failureClass: report.status, message: `invocation ${report.status}${typeof report.errorType === 'string' ? `: ${report.errorType}` : ''}` };
  }
  if (!failureClass && !LEVELS_THAT_FAIL.has(level)) return null;
  const detail =
    failureClass === 'rejected' && text(record.field)
      ? `${text(record.field)}: ${text(record.rule) ?? 'invalid'}`
      : (text(record.error) ?? text(record.errorMessage) ?? text(record.message) ?? text(record.msg) ?? '');
  return { failureClass: failureClass ?? level, message: detail };
}

export interface FailureLogBuilder {
  /** Reads one log line (without its line break). */
  line(text: string): void;
  finish(): FailureLog;
}

/** The reader line by line, for sources that are not a stream (Logs Insights' pages). */
export function failureLogBuilder(options: FailureLogOptions = {}): FailureLogBuilder {
  const reader = timestampReader({ year: options.year, now: options.now });
  const classes = new Interner('(other)');
  const messages = new Interner('(other messages)');
  let capacity = 1024;
  let times = new Float64Array(capacity);
  let classIds = new Uint16Array(capacity);
  let messageIds = new Uint32Array(capacity);
  const log: Omit<FailureLog, 'times' | 'classIds' | 'messageIds' | 'classes' | 'messages' | 'timestampForms' | 'assumedYear'> = {
    count: 0,
    linesRead: 0,
    undatable: 0,
    firstTime: null,
    lastTime: null,
    format: { json: 0, text: 0 },
  };
  const push = (time: number, failureClass: string, message: string) => {
    if (log.count === capacity) {
      capacity *= 2;
      const grow = <T extends Float64Array | Uint16Array | Uint32Array>(a: T, make: (n: number) => T): T => {
        const b = make(capacity);
        b.set(a);
        return b;
      };
      times = grow(times, (n) => new Float64Array(n));
      classIds = grow(classIds, (n) => new Uint16Array(n));
      messageIds = grow(messageIds, (n) => new Uint32Array(n));
    }
    times[log.count] = time;
    classIds[log.count] = classes.id(failureClass);
    messageIds[log.count] = messages.id(messageShape(message) || '(no message)');
    log.count++;
  };
  const seen = (time: number | null) => {
    if (time === null) return;
    if (log.firstTime === null || time < log.firstTime) log.firstTime = time;
    if (log.lastTime === null || time > log.lastTime) log.lastTime = time;
  };

  const readLine = (line: string) => {
    log.linesRead++;
    if (options.onProgress && log.linesRead % 50_000 === 0) options.onProgress(log.linesRead);
    if (!line.trim()) return;
    let record: Record<string, unknown> | null = null;
    const brace = line.indexOf('{');
    if (brace >= 0 && brace < 64 && line.trimEnd().endsWith('}')) {
      try {
        const parsed: unknown = JSON.parse(line.slice(brace));
        if (isObject(parsed)) record = parsed;
      } catch {
        record = null;
      }
    }
    if (record) log.format.json++;
    else log.format.text++;
    // A prefix before the JSON (e.g. `aws logs tail` output) may carry the time instead.
    const time = (record && jsonTimestamp(record, reader)) ?? reader.read(brace > 0 && record ? line.slice(0, brace) : line);
    seen(time);

    let failure: { failureClass: string; message: string } | null = null;
    if (options.match) {
      if (options.match.test(line)) {
        const fromJson = record ? jsonFailure(record) : null;
        failure = fromJson ?? { failureClass: 'match', message: record ? (text(record.message) ?? line) : line };
      }
    } else if (record) {
      failure = jsonFailure(record);
    } else if (TEXT_FAILURE.test(line)) {
      failure = { failureClass: 'error', message: line };
    }
    if (!failure) return;
    if (time === null) {
      log.undatable++;
      return;
    }
    push(time, failure.failureClass, failure.message);
  };
  const finish = (): FailureLog => ({
    ...log,
    times: times.subarray(0, log.count),
    classIds: classIds.subarray(0, log.count),
    messageIds: messageIds.subarray(0, log.count),
    classes: classes.names,
    messages: messages.names,
    timestampForms: [...reader.forms],
    assumedYear: reader.assumedYear,
  });
  return { line: readLine, finish };
}

export async function readFailureLog(input: string | Readable, options: FailureLogOptions = {}): Promise<FailureLog> {
  const stream = typeof input === 'string' ? createReadStream(input, { encoding: 'utf8' }) : input;
  const builder = failureLogBuilder(options);
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) builder.line(line);
  return builder.finish();
}
