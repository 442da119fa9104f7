// The contract's age limits (shared/docs/contract.md), apart from its zod schema (donor-updated.ts,
// which re-exports them): code that needs only these, such as the byte scanner in the scoring
// function's bundle, does not import zod with them.

/** Youngest age at which anyone can be on the registry. */
export const MIN_DONOR_AGE = 17;
export const MIN_BIRTH_YEAR = 1900;
