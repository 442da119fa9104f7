// The benchmark runs end to end on a tiny input. No speed is asserted here: speed lives in
// `npm run bench` and bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

it('npm run bench runs every measurement on a tiny input, reports them as JSON, leaves RESULTS.md and the temporary directory as they were', () => {
  const committed = readFileSync(join(ROOT, 'bench', 'RESULTS.md'), 'utf8');
  // A private temporary directory: other processes on the machine write to the shared one.
  const privateTmp = mkdtempSync(join(tmpdir(), 'drs-bench-test-'));
  try {
    const result = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bench', 'run-bench.ts'), '--tiny', '--json'], {
      encoding: 'utf8',
      timeout: 240_000,
      env: { ...process.env, TMPDIR: privateTmp },
    });
    expect(result.status).toBe(0);
    const r = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(Object.keys(r).sort()).toEqual(['asset', 'batch', 'coldStart', 'concurrency', 'cost', 'machine', 'readApi', 'registry', 'storeCeiling', 'warm']);
    expect(r.concurrency.map((c: { level: number }) => c.level)).toEqual([1, 4, 16]);
    expect(r.registry.projections.map((p: { donors: number }) => p.donors)).toEqual([9_000_000, 42_000_000]);
    expect(r.registry.batch.floorRowsPerSecond).toBeGreaterThan(0);
    expect(r.batch.memory.rows).toBe(500);
    for (const value of [r.coldStart.handlerMsMedian, r.coldStart.floorMsMedian, r.coldStart.handlerImportMsMedian, r.warm.p50Ms, r.warm.p99Ms, r.warm.floorMs, r.warm.floorP99Ms, r.warm.sameRecordPutMs, r.batch.rowsPerSecond, r.batch.floorRowsPerSecond, r.batch.rowsPerCpuSecond, r.batch.floorRowsPerCpuSecond, r.batch.memory.peakRssMiB, r.asset.unzippedBytes, r.cost.perMillionUpdates.total, r.cost.monthlyFixed.total, r.cost.logBytesPerEvent, r.cost.customMetrics]) {
      expect(value).toBeGreaterThan(0);
    }
    // arm64 is computed from the same duration at a lower price; vpc=true adds interface endpoints.
    expect(r.cost.perMillionUpdatesArm64Computed.lambda).toBeLessThanOrEqual(r.cost.perMillionUpdates.lambda);
    expect(r.cost.monthlyFixedVpc.vpcEndpoints).toBeGreaterThan(0);
    expect(r.cost.monthlyFixed.vpcEndpoints).toBe(0);
    expect(r.cost.prices.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(readFileSync(join(ROOT, 'bench', 'RESULTS.md'), 'utf8')).toBe(committed);
    // The benchmark's own work (synth output, data files, twin folders) is gone.
    expect(readdirSync(privateTmp).filter((name) => /^(drs-|cdk\.out)/.test(name))).toEqual([]);
  } finally {
    rmSync(privateTmp, { recursive: true, force: true });
  }
}, 300_000);
