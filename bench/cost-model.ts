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
  // Registry runs (bench/registry-bench.ts).
  /** DynamoDB export to S3 (point in time): per GB of table size. */
  dynamoDbExportPerGb: 0.1,
  /** Step Functions Standard (the run's parent execution): per 1,000 state transitions. */
  stepFunctionsPerThousandTransitions: 0.025,
  /** Step Functions Express (the map's child workflows): per million requests, and per GB-second (first 1,000 GB-hours). */
  expressPerMillionRequests: 1.0,
  expressGbSecond: 0.00001667,
  s3PutPerThousand: 0.005,
  s3GetPerThousand: 0.0004,
  s3StandardPerGbMonth: 0.023,
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

/** What one registry run (lib/registry-refresh.ts) costs and takes, from measured figures and PRICES. */
export interface RegistryRunInputs {
  kind: 'backfill' | 'full refresh' | 'daily refresh';
  donors: number;
  /** Measured: rows a second the batch engine scores on one core (1,769 MB is one vCPU). */
  rowsPerSecondPerCore: number;
  /** Measured: mean stored item size (DynamoDB's measure) and mean write units per write. */
  itemBytes: number;
  writeUnitsPerWrite: number;
  /** Measured: mean bytes of one row the map reads (a snapshot line in DynamoDB JSON, or an export row). */
  lineBytes: number;
  /** Measured: compressed / uncompressed size of the table export's gzip files. */
  gzipRatio: number;
  /** Share of donors written: 1 for a backfill or full refresh; the measured daily mean otherwise. */
  writtenShare: number;
  rowsPerBatch: number;
  /** The run's pace (refreshWritesPerSecond) and one function's share of it (its write pacer). */
  writesPerSecond: number;
  writesPerSecondPerFunction: number;
  memoryMiB: number;
  architecture: 'x86_64' | 'arm64';
}

export interface RegistryRunCost {
  kind: RegistryRunInputs['kind'];
  donors: number;
  minutes: number;
  /** The fewest files the map's source must be split into: the item reader reads at most 10 GB per object. */
  sourceFiles: number;
  functions: number;
  tableWriteUnitsPerSecond: number;
  dollars: { dynamodbWrites: number; dynamodbExport: number; lambda: number; stepFunctions: number; s3: number; logs: number; total: number };
  arithmetic: string[];
}

/** The most one object may hold for the map's item reader (Step Functions: 10 GB per file, decompressed). */
export const READER_OBJECT_BYTES = 10e9;

/** Transitions of the parent execution: the plan states, the export and its one-minute wait loop (~15 min), the map, the summary. */
const PARENT_TRANSITIONS = 60;
/** Log bytes per batch: the batch function's one log line and its metric line. */
const LOG_BYTES_PER_BATCH = 1200;
/** The lowest memory Express bills a workflow at (64 MB). */
const EXPRESS_GB = 64 / 1024;

export function registryRunCost(x: RegistryRunInputs): RegistryRunCost {
  const refresh = x.kind !== 'backfill';
  const functions = Math.max(1, Math.floor(x.writesPerSecond / x.writesPerSecondPerFunction));
  const batches = Math.ceil(x.donors / x.rowsPerBatch);
  const cpuPerBatch = x.rowsPerBatch / x.rowsPerSecondPerCore;
  const writesPerBatch = x.rowsPerBatch * x.writtenShare;
  // A batch scores all its rows, then writes the changed ones at its function's pace.
  const secondsPerBatch = cpuPerBatch + writesPerBatch / x.writesPerSecondPerFunction;
  const mapSeconds = (batches * secondsPerBatch) / functions;
  const rowsBytes = x.donors * x.lineBytes;
  // The map's item reader reads the source itself (no step before it): an export split into files
  // of at most 10 GB, or the table export's data files (DynamoDB writes many, each far below that).
  const sourceFiles = Math.max(1, Math.ceil(rowsBytes / READER_OBJECT_BYTES));
  const gb = x.memoryMiB / 1024;
  const functionSeconds = batches * secondsPerBatch;
  const gbSecondPrice = x.architecture === 'arm64' ? PRICES.lambdaGbSecondArm : PRICES.lambdaGbSecondX86;
  const lambda = functionSeconds * gb * gbSecondPrice + ((batches + 2) / 1e6) * PRICES.lambdaPerMillionRequests;
  const express = (batches / 1e6) * PRICES.expressPerMillionRequests + batches * secondsPerBatch * EXPRESS_GB * PRICES.expressGbSecond;
  const stepFunctions = express + (PARENT_TRANSITIONS / 1000) * PRICES.stepFunctionsPerThousandTransitions;
  const writeUnits = x.donors * x.writtenShare * x.writeUnitsPerWrite;
  const dynamodbWrites = (writeUnits / 1e6) * PRICES.dynamoDbPerMillionWriteUnits;
  // DynamoDB bills an export by table size: items plus 100 bytes of overhead each.
  const tableGb = (x.donors * (x.itemBytes + 100)) / 2 ** 30;
  const dynamodbExport = refresh ? tableGb * PRICES.dynamoDbExportPerGb : 0;
  // S3: the result files written; one ranged read per batch at most; a refresh keeps its export (gzip) 7 days (lifecycle rule).
  const puts = Math.ceil(batches / 2000) + 10;
  const storedGbMonths = refresh ? ((rowsBytes * x.gzipRatio) / 2 ** 30) * (7 / 30) : 0;
  const s3 = (puts / 1000) * PRICES.s3PutPerThousand + (batches / 1000) * PRICES.s3GetPerThousand + storedGbMonths * PRICES.s3StandardPerGbMonth;
  const logs = ((batches * LOG_BYTES_PER_BATCH) / 2 ** 30) * (PRICES.logIngestionPerGb + PRICES.logStoragePerGbMonth);
  const parts = { dynamodbWrites, dynamodbExport, lambda, stepFunctions, s3, logs };
  const d = (v: number) => Math.round(v * 100) / 100;
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const minutes = Math.round((mapSeconds / 60) * 10) / 10;
  return {
    kind: x.kind,
    donors: x.donors,
    minutes,
    sourceFiles,
    functions,
    tableWriteUnitsPerSecond: Math.round(functions * x.writesPerSecondPerFunction * x.writeUnitsPerWrite),
    dollars: { ...(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, d(v)])) as typeof parts), total: d(Object.values(parts).reduce((a, b) => a + b, 0)) },
    arithmetic: [
      `time: ${n(batches)} batches of ${x.rowsPerBatch} rows x (${x.rowsPerBatch} / ${n(x.rowsPerSecondPerCore)} rows/s CPU + ${Math.round(writesPerBatch)} writes / ${x.writesPerSecondPerFunction} writes/s) = ${n(batches * secondsPerBatch)} function-s / ${functions} functions = ${n(mapSeconds)} s` +
        ` = ${minutes} min` +
        (refresh
          ? ": the map reads the export's gzip data files itself (LOAD_AND_FLATTEN), no step before it; the export's own duration is not modelled"
          : `; the map reads the ${(rowsBytes / 1e9).toFixed(2)} GB source itself: ${sourceFiles === 1 ? 'one file (<= 10 GB) as source.key' : `split into >= ${sourceFiles} files of <= 10 GB under one source.prefix`}`),
      `DynamoDB writes: ${n(x.donors)} x ${x.writtenShare} written x ${x.writeUnitsPerWrite} WRU = ${n(writeUnits)} WRU x $${PRICES.dynamoDbPerMillionWriteUnits}/M = $${d(dynamodbWrites)}` +
        (refresh ? `; export ${tableGb.toFixed(2)} GB (items + 100 B each) x $${PRICES.dynamoDbExportPerGb} = $${d(dynamodbExport)}` : ''),
      `Lambda (${x.architecture}, ${x.memoryMiB} MB): ${n(functionSeconds)} s x ${gb.toFixed(3)} GB = ${n(functionSeconds * gb)} GB-s x $${gbSecondPrice} + ${n(batches + 2)} requests = $${d(lambda)}`,
      `Step Functions: ${n(batches)} Express children x $${PRICES.expressPerMillionRequests}/M + ${n(batches * secondsPerBatch * EXPRESS_GB)} GB-s x $${PRICES.expressGbSecond} + ${PARENT_TRANSITIONS} Standard transitions = $${d(stepFunctions)}`,
      `S3: ${n(puts)} PUT + ${n(batches)} GET` + (refresh ? ` + ${storedGbMonths.toFixed(2)} GB-months kept 7 days` : '') + ` = $${d(s3)}; logs ${n(batches)} x ${LOG_BYTES_PER_BATCH} B = $${d(logs)}`,
    ],
  };
}
