// `drs monitor` as a user runs it (node cli/drs.cjs in a child process): JSON on stdout and
// nothing else, a report that parses as HTML with its plots and no donor id, clear errors.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'parse5';

const DRS = join(__dirname, '..', '..', 'cli', 'drs.cjs');
const dir = mkdtempSync(join(tmpdir(), 'drs-monitor-'));
const drs = (...args: string[]) => spawnSync(process.execPath, [DRS, ...args], { encoding: 'utf8' });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = join(dir, 'donors.jsonl');
const scores = join(dir, 'scores.jsonl');
beforeAll(() => {
  expect(drs('data', '--rows', '1500', '--seed', '41', '--as-of', '2026-11-20', '--out', data).status).toBe(0);
  expect(drs('score', '--in', data, '--out', scores, '--as-of', '2026-11-20').status).toBe(0);
});

interface Node { nodeName: string; attrs?: { name: string; value: string }[]; childNodes?: Node[] }
function elements(node: Node, name: string, out: Node[] = []): Node[] {
  if (node.nodeName === name) out.push(node);
  for (const child of node.childNodes ?? []) elements(child, name, out);
  // <template> content and foreign (SVG) elements are child nodes too in parse5's tree.
  return out;
}

describe('drs monitor', () => {
  it('prints only the figures with --json and writes a report with every plot and no donor id', () => {
    const out = join(dir, 'report');
    const result = drs('monitor', '--scores', scores, '--outcomes', data, '--out', out, '--json');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const figures = JSON.parse(result.stdout);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(figures.drift).toBe(false);
    expect(typeof figures.psi.score).toBe('number');
    expect(Object.keys(figures.psi.features)).toEqual(expect.arrayContaining(['ageYears', 'yearsSinceContactVerified', 'bloodDonor']));
    expect(figures.auc).toMatchObject({ rows: 1500, days: 365 });
    expect(figures.auc.positives + figures.auc.negatives).toBe(1500);
    expect(figures.calibration.rows).toBe(1500);
    expect(figures.calibration.deciles.reduce((s: number, d: { rows: number }) => s + d.rows, 0)).toBe(1500);
    expect(figures.asOf).toBe('2026-11-20');

    const html = readFileSync(join(out, 'report.html'), 'utf8');
    const errors: string[] = [];
    const doc = parse(html, { onParseError: (e) => errors.push(e.code) }) as unknown as Node;
    expect(errors).toEqual([]);
    const figureIds = elements(doc, 'figure').map((f) => f.attrs?.find((a) => a.name === 'id')?.value);
    expect(figureIds).toEqual(['score-histogram', 'psi-by-feature', 'calibration-curve', 'roc-curve', 'volumes']);
    expect(elements(doc, 'svg')).toHaveLength(5);
    // Self-contained: no script, no external resource.
    expect(elements(doc, 'script')).toEqual([]);
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(JSON.parse(readFileSync(join(out, 'figures.json'), 'utf8'))).toEqual(figures);

    const donorIds = readFileSync(data, 'utf8').trim().split('\n').map((l) => JSON.parse(l).detail.donorId as string);
    for (const text of [html, result.stdout]) {
      const leaked = donorIds.filter((id) => text.includes(id));
      expect(leaked).toEqual([]);
    }
  });

  it('flags a population scored three years on, in the summary and the report', () => {
    const later = join(dir, 'later.jsonl');
    expect(drs('score', '--in', data, '--out', later, '--as-of', '2029-11-20').status).toBe(0);
    const out = join(dir, 'later-report');
    const result = drs('monitor', '--scores', later, '--out', out);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('THRESHOLDS CROSSED');
    expect(result.stdout).toContain('feature yearsSinceLastResponse PSI');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('class="verdict alert"');
    // Without outcomes the report says so instead of drawing empty plots.
    expect(html).toContain('No request outcomes in this run');
    expect(html).not.toContain('id="calibration-curve"');
  });

  it('says what is wrong with its input and exits 2', () => {
    const missing = drs('monitor', '--scores', join(dir, 'nope.jsonl'), '--out', join(dir, 'x'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read --scores');
    const broken = join(dir, 'broken.jsonl');
    writeFileSync(broken, `${readFileSync(scores, 'utf8').split('\n')[0]}\n{"score": 1.5, "band": "high"}\n`);
    const bad = drs('monitor', '--scores', broken, '--out', join(dir, 'x'), '--json');
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain('line 2: score must be a number from 0 to 1');
    const noRef = drs('monitor', '--scores', scores, '--out', join(dir, 'x'), '--reference', dir);
    expect(noRef.stderr).toContain('pass --reference with a model folder');
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expect(drs('monitor', '--scores', empty, '--out', join(dir, 'x')).stderr).toContain('holds no score record');
  });
});
