// The `DonorRequestOutcome` contract (shared/docs/contract.md) as one zod schema: the truth the
// model is judged against, published by the registry when a transplant centre's request closes.
// Like DonorUpdated, a rejection names the field and the rule, never the value.
import { z } from 'zod';
import { DONOR_ID_PATTERN, UNAVAILABLE_REASONS, type ContractViolation } from './donor-updated';

export const REQUEST_ID_PATTERN = /^[A-Za-z0-9-]{4,64}$/;
export const REQUEST_OUTCOMES = ['available', 'unavailable'] as const;

const rule = (message: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : message),
});

function outcomeSchema(now: Date) {
  return z
    .object(
      {
        requestId: z.string(rule('must be a string')).regex(REQUEST_ID_PATTERN, { error: 'must match ^[A-Za-z0-9-]{4,64}$' }),
        donorId: z.string(rule('must be a string')).regex(DONOR_ID_PATTERN, { error: 'must match ^[A-Za-z0-9-]{4,40}$' }),
        requestedAt: z.iso.datetime({ offset: true, ...rule('must be an RFC 3339 timestamp') }),
        outcome: z.enum(REQUEST_OUTCOMES, rule(`must be one of ${REQUEST_OUTCOMES.join(', ')}`)),
        reason: z
          .enum(UNAVAILABLE_REASONS, { error: `must be one of ${UNAVAILABLE_REASONS.join(', ')} or null` })
          .nullable()
          .optional(),
      },
      rule('must be an object'),
    )
    .superRefine((o, ctx) => {
      // Stryker disable next-line StringLiteral: zod reports a custom issue's message whatever its code string
      const custom = 'custom' as const;
      if (Date.parse(o.requestedAt) > now.getTime()) ctx.addIssue({ code: custom, path: ['requestedAt'], message: 'must not be in the future' });
      if (o.outcome === 'available' && o.reason) ctx.addIssue({ code: custom, path: ['reason'], message: 'must be null when outcome is available' });
    });
}

export type DonorRequestOutcome = Omit<z.infer<ReturnType<typeof outcomeSchema>>, 'reason'> & {
  reason: (typeof UNAVAILABLE_REASONS)[number] | null;
};

export type OutcomeValidation =
  | { ok: true; outcome: DonorRequestOutcome }
  | { ok: false; violation: ContractViolation; violations: ContractViolation[] };

// Stryker disable next-line StringLiteral: every field of this contract is top-level, so a path has one part and no separator
const fieldOf = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** Validates a `DonorRequestOutcome` detail; `now` judges "not in the future". Unknown fields are dropped. */
export function validateOutcome(input: unknown, now: Date): OutcomeValidation {
  const parsed = outcomeSchema(now).safeParse(input);
  if (parsed.success) return { ok: true, outcome: { ...parsed.data, reason: parsed.data.reason ?? null } };
  const violations = parsed.error.issues.map(
    (issue): ContractViolation => ({ field: issue.path.length ? fieldOf(issue.path) : '(detail)', rule: issue.message }),
  );
  return { ok: false, violation: violations[0], violations };
}
