// Lines of text into a writable stream as bytes, a few MiB per write: no per-line syscall, no
// batch-sized string (joining a batch's lines into one string and encoding it cost as much as
// making the lines). A full buffer is handed to the stream whole and a new one begun, so bytes
// the stream has not written yet are never overwritten.
// A stream known to be done with a chunk when it calls back (a file's or a socket's: the bytes are
// in the kernel by then) gets its written buffers back to fill again: a run of millions of lines
// then allocates two buffers, not one per few MiB, and the garbage collector is not set off by
// the external memory (before, 100,000 records, 97 MB, were ~24 fresh buffers and two or three
// full mark-compacts a run). Any other stream may keep the chunk (a PassThrough queues it for its
// reader): it gets a fresh buffer each time, as before.
import { once } from 'node:events';
import { WriteStream } from 'node:fs';
import { Socket } from 'node:net';
import type { Writable } from 'node:stream';

const NEWLINE = 0x0a;
/** Written buffers kept to fill again, at most (two are enough when each write is waited for). */
const MAX_SPARE = 2;

/** Whether `output` is done with a chunk once it has called back for it (so the chunk may be refilled). */
export const releasesChunksOnCallback = (output: Writable): boolean => output instanceof WriteStream || output instanceof Socket;

export class BufferedLines {
  private bytes: Buffer;
  /** Bytes of `buffer` holding lines not yet written; a caller writing into `buffer` moves it on. */
  used = 0;
  /** Buffers the stream has written and called back for, to fill again (`reuse` only). */
  private readonly spare: Buffer[] = [];
  private readonly release: ((error?: Error | null) => void) | undefined;
  private readonly written: Buffer[] = [];

  /** `reuse`: refill buffers once the stream has called back for them (see `releasesChunksOnCallback`). */
  constructor(
    private readonly output: Writable,
    private readonly size = 4 << 20,
    reuse = releasesChunksOnCallback(output),
  ) {
    this.bytes = Buffer.allocUnsafe(size);
    // Writes call back in the order they were made: the oldest buffer handed over is the one done.
    if (reuse)
      this.release = () => {
        const done = this.written.shift();
        if (done !== undefined && this.spare.length < MAX_SPARE) this.spare.push(done);
      };
  }

  /** The buffer lines are gathered in: a caller may write bytes from `used` (after `makeRoom`) and move `used` on. */
  get buffer(): Buffer {
    return this.bytes;
  }

  /** Room for `bytes` more without a write first. */
  hasRoom(bytes: number): boolean {
    return this.used + bytes <= this.bytes.length;
  }

  /** Makes room for `bytes` more: writes the buffer out first when they might not fit (a larger buffer for a larger line). */
  async makeRoom(bytes: number): Promise<void> {
    if (this.hasRoom(bytes)) return;
    await this.flush();
    if (bytes > this.bytes.length) this.bytes = Buffer.allocUnsafe(bytes);
  }

  /** Appends `text` and a newline; writes the buffer out first when it might not fit. */
  async line(text: string): Promise<void> {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = text.length * 3 + 1;
    if (this.used + most > this.bytes.length) {
      await this.flush();
      if (most > this.bytes.length) this.bytes = Buffer.allocUnsafe(most);
    }
    this.used += this.bytes.write(text, this.used);
    this.bytes[this.used++] = NEWLINE;
  }

  /** Room for `text` without a write: `line` then never awaits (callers on a hot path test this first). */
  fits(text: string): boolean {
    return this.used + text.length * 3 + 1 <= this.bytes.length;
  }

  /** Appends a line known to fit (`fits`). */
  lineThatFits(text: string): void {
    this.used += this.bytes.write(text, this.used);
    this.bytes[this.used++] = NEWLINE;
  }

  /** Hands what is buffered to the stream, waiting when the stream asks to. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const whole = this.bytes;
    const full = whole.subarray(0, this.used);
    this.bytes = this.spare.pop() ?? Buffer.allocUnsafe(this.size);
    this.used = 0;
    // A larger buffer made for one long line is not kept.
    if (this.release && whole.length === this.size) {
      this.written.push(whole);
      if (!this.output.write(full, this.release)) await once(this.output, 'drain');
    } else if (!this.output.write(full)) await once(this.output, 'drain');
  }
}
