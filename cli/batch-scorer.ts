// `drs score`: JSON Lines in, one score record (or one error) per line out, in input order. Valid
// lines are scored in batches by the shared batch engine (lambdas/core/score-batch.ts, the registry
// rescoring's too: validation, features, one ONNX run per batch, records); an invalid line becomes
// {"line": n, "error": {"field", "rule"}} and scoring goes on. It streams: one batch in memory.
import type { Readable, Writable } from 'node:stream';
import type { ContractViolation } from '../lambdas/core/donor-updated';
import { unwrapDetail } from '../lambdas/core/event-input';
import { parseJsonLine, type ParsedLine } from '../lambdas/core/json-line';
import type { ReadinessModel } from '../lambdas/core/readiness-model';
import { FEATURE_COUNT } from '../lambdas/core/features';
import { bandOf } from '../lambdas/core/model-manifest';
import { BufferedLines } from './buffered-lines';
import { BatchColumns } from '../lambdas/core/score-batch';
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
  /**
   * Where the time went: reading and JSON.parse (`parsing`), contract validation and feature
   * derivation (`features`), the model and reason codes (`inference`), records to bytes (`writing`).
   */
  seconds: { total: number; parsing: number; features: number; inference: number; writing: number };
  /** The process's peak resident memory so far (streaming keeps it flat however long the input). */
  peakRssMiB: number;
}

/** Bytes per read of an input file: a few hundred reads for a million rows, not thousands. */
export const READ_CHUNK_BYTES = 1 << 20;

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
    peakRssMiB: 0,
  };
  const started = process.hrtime.bigint();
  const seconds = summary.seconds;
  // One batch as columns: each valid row's features (in `batch`) and the few input values its record
  // names; per line either the row's index among the valid ones or its error. Parsed objects are
  // dropped as soon as a row is in the columns, so they die young and cheap.
  const batch = new BatchColumns(model, scoringDate, batchSize);
  let donorIds: string[] = [];
  let revisions: number[] = [];
  let updatedAts: string[] = [];
  let sourceEventIds: (string | null)[] = [];
  let slots: (number | ContractViolation)[] = [];
  let firstLine = 1;
  const json = new ScoreRecordJson({ modelVersion: model.version, modelSha256: model.sha256, scoringDate, scoredAt: now().toISOString(), reasonsOfKey: (key) => model.explainer.reasonsOfKey(key) });
  const bands = model.manifest.bands;
  const sink = new BufferedLines(output);

  const reject = (error: ContractViolation) => {
    summary.rejected += 1;
    const key = `${error.field}: ${error.rule}`;
    summary.rejectedByRule[key] = (summary.rejectedByRule[key] ?? 0) + 1;
  };

  const flush = async () => {
    if (slots.length === 0) return;
    json.scoredAt = now().toISOString();
    let t = process.hrtime.bigint();
    const { probabilities, reasonKeys } = await batch.score();
    seconds.inference += since(t);
    t = process.hrtime.bigint();
    const { features } = batch;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      let text: string;
      if (typeof slot !== 'number') {
        text = `{"line":${firstLine + i},"error":${JSON.stringify(slot)}}`;
      } else {
        const probability = probabilities[slot];
        const band = bandOf(probability, bands);
        summary.bands[band] += 1;
        text = json.text({ donorId: donorIds[slot], revision: revisions[slot], updatedAt: updatedAts[slot], sourceEventId: sourceEventIds[slot], probability, band, reasonKey: reasonKeys[slot] }, features, slot * FEATURE_COUNT);
      }
      // Buffered: the stream gets a few MiB at a time, not a write per line or per batch.
      if (sink.fits(text)) sink.lineThatFits(text);
      else await sink.line(text);
    }
    summary.scored += batch.scored;
    seconds.writing += since(t);
    firstLine += slots.length;
    batch.clear();
    donorIds = [];
    revisions = [];
    updatedAts = [];
    sourceEventIds = [];
    slots = [];
  };

  // Lines go through in small groups: parse a group, then validate it and derive its features, so
  // the clock can tell the two apart while the parsed objects of a group still die young.
  const GROUP = 64;
  const parsed: ParsedLine[] = new Array(GROUP);
  let t = process.hrtime.bigint();
  for await (const lines of lineChunks(input)) {
    for (let start = 0; start < lines.length; start += GROUP) {
      const end = Math.min(lines.length, start + GROUP);
      for (let i = start; i < end; i++) parsed[i - start] = parseJsonLine(lines[i]);
      seconds.parsing += since(t);
      t = process.hrtime.bigint();
      for (let i = start; i < end; i++) {
        summary.lines += 1;
        const line = parsed[i - start];
        if (!line.ok) {
          slots.push(line.error);
          reject(line.error);
        } else {
          const { detail, sourceEventId } = unwrapDetail(line.value);
          const checked = batch.add(detail);
          if (checked.ok) {
            slots.push(donorIds.length);
            donorIds.push(checked.detail.donorId);
            revisions.push(checked.detail.revision);
            updatedAts.push(checked.detail.updatedAt);
            sourceEventIds.push(sourceEventId);
          } else {
            slots.push(checked.violation);
            reject(checked.violation);
          }
        }
        if (slots.length >= batchSize) {
          seconds.features += since(t);
          await flush();
          options.onProgress?.(summary.lines);
          t = process.hrtime.bigint();
        }
      }
      seconds.features += since(t);
      t = process.hrtime.bigint();
    }
  }
  await flush();
  t = process.hrtime.bigint();
  await sink.flush();
  seconds.writing += since(t);
  options.onProgress?.(summary.lines);
  seconds.total = since(started);
  summary.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  return summary;
}
