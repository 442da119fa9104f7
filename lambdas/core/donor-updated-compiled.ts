// The contract's zod schema (donor-updated.ts) compiled by zod itself for the batch path.
// `z.compile` generates, from the schema's own definition, a function that parses a valid detail
// without zod's per-field runtime machinery (~6x faster on valid rows) and hands everything else
// to the runtime schema, which alone words rejections. There is one source of truth, the schema:
// a rule changed there is changed here. The event path keeps the runtime schema, so the scoring
// function's bundle does not carry zod's code generator (its cold start).
import * as z from 'zod/mini';
import { detailSchemaFor, toDetailValidation, type DetailSchema, type DetailValidation } from './donor-updated';

export type DetailValidator = (input: unknown) => DetailValidation;

let compiled: DetailSchema | undefined;

/**
 * The schema compiled by zod. `strict` throws when zod cannot compile some part of it (a test holds
 * that it can); otherwise such a schema keeps zod's runtime parser: slower, never different.
 */
export function compileDetailSchema(schema: DetailSchema, strict = false): DetailSchema {
  return z.compile(schema, { strict });
}

/** `validateDetail(input, referenceDate)` on the compiled schema (compiled once per process). */
export function compiledDetailValidator(referenceDate: string): DetailValidator {
  const schema = (compiled ??= compileDetailSchema(detailSchemaFor(referenceDate)));
  // The date-dependent rules read the date set last: set it per row, another caller may have moved it.
  return (input) => {
    detailSchemaFor(referenceDate);
    return toDetailValidation(schema.safeParse(input));
  };
}
