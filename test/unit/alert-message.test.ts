import { formatAlert } from '../../lambdas/core/alert-message';

const base = { stage: 'prod', logGroupName: '/aws/lambda/score', queueName: 'rejected-q', firstError: 'donor.sex must be one of F, M, U' };

describe('formatAlert', () => {
  it('names stage, class and count in the subject, within SNS limits', () => {
    const { subject } = formatAlert({ ...base, failureClass: 'rejected', count: 3, eventIds: ['a', 'b', 'c'] });
    expect(subject).toBe('[donor-readiness prod] rejected: 3 events');
    const long = formatAlert({ ...base, stage: 'x'.repeat(200), failureClass: 'model', count: 1, eventIds: ['a'] });
    expect(long.subject.length).toBeLessThanOrEqual(100);
  });

  it('says what failed, which events, the first error, where to look and what to do', () => {
    const { body } = formatAlert({ ...base, failureClass: 'rejected', count: 2, eventIds: ['evt-1', 'evt-2'] });
    expect(body).toContain('What failed: 2 DonorUpdated events were rejected');
    expect(body).toContain('Event ids: evt-1, evt-2');
    expect(body).toContain('First error: donor.sex must be one of F, M, U');
    expect(body).toContain('- Log group: /aws/lambda/score');
    expect(body).toContain('- Queue: rejected-q');
    expect(body).toContain('| filter failureClass = "rejected"');
    expect(body).not.toContain('filter eventId in');
    expect(body).toMatch(/Next step: .*then redrive\./);
    expect(body).toContain('Redrive the events kept in rejected-q');
    expect(body).toContain('npx drs redrive --queue rejected-q --function <scoring function name> --dry-run');
  });

  it('lists at most 20 event ids and says how many there were', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `e${i}`);
    const { body } = formatAlert({ ...base, failureClass: 'failed', count: 50, eventIds: ids });
    expect(body).toContain('Event ids (first 20 of 50): e0,');
    expect(body).not.toContain('e20,');
  });
});

describe('a throttled alert', () => {
  it('says the ids are a sample of the count, the window it covers, and names the function to redrive to', () => {
    const { subject, body } = formatAlert({
      ...base,
      failureClass: 'rejected',
      count: 10_000,
      eventIds: ['a', 'b'],
      sampled: true,
      functionName: 'DonorReadiness-prod-Score',
      window: { from: '2026-11-23T08:00:00.000Z', to: '2026-11-23T08:15:00.000Z' },
      windowMinutes: 15,
    });
    expect(subject).toBe('[donor-readiness prod] rejected: 10000 events');
    expect(body).toContain('Count: 10000 (from 2026-11-23T08:00:00.000Z to 2026-11-23T08:15:00.000Z)');
    expect(body).toContain('Sample event ids (2 of 10000): a, b');
    expect(body).toContain('npx drs redrive --queue rejected-q --function DonorReadiness-prod-Score --dry-run');
    expect(body).toContain('At most one e-mail per failure class every 15 minutes');
  });

  it('counts attempts, not events, for failures Lambda retries', () => {
    expect(formatAlert({ ...base, failureClass: 'failed', count: 3, eventIds: ['a'] }).subject).toBe('[donor-readiness prod] failed: 3 attempts');
  });
});

describe('an alert a person can act on', () => {
  const facts = {
    ...base,
    logGroupName: '/donor-readiness/prod/scoring-function',
    failureClass: 'rejected' as const,
    count: 10_004,
    eventIds: ['a', 'b'],
    sampled: true,
    window: { from: '2026-11-23T08:00:03.120Z', to: '2026-11-23T08:15:00.412Z' },
    byKind: { 'revision must be >= 1': 9_000, 'donor.sex must be one of F, M, U': 1_000, 'donorId is required': 3 },
    allClasses: { rejected: 10_004, model: 0, failed: 7 },
  };

  it('counts the failures by field and rule, largest first, and says how many have no kind', () => {
    const { body } = formatAlert(facts);
    expect(body).toContain(['By field and rule:', '  9000  revision must be >= 1', '  1000  donor.sex must be one of F, M, U', '     3  donorId is required', '     1  (kind not recorded)'].join('\n'));
  });

  it('gives the counts of every failure class', () => {
    expect(formatAlert(facts).body).toContain('All failure classes not yet e-mailed: rejected 10004 (this e-mail), model 0, failed 7');
    expect(formatAlert({ ...facts, failureClass: 'failed', count: 7, byKind: { ThrottlingException: 7 } }).body).toContain('By error:\n  7  ThrottlingException');
  });

  it('gives a Logs Insights query over the whole window that selects every failure of the class, not a sample of ids', () => {
    const { body } = formatAlert(facts);
    // The window starts a minute before the first counted failure (its log line is written first).
    expect(body).toContain('- CloudWatch Logs Insights, log group /donor-readiness/prod/scoring-function, time range 2026-11-23T07:59:03Z to 2026-11-23T08:15:01Z (UTC)');
    expect(body).toContain('    | filter failureClass = "rejected"\n    | sort @timestamp asc\n    | limit 10000');
    expect(body).toContain('    | stats count(*) as failures by field, rule, error');
    const start = Math.floor(Date.parse('2026-11-23T08:00:03.120Z') / 1000) - 60;
    const end = Math.ceil(Date.parse('2026-11-23T08:15:00.412Z') / 1000) + 1;
    expect(body).toContain(`aws logs start-query --log-group-name /donor-readiness/prod/scoring-function --start-time ${start} --end-time ${end} --query-string 'fields @timestamp, eventId, failureClass, field, rule, error, message | filter failureClass = "rejected" | sort @timestamp asc | limit 10000'`);
    expect(body).toContain('A query returns at most 10000 rows');
    expect(body).not.toMatch(/eventId in \[/);
  });
});
