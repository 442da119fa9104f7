// `npm start -- --events-file FILE --json` on a hostile file, as a user runs it: stdout is the one
// JSON summary (after npm's own "> script" banner), stderr holds no warning, every event is
// accounted for, and the temporary directory it was given is empty afterwards. Plus npm itself:
// no unknown config, every dependency install script decided.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const ROOT = join(__dirname, '..', '..');
const WARNING = /warn|⚠|deprecat|notice|feature flags/i;

function npm(args: string[], env: Record<string, string> = {}) {
  return spawnSync('npm', args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
}

describe('npm start on hostile input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'drs-quiet-'));
  const privateTmp = join(dir, 'tmp');
  mkdirSync(privateTmp);
  const file = join(dir, 'hostile.jsonl');
  const lines = [
    JSON.stringify(donorUpdatedEvent(validDetail({ donorId: 'D-QUIET-01' }), 'q-1')),
    JSON.stringify({ ...donorUpdatedEvent(validDetail({ donorId: 'D-QUIET-02' }), 'q-2-\uFFFF'), note: 'noncharacters \uFFFE\uFFFF, emoji 😀, lone \uD800 \uDFFF' }),
    JSON.stringify(donorUpdatedEvent({ donorId: 'bad\uFFFE😀', donor: { sex: '\uDC00' } }, 'q-3-😀')),
    '{"detail-type":"DonorUpdated","source":"registry.donors","id":"q-4","detail":{"donorId":"\\ud83d","x":"\\udfff\\uffff"}}',
    '',
    'not json \uFFFF 😀',
    '[1, "😀"]',
  ];
  let run: ReturnType<typeof npm>;
  beforeAll(() => {
    writeFileSync(file, `${lines.join('\n')}\n`);
    run = npm(['start', '--', '--events-file', file, '--json', '--work-dir', join(dir, 'work')], { TMPDIR: privateTmp });
  }, 300_000);

  it('prints one JSON summary on stdout and accounts for every event', () => {
    expect(run.status).toBe(0);
    const ours = run.stdout.split('\n').filter((line) => line !== '' && !line.startsWith('> '));
    expect(ours).toHaveLength(1);
    const summary = JSON.parse(ours[0]);
    expect(summary).toMatchObject({ in: lines.length, scored: 2, rejected: { total: 5 }, undelivered: { total: 0 }, accounted: true, missing: [] });
    expect(summary.rejected.byReason).toMatchObject({
      '(line): must be a JSON object, not a blank line': 1,
      '(line): must be valid JSON': 1,
      '(line): must be a JSON object (a whole event, a generator row or a detail)': 1,
    });
  });

  it('prints no warning on stderr', () => {
    expect(run.stderr.split('\n').filter((line) => WARNING.test(line))).toEqual([]);
  });

  it('leaves nothing in the temporary directory', () => {
    expect(readdirSync(privateTmp)).toEqual([]);
  });
});

describe('npm in this project', () => {
  it('knows every config key in the project (no unknown .npmrc entries)', () => {
    const result = npm(['pkg', 'get', 'name']);
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(/npm warn/i);
  });

  it('has an allowScripts decision for every dependency with an install script', () => {
    const result = npm(['install-scripts', 'ls']);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/not yet covered/);
  });
});

describe('files the README tells a user to write', () => {
  it('are ignored by git', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const written = [...readme.matchAll(/--out ([A-Za-z0-9_./-]+\.jsonl)/g)].map((m) => m[1]);
    expect(written.length).toBeGreaterThan(0);
    const result = spawnSync('git', ['check-ignore', '--no-index', ...written], { cwd: ROOT, encoding: 'utf8' });
    expect([...new Set(result.stdout.trim().split('\n'))].sort()).toEqual([...new Set(written)].sort());
  });
});
