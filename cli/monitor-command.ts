// `drs monitor`: the monitoring report from files, the same figures and HTML the scheduled
// monitoring function writes to S3 (lambdas/monitoring/ does the work for both).
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { todayIsoDate } from '../lambdas/core/calendar';
import { readPredictionLogRow, readScoreRecord } from '../lambdas/monitoring/monitoring-inputs';
import { renderMonitoringReport } from '../lambdas/monitoring/monitoring-report';
import {
  runMonitoring,
  type MonitoredOutcome,
  type MonitoredScore,
  type MonitoringFigures,
  type MonitoringThresholds,
} from '../lambdas/monitoring/monitoring-run';
import { DEFAULT_MODEL_DIR, readReference } from '../model/model-files';
import { fail, progressBar } from './terminal';

export interface MonitorOptions {
  scores: string;
  outcomes?: string;
  reference?: string;
  out: string;
  asOf?: string;
  json: boolean;
  thresholds?: Partial<MonitoringThresholds>;
}

async function* jsonLines(file: string): AsyncGenerator<{ line: number; value: unknown }> {
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    line++;
    if (!text.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new Error(`${file} line ${line}: not JSON (each line must be one JSON object)`);
    }
    yield { line, value };
  }
}

export { readReference };

interface ScoreFile {
  scores: MonitoredScore[];
  rejected: number;
  byDonor: Map<string, number>;
}

async function readScores(file: string): Promise<ScoreFile> {
  const scores: MonitoredScore[] = [];
  const byDonor = new Map<string, number>();
  let rejected = 0;
  const progress = progressBar('reading scores', undefined);
  for await (const { line, value } of jsonLines(file)) {
    const read = readScoreRecord(value);
    if (!read.ok) {
      if ('rejected' in read) {
        rejected++;
        continue;
      }
      throw new Error(`${file} line ${line}: ${read.reason} (expected a score record, e.g. a line of drs score)`);
    }
    const donorId = (value as { donorId?: unknown }).donorId;
    if (typeof donorId === 'string') byDonor.set(donorId, scores.length);
    scores.push(read.value);
    if (scores.length % 10_000 === 0) progress.tick(scores.length);
  }
  progress.stop();
  return { scores, rejected, byDonor };
}

/**
 * Outcomes: prediction-log rows (`drs export-training`, the outcome table), or `drs data` rows
 * whose synthetic truth is the outcome of a request today for the score in the scores file.
 */
async function readOutcomes(file: string, scoreFile: ScoreFile): Promise<{ outcomes: MonitoredOutcome[]; unusable: Record<string, number> }> {
  const outcomes: MonitoredOutcome[] = [];
  const unusable: Record<string, number> = {};
  for await (const { line, value } of jsonLines(file)) {
    const row = value as { detail?: { donorId?: string }; truth?: { available?: unknown; ancestryGroup?: string } };
    if (row && typeof row === 'object' && row.truth && row.detail) {
      if (row.truth.available !== 0 && row.truth.available !== 1) throw new Error(`${file} line ${line}: truth.available must be 0 or 1`);
      const at = scoreFile.byDonor.get(String(row.detail.donorId));
      if (at === undefined) {
        unusable['no score for the donor'] = (unusable['no score for the donor'] ?? 0) + 1;
        continue;
      }
      const s = scoreFile.scores[at];
      outcomes.push({ requestedAt: null, available: row.truth.available, score: s.score, band: s.band, modelVersion: s.modelVersion, features: s.features, ancestryGroup: row.truth.ancestryGroup });
      continue;
    }
    const read = readPredictionLogRow(value);
    if (!read.ok) {
      if (read.reason === 'no score at the request') {
        unusable[read.reason] = (unusable[read.reason] ?? 0) + 1;
        continue;
      }
      throw new Error(`${file} line ${line}: ${read.reason} (expected a prediction-log row or a drs data row)`);
    }
    outcomes.push(read.value);
  }
  return { outcomes, unusable };
}

export interface MonitorResult {
  figures: MonitoringFigures & { unusableOutcomes?: Record<string, number> };
  html: string;
  files: string[];
}

export async function buildMonitoringFromFiles(options: MonitorOptions): Promise<MonitorResult> {
  for (const [flag, file] of [['--scores', options.scores], ['--outcomes', options.outcomes]] as const) {
    if (file && !existsSync(file)) throw new Error(`cannot read ${flag} ${file}: no such file`);
  }
  const { modelVersion, reference } = await readReference(resolve(options.reference ?? DEFAULT_MODEL_DIR));
  const scoreFile = await readScores(options.scores);
  if (scoreFile.scores.length === 0) throw new Error(`${options.scores} holds no score record: nothing to monitor`);
  const read = options.outcomes ? await readOutcomes(options.outcomes, scoreFile) : undefined;
  // A file is a snapshot: by default it is judged as of its newest score, not the day it is read.
  const newest = scoreFile.scores.reduce((m, s) => (s.scoringDate > m ? s.scoringDate : m), '');
  const asOf = options.asOf ?? (newest.slice(0, 10) || todayIsoDate());
  const figures = runMonitoring({
    asOf,
    reference,
    referenceModelVersion: modelVersion,
    scores: scoreFile.scores,
    outcomes: read?.outcomes,
    counts: { scored: scoreFile.scores.length, rejected: scoreFile.rejected, failed: 0, unscored: scoreFile.rejected },
    thresholds: options.thresholds,
    source: { scores: options.scores, scoresKind: 'file', outcomes: options.outcomes, rates: `the score file's lines (error lines are rejected inputs; failures are not in a file)` },
  });
  const html = await renderMonitoringReport(figures);
  await mkdir(options.out, { recursive: true });
  const out = { ...figures, ...(read ? { unusableOutcomes: read.unusable } : {}) };
  const files = [join(options.out, 'report.html'), join(options.out, 'figures.json')];
  await writeFile(files[0], html);
  await writeFile(files[1], `${JSON.stringify(out, null, 2)}\n`);
  return { figures: out, html, files };
}

export async function runMonitor(options: MonitorOptions): Promise<void> {
  let result: MonitorResult;
  try {
    result = await buildMonitoringFromFiles(options);
  } catch (error) {
    fail((error as Error).message);
  }
  const f = result.figures;
  if (options.json) {
    process.stdout.write(`${JSON.stringify(f)}\n`);
  } else {
    const lines = [
      `model ${f.modelVersion} as of ${f.asOf}: ${f.rows.scores} scores${f.rows.outcomes ? `, ${f.rows.outcomes} outcomes` : ''}`,
      `score PSI ${f.psi.score.toFixed(3)}; largest feature PSI ${Object.entries(f.psi.features).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([n, v]) => `${n} ${v.toFixed(3)}`).join(', ')}`,
      f.auc && f.calibration
        ? `last ${f.auc.days} days: AUC ${f.auc.value.toFixed(3)} (${f.auc.interval.lower.toFixed(3)}-${f.auc.interval.upper.toFixed(3)}, n=${f.auc.rows}), ` +
          `observed ${(f.calibration.observedRate * 100).toFixed(1)}% vs predicted ${(f.calibration.meanPredicted * 100).toFixed(1)}%`
        : 'no outcomes: AUC and calibration not computed',
      f.findings.length ? `THRESHOLDS CROSSED:\n  - ${f.findings.map((x) => x.message).join('\n  - ')}` : 'no threshold crossed',
      `report: ${result.files[0]}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
