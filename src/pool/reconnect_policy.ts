/**
 * How long a pool waits before trying a failed node again.
 * @module
 */

/** Decides the delay before reconnection attempt number `attempt` (0-based). */
export interface ReconnectPolicy {
  /** Milliseconds to wait before attempt `attempt`. */
  delayMs(attempt: number): number;
}

/**
 * Exponential backoff with full jitter: a random delay in
 * `[base·2^attempt / 2, base·2^attempt]`, capped at `maxMs`. Jitter keeps many
 * clients from reconnecting to a recovering node in lockstep.
 * @example
 * ```ts
 * import { ExponentialReconnectPolicy, SessionBuilder } from "@rsylla/rsylla";
 * const p = new ExponentialReconnectPolicy({ baseMs: 100, maxMs: 10_000 });
 * p.delayMs(3); // somewhere in 400..800
 * const builder = new SessionBuilder().knownNode("127.0.0.1").reconnectPolicy(p);
 * ```
 */
export class ExponentialReconnectPolicy implements ReconnectPolicy {
  /** First delay in ms. */
  readonly baseMs: number;
  /** Longest delay in ms. */
  readonly maxMs: number;

  /**
   * Delays between `baseMs` (default 200) and `maxMs` (default 30 000).
   * @throws {TypeError} a bound is not a number
   * @throws {RangeError} a bound is not a positive finite number, or base > max
   */
  constructor(opts: { baseMs?: number; maxMs?: number } = {}) {
    this.baseMs = opts.baseMs ?? 200;
    this.maxMs = opts.maxMs ?? 30_000;
    for (const [k, v] of [["baseMs", this.baseMs], ["maxMs", this.maxMs]] as const) {
      if (typeof v !== "number") {
        throw new TypeError(`reconnect ${k} must be a number, got ${typeof v}`);
      }
      if (!Number.isFinite(v) || v <= 0) {
        throw new RangeError(`reconnect ${k} must be a positive number, got ${v}`);
      }
    }
    if (this.baseMs > this.maxMs) {
      throw new RangeError(`reconnect baseMs ${this.baseMs} exceeds maxMs ${this.maxMs}`);
    }
  }

  /** A random delay in the upper half of the capped exponential step for `attempt`. */
  delayMs(attempt: number): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(attempt, 30));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}
