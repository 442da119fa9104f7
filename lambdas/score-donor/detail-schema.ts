// The contract's zod schema for the scoring function, required by event-detail.ts at a container's
// first detail the byte scanner does not read (a rejected event, most often). In the function's asset
// it is a file of its own (detail-schema.js beside index.js, bundled apart by lib/scoring-function.ts),
// so a cold start neither compiles zod nor builds the schema; the schema is built at this module's
// import, as donor-updated.ts builds it (README, "Per-test coverage and module-level caches").
export { validateDetail } from '../core/donor-updated';
