// The read API's pure core: parse and validate a batchGet request, read the scores through a
// port, and answer items + notFound with each reason's meaning and the score's age. Knows nothing
// of API Gateway or DynamoDB (handler.ts and aws-ports.ts do).
import { isoDateToDay } from '../core/calendar';
import type { ModelManifest, ReasonCode } from '../core/model-manifest';
import type { ScoreRecord } from '../core/score-record';
import { BatchGetRequest, MAX_BODY_BYTES, type BatchGetResponse, type ReadinessItem } from './readiness-contract';

/** The stored fields the API reads: the score record without `features` and the input's trace. */
export const PUBLIC_FIELDS = ['donorId', 'score', 'band', 'reasons', 'modelVersion', 'scoringDate', 'scoredAt', 'revision'] as const;
export type StoredScore = Pick<ScoreRecord, (typeof PUBLIC_FIELDS)[number]>;

/** Reads the stored scores of up to 100 distinct ids; an id without a score is absent from the map. */
export interface ScoreReader {
  readScores(donorIds: string[]): Promise<Map<string, StoredScore>>;
}

export interface RequestViolation {
  status: 400 | 413;
  field: string;
  rule: string;
}

export type ParsedRequest = { ok: true; request: BatchGetRequest } | { ok: false; violation: RequestViolation };

/** A zod issue's path as the API names a field: `donorIds[3]`, `a.b`. */
export const fieldOf = (path: PropertyKey[]) =>
  path.reduce<string>((name, part) => (typeof part === 'number' ? `${name}[${part}]` : name ? `${name}.${String(part)}` : String(part)), '');

/** The request body as API Gateway hands it over (a string, maybe base64) to a typed request or the field and rule it broke. */
export function parseBatchGetBody(body: string | null | undefined, isBase64Encoded = false): ParsedRequest {
  const text = body == null ? '' : isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  // Bytes of UTF-8 (byteLength's default), not characters.
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) {
    return { ok: false, violation: { status: 413, field: 'body', rule: `must be at most ${MAX_BODY_BYTES} bytes` } };
  }
  if (text.trim() === '') return { ok: false, violation: { status: 400, field: 'body', rule: 'is required: a JSON object {"donorIds": [...]}' } };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, violation: { status: 400, field: 'body', rule: 'must be JSON' } };
  }
  const parsed = BatchGetRequest.safeParse(json);
  if (parsed.success) return { ok: true, request: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  return { ok: false, violation: { status: 400, field: fieldOf(path) || 'body', rule: issue.message } };
}

/** `code|effect` -> meaning, from the manifest's reason-code table. */
export type ReasonMeanings = Map<string, string>;

export function reasonMeanings(manifest: Pick<ModelManifest, 'reasonCodes'>): ReasonMeanings {
  return new Map(manifest.reasonCodes.codes.map((c) => [`${c.code}|${c.effect}`, c.meaning]));
}

/** A code the deployed manifest does not know (a score from an older model) still gets a meaning. */
const meaningOf = (reason: ReasonCode, meanings: ReasonMeanings) =>
  meanings.get(`${reason.code}|${reason.effect}`) ?? `reason code of model version that produced this score (not in the deployed model's manifest)`;

export function toReadinessItem(stored: StoredScore, meanings: ReasonMeanings, today: string): ReadinessItem {
  return {
    donorId: stored.donorId,
    score: stored.score,
    band: stored.band,
    reasons: (stored.reasons ?? []).map((r) => ({ code: r.code, effect: r.effect, meaning: meaningOf(r, meanings) })),
    modelVersion: stored.modelVersion,
    scoringDate: stored.scoringDate,
    scoredAt: stored.scoredAt,
    revision: stored.revision,
    ageDays: Math.max(0, isoDateToDay(today) - isoDateToDay(stored.scoringDate)),
  };
}

export interface ReadDeps {
  reader: ScoreReader;
  meanings: () => Promise<ReasonMeanings>;
  /** Today (UTC), YYYY-MM-DD: what ageDays counts to. */
  today: () => string;
}

/** Every requested id ends in `items` or in `notFound`, in request order. */
export async function batchGetReadiness(request: BatchGetRequest, deps: ReadDeps): Promise<BatchGetResponse> {
  const [found, meanings] = await Promise.all([deps.reader.readScores(request.donorIds), deps.meanings()]);
  const today = deps.today();
  const response: BatchGetResponse = { items: [], notFound: [] };
  for (const id of request.donorIds) {
    const stored = found.get(id);
    if (stored) response.items.push(toReadinessItem(stored, meanings, today));
    else response.notFound.push(id);
  }
  return response;
}
