// One scheduled monitoring run, with the stores behind ports: read the stored scores (the refresh's
// snapshot where one exists, else the table or a sample of it), the prediction log and the scoring
// function's outcome counts, compute the figures (lambdas/monitoring/), write the report, publish
// metrics, and on the weekly run e-mail whether anything crossed a threshold. Only aggregates leave it.
import { isoDateToDay, todayIsoDate } from '../core/calendar';
import { readPredictionLogRow, readScoreRecord } from '../monitoring/monitoring-inputs';
import { monitoringReferenceOf, type MonitoringReference } from '../monitoring/monitoring-reference';
import { renderMonitoringReport } from '../monitoring/monitoring-report';
import { runMonitoring, type MonitoredOutcome, type MonitoringFigures, type MonitoringThresholds, type PipelineCounts } from '../monitoring/monitoring-run';
import { ScorePopulation } from '../monitoring/score-population';

/** Stored score records (table items or snapshot lines, unmarshalled) and where they come from. */
export interface ScoreSource {
  items: AsyncIterable<unknown> | Iterable<unknown>;
  /** In words, for the report: which snapshot or table, and why not the snapshot when it was not. */
  description: string;
  kind: 'snapshot' | 'table' | 'table sample';
  /** The moment the records stand at: the export time of a snapshot, the read's time for the table. */
  asOf: string;
}

/** The window the scoring function's rejection and failure rates are counted over. */
export const RATE_WINDOW_HOURS = 24;

export interface MonitorPorts {
  /** The manifest of the deployed model (its `monitoring` reference). */
  manifest(): Promise<{ modelVersion: string; monitoring?: MonitoringReference }>;
  /** Score records: the latest snapshot; without one, all of a small table or a uniform sample of segments of a large one. */
  scoreRecords(maxRows: number): Promise<ScoreSource>;
  /** Donor updates the scoring function scored, rejected and failed in [from, to) (its metrics). */
  pipelineCounts(from: Date, to: Date): Promise<Omit<PipelineCounts, 'unscored'>>;
  predictionLog(): Promise<unknown[]>;
  putReport(key: string, body: string, contentType: string): Promise<string>;
  publishMetrics(metrics: Record<string, number>): void;
  email(subject: string, body: string): Promise<void>;
}

export interface MonitorRunResult {
  reportUri: string;
  drift: boolean;
  operational: boolean;
  findings: number;
  emailed: boolean;
  /** Which stored scores were read (snapshot, table or table sample), as of when, and how many. */
  scores: { kind: ScoreSource['kind']; asOf: string; rows: number; unreadable: number };
  /** The scoring function's counts over the rate window; null when they could not be read. */
  rates: Omit<PipelineCounts, 'unscored'> | null;
}

/** The metrics the alarms watch (namespace DonorReadiness, service monitor-model). */
export function monitoringMetrics(f: MonitoringFigures): Record<string, number> {
  const w90 = f.outcomes?.windows.find((w) => w.days === 90);
  const metrics: Record<string, number> = {
    DriftDetected: f.drift ? 1 : 0,
    ScorePsi: f.psi.score,
    MaxFeaturePsi: Math.max(0, ...Object.values(f.psi.features).filter(Number.isFinite)),
    StaleScoreShare: f.freshness.staleShare,
    UnscoredShare: f.freshness.unscoredShare,
    RequestsWithoutScoreShare: f.freshness.requestsWithoutScore?.share ?? 0,
    MonitoredScores: f.rows.scores,
    Outcomes90d: w90?.overall.calibration.rows ?? 0,
  };
  if (f.rates.known) {
    metrics.RejectedShare = f.rates.rejectedShare;
    metrics.FailedShare = f.rates.failedShare;
  }
  if (w90 && w90.overall.calibration.rows > 0) {
    metrics.CalibrationGap90d = Math.abs(w90.overall.calibration.inTheLarge);
    if (Number.isFinite(w90.overall.auc.value)) metrics.AucDrop90d = f.referenceAuc - w90.overall.auc.value;
  }
  // A figure that could not be computed (no stored score: PSI NaN) is left out, not sent as NaN.
  return Object.fromEntries(Object.entries(metrics).filter(([, v]) => Number.isFinite(v)));
}

/** A figure as text; one that could not be computed (no outcomes of one class, NaN) reads as a dash. */
const fixed = (x: number | null | undefined, digits: number) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–');

/** Findings listed in the weekly e-mail; the rest are counted and in the report. */
export const MAIL_FINDINGS = 12;

export function weeklyEmail(stage: string, f: MonitoringFigures, reportUri: string): { subject: string; body: string } {
  const crossed = f.findings.length;
  const subject = `[donor-readiness ${stage}] monitoring ${f.asOf}: ${crossed ? `${crossed} threshold${crossed === 1 ? '' : 's'} crossed` : 'no threshold crossed'}`;
  const lines = [
    `Model ${f.modelVersion}, ${f.rows.scores} stored scores monitored, ${f.rows.outcomes} request outcomes in the prediction log.`,
    '',
    crossed ? 'Thresholds crossed:' : 'Nothing crossed a threshold.',
    // A moved base rate crosses in every donor group: the first few say it, the report has them all.
    ...f.findings.slice(0, MAIL_FINDINGS).map((x) => `- ${x.message}`),
    ...(crossed > MAIL_FINDINGS ? [`- and ${crossed - MAIL_FINDINGS} more: see the report`] : []),
    '',
    `Score PSI ${fixed(f.psi.score, 3)} (threshold ${f.thresholds.psi}).`,
    f.auc && f.calibration && f.calibration.rows > 0
      ? `Last ${f.auc.days} days: AUC ${fixed(f.auc.value, 3)} (95% CI ${fixed(f.auc.interval.lower, 3)}-${fixed(f.auc.interval.upper, 3)}, ${f.auc.rows} requests); observed ${fixed(f.calibration.observedRate * 100, 1)}% vs predicted ${fixed(f.calibration.meanPredicted * 100, 1)}%.`
      : 'No request outcomes in the last year: AUC and calibration are not computed.',
    `Stored scores older than ${f.freshness.refreshPeriodDays} days: ${fixed(f.freshness.staleShare * 100, 1)}%.`,
    '',
    `The report (plots, per model version and donor group): ${reportUri}`,
    'Download it with: aws s3 cp ' + reportUri + ' report.html',
    '',
    'This e-mail holds aggregates only, never a donor row.',
  ];
  return { subject, body: lines.join('\n') };
}

export async function runScheduledMonitoring(
  ports: MonitorPorts,
  options: { stage: string; thresholds: MonitoringThresholds; scoreSampleRows: number; now: Date; weekly: boolean },
): Promise<MonitorRunResult> {
  const manifest = await ports.manifest();
  const reference = monitoringReferenceOf(manifest);
  const asOf = todayIsoDate(options.now);
  const source = await ports.scoreRecords(options.scoreSampleRows);
  // Counted as the records stream by: a 9 M-row snapshot is never held in memory.
  const population = new ScorePopulation(reference, asOf, options.thresholds.refreshPeriodDays);
  let unreadable = 0;
  for await (const item of source.items) {
    const read = readScoreRecord(item);
    if (read.ok) population.add(read.value);
    else unreadable++;
  }
  const outcomes: MonitoredOutcome[] = [];
  // Requests of the last 90 days whose donor had no score: what a partner sees as a score not populating.
  const requests = { rows: 0, withoutScore: 0 };
  const since = isoDateToDay(asOf) - 90;
  for (const item of await ports.predictionLog()) {
    const read = readPredictionLogRow(item);
    if (read.ok) outcomes.push(read.value);
    const requestedAt = (item as { requestedAt?: unknown }).requestedAt;
    if (typeof requestedAt === 'string' && isoDateToDay(requestedAt) > since) {
      requests.rows++;
      if (!read.ok && read.reason === 'no score at the request') requests.withoutScore++;
    }
  }
  const to = options.now;
  const from = new Date(to.getTime() - RATE_WINDOW_HOURS * 3_600_000);
  const window = `${from.toISOString()} to ${to.toISOString()}`;
  // Without the rates the report is still worth having: it says they are unknown, and why.
  const rates = await ports.pipelineCounts(from, to).then(
    (counts) => ({ counts, known: true, source: `the scoring function's metrics, ${window}` }),
    (error: Error) => ({ counts: { scored: 0, rejected: 0, failed: 0 }, known: false, source: `unknown: the scoring function's metrics could not be read (${error.name}: ${error.message})` }),
  );
  const figures = runMonitoring({
    asOf,
    reference,
    referenceModelVersion: manifest.modelVersion,
    scores: population,
    outcomes,
    // Stored records without a usable score are donors without a score.
    counts: { ...rates.counts, unscored: unreadable },
    ratesKnown: rates.known,
    requests,
    thresholds: options.thresholds,
    source: {
      scores: source.description,
      scoresKind: source.kind,
      scoresAsOf: source.asOf,
      outcomes: 'the prediction log',
      rates: rates.source,
    },
  });
  const html = await renderMonitoringReport(figures);
  const reportUri = await ports.putReport(`reports/${asOf}/report.html`, html, 'text/html; charset=utf-8');
  await ports.putReport(`reports/${asOf}/figures.json`, JSON.stringify(figures), 'application/json');
  ports.publishMetrics(monitoringMetrics(figures));
  if (options.weekly) {
    const mail = weeklyEmail(options.stage, figures, reportUri);
    await ports.email(mail.subject, mail.body);
  }
  return {
    reportUri,
    drift: figures.drift,
    operational: figures.operational,
    findings: figures.findings.length,
    emailed: options.weekly,
    scores: { kind: source.kind, asOf: source.asOf, rows: population.rows, unreadable },
    rates: rates.known ? rates.counts : null,
  };
}
