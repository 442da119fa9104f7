// A file's bytes in chunks read into a few buffers that are read into again once their reader is
// done with them (`recycle`). A file's read stream gives every read a fresh buffer: 60 MB of input
// a run of 100,000 rows were ~60 new 1 MiB buffers, memory outside the heap that set off full
// garbage collections (mark-compacts, marked on the other threads) though the heap stayed at 10 MB.
// drs score holds a chunk until the batch whose rows were read from it is written (a record
// copies its donorId and updatedAt from the input's bytes), then hands it back.
import { open } from 'node:fs/promises';

export class FileChunks implements AsyncIterable<Buffer> {
  /** Buffers handed back, to read into again. */
  private readonly free: ArrayBufferLike[] = [];
  /** The buffers this reader made: only these are taken back. */
  private readonly own = new WeakSet<ArrayBufferLike>();
  /** Buffers this reader has made (a reader recycling them makes a few, however long the file). */
  made = 0;

  constructor(
    readonly path: string,
    readonly chunkBytes = 1 << 20,
  ) {}

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    const handle = await open(this.path, 'r');
    try {
      for (;;) {
        const buffer = this.take();
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) {
          this.free.push(buffer.buffer);
          return;
        }
        // A short read (the file's end, or a pipe) is a view of the first bytes of the same buffer.
        yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      }
    } finally {
      await handle.close();
    }
  }

  /**
   * The caller is done with `chunk`, a chunk this reader gave (or a view of one): its buffer may be
   * read into again. Anything else is ignored, and so is a chunk handed back twice.
   */
  recycle(chunk: Uint8Array): void {
    const buffer = chunk.buffer;
    if (this.own.has(buffer) && !this.free.includes(buffer)) this.free.push(buffer);
  }

  private take(): Buffer {
    const free = this.free.pop();
    if (free !== undefined) return Buffer.from(free, 0, this.chunkBytes);
    const buffer = Buffer.allocUnsafeSlow(this.chunkBytes);
    this.own.add(buffer.buffer);
    this.made += 1;
    return buffer;
  }
}
