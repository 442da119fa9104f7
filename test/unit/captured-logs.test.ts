// The functions' log files on the twin: a line reaches its file within about a second while the
// capture is still open (npm start -- --serve holds it open until Ctrl-C), without a timer that
// keeps the process alive or outlives the capture, and lines still waiting at an exit are written.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOG_FLUSH_MS, withCapturedLogs } from '../../twin/captured-logs';

const ROOT = join(__dirname, '..', '..');
let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'drs-captured-logs-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

it('writes a line while the capture is still open, with no timer keeping the process alive, and leaves none behind', async () => {
  const file = join(dir, 'serving.log');
  const exitListeners = process.listenerCount('exit');
  const timersBefore = timeouts();
  let stop!: () => void;
  let during: { afterWrite: string; timersAfterWrite: number; exitListeners: number } | undefined;
  let seen = '';
  const serving = withCapturedLogs(file, async () => {
    process.stdout.write('{"message":"scores read","requested":1}\n');
    during = { afterWrite: read(file), timersAfterWrite: timeouts(), exitListeners: process.listenerCount('exit') };
    // Poll for up to three flush periods: the line must arrive while serving goes on.
    for (let waited = 0; waited < 3 * LOG_FLUSH_MS && !seen; waited += 100) {
      await new Promise((done) => setTimeout(done, 100));
      seen = read(file);
    }
    await new Promise<void>((done) => (stop = done));
  });
  await new Promise((done) => setTimeout(done, 0));
  while (!stop) await new Promise((done) => setTimeout(done, 50));
  expect(during).toEqual({ afterWrite: '', timersAfterWrite: timersBefore, exitListeners: exitListeners + 1 });
  expect(seen).toBe('{"message":"scores read","requested":1}\n');
  stop();
  await serving;
  expect(read(file)).toBe('{"message":"scores read","requested":1}\n');
  expect(process.listenerCount('exit')).toBe(exitListeners);
  expect(timeouts()).toBe(timersBefore);
});

it('keeps buffering a burst: lines come out whole and in order, at the end or on the timer', async () => {
  const file = join(dir, 'burst.log');
  const lines = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(40)}"}\n`);
  await withCapturedLogs(file, async () => {
    for (const line of lines) process.stdout.write(line);
  });
  expect(read(file)).toBe(lines.join(''));
});

it('writes lines still waiting when the process exits', () => {
  const file = join(dir, 'exit.log');
  // The capture never ends and nothing else is pending: the process exits with the line in memory.
  const script = `require(${JSON.stringify(join(ROOT, 'twin', 'captured-logs.ts'))}).withCapturedLogs(${JSON.stringify(file)}, () => { process.stdout.write('{"message":"last words"}\\n'); return new Promise(() => {}); });`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TSX_DISABLE_CACHE: '1' }, timeout: 30_000 });
  expect(child.status).toBe(0);
  expect(child.stdout).toBe('');
  expect(read(file)).toBe('{"message":"last words"}\n');
});
