// The alert e-mail as one whole text, written out line by line by hand from the template: with
// every part present (counts by kind, tied kinds, kinds not recorded, all classes, the window and
// the shell query, more rows than one query returns), with too many kinds to list, and with none
// of the optional parts. A line added, dropped or changed anywhere turns these red.
import { formatAlert, type AlertFacts } from '../../lambdas/core/alert-message';
import { readDigestConfig } from '../../lambdas/alert-digest/config';

const QUERY = (failureClass: string) => [
  '    fields @timestamp, eventId, failureClass, field, rule, error, message',
  `    | filter failureClass = "${failureClass}"`,
  '    | sort @timestamp asc',
  '    | limit 10000',
  '  the same counted by field and rule (or error):',
  '    fields @timestamp, eventId, failureClass, field, rule, error, message',
  `    | filter failureClass = "${failureClass}"`,
  '    | stats count(*) as failures by field, rule, error',
  '    | sort failures desc',
];
const base = { stage: 'prod', logGroupName: '/aws/lambda/score', firstError: 'revision must be >= 1' };

describe('the whole alert e-mail', () => {
  it('with every part', () => {
    const facts: AlertFacts = {
      ...base,
      failureClass: 'rejected',
      count: 10_004,
      eventIds: ['e1', 'e2'],
      sampled: true,
      queueName: 'rejected-q',
      functionName: 'score-fn',
      // 10:00:00.500 -> the query starts 60 s before, at a whole second; 10:15:00 -> it ends 1 s after.
      window: { from: '2026-11-23T10:00:00.500Z', to: '2026-11-23T10:15:00Z' },
      windowMinutes: 15,
      byKind: { b: 5000, a: 5000, c: 3 },
      allClasses: { model: 2 },
    };
    const { subject, body } = formatAlert(facts);
    expect(subject).toBe('[donor-readiness prod] rejected: 10004 events');
    // 2026-11-23T10:00:00Z is day 20780 since 1970: 20780 * 86400 + 36000 = 1795428000 s.
    expect(body.split('\n')).toEqual([
      'What failed: 10004 DonorUpdated events were rejected: they break the event contract. Rejected events are not retried; each is kept whole in the rejected-events queue with the field and rule it broke.',
      '',
      'Stage: prod',
      'Failure class: rejected',
      'Count: 10004 (from 2026-11-23T10:00:00.500Z to 2026-11-23T10:15:00Z)',
      'By field and rule:',
      '  5000  a',
      '  5000  b',
      '     3  c',
      '     1  (kind not recorded)',
      'All failure classes not yet e-mailed: rejected 10004 (this e-mail), model 2, failed 0',
      'Sample event ids (2 of 10004): e1, e2',
      'First error: revision must be >= 1',
      '',
      'Where to look:',
      '- Log group: /aws/lambda/score',
      '- Queue: rejected-q',
      '- CloudWatch Logs Insights, log group /aws/lambda/score, time range 2026-11-23T09:59:00Z to 2026-11-23T10:15:01Z (UTC): every failure of this e-mail:',
      ...QUERY('rejected'),
      '  or from a shell (then aws logs get-query-results --query-id <the id it prints>):',
      `    aws logs start-query --log-group-name /aws/lambda/score --start-time 1795427940 --end-time 1795428901 --query-string 'fields @timestamp, eventId, failureClass, field, rule, error, message | filter failureClass = "rejected" | sort @timestamp asc | limit 10000'`,
      '  A query returns at most 10000 rows: use the counting query, or split the time range.',
      '',
      'Next step: Tell the registry team which field and rule broke (above) so the publisher is fixed; the registry then re-publishes the record. If the contract itself was wrong, fix and deploy the pipeline first, then redrive.',
      'Redrive the events kept in rejected-q (README, "Redrive"): look first with',
      '    npx drs redrive --queue rejected-q --function score-fn --dry-run',
      'then run it again without --dry-run.',
      '',
      'At most one e-mail per failure class every 15 minutes: failures after this one are counted in the next e-mail.',
      'This e-mail carries event ids only, never donor data.',
    ]);
  });

  it('with more kinds than it lists, and as many failures as one query returns', () => {
    // 32 kinds, k01 counted 32 times down to k32 once: 528 failures, all with a kind.
    const byKind = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`k${String(i + 1).padStart(2, '0')}`, 32 - i]));
    const lines = formatAlert({ ...base, failureClass: 'failed', count: 528, eventIds: ['e1'], queueName: 'failed-q', byKind }).body.split('\n');
    const listed = Array.from({ length: 30 }, (_, i) => `  ${String(32 - i).padStart(2)}  k${String(i + 1).padStart(2, '0')}`);
    expect(lines.slice(4, 37)).toEqual(['Count: 528', 'By error:', ...listed, '  … and 2 more kinds (the counting query below lists them all)']);
    expect(lines[37]).toBe('Event ids: e1');
    const exactly = formatAlert({ ...base, failureClass: 'failed', count: 10_000, eventIds: ['e1'], queueName: 'failed-q', byKind: Object.fromEntries(Object.entries(byKind).slice(0, 30)) }).body;
    expect(exactly).not.toContain('more kinds');
    expect(exactly).not.toContain('A query returns at most');
    // The 30 kinds hold 32 + 31 + ... + 3 = 525 failures: 9,475 have no kind (wider than the column).
    expect(exactly).toContain('\n  9475  (kind not recorded)\n');
  });

  it('heads counts by error for model and other failures, by field and rule for rejected events', () => {
    const heading = (failureClass: AlertFacts['failureClass']) =>
      formatAlert({ ...base, failureClass, count: 2, eventIds: ['e1'], queueName: 'q', byKind: { x: 2 } }).body.split('\n').slice(5, 7);
    expect(heading('model')).toEqual(['By error:', '  2  x']);
    expect(heading('failed')).toEqual(['By error:', '  2  x']);
    expect(heading('rejected')).toEqual(['By field and rule:', '  2  x']);
  });

  it('with none of the optional parts', () => {
    const { subject, body } = formatAlert({ ...base, failureClass: 'model', count: 1, eventIds: ['evt-1'], queueName: 'failed-q', byKind: {} });
    expect(subject).toBe('[donor-readiness prod] model: 1 attempt');
    expect(body.split('\n')).toEqual([
      'What failed: 1 scoring attempt failed because the model could not be loaded or run. Lambda retries each event twice, then keeps it in the failed-scoring queue; nothing is lost.',
      '',
      'Stage: prod',
      'Failure class: model',
      'Count: 1',
      'Event ids: evt-1',
      'First error: revision must be >= 1',
      '',
      'Where to look:',
      '- Log group: /aws/lambda/score',
      '- Queue: failed-q',
      '- CloudWatch Logs Insights, log group /aws/lambda/score: every failure of this class:',
      ...QUERY('model'),
      '',
      'Next step: Check that model/manifest.json and the ONNX file deployed together (same training run) and that the function may read the model bucket; redeploy with npx cdk deploy, then redrive.',
      'Redrive the events kept in failed-q (README, "Redrive"): look first with',
      '    npx drs redrive --queue failed-q --function <scoring function name> --dry-run',
      'then run it again without --dry-run.',
      '',
      'This e-mail carries event ids only, never donor data.',
    ]);
  });

  // npm start writes the digest's e-mails to .drs/outbox: there, the AWS form (--function) cannot find
  // the queue (no region, no AWS); the twin's form re-sends through the twin kept up by --serve.
  it('on the local twin, gives the redrive command that works there, and only there', () => {
    const facts: AlertFacts = { ...base, failureClass: 'failed', count: 3, eventIds: ['e1'], queueName: 'DonorReadiness-local-FailedQ', functionName: 'DonorReadiness-local-Score', byKind: { ThrottlingException: 3 } };
    const aws = formatAlert(facts).body.split('\n');
    const twin = formatAlert({ ...facts, localTwinWorkDir: '.drs' }).body.split('\n');
    const at = aws.indexOf('Redrive the events kept in DonorReadiness-local-FailedQ (README, "Redrive"): look first with');
    expect(aws.slice(at + 1, at + 3)).toEqual(['    npx drs redrive --queue DonorReadiness-local-FailedQ --function DonorReadiness-local-Score --dry-run', 'then run it again without --dry-run.']);
    expect(twin.slice(at + 1, at + 3)).toEqual([
      '    npx drs redrive --twin --queue DonorReadiness-local-FailedQ --dry-run',
      'then run it again without --dry-run. On this machine the queues live only while the twin runs: redrive from a run kept up with npm start -- --serve.',
    ]);
    // Every other line is the same as in AWS.
    expect([...twin.slice(0, at + 1), ...twin.slice(at + 3)]).toEqual([...aws.slice(0, at + 1), ...aws.slice(at + 3)]);
    // Another work dir is named (--twin alone means .drs); one a shell would split is quoted.
    expect(formatAlert({ ...facts, localTwinWorkDir: '/work/runs/a' }).body).toContain('\n    npx drs redrive --twin /work/runs/a --queue DonorReadiness-local-FailedQ --dry-run\n');
    expect(formatAlert({ ...facts, localTwinWorkDir: "my run's dir" }).body).toContain(`\n    npx drs redrive --twin 'my run'\\''s dir' --queue DonorReadiness-local-FailedQ --dry-run\n`);
  });

  it('the digest takes the twin form only where the twin sets LOCAL_TWIN_WORK_DIR (the stack never does)', () => {
    const env = {
      STAGE: 'prod', ALERT_STATE_TABLE_NAME: 't', ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:1:topic', ALERT_WINDOW_MINUTES: '15',
      SCORING_LOG_GROUP_NAME: '/g', SCORING_FUNCTION_NAME: 'fn', REJECTED_QUEUE_NAME: 'r', FAILED_QUEUE_NAME: 'f',
    };
    expect(readDigestConfig(env)).not.toHaveProperty('localTwinWorkDir');
    expect(readDigestConfig({ ...env, LOCAL_TWIN_WORK_DIR: '.drs' }).localTwinWorkDir).toBe('.drs');
  });
});
