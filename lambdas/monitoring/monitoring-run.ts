// One monitoring run, pure: stored scores (and, when there are any, request outcomes with the score
// each donor had when requested) against the training reference -> every figure of the report and
// which thresholds were crossed. The monitoring function and `drs monitor` both call this, so the
// report from a laptop is the report from AWS. Only aggregates leave this module: no donor rows.
import { isoDateToDay, dayToIsoDate } from '../core/calendar';
import type { Band } from '../core/model-manifest';
import { aucWithInterval, calibration, rocPoints, type AucResult, type CalibrationResult, type Interval } from '../core/outcome-statistics';
import type { MonitoringReference } from './monitoring-reference';
import { compareBinCounts, type PsiResult } from './population-stability';
import { ScorePopulation } from './score-population';

/** What the run reads of a score record (contract.md, "Output: the score record"). */
export interface MonitoredScore {
  score: number;
  band: Band;
  modelVersion: string;
  scoringDate: string;
  features: Record<string, number>;
}

/** One closed request: the outcome and the score the donor had at `requestedAt` (the prediction log). */
export interface MonitoredOutcome {
  requestedAt: string | null;
  available: 0 | 1;
  score: number;
  band: Band;
  modelVersion: string;
  features?: Record<string, number>;
  /** Only in synthetic data: the generator's ancestry group, never a model input. */
  ancestryGroup?: string;
}

export interface MonitoringThresholds {
  /** PSI at or above which a distribution has shifted (also above the sampling-noise floor). */
  psi: number;
  /** Fewer monitored rows than this never flag a PSI. */
  psiMinRows: number;
  /** Calibration-in-the-large: flag when the interval lies wholly beyond ± this. */
  calibrationDrift: number;
  /** Flag when the AUC's interval lies wholly below the reference AUC minus this. */
  aucDrop: number;
  /** Fewer outcomes than this in a window or group are reported but never flagged. */
  minOutcomes: number;
  /** A stored score older than this many days is stale. */
  refreshPeriodDays: number;
  staleShare: number;
  unscoredShare: number;
  rejectedShare: number;
  failedShare: number;
}

export const DEFAULT_THRESHOLDS: MonitoringThresholds = {
  psi: 0.2,
  psiMinRows: 50,
  calibrationDrift: 0.05,
  aucDrop: 0.05,
  minOutcomes: 50,
  refreshPeriodDays: 30,
  staleShare: 0.05,
  unscoredShare: 0.01,
  rejectedShare: 0.05,
  failedShare: 0.01,
};

export interface PipelineCounts {
  /** Donor updates scored, rejected (broke the contract) and failed (every attempt) in the period. */
  scored: number;
  rejected: number;
  failed: number;
  /** Donors known to the registry without any stored score. */
  unscored: number;
}

export interface MonitoringInput {
  asOf: string;
  reference: MonitoringReference;
  referenceModelVersion: string;
  /** The stored scores: as records, or already counted as a snapshot streamed by (ScorePopulation). */
  scores: readonly MonitoredScore[] | ScorePopulation;
  outcomes?: readonly MonitoredOutcome[];
  counts: PipelineCounts;
  /** False when the scored, rejected and failed counts could not be read (`source.rates` says why). */
  ratesKnown?: boolean;
  /** Requests of the last 90 days, and how many found the donor without a score (the prediction log's `no-score`). */
  requests?: { rows: number; withoutScore: number };
  thresholds?: Partial<MonitoringThresholds>;
  /** Where the figures came from, for the report (a file name, a table or a snapshot and its time). */
  source: MonitoringSource;
}

export interface MonitoringSource {
  scores: string;
  /** `snapshot` (the refresh's table export), `table`, `table sample` or `file`. */
  scoresKind?: 'snapshot' | 'table' | 'table sample' | 'file';
  /** The moment the stored scores stand at (a snapshot's export time). */
  scoresAsOf?: string;
  outcomes?: string;
  /** Where the rejection and failure counts come from, and their window. */
  rates?: string;
}

export interface GroupQuality {
  dimension: string;
  group: string;
  rows: number;
  available: number;
  observedRate: number;
  meanPredicted: number;
  inTheLarge: number;
  interval: Interval;
  auc: AucResult;
  calibrationDrift: boolean;
}

export interface SliceQuality {
  label: string;
  auc: AucResult;
  calibration: CalibrationResult;
  calibrationDrift: boolean;
  aucDrop: boolean;
}

export interface OutcomeWindow {
  days: number;
  from: string;
  to: string;
  overall: SliceQuality;
  byModelVersion: SliceQuality[];
  byGroup: GroupQuality[];
  roc: { fpr: number; tpr: number }[];
}

export interface Finding {
  kind: 'psi' | 'calibration' | 'auc' | 'freshness' | 'rates';
  where: string;
  message: string;
}

export interface MonitoringFigures {
  asOf: string;
  modelVersion: string;
  /** Held-out AUC of the model at training time. */
  referenceAuc: number;
  source: MonitoringInput['source'];
  thresholds: MonitoringThresholds;
  /** True when a model threshold is crossed: PSI of the score or a feature, calibration, AUC drop. */
  drift: boolean;
  /** True when an operational threshold is crossed: stale or missing scores, rejection or failure rate. */
  operational: boolean;
  findings: Finding[];
  rows: { scores: number; outcomes: number };
  /** PSI of the score and of each feature by name; the bins behind each in `psiDetail`. */
  psi: { score: number; features: Record<string, number>; rows: number; drifted: string[] };
  psiDetail: { score: PsiResult; features: Record<string, PsiResult> };
  bands: { monitored: Record<Band, number>; reference: Record<Band, number> };
  scoresByModelVersion: Record<string, number>;
  /** Donor updates handled in the rate window (`source.rates`); `known` false when they could not be read. */
  rates: { known: boolean; scored: number; rejected: number; failed: number; rejectedShare: number; failedShare: number };
  freshness: {
    refreshPeriodDays: number;
    newestScoringDate: string | null;
    staleScores: number;
    staleShare: number;
    unscored: number;
    unscoredShare: number;
    /** Requests of the last 90 days that found the donor without a score (null: not known here). */
    requestsWithoutScore: { rows: number; withoutScore: number; share: number } | null;
  };
  volumes: { scoresByDay: { date: string; count: number }[]; outcomesByWeek: { week: string; requests: number; available: number }[] };
  outcomes: { windows: OutcomeWindow[] } | null;
  /** The widest window's overall figures, for a quick read. */
  auc: (AucResult & { days: number }) | null;
  calibration: (CalibrationResult & { days: number }) | null;
}

export const OUTCOME_WINDOWS = [90, 365] as const;

const round6 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x);
const share = (part: number, whole: number) => (whole > 0 ? round6(part / whole) : 0);

/** The groups a registry reports calibration for, derived from the non-identifying features. */
export function donorGroups(row: Pick<MonitoredOutcome, 'band' | 'features' | 'ancestryGroup'>): [string, string][] {
  const groups: [string, string][] = [['band', row.band]];
  const f = row.features;
  if (f) {
    const age = f.ageYears;
    if (age !== undefined) groups.push(['ageBand', age < 30 ? '18-29' : age < 40 ? '30-39' : age < 50 ? '40-49' : '50+']);
    if (f.female !== undefined) groups.push(['sex', f.female ? 'F' : f.sexUnknown ? 'U' : 'M']);
    if (f.livesAbroad !== undefined) groups.push(['residence', f.livesAbroad ? 'international' : 'domestic']);
    if (f.recruitedOnline !== undefined) {
      groups.push(['recruitmentChannel', f.recruitedOnline ? 'online' : f.recruitedAtBloodCenter ? 'blood_center' : f.recruitedOtherChannel ? 'other' : 'drive']);
    }
    const years = f.yearsOnRegistry;
    if (years !== undefined) groups.push(['yearsOnRegistry', years < 2 ? '<2' : years < 5 ? '2-5' : years < 10 ? '5-10' : '10+']);
    if (f.daysUntilAvailableAgain !== undefined) groups.push(['paused', f.daysUntilAvailableAgain > 0 ? 'paused' : 'not paused']);
  }
  if (row.ancestryGroup) groups.push(['ancestry', row.ancestryGroup]);
  return groups;
}

/** Interval wholly beyond ± limit: a calibration gap that sampling noise does not explain. */
const beyond = (interval: Interval, limit: number) => interval.lower > limit || interval.upper < -limit;

function slice(label: string, rows: readonly MonitoredOutcome[], referenceAuc: number, t: MonitoringThresholds): SliceQuality {
  const scores = rows.map((r) => r.score);
  const labels = rows.map((r) => r.available);
  const auc = aucWithInterval(scores, labels);
  const cal = calibration(scores, labels);
  const enough = rows.length >= t.minOutcomes;
  return {
    label,
    auc,
    calibration: cal,
    calibrationDrift: enough && beyond(cal.interval, t.calibrationDrift),
    // Without an AUC (one class) the interval is NaN, and NaN is below nothing: no drop.
    aucDrop: enough && auc.interval.upper < referenceAuc - t.aucDrop,
  };
}

function outcomeWindow(days: number, asOfDay: number, outcomes: readonly MonitoredOutcome[], referenceAuc: number, t: MonitoringThresholds): OutcomeWindow {
  const inWindow = outcomes.filter((o) => {
    const day = o.requestedAt ? isoDateToDay(o.requestedAt) : asOfDay;
    return day > asOfDay - days && day <= asOfDay;
  });
  const versions = [...new Set(inWindow.map((o) => o.modelVersion))].sort();
  const byGroupRows = new Map<string, MonitoredOutcome[]>();
  for (const o of inWindow) {
    for (const [dimension, group] of donorGroups(o)) {
      const key = `${dimension}\u0000${group}`;
      const list = byGroupRows.get(key) ?? [];
      list.push(o);
      byGroupRows.set(key, list);
    }
  }
  const byGroup = [...byGroupRows.entries()]
    .map(([key, rows]): GroupQuality => {
      const [dimension, group] = key.split('\u0000');
      const cal = calibration(rows.map((r) => r.score), rows.map((r) => r.available));
      return {
        dimension,
        group,
        rows: rows.length,
        available: cal.available,
        observedRate: cal.observedRate,
        meanPredicted: cal.meanPredicted,
        inTheLarge: cal.inTheLarge,
        interval: cal.interval,
        auc: aucWithInterval(rows.map((r) => r.score), rows.map((r) => r.available)),
        calibrationDrift: rows.length >= t.minOutcomes && beyond(cal.interval, t.calibrationDrift),
      };
    })
    .sort((a, b) => a.dimension.localeCompare(b.dimension) || a.group.localeCompare(b.group));
  return {
    days,
    from: dayToIsoDate(asOfDay - days + 1),
    to: dayToIsoDate(asOfDay),
    overall: slice('all model versions', inWindow, referenceAuc, t),
    byModelVersion: versions.map((v) => slice(`model ${v}`, inWindow.filter((o) => o.modelVersion === v), referenceAuc, t)),
    byGroup,
    roc: rocPoints(inWindow.map((o) => o.score), inWindow.map((o) => o.available)),
  };
}

function isoWeek(date: string): string {
  // Monday of the week: enough to order and label weekly volumes.
  const day = isoDateToDay(date);
  const weekday = (day + 3) % 7; // 1970-01-01 was a Thursday; 0 = Monday
  return dayToIsoDate(day - weekday);
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function runMonitoring(input: MonitoringInput): MonitoringFigures {
  const t: MonitoringThresholds = { ...DEFAULT_THRESHOLDS, ...input.thresholds };
  // One in 1,000 runs of an unchanged population may cross the noise floor, counting every
  // distribution tested (the score and each feature): 0.001 shared among them (Bonferroni).
  const distributions = 1 + Object.keys(input.reference.features).length;
  const psiThresholds = { psi: t.psi, minRows: t.psiMinRows, confidence: 1 - 0.001 / distributions };
  const { reference, scores } = input;
  const asOfDay = isoDateToDay(input.asOf);
  const findings: Finding[] = [];

  // An array (a file, a sample) is counted here; a snapshot arrives already counted, line by line.
  const population = Array.isArray(scores) ? ScorePopulation.of(reference, input.asOf, t.refreshPeriodDays, scores as readonly MonitoredScore[]) : (scores as ScorePopulation);
  if (population.asOf !== input.asOf || population.refreshPeriodDays !== t.refreshPeriodDays) {
    throw new RangeError(`the scores were counted as of ${population.asOf} with a ${population.refreshPeriodDays}-day refresh period, not ${input.asOf} and ${t.refreshPeriodDays}`);
  }
  const scorePsi = compareBinCounts(reference.score, population.scoreCounts, psiThresholds);
  if (scorePsi.drift) findings.push({ kind: 'psi', where: 'score', message: `score distribution PSI ${scorePsi.psi.toFixed(3)} ≥ ${t.psi}` });
  const features: Record<string, PsiResult> = {};
  for (const [name, ref] of Object.entries(reference.features)) {
    features[name] = compareBinCounts(ref, population.featureCounts[name], psiThresholds);
    if (features[name].drift) findings.push({ kind: 'psi', where: `feature ${name}`, message: `feature ${name} PSI ${features[name].psi.toFixed(3)} ≥ ${t.psi}` });
  }

  const bandCounts = population.bands;
  const byVersion = population.byModelVersion;
  const byDay = population.byDay;
  const stale = population.stale;
  const newest = population.newestDay;
  const n = population.rows;
  const known = n + input.counts.unscored;
  const freshness = {
    refreshPeriodDays: t.refreshPeriodDays,
    newestScoringDate: newest === null ? null : dayToIsoDate(newest),
    staleScores: stale,
    staleShare: share(stale, n),
    unscored: input.counts.unscored,
    unscoredShare: share(input.counts.unscored, known),
    requestsWithoutScore: input.requests ? { ...input.requests, share: share(input.requests.withoutScore, input.requests.rows) } : null,
  };
  if (freshness.staleShare > t.staleShare) {
    findings.push({ kind: 'freshness', where: 'stored scores', message: `${pct(freshness.staleShare)} of stored scores are older than ${t.refreshPeriodDays} days (threshold ${pct(t.staleShare)})` });
  }
  if (freshness.unscoredShare > t.unscoredShare) {
    findings.push({ kind: 'freshness', where: 'donors', message: `${pct(freshness.unscoredShare)} of donors have no score (threshold ${pct(t.unscoredShare)})` });
  }
  const asked = freshness.requestsWithoutScore;
  if (asked && asked.rows >= t.minOutcomes && asked.share > t.unscoredShare) {
    findings.push({ kind: 'freshness', where: 'requested donors', message: `${pct(asked.share)} of the ${asked.rows} donors requested in the last 90 days had no score (threshold ${pct(t.unscoredShare)})` });
  }
  const handled = input.counts.scored + input.counts.rejected + input.counts.failed;
  const ratesKnown = input.ratesKnown !== false;
  const rates = {
    known: ratesKnown,
    scored: input.counts.scored,
    rejected: input.counts.rejected,
    failed: input.counts.failed,
    rejectedShare: share(input.counts.rejected, handled),
    failedShare: share(input.counts.failed, handled),
  };
  // A handful of updates is no rate: 1 rejected of 3 is not a 33% problem.
  const rated = ratesKnown && handled >= t.minOutcomes;
  if (rated && rates.rejectedShare > t.rejectedShare) findings.push({ kind: 'rates', where: 'rejected', message: `${pct(rates.rejectedShare)} of donor updates were rejected (threshold ${pct(t.rejectedShare)})` });
  if (rated && rates.failedShare > t.failedShare) findings.push({ kind: 'rates', where: 'failed', message: `${pct(rates.failedShare)} of donor updates failed every attempt (threshold ${pct(t.failedShare)})` });

  let outcomes: MonitoringFigures['outcomes'] = null;
  const weeks = new Map<string, { requests: number; available: number }>();
  const given = input.outcomes;
  if (given) {
    const windows = OUTCOME_WINDOWS.map((days) => outcomeWindow(days, asOfDay, given, reference.auc, t));
    outcomes = { windows };
    for (const w of windows) {
      const where = `last ${w.days} days`;
      for (const s of [w.overall, ...w.byModelVersion]) {
        if (s.calibrationDrift) {
          findings.push({ kind: 'calibration', where: `${where}, ${s.label}`, message: `${s.label}, ${where}: observed ${pct(s.calibration.observedRate)} vs predicted ${pct(s.calibration.meanPredicted)} (n=${s.calibration.rows})` });
        }
        if (s.aucDrop) {
          findings.push({ kind: 'auc', where: `${where}, ${s.label}`, message: `${s.label}, ${where}: AUC ${s.auc.value.toFixed(3)} (95% CI ${s.auc.interval.lower.toFixed(3)}-${s.auc.interval.upper.toFixed(3)}) below the reference ${reference.auc.toFixed(3)} by more than ${t.aucDrop}` });
        }
      }
      for (const g of w.byGroup.filter((x) => x.calibrationDrift)) {
        findings.push({ kind: 'calibration', where: `${where}, ${g.dimension}=${g.group}`, message: `${g.dimension} ${g.group}, ${where}: observed ${pct(g.observedRate)} vs predicted ${pct(g.meanPredicted)} (n=${g.rows})` });
      }
    }
    for (const o of given) {
      const week = isoWeek(o.requestedAt ?? input.asOf);
      const entry = weeks.get(week) ?? { requests: 0, available: 0 };
      entry.requests++;
      entry.available += o.available;
      weeks.set(week, entry);
    }
  }
  const widest = outcomes?.windows[outcomes.windows.length - 1];
  const modelKinds = new Set<Finding['kind']>(['psi', 'calibration', 'auc']);
  return {
    asOf: input.asOf,
    modelVersion: input.referenceModelVersion,
    referenceAuc: reference.auc,
    source: input.source,
    thresholds: t,
    drift: findings.some((f) => modelKinds.has(f.kind)),
    operational: findings.some((f) => !modelKinds.has(f.kind)),
    findings,
    rows: { scores: n, outcomes: input.outcomes?.length ?? 0 },
    psi: {
      score: scorePsi.psi,
      features: Object.fromEntries(Object.entries(features).map(([name, r]) => [name, r.psi])),
      rows: scorePsi.rows,
      drifted: [...(scorePsi.drift ? ['score'] : []), ...Object.keys(features).filter((name) => features[name].drift)],
    },
    psiDetail: { score: scorePsi, features },
    bands: {
      monitored: { high: share(bandCounts.high, n), medium: share(bandCounts.medium, n), low: share(bandCounts.low, n) },
      reference: reference.bands,
    },
    scoresByModelVersion: byVersion,
    rates,
    freshness,
    volumes: {
      scoresByDay: [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([date, count]) => ({ date, count })),
      outcomesByWeek: [...weeks.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([week, v]) => ({ week, ...v })),
    },
    outcomes,
    auc: widest ? { ...widest.overall.auc, days: widest.days } : null,
    calibration: widest ? { ...widest.overall.calibration, days: widest.days } : null,
  };
}
