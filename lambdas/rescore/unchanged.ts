// When a refresh may skip a write: the stored score was made by the same model and the new one has
// the same band, the same reasons (codes and directions, in order) and a score within `tolerance`.
// A skipped donor keeps its older scoringDate and features; its score, band and reasons are what a
// fresh score would say (exactly, with tolerance 0; within `tolerance` otherwise).
import type { ScoreRecord } from '../core/score-record';

export type ScoreSummary = Pick<ScoreRecord, 'score' | 'band' | 'reasons' | 'modelSha256'>;

export function isUnchanged(stored: Partial<ScoreSummary> | undefined, fresh: ScoreSummary, tolerance: number): boolean {
  if (!stored || stored.modelSha256 !== fresh.modelSha256 || stored.band !== fresh.band) return false;
  if (typeof stored.score !== 'number' || !(Math.abs(stored.score - fresh.score) <= tolerance)) return false;
  const a = stored.reasons ?? [];
  const b = fresh.reasons;
  return a.length === b.length && a.every((r, i) => r.code === b[i].code && r.effect === b[i].effect);
}
