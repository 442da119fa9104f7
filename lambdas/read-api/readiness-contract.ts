// The read API's contract (contract.md, "Output: the read API") as zod schemas. The handler
// validates with these, and the committed OpenAPI document (api/openapi.json) is generated from
// them, so the document cannot say something the handler does not do.
import { z } from 'zod';
import { DONOR_ID_PATTERN } from '../core/donor-updated';

/** A search result page: the most ids one request may carry. */
export const MAX_IDS_PER_REQUEST = 100;
/** 100 ids of 40 characters with JSON punctuation take ~4.5 KB; anything far larger is not a request of this API. */
export const MAX_BODY_BYTES = 16 * 1024;
export const BANDS = ['high', 'medium', 'low'] as const;

const idRule = `must match ${DONOR_ID_PATTERN.source}`;

export const BatchGetRequest = z
  .strictObject(
    {
      donorIds: z
        // The string's error applies to its regex check too.
        .array(z.string({ error: idRule }).regex(DONOR_ID_PATTERN), {
          error: (issue) => (issue.input === undefined ? 'is required' : 'must be an array of donor ids'),
        })
        .min(1, { error: 'must hold at least 1 id' })
        .max(MAX_IDS_PER_REQUEST, { error: `must hold at most ${MAX_IDS_PER_REQUEST} ids` })
        .superRefine((ids, ctx) => {
          const seen = new Set<string>();
          ids.forEach((id, i) => {
            // Stryker disable next-line StringLiteral: the issue's code is never read (only unrecognized_keys is), its path and message are
            if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [i], message: 'must not repeat an id' });
            seen.add(id);
          });
        })
        .meta({ description: `1 to ${MAX_IDS_PER_REQUEST} distinct donor ids (the registry's opaque ids), e.g. one search result page` }),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? 'is not a field of this request' : 'must be a JSON object {"donorIds": [...]}') },
  )
  .meta({ id: 'BatchGetRequest', description: 'The donors whose readiness scores to read.' });

export const Reason = z
  .object({
    code: z.string().meta({ description: 'reason code from the model manifest, e.g. CONTACT_STALE' }),
    effect: z.enum(['raises', 'lowers']).meta({ description: 'whether it raised or lowered the score' }),
    meaning: z.string().meta({ description: "the reason's human-readable meaning, from the model manifest" }),
  })
  .meta({ id: 'Reason' });

export const ReadinessItem = z
  .object({
    donorId: z.string().meta({ description: 'as requested' }),
    score: z.number().min(0).max(1).meta({ description: 'probability (0..1) that the donor is available when requested for confirmatory typing' }),
    band: z.enum(BANDS).meta({ description: "the score's band; thresholds from the model manifest" }),
    reasons: z.array(Reason).max(3).meta({ description: 'up to three reasons that moved the score most' }),
    modelVersion: z.string().meta({ description: 'the model version that produced the score' }),
    scoringDate: z.iso.date().meta({ description: 'the date (UTC) the score describes the donor as of' }),
    scoredAt: z.iso.datetime().meta({ description: 'when the score was computed' }),
    revision: z.int().min(1).meta({ description: "the registry's revision of the donor record the score was computed from" }),
    ageDays: z.int().min(0).meta({ description: 'whole days from scoringDate to the day of the request (UTC): how old the score is' }),
  })
  .meta({ id: 'ReadinessItem', description: 'The latest score of one donor. Never carries donor attributes.' });

export const BatchGetResponse = z
  .object({
    items: z.array(ReadinessItem).meta({ description: 'one per requested id that has a score, in request order' }),
    notFound: z.array(z.string()).meta({ description: 'requested ids that have no score, in request order' }),
  })
  .meta({ id: 'BatchGetResponse' });

export const ApiError = z
  .object({
    error: z.object({
      message: z.string().meta({ description: 'what went wrong and what to do' }),
      field: z.string().optional().meta({ description: 'the request field that broke a rule, e.g. donorIds[3]' }),
      rule: z.string().optional().meta({ description: 'the rule it broke, e.g. must match ^[A-Za-z0-9-]{4,40}$' }),
    }),
    requestId: z.string().meta({ description: 'quote it when asking the operators' }),
  })
  .meta({ id: 'Error' });

export type BatchGetRequest = z.infer<typeof BatchGetRequest>;
export type ReadinessItem = z.infer<typeof ReadinessItem>;
export type BatchGetResponse = z.infer<typeof BatchGetResponse>;
export type ApiError = z.infer<typeof ApiError>;
