// Deploy-time configuration from CDK context (`-c key=value` or cdk.json), validated once in bin/.
// A bad value stops the synth with a message that names the key, the rule and an example.
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { z } from 'zod';

const RETENTION_VALUES = Object.values(RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0).sort((a, b) => a - b);
const API_PRINCIPAL = /^(\d{12}|arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@\/-]+)$/;
const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

const intFrom = (min: number, max: number) =>
  z.coerce.number({ error: `must be a whole number from ${min} to ${max}` }).int({ error: `must be a whole number from ${min} to ${max}` }).min(min, { error: `must be a whole number from ${min} to ${max}` }).max(max, { error: `must be a whole number from ${min} to ${max}` });

export const PIPELINE_CONTEXT = z.object({
  stage: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, { error: 'must be lowercase letters, digits and dashes, starting with a letter, at most 20 characters (e.g. dev, prod)' }).default('dev'),
  alertEmails: z
    .string()
    .default('')
    .transform((s) => s.split(',').map((e) => e.trim()).filter(Boolean))
    .refine((list) => list.every((e) => EMAIL.test(e)), { error: 'must be comma-separated e-mail addresses (e.g. team@example.org,oncall@example.org)' }),
  eventBusName: z.string().regex(/^[A-Za-z0-9._\-/]{1,256}$/, { error: 'must be an existing event bus name such as default' }).optional(),
  eventSource: z.string().min(1).max(256).default('registry.donors'),
  detailType: z.string().min(1).max(128).default('DonorUpdated'),
  architecture: z.enum(['x86_64', 'arm64'], { error: 'must be x86_64 or arm64' }).default('x86_64'),
  memorySize: intFrom(128, 10240).default(512),
  reservedConcurrency: intFrom(1, 1000).default(20),
  logRetentionDays: z.coerce
    .number()
    .refine((v) => RETENTION_VALUES.includes(v), { error: `must be one of CloudWatch's retention periods: ${RETENTION_VALUES.join(', ')}` })
    .default(90),
  alertWindowMinutes: intFrom(1, 1440).default(15),
  vpc: z
    .preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.enum(['true', 'false'], { error: 'must be true or false' }))
    .transform((v) => v === 'true')
    .default(false),
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
  apiReservedConcurrency: intFrom(1, 1000).default(10),
});

export type PipelineConfig = z.infer<typeof PIPELINE_CONTEXT>;
export const CONTEXT_KEYS = Object.keys(PIPELINE_CONTEXT.shape) as (keyof PipelineConfig)[];

export class PipelineConfigError extends Error {
  override readonly name = 'PipelineConfigError';
}

/** Validates raw context values (strings from the command line, or cdk.json values). */
export function parsePipelineConfig(raw: Record<string, unknown>): PipelineConfig {
  const present = Object.fromEntries(CONTEXT_KEYS.filter((k) => raw[k] !== undefined && raw[k] !== '').map((k) => [k, raw[k]]));
  if (raw.alertEmails === '') present.alertEmails = '';
  const parsed = PIPELINE_CONTEXT.safeParse(present);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const key = String(issue.path[0]);
    return `  -c ${key}=${JSON.stringify(raw[key])}: ${issue.message}`;
  });
  throw new PipelineConfigError(`invalid deploy configuration:\n${problems.join('\n')}`);
}

/** The bus the stack creates when `eventBusName` is not given: dev and prod can share an account. */
export function defaultEventBusName(stage: string): string {
  return stage === 'prod' ? 'donor-events' : `donor-events-${stage}`;
}
