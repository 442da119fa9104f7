// Judging a model on real history (a drs export-training file) rather than on the generator: there
// is no oracle (no true probability per donor) and no ancestry group in the prediction log, so
// the gates that need them are replaced by one that real outcomes can decide: the AUC's 95%
// interval must lie above chance. Calibration, group calibration (by the report's registry groups)
// and finite-metric gates are the synthetic training's own (model/gates.ts), with the same limits.
import type { HeldOutMetrics } from '../lambdas/core/model-manifest';
import { aucStandardError, Z95 } from '../lambdas/core/outcome-statistics';
import { evaluate } from './evaluation';
import { qualityGates, type GateLimits, type GateResult } from './gates';

/** The ancestry group is not part of the prediction log: all history rows share this one. */
export const UNRECORDED_GROUP = 'not recorded';

const ORACLE_GATES = new Set(['AUC against the oracle', 'oracle AUC realistic']);

export type HistoryMetrics = Omit<HeldOutMetrics, 'seed' | 'asOf'>;

/** Held-out metrics on history rows; the oracle figures are NaN (there is no oracle). */
export function evaluateHistory(
  predicted: ArrayLike<number>,
  labels: readonly number[],
  vectors: readonly (readonly number[])[],
  bands: { high: number; medium: number; rule: string },
): HistoryMetrics {
  // pAvailable = the label keeps evaluate()'s arithmetic finite; its oracle figures are then dropped.
  const truths = labels.map((y) => ({ available: y as 0 | 1, pAvailable: y, ancestryGroup: UNRECORDED_GROUP as never }));
  const m = evaluate({ predicted, truths, vectors, bands });
  return {
    ...m,
    oracleAuc: NaN,
    oracleBrier: NaN,
    byAncestryGroup: m.byAncestryGroup.map((g) => ({ ...g, oracleAuc: NaN })),
    byGroup: m.byGroup?.filter((g) => g.dimension !== 'ancestryGroup'),
  };
}

/** The quality gates that apply on real history; each can fail (NaN, no rows, chance AUC, miscalibration). */
export function historyQualityGates(m: HistoryMetrics, limits: GateLimits): GateResult[] {
  // The oracle-free copy keeps the "finite metrics" gate about the model's own numbers.
  const gates = qualityGates({ ...m, oracleAuc: m.auc, oracleBrier: m.brier }, limits).filter((g) => !ORACLE_GATES.has(g.gate));
  const positives = Math.round(m.observedRate * m.rows);
  const se = aucStandardError(m.auc, positives, m.rows - positives);
  const lower = m.auc - Z95 * se;
  gates.push({
    gate: 'AUC above chance',
    passed: Number.isFinite(lower) && lower > 0.5,
    detail: `AUC ${m.auc} (95% interval from ${lower.toFixed(4)}, ${positives} available and ${m.rows - positives} unavailable): ` +
      (lower > 0.5 ? 'the model ranks donors better than chance' : 'not distinguishable from ranking donors at random'),
  });
  return gates;
}
