// Per-file mutation scores from Stryker's JSON report (reports/mutation/mutation.json), as a
// Markdown table. With `--before <git ref>` it adds the score the test files that existed at that
// ref reach on the same mutants (Stryker records every killing test: disableBail), so one run
// gives "before" and "after" on the same code.
//   node test/mutation/scores.mjs [--before <ref>] [--survivors]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const beforeRef = args.includes('--before') ? args[args.indexOf('--before') + 1] : undefined;
const reportFiles = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--before');
const report = { files: {}, testFiles: {} };
(reportFiles.length ? reportFiles : ['reports/mutation/mutation.json']).forEach((file, r) => {
  const one = JSON.parse(readFileSync(file, 'utf8'));
  // Test ids are numbered per run: prefix them with the report so runs do not mix.
  const id = (t) => `${r}:${t}`;
  for (const [name, f] of Object.entries(one.files)) {
    report.files[name] = { ...f, mutants: f.mutants.map((m) => ({ ...m, killedBy: m.killedBy?.map(id), coveredBy: m.coveredBy?.map(id) })) };
  }
  for (const [name, t] of Object.entries(one.testFiles ?? {})) {
    report.testFiles[`${r}:${name}`] = { ...t, tests: t.tests.map((x) => ({ ...x, id: id(x.id) })) };
  }
});

// Test ids -> test file, then the test files present at the ref.
const fileOfTest = new Map();
for (const [file, { tests }] of Object.entries(report.testFiles ?? {})) for (const t of tests) fileOfTest.set(t.id, file.slice(file.indexOf(':') + 1));
const oldFiles = beforeRef
  ? new Set(execFileSync('git', ['ls-tree', '-r', '--name-only', beforeRef, 'test/'], { encoding: 'utf8' }).split('\n').filter(Boolean))
  : undefined;
const isOld = (testId) => oldFiles.has(fileOfTest.get(testId));

const DETECTED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : 'n/a');
const rows = [];
const total = { n: 0, after: 0, before: 0, survived: 0, noCoverage: 0, ignored: 0 };
const survivors = [];
for (const [file, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
  const counted = mutants.filter((m) => COUNTED.has(m.status));
  const after = counted.filter((m) => DETECTED.has(m.status)).length;
  // Before: killed by an old test; a timeout counts when an old test covers it (static: all do).
  const before = oldFiles
    ? counted.filter((m) => (m.status === 'Killed' && (m.killedBy ?? []).some(isOld)) || (m.status === 'Timeout' && (m.static || (m.coveredBy ?? []).some(isOld)))).length
    : 0;
  const survived = counted.filter((m) => m.status === 'Survived').length;
  const noCoverage = counted.filter((m) => m.status === 'NoCoverage').length;
  const ignored = mutants.filter((m) => m.status === 'Ignored').length;
  for (const m of counted) if (!DETECTED.has(m.status)) survivors.push(`${file}:${m.location.start.line}:${m.location.start.column} ${m.status} ${m.mutatorName}: ${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 100)}`);
  rows.push([file, counted.length, ...(oldFiles ? [pct(before, counted.length)] : []), pct(after, counted.length), survived, noCoverage, ignored]);
  Object.assign(total, { n: total.n + counted.length, after: total.after + after, before: total.before + before, survived: total.survived + survived, noCoverage: total.noCoverage + noCoverage, ignored: total.ignored + ignored });
}
const head = ['file', 'mutants', ...(oldFiles ? [`before (tests of ${beforeRef})`] : []), 'score', 'survived', 'no coverage', 'disabled'];
rows.push(['**all**', total.n, ...(oldFiles ? [pct(total.before, total.n)] : []), pct(total.after, total.n), total.survived, total.noCoverage, total.ignored]);
console.log(`| ${head.join(' | ')} |\n| ${head.map(() => '---').join(' | ')} |`);
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
if (args.includes('--survivors')) console.log(`\n${survivors.join('\n')}`);
