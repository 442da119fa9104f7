// `drs score`: JSON Lines in, one score record (or one error) per line out, in input order. Valid
// lines are scored in batches by the shared batch engine (lambdas/core/score-batch.ts, the registry
// rescoring's too: validation, features, one ONNX run per batch, records); an invalid line becomes
// {"line": n, "error": {"field", "rule"}} and scoring goes on. It streams: one batch in memory.
import type { Readable, Writable } from 'node:stream';
import type { ContractViolation } from '../lambdas/core/donor-updated';
import { unwrapDetail } from '../lambdas/core/event-input';
import { parseJsonLine } from '../lambdas/core/json-line';
import type { ReadinessModel } from '../lambdas/core/readiness-model';
import { FEATURE_COUNT } from '../lambdas/core/features';
import { bandOf } from '../lambdas/core/model-manifest';
import { BufferedLines } from './buffered-lines';
import { scoreBatchColumns, type BatchTimings } from '../lambdas/core/score-batch';
import { ScoreRecordJson } from '../lambdas/core/score-record-json';

export interface BatchScoreOptions {
  model: ReadinessModel;
  scoringDate: string;
  batchSize?: number;
  onProgress?: (linesRead: number) => void;
  now?: () => Date;
}

export interface BatchScoreSummary {
  lines: number;
  scored: number;
  rejected: number;
  rejectedByRule: Record<string, number>;
  bands: { high: number; medium: number; low: number };
  scoringDate: string;
  modelVersion: string;
  seconds: { total: number; parsing: number; features: number; inference: number; writing: number };
}

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/**
 * Splits a text stream into lines as readline does with crlfDelay Infinity (\n, \r\n and a lone \r
 * end a line; a last line without an end counts), without readline's per-line events: lines come
 * out as arrays, one per chunk read, so a batch is filled by plain loops.
 */
async function* lineChunks(input: Readable): AsyncGenerator<string[]> {
  input.setEncoding('utf8');
  let rest = '';
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    const last = text.lastIndexOf('\n');
    if (last < 0) {
      rest = text;
      continue;
    }
    rest = text.slice(last + 1);
    yield splitLines(text.slice(0, last));
  }
  if (rest !== '') yield splitLines(rest.endsWith('\r') ? rest.slice(0, -1) : rest);
}

function splitLines(body: string): string[] {
  const lines = body.split('\n');
  if (!body.includes('\r')) return lines;
  return lines.flatMap((l) => (l.endsWith('\r') ? l.slice(0, -1) : l).split('\r'));
}

export async function scoreJsonLines(input: Readable, output: Writable, options: BatchScoreOptions): Promise<BatchScoreSummary> {
  const { model, scoringDate } = options;
  const batchSize = options.batchSize ?? 4096;
  const now = options.now ?? (() => new Date());
  const summary: BatchScoreSummary = {
    lines: 0,
    scored: 0,
    rejected: 0,
    rejectedByRule: {},
    bands: { high: 0, medium: 0, low: 0 },
    scoringDate,
    modelVersion: model.version,
    seconds: { total: 0, parsing: 0, features: 0, inference: 0, writing: 0 },
  };
  const started = process.hrtime.bigint();
  const timings: BatchTimings = { validation: 0, features: 0, inference: 0, records: 0 };
  // One batch: the rows for the engine, and per line either the row's index or its line error.
  let details: unknown[] = [];
  let sourceEventIds: (string | null)[] = [];
  let slots: (number | ContractViolation)[] = [];
  let firstLine = 1;

  const reject = (error: ContractViolation) => {
    summary.rejected += 1;
    const key = `${error.field}: ${error.rule}`;
    summary.rejectedByRule[key] = (summary.rejectedByRule[key] ?? 0) + 1;
  };

  const json = new ScoreRecordJson({ modelVersion: model.version, modelSha256: model.sha256, scoringDate, scoredAt: now().toISOString(), reasonsOfKey: (key) => model.explainer.reasonsOfKey(key) });
  const bands = model.manifest.bands;
  const sink = new BufferedLines(output);

  const flush = async () => {
    if (slots.length === 0) return;
    json.scoredAt = now().toISOString();
    const { checked, features, scores } = await scoreBatchColumns(details, model, scoringDate, timings);
    const t = process.hrtime.bigint();
    let k = 0;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      let text: string;
      if (typeof slot !== 'number') {
        text = `{"line":${firstLine + i},"error":${JSON.stringify(slot)}}`;
      } else {
        const result = checked[slot];
        if (!result.ok) {
          reject(result.violation);
          text = `{"line":${firstLine + i},"error":${JSON.stringify(result.violation)}}`;
        } else {
          const { detail } = result;
          const probability = scores.probabilities[k];
          const band = bandOf(probability, bands);
          summary.scored += 1;
          summary.bands[band] += 1;
          text = json.text({ donorId: detail.donorId, revision: detail.revision, updatedAt: detail.updatedAt, sourceEventId: sourceEventIds[slot], probability, band, reasonKey: scores.reasonKeys[k] }, features, k * FEATURE_COUNT);
          k += 1;
        }
      }
      if (sink.fits(text)) sink.lineThatFits(text);
      else await sink.line(text);
    }
    // Buffered: the stream gets a few MiB at a time, not a write per line or per batch.
    summary.seconds.writing += since(t);
    firstLine += slots.length;
    details = [];
    sourceEventIds = [];
    slots = [];
  };

  let t = process.hrtime.bigint();
  for await (const lines of lineChunks(input)) {
    for (const text of lines) {
      summary.lines += 1;
      const parsed = parseJsonLine(text);
      if (parsed.ok) {
        const row = unwrapDetail(parsed.value);
        slots.push(details.length);
        details.push(row.detail);
        sourceEventIds.push(row.sourceEventId);
      } else {
        slots.push(parsed.error);
        reject(parsed.error);
      }
      if (slots.length >= batchSize) {
        summary.seconds.parsing += since(t);
        await flush();
        options.onProgress?.(summary.lines);
        t = process.hrtime.bigint();
      }
    }
  }
  summary.seconds.parsing += since(t);
  await flush();
  t = process.hrtime.bigint();
  await sink.flush();
  summary.seconds.writing += since(t);
  options.onProgress?.(summary.lines);
  summary.seconds.parsing += timings.validation;
  summary.seconds.features += timings.features + timings.records;
  summary.seconds.inference += timings.inference;
  summary.seconds.total = since(started);
  return summary;
}
