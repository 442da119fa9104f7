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
    // As `npm run bench` runs it (node --import tsx): tsx's own CLI would leave its IPC folder (tsx-<uid>) in the temporary directory.
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'run-bench.ts'), '--tiny', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 400_000,
      env: { ...process.env, TMPDIR: privateTmp, TSX_DISABLE_CACHE: '1' },
    });
    expect(result.status).toBe(0);
    const r = JSON.parse(result.stdout.trim().split('\n').pop()!);
    expect(Object.keys(r).sort()).toEqual(['asset', 'batch', 'coldStart', 'concurrency', 'cost', 'machine', 'readApi', 'registry', 'storeCeiling', 'twinMemory', 'warm']);
    expect(r.concurrency.map((c: { level: number }) => c.level)).toEqual([1, 4, 16]);
    expect(r.registry.projections.map((p: { donors: number; kind: string }) => `${p.donors} ${p.kind}`)).toEqual(['9000000 full refresh', '9000000 daily refresh', '9000000 backfill', '42000000 full refresh', '42000000 daily refresh', '42000000 backfill', '42000000 full refresh']);
    expect(r.registry.batch.floorRowsPerSecond).toBeGreaterThan(0);
    expect(r.batch.memory.rows).toBe(500);
    expect(r.twinMemory.map((m: { events: number }) => m.events)).toEqual([20]);
    expect(r.twinMemory[0].peakRssMiB).toBeGreaterThan(0);
    expect(r.storeCeiling.sameWriteWritesPerSecond).toBeGreaterThan(0);
    for (const value of [r.coldStart.handlerMsMedian, r.coldStart.floorMsMedian, r.coldStart.ioFloorMsMedian, r.coldStart.ioFloorCpuMsMedian, r.coldStart.bareIoFloorMsMedian, r.coldStart.bareIoFloorCpuMsMedian, r.coldStart.nodeStartMsMedian, r.coldStart.handlerCpuMsMedian, r.coldStart.floorCpuMsMedian, r.coldStart.handlerImportMsMedian, r.warm.p50Ms, r.warm.p99Ms, r.warm.floorMs, r.warm.floorP99Ms, r.warm.sameRecordPutMs, r.warm.barePutItemMs, r.batch.rowsPerSecond, r.batch.floorRowsPerSecond, r.batch.rowsPerCpuSecond, r.batch.floorRowsPerCpuSecond, r.batch.memory.peakRssMiB, r.asset.unzippedBytes, r.cost.perMillionUpdates.total, r.cost.monthlyFixed.total, r.cost.logBytesPerEvent, r.cost.customMetrics]) {
      expect(value).toBeGreaterThan(0);
    }
    // arm64 is computed from the same duration at a lower price; vpc=true adds interface endpoints.
    expect(r.cost.perMillionUpdatesArm64Computed.lambda).toBeLessThanOrEqual(r.cost.perMillionUpdates.lambda);
    expect(r.cost.monthlyFixedVpc.vpcEndpoints).toBeGreaterThan(0);
    expect(r.cost.monthlyFixed.vpcEndpoints).toBe(0);
    expect(r.cost.prices.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(readFileSync(join(ROOT, 'bench', 'RESULTS.md'), 'utf8')).toBe(committed);
    // The benchmark's own work (synth output, data files, twin folders) is gone, and nothing else
    // (ONNX Runtime's logs, a compile cache) was left: this temporary directory is the run's alone.
    expect(readdirSync(privateTmp)).toEqual([]);
  } finally {
    rmSync(privateTmp, { recursive: true, force: true });
  }
}, 450_000);
