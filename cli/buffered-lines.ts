// Lines of text into a writable stream as bytes, a few MiB per write: no per-line syscall, no
// batch-sized string (joining a batch's lines into one string and encoding it cost as much as
// making the lines). A full buffer is handed to the stream whole and a new one begun, so bytes
// the stream has not written yet are never overwritten.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const NEWLINE = 0x0a;

export class BufferedLines {
  private buffer: Buffer;
  private used = 0;

  constructor(
    private readonly output: Writable,
    private readonly size = 4 << 20,
  ) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Appends `text` and a newline; writes the buffer out first when it might not fit. */
  async line(text: string): Promise<void> {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const most = text.length * 3 + 1;
    if (this.used + most > this.buffer.length) {
      await this.flush();
      if (most > this.buffer.length) this.buffer = Buffer.allocUnsafe(most);
    }
    this.used += this.buffer.write(text, this.used);
    this.buffer[this.used++] = NEWLINE;
  }

  /** Room for `text` without a write: `line` then never awaits (callers on a hot path test this first). */
  fits(text: string): boolean {
    return this.used + text.length * 3 + 1 <= this.buffer.length;
  }

  /** Appends a line known to fit (`fits`). */
  lineThatFits(text: string): void {
    this.used += this.buffer.write(text, this.used);
    this.buffer[this.used++] = NEWLINE;
  }

  /** Hands what is buffered to the stream, waiting when the stream asks to. */
  async flush(): Promise<void> {
    if (this.used === 0) return;
    const full = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(this.size);
    this.used = 0;
    if (!this.output.write(full)) await once(this.output, 'drain');
  }
}
