// `drs evaluate --check` through the real command line, on a good pair of files and on each way a
// pair can be broken: each broken pair must exit 1 with a message that says what is wrong.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluationLimits, judgeFiles } from '../../cli/evaluate-command';

const DRS = join(__dirname, '..', '..', 'cli', 'drs.cjs');
const dir = mkdtempSync(join(tmpdir(), 'drs-evaluate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = join(dir, 'data.jsonl');
const scores = join(dir, 'scores.jsonl');
execFileSync(process.execPath, [DRS, 'data', '--rows', '3000', '--seed', '4711', '--as-of', '2026-11-01', '--out', data]);
execFileSync(process.execPath, [DRS, 'score', '--in', data, '--out', scores, '--as-of', '2026-11-01']);
const dataLines = readFileSync(data, 'utf8').trim().split('\n');
const scoreLines = readFileSync(scores, 'utf8').trim().split('\n');

function check(name: string, dataText: string[], scoreText: string[], ...extra: string[]) {
  const d = join(dir, `${name}.data.jsonl`);
  const s = join(dir, `${name}.scores.jsonl`);
  writeFileSync(d, dataText.length ? `${dataText.join('\n')}\n` : '');
  writeFileSync(s, scoreText.length ? `${scoreText.join('\n')}\n` : '');
  return spawnSync(process.execPath, [DRS, 'evaluate', '--data', d, '--scores', s, '--check', ...extra], { encoding: 'utf8' });
}

const mapJson = (lines: string[], f: (row: any, i: number) => unknown) => lines.map((l, i) => JSON.stringify(f(JSON.parse(l), i)));

describe('drs evaluate --check', () => {
  it('passes the drs score output of a drs data file', () => {
    const r = check('good', dataLines, scoreLines);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/gates passed: all quality targets met/);
    expect(r.status).toBe(0);
  });

  it('prints only JSON with --json, with every gate, per-group intervals and the recalibration', () => {
    const r = check('json', dataLines, scoreLines, '--json', '--recalibrate', 'intercept');
    const out = JSON.parse(r.stdout);
    expect(out.passed).toBe(true);
    expect(out.gates.map((g: any) => g.gate)).toEqual(
      expect.arrayContaining(['line count', 'donor ids', 'labels', 'skipped lines', 'rows', 'finite metrics', 'group calibration']),
    );
    const dims = new Set(out.byGroup.map((g: any) => g.dimension));
    expect([...dims].sort()).toEqual(['ageBand', 'ancestryGroup', 'paused', 'recruitmentChannel', 'residence', 'scoreBand', 'sex', 'yearsOnRegistry']);
    for (const g of out.byGroup) expect(g.gapInterval.lower).toBeLessThanOrEqual(g.calibrationGap);
    expect(out.recalibration).toMatchObject({ method: 'intercept', fittedOn: 1500, judgedOn: 1500 });
    expect(out.variants).toEqual(['baseline']);
  });

  const broken: [string, () => [string[], string[]], RegExp][] = [
    ['empty files', () => [[], []], /rows: no scored donors/],
    ['swapped --data and --scores', () => [scoreLines, dataLines], /did you swap --data and --scores/],
    ['a scores file of only errors', () => [dataLines, dataLines.map((_, i) => JSON.stringify({ line: i + 1, error: { field: 'x', rule: 'y' } }))], /skipped lines: 3000 of 3000 lines have no score/],
    ['labels that are not 0 or 1', () => [mapJson(dataLines, (row, i) => (i % 7 ? row : { ...row, truth: { ...row.truth, available: i % 2 ? 2 : 'yes' } })), scoreLines], /labels: \d+ rows have truth.available outside \{0, 1\}/],
    ['no negative outcomes, so AUC is NaN', () => [mapJson(dataLines, (row) => ({ ...row, truth: { ...row.truth, available: 1 } })), scoreLines], /finite metrics: AUC is NaN/],
    ['an extra line in --scores', () => [dataLines, [...scoreLines, scoreLines[0]]], /--data has 3000 lines but --scores has 3001/],
    ['a line missing from --scores', () => [dataLines, scoreLines.slice(1)], /--data has 3000 lines but --scores has 2999/],
    ['two scores out of order', () => [dataLines, [scoreLines[1], scoreLines[0], ...scoreLines.slice(2)]], /donor ids: 2 lines pair a score with a different donor than the data line \(lines 1, 2\)/],
    ['more unscored lines than the stated share', () => [dataLines, scoreLines.map((l, i) => (i % 20 ? l : JSON.stringify({ line: i + 1, error: {} })))], /skipped lines: 150 of 3000 .*5.00% \(limit 1.00%\)/],
    ['scores that are not probabilities', () => [dataLines, mapJson(scoreLines, (s, i) => (i === 4 ? { ...s, score: 'NaN' } : i === 9 ? { ...s, score: 1.5 } : s))], /scores: 2 score lines have a score that is not a number in \[0, 1\] \(lines 5, 10\)/],
  ];

  // Each broken pair is judged in-process (the same function the command runs); three of them also
  // go through the real command line below, to hold the exit code and the printed message.
  const bands = { high: 0.7, medium: 0.4, rule: '' };
  it.each(broken)('fails on %s, with a message that says what is wrong', (_name, make, message) => {
    const [d, s] = make();
    const { failed } = judgeFiles(d, s, evaluationLimits(), bands);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.map((g) => `${g.gate}: ${g.detail}`).join('\n')).toMatch(message);
  });

  it.each([0, 1, 3])('exits 1 from the command line with the message (broken case %d)', (k) => {
    const [name, make, message] = broken[k];
    const [d, s] = make();
    const r = check(name.replace(/\W+/g, '-'), d, s);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/CHECK FAILED/);
    expect(r.stdout).toMatch(message);
    expect(r.stderr).toMatch(/drs evaluate: check failed: /);
    expect(r.stdout).not.toMatch(/all quality targets met/);
  });

  it('tolerates unscored lines up to the stated share, and a --gate override', () => {
    const few = scoreLines.map((l, i) => (i % 200 ? l : JSON.stringify({ line: i + 1, error: {} })));
    expect(judgeFiles(dataLines, few, evaluationLimits(), bands).failed).toEqual([]);
    const many = scoreLines.map((l, i) => (i % 20 ? l : JSON.stringify({ line: i + 1, error: {} })));
    expect(judgeFiles(dataLines, many, evaluationLimits(['maxSkippedShare=0.06']), bands).failed).toEqual([]);
    const r = check('unknown-gate', dataLines, scoreLines, '--gate', 'maxNothing=1');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/unknown gate maxNothing: known gates are/);
  });
});
