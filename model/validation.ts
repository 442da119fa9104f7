// Validation beyond the held-out draw of the training world:
// - generator variants the model's form does not mirror (model/synthetic-registry.ts), each judged
//   against its own oracle, with the documented recalibration step from recent outcomes;
// - forward in time: the model fitted as of T judged on requests after T, both for a model that is
//   still in use months later (fresh records) and for a score that was never refreshed (records and
//   features as of T, outcomes months later). The shelf lives stated in the card come from here.
import { dayToIsoDate, isoDateToDay } from '../lambdas/core/calendar';
import { validateDetail } from '../lambdas/core/donor-updated';
import { deriveFeatures } from '../lambdas/core/features';
import type { ModelManifest } from '../lambdas/core/model-manifest';
import { recalibrate } from './calibration';
import { evaluate } from './evaluation';
import { calibrationErrorAboveChance, failures, qualityGates, type GateLimits, type GateResult } from './gates';
import { generateRegistry, type GeneratorOptions, type GeneratorVariant, type RegistryRow } from './synthetic-registry';

export interface ValidationConfig {
  /** Rows judged per variant and per horizon. */
  rows: number;
  /** Rows of "recent outcomes" a recalibration is fitted on (a separate draw). */
  recentRows: number;
  seed: number;
  variants: { variant: GeneratorVariant; baseRate?: number }[];
  /** Months after the training date at which the model and an unrefreshed score are judged. */
  monthsAhead: number[];
}

export interface VariantResult {
  variant: GeneratorVariant;
  baseRate: number;
  rows: number;
  auc: number;
  oracleAuc: number;
  aucBelowOracle: number;
  expectedCalibrationError: number;
  /** Largest |calibration gap| over every reported group (age band, sex, ..., ancestry). */
  worstGroupGap: { dimension: string; group: string; gap: number; lower: number; upper: number };
  /** Groups whose whole 95% interval lies beyond the group limit. */
  groupsBeyondLimit: number;
  recalibration: { method: 'intercept'; fittedOn: number; shift: number; eceAfter: number; isotonicEceAfter: number };
}

export interface HorizonResult {
  monthsAhead: number;
  requestDate: string;
  /** The model still in use: records as they stand at the request, features as of the request. */
  model: { auc: number; oracleAuc: number; aucBelowOracle: number; expectedCalibrationError: number; passed: boolean };
  /** A score computed at training time and never refreshed, judged on outcomes at the request. */
  staleScore: { expectedCalibrationError: number; calibrationNoiseFloor: number; meanPredicted: number; observedRate: number; passed: boolean };
  /** The same old records re-scored as of the request date (what the registry-wide refresh does). */
  refreshedScore: { expectedCalibrationError: number; passed: boolean };
}

export interface ValidationResult {
  variants: VariantResult[];
  forward: { trainedAsOf: string; horizons: HorizonResult[]; modelShelfLifeMonths: number; scoreShelfLifeMonths: number };
}

type Probabilities = (vectors: number[][]) => Promise<ArrayLike<number>>;

const r6 = (x: number) => Math.round(x * 1e6) / 1e6;

function draw(options: GeneratorOptions, rows: number, featuresAsOf: string): { rows: RegistryRow[]; vectors: number[][] } {
  const out: RegistryRow[] = [];
  const vectors: number[][] = [];
  for (const row of generateRegistry(options)) {
    if (out.length >= rows) break;
    const checked = validateDetail(row.detail, options.asOf);
    if (!checked.ok) throw new Error(`generator wrote an invalid detail: ${JSON.stringify(checked.violation)}`);
    out.push(row);
    vectors.push(deriveFeatures(checked.detail.donor, featuresAsOf));
  }
  return { rows: out, vectors };
}

export function addMonths(isoDate: string, months: number): string {
  return dayToIsoDate(isoDateToDay(isoDate) + Math.round(months * 30.4375));
}

export async function validateVariants(
  manifest: ModelManifest,
  probabilities: Probabilities,
  config: ValidationConfig,
  asOf: string,
  limits: GateLimits,
): Promise<VariantResult[]> {
  const results: VariantResult[] = [];
  for (const [k, v] of config.variants.entries()) {
    const baseRate = v.baseRate ?? 0.55;
    const judged = draw({ seed: config.seed + 2 * k, asOf, variant: v.variant, baseRate }, config.rows, asOf);
    const recent = draw({ seed: config.seed + 2 * k + 1, asOf, variant: v.variant, baseRate }, config.recentRows, asOf);
    const p = await probabilities(judged.vectors);
    const labels = judged.rows.map((r) => r.truth.available);
    const m = evaluate({ predicted: p, truths: judged.rows.map((r) => r.truth), vectors: judged.vectors, bands: manifest.bands });
    const groups = m.byGroup ?? [];
    const worst = groups.reduce((a, b) => (Math.abs(b.calibrationGap) > Math.abs(a.calibrationGap) ? b : a), groups[0]);
    const recentP = await probabilities(recent.vectors);
    const recentLabels = recent.rows.map((r) => r.truth.available);
    const intercept = recalibrate('intercept', { predicted: recentP, labels: recentLabels }, { predicted: p, labels });
    const isotonic = recalibrate('isotonic', { predicted: recentP, labels: recentLabels }, { predicted: p, labels });
    results.push({
      variant: v.variant,
      baseRate,
      rows: m.rows,
      auc: m.auc,
      oracleAuc: m.oracleAuc,
      aucBelowOracle: r6(m.oracleAuc - m.auc),
      expectedCalibrationError: m.expectedCalibrationError,
      worstGroupGap: { dimension: worst.dimension, group: worst.group, gap: worst.calibrationGap, ...worst.gapInterval },
      groupsBeyondLimit: groups.filter((g) => g.gapInterval.lower > limits.maxGroupCalibrationGap || g.gapInterval.upper < -limits.maxGroupCalibrationGap).length,
      recalibration: {
        method: 'intercept',
        fittedOn: intercept.fittedOn,
        shift: intercept.shift!,
        eceAfter: intercept.eceAfter,
        isotonicEceAfter: isotonic.eceAfter,
      },
    });
  }
  return results;
}

export async function validateForward(
  manifest: ModelManifest,
  probabilities: Probabilities,
  config: ValidationConfig,
  trainedAsOf: string,
  limits: GateLimits,
): Promise<ValidationResult['forward']> {
  const horizons: HorizonResult[] = [];
  for (const [k, months] of config.monthsAhead.entries()) {
    const requestDate = addMonths(trainedAsOf, months);
    const seed = config.seed + 1000 + 2 * k;
    // The model in use at the request: records as they stand then, features as of then.
    const fresh = draw({ seed, asOf: requestDate }, config.rows, requestDate);
    const pf = await probabilities(fresh.vectors);
    const mf = evaluate({ predicted: pf, truths: fresh.rows.map((r) => r.truth) });
    const modelPassed = failures(qualityGates(mf, limits).filter((g) => g.gate === 'AUC against the oracle' || g.gate === 'calibration error')).length === 0;
    // Records snapshotted at training time, outcomes at the request.
    const stale = draw({ seed: seed + 1, asOf: trainedAsOf, requestDate }, config.rows, trainedAsOf);
    const ps = await probabilities(stale.vectors);
    const ms = evaluate({ predicted: ps, truths: stale.rows.map((r) => r.truth) });
    // The same records, re-derived as of the request date (validated already by draw()).
    const pr = await probabilities(stale.rows.map((r) => deriveFeatures(r.detail.donor, requestDate)));
    const mr = evaluate({ predicted: pr, truths: stale.rows.map((r) => r.truth) });
    horizons.push({
      monthsAhead: months,
      requestDate,
      model: {
        auc: mf.auc,
        oracleAuc: mf.oracleAuc,
        aucBelowOracle: r6(mf.oracleAuc - mf.auc),
        expectedCalibrationError: mf.expectedCalibrationError,
        passed: modelPassed,
      },
      staleScore: {
        expectedCalibrationError: ms.expectedCalibrationError,
        calibrationNoiseFloor: ms.calibrationNoiseFloor!,
        meanPredicted: ms.meanPredicted,
        observedRate: ms.observedRate,
        passed: calibrationErrorAboveChance(ms) <= limits.maxCalibrationError,
      },
      refreshedScore: { expectedCalibrationError: mr.expectedCalibrationError, passed: calibrationErrorAboveChance(mr) <= limits.maxCalibrationError },
    });
  }
  // A shelf life is the last horizon before the first failure (0 when the first one fails).
  const shelfLife = (passed: (h: HorizonResult) => boolean) => {
    let months = 0;
    for (const h of horizons) {
      if (!passed(h)) break;
      months = h.monthsAhead;
    }
    return months;
  };
  return {
    trainedAsOf,
    horizons,
    modelShelfLifeMonths: shelfLife((h) => h.model.passed),
    scoreShelfLifeMonths: shelfLife((h) => h.staleScore.passed),
  };
}

/** Gates on the validation: recalibration must fix a shifted base rate; the model must last. */
export function validationGates(result: ValidationResult, trainingBaseRate: number, limits: GateLimits): GateResult[] {
  const shifted = result.variants.filter((v) => v.variant === 'baseline' && v.baseRate !== trainingBaseRate);
  const badRecalibration = shifted.filter((v) => !(v.recalibration.eceAfter <= limits.maxCalibrationErrorAfterRecalibration));
  const { modelShelfLifeMonths, scoreShelfLifeMonths } = result.forward;
  return [
    {
      gate: 'recalibration',
      passed: shifted.length > 0 && badRecalibration.length === 0,
      detail:
        shifted.length === 0
          ? 'no shifted base rate was validated: add one to "validation.variants"'
          : shifted
              .map((v) => `base rate ${v.baseRate}: ECE ${v.expectedCalibrationError} -> ${v.recalibration.eceAfter} after intercept recalibration on ${v.recalibration.fittedOn} recent outcomes`)
              .join('; ') + ` (limit ${limits.maxCalibrationErrorAfterRecalibration})`,
    },
    {
      gate: 'shelf life',
      passed: modelShelfLifeMonths >= limits.minModelShelfLifeMonths,
      detail:
        `the model meets its AUC and calibration targets on requests up to ${modelShelfLifeMonths} months after training ` +
        `(at least ${limits.minModelShelfLifeMonths} required); an unrefreshed score stays calibrated for ${scoreShelfLifeMonths} months`,
    },
  ];
}
