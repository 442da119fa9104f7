// Issue 17 in the synthesized template: the outcome rule, function and prediction log; the
// monitoring run, its report bucket, schedules and alarms (drift, stale scores, freshness).
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildPipelineApp } from '../../lib/pipeline-app';

const { stack } = buildPipelineApp({ context: { stage: 'prod', alertEmails: 'team@example.org', freshnessQuietHoursUtc: '22-6', freshnessMinutes: '120', monitorPsiThreshold: '0.25' } });
const template = Template.fromStack(stack);
const resources = template.toJSON().Resources as Record<string, any>;
const only = (type: string, prefix: string) => {
  const found = Object.keys(resources).filter((k) => resources[k].Type === type && k.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} under ${prefix}, found ${found.join(', ')}`);
  return found[0];
};
const id = {
  scoreTable: only('AWS::DynamoDB::Table', 'ScoreStore'),
  outcomeTable: only('AWS::DynamoDB::Table', 'OutcomeLog'),
  outcomeFn: only('AWS::Lambda::Function', 'OutcomeLog'),
  outcomeRule: only('AWS::Events::Rule', 'OutcomeLog'),
  rejected: only('AWS::SQS::Queue', 'OutcomeLogRejectedOutcomes'),
  undelivered: only('AWS::SQS::Queue', 'OutcomeLogUndelivered'),
  monitorFn: only('AWS::Lambda::Function', 'ModelMonitoring'),
  reports: only('AWS::S3::Bucket', 'ModelMonitoringReports'),
  modelBucket: only('AWS::S3::Bucket', 'ModelStoreBucket'),
  topic: only('AWS::SNS::Topic', 'Alerting'),
  key: only('AWS::KMS::Key', 'DataKey'),
  runBucket: only('AWS::S3::Bucket', 'RegistryRefreshRunBucket'),
};
const arn = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const statementsOf = (fnId: string) => {
  const role = resources[fnId].Properties.Role['Fn::GetAtt'][0];
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: { Ref: string }) => x.Ref === role))
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
};

describe('the prediction log', () => {
  it('matches DonorRequestOutcome events with its own rule, retries 24 h and keeps undeliverable events', () => {
    expect(resources[id.outcomeRule].Properties.EventPattern).toEqual({ source: ['registry.donors'], 'detail-type': ['DonorRequestOutcome'] });
    expect(resources[id.outcomeRule].Properties.Targets).toEqual([
      expect.objectContaining({ Arn: arn(id.outcomeFn), RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 }, DeadLetterConfig: { Arn: arn(id.undelivered) } }),
    ]);
  });

  it('keys the encrypted, recoverable outcome table by request id', () => {
    expect(resources[id.outcomeTable].Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'requestId', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: arn(id.key) },
    });
    expect(resources[id.outcomeTable].DeletionPolicy).toBe('Retain');
  });

  it('runs the outcome handler with exactly the grants it needs', () => {
    const fn = resources[id.outcomeFn].Properties;
    expect(fn.Handler).toBe('index.handler');
    expect(fn.Environment.Variables).toMatchObject({
      OUTCOME_TABLE_NAME: { Ref: id.outcomeTable },
      SCORE_TABLE_NAME: { Ref: id.scoreTable },
      REJECTED_QUEUE_URL: { Ref: id.rejected },
    });
    const statements = statementsOf(id.outcomeFn);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'dynamodb:PutItem', Resource: arn(id.outcomeTable) }),
      expect.objectContaining({ Action: 'dynamodb:GetItem', Resource: arn(id.scoreTable) }),
      expect.objectContaining({ Action: 'sqs:SendMessage', Resource: expect.arrayContaining([arn(id.rejected)]) }),
    ]));
    // It never writes scores.
    expect(statements.filter((s) => JSON.stringify(s.Resource).includes(id.scoreTable)).map((s) => s.Action)).toEqual(['dynamodb:GetItem']);
  });

  it('alarms to the alert topic when an outcome is rejected', () => {
    const alarms = Object.values(resources).filter(
      (r) => r.Type === 'AWS::CloudWatch::Alarm' && JSON.stringify(r.Properties.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [id.rejected, 'QueueName'] } }]),
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0].Properties).toMatchObject({ Threshold: 0, AlarmActions: [{ Ref: id.topic }], OKActions: [{ Ref: id.topic }] });
    expect(JSON.stringify(alarms[0].Properties.AlarmDescription)).toContain('a DonorRequestOutcome event that is not in the prediction log');
  });
});

describe('the monitoring run', () => {
  it('keeps reports in a versioned, KMS-encrypted, private bucket the function may only write reports/ of', () => {
    expect(resources[id.reports].Properties).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [expect.objectContaining({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: arn(id.key) } })] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const statements = statementsOf(id.monitorFn);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [arn(id.reports), '/reports/*']] } }),
      expect.objectContaining({ Action: 'sns:Publish', Resource: { Ref: id.topic } }),
      expect.objectContaining({ Action: ['dynamodb:DescribeTable', 'dynamodb:Scan'], Resource: arn(id.scoreTable) }),
      expect.objectContaining({ Action: 'dynamodb:Scan', Resource: arn(id.outcomeTable) }),
    ]));
    expect(statements.some((s) => JSON.stringify(s.Action).match(/PutItem|UpdateItem|DeleteItem/))).toBe(false);
  });

  it("reads the refresh's snapshots (list snapshots/, read its objects) and the scoring metrics, nothing more", () => {
    const statements = statementsOf(id.monitorFn);
    expect(resources[id.monitorFn].Properties.Environment.Variables).toMatchObject({ SNAPSHOT_BUCKET: { Ref: id.runBucket } });
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 's3:ListBucket', Resource: arn(id.runBucket), Condition: { StringLike: { 's3:prefix': ['snapshots/', 'snapshots/*'] } } }),
      expect.objectContaining({ Action: 's3:GetObject', Resource: expect.arrayContaining([{ 'Fn::Join': ['', [arn(id.runBucket), '/snapshots/*']] }]) }),
      { Action: 'cloudwatch:GetMetricData', Effect: 'Allow', Resource: '*' },
    ]));
    // '*' only for the one read-only action that has no resource-level permission.
    expect(statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')))).toEqual([{ Action: 'cloudwatch:GetMetricData', Effect: 'Allow', Resource: '*' }]);
    expect(statements.some((s) => s.Resource?.['Fn::Join']?.[1]?.[0]?.['Fn::GetAtt']?.[0] === id.runBucket && JSON.stringify(s.Action).includes('Put'))).toBe(false);
  });

  it('passes the thresholds from context and runs daily, plus a weekly run that e-mails', () => {
    const fn = resources[id.monitorFn].Properties;
    expect(fn.Handler).toBe('index.handler');
    expect(JSON.parse(fn.Environment.Variables.MONITOR_THRESHOLDS)).toMatchObject({ psi: 0.25, calibrationDrift: 0.05, aucDrop: 0.05 });
    expect(fn.Environment.Variables).toMatchObject({ REPORT_BUCKET: { Ref: id.reports }, ALERT_TOPIC_ARN: { Ref: id.topic }, SCORE_SAMPLE_ROWS: '100000' });
    const schedules = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.Targets?.[0]?.Arn?.['Fn::GetAtt']?.[0] === id.monitorFn);
    expect(schedules.map((r) => [r.Properties.ScheduleExpression, r.Properties.Targets[0].Input ?? null]).sort()).toEqual([
      ['cron(0 6 ? * MON *)', JSON.stringify({ weeklyEmail: true })],
      ['cron(30 5 * * ? *)', null],
    ]);
  });

  it('alarms on drift and stale scores from the run, and on silence from the scoring function outside quiet hours', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({
      MetricName: 'DriftDetected',
      Namespace: 'DonorReadiness',
      Dimensions: Match.arrayWith([{ Name: 'service', Value: 'monitor-model' }]),
      Threshold: 1,
      AlarmActions: [{ Ref: id.topic }],
      OKActions: [{ Ref: id.topic }],
    }));
    template.hasResourceProperties('AWS::CloudWatch::Alarm', Match.objectLike({ MetricName: 'StaleScoreShare', Threshold: 0.05, AlarmActions: [{ Ref: id.topic }] }));
    const unscored = Object.entries(resources).find(([k]) => k.includes('UnscoredDonorsAlarm'))![1].Properties;
    expect(unscored).toMatchObject({ ComparisonOperator: 'GreaterThanThreshold', Threshold: 0.01, TreatMissingData: 'notBreaching', AlarmActions: [{ Ref: id.topic }] });
    expect(unscored.Metrics.find((m: any) => m.Expression).Expression).toBe('MAX([stored, requested])');
    expect(unscored.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.MetricName).sort()).toEqual(['RequestsWithoutScoreShare', 'UnscoredShare']);
    const freshness = Object.entries(resources).find(([k]) => k.includes('ScoringFreshnessAlarm'))![1].Properties;
    expect(freshness).toMatchObject({ TreatMissingData: 'breaching', ComparisonOperator: 'LessThanThreshold', Threshold: 1, AlarmActions: [{ Ref: id.topic }] });
    const expressions = freshness.Metrics.map((m: any) => m.Expression).filter(Boolean);
    expect(expressions).toEqual(expect.arrayContaining(['IF(HOUR(s) >= 22 OR HOUR(s) < 6, 1, s)', 'FILL(m, 0)']));
    const scored = freshness.Metrics.find((m: any) => m.MetricStat)?.MetricStat;
    expect(scored).toMatchObject({ Metric: { MetricName: 'Scored', Namespace: 'DonorReadiness', Dimensions: expect.arrayContaining([{ Name: 'service', Value: 'score-donor' }]) }, Period: 7200, Stat: 'Sum' });
  });

  it('refuses bad monitoring context with a message naming the key', () => {
    expect(() => buildPipelineApp({ context: { freshnessQuietHoursUtc: '25-3' } })).toThrow('-c freshnessQuietHoursUtc="25-3": must be two UTC hours FROM-TO, e.g. 22-6');
    expect(() => buildPipelineApp({ context: { monitorPsiThreshold: 'high' } })).toThrow('monitorPsiThreshold');
  });
});
