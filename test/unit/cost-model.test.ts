// The cost model's arithmetic against hand-computed figures (prices as of PRICES.asOf).
import { countCustomMetrics, fixedInventory, monthlyFixedCost, perMillionEvents, PRICES } from '../../bench/cost-model';

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
