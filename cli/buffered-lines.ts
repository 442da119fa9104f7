// Lines of text into a writable stream as bytes, a few MiB per write: no per-line syscall, no
// batch-sized string (joining a batch's lines into one string and encoding it cost as much as
// making the lines). A full buffer is handed to the stream whole and a new one begun, so bytes
// the stream has not written yet are never overwritten.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

const NEWLINE = 0x0a;

export class BufferedLines {
  private bytes: Buffer;
  /** Bytes of `buffer` holding lines not yet written; a caller writing into `buffer` moves it on. */
  used = 0;

  constructor(
    private readonly output: Writable,
    private readonly size = 4 << 20,
  ) {
    this.bytes = Buffer.allocUnsafe(size);
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
    const full = this.bytes.subarray(0, this.used);
    this.bytes = Buffer.allocUnsafe(this.size);
    this.used = 0;
    if (!this.output.write(full)) await once(this.output, 'drain');
  }
}
