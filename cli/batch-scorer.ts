// `drs score`: JSON Lines in, one score record (or one error) per line out, in input order. Valid
// lines are scored in batches by the shared batch engine (lambdas/core/score-batch.ts, the registry
// rescoring's too: validation, features, one ONNX run per batch, records); an invalid line becomes
// {"line": n, "error": {"field", "rule"}} and scoring goes on. It streams: one batch in memory.
import type { Readable, Writable } from 'node:stream';
import type { ContractViolation, DonorUpdatedDetail } from '../lambdas/core/donor-updated';
import { DonorUpdatedScanner } from '../lambdas/core/donor-updated-scanner';
import { unwrapDetail } from '../lambdas/core/event-input';
import { parseJsonLine, type ParsedLine } from '../lambdas/core/json-line';
import type { ReadinessModel } from '../lambdas/core/readiness-model';
import { FEATURE_COUNT } from '../lambdas/core/features';
import { bandOf } from '../lambdas/core/model-manifest';
import { BufferedLines } from './buffered-lines';
import { FileChunks } from './file-chunks';
import { BatchColumns } from '../lambdas/core/score-batch';
import { ScoreRecordJson, type ScoreRecordRow } from '../lambdas/core/score-record-json';

// tsx, which runs drs and the bench, turns every use of an import into two getter calls; what a
// per-row path uses is bound once here.
const bandOfScore = bandOf;
const WIDTH = FEATURE_COUNT;

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
 * The input's bytes in pieces that end at a line end: each piece, bytes[start, end), holds whole
 * lines (k line ends, k + 1 lines). Lines are read in place in the chunks the stream gives; only
 * the line that runs from one chunk into the next is copied, joined. A CR just before a piece's
 * closing LF belongs to it (CRLF), so the piece ends before both; the last piece is what follows
 * the input's last LF. Lines are cut as readline cuts them with crlfDelay Infinity: LF, CRLF and a
 * lone CR end a line, and a last line without an end counts (see `nextLine`).
 */
async function* linePieces(input: Readable | FileChunks): AsyncGenerator<{ bytes: Buffer; start: number; end: number }> {
  const piece = (bytes: Buffer, start: number, lf: number) => ({ bytes, start, end: lf > start && bytes[lf - 1] === CR ? lf - 1 : lf });
  let rest: Buffer | null = null;
  // A stream of text (not bytes) is encoded as UTF-8; a surrogate pair split between two of its
  // chunks is joined first (a lone surrogate becomes U+FFFD, as in any UTF-8 file).
  let highSurrogate = '';
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    let read: Buffer;
    if (typeof chunk === 'string') {
      let text = highSurrogate + chunk;
      const last = text.charCodeAt(text.length - 1);
      highSurrogate = last >= 0xd800 && last <= 0xdbff ? text.slice(-1) : '';
      if (highSurrogate) text = text.slice(0, -1);
      read = Buffer.from(text, 'utf8');
    } else read = chunk;
    if (read.length === 0) continue;
    const first = read.indexOf(LF);
    if (first < 0) {
      rest = rest === null ? read : Buffer.concat([rest, read]);
      continue;
    }
    let from = 0;
    if (rest !== null) {
      const joined = Buffer.concat([rest, read.subarray(0, first + 1)]);
      yield piece(joined, 0, joined.length - 1);
      from = first + 1;
    }
    const last = read.lastIndexOf(LF);
    if (last >= from) yield piece(read, from, last);
    rest = last + 1 < read.length ? read.subarray(last + 1) : null;
  }
  if (highSurrogate) rest = rest === null ? Buffer.from(highSurrogate, 'utf8') : Buffer.concat([rest, Buffer.from(highSurrogate, 'utf8')]);
  if (rest !== null) yield { bytes: rest, start: 0, end: rest[rest.length - 1] === CR ? rest.length - 1 : rest.length };
}

const LF = 0x0a;
const CR = 0x0d;
const NEWLINE = LF;

/** Where the line from `start` ends: its LF or CR, or `end`. */
function lineEnd(bytes: Buffer, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c === LF || c === CR) return i;
  }
  return end;
}

/** Where the next line starts after a line that ends at `at` (a CRLF is one line end). */
const nextLine = (bytes: Buffer, at: number, end: number) => (bytes[at] === CR && at + 1 < end && bytes[at + 1] === LF ? at + 2 : at + 1);

/**
 * Scores the JSON Lines of `input` into `output`. A file is best given as `FileChunks` (what drs
 * score does): its read buffers are then read into again once the batches read from them are written.
 */
export async function scoreJsonLines(input: Readable | FileChunks, output: Writable, options: BatchScoreOptions): Promise<BatchScoreSummary> {
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
  // The columns are made once, batchSize long, and filled again for each batch (growing arrays row
  // by row was ~150 bytes of garbage a row): `lines` of them are in use, `valid` rows.
  const donorIds: string[] = new Array<string>(batchSize).fill('');
  const revisions: number[] = new Array<number>(batchSize).fill(0);
  const updatedAts: string[] = new Array<string>(batchSize).fill('');
  const sourceEventIds: (string | null)[] = new Array<string | null>(batchSize).fill(null);
  const slots: (number | ContractViolation)[] = new Array<number | ContractViolation>(batchSize).fill(0);
  let lines = 0;
  let valid = 0;
  let firstLine = 1;
  const json = new ScoreRecordJson({ modelVersion: model.version, modelSha256: model.sha256, scoringDate, scoredAt: now().toISOString(), reasonsOfKey: (key) => model.explainer.reasonsOfKey(key) });
  const bands = model.manifest.bands;
  const sink = new BufferedLines(output);
  /** The record values of the row being written (one object, refilled per row). */
  const row: ScoreRecordRow = { donorId: '', revision: 0, updatedAt: '', sourceEventId: null, probability: 0, band: 'low', reasonKey: 0, textBytes: null, donorIdStart: 0, donorIdEnd: 0, updatedAtStart: 0, updatedAtEnd: 0 };
  // A scanned row's donorId and updatedAt stay in the input bytes it came in (its piece, kept until
  // the batch is written): where they are, four numbers a row.
  const textBytes: (Buffer | null)[] = new Array<Buffer | null>(batchSize).fill(null);
  const textPlaces = new Int32Array(batchSize * 4);
  // The input's chunks read past (the batch may still copy from them): handed back to a FileChunks
  // reader once the batch is written. The chunk being read is not among them.
  const reader = input instanceof FileChunks ? input : null;
  const passed: Buffer[] = [];
  let current: Buffer | null = null;

  const reject = (error: ContractViolation) => {
    summary.rejected += 1;
    const key = `${error.field}: ${error.rule}`;
    summary.rejectedByRule[key] = (summary.rejectedByRule[key] ?? 0) + 1;
  };

  const flush = async () => {
    if (lines === 0) return;
    json.scoredAt = now().toISOString();
    let t = process.hrtime.bigint();
    const { probabilities, reasonKeys } = await batch.score();
    seconds.inference += since(t);
    t = process.hrtime.bigint();
    const { features } = batch;
    for (let i = 0; i < lines; i++) {
      const slot = slots[i];
      if (typeof slot !== 'number') {
        const text = `{"line":${firstLine + i},"error":${JSON.stringify(slot)}}`;
        if (sink.fits(text)) sink.lineThatFits(text);
        else await sink.line(text);
        continue;
      }
      const probability = probabilities[slot];
      const band = bandOfScore(probability, bands);
      summary.bands[band] += 1;
      row.donorId = donorIds[slot];
      row.revision = revisions[slot];
      row.updatedAt = updatedAts[slot];
      row.textBytes = textBytes[slot];
      row.donorIdStart = textPlaces[slot * 4];
      row.donorIdEnd = textPlaces[slot * 4 + 1];
      row.updatedAtStart = textPlaces[slot * 4 + 2];
      row.updatedAtEnd = textPlaces[slot * 4 + 3];
      row.sourceEventId = sourceEventIds[slot];
      row.probability = probability;
      row.band = band;
      row.reasonKey = reasonKeys[slot];
      // Straight into the output buffer: the stream gets a few MiB at a time, not a write per line.
      const room = json.maxBytes(row) + 1;
      if (!sink.hasRoom(room)) await sink.makeRoom(room);
      const out = sink.buffer;
      const end = json.write(row, features, slot * WIDTH, out, sink.used);
      out[end] = NEWLINE;
      sink.used = end + 1;
    }
    summary.scored += batch.scored;
    seconds.writing += since(t);
    if (reader) for (const chunk of passed) reader.recycle(chunk);
    passed.length = 0;
    firstLine += lines;
    batch.clear();
    lines = 0;
    valid = 0;
  };

  // Lines go through in small groups: read a group (the scanner on the bytes, or the decoded line
  // through JSON.parse when the scanner declines it), then validate what JSON.parse read and derive
  // features, so the clock can tell the two apart while the values of a group still die young. A
  // group never runs past the batch's end.
  const GROUP = 64;
  const scanner = new DonorUpdatedScanner(scoringDate, GROUP, false);
  const parsed: (ParsedLine | null)[] = new Array(GROUP).fill(null);
  const addRow = (detail: DonorUpdatedDetail, sourceEventId: string | null, bytes: Buffer | null) => {
    slots[lines++] = valid;
    donorIds[valid] = detail.donorId;
    revisions[valid] = detail.revision;
    updatedAts[valid] = detail.updatedAt;
    sourceEventIds[valid] = sourceEventId;
    textBytes[valid++] = bytes;
  };
  let t = process.hrtime.bigint();
  for await (const { bytes, start: first, end } of linePieces(input)) {
    if (bytes !== current) {
      if (current !== null) passed.push(current);
      current = bytes;
    }
    // A piece of k line ends holds k + 1 lines (an empty piece: one empty line).
    let start = first;
    while (start <= end) {
      const size = Math.min(GROUP, batchSize - lines);
      let n = 0;
      for (; n < size && start <= end; n++) {
        let at = scanner.scan(bytes, start, end, n);
        if (at < 0) {
          at = lineEnd(bytes, start, end);
          parsed[n] = parseJsonLine(bytes.toString('utf8', start, at));
        }
        start = at === end ? end + 1 : nextLine(bytes, at, end);
      }
      seconds.parsing += since(t);
      t = process.hrtime.bigint();
      for (let k = 0; k < n; k++) {
        summary.lines += 1;
        const line = parsed[k];
        if (line === null) {
          const row = scanner.result(k);
          const places = valid * 4;
          textPlaces[places] = row.donorIdStart;
          textPlaces[places + 1] = row.donorIdEnd;
          textPlaces[places + 2] = row.updatedAtStart;
          textPlaces[places + 3] = row.updatedAtEnd;
          batch.addValid(row.detail);
          addRow(row.detail, row.sourceEventId, bytes);
          continue;
        }
        parsed[k] = null;
        if (!line.ok) {
          slots[lines++] = line.error;
          reject(line.error);
        } else {
          const { detail, sourceEventId } = unwrapDetail(line.value);
          const checked = batch.add(detail);
          if (checked.ok) addRow(checked.detail, sourceEventId, null);
          else {
            slots[lines++] = checked.violation;
            reject(checked.violation);
          }
        }
      }
      seconds.features += since(t);
      if (lines >= batchSize) {
        await flush();
        options.onProgress?.(summary.lines);
      }
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
