// The real command line, as a user runs it: `node cli/drs.cjs ...` in a child process.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const DRS = join(__dirname, '..', '..', 'cli', 'drs.cjs');
const dir = mkdtempSync(join(tmpdir(), 'drs-cli-'));
const drs = (...args: string[]) => spawnSync(process.execPath, [DRS, ...args], { encoding: 'utf8' });

describe('drs data', () => {
  it('writes the same bytes for the same seed and date', () => {
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    for (const out of [a, b]) expect(drs('data', '--rows', '300', '--seed', '5', '--as-of', '2026-10-01', '--out', out).status).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    const rows = readFileSync(a, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(300);
    expect(Object.keys(rows[0])).toEqual(['requestDate', 'detail', 'truth']);
    expect(rows[0].requestDate).toBe('2026-10-01');
  });

  it('refuses a bad option with a message that says what to do', () => {
    const result = drs('data', '--rows', '0');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('--rows must be a whole number >= 1');
    expect(drs('data', '--as-of', '2026-02-30').stderr).toContain('must be a calendar date YYYY-MM-DD');
  });
});

describe('drs score', () => {
  it('scores details, whole events and generator rows; reports bad lines in place; keeps order', () => {
    const input = join(dir, 'in.jsonl');
    const output = join(dir, 'out.jsonl');
    const bad = validDetail({ donorId: 'D-BAD-0001' });
    (bad.donor as any).birthYear = 2020;
    const lines = [
      JSON.stringify(validDetail({ donorId: 'D-PLAIN-01' })),
      JSON.stringify(donorUpdatedEvent(validDetail({ donorId: 'D-EVENT-01' }), 'event-123')),
      '{not json',
      JSON.stringify(bad),
      '',
      JSON.stringify({ detail: validDetail({ donorId: 'D-GEN-0001' }), truth: { pAvailable: 0.5 } }),
      '42',
      JSON.stringify({ ...validDetail({ donorId: 'D-PROTO-01' }), __proto__: { polluted: true }, constructor: 'x' }),
    ];
    writeFileSync(input, `${lines.join('\n')}\n`);
    const result = drs('score', '--in', input, '--out', output, '--as-of', '2026-11-23', '--json');
    expect(result.status).toBe(0);
    const out = readFileSync(output, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(out).toHaveLength(lines.length);
    expect(out.map((o) => o.donorId ?? o.line)).toEqual(['D-PLAIN-01', 'D-EVENT-01', 3, 4, 5, 'D-GEN-0001', 7, 'D-PROTO-01']);
    expect(out[1].sourceEventId).toBe('event-123');
    expect(out[0].sourceEventId).toBeNull();
    expect(out[2]).toEqual({ line: 3, error: { field: '(line)', rule: 'must be valid JSON' } });
    expect(out[3]).toEqual({ line: 4, error: { field: 'donor.birthYear', rule: 'must be from 1900 to 2009' } });
    expect(out[6]).toEqual({ line: 7, error: { field: '(detail)', rule: 'must be an object' } });
    expect(({} as any).polluted).toBeUndefined();
    const record = out[0];
    expect(Object.keys(record).sort()).toEqual(
      ['band', 'donorId', 'features', 'modelSha256', 'modelVersion', 'reasons', 'revision', 'score', 'scoredAt', 'scoringDate', 'sourceEventId', 'updatedAt'].sort(),
    );
    expect(record.score).toBeGreaterThan(0);
    expect(record.score).toBeLessThan(1);
    expect(['high', 'medium', 'low']).toContain(record.band);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ lines: 8, scored: 4, rejected: 4 });
  });

  it('gives the same score for the same donor whatever the batch size', () => {
    const data = join(dir, 'gen.jsonl');
    execFileSync(process.execPath, [DRS, 'data', '--rows', '50', '--seed', '8', '--as-of', '2026-11-01', '--out', data]);
    const run = (batch: string) => {
      const out = join(dir, `b${batch}.jsonl`);
      drs('score', '--in', data, '--out', out, '--as-of', '2026-11-01', '--batch-size', batch);
      return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l).score);
    };
    expect(run('1')).toEqual(run('4096'));
  });

  it('says clearly when the input file does not exist', () => {
    const result = drs('score', '--in', join(dir, 'missing.jsonl'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('no such file');
  });
});
