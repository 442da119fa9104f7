// `bench/registry-bench.ts --backfill-rows N --out FILE`: a long local backfill's line is kept in a
// file of its own (beside RESULTS.md's full-run figures), in the same words RESULTS.md uses.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { localBackfillFile, localBackfillLine } from '../../bench/registry-bench';

const ROOT = join(__dirname, '..', '..');
const run = { rows: 1_000_000, seconds: 4321.5, rowsPerSecond: 231, steadyRowsPerSecond: 240, peakRssMiB: 402, endpointsPeakRssMiB: 950, gzipBytes: 150 * 2 ** 20 };

test('the kept file holds the line RESULTS.md would show, its date and the figures as JSON', () => {
  const line = localBackfillLine(run);
  expect(line).toBe(
    "| local backfill end to end (twin, own process: gzip export 150 MiB read by the map's item reader, state machine, map, batch function, dynalite) | 1,000,000 rows in 4321.5 s with setup (231 rows/s), 240 rows/s once batches flow; peak RSS 402 MiB (twin), 950 MiB (local endpoints, which hold S3 in memory) | | |",
  );
  const file = localBackfillFile(run, new Date('2026-11-26T04:30:00Z'));
  expect(file.split('\n').slice(0, 5)).toEqual(['## Local backfill of 1,000,000 rows (2026-11-26, bench/registry-bench.ts --backfill-rows 1000000)', '', '| measure | engine | floor | ratio |', '| --- | --- | --- | --- |', line]);
  expect(JSON.parse(/```json\n(.*)\n```/.exec(file)![1])).toEqual(run);
});

test('--out without a file, or with no backfill to keep, is refused before any work', () => {
  const bench = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'registry-bench.ts'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TSX_DISABLE_CACHE: '1' }, timeout: 60_000 });
  const noRows = bench('--backfill-rows', '0', '--out', 'x.md');
  expect(noRows.status).toBe(2);
  expect(noRows.stderr).toMatch(/--out FILE keeps the local backfill line/);
  const noFile = bench('--backfill-rows', '10', '--out', '--quick');
  expect(noFile.status).toBe(2);
  const badRows = bench('--backfill-rows', 'many');
  expect(badRows.status).toBe(2);
  expect(badRows.stderr).toMatch(/--backfill-rows needs a whole number/);
});
