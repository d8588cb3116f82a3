/**
 * A small HDR-style latency histogram: log-linear buckets over whole
 * microseconds (exact below 128 µs, then 64 buckets per power of two, so a
 * value is off by less than 1.6 %), a fixed array, no allocation per value.
 * @module
 */

/** Buckets below 128 µs hold one value each. */
const LINEAR = 128;
/** Buckets per power of two above. */
const SUB = 64;
/** Values are clamped to 2^31-1 µs (about 36 minutes). */
const MAX_US = 0x7fff_ffff;
const BUCKETS = LINEAR + 24 * SUB;

function bucketOf(us: number): number {
  if (us < LINEAR) return us;
  const shift = 31 - Math.clz32(us) - 6;
  return LINEAR + (shift - 1) * SUB + ((us >>> shift) - SUB);
}

/** The highest value bucket `i` holds, µs. */
function upperOf(i: number): number {
  if (i < LINEAR) return i;
  const shift = Math.floor((i - LINEAR) / SUB) + 1;
  const sub = ((i - LINEAR) % SUB) + SUB;
  return (sub << shift) + (1 << shift) - 1;
}

/** Percentiles and maximum of a histogram, in ms. */
export interface LatencySummary {
  /** Median, ms. */
  p50: number;
  /** 95th percentile, ms. */
  p95: number;
  /** 99th percentile, ms. */
  p99: number;
  /** Largest value recorded, ms. */
  max: number;
  /** Values recorded. */
  count: number;
}

/** Latencies recorded in ms, kept as µs buckets. */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #maxUs = 0;

  /** Values recorded. */
  get count(): number {
    return this.#count;
  }

  /** Records one latency, ms (negative counts as 0). */
  record(ms: number): void {
    let us = Math.round(ms * 1000);
    if (!(us > 0)) us = 0;
    else if (us > MAX_US) us = MAX_US;
    this.#counts[bucketOf(us)]++;
    this.#count++;
    if (us > this.#maxUs) this.#maxUs = us;
  }

  /** The value at or below which `q` (0..1) of the values lie, ms (0 when empty). */
  percentile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    const counts = this.#counts;
    for (let i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank) return Math.min(upperOf(i), this.#maxUs) / 1000;
    }
    return this.#maxUs / 1000;
  }

  /** p50, p95, p99, max and count, ms. */
  summary(): LatencySummary {
    return {
      p50: this.percentile(0.5),
      p95: this.percentile(0.95),
      p99: this.percentile(0.99),
      max: this.#maxUs / 1000,
      count: this.#count,
    };
  }
}
