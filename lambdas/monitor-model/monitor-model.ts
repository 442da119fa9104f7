// One scheduled monitoring run, with the stores behind ports: read a sample of the score table and
// the prediction log, compute the figures (lambdas/monitoring/), write the report, publish metrics,
// and on the weekly run e-mail whether anything crossed a threshold. Only aggregates leave it.
import { todayIsoDate } from '../core/calendar';
import { readPredictionLogRow, readScoreRecord } from '../monitoring/monitoring-inputs';
import { monitoringReferenceOf, type MonitoringReference } from '../monitoring/monitoring-reference';
import { renderMonitoringReport } from '../monitoring/monitoring-report';
import { runMonitoring, type MonitoredOutcome, type MonitoredScore, type MonitoringFigures, type MonitoringThresholds } from '../monitoring/monitoring-run';

export interface MonitorPorts {
  /** The manifest of the deployed model (its `monitoring` reference). */
  manifest(): Promise<{ modelVersion: string; monitoring?: MonitoringReference }>;
  /** Score records: all of a small table, a uniform sample of segments of a large one. */
  scoreRecords(maxRows: number): Promise<{ items: unknown[]; sampled: boolean }>;
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
    MonitoredScores: f.rows.scores,
    Outcomes90d: w90?.overall.calibration.rows ?? 0,
  };
  if (w90 && w90.overall.calibration.rows > 0) {
    metrics.CalibrationGap90d = Math.abs(w90.overall.calibration.inTheLarge);
    if (Number.isFinite(w90.overall.auc.value)) metrics.AucDrop90d = f.referenceAuc - w90.overall.auc.value;
  }
  return metrics;
}

export function weeklyEmail(stage: string, f: MonitoringFigures, reportUri: string): { subject: string; body: string } {
  const crossed = f.findings.length;
  const subject = `[donor-readiness ${stage}] monitoring ${f.asOf}: ${crossed ? `${crossed} threshold${crossed === 1 ? '' : 's'} crossed` : 'no threshold crossed'}`;
  const lines = [
    `Model ${f.modelVersion}, ${f.rows.scores} stored scores monitored, ${f.rows.outcomes} request outcomes in the prediction log.`,
    '',
    crossed ? 'Thresholds crossed:' : 'Nothing crossed a threshold.',
    ...f.findings.map((x) => `- ${x.message}`),
    '',
    `Score PSI ${f.psi.score.toFixed(3)} (threshold ${f.thresholds.psi}).`,
    f.auc && f.calibration
      ? `Last ${f.auc.days} days: AUC ${f.auc.value.toFixed(3)} (95% CI ${f.auc.interval.lower.toFixed(3)}-${f.auc.interval.upper.toFixed(3)}, ${f.auc.rows} requests); observed ${(f.calibration.observedRate * 100).toFixed(1)}% vs predicted ${(f.calibration.meanPredicted * 100).toFixed(1)}%.`
      : 'No request outcomes yet: AUC and calibration are not computed.',
    `Stored scores older than ${f.freshness.refreshPeriodDays} days: ${(f.freshness.staleShare * 100).toFixed(1)}%.`,
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
  const { items, sampled } = await ports.scoreRecords(options.scoreSampleRows);
  const scores: MonitoredScore[] = [];
  let unreadable = 0;
  for (const item of items) {
    const read = readScoreRecord(item);
    if (read.ok) scores.push(read.value);
    else unreadable++;
  }
  const outcomes: MonitoredOutcome[] = [];
  for (const item of await ports.predictionLog()) {
    const read = readPredictionLogRow(item);
    if (read.ok) outcomes.push(read.value);
  }
  const asOf = todayIsoDate(options.now);
  const figures = runMonitoring({
    asOf,
    reference,
    referenceModelVersion: manifest.modelVersion,
    scores,
    outcomes,
    // Rates of rejected and failed updates are the scoring function's own metrics (dashboard).
    counts: { scored: scores.length, rejected: 0, failed: 0, unscored: unreadable },
    thresholds: options.thresholds,
    source: { scores: sampled ? 'a sample of the score table' : 'the score table', outcomes: 'the prediction log' },
  });
  const html = await renderMonitoringReport(figures);
  const reportUri = await ports.putReport(`reports/${asOf}/report.html`, html, 'text/html; charset=utf-8');
  await ports.putReport(`reports/${asOf}/figures.json`, JSON.stringify(figures), 'application/json');
  ports.publishMetrics(monitoringMetrics(figures));
  if (options.weekly) {
    const mail = weeklyEmail(options.stage, figures, reportUri);
    await ports.email(mail.subject, mail.body);
  }
  return { reportUri, drift: figures.drift, operational: figures.operational, findings: figures.findings.length, emailed: options.weekly };
}
