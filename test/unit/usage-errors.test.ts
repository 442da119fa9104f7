// The same input gets the same words from `drs` and `npm start`: a wrong option value or an
// unknown option prints the one line that is wrong and where the help is; numbers are decimal
// whole numbers in range; a bad line in a file is named as drs score names it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decimalFraction, wholeNumber } from '../../cli/option-values';
import { parsePipelineConfig } from '../../lib/pipeline-config';
import { parseJsonLine } from '../../lambdas/core/json-line';
import { lineProblemOf, readEventsFile } from '../../twin/donor-update-stream';

const ROOT = join(__dirname, '..', '..');
const drs = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'cli', 'drs.cjs'), ...args], { encoding: 'utf8' });
const npmStart = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'twin', 'main.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TSX_DISABLE_CACHE: '1' } });

/** A usage error: non-zero exit, exactly the wrong line and the pointer to --help (and commander's "Did you mean"), no help text. */
function expectUsageError(result: ReturnType<typeof spawnSync>, wrong: RegExp, helpCommand: string) {
  expect(result.status).not.toBe(0);
  expect(result.stdout).toBe('');
  const lines = String(result.stderr).trim().split('\n').filter((line) => !/^\(Did you mean .+\?\)$/.test(line));
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(wrong);
  expect(lines[1]).toBe(`(see ${helpCommand} --help for every option)`);
}

describe('usage errors', () => {
  it('npm start -- --events 0x200 is refused without NaN or the whole help', () => {
    const result = npmStart('--events', '0x200');
    expectUsageError(result, /'0x200' is invalid\. --events must be a whole number >= 1 in decimal digits/, 'npm start --');
    expect(result.stderr).not.toMatch(/NaN|Usage:/);
  });

  it.each(['1e3', 'abc', '0', ' 7', '7.0', '-1', ''])('a whole-number option refuses %j with its rule (the parser npm start and drs share)', (value) => {
    expect(() => wholeNumber('--events', 1)(value)).toThrow(/^--events must be a whole number >= 1 in decimal digits, e.g\. 1$/);
  });

  it.each(['0x1', '1e-1', '', 'NaN', '1.5'])('a fraction option refuses %j', (value) => {
    expect(() => decimalFraction('--bad-fraction', 0, 1)(value)).toThrow(/^--bad-fraction must be a decimal number from 0 to 1, e\.g\. 0\.02$/);
  });

  it('npm start refuses --events together with --events-file instead of dropping one', () => {
    expectUsageError(npmStart('--events', '5', '--events-file', 'x.jsonl'), /option '--events <n>' cannot be used with option '--events-file <file>'/, 'npm start --');
  });

  it('npm start names an unknown option and where the help is', () => {
    expectUsageError(npmStart('--event', '5'), /unknown option '--event'/, 'npm start --');
  });

  it('drs does the same for its commands', () => {
    expectUsageError(drs('data', '--rows', '0x10'), /'0x10' is invalid\. --rows must be a whole number >= 1 in decimal digits/, 'drs data');
    expectUsageError(drs('redrive', '--queue', 'q', '--limit', 'NaN'), /'NaN' is invalid/, 'drs redrive');
    expectUsageError(drs('scroe'), /unknown command 'scroe'/, 'drs');
  });

  it('every --twin command says the same when no twin is serving: start one, then run the command again', () => {
    const empty = mkdtempSync(join(tmpdir(), 'drs-no-twin-'));
    try {
      for (const args of [['trace', 'D-TEST-0001', '--twin', empty], ['export-training', '--twin', empty, '--out', join(empty, 'x.jsonl')], ['redrive', '--twin', empty, '--queue', 'q']]) {
        const result = drs(...args);
        expect(result.status).not.toBe(0);
        expect(result.stderr).toBe(`drs: no local twin is serving from ${empty}: start one with npm start -- --serve (and keep it running), then run this command again\n`);
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('accepts plain decimal numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-usage-'));
    const out = join(dir, 'rows.jsonl');
    execFileSync(process.execPath, [join(ROOT, 'cli', 'drs.cjs'), 'data', '--rows', '007', '--seed', '0', '--base-rate', '.5', '--out', out]);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(7);
  });
});

describe('deploy context numbers', () => {
  it.each(['0x200', '1e3', ' 512', '512.0', 'NaN', 'abc'])('memorySize=%s is refused with the rule, never NaN', (value) => {
    expect(() => parsePipelineConfig({ memorySize: value })).toThrow(/-c memorySize=".*": must be a whole number from 128 to 10240 in decimal digits$/);
  });

  it('logRetentionDays=abc names the periods, not NaN', () => {
    expect(() => parsePipelineConfig({ logRetentionDays: 'abc' })).toThrow(/must be one of CloudWatch's retention periods: 1, 3, 5/);
    expect(() => parsePipelineConfig({ logRetentionDays: 'abc' })).not.toThrow(/NaN/);
  });

  it('takes decimal strings from -c and numbers from cdk.json', () => {
    expect(parsePipelineConfig({ memorySize: '1024', reservedConcurrency: 7, logRetentionDays: '30' })).toMatchObject({ memorySize: 1024, reservedConcurrency: 7, logRetentionDays: 30 });
  });
});

describe('bad lines in an input file', () => {
  const cases: [string, string][] = [
    ['', '(line): must be a JSON object, not a blank line'],
    ['   ', '(line): must be a JSON object, not a blank line'],
    ['{not json', '(line): must be valid JSON'],
    ['42', '(line): must be a JSON object (a whole event, a generator row or a detail)'],
    ['[{"donorId":"D-1"}]', '(line): must be a JSON object (a whole event, a generator row or a detail)'],
    ['null', '(line): must be a JSON object (a whole event, a generator row or a detail)'],
  ];

  it('get the same words from drs score and from npm start --events-file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'drs-lines-'));
    const file = join(dir, 'lines.jsonl');
    writeFileSync(file, `${cases.map(([line]) => line).join('\n')}\n`);
    const out = join(dir, 'out.jsonl');
    drs('score', '--in', file, '--out', out, '--as-of', '2026-11-23');
    const fromScore = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).map((o) => `${o.error.field}: ${o.error.rule}`);
    const fromTwin = readEventsFile(file, { source: 'registry.donors', detailType: 'DonorUpdated', account: '000000000000', region: 'us-east-1' }).map((e) => lineProblemOf(e));
    expect(fromScore).toEqual(cases.map(([, words]) => words));
    expect(fromTwin).toEqual(cases.map(([, words]) => words));
  });

  it('an object line has no line problem', () => {
    expect(parseJsonLine('\uFEFF{"detail":{}}')).toEqual({ ok: true, value: { detail: {} } });
  });
});
