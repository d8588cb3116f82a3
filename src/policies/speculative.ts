/**
 * Speculative execution: when an idempotent request is slow, send it to the
 * next host too and take whichever answer comes first.
 * @module
 */

/** How many executions a request may have and how far apart they start. */
export interface SpeculativeExecutionPolicy {
  /** Wait before starting the next execution, in ms. */
  readonly delayMs: number;
  /** Executions at most, the first one included (≥ 1). */
  readonly maxExecutions: number;
}

/**
 * A fixed delay between executions. Off unless set with
 * `SessionBuilder.speculativeExecution()`; applies to idempotent statements only.
 * @example
 * ```ts
 * import { ConstantSpeculativeExecutionPolicy, Query, SessionBuilder } from "@rsylla/rsylla";
 * const p = new ConstantSpeculativeExecutionPolicy(50, 2); // one extra copy after 50 ms
 * const builder = new SessionBuilder().knownNode("127.0.0.1").speculativeExecution(p);
 * // only statements marked idempotent are sent again:
 * const q = new Query("SELECT v FROM ks.t WHERE id = 1").setIdempotent(true);
 * ```
 */
export class ConstantSpeculativeExecutionPolicy implements SpeculativeExecutionPolicy {
  /** Wait before starting the next execution, in ms. */
  readonly delayMs: number;
  /** Executions at most, the first one included. */
  readonly maxExecutions: number;

  /**
   * One extra execution every `delayMs`, up to `maxExecutions` in all.
   * @param delayMs wait before each further execution, in ms
   * @param maxExecutions executions at most, the first one included
   * @throws {TypeError} either argument is not a number
   * @throws {RangeError} `delayMs` is negative or not finite, or `maxExecutions` is not an integer ≥ 1
   */
  constructor(delayMs: number, maxExecutions: number) {
    for (const [name, v] of [["delayMs", delayMs], ["maxExecutions", maxExecutions]] as const) {
      if (typeof v !== "number") {
        throw new TypeError(`speculative ${name} must be a number, got ${typeof v}`);
      }
    }
    if (!Number.isFinite(delayMs) || delayMs < 0) {
      throw new RangeError(`speculative delay must be a finite number ≥ 0 ms, got ${delayMs}`);
    }
    if (!Number.isInteger(maxExecutions) || maxExecutions < 1) {
      throw new RangeError(`maxExecutions must be an integer ≥ 1, got ${maxExecutions}`);
    }
    this.delayMs = delayMs;
    this.maxExecutions = maxExecutions;
  }
}
