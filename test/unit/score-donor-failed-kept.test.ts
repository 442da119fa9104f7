// A failed event whose strings SQS refuses (U+FFFE, U+FFFF, lone surrogates) is kept by the
// function itself, once, with what failed, and the invocation ends without an error; any other
// failed event is thrown for Lambda to retry and keep. Expected values are written out here.
import { scoreDonorUpdate, type ScoringDeps } from '../../lambdas/score-donor/score-donor-update';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

function deps(failure: unknown, withFailedSink = true) {
  const kept: unknown[] = [];
  const alerts: unknown[] = [];
  const errors: unknown[][] = [];
  const d: ScoringDeps = {
    loadModel: async () => Promise.reject(failure),
    store: { putIfNewer: async () => true },
    rejected: { keep: async () => undefined },
    ...(withFailedSink ? { failed: { keep: async (f) => void kept.push(f) } } : {}),
    alerts: { record: async (a) => void alerts.push(a) },
    log: { info: () => undefined, warn: () => undefined, error: (...args: unknown[]) => void errors.push(args) },
    now: () => new Date('2026-11-23T12:00:00Z'),
  };
  return { d, kept, alerts, errors };
}
const down = () => Object.assign(new Error('down'), { name: 'ServiceUnavailable' });

describe('an event SQS would refuse, when scoring fails', () => {
  it('is kept once, with the error, the time and the event itself, and ends as failed-kept', async () => {
    const f = deps(down());
    const event = { ...donorUpdatedEvent(validDetail(), 'e-fffe'), note: 'x\uFFFEy' };
    expect(await scoreDonorUpdate(event, f.d)).toEqual({ outcome: 'failed-kept', eventId: 'e-fffe', error: 'ServiceUnavailable: down' });
    expect(f.kept).toEqual([{ eventId: 'e-fffe', error: { errorType: 'ServiceUnavailable', errorMessage: 'down' }, keptAt: '2026-11-23T12:00:00.000Z', event }]);
    expect((f.kept[0] as { event: unknown }).event).toBe(event);
    expect(f.alerts).toEqual([{ failureClass: 'failed', eventId: 'e-fffe', error: 'ServiceUnavailable: down', kind: 'ServiceUnavailable' }]);
    expect(f.errors).toEqual([
      ['scoring failed and the event holds characters SQS refuses: kept, escaped, in the failed-scoring queue without retries', { eventId: 'e-fffe', failureClass: 'failed', error: 'ServiceUnavailable' }],
    ]);
  });

  it('names a thrown non-error by its text and cuts a long message at 1000 characters', async () => {
    const event = { ...donorUpdatedEvent(validDetail(), 'e-d800'), note: '\uD800' };
    const text = deps('socket hang up');
    expect(await scoreDonorUpdate(event, text.d)).toEqual({ outcome: 'failed-kept', eventId: 'e-d800', error: 'Error: socket hang up' });
    expect(text.kept).toMatchObject([{ error: { errorType: 'Error', errorMessage: 'socket hang up' } }]);
    const long = deps(Object.assign(new Error('m'.repeat(1500)), { name: 'Timeout' }));
    const result = await scoreDonorUpdate(event, long.d);
    expect(result).toEqual({ outcome: 'failed-kept', eventId: 'e-d800', error: `Timeout: ${'m'.repeat(1000)}` });
  });

  it('is thrown for Lambda when the function has no failed-scoring sink', async () => {
    const f = deps(down(), false);
    await expect(scoreDonorUpdate({ ...donorUpdatedEvent(validDetail(), 'e-ffff'), note: '\uFFFF' }, f.d)).rejects.toThrow('down');
    expect(f.kept).toEqual([]);
  });
});

describe('an event SQS takes as it is, when scoring fails', () => {
  it.each([['plain text', 'ok'], ['an emoji', '😀'], ['a surrogate pair', '\uD83D\uDE00']])('with %s is thrown, not kept', async (_, note) => {
    const f = deps(down());
    await expect(scoreDonorUpdate({ ...donorUpdatedEvent(validDetail(), 'e-ok'), note }, f.d)).rejects.toThrow('down');
    expect(f.kept).toEqual([]);
    expect(f.alerts).toHaveLength(1);
  });
});
