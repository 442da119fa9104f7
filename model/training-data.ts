// The real-history training-data format (`drs export-training`, README "Training on real history"):
// one JSON line per closed request, the features of the donor record as it stood before the
// request and the outcome. Read here for `npm run train -- --data FILE` and `drs compare`; every
// line is checked and a bad one is refused with its line number, field and rule.
import { readFileSync } from 'node:fs';
import { FEATURE_NAMES } from '../lambdas/core/features';

export interface HistoryRow {
  requestedAt: string;
  /** 1: the donor was available at the request. */
  label: 0 | 1;
  /** The features in FEATURES order. */
  vector: number[];
}

/** Parses the JSON-lines text; throws one Error naming the first bad line, field and rule. */
export function parseTrainingData(text: string, source = 'training data'): HistoryRow[] {
  const rows: HistoryRow[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${source} line ${i + 1}`;
    let item: any;
    try {
      item = JSON.parse(line);
    } catch {
      throw new Error(`${where} is not JSON: each line must be one object as written by drs export-training`);
    }
    if (item === null || typeof item !== 'object') throw new Error(`${where} is not an object`);
    if (item.outcome !== 'available' && item.outcome !== 'unavailable') {
      throw new Error(`${where}: outcome must be "available" or "unavailable" (found ${JSON.stringify(item.outcome)})`);
    }
    if (typeof item.requestedAt !== 'string' || Number.isNaN(Date.parse(item.requestedAt))) {
      throw new Error(`${where}: requestedAt must be an ISO date-time`);
    }
    const features = item.prediction?.features;
    if (features === null || typeof features !== 'object') {
      throw new Error(`${where}: prediction.features is missing: only scored-before-request rows can be trained on`);
    }
    const vector = FEATURE_NAMES.map((name) => {
      const x = features[name];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new Error(`${where}: prediction.features.${name} must be a finite number (found ${JSON.stringify(x)})`);
      return x;
    });
    rows.push({ requestedAt: item.requestedAt, label: item.outcome === 'available' ? 1 : 0, vector });
  });
  if (rows.length === 0) throw new Error(`${source} has no rows: export some with drs export-training`);
  const positives = rows.reduce((s, r) => s + r.label, 0);
  if (positives === 0 || positives === rows.length) {
    throw new Error(`${source} has only ${positives ? 'available' : 'unavailable'} outcomes: a model needs both to learn and be judged`);
  }
  return rows;
}

export function readTrainingData(file: string): HistoryRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): write it with npx drs export-training --out ${file}`);
  }
  return parseTrainingData(text, file);
}

/**
 * Time-ordered split: the latest `heldOutShare` of requests are held out, so the gates judge the
 * model on requests after the ones it learnt from, as it will be used.
 */
export function splitByTime(rows: readonly HistoryRow[], heldOutShare = 0.2): { training: HistoryRow[]; heldOut: HistoryRow[] } {
  const sorted = [...rows].sort((a, b) => (a.requestedAt < b.requestedAt ? -1 : a.requestedAt > b.requestedAt ? 1 : 0));
  const cut = Math.max(1, Math.min(sorted.length - 1, Math.round(sorted.length * (1 - heldOutShare))));
  return { training: sorted.slice(0, cut), heldOut: sorted.slice(cut) };
}
