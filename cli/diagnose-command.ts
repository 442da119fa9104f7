// `drs diagnose`: failure timestamps from a log (a file, the twin's function log, or the
// functions' log group in AWS), laid beside overlay series, with bursts, a period, co-occurrence
// and a verdict; optionally a timeline SVG and HTML page.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { formatMinutes } from '../lambdas/core/failure-pattern';
import { diagnose, type DiagnoseReport } from './failure-diagnosis';
import { readFailureLog, type FailureLog } from './failure-log';
import { parseDuration } from './log-timestamp';
import { readOverlay, type OverlaySeries } from './overlay-series';
import { awsLogSource } from './diagnose-aws';
import { fail, progressBar } from './terminal';
import { timelineHtml, timelineSvg } from './timeline-plot';

export interface DiagnoseCommandOptions {
  stage?: string;
  twin?: string | boolean;
  logFile?: string;
  since?: string;
  overlay?: string[];
  match?: string;
  year?: number;
  window?: string;
  out?: string;
  json: boolean;
}

interface LogSource {
  describe: string;
  read(options: { match?: RegExp; year?: number; sinceMs?: number }): Promise<{ log: FailureLog; from?: number; sampled: boolean; overlays?: OverlaySeries[]; context?: string[] }>;
}

function fileSource(file: string, describe: string): LogSource {
  return {
    describe,
    async read({ match, year, sinceMs }) {
      const progress = progressBar(`reading ${describe}`, undefined);
      let log: FailureLog;
      try {
        log = await readFailureLog(file === '-' ? process.stdin : file, { match, year, onProgress: (n) => progress.tick(n) });
      } catch (error) {
        progress.stop();
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(code === 'ENOENT' ? `no log file ${file}${describe.includes('twin') ? ': run the twin first (npm start)' : ''}` : `cannot read ${file}: ${(error as Error).message}`);
      }
      progress.stop();
      // A file's --since counts back from its last line, not from now: old logs stay readable.
      return { log, from: sinceMs !== undefined && log.lastTime !== null ? log.lastTime - sinceMs : undefined, sampled: false };
    },
  };
}

export function formatDiagnoseReport(r: DiagnoseReport, files: string[]): string {
  const lines = [`drs diagnose ${r.source}: ${r.linesRead.toLocaleString('en-US')} lines, ${r.failures.toLocaleString('en-US')} failures${r.undatable ? `, ${r.undatable} undatable` : ''}`];
  if (r.span) lines.push(`  span            ${r.span.start} .. ${r.span.end} (bins of ${formatMinutes(r.binMinutes!)})`);
  lines.push(`  period          ${r.period ? `${formatMinutes(r.period.minutes)}, confidence ${r.period.confidence}` : 'none supported'}`);
  lines.push(`  bursts          ${r.burstsTotal}`);
  for (const b of [...r.bursts].sort((a, b) => b.failures - a.failures).slice(0, 5)) {
    lines.push(`    ${b.start}  ${String(b.failures).padStart(6)} failures over ${formatMinutes(Math.max(b.minutes, 1 / 60))}  ${b.classes.map((c) => `${c.name} ${c.count}`).join(', ')}${b.messages[0] ? `  "${b.messages[0].name}"` : ''}`);
  }
  for (const [label, o] of Object.entries(r.overlays)) {
    lines.push(`  overlay ${label}: ${o.cooccurring ? 'CO-OCCURS' : 'does not co-occur'} (${o.failuresNear} failures within ${formatMinutes(o.windowMinutes)} of ${o.events} events, chance gives ${o.expectedNear}; chance probability ${o.chanceProbability})`);
  }
  if (r.context?.length) lines.push(...r.context.map((c) => `  read            ${c}`));
  lines.push('', r.verdict);
  if (files.length) lines.push('', `Timeline: ${files.join(', ')}`);
  return lines.join('\n');
}

export async function runDiagnose(options: DiagnoseCommandOptions): Promise<DiagnoseReport> {
  const sources = [options.stage !== undefined, Boolean(options.twin), options.logFile !== undefined].filter(Boolean).length;
  if (sources !== 1) fail('say which log to read: --log-file FILE (any log; - for standard input), --twin [work dir] (the local twin\'s function log) or --stage S (AWS)');
  let match: RegExp | undefined;
  if (options.match !== undefined) {
    try {
      match = new RegExp(options.match);
    } catch (error) {
      fail(`--match "${options.match}" is not a regular expression: ${(error as Error).message}`);
    }
  }
  let sinceMs: number | undefined;
  if (options.since !== undefined) {
    sinceMs = parseDuration(options.since) ?? fail(`--since "${options.since}" is not a duration: give e.g. 90m, 24h, 7d`);
  }
  let windowMs: number | undefined;
  if (options.window !== undefined) {
    windowMs = parseDuration(options.window) ?? fail(`--window "${options.window}" is not a duration: give e.g. 30s, 5m`);
  }
  let overlays: OverlaySeries[] = [];
  try {
    overlays = (options.overlay ?? []).flatMap((file) => readOverlay(file, { year: options.year }));
  } catch (error) {
    fail((error as Error).message);
  }

  let source: LogSource;
  if (options.logFile !== undefined) source = fileSource(options.logFile, options.logFile === '-' ? 'standard input' : options.logFile);
  else if (options.twin) {
    const workDir = typeof options.twin === 'string' ? options.twin : '.drs';
    source = fileSource(join(workDir, 'score-donor.log'), `the twin's function log (${join(workDir, 'score-donor.log')})`);
  } else {
    source = awsLogSource(options.stage!);
  }

  let read: Awaited<ReturnType<LogSource['read']>>;
  try {
    read = await source.read({ match, year: options.year, sinceMs });
  } catch (error) {
    fail((error as Error).message, 1);
  }
  const diagnosis = diagnose(read.log, { source: source.describe, overlays: [...overlays, ...(read.overlays ?? [])], from: read.from, windowMs, sampled: read.sampled, context: read.context });
  const files: string[] = [];
  if (options.out) {
    const dir = resolve(options.out);
    mkdirSync(dir, { recursive: true });
    const svg = timelineSvg(diagnosis);
    writeFileSync(join(dir, 'failure-timeline.svg'), svg);
    writeFileSync(join(dir, 'failure-timeline.html'), timelineHtml(diagnosis, svg));
    files.push(join(options.out, 'failure-timeline.svg'), join(options.out, 'failure-timeline.html'));
  }
  const report = diagnosis.report;
  process.stdout.write(`${options.json ? JSON.stringify(files.length ? { ...report, files } : report) : formatDiagnoseReport(report, files)}\n`);
  return report;
}
