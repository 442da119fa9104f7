// The cost model: what the stack costs a month before any event (alarms, dashboard, KMS keys,
// custom metrics, the digest schedule, VPC endpoints when vpc=true) and what each event adds
// (Lambda, DynamoDB, EventBridge, its log lines, the archive). Counts come from the synthesized
// template and the measured run, prices from PRICES; pure, so a test can check the arithmetic.

/** Unit prices: AWS public list prices for us-east-1 as last checked (see asOf); re-check before budgeting. */
export const PRICES = {
  asOf: '2025-12-01',
  region: 'us-east-1',
  lambdaGbSecondX86: 0.0000166667,
  lambdaGbSecondArm: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  dynamoDbPerMillionWriteUnits: 0.625,
  eventBridgePerMillionCustomEvents: 1.0,
  snsPerMillionPublishes: 0.5,
  /** Standard-resolution alarm, per alarm a month. */
  alarmPerMonth: 0.1,
  /** Per dashboard a month (an account's first three are free; not assumed here). */
  dashboardPerMonth: 3.0,
  /** Per custom metric (name x dimension set) a month, first 10,000 tier. */
  customMetricPerMonth: 0.3,
  kmsKeyPerMonth: 1.0,
  kmsPerTenThousandRequests: 0.03,
  logIngestionPerGb: 0.5,
  logStoragePerGbMonth: 0.03,
  /** Interface VPC endpoint, per endpoint per AZ an hour. */
  interfaceEndpointPerAzHour: 0.01,
  /** EventBridge archive: per GB of events archived (storage is billed at S3-like rates, small). */
  archivePerGbProcessed: 0.1,
} as const;

const HOURS_A_MONTH = 730;
const MINUTES_A_MONTH = HOURS_A_MONTH * 60;
const r2 = (x: number) => Math.round(x * 100) / 100;

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export interface Template {
  Resources: Record<string, TemplateResource>;
}

/** What the template creates that is billed by the month whether or not events arrive. */
export interface FixedInventory {
  alarms: number;
  dashboards: number;
  kmsKeys: number;
  /** Interface endpoints x the subnets (AZs) each one sits in; 0 without vpc=true. */
  interfaceEndpointAzs: number;
  /** Functions run by a schedule every minute (the alert digest). */
  everyMinuteFunctions: { memoryMiB: number }[];
}

export function fixedInventory(template: Template): FixedInventory {
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const interfaceEndpointAzs = ofType('AWS::EC2::VPCEndpoint')
    .filter(([, r]) => r.Properties?.VpcEndpointType === 'Interface')
    .reduce((sum, [, r]) => sum + ((r.Properties?.SubnetIds as unknown[] | undefined)?.length ?? 1), 0);
  // Every-minute targets: the rule's (or schedule's) Lambda targets, resolved to their memory size.
  const memoryOf = (ref: unknown): number | undefined => {
    const id = (ref as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
    const fn = id ? template.Resources[id] : undefined;
    return fn?.Type === 'AWS::Lambda::Function' ? Number(fn.Properties?.MemorySize ?? 128) : undefined;
  };
  const everyMinuteFunctions = ofType('AWS::Events::Rule')
    .filter(([, r]) => /^rate\(1 minute\)$|^cron\(\* \* \* \* \? \*\)$/.test(String(r.Properties?.ScheduleExpression ?? '')))
    .flatMap(([, r]) => ((r.Properties?.Targets as { Arn: unknown }[] | undefined) ?? []).map((t) => memoryOf(t.Arn)))
    .filter((m): m is number => m !== undefined)
    .map((memoryMiB) => ({ memoryMiB }));
  return {
    alarms: ofType('AWS::CloudWatch::Alarm').length,
    dashboards: ofType('AWS::CloudWatch::Dashboard').length,
    kmsKeys: ofType('AWS::KMS::Key').length,
    interfaceEndpointAzs,
    everyMinuteFunctions,
  };
}

export interface MonthlyFixedCost {
  alarms: number;
  dashboard: number;
  kms: number;
  customMetrics: number;
  digestSchedule: number;
  vpcEndpoints: number;
  total: number;
}

/**
 * `customMetrics`: distinct metric name x dimension set the functions publish (read off their EMF
 * lines); `digestMs`: billed duration of one digest run with nothing to send.
 */
export function monthlyFixedCost(inventory: FixedInventory, customMetrics: number, digestMs: number): MonthlyFixedCost {
  const digest = inventory.everyMinuteFunctions.reduce(
    (sum, f) => sum + MINUTES_A_MONTH * ((PRICES.lambdaPerMillionRequests / 1e6) + (digestMs / 1000) * (f.memoryMiB / 1024) * PRICES.lambdaGbSecondX86),
    0,
  );
  const parts = {
    alarms: r2(inventory.alarms * PRICES.alarmPerMonth),
    dashboard: r2(inventory.dashboards * PRICES.dashboardPerMonth),
    kms: r2(inventory.kmsKeys * PRICES.kmsKeyPerMonth),
    customMetrics: r2(customMetrics * PRICES.customMetricPerMonth),
    digestSchedule: r2(digest),
    vpcEndpoints: r2(inventory.interfaceEndpointAzs * HOURS_A_MONTH * PRICES.interfaceEndpointPerAzHour),
  };
  return { ...parts, total: r2(Object.values(parts).reduce((a, b) => a + b, 0)) };
}

export interface PerEventInputs {
  /** Billed milliseconds per event (1 ms granularity). */
  billedMs: number;
  memoryMiB: number;
  /** DynamoDB write units per stored score (1 KB each). */
  writeUnits: number;
  /** Log bytes the function writes per event (its log line and metric line). */
  logBytes: number;
  /** Size of the event as archived. */
  eventBytes: number;
  architecture: 'x86_64' | 'arm64';
}

export interface PerMillionCost {
  lambda: number;
  dynamodb: number;
  eventbridge: number;
  logs: number;
  archive: number;
  sns: number;
  total: number;
}

/** The cost of a million donor updates through the event path. */
export function perMillionEvents(inputs: PerEventInputs): PerMillionCost {
  const gbSecondPrice = inputs.architecture === 'arm64' ? PRICES.lambdaGbSecondArm : PRICES.lambdaGbSecondX86;
  const gbSeconds = (inputs.billedMs / 1000) * (inputs.memoryMiB / 1024);
  const gb = (bytes: number) => (1e6 * bytes) / 2 ** 30;
  const parts = {
    lambda: r2(1e6 * gbSeconds * gbSecondPrice + PRICES.lambdaPerMillionRequests),
    dynamodb: r2(inputs.writeUnits * PRICES.dynamoDbPerMillionWriteUnits),
    eventbridge: r2(PRICES.eventBridgePerMillionCustomEvents),
    logs: r2(gb(inputs.logBytes) * (PRICES.logIngestionPerGb + PRICES.logStoragePerGbMonth)),
    archive: r2(gb(inputs.eventBytes) * PRICES.archivePerGbProcessed),
    sns: 0,
  };
  return { ...parts, total: r2(Object.values(parts).reduce((a, b) => a + b, 0)) };
}

/** Distinct metric name x dimension set in EMF log lines (`_aws.CloudWatchMetrics`). */
export function countCustomMetrics(logLines: Iterable<string>): number {
  const seen = new Set<string>();
  for (const line of logLines) {
    if (!line.includes('"_aws"')) continue;
    let parsed: { _aws?: { CloudWatchMetrics?: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] } } & Record<string, unknown>;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    for (const directive of parsed._aws?.CloudWatchMetrics ?? []) {
      for (const dimensions of directive.Dimensions) {
        const values = dimensions.map((d) => `${d}=${String(parsed[d])}`).join(',');
        for (const metric of directive.Metrics) seen.add(`${directive.Namespace}/${metric.Name}/${values}`);
      }
    }
  }
  return seen.size;
}
