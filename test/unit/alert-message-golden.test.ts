// The alert e-mail word for word (golden text, read and approved by a person), and each branch of
// its wording: singular and plural, each failure class, sampled and truncated id lists.
import { formatAlert, redriveCommand, type AlertFacts } from '../../lambdas/core/alert-message';

const base = { stage: 'prod', logGroupName: '/aws/lambda/score', queueName: 'rejected-q', firstError: 'donor.sex must be one of F, M, U' };
const alert = (facts: Partial<AlertFacts>) => formatAlert({ ...base, failureClass: 'rejected', count: 1, eventIds: ['evt-1'], ...facts });

describe('the alert e-mail, word for word', () => {
  it('for one rejected event', () => {
    const { subject, body } = alert({});
    expect(subject).toBe('[donor-readiness prod] rejected: 1 event');
    for (const line of [
      'What failed: 1 DonorUpdated event was rejected: it breaks the event contract. Rejected events are not retried; each is kept whole in the rejected-events queue with the field and rule it broke.',
      'Stage: prod',
      'Failure class: rejected',
      'Count: 1',
      'Event ids: evt-1',
      'First error: donor.sex must be one of F, M, U',
      '- Log group: /aws/lambda/score',
      '- Queue: rejected-q',
      'Next step: Tell the registry team which field and rule broke (above) so the publisher is fixed; the registry then re-publishes the record. If the contract itself was wrong, fix and deploy the pipeline first, then redrive.',
      '    npx drs redrive --queue rejected-q --function <scoring function name> --dry-run',
      'This e-mail carries event ids only, never donor data.',
    ]) expect(body.split('\n')).toContain(line);
  });

  it('for model failures: what failed and what to do', () => {
    const one = alert({ failureClass: 'model', queueName: 'failed-q' });
    expect(one.subject).toBe('[donor-readiness prod] model: 1 attempt');
    expect(one.body.split('\n')[0]).toBe('What failed: 1 scoring attempt failed because the model could not be loaded or run. Lambda retries each event twice, then keeps it in the failed-scoring queue; nothing is lost.');
    expect(one.body).toContain('\nNext step: Check that model/manifest.json and the ONNX file deployed together (same training run) and that the function may read the model bucket; redeploy with npx cdk deploy, then redrive.\n');
    const two = alert({ failureClass: 'model', count: 2 });
    expect(two.subject).toBe('[donor-readiness prod] model: 2 attempts');
    expect(two.body.split('\n')[0]).toBe('What failed: 2 scoring attempts failed because the model could not be loaded or run. Lambda retries each event twice, then keeps it in the failed-scoring queue; nothing is lost.');
  });

  it('for other scoring failures: what failed and what to do', () => {
    const one = alert({ failureClass: 'failed' });
    expect(one.subject).toBe('[donor-readiness prod] failed: 1 attempt');
    expect(one.body.split('\n')[0]).toBe('What failed: 1 scoring attempt failed (DynamoDB, SQS or an unexpected error). Lambda retries each event twice; an event that fails every attempt is kept in the failed-scoring queue.');
    expect(one.body).toContain('\nNext step: Read the log lines for these event ids (query above) to find the cause (DynamoDB throttling, permissions, a bug) and fix it, then redrive.\n');
    expect(alert({ failureClass: 'failed', count: 2 }).body.split('\n')[0]).toBe('What failed: 2 scoring attempts failed (DynamoDB, SQS or an unexpected error). Lambda retries each event twice; an event that fails every attempt is kept in the failed-scoring queue.');
  });

  it('for several rejected events', () => {
    const { subject, body } = alert({ count: 2, eventIds: ['evt-1', 'evt-2'] });
    expect(subject).toBe('[donor-readiness prod] rejected: 2 events');
    expect(body.split('\n')[0]).toBe('What failed: 2 DonorUpdated events were rejected: they break the event contract. Rejected events are not retried; each is kept whole in the rejected-events queue with the field and rule it broke.');
    expect(body).toContain('\nEvent ids: evt-1, evt-2\n');
  });
});

describe('alert details', () => {
  it('cuts the subject at exactly 100 characters (the SNS limit)', () => {
    const { subject } = alert({ stage: 'x'.repeat(200) });
    expect(subject).toBe(`[donor-readiness ${'x'.repeat(200)}`.slice(0, 100));
    expect(subject).toHaveLength(100);
  });

  it('lists 20 ids in full, and says "first 20 of N" past that', () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);
    expect(alert({ count: 20, eventIds: ids(20) }).body).toContain(`\nEvent ids: ${ids(20).join(', ')}\n`);
    const body = alert({ count: 21, eventIds: ids(21) }).body;
    expect(body).toContain(`\nEvent ids (first 20 of 21): ${ids(20).join(', ')}\n`);
  });

  it('calls a sampled list a sample of the count', () => {
    expect(alert({ count: 500, eventIds: ['a', 'b'], sampled: true }).body).toContain('\nSample event ids (2 of 500): a, b\n');
    expect(alert({ count: 500, eventIds: ['a', 'b'], sampled: false }).body).toContain('\nEvent ids: a, b\n');
  });

  it('states the window and the throttling only when they are given', () => {
    const plain = alert({});
    expect(plain.body).toContain('\nCount: 1\n');
    expect(plain.body).not.toContain('At most one e-mail');
    const throttled = alert({ window: { from: '2026-11-23T08:00:00.000Z', to: '2026-11-23T08:15:00.000Z' }, windowMinutes: 15 });
    expect(throttled.body).toContain('\nCount: 1 (from ');
    expect(throttled.body).toContain('At most one e-mail per failure class every 15 minutes');
  });

  it('names the function in the redrive command when it is known', () => {
    expect(redriveCommand('q1', 'fn-1')).toBe('npx drs redrive --queue q1 --function fn-1 --dry-run');
    expect(redriveCommand('q1')).toBe('npx drs redrive --queue q1 --function <scoring function name> --dry-run');
    // The twin's form: `--twin` alone for npm start's default .drs, with or without trailing slashes;
    // any other work dir named, as written.
    for (const dir of ['.drs', '.drs/', '.drs//']) expect(redriveCommand('q1', 'fn-1', dir)).toBe('npx drs redrive --twin --queue q1 --dry-run');
    expect(redriveCommand('q1', 'fn-1', '/.drs')).toBe('npx drs redrive --twin /.drs --queue q1 --dry-run');
    expect(redriveCommand('q1', undefined, 'runs/.drs')).toBe('npx drs redrive --twin runs/.drs --queue q1 --dry-run');
  });
});
