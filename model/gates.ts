// Quality gates: named checks that a model or a scores file must pass, each able to fail, each
// with a message that says what is wrong. `npm run train` and `drs evaluate --check` use the same
// limits (model/training-config.json "gates"; `npm run train -- --gate name=value` overrides one).
import type { HeldOutMetrics } from '../lambdas/core/model-manifest';
import { groupCalibrationShortfalls } from './calibration';

export interface GateLimits {
  /** The model's AUC may be at most this far below the oracle's. */
  maxAucBelowOracle: number;
  /** Expected calibration error (10 equal-width bins), at most. */
  maxCalibrationError: number;
  /** A group fails when its whole 95% interval of the calibration gap lies beyond ± this. */
  maxGroupCalibrationGap: number;
  /** The generator's own AUC must lie in this range (a realistic world, domain.md). */
  minOracleAuc: number;
  maxOracleAuc: number;
  /** Share of paired lines without a usable score (error lines, blank lines) that is tolerated. */
  maxSkippedShare: number;
  /** Recalibration must bring the calibration error under this on a shifted base rate. */
  maxCalibrationErrorAfterRecalibration: number;
  /** Months after training for which the model must still meet its AUC and calibration targets. */
  minModelShelfLifeMonths: number;
}

export const DEFAULT_GATES: GateLimits = {
  maxAucBelowOracle: 0.01,
  maxCalibrationError: 0.02,
  maxGroupCalibrationGap: 0.03,
  minOracleAuc: 0.75,
  maxOracleAuc: 0.87,
  maxSkippedShare: 0.01,
  maxCalibrationErrorAfterRecalibration: 0.02,
  minModelShelfLifeMonths: 6,
};

export interface GateResult {
  gate: string;
  passed: boolean;
  /** What was measured against what; for a failure, what is wrong. */
  detail: string;
}

export const failures = (gates: readonly GateResult[]) => gates.filter((g) => !g.passed);

const gate = (name: string, passed: boolean, detail: string): GateResult => ({ gate: name, passed, detail });

/** Parses `name=value` overrides (`--gate maxCalibrationError=0`), refusing unknown names. */
export function withOverrides(base: GateLimits, overrides: readonly string[]): GateLimits {
  const out = { ...base };
  for (const text of overrides) {
    const [name, value] = text.split('=');
    if (!(name in DEFAULT_GATES)) throw new Error(`unknown gate ${name}: known gates are ${Object.keys(DEFAULT_GATES).join(', ')}`);
    const n = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(n)) throw new Error(`gate ${name} needs a number, e.g. ${name}=${DEFAULT_GATES[name as keyof GateLimits]}`);
    out[name as keyof GateLimits] = n;
  }
  return out;
}

/** ECE above the chance floor of its row count: what the calibration gates judge. */
export const calibrationErrorAboveChance = (m: Pick<HeldOutMetrics, 'expectedCalibrationError' | 'calibrationNoiseFloor'>) =>
  m.expectedCalibrationError - (m.calibrationNoiseFloor ?? 0);

/** The quality gates of held-out metrics. Zero rows and non-finite numbers fail, never pass. */
export function qualityGates(m: Omit<HeldOutMetrics, 'seed' | 'asOf'>, limits: GateLimits = DEFAULT_GATES): GateResult[] {
  const out: GateResult[] = [];
  out.push(gate('rows', m.rows > 0, m.rows > 0 ? `${m.rows} scored donors` : 'no scored donors: there is nothing to judge'));
  const numbers: [string, number][] = [
    ['AUC', m.auc],
    ['oracle AUC', m.oracleAuc],
    ['Brier score', m.brier],
    ['expected calibration error', m.expectedCalibrationError],
    ['mean predicted', m.meanPredicted],
    ['observed rate', m.observedRate],
  ];
  const bad = numbers.filter(([, x]) => !Number.isFinite(x));
  out.push(
    gate(
      'finite metrics',
      bad.length === 0,
      bad.length === 0
        ? 'every metric is a finite number'
        : `${bad.map(([name, x]) => `${name} is ${x}`).join(', ')}: ` +
            'a metric that is not a number means no positives or no negatives, or scores that are not numbers',
    ),
  );
  const aucGap = m.oracleAuc - m.auc;
  out.push(
    gate(
      'AUC against the oracle',
      aucGap <= limits.maxAucBelowOracle,
      `AUC ${m.auc} is ${aucGap.toFixed(4)} below the oracle AUC ${m.oracleAuc} (limit ${limits.maxAucBelowOracle})`,
    ),
  );
  // Judged above the chance floor of this many rows: a perfectly calibrated model scores about
  // 0.018 on 5,000 rows by chance alone, which must not fail a 0.02 limit.
  const noise = m.calibrationNoiseFloor ?? 0;
  out.push(
    gate(
      'calibration error',
      m.expectedCalibrationError - noise <= limits.maxCalibrationError,
      `expected calibration error ${m.expectedCalibrationError}, ${(m.expectedCalibrationError - noise).toFixed(6)} above the ` +
        `chance floor ${noise} of ${m.rows} rows (limit ${limits.maxCalibrationError})`,
    ),
  );
  out.push(
    gate(
      'oracle AUC realistic',
      m.oracleAuc >= limits.minOracleAuc && m.oracleAuc <= limits.maxOracleAuc,
      `oracle AUC ${m.oracleAuc} (expected ${limits.minOracleAuc}-${limits.maxOracleAuc})`,
    ),
  );
  const ancestry = m.byAncestryGroup.map((g) => ({
    dimension: 'ancestryGroup',
    group: g.group,
    rows: g.rows,
    observedRate: g.observedRate,
    meanPredicted: g.meanPredicted,
    calibrationGap: g.calibrationGap,
    gapInterval: g.gapInterval ?? { lower: g.calibrationGap, upper: g.calibrationGap },
  }));
  const groups = [...(m.byGroup ?? []).filter((g) => g.dimension !== 'ancestryGroup'), ...ancestry];
  const groupFailures = groupCalibrationShortfalls(groups, limits.maxGroupCalibrationGap);
  out.push(
    gate(
      'group calibration',
      groupFailures.length === 0,
      groupFailures.length === 0
        ? `${groups.length} groups: no 95% interval of the calibration gap lies beyond ±${limits.maxGroupCalibrationGap}`
        : groupFailures.join('; '),
    ),
  );
  return out;
}
