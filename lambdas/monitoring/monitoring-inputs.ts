// What a monitoring run reads, from whichever store holds it: a score record (table item, snapshot
// line or `drs score` output) and a prediction-log row (outcome table item or `drs export-training`
// line). Each reader keeps only the aggregate-relevant fields and says why a row cannot be used.
import type { Band } from '../core/model-manifest';
import type { MonitoredOutcome, MonitoredScore } from './monitoring-run';

const BANDS = new Set(['high', 'medium', 'low']);

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function numericFeatures(x: unknown): Record<string, number> | undefined {
  if (!isRecord(x)) return undefined;
  const out: Record<string, number> = {};
  // Number.isFinite is false for anything but a finite number.
  for (const [k, v] of Object.entries(x)) if (Number.isFinite(v)) out[k] = v as number;
  return out;
}

/** A score record, or why not (an error line of `drs score` is `{"line", "error"}`: a rejected input). */
export function readScoreRecord(row: unknown): Read<MonitoredScore> | { ok: false; rejected: true; reason: string } {
  if (isRecord(row) && 'error' in row && !('score' in row)) return { ok: false, rejected: true, reason: 'rejected input' };
  if (!isRecord(row)) return { ok: false, reason: 'not a JSON object' };
  const { score, band, modelVersion, scoringDate } = row;
  if (typeof score !== 'number' || !(score >= 0 && score <= 1)) return { ok: false, reason: 'score must be a number from 0 to 1' };
  if (!BANDS.has(band as string)) return { ok: false, reason: 'band must be high, medium or low' };
  if (typeof modelVersion !== 'string') return { ok: false, reason: 'modelVersion is required' };
  if (typeof scoringDate !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(scoringDate)) return { ok: false, reason: 'scoringDate must be a date YYYY-MM-DD' };
  return { ok: true, value: { score, band: band as Band, modelVersion, scoringDate, features: numericFeatures(row.features) ?? {} } };
}

/** The prediction as it stood at the request, as stored beside an outcome. */
export interface PredictionAtRequest {
  score: number;
  band: Band;
  modelVersion: string;
  modelSha256: string;
  scoringDate: string;
  features?: Record<string, number>;
}

/**
 * A prediction-log row `{requestedAt, outcome, prediction: {...}}` (or its flat form with the
 * prediction's fields beside the outcome). A request whose donor had no score is not usable: the
 * caller counts it.
 */
export function readPredictionLogRow(row: unknown): Read<MonitoredOutcome> {
  if (!isRecord(row)) return { ok: false, reason: 'not a JSON object' };
  const { outcome, requestedAt } = row;
  if (outcome !== 'available' && outcome !== 'unavailable') return { ok: false, reason: 'outcome must be available or unavailable' };
  if (requestedAt !== undefined && requestedAt !== null && (typeof requestedAt !== 'string' || Number.isNaN(Date.parse(requestedAt)))) {
    return { ok: false, reason: 'requestedAt must be an RFC 3339 timestamp' };
  }
  const prediction = isRecord(row.prediction) ? row.prediction : 'prediction' in row ? null : row;
  if (!prediction) return { ok: false, reason: 'no score at the request' };
  const scored = readScoreRecord({ ...prediction, scoringDate: prediction.scoringDate ?? '1970-01-01' });
  if (!scored.ok) return { ok: false, reason: `prediction: ${scored.reason}` };
  return {
    ok: true,
    value: {
      requestedAt: (requestedAt as string | undefined) ?? null,
      available: outcome === 'available' ? 1 : 0,
      score: scored.value.score,
      band: scored.value.band,
      modelVersion: scored.value.modelVersion,
      features: scored.value.features,
      ancestryGroup: typeof row.ancestryGroup === 'string' ? row.ancestryGroup : undefined,
    },
  };
}
