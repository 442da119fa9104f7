// Handler latencies of a local run of any length in bounded memory: every value while there are
// fewer than `capacity`, then a uniform sample of them all (reservoir sampling, Vitter's algorithm
// R), so p50 and p99 stay exact for short runs and unbiased estimates for long ones.
import { Random } from '../model/random';

export class LatencySample {
  private readonly values: Float64Array;
  private readonly rng = new Random(0x1a7e);
  private kept = 0;
  /** Every value offered, kept or not. */
  count = 0;

  constructor(readonly capacity = 100_000) {
    this.values = new Float64Array(capacity);
  }

  add(ms: number): void {
    this.count++;
    if (this.kept < this.capacity) {
      this.values[this.kept++] = ms;
      return;
    }
    const slot = Math.floor(this.rng.uniform() * this.count);
    if (slot < this.capacity) this.values[slot] = ms;
  }

  /** Whether the percentiles are of every value (not of a sample). */
  get exact(): boolean {
    return this.count <= this.capacity;
  }

  /** The p-th percentile (nearest rank below, as the summary always took it); 0 when empty. */
  percentiles(ps: number[]): number[] {
    const sorted = this.values.slice(0, this.kept).sort();
    return ps.map((p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0));
  }
}
