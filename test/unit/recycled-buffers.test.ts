// drs score reads its input into a few buffers it reads into again (FileChunks) and writes its
// output from a few buffers it fills again (BufferedLines over a file): neither may ever reuse a
// buffer whose bytes are still wanted. Expected bytes come from the plain path (fresh buffers,
// a stream of strings), never from the recycling one.
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { scoreJsonLines } from '../../cli/batch-scorer';
import { BufferedLines } from '../../cli/buffered-lines';
import { FileChunks } from '../../cli/file-chunks';
import { loadLocalModel } from '../../cli/local-model';
import type { ReadinessModel } from '../../lambdas/core/readiness-model';
import { generateRegistry } from '../../model/synthetic-registry';
import { donorUpdatedEvent, validDetail } from '../fixtures/donor-events';

const DATE = '2026-06-01';
const SCORED_AT = '2026-06-01T12:00:00.000Z';
let model: ReadinessModel;
let dir: string;
beforeAll(async () => {
  model = await loadLocalModel();
  dir = mkdtempSync(join(tmpdir(), 'drs-recycled-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inputText(): string {
  const lines: string[] = [];
  for (const row of generateRegistry({ seed: 7, asOf: DATE, baseRate: 0.55 })) {
    lines.push(JSON.stringify(row));
    if (lines.length === 400) break;
  }
  // Lines the scanner declines or rejects, and whole events whose ids are kept.
  lines.splice(5, 0, '{"donorId":', JSON.stringify(donorUpdatedEvent(validDetail({ donorId: 'D-EVENT-1' }), 'evt-1')));
  lines.splice(200, 0, JSON.stringify({ ...validDetail(), revision: 0 }), `  ${JSON.stringify(validDetail({ donorId: 'D-SPACED-1' }))}  `);
  return `${lines.join('\n')}\n`;
}

/** drs score over a stream of strings into a PassThrough: no buffer is ever reused on this path. */
async function plainScores(text: string, batchSize: number): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await scoreJsonLines(Readable.from([text]), out, { model, scoringDate: DATE, batchSize, now: () => new Date(SCORED_AT) });
  out.end();
  return Buffer.concat(chunks);
}

describe('drs score with recycled buffers', () => {
  it('writes the same bytes from a file read into a few reused buffers, whatever the batch size', async () => {
    const text = inputText();
    const input = join(dir, 'rows.jsonl');
    writeFileSync(input, text);
    // Chunks smaller than a line (most never hold a line of their own) and chunks of a few lines,
    // each read into again and again while batches still copy from the ones before.
    for (const [chunkBytes, batchSize] of [[977, 7], [977, 4096], [4096, 7], [4096, 64]]) {
      const expected = await plainScores(text, batchSize);
      const output = join(dir, `scores-${chunkBytes}-${batchSize}.jsonl`);
      const sink = createWriteStream(output);
      const reader = new FileChunks(input, chunkBytes);
      const summary = await scoreJsonLines(reader, sink, { model, scoringDate: DATE, batchSize, now: () => new Date(SCORED_AT) });
      sink.end();
      await once(sink, 'finish');
      expect(summary.lines).toBe(404);
      expect(readFileSync(output).equals(expected)).toBe(true);
      // Chunks of a few lines are handed back once their batch is written: a handful of buffers
      // for ~60 chunks (a batch of 7 lines spans two or three).
      if (chunkBytes === 4096) expect(reader.made).toBeLessThan(batchSize === 7 ? 6 : 16);
    }
  });
});

describe('FileChunks', () => {
  it('gives the file whole and in order, and takes back only its own buffers, once', async () => {
    const file = join(dir, 'bytes.bin');
    const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) % 251));
    writeFileSync(file, bytes);
    const reader = new FileChunks(file, 1024);
    const got: Buffer[] = [];
    for await (const chunk of reader) {
      got.push(Buffer.from(chunk));
      reader.recycle(chunk);
      reader.recycle(chunk);
      reader.recycle(Buffer.alloc(1024));
    }
    expect(Buffer.concat(got).equals(bytes)).toBe(true);
    expect(got.map((c) => c.length)).toEqual([...Array.from({ length: 9 }, () => 1024), 784]);
    // Each chunk handed back at once: one buffer read into again and again (a second recycle of
    // the same chunk would have made two of them share the one buffer).
    expect(reader.made).toBe(1);
  });

  it('never gives out a buffer still held: one handed back twice, or one it did not make, is not taken', async () => {
    const file = join(dir, 'four.bin');
    writeFileSync(file, Buffer.alloc(4096, 1));
    const reader = new FileChunks(file, 1024);
    const chunks = reader[Symbol.asyncIterator]();
    const a = (await chunks.next()).value as Buffer;
    reader.recycle(a);
    reader.recycle(a.subarray(0, 10));
    const foreign = Buffer.alloc(1024);
    reader.recycle(foreign);
    const b = (await chunks.next()).value as Buffer;
    const c = (await chunks.next()).value as Buffer;
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(b.buffer);
    expect(c.buffer).not.toBe(foreign.buffer);
    expect(reader.made).toBe(2);
    await chunks.return(undefined);
  });

  it('reads an empty file as no chunks, and a missing file fails', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    const chunks: Buffer[] = [];
    for await (const chunk of new FileChunks(empty)) chunks.push(chunk);
    expect(chunks).toEqual([]);
    await expect(scoreJsonLines(new FileChunks(join(dir, 'missing.jsonl')), new PassThrough(), { model, scoringDate: DATE })).rejects.toThrow(/ENOENT/);
  });
});

describe('BufferedLines', () => {
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}é`);
  const expected = Buffer.from(`${lines.join('\n')}\n`, 'utf8');

  it('refills the buffers a file has written: every byte lands, from a few buffers', async () => {
    const file = join(dir, 'lines.txt');
    const stream = createWriteStream(file);
    const seen = new Set<ArrayBufferLike>();
    const write = stream.write.bind(stream) as (chunk: Buffer, cb?: (error?: Error | null) => void) => boolean;
    stream.write = ((chunk: Buffer, cb?: (error?: Error | null) => void) => {
      seen.add(chunk.buffer);
      return write(chunk, cb);
    }) as typeof stream.write;
    const sink = new BufferedLines(stream, 256);
    for (const line of lines) (sink.fits(line) ? sink.lineThatFits(line) : await sink.line(line));
    await sink.flush();
    stream.end();
    await once(stream, 'finish');
    expect(readFileSync(file).equals(expected)).toBe(true);
    // ~100 writes of 256-byte buffers from a few (a file's stream takes 16 KiB before it asks to
    // wait, so a few writes are under way at once; 4 MiB buffers wait for each).
    expect(seen.size).toBeLessThanOrEqual(6);
  });

  it('never refills a buffer for a stream that may keep it (a PassThrough read only at the end)', async () => {
    const stream = new PassThrough({ highWaterMark: 1 << 24 });
    const sink = new BufferedLines(stream, 256);
    for (const line of lines) {
      if (sink.fits(line)) sink.lineThatFits(line);
      else await sink.line(line);
      // The stream's callbacks (it calls back at once, keeping the chunk for its reader) get to run.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await sink.flush();
    stream.end();
    const got: Buffer[] = [];
    for await (const chunk of stream) got.push(chunk as Buffer);
    expect(Buffer.concat(got).equals(expected)).toBe(true);
  });
});
