// `drs score`: JSON Lines in, one score record (or one error) per line out, in input order. Valid
// lines are scored in batches through the same feature module and ONNX model as the Lambda; an
// invalid line becomes {"line": n, "error": {"field", "rule"}} and scoring goes on.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import { validateDetail, type ContractViolation } from '../lambdas/core/donor-updated';
import { unwrapDetail } from '../lambdas/core/event-input';
import { parseJsonLine } from '../lambdas/core/json-line';
import { deriveFeatures } from '../lambdas/core/features';
import type { ReadinessModel } from '../lambdas/core/readiness-model';
import { buildScoreRecord, type ScoredInput } from '../lambdas/core/score-record';

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

type Slot = { line: number; error: ContractViolation } | { line: number; pending: Omit<ScoredInput, 'prediction'> };

const since = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

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
  let slots: Slot[] = [];

  const write = async (text: string) => {
    if (!output.write(text)) await once(output, 'drain');
  };

  const flush = async () => {
    const pending = slots.flatMap((s) => ('pending' in s ? [s.pending] : []));
    let t = process.hrtime.bigint();
    const predictions = await model.predict(pending.map((p) => p.vector));
    summary.seconds.inference += since(t);
    t = process.hrtime.bigint();
    const scoredAt = now().toISOString();
    let k = 0;
    let chunk = '';
    for (const slot of slots) {
      if ('error' in slot) {
        chunk += `${JSON.stringify({ line: slot.line, error: slot.error })}\n`;
        continue;
      }
      const record = buildScoreRecord({ ...slot.pending, prediction: predictions[k++] }, model, scoringDate, scoredAt);
      summary.bands[record.band] += 1;
      chunk += `${JSON.stringify(record)}\n`;
    }
    await write(chunk);
    summary.seconds.writing += since(t);
    slots = [];
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const text of lines) {
    summary.lines += 1;
    const line = summary.lines;
    let t = process.hrtime.bigint();
    const parsed = parseJsonLine(text);
    let slot: Slot;
    if (!parsed.ok) {
      slot = { line, error: parsed.error };
      summary.seconds.parsing += since(t);
    } else {
      const { detail, sourceEventId } = unwrapDetail(parsed.value);
      const checked = validateDetail(detail, scoringDate);
      summary.seconds.parsing += since(t);
      t = process.hrtime.bigint();
      slot = checked.ok
        ? { line, pending: { detail: checked.detail, sourceEventId, vector: deriveFeatures(checked.detail.donor, scoringDate) } }
        : { line, error: checked.violation };
      summary.seconds.features += since(t);
    }
    if ('error' in slot) {
      summary.rejected += 1;
      const key = `${slot.error.field}: ${slot.error.rule}`;
      summary.rejectedByRule[key] = (summary.rejectedByRule[key] ?? 0) + 1;
    } else {
      summary.scored += 1;
    }
    slots.push(slot);
    if (slots.length >= batchSize) {
      await flush();
      options.onProgress?.(summary.lines);
    }
  }
  await flush();
  options.onProgress?.(summary.lines);
  summary.seconds.total = since(started);
  return summary;
}
