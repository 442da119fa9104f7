// Where the twin's wall clock goes (issue 15, target 4): the scheduler's times parsed, turned into
// shares, and split per event; expected values worked out by hand.
import { parseSchedstat, threadShares } from '../../twin/thread-time';
import { idleShares } from '../../twin/idle-overlap';
import { twinWallLine, twinWallSplit } from '../../bench/twin-threads';

describe('parseSchedstat', () => {
  it('reads time on a CPU and time waiting on a run queue', () => {
    expect(parseSchedstat('1200000000 300000000 4521\n')).toEqual({ onCpuNs: 1_200_000_000, waitingNs: 300_000_000 });
  });
  it.each(['', '12 34', '12 34 56 78', '12 -3 5', 'a b c', '1.5 2 3'])('refuses %j', (text) => {
    expect(parseSchedstat(text)).toBeUndefined();
  });
});

describe('threadShares', () => {
  const before = { onCpuNs: 1e9, waitingNs: 2e9 };
  it('splits the wall clock into on a core, waiting for one, and idle', () => {
    // 2 s of wall: 0.5 s more on a core, 0.3 s more waiting: 25%, 15%, the rest 60% idle.
    const s = threadShares(before, { onCpuNs: 1.5e9, waitingNs: 2.3e9 }, 2)!;
    expect(s.onCpu).toBeCloseTo(0.25, 12);
    expect(s.waitingForCore).toBeCloseTo(0.15, 12);
    expect(s.idle).toBeCloseTo(0.6, 12);
  });
  it('clamps readings taken a moment apart from the wall clock: idle never below 0', () => {
    const s = threadShares(before, { onCpuNs: 2.1e9, waitingNs: 2.2e9 }, 1)!;
    expect(s).toEqual({ onCpu: 1, waitingForCore: 0, idle: 0 });
    const t = threadShares(before, { onCpuNs: 1.8e9, waitingNs: 2.5e9 }, 1)!;
    expect(t.onCpu).toBeCloseTo(0.8, 12);
    expect(t.waitingForCore).toBeCloseTo(0.2, 12);
    expect(t.idle).toBeCloseTo(0, 12);
  });
  it.each([0, -1, NaN])('has no shares of %p seconds', (wall) => {
    expect(threadShares(before, before, wall)).toBeUndefined();
  });
});

describe('idleShares', () => {
  it('turns the sampler counts into shares', () => {
    expect(idleShares({ samples: 200, allIdle: 10, idle: [80, 50] })).toEqual({ samples: 200, allIdle: 0.05, idle: [0.4, 0.25] });
  });
  it('has none without samples', () => {
    expect(idleShares({ samples: 0, allIdle: 0, idle: [0, 0] })).toBeUndefined();
  });
});

describe('twinWallSplit and twinWallLine', () => {
  // 400 events/s: 2.5 ms an event.
  const threads = {
    twinProcess: { onCpu: 0.5, waitingForCore: 0.1, idle: 0.4 },
    endpoints: { onCpu: 0.56, waitingForCore: 0.04, idle: 0.4 },
    bothIdle: 0.02,
  };
  it('splits an event of wall clock between the threads, exactly', () => {
    const s = twinWallSplit(400, threads)!;
    expect(s.wallMs).toBe(2.5);
    expect(s.twin).toEqual({ onCpuMs: 1.25, waitingMs: 0.25, idleMs: 1 });
    expect(s.endpoints).toEqual({ onCpuMs: 1.4, waitingMs: 0.1, idleMs: 1 });
    // busy 0.6 + 0.6 - 1 + 0.02 = 0.22 of 2.5 ms at once; neither 0.02 of 2.5 ms.
    expect(s.bothBusyMs).toBe(0.55);
    expect(s.neitherMs).toBe(0.05);
    // The identity the split rests on: wall = twin busy + endpoints busy - both busy + neither.
    expect(1.5 + 1.5 - s.bothBusyMs + s.neitherMs).toBeCloseTo(s.wallMs, 10);
  });
  it('names what holds the run back, branch by branch', () => {
    expect(twinWallLine(400, threads)).toContain('take turns');
    expect(twinWallLine(400, { ...threads, bothIdle: 0.12 })).toContain('For 12% of delivery neither process had work');
    expect(twinWallLine(400, { ...threads, bothIdle: 0.02, twinProcess: { onCpu: 0.3, waitingForCore: 0.3, idle: 0.4 } })).toContain('taken by other processes');
    expect(twinWallLine(400, { ...threads, twinProcess: { onCpu: 0.85, waitingForCore: 0.06, idle: 0.09 } })).toContain("The twin's thread is busy nearly all the time");
    expect(twinWallLine(400, { ...threads, endpoints: { onCpu: 0.9, waitingForCore: 0.05, idle: 0.05 } })).toContain("The endpoints' thread is busy nearly all the time");
    expect(twinWallLine(400, threads)).toContain('2.5 ms an event');
  });
  it('says nothing without both threads or a rate', () => {
    expect(twinWallLine(400, { twinProcess: threads.twinProcess })).toBe('');
    expect(twinWallLine(400, { ...threads, bothIdle: undefined })).toBe('');
    expect(twinWallLine(0, threads)).toBe('');
    expect(twinWallLine(NaN, threads)).toBe('');
  });
});
