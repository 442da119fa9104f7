// `drs diagnose` as a user runs it (a child process) on synthetic logs whose pattern the test drew:
// the functions' JSON lines and a report server's text log read with --match.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readFailureLog } from '../../cli/failure-log';
import { diagnose } from '../../cli/failure-diagnosis';
import { parseOverlay } from '../../cli/overlay-series';
import { timelineHtml, timelineSvg } from '../../cli/timeline-plot';
import { timestampReader } from '../../cli/log-timestamp';
import { drawPattern, functionJsonLog, HOUR, MINUTE, reportServerLog } from '../fixtures/failure-logs';

const DRS = join(__dirname, '..', '..', 'cli', 'drs.cjs');
const dir = mkdtempSync(join(tmpdir(), 'drs-diagnose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const drs = (...args: string[]) => spawnSync(process.execPath, [DRS, 'diagnose', ...args], { encoding: 'utf8' });
const START = Date.UTC(2026, 10, 24);

describe('drs diagnose --log-file', () => {
  it('finds the period of the functions\' JSON failure lines and the overlay that comes with them, and not the one that does not', () => {
    const pattern = drawPattern({ seed: 21, start: START, hours: 24, periodMinutes: 30, jitterMinutes: 4, windowMinutes: 2, windowRate: 4, noisePerHour: 8, okPerHour: 400 });
    const log = join(dir, 'score-donor.log');
    writeFileSync(log, functionJsonLog(pattern));
    const batch = join(dir, 'batch.csv');
    writeFileSync(batch, `time,label\n${pattern.windows.map((w) => `${new Date(w - MINUTE).toISOString()},nightly-sync`).join('\n')}\n`);
    const unrelated = join(dir, 'deploys.jsonl');
    writeFileSync(unrelated, [3.3, 7.9, 11.2, 15.6, 19.1, 22.4].map((h) => JSON.stringify({ time: (START + h * HOUR) / 1000, label: 'deploys' })).join('\n'));
    const result = drs('--log-file', log, '--overlay', batch, '--overlay', unrelated, '--json');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.failures).toBe(pattern.failures.length);
    expect(report.undatable).toBe(0);
    expect(Math.abs(report.period.minutes - 30)).toBeLessThanOrEqual(1);
    expect(report.period.confidence).toBeGreaterThan(0.99);
    expect(report.bursts.length).toBeGreaterThan(30);
    expect(report.bursts[0].classes[0]).toEqual({ name: 'failed', count: expect.any(Number) });
    expect(report.overlays['nightly-sync']).toMatchObject({ cooccurring: true });
    expect(report.overlays['nightly-sync'].chanceProbability).toBeLessThan(0.01);
    expect(report.overlays.deploys).toMatchObject({ cooccurring: false, events: 6 });
    expect(report.overlays.deploys.chanceProbability).toBeGreaterThan(0.01);
  });

  it('claims no period on failures at random times', () => {
    const log = join(dir, 'noise.log');
    writeFileSync(log, functionJsonLog(drawPattern({ seed: 22, start: START, hours: 12, noisePerHour: 40, okPerHour: 300 })));
    const report = JSON.parse(drs('--log-file', log, '--json').stdout);
    expect(report.failures).toBeGreaterThan(400);
    expect(report.period).toBeNull();
  });

  it('reads a text log with --match, syslog times with --year, and counts the lines it cannot date', () => {
    const pattern = drawPattern({ seed: 23, start: START, hours: 24, periodMinutes: 45, jitterMinutes: 6, windowMinutes: 3, windowRate: 2, noisePerHour: 5, okPerHour: 300 });
    const log = join(dir, 'reportd.log');
    writeFileSync(log, `${reportServerLog(pattern, 'syslog')}reportd restarted success=no (no time on this line)\n`);
    const result = drs('--log-file', log, '--match', 'success=no', '--year', '2026', '--json');
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.failures).toBe(pattern.failures.length);
    expect(report.undatable).toBe(1);
    expect(report.span.start.slice(0, 10)).toBe('2026-11-24');
    expect(Math.abs(report.period.minutes - 45)).toBeLessThanOrEqual(1);
  });

  it('refuses a bad regular expression, a missing file and two sources, saying what to do', () => {
    expect(drs('--log-file', join(dir, 'nope.log'), '--match', '(').stderr).toContain('is not a regular expression');
    expect(drs('--log-file', join(dir, 'nope.log')).stderr).toContain('no log file');
    expect(drs('--log-file', 'a', '--twin').stderr).toContain('say which log to read');
  });
});

describe('failure log reading', () => {
  it('dates lines in every form it promises', () => {
    const reader = timestampReader({ year: 2026 });
    const at = Date.UTC(2026, 10, 25, 19, 34, 8);
    expect(reader.read('2026-11-25T19:34:08Z x')).toBe(at);
    expect(reader.read('2026-11-25T21:34:08.000+02:00 x')).toBe(at);
    expect(reader.read('2026-11-25 19:34:08 x')).toBe(at);
    expect(reader.read('Nov 25 19:34:08 host app: x')).toBe(at);
    expect(reader.read('1.2.3.4 - - [25/Nov/2026:19:34:08 +0000] "GET /"')).toBe(at);
    expect(reader.read(`${at / 1000} x`)).toBe(at);
    expect(reader.read(`ts=${at} x`)).toBe(at);
    expect(reader.read('order 12345 failed')).toBeNull();
    expect(reader.read('2026-13-45T99:00:00Z')).toBeNull();
  });

  it('reads epoch milliseconds in plain text and stdin-like streams', async () => {
    const pattern = drawPattern({ seed: 24, start: START, hours: 2, noisePerHour: 30, okPerHour: 100 });
    const log = await readFailureLog(Readable.from([reportServerLog(pattern, 'epoch-ms')]), { match: /success=no/ });
    expect(log.count).toBe(pattern.failures.length);
    expect(Array.from(log.times).every((t, i) => Math.abs(t - pattern.failures[i]) < 1)).toBe(true);
  });

  it('parses CSV and JSON Lines overlays, with ends and labels', () => {
    const csv = parseOverlay('start,end,label\n2026-11-24T01:00:00Z,2026-11-24T01:30:00Z,incident\n2026-11-24T02:00:00Z,,deploy\n', 'x.csv');
    expect(csv).toEqual([
      { label: 'incident', intervals: [{ start: Date.UTC(2026, 10, 24, 1), end: Date.UTC(2026, 10, 24, 1, 30) }] },
      { label: 'deploy', intervals: [{ start: Date.UTC(2026, 10, 24, 2), end: Date.UTC(2026, 10, 24, 2) }] },
    ]);
    expect(parseOverlay('1764000000\n1764003600\n', 'backups.csv')).toEqual([{ label: 'backups', intervals: [{ start: 1764000000000, end: 1764000000000 }, { start: 1764003600000, end: 1764003600000 }] }]);
    expect(() => parseOverlay('time\nyesterday\n', 'bad.csv')).toThrow('bad.csv line 2: "yesterday" is not a time');
  });
});

describe('the verdict', () => {
  it('says when the failures came to the second when they span less than an hour, to the minute otherwise', async () => {
    const at = (ms: number) => `${new Date(ms).toISOString()} export success=no`;
    const short = [0, 9_000, 27_000].map((s) => at(Date.UTC(2026, 10, 26, 17, 49, 26) + s));
    const shortLog = await readFailureLog(Readable.from([short.join('\n')]), { match: /success=no/ });
    expect(diagnose(shortLog, { source: 'export.log' }).report.verdict).toContain('3 failures from 2026-11-26 17:49:26 UTC to 2026-11-26 17:49:53 UTC');
    const long = [0, 30 * MINUTE, 61 * MINUTE].map((ms) => at(Date.UTC(2026, 10, 26, 17, 49, 26) + ms));
    const longLog = await readFailureLog(Readable.from([long.join('\n')]), { match: /success=no/ });
    expect(diagnose(longLog, { source: 'export.log' }).report.verdict).toContain('3 failures from 2026-11-26 17:49 UTC to 2026-11-26 18:50 UTC');
  });
});

describe('the timeline', () => {
  it('renders SVG and a self-contained HTML page that carry no donor ids', async () => {
    const ids = ['DJYKOFN5YRUJJ', 'D-TEST-0001', 'ABCDEFGHJK'];
    const pattern = drawPattern({ seed: 25, start: START, hours: 6, periodMinutes: 20, jitterMinutes: 2, windowMinutes: 2, windowRate: 3, noisePerHour: 5, okPerHour: 50 });
    const text = pattern.failures.map((t, i) => `${new Date(t).toISOString()} export donor=${ids[i % 3]} success=no reason="registry timeout for ${ids[(i + 1) % 3]}"`).join('\n');
    const log = await readFailureLog(Readable.from([text]), { match: /success=no/ });
    const d = diagnose(log, { source: 'export.log', overlays: [{ label: 'sync', intervals: pattern.windows.map((w) => ({ start: w, end: w + MINUTE })) }] });
    const svg = timelineSvg(d);
    const html = timelineHtml(d, svg);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
    expect(svg).toContain('every 20 min');
    expect(svg.match(/<rect [^>]*fill="#e67e22"/g)?.length).toBe(d.report.burstsTotal);
    expect(html).toContain(svg);
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
    expect(html).toContain('registry timeout');
    for (const id of ids) {
      expect(svg).not.toContain(id);
      expect(html).not.toContain(id);
      expect(JSON.stringify(d.report)).not.toContain(id);
    }
  });
});
