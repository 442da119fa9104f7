// `drs evaluate`: quality of a scorer output against the generator file it scored, from those two
// files alone. Line n of --scores must be the score of line n of --data (what `drs score` writes),
// for the same donor. Before any metric, the pairing itself is checked: a wrong, empty, swapped or
// half-scored pair of files fails with a message that says what is wrong, never "all targets met".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FEATURES } from '../lambdas/core/features';
import type { ModelManifest } from '../lambdas/core/model-manifest';
import { recalibrate } from '../model/calibration';
import { evaluate } from '../model/evaluation';
import { DEFAULT_GATES, failures, qualityGates, withOverrides, type GateLimits, type GateResult } from '../model/gates';
import type { DonorTruth } from '../model/synthetic-registry';
import { fail } from './terminal';

export interface EvaluateOptions {
  data: string;
  scores: string;
  json: boolean;
  check: boolean;
  gate?: string[];
  recalibrate?: 'intercept' | 'isotonic';
}

const MODEL_DIR = join(__dirname, '..', 'model');

/** The committed model's gate limits (model/training-config.json "gates"), then any --gate overrides. */
export function evaluationLimits(overrides: readonly string[] = []): GateLimits {
  const config = JSON.parse(readFileSync(join(MODEL_DIR, 'training-config.json'), 'utf8')) as { gates?: Partial<GateLimits> };
  return withOverrides({ ...DEFAULT_GATES, ...config.gates }, overrides);
}

function readLines(file: string, flag: string): string[] {
  if (!existsSync(file)) fail(`cannot read ${flag} ${file}: no such file`);
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function parse(line: string): unknown {
  if (!line.trim()) return undefined;
  try {
    return JSON.parse(line.replace(/^\uFEFF/, ''));
  } catch {
    return undefined;
  }
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A readable list of line numbers: "3, 9, 12 and 40 more". */
const lineList = (lines: number[]) =>
  lines.slice(0, 5).join(', ') + (lines.length > 5 ? ` and ${lines.length - 5} more` : '');

interface Paired {
  predicted: number[];
  truths: DonorTruth[];
  vectors: (number[] | undefined)[];
  gates: GateResult[];
  lines: { data: number; scores: number; skipped: number };
  variants: string[];
}

/** Pairs the two files line by line and checks the pairing; metrics only come from good pairs. */
export function pairFiles(dataLines: readonly string[], scoreLines: readonly string[], limits: GateLimits): Paired {
  const gates: GateResult[] = [];
  const predicted: number[] = [];
  const truths: DonorTruth[] = [];
  const vectors: (number[] | undefined)[] = [];
  const variants = new Set<string>();
  const badData: number[] = [];
  const badLabels: number[] = [];
  const badTruth: number[] = [];
  const badScores: number[] = [];
  const idMismatch: number[] = [];
  const skipped: number[] = [];
  let dataLooksLikeScores = 0;
  const n = Math.min(dataLines.length, scoreLines.length);
  for (let i = 0; i < n; i++) {
    const line = i + 1;
    const data = parse(dataLines[i]);
    const score = parse(scoreLines[i]);
    const detail = isObject(data) && isObject(data.detail) ? data.detail : undefined;
    const truth = isObject(data) && isObject(data.truth) ? data.truth : undefined;
    if (!detail || !truth || typeof detail.donorId !== 'string') {
      badData.push(line);
      if (isObject(data) && ('score' in data || 'error' in data)) dataLooksLikeScores++;
      continue;
    }
    if (truth.available !== 0 && truth.available !== 1) {
      badLabels.push(line);
      continue;
    }
    const p = truth.pAvailable;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1 || typeof truth.ancestryGroup !== 'string') {
      badTruth.push(line);
      continue;
    }
    if (!isObject(score) || score.score === undefined) {
      // An error line of `drs score` ({"line": n, "error": ...}) or a blank line: not scored.
      skipped.push(line);
      continue;
    }
    if (typeof score.score !== 'number' || !Number.isFinite(score.score) || score.score < 0 || score.score > 1) {
      badScores.push(line);
      continue;
    }
    if (score.donorId !== detail.donorId) {
      idMismatch.push(line);
      continue;
    }
    predicted.push(score.score);
    truths.push(truth as unknown as DonorTruth);
    if (typeof truth.variant === 'string') variants.add(truth.variant);
    const f = isObject(score.features) ? score.features : undefined;
    const vector = f ? FEATURES.map((spec) => f[spec.name]) : undefined;
    vectors.push(vector && vector.every((x) => typeof x === 'number' && Number.isFinite(x)) ? (vector as number[]) : undefined);
  }

  const sameCount = dataLines.length === scoreLines.length;
  gates.push({
    gate: 'line count',
    passed: sameCount,
    detail: sameCount
      ? `${dataLines.length} lines in each file`
      : `--data has ${dataLines.length} lines but --scores has ${scoreLines.length}: ` +
        'the scores must be the drs score output of exactly this data file, one line per line',
  });
  gates.push({
    gate: 'data rows',
    passed: badData.length === 0,
    detail:
      badData.length === 0
        ? 'every data line is a drs data row ({"detail", "truth"})'
        : `${badData.length} data lines are not drs data rows with a detail.donorId and a truth (lines ${lineList(badData)})` +
          (dataLooksLikeScores ? ': --data holds score records; did you swap --data and --scores?' : ''),
  });
  gates.push({
    gate: 'labels',
    passed: badLabels.length === 0 && badTruth.length === 0,
    detail:
      badLabels.length === 0 && badTruth.length === 0
        ? 'every outcome truth.available is 0 or 1'
        : [
            badLabels.length ? `${badLabels.length} rows have truth.available outside {0, 1} (lines ${lineList(badLabels)})` : '',
            badTruth.length ? `${badTruth.length} rows have no truth.pAvailable in [0, 1] or no truth.ancestryGroup (lines ${lineList(badTruth)})` : '',
          ]
            .filter(Boolean)
            .join('; '),
  });
  gates.push({
    gate: 'scores',
    passed: badScores.length === 0,
    detail:
      badScores.length === 0
        ? 'every score is a number in [0, 1]'
        : `${badScores.length} score lines have a score that is not a number in [0, 1] (lines ${lineList(badScores)})`,
  });
  gates.push({
    gate: 'donor ids',
    passed: idMismatch.length === 0,
    detail:
      idMismatch.length === 0
        ? 'each score belongs to the donor on the same data line'
        : `${idMismatch.length} lines pair a score with a different donor than the data line (lines ${lineList(idMismatch)}): ` +
          'the files are not in the same order or are not from the same run',
  });
  const share = n ? skipped.length / n : 0;
  gates.push({
    gate: 'skipped lines',
    passed: share <= limits.maxSkippedShare,
    detail:
      `${skipped.length} of ${n} lines have no score (error or blank lines): ${(share * 100).toFixed(2)}% ` +
      `(limit ${(limits.maxSkippedShare * 100).toFixed(2)}%)` +
      (share > limits.maxSkippedShare ? ': fix the rejected lines or check that --scores is a drs score output' : ''),
  });
  return {
    predicted,
    truths,
    vectors,
    gates,
    lines: { data: dataLines.length, scores: scoreLines.length, skipped: skipped.length },
    variants: [...variants].sort(),
  };
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

/** Pairing gates, metrics and quality gates of two files' lines: everything but the I/O. */
export function judgeFiles(dataLines: readonly string[], scoreLines: readonly string[], limits: GateLimits, bands: ModelManifest['bands']) {
  const paired = pairFiles(dataLines, scoreLines, limits);
  const hasVectors = paired.vectors.some((v) => v !== undefined);
  const metrics = evaluate({
    predicted: paired.predicted,
    truths: paired.truths,
    ...(hasVectors ? { vectors: paired.vectors, bands } : {}),
  });
  const gates = [...paired.gates, ...qualityGates(metrics, limits)];
  return { paired, metrics, gates, failed: failures(gates) };
}

export async function runEvaluate(options: EvaluateOptions): Promise<void> {
  const limits = evaluationLimits(options.gate ?? []);
  const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8')) as ModelManifest;
  const { paired, metrics, gates, failed } = judgeFiles(readLines(options.data, '--data'), readLines(options.scores, '--scores'), limits, manifest.bands);
  let recalibration: ReturnType<typeof recalibrate> | undefined;
  if (options.recalibrate && paired.predicted.length >= 2) {
    // Fit on the first half (the "recent outcomes"), judge on the second half: never on the same rows.
    const half = paired.predicted.length >> 1;
    const labels = paired.truths.map((t) => t.available);
    recalibration = recalibrate(
      options.recalibrate,
      { predicted: paired.predicted.slice(0, half), labels: labels.slice(0, half) },
      { predicted: paired.predicted.slice(half), labels: labels.slice(half) },
    );
  }
  const recalibrationReport = recalibration && (({ apply: _apply, ...rest }) => rest)(recalibration);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({
        ...metrics,
        variants: paired.variants,
        lines: paired.lines,
        skipped: paired.lines.skipped,
        gates,
        passed: failed.length === 0,
        shortfalls: failed.map((g) => `${g.gate}: ${g.detail}`),
        ...(recalibrationReport ? { recalibration: recalibrationReport } : {}),
      })}\n`,
    );
  } else {
    const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
    const ancestry = metrics.byAncestryGroup
      .map(
        (x) =>
          `  ${x.group.padEnd(18)} n=${String(x.rows).padStart(7)}  observed ${f3(x.observedRate)}  predicted ${f3(x.meanPredicted)}  ` +
          `gap ${signed(x.calibrationGap)} [${signed(x.gapInterval!.lower)}, ${signed(x.gapInterval!.upper)}]  AUC ${f3(x.auc)}`,
      )
      .join('\n');
    const groups = (metrics.byGroup ?? [])
      .filter((g) => g.dimension !== 'ancestryGroup')
      .map(
        (g) =>
          `  ${`${g.dimension} ${g.group}`.padEnd(32)} n=${String(g.rows).padStart(7)}  gap ${signed(g.calibrationGap)} ` +
          `[${signed(g.gapInterval.lower)}, ${signed(g.gapInterval.upper)}]`,
      )
      .join('\n');
    process.stdout.write(
      `${metrics.rows} scored donors (${paired.lines.skipped} lines without a score)` +
        (paired.variants.length ? `, generator variant ${paired.variants.join(', ')}` : '') +
        `\nAUC ${f3(metrics.auc)} (oracle ${f3(metrics.oracleAuc)}), ECE ${f3(metrics.expectedCalibrationError)}, Brier ${f3(metrics.brier)}\n` +
        `per ancestry group (gap = predicted - observed, 95% interval):\n${ancestry}\n` +
        (groups ? `per registry group:\n${groups}\n` : '') +
        (recalibrationReport
          ? `recalibration (${recalibrationReport.method}, fitted on ${recalibrationReport.fittedOn} rows, judged on ${recalibrationReport.judgedOn}): ` +
            `ECE ${recalibrationReport.eceBefore.toFixed(3)} -> ${recalibrationReport.eceAfter.toFixed(3)}\n`
          : '') +
        (failed.length
          ? `CHECK FAILED (${failed.length} of ${gates.length} gates):\n  - ${failed.map((g) => `${g.gate}: ${g.detail}`).join('\n  - ')}\n`
          : `all ${gates.length} gates passed: all quality targets met\n`),
    );
  }
  if (options.check && failed.length) {
    process.stderr.write(`drs evaluate: check failed: ${failed.map((g) => `${g.gate}: ${g.detail}`).join('; ')}\n`);
    process.exitCode = 1;
  }
}
