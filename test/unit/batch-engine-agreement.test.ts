// The batch engine scores as the event path does, to the bit: drs score's lines and the registry's
// records (scoreBatch) against each row scored alone the event path's way (the schema, the feature
// module, one ONNX row, buildScoreRecord), on generated rows mixed with hostile lines, across batch
// boundaries. Expected lines are made row by row here, never by the batch engine.
import { PassThrough, Readable, Writable } from 'node:stream';
import { scoreJsonLines } from '../../cli/batch-scorer';
import { BufferedLines } from '../../cli/buffered-lines';
import { loadLocalModel } from '../../cli/local-model';
import { validateDetail } from '../../lambdas/core/donor-updated';
import { unwrapDetail } from '../../lambdas/core/event-input';
import { deriveFeatures } from '../../lambdas/core/features';
import { parseJsonLine } from '../../lambdas/core/json-line';
import type { ReadinessModel } from '../../lambdas/core/readiness-model';
import { scoreBatch } from '../../lambdas/core/score-batch';
import { buildScoreRecord } from '../../lambdas/core/score-record';
import { generateRegistry } from '../../model/synthetic-registry';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const DATE = '2026-06-01';
const SCORED_AT = '2026-06-01T12:00:00.000Z';
let model: ReadinessModel;
beforeAll(async () => {
  model = await loadLocalModel();
});

function inputLines(): string[] {
  const lines: string[] = [];
  for (const row of generateRegistry({ seed: 21, asOf: DATE, baseRate: 0.55 })) {
    lines.push(JSON.stringify(row));
    if (lines.length === 300) break;
  }
  const odd = [
    '',
    '   ',
    `\uFEFF${JSON.stringify(validDetail({ donorId: 'D-BOM-1' }))}`,
    '{"donorId":',
    '[1,2]',
    'null',
    JSON.stringify(donorUpdatedEvent(validDetail({ donorId: 'D-EVENT-1' }), 'evt-"quoted"-😀')),
    JSON.stringify(donorUpdatedEvent('not a detail', 'evt-2')),
    JSON.stringify({ ...validDetail(), donor: { ...validDetail().donor, birthYear: 2010 } }),
    JSON.stringify({ ...validDetail(), donor: { ...validDetail().donor, outreach12m: { attempts: 1, responses: 2 } } }),
    JSON.stringify({ ...validDetail(), revision: 0, nationalId: 'x' }),
    JSON.stringify({ ...validDetail({ donorId: 'D-EXTRA-1' }), nationalId: 'dropped' }),
    JSON.stringify(validDetail({ donorId: 'D-LATE-1', updatedAt: '2026-05-01T10:00:00.123+02:00' })),
  ];
  // Odd lines spread through the batches, not only at the end.
  odd.forEach((line, i) => lines.splice(i * 23, 0, line));
  return lines;
}

/** What the event path makes of one line, as drs score writes it. */
function expectedLine(text: string, n: number, predictions: Map<number, Awaited<ReturnType<ReadinessModel['predict']>>[number]>): string {
  const parsed = parseJsonLine(text);
  if (!parsed.ok) return JSON.stringify({ line: n, error: parsed.error });
  const { detail, sourceEventId } = unwrapDetail(parsed.value);
  const checked = validateDetail(detail, DATE);
  if (!checked.ok) return JSON.stringify({ line: n, error: checked.violation });
  const vector = deriveFeatures(checked.detail.donor, DATE);
  return JSON.stringify(buildScoreRecord({ detail: checked.detail, sourceEventId, vector, prediction: predictions.get(n)! }, model, DATE, SCORED_AT));
}

async function singleRowPredictions(lines: string[]) {
  const predictions = new Map<number, Awaited<ReturnType<ReadinessModel['predict']>>[number]>();
  for (const [i, text] of lines.entries()) {
    const parsed = parseJsonLine(text);
    if (!parsed.ok) continue;
    const checked = validateDetail(unwrapDetail(parsed.value).detail, DATE);
    // One row per ONNX run, as the scoring function runs it.
    if (checked.ok) predictions.set(i + 1, (await model.predict([deriveFeatures(checked.detail.donor, DATE)]))[0]);
  }
  return predictions;
}

async function drsScore(text: string, batchSize: number): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  // Chunks that split lines (and a CRLF) anywhere.
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 977) pieces.push(text.slice(i, i + 977));
  await scoreJsonLines(Readable.from(pieces), out, { model, scoringDate: DATE, batchSize, now: () => new Date(SCORED_AT) });
  out.end();
  return Buffer.concat(chunks).toString('utf8');
}

describe('the batch engine and the event path', () => {
  it('drs score writes, line for line and byte for byte, what the event path makes of each line', async () => {
    const lines = inputLines();
    const predictions = await singleRowPredictions(lines);
    const expected = `${lines.map((l, i) => expectedLine(l, i + 1, predictions)).join('\n')}\n`;
    expect(predictions.size).toBeGreaterThan(290);
    for (const batchSize of [7, 4096]) {
      expect(await drsScore(`${lines.join('\r\n')}\r\n`, batchSize)).toBe(expected);
    }
  });

  it('the same bytes whatever the chunks: text split inside a surrogate pair, bytes split inside a character', async () => {
    const lines = [JSON.stringify(donorUpdatedEvent(validDetail({ donorId: 'D-EMOJI-1' }), '😀😀😀-é')), JSON.stringify(validDetail({ donorId: 'D-PLAIN-1' }))];
    const predictions = await singleRowPredictions(lines);
    const expected = `${lines.map((l, i) => expectedLine(l, i + 1, predictions)).join('\n')}\n`;
    const text = `${lines.join('\n')}\n`;
    const run = async (chunks: (string | Buffer)[]) => {
      const out = new PassThrough();
      const got: Buffer[] = [];
      out.on('data', (c: Buffer) => got.push(c));
      await scoreJsonLines(Readable.from(chunks), out, { model, scoringDate: DATE, now: () => new Date(SCORED_AT) });
      out.end();
      return Buffer.concat(got).toString('utf8');
    };
    const emoji = text.indexOf('😀');
    // Every split of the text between the emoji's two halves, and every split of its bytes.
    expect(await run([text.slice(0, emoji + 1), text.slice(emoji + 1)])).toBe(expected);
    const bytes = Buffer.from(text, 'utf8');
    const at = bytes.indexOf(Buffer.from('😀'));
    for (let k = 1; k <= 3; k++) expect(await run([bytes.subarray(0, at + k), bytes.subarray(at + k)])).toBe(expected);
    expect(await run(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toBe(expected);
  });

  it('the registry engine (scoreBatch) gives the event path record of every valid row, to the bit', async () => {
    const lines = inputLines();
    const predictions = await singleRowPredictions(lines);
    const rows = lines.map((l) => parseJsonLine(l)).filter((p) => p.ok).map((p) => unwrapDetail(p.ok && p.value));
    const results = await scoreBatch(rows, model, DATE, SCORED_AT);
    let valid = 0;
    results.forEach((r, i) => {
      const checked = validateDetail(rows[i].detail, DATE);
      expect(r.ok).toBe(checked.ok);
      if (!r.ok || !checked.ok) return;
      valid += 1;
      expect(r.input).toEqual(checked.detail);
      const vector = deriveFeatures(checked.detail.donor, DATE);
      const line = lines.findIndex((l) => l.includes(`"donorId":"${checked.detail.donorId}"`)) + 1;
      const alone = buildScoreRecord({ detail: checked.detail, sourceEventId: rows[i].sourceEventId, vector, prediction: predictions.get(line)! }, model, DATE, SCORED_AT);
      expect(Object.is(r.record.score, alone.score)).toBe(true);
      expect(r.record).toEqual(alone);
    });
    expect(valid).toBeGreaterThan(290);
  });
});

describe('buffered lines', () => {
  it('hand the stream every line whole and in order, however small the buffer and slow the stream', async () => {
    const received: Buffer[] = [];
    let writes = 0;
    const slow = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _encoding, done) {
        writes += 1;
        received.push(Buffer.from(chunk));
        setImmediate(done);
      },
    });
    const sink = new BufferedLines(slow, 64);
    const lines = ['short', 'é😀"\\ multi-byte', 'x'.repeat(200), '', 'after a long one', '\u0000\ud800 lone surrogate'];
    for (let r = 0; r < 20; r++) for (const l of lines) (sink.fits(l) ? sink.lineThatFits(l) : await sink.line(l));
    await sink.flush();
    await sink.flush();
    await new Promise<void>((resolve) => slow.end(resolve));
    const expected = Buffer.from(`${Array.from({ length: 20 }, () => lines.join('\n')).join('\n')}\n`, 'utf8');
    expect(Buffer.concat(received).equals(expected)).toBe(true);
    // Buffered: far fewer writes than lines (120), yet never more than the buffer at a time.
    expect(writes).toBeLessThan(60);
    expect(Math.max(...received.map((c) => c.length))).toBeLessThanOrEqual(200 * 3 + 1);
  });
});
