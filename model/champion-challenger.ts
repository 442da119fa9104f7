// Champion and challenger (`drs compare`): two models scored on the same history rows, their AUC,
// calibration error and per-group calibration, the challenger-minus-champion differences with
// seeded paired bootstrap intervals, the share of donors whose band would change, and a verdict.
// Pure: the caller scores the rows; everything here is arithmetic on predictions and outcomes.
import { bandOf, type ModelManifest } from '../lambdas/core/model-manifest';
import type { GroupCalibration, Interval } from './calibration';
import { failures, type GateLimits, type GateResult } from './gates';
import { evaluateHistory, historyQualityGates } from './history-gates';
import { auc, expectedCalibrationError } from './metrics';
import { Random } from './random';
import { calibrationByReportGroup } from './report-groups';

export interface ComparedModel {
  manifest: Pick<ModelManifest, 'modelVersion' | 'bands' | 'onnx'>;
  predicted: ArrayLike<number>;
}

export interface CompareInput {
  champion: ComparedModel;
  challenger: ComparedModel;
  labels: readonly number[];
  vectors: readonly (readonly number[])[];
  limits: GateLimits;
  seed: number;
  resamples: number;
}

export interface Difference extends Interval {
  /** Challenger minus champion on all rows. */
  estimate: number;
}

export interface ModelFigures {
  modelVersion: string;
  sha256: string;
  auc: number;
  expectedCalibrationError: number;
  groups: GroupCalibration[];
}

export interface Comparison {
  rows: number;
  available: number;
  bootstrap: { resamples: number; seed: number };
  champion: ModelFigures;
  challenger: ModelFigures & { gates: GateResult[] };
  difference: { auc: Difference; expectedCalibrationError: Difference };
  bandChanges: { rows: number; share: number; moves: Record<string, number> };
  verdict: 'ship-challenger' | 'keep-champion';
  significantDifference: boolean;
  reasons: string[];
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

function percentile(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (at - lo);
}

/** Paired percentile bootstrap of challenger-minus-champion AUC and ECE (same resampled rows for both). */
function bootstrapDifferences(input: CompareInput): { auc: Interval; ece: Interval } {
  const n = input.labels.length;
  const random = new Random(input.seed);
  const c = new Float64Array(n);
  const h = new Float64Array(n);
  const y = new Uint8Array(n);
  const dAuc: number[] = [];
  const dEce: number[] = [];
  for (let b = 0; b < input.resamples; b++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(random.uniform() * n);
      c[i] = input.champion.predicted[k];
      h[i] = input.challenger.predicted[k];
      y[i] = input.labels[k];
    }
    const a = auc(h, y) - auc(c, y);
    if (Number.isFinite(a)) dAuc.push(a);
    dEce.push(expectedCalibrationError(h, y, 10) - expectedCalibrationError(c, y, 10));
  }
  const interval = (d: number[]): Interval => {
    const s = d.sort((p, q) => p - q);
    return { lower: round(percentile(s, 0.025)), upper: round(percentile(s, 0.975)) };
  };
  return { auc: interval(dAuc), ece: interval(dEce) };
}

function figures(model: ComparedModel, labels: readonly number[], vectors: readonly (readonly number[])[]): ModelFigures {
  return {
    modelVersion: model.manifest.modelVersion,
    sha256: model.manifest.onnx.sha256,
    auc: round(auc(model.predicted, labels)),
    expectedCalibrationError: round(expectedCalibrationError(model.predicted, labels, 10)),
    groups: calibrationByReportGroup(model.predicted, labels, vectors, model.manifest.bands).filter((g) => g.dimension !== 'ancestryGroup'),
  };
}

export function compareModels(input: CompareInput): Comparison {
  const { labels, vectors, champion, challenger } = input;
  const n = labels.length;
  if (n === 0) throw new Error('no rows to compare the models on');
  if (champion.predicted.length !== n || challenger.predicted.length !== n || vectors.length !== n) {
    throw new Error(`each model must score every row: ${n} outcomes, ${champion.predicted.length} and ${challenger.predicted.length} predictions`);
  }
  const ch = figures(champion, labels, vectors);
  const cl = figures(challenger, labels, vectors);
  const gates = historyQualityGates(evaluateHistory(challenger.predicted, labels, vectors, { ...challenger.manifest.bands }), input.limits);
  const boot = bootstrapDifferences(input);
  const difference = {
    auc: { estimate: round(cl.auc - ch.auc), ...boot.auc },
    expectedCalibrationError: { estimate: round(cl.expectedCalibrationError - ch.expectedCalibrationError), ...boot.ece },
  };
  const moves: Record<string, number> = {};
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const from = bandOf(champion.predicted[i], champion.manifest.bands);
    const to = bandOf(challenger.predicted[i], challenger.manifest.bands);
    if (from === to) continue;
    changed++;
    moves[`${from}->${to}`] = (moves[`${from}->${to}`] ?? 0) + 1;
  }
  const bandChanges = { rows: changed, share: round(changed / n), moves };
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const aucText = `AUC ${difference.auc.estimate >= 0 ? '+' : ''}${difference.auc.estimate} [95% ${difference.auc.lower} .. ${difference.auc.upper}]`;
  const eceText = `calibration error ${difference.expectedCalibrationError.estimate >= 0 ? '+' : ''}${difference.expectedCalibrationError.estimate} [95% ${difference.expectedCalibrationError.lower} .. ${difference.expectedCalibrationError.upper}]`;
  const failed = failures(gates);
  const aucWorse = difference.auc.upper < 0;
  const eceWorse = difference.expectedCalibrationError.lower > 0;
  const aucBetter = difference.auc.lower > 0;
  const eceBetter = difference.expectedCalibrationError.upper < 0;
  const significantDifference = aucWorse || eceWorse || aucBetter || eceBetter;
  const reasons: string[] = [];
  let verdict: Comparison['verdict'] = 'keep-champion';
  if (failed.length) reasons.push(`the challenger fails ${failed.length} quality gate(s): ${failed.map((g) => `${g.gate} (${g.detail})`).join('; ')}`);
  if (aucWorse) reasons.push(`the challenger ranks worse: ${aucText}, the whole interval below 0`);
  if (eceWorse) reasons.push(`the challenger is less calibrated: ${eceText}, the whole interval above 0`);
  if (!failed.length && !aucWorse && !eceWorse) {
    if (aucBetter || eceBetter) {
      verdict = 'ship-challenger';
      reasons.push(
        `the challenger passes every gate and is better beyond its interval (${[aucBetter && aucText, eceBetter && eceText].filter(Boolean).join(', ')}), ` +
          `worse on neither; ${pct(bandChanges.share)} of donors change band`,
      );
    } else {
      reasons.push(
        `no significant difference (${aucText}, ${eceText}): a new model without evidence would only move ${pct(bandChanges.share)} of donors between bands`,
      );
    }
  }
  return {
    rows: n,
    available: labels.reduce((s: number, x) => s + x, 0),
    bootstrap: { resamples: input.resamples, seed: input.seed },
    champion: ch,
    challenger: { ...cl, gates },
    difference,
    bandChanges,
    verdict,
    significantDifference,
    reasons,
  };
}
