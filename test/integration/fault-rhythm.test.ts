// The whole local story of `drs diagnose`: the twin runs with a recurring score-table outage
// (`npm start -- --fault-every … --fault-for …`), and `drs diagnose --twin --json`, run as a user runs
// it, finds the outage's period in the function's log. Small on purpose: a thousand events, enough
// for about ten outages now that the twin delivers 400 events in 3 s (four outages left the rhythm's
// chance at 0.002 against diagnose's 0.001 line, a failure by luck).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recurringScoreTableFault } from '../../twin/recurring-fault';
import { runTwin, type TwinRun } from '../../twin/run-twin';

const DRS = join(__dirname, '..', '..', 'cli', 'drs.cjs');
const EVERY_MS = 800;
const FOR_MS = 350;

let workDir: string;
let run: TwinRun;
let opened: number[];
// The run as a promise of its own: if the hook times out on a loaded machine, the run goes on, and
// afterAll waits for it before it removes the folder, so no endpoint or proxy outlives the file.
let running: Promise<void> | undefined;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'drs-rhythm-'));
  running = runWithOutages();
  return running;
});
afterAll(async () => {
  await running?.catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
}, 300_000);

async function runWithOutages(): Promise<void> {
  const fault = recurringScoreTableFault(EVERY_MS, FOR_MS);
  try {
    run = await runTwin({
      events: 1000,
      badFraction: 0,
      concurrency: 4,
      seed: 18,
      asOf: new Date().toISOString().slice(0, 10),
      workDir,
      alertEmails: 'team@example.org',
      outcomeShare: 0,
      functionEndpoints: fault.endpoints,
    });
  } finally {
    await fault.stop();
  }
  opened = fault.openedAt();
  await run.endpoints.stop();
}

describe('npm start --fault-every, then drs diagnose --twin', () => {
  it('the outages made events fail, and every event is still accounted for', () => {
    expect(opened.length).toBeGreaterThanOrEqual(6);
    expect(run.summary.accounted).toBe(true);
    expect(run.summary.retried.invocations + run.summary.deadLettered).toBeGreaterThan(0);
  });

  it('finds the period at which the outages opened', () => {
    const result = spawnSync(process.execPath, [DRS, 'diagnose', '--twin', workDir, '--json'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    // The windows open on a timer in a busy process: the truth is their measured spacing.
    const gaps = opened.slice(1).map((t, i) => t - opened[i]).sort((a, b) => a - b);
    const spacing = gaps[Math.floor(gaps.length / 2)];
    expect(report.failures).toBeGreaterThan(0);
    expect(report.classes[0].name).toBe('failed');
    // On a failure, say what diagnose saw (failures, span, its periodicity verdict), not only "null".
    if (report.period === null) throw new Error(`no period found: ${JSON.stringify({ failures: report.failures, span: report.span, periodicity: report.periodicity, opened: opened.length, spacing })}`);
    expect(Math.abs(report.period.minutes * 60_000 - spacing)).toBeLessThanOrEqual(0.15 * spacing);
    expect(report.verdict).toContain('They come in a rhythm');
  });
});
