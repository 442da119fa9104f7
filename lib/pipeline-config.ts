// Deploy-time configuration: the stage's committed settings (config/<stage>.json) with `-c key=value`
// overrides, validated once by this schema. A bad value, an unknown key or a stage other than dev
// without an alert address stops the synth with a message that names the key, the rule and an example.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

const RETENTION_VALUES = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0).sort((a, b) => a - b);
const API_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]+)$/;
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

/**
 * A context value that is a whole number: a JSON number (cdk.json) or plain decimal digits (-c).
 * z.coerce.number would take 0x200, 1e3 or ' 7' and report "NaN" for words.
 */
const decimalInteger = (message: string) =>
  z.preprocess((v) => (typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : v), z.number({ error: message }).int({ error: message }));

const intFrom = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max} in decimal digits`;
  return decimalInteger(message).pipe(z.number().min(min, { error: message }).max(max, { error: message }));
};

export const PIPELINE_CONTEXT = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, { error: 'must be lowercase letters, digits and dashes, starting with a letter, at most 20 characters (e.g. dev, prod)' }).default('dev'),
  alertEmails: z
    // config files list addresses as an array; -c gives one comma-separated string
    .preprocess((v) => (Array.isArray(v) ? v.join(',') : v), z.string({ error: 'must be a list of e-mail addresses' }))
    .default('')
    .transform((s) => s.split(',').map((e) => e.trim()).filter(Boolean))
    .refine((list) => list.every((e) => EMAIL.test(e)), { error: 'must be comma-separated e-mail addresses (e.g. team@example.org,oncall@example.org)' }),
  eventBusName: z.string().regex(/^[A-Za-z0-9._\-/]{1,256}$/, { error: 'must be an existing event bus name such as default' }).optional(),
  eventSource: z.string().min(1).max(256).default('registry.donors'),
  detailType: z.string().min(1).max(128).default('DonorUpdated'),
  outcomeDetailType: z.string().min(1).max(128).default('DonorRequestOutcome'),
  architecture: z.enum(['x86_64', 'arm64'], { error: 'must be x86_64 or arm64' }).default('x86_64'),
  memorySize: intFrom(128, 10240).default(512),
  // Off by default: a new account's concurrency quota (often 10) refuses any reservation.
  reservedConcurrency: intFrom(1, 10_000).optional(),
  alertDigestReservedConcurrency: intFrom(1, 10_000).optional(),
  /** The account's Lambda concurrency quota in this region (Service Quotas, "Concurrent executions"). */
  accountConcurrencyQuota: intFrom(10, 1_000_000).default(1000),
  logRetentionDays: decimalInteger(`must be one of CloudWatch's retention periods: ${RETENTION_VALUES.join(', ')}`)
    .refine((v) => RETENTION_VALUES.includes(v), { error: `must be one of CloudWatch's retention periods: ${RETENTION_VALUES.join(', ')}` })
    .default(90),
  alertWindowMinutes: intFrom(1, 1440).default(15),
  monitorPsiThreshold: z.coerce.number({ error: 'must be a number from 0.01 to 5, e.g. 0.2' }).min(0.01, { error: 'must be a number from 0.01 to 5, e.g. 0.2' }).max(5, { error: 'must be a number from 0.01 to 5, e.g. 0.2' }).default(0.2),
  monitorCalibrationDrift: z.coerce.number({ error: 'must be a number from 0.005 to 0.5, e.g. 0.05' }).min(0.005, { error: 'must be a number from 0.005 to 0.5, e.g. 0.05' }).max(0.5, { error: 'must be a number from 0.005 to 0.5, e.g. 0.05' }).default(0.05),
  monitorAucDrop: z.coerce.number({ error: 'must be a number from 0.005 to 0.5, e.g. 0.05' }).min(0.005, { error: 'must be a number from 0.005 to 0.5, e.g. 0.05' }).max(0.5, { error: 'must be a number from 0.005 to 0.5, e.g. 0.05' }).default(0.05),
  monitorSampleRows: intFrom(1000, 1_000_000).default(100_000),
  refreshPeriodDays: intFrom(1, 365).default(30),
  staleScoreShare: z.coerce.number({ error: 'must be a number from 0 to 1, e.g. 0.05' }).min(0, { error: 'must be a number from 0 to 1, e.g. 0.05' }).max(1, { error: 'must be a number from 0 to 1, e.g. 0.05' }).default(0.05),
  freshnessMinutes: intFrom(5, 1440).default(360),
  freshnessQuietHoursUtc: z
    .string()
    .regex(/^([01]?\d|2[0-3])-([01]?\d|2[0-3])$/, { error: 'must be two UTC hours FROM-TO, e.g. 22-6' })
    .transform((v) => v.split('-').map(Number) as [number, number])
    .optional(),
  vpc: z
    .preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.enum(['true', 'false'], { error: 'must be true or false' }))
    .transform((v) => v === 'true')
    .default(false),
  // Registry refresh (lib/registry-refresh.ts): the daily schedule, its tolerance and its pace.
  refreshSchedule: z
    .string()
    .regex(/^(cron|rate)\(.+\)$/, { error: 'must be an EventBridge Scheduler expression, e.g. cron(30 2 * * ? *), or off' })
    .or(z.literal('off'))
    .default('cron(30 2 * * ? *)'),
  refreshTimeZone: z.string().regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, { error: 'must be an IANA time zone such as UTC or Europe/Berlin' }).default('UTC'),
  refreshTolerance: z.coerce.number({ error: 'must be a number from 0 to 0.05' }).min(0, { error: 'must be a number from 0 to 0.05' }).max(0.05, { error: 'must be a number from 0 to 0.05' }).default(0.002),
  // The run's write pace and the table's warm write throughput it must fit under, with the rest
  // left to live scoring: 8,000 of 12,000 units/s (4,000, a new on-demand table's whole warm
  // throughput, stay for live events) rescores 9 M donors in ~24 min (bench/RESULTS.md).
  refreshWritesPerSecond: intFrom(100, 40000).default(8000),
  tableWarmWritesPerSecond: intFrom(4000, 40000).default(12000),
  // The read API (lib/read-api.ts): who may call it, and how fast.
  apiAllowedPrincipals: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((e) => e.trim()).filter(Boolean))
    .refine((list) => list.every((p) => API_PRINCIPAL.test(p)), {
      error: 'must be comma-separated 12-digit account ids or IAM role/user ARNs (e.g. 111122223333,arn:aws:iam::444455556666:role/donor-search)',
    }),
  apiRateLimit: intFrom(1, 10000).default(50),
  apiBurstLimit: intFrom(1, 5000).default(100),
  // Off by default, like the others: a new account's quota of 10 admits no reservation at all.
  apiReservedConcurrency: intFrom(1, 1000).optional(),
});

export type PipelineConfig = z.infer<typeof PIPELINE_CONTEXT>;
export const CONTEXT_KEYS = Object.keys(PIPELINE_CONTEXT.shape) as (keyof PipelineConfig)[];

/** Lambda keeps this much of the account's quota unreserved: reservations may use the rest. */
export const UNRESERVED_MINIMUM = 100;

/** Rules across keys, checked after each key is valid on its own. */
function crossKeyProblems(config: PipelineConfig): { key: keyof PipelineConfig; message: string }[] {
  const problems: { key: keyof PipelineConfig; message: string }[] = [];
  if (config.stage !== 'dev' && config.alertEmails.length === 0) {
    problems.push({
      key: 'alertEmails',
      message: `stage ${config.stage} needs at least one alert address (only dev may deploy without): add "alertEmails": ["team@example.org"] to config/${config.stage}.json`,
    });
  }
  const reserved = (config.reservedConcurrency ?? 0) + (config.alertDigestReservedConcurrency ?? 0) + (config.apiReservedConcurrency ?? 0);
  const allowed = config.accountConcurrencyQuota - UNRESERVED_MINIMUM;
  if (reserved > 0 && reserved > allowed) {
    problems.push({
      key: config.reservedConcurrency ? 'reservedConcurrency' : config.alertDigestReservedConcurrency ? 'alertDigestReservedConcurrency' : 'apiReservedConcurrency',
      message:
        `reservedConcurrency + alertDigestReservedConcurrency + apiReservedConcurrency = ${reserved}, but Lambda keeps ${UNRESERVED_MINIMUM} of the account's quota (accountConcurrencyQuota=${config.accountConcurrencyQuota}) unreserved, so at most ${Math.max(0, allowed)} may be reserved: ` +
        'leave the reservation off, or ask Service Quotas for more "Concurrent executions" and set accountConcurrencyQuota to the new quota',
    });
  }
  if (config.refreshWritesPerSecond > config.tableWarmWritesPerSecond - 1000) {
    problems.push({
      key: 'refreshWritesPerSecond',
      message: `refreshWritesPerSecond=${config.refreshWritesPerSecond} leaves less than 1000 of the table's warm ${config.tableWarmWritesPerSecond} write units/s to live scoring: lower it, or raise tableWarmWritesPerSecond`,
    });
  }
  return problems;
}

export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

/** Where a raw value came from, for the error message: `-c key="v"` or `config/prod.json "key": v`. */
export type SettingSource = { kind: 'context' } | { kind: 'file'; path: string };

const describeSetting = (key: string, value: unknown, source: SettingSource) =>
  source.kind === 'context' ? `-c ${key}=${JSON.stringify(value)}` : `${source.path} "${key}": ${JSON.stringify(value)}`;

/** Keys that are not settings (a typo such as alertEmail is refused, never ignored). */
export function unknownSettingKeys(keys: string[]): string[] {
  return keys.filter((k) => !(CONTEXT_KEYS as string[]).includes(k));
}

/** One line per unknown key, with what was probably meant (alertEmail -> alertEmails), then the known keys. */
export function unknownKeysMessage(keys: string[], where: string): string {
  const simplify = (k: string) => k.toLowerCase().replace(/[^a-z0-9]/g, '');
  const lines = keys.map((k) => {
    const near = CONTEXT_KEYS.find((known) => simplify(known) === simplify(k) || simplify(known).startsWith(simplify(k)) || simplify(k).startsWith(simplify(known)));
    return `  ${where === '-c' ? `-c ${k}` : `${where} "${k}"`}: not a setting${near ? ` (did you mean ${near}?)` : ''}`;
  });
  return `${lines.join('\n')}\n  known settings: ${CONTEXT_KEYS.join(', ')}`;
}

/**
 * Validates settings: the stage file's values (typed JSON) overlaid by `-c` values (strings).
 * `sources` says where each key came from (default: -c).
 */
export function parsePipelineConfig(raw: Record<string, unknown>, sources: Partial<Record<string, SettingSource>> = {}): PipelineConfig {
  const sourceOf = (key: string): SettingSource => sources[key] ?? { kind: 'context' };
  const unknown = unknownSettingKeys(Object.keys(raw).filter((k) => raw[k] !== undefined));
  if (unknown.length) {
    const byWhere = new Map<string, string[]>();
    for (const k of unknown) {
      const s = sourceOf(k);
      const where = s.kind === 'context' ? '-c' : s.path;
      byWhere.set(where, [...(byWhere.get(where) ?? []), k]);
    }
    throw new PipelineConfigError(`unknown deploy settings:\n${[...byWhere].map(([where, keys]) => unknownKeysMessage(keys, where)).join('\n')}`);
  }
  const present = Object.fromEntries(CONTEXT_KEYS.filter((k) => raw[k] !== undefined && raw[k] !== '').map((k) => [k, raw[k]]));
  if (raw.alertEmails === '') present.alertEmails = '';
  const parsed = PIPELINE_CONTEXT.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0]);
      return `  ${describeSetting(key, raw[key], sourceOf(key))}: ${issue.message}`;
    });
    throw new PipelineConfigError(`invalid deploy configuration:\n${problems.join('\n')}`);
  }
  const crossProblems = crossKeyProblems(parsed.data);
  if (crossProblems.length) {
    const lines = crossProblems.map(({ key, message }) => `  ${raw[key] === undefined ? key : describeSetting(key, raw[key], sourceOf(key))}: ${message}`);
    throw new PipelineConfigError(`invalid deploy configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The bus the stack creates when `eventBusName` is not given: dev and prod can share an account. */
export function defaultEventBusName(stage: string): string {
  return stage === 'prod' ? 'donor-events' : `donor-events-${stage}`;
}
