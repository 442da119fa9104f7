// The `DonorUpdated` contract (shared/docs/contract.md) as one zod schema. Every rule carries a
// message that names the rule, so a rejection can say which field broke which rule without ever
// echoing the value (values are donor data and never leave the pipeline in errors or logs).
// zod/mini, not classic zod: the same validation core, tree-shakable, so the scoring function's
// bundle carries ~15 KB of zod instead of ~450 KB (a third of its cold-start compile time).
import * as z from 'zod/mini';
import { isoDateToDay } from './calendar';
import { MIN_BIRTH_YEAR, MIN_DONOR_AGE } from './donor-updated-limits';

export const SEXES = ['F', 'M', 'U'] as const;
export const RECRUITMENT_CHANNELS = ['online', 'drive', 'blood_center', 'other'] as const;
export const RESIDENCES = ['domestic', 'international'] as const;
export const UNAVAILABLE_REASONS = ['medical', 'personal', 'no_contact'] as const;

export const DONOR_ID_PATTERN = /^[A-Za-z0-9-]{4,40}$/;
// The age limits live apart (no zod there), for code that needs only them.
export { MIN_BIRTH_YEAR, MIN_DONOR_AGE };

/** A rule's message, or "is required" when the field is missing altogether. */
const rule = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message),
});

const isoDate = () => z.iso.date(rule('must be a date YYYY-MM-DD'));
const nullableDate = () => z.nullable(isoDate());
const count = () => z.int(rule('must be an integer')).check(z.minimum(0, { error: 'must be >= 0' }));

/**
 * The scoring date the parse in progress judges "today"-rules against. The schema is built once, at
 * import, and `validateDetail` sets this just before its synchronous parse, so no parse sees another's
 * date. (A schema per date, cached, would also hide the schema's code from all but the first test of
 * a file when Stryker maps mutants to the tests that reach them, and under-count the score.)
 */
// Stryker disable next-line ObjectLiteral: never read before validateDetail sets it
let judgedAsOf = { year: 0, day: 0 };
const maxBirthYear = () => judgedAsOf.year - MIN_DONOR_AGE;
const birthYearRange = () => `must be from ${MIN_BIRTH_YEAR} to ${maxBirthYear()}`;

const donorSchema = z
  .object({
    birthYear: z.int(rule('must be an integer')).check(
      z.minimum(MIN_BIRTH_YEAR, { error: birthYearRange }),
      z.refine((year: number) => year <= maxBirthYear(), { error: birthYearRange }),
    ),
    sex: z.enum(SEXES, rule(`must be one of ${SEXES.join(', ')}`)),
    registeredOn: isoDate(),
    recruitmentChannel: z.enum(RECRUITMENT_CHANNELS, rule(`must be one of ${RECRUITMENT_CHANNELS.join(', ')}`)),
    bloodDonor: z.boolean(rule('must be a boolean')),
    residence: z.enum(RESIDENCES, rule(`must be one of ${RESIDENCES.join(', ')}`)),
    contactVerifiedOn: nullableDate(),
    lastResponseOn: nullableDate(),
    outreach12m: z.object(
      { attempts: count(), responses: count() },
      rule('must be an object {attempts, responses}'),
    ),
    priorRequests: z.object(
      { total: count(), available: count() },
      rule('must be an object {total, available}'),
    ),
    temporarilyUnavailableUntil: nullableDate(),
    lastUnavailableReason: z.nullable(
      z.enum(UNAVAILABLE_REASONS, {
        error: `must be one of ${UNAVAILABLE_REASONS.join(', ')} or null`,
      }),
    ),
  }, rule('must be an object'))
  .check(z.superRefine((donor, ctx) => {
    const registered = isoDateToDay(donor.registeredOn);
    if (registered > judgedAsOf.day) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: zod reports a custom issue's message whatever its code string
        code: 'custom',
        path: ['registeredOn'],
        message: 'must not be in the future',
      });
    }
    if (Number(donor.registeredOn.slice(0, 4)) < donor.birthYear + MIN_DONOR_AGE) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: zod reports a custom issue's message whatever its code string
        code: 'custom',
        path: ['registeredOn'],
        message: `must not be before birth + ${MIN_DONOR_AGE} years`,
      });
    }
    if (donor.outreach12m.responses > donor.outreach12m.attempts) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: zod reports a custom issue's message whatever its code string
        code: 'custom',
        path: ['outreach12m', 'responses'],
        message: 'must be from 0 to outreach12m.attempts',
      });
    }
    if (donor.priorRequests.available > donor.priorRequests.total) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: zod reports a custom issue's message whatever its code string
        code: 'custom',
        path: ['priorRequests', 'available'],
        message: 'must be from 0 to priorRequests.total',
      });
    }
  }));

const detailSchema = z.object(
  {
    donorId: z
      .string(rule('must be a string'))
      .check(z.regex(DONOR_ID_PATTERN, { error: 'must match ^[A-Za-z0-9-]{4,40}$' })),
    revision: z.int(rule('must be an integer')).check(
      z.minimum(1, { error: 'must be >= 1' }),
      z.maximum(Number.MAX_SAFE_INTEGER, { error: 'must be a safe integer' }),
    ),
    updatedAt: z.iso.datetime({ offset: true, ...rule('must be an RFC 3339 timestamp') }),
    donor: donorSchema,
  },
  rule('must be an object'),
);

export type DonorUpdatedDetail = z.infer<typeof detailSchema>;
export type DonorAttributes = DonorUpdatedDetail['donor'];

/** Which field broke which rule. Never carries the offending value. */
export interface ContractViolation {
  field: string;
  rule: string;
}

export type DetailValidation =
  | { ok: true; detail: DonorUpdatedDetail }
  | { ok: false; violation: ContractViolation; violations: ContractViolation[] };

export type DetailSchema = typeof detailSchema;

/** The contract's schema, its date-dependent rules judging as of `referenceDate` until the next call. */
export function detailSchemaFor(referenceDate: string): DetailSchema {
  judgedAsOf = { year: Number(referenceDate.slice(0, 4)), day: isoDateToDay(referenceDate) };
  return detailSchema;
}

/** A schema's answer as the pipeline speaks it: the detail, or which field broke which rule. */
export function toDetailValidation(parsed: ReturnType<DetailSchema['safeParse']>): DetailValidation {
  if (parsed.success) return { ok: true, detail: parsed.data };
  const violations = parsed.error.issues.map(
    (issue): ContractViolation => ({
      field: issue.path.length ? issue.path.map(String).join('.') : '(detail)',
      rule: issue.message,
    }),
  );
  return { ok: false, violation: violations[0], violations };
}

/**
 * Validates a `DonorUpdated` detail. Rules that depend on "today" (birth year, registration in the
 * future) are judged against `referenceDate` (the scoring date), so a batch scored as of a past
 * date judges records as they were then. Unknown fields are dropped, never stored.
 */
export function validateDetail(input: unknown, referenceDate: string): DetailValidation {
  return toDetailValidation(detailSchemaFor(referenceDate).safeParse(input));
}
