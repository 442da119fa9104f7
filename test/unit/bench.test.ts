// The benchmark runs end to end on a tiny input. No speed is asserted here: speed lives in
// `npm run bench` and bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

it('npm run bench runs every measurement on a tiny input and reports them as JSON', () => {
  const result = spawnSync(process.execPath, [join(__dirname, '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(__dirname, '..', '..', 'bench', 'run-bench.ts'), '--tiny', '--json', '--no-write'], {
    encoding: 'utf8',
    timeout: 240_000,
  });
  expect(result.status).toBe(0);
  const r = JSON.parse(result.stdout.trim().split('\n').pop()!);
  expect(Object.keys(r).sort()).toEqual(['asset', 'batch', 'coldStart', 'concurrency', 'cost', 'machine', 'readApi', 'storeCeiling', 'warm']);
  expect(r.concurrency.map((c: { level: number }) => c.level)).toEqual([1, 4, 16]);
  for (const value of [r.coldStart.handlerMsMedian, r.coldStart.floorMsMedian, r.warm.p50Ms, r.warm.floorMs, r.batch.rowsPerSecond, r.asset.unzippedBytes, r.cost.perMillionUpdates.total, r.readApi.handlerP50Ms, r.readApi.rawP50Ms, r.readApi.coldStartMsMedian]) {
    expect(value).toBeGreaterThan(0);
  }
  expect(r.cost.prices.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
}, 300_000);
