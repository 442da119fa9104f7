import { parsePipelineConfig, PipelineConfigError } from '../../lib/pipeline-config';

describe('deploy configuration from CDK context', () => {
  it('has sensible defaults', () => {
    expect(parsePipelineConfig({})).toEqual({
      stage: 'dev',
      alertEmails: [],
      alertWindowMinutes: 15,
      vpc: false,
      eventSource: 'registry.donors',
      detailType: 'DonorUpdated',
      architecture: 'x86_64',
      memorySize: 512,
      accountConcurrencyQuota: 1000,
      logRetentionDays: 90,
      refreshSchedule: 'cron(30 2 * * ? *)',
      refreshTimeZone: 'UTC',
      refreshTolerance: 0.002,
      refreshWritesPerSecond: 8000,
      tableWarmWritesPerSecond: 12000,
      // Issue 17: outcomes and model monitoring.
      outcomeDetailType: 'DonorRequestOutcome',
      monitorPsiThreshold: 0.2,
      monitorCalibrationDrift: 0.05,
      monitorAucDrop: 0.05,
      monitorSampleRows: 100_000,
      refreshPeriodDays: 30,
      staleScoreShare: 0.05,
      freshnessMinutes: 360,
      apiAllowedPrincipals: [],
      apiRateLimit: 50,
      apiBurstLimit: 100,
    });
  });

  it('reads command-line strings into typed values', () => {
    expect(parsePipelineConfig({ stage: 'prod', alertEmails: 'a@x.org, b@y.org', memorySize: '1024', reservedConcurrency: '5', logRetentionDays: '30', architecture: 'arm64', eventBusName: 'default' })).toMatchObject({
      stage: 'prod',
      alertEmails: ['a@x.org', 'b@y.org'],
      memorySize: 1024,
      reservedConcurrency: 5,
      logRetentionDays: 30,
      architecture: 'arm64',
      eventBusName: 'default',
    });
  });

  it.each([
    [{ stage: 'Prod!' }, '-c stage="Prod!": must be lowercase letters'],
    [{ alertEmails: 'team-at-example' }, '-c alertEmails="team-at-example": must be comma-separated e-mail addresses'],
    [{ architecture: 'sparc' }, '-c architecture="sparc": must be x86_64 or arm64'],
    [{ memorySize: 'lots' }, '-c memorySize="lots": must be a whole number from 128 to 10240'],
    [{ memorySize: '64' }, '-c memorySize="64": must be a whole number from 128 to 10240'],
    [{ reservedConcurrency: '0' }, '-c reservedConcurrency="0": must be a whole number from 1 to 10000'],
    [{ logRetentionDays: '10' }, "-c logRetentionDays=\"10\": must be one of CloudWatch's retention periods: 1, 3, 5, 7, 14, 30"],
  ])('refuses %j with a message naming the key and the rule', (raw, message) => {
    expect(() => parsePipelineConfig(raw)).toThrow(PipelineConfigError);
    expect(() => parsePipelineConfig(raw)).toThrow(message);
  });

  it('reserves no concurrency unless asked, and reads a file\'s array of addresses like a -c list', () => {
    const config = parsePipelineConfig({ alertEmails: ['a@x.org', 'b@y.org'] });
    expect(config.reservedConcurrency).toBeUndefined();
    expect(config.alertDigestReservedConcurrency).toBeUndefined();
    expect(config.alertEmails).toEqual(['a@x.org', 'b@y.org']);
  });

  it.each([
    // A new account's quota of 10: any reservation would leave fewer than 100 unreserved.
    [{ accountConcurrencyQuota: '10', reservedConcurrency: '1' }, 'at most 0 may be reserved'],
    // The default quota of 1000 allows 900 in all, scoring and digest together.
    [{ reservedConcurrency: '900', alertDigestReservedConcurrency: '1' }, 'reservedConcurrency + alertDigestReservedConcurrency + apiReservedConcurrency = 901'],
    [{ reservedConcurrency: '1000' }, 'at most 900 may be reserved'],
  ])('refuses a reservation %j that leaves Lambda fewer than 100 unreserved', (raw, message) => {
    expect(() => parsePipelineConfig(raw)).toThrow(PipelineConfigError);
    expect(() => parsePipelineConfig(raw)).toThrow(message);
    expect(() => parsePipelineConfig(raw)).toThrow(/ask Service Quotas/);
  });

  it('allows exactly quota minus 100', () => {
    expect(parsePipelineConfig({ reservedConcurrency: '899', alertDigestReservedConcurrency: '1' }).reservedConcurrency).toBe(899);
    expect(parsePipelineConfig({ accountConcurrencyQuota: '200', reservedConcurrency: '100' }).reservedConcurrency).toBe(100);
  });
});
