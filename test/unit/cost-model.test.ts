// The cost model's arithmetic against hand-computed figures (prices as of PRICES.asOf).
import { countCustomMetrics, fixedInventory, monthlyFixedCost, perMillionEvents, PRICES, registryRunCost } from '../../bench/cost-model';

const template = {
  Resources: {
    A1: { Type: 'AWS::CloudWatch::Alarm' },
    A2: { Type: 'AWS::CloudWatch::Alarm' },
    A3: { Type: 'AWS::CloudWatch::Alarm' },
    Dash: { Type: 'AWS::CloudWatch::Dashboard' },
    Key: { Type: 'AWS::KMS::Key' },
    Digest: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 256 } },
    Scoring: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 512 } },
    EveryMinute: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 minute)', Targets: [{ Arn: { 'Fn::GetAtt': ['Digest', 'Arn'] } }] } },
    Hourly: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)', Targets: [{ Arn: { 'Fn::GetAtt': ['Scoring', 'Arn'] } }] } },
    Sqs: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] } },
    Sns: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] } },
    S3: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
  },
};

it('counts what a template bills by the month: alarms, dashboards, keys, interface endpoints per AZ, every-minute functions', () => {
  expect(fixedInventory(template)).toEqual({ alarms: 3, dashboards: 1, kmsKeys: 1, interfaceEndpointAzs: 4, everyMinuteFunctions: [{ memoryMiB: 256 }] });
  expect(fixedInventory({ Resources: {} })).toEqual({ alarms: 0, dashboards: 0, kmsKeys: 0, interfaceEndpointAzs: 0, everyMinuteFunctions: [] });
});

it('prices a month of the fixed parts by hand', () => {
  const cost = monthlyFixedCost(fixedInventory(template), 8, 100);
  // 43,800 digest runs: $0.00876 in requests + 43,800 x 0.1 s x 0.25 GB x $0.0000166667 = $0.01825; 2 endpoints x 2 AZs x 730 h x $0.01.
  expect(cost).toEqual({ alarms: 0.3, dashboard: 3, kms: 1, customMetrics: 2.4, digestSchedule: 0.03, vpcEndpoints: 29.2, total: 35.93 });
});

it('prices a million events on x86_64, and on arm64 from the same duration at arm64 prices', () => {
  const inputs = { billedMs: 3, memoryMiB: 512, writeUnits: 2, logBytes: 1024, eventBytes: 1024 };
  // 1e6 x 0.003 s x 0.5 GB = 1,500 GB-s.
  const x86 = perMillionEvents({ ...inputs, architecture: 'x86_64' });
  expect(x86.lambda).toBe(Math.round((1500 * PRICES.lambdaGbSecondX86 + 0.2) * 100) / 100); // 0.225 -> 0.23
  expect(x86).toMatchObject({ lambda: 0.23, dynamodb: 1.25, eventbridge: 1, logs: 0.51, archive: 0.1, sns: 0 });
  expect(x86.total).toBe(3.09);
  const arm = perMillionEvents({ ...inputs, architecture: 'arm64' });
  expect(arm.lambda).toBe(0.22); // 1,500 x $0.0000133334 + $0.2 = $0.22
  expect(arm.total).toBe(3.08);
});

it('counts distinct metric x dimension sets in EMF lines and skips lines that are not metrics', () => {
  const emf = (names: string[], stage: string) =>
    JSON.stringify({ _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'DonorReadiness', Dimensions: [['service', 'stage']], Metrics: names.map((Name) => ({ Name, Unit: 'Count' })) }] }, service: 'score-donor', stage });
  const lines = [emf(['Scored', 'ScoringLatency'], 'prod'), emf(['Scored'], 'prod'), emf(['Stale'], 'prod'), emf(['Scored'], 'dev'), '{"level":"INFO","message":"scored"}', '{"_aws": broken', ''];
  expect(countCustomMetrics(lines)).toBe(4);
  expect(countCustomMetrics([])).toBe(0);
});

it('prices and times a registry run by hand: a full refresh of a million donors at 4,000 writes/s', () => {
  const run = registryRunCost({
    kind: 'full refresh', donors: 1_000_000, rowsPerSecondPerCore: 10_000, itemBytes: 924, writeUnitsPerWrite: 1, lineBytes: 1000, gzipRatio: 0.2,
    writtenShare: 1, rowsPerBatch: 100, writesPerSecond: 4000, writesPerSecondPerFunction: 400, memoryMiB: 1024, architecture: 'x86_64',
  });
  // 10 functions; 10,000 batches x (0.01 s CPU + 100 writes / 400 a second) = 2,600 function-s / 10 = 260 s; the map reads the export itself.
  expect(run).toMatchObject({ minutes: 4.3, functions: 10, tableWriteUnitsPerSecond: 4000, sourceFiles: 1 });
  // Writes 1e6 x $0.625/M; export 1e6 x 1,024 B = 0.954 GiB x $0.1; Lambda 2,600 GB-s + 10,002 requests; Express 10,000 requests +
  // 162.5 GB-s, + 60 transitions; S3 15 PUT + 10,000 GET + 0.19 GB (gzip) x 7/30 months; logs 12 MB.
  expect(run.dollars).toEqual({ dynamodbWrites: 0.63, dynamodbExport: 0.1, lambda: 0.05, stepFunctions: 0.01, s3: 0.01, logs: 0.01, total: 0.79 });
  const daily = registryRunCost({ kind: 'daily refresh', donors: 1_000_000, rowsPerSecondPerCore: 10_000, itemBytes: 924, writeUnitsPerWrite: 1, lineBytes: 1000, gzipRatio: 0.2, writtenShare: 0.1, rowsPerBatch: 100, writesPerSecond: 4000, writesPerSecondPerFunction: 400, memoryMiB: 1024, architecture: 'arm64' });
  // A tenth written: 10,000 x (0.01 + 10 / 400) = 350 function-s / 10 = 35 s; writes $0.0625; arm64 GB-s price.
  expect(daily.minutes).toBe(0.6);
  expect(daily.dollars.dynamodbWrites).toBe(0.06);
  expect(daily.dollars.lambda).toBe(Math.round((350 * PRICES.lambdaGbSecondArm + 10_002 * 0.2e-6) * 100) / 100);
  const backfill = registryRunCost({ kind: 'backfill', donors: 1_000_000, rowsPerSecondPerCore: 10_000, itemBytes: 924, writeUnitsPerWrite: 1, lineBytes: 1000, gzipRatio: 0.2, writtenShare: 1, rowsPerBatch: 400, writesPerSecond: 4000, writesPerSecondPerFunction: 400, memoryMiB: 1024, architecture: 'x86_64' });
  expect(backfill.dollars.dynamodbExport).toBe(0); // a backfill reads the uploaded export, not the table
  expect(backfill.minutes).toBe(4.3); // 2,500 x (0.04 + 1) = 2,600 s / 10 = 260 s
  expect(backfill.sourceFiles).toBe(1); // 1 GB: one file will do
  // 42 M rows of 614 B = 25.8 GB: the reader's 10 GB per object needs three files under one prefix.
  const big = registryRunCost({ kind: 'backfill', donors: 42_000_000, rowsPerSecondPerCore: 10_000, itemBytes: 924, writeUnitsPerWrite: 1, lineBytes: 614, gzipRatio: 0.2, writtenShare: 1, rowsPerBatch: 400, writesPerSecond: 8000, writesPerSecondPerFunction: 400, memoryMiB: 1024, architecture: 'x86_64' });
  expect(big.sourceFiles).toBe(3);
  expect(big.arithmetic[0]).toMatch(/split into >= 3 files of <= 10 GB under one source.prefix/);
  // A 42 M full refresh: 420,000 batches x (0.01 + 0.25) = 109,200 function-s / 20 functions = 5,460 s = 91 min, within the 6 h execution timeout.
  const refresh42 = registryRunCost({ kind: 'full refresh', donors: 42_000_000, rowsPerSecondPerCore: 10_000, itemBytes: 924, writeUnitsPerWrite: 1, lineBytes: 1500, gzipRatio: 0.1, writtenShare: 1, rowsPerBatch: 100, writesPerSecond: 8000, writesPerSecondPerFunction: 400, memoryMiB: 1024, architecture: 'x86_64' });
  expect(refresh42.minutes).toBe(91);
});
