/**
 * What to do when an attempt fails: retry on the same node, try the next
 * node, or give the error to the caller.
 * @module
 */

import {
  ConnectionError,
  IsBootstrappingError,
  OverloadedError,
  ReadTimeoutError,
  RequestTimeoutError,
  type ScyllaError,
  UnavailableError,
  WriteTimeoutError,
} from "../errors.ts";

/**
 * The three possible answers of a retry policy: `"retry_same"` sends the
 * request again to the node that failed it, `"retry_next"` to the next node
 * of the query plan, `"rethrow"` gives the error to the caller.
 */
export type RetryDecision = "retry_same" | "retry_next" | "rethrow";

/** Facts about the failed attempt. */
export interface RetryContext {
  /** Whether the statement is marked idempotent. */
  idempotent: boolean;
  /** Retries already made for this request, on any node (0 on the first failure). */
  retryCount: number;
}

/**
 * Decides per failure; replaceable through `SessionBuilder.retryPolicy()` or an
 * execution profile's `retryPolicy`. `decide` must not throw and should
 * retry non-idempotent statements only when the request was not applied.
 * @example
 * ```ts
 * import {
 *   OverloadedError,
 *   type RetryContext,
 *   type RetryDecision,
 *   type RetryPolicy,
 *   type ScyllaError,
 *   SessionBuilder,
 * } from "@rsylla/rsylla";
 *
 * // Try up to three other nodes when a coordinator is overloaded, else give up.
 * class OverloadRetry implements RetryPolicy {
 *   decide(error: ScyllaError, ctx: RetryContext): RetryDecision {
 *     return error instanceof OverloadedError && ctx.retryCount < 3 ? "retry_next" : "rethrow";
 *   }
 * }
 * const builder = new SessionBuilder().knownNode("127.0.0.1").retryPolicy(new OverloadRetry());
 * ```
 */
export interface RetryPolicy {
  /**
   * Returns the decision for `error`, a failed attempt's error.
   * @param ctx whether the statement is idempotent and how many retries were made
   */
  decide(error: ScyllaError, ctx: RetryContext): RetryDecision;
}

/**
 * The usual decisions, as in the DataStax and ScyllaDB drivers:
 * - read timeout with enough replicas but no data → same node, once;
 * - write timeout → same node once, only for idempotent `BATCH_LOG` writes;
 * - unavailable → next node, once;
 * - overloaded, bootstrapping → next node (the request was not applied);
 * - connection lost or client timeout → next node, idempotent statements only,
 *   since the request may have been applied;
 * - request never sent (connection closed or saturated) → next node.
 *
 * It is the session's policy unless `SessionBuilder.retryPolicy()` or an
 * execution profile sets another.
 * @example
 * ```ts
 * import { DefaultRetryPolicy, UnavailableError } from "@rsylla/rsylla";
 * const p = new DefaultRetryPolicy();
 * const e = new UnavailableError("not enough replicas", {
 *   consistency: "QUORUM",
 *   required: 2,
 *   alive: 1,
 * });
 * console.log(p.decide(e, { idempotent: false, retryCount: 0 })); // "retry_next"
 * ```
 */
export class DefaultRetryPolicy implements RetryPolicy {
  /** Returns the decision for `error` by the rules above. */
  decide(error: ScyllaError, ctx: RetryContext): RetryDecision {
    if (error instanceof ReadTimeoutError) {
      return ctx.retryCount === 0 && error.received >= error.blockFor && !error.dataPresent
        ? "retry_same"
        : "rethrow";
    }
    if (error instanceof WriteTimeoutError) {
      return ctx.retryCount === 0 && ctx.idempotent && error.writeType === "BATCH_LOG"
        ? "retry_same"
        : "rethrow";
    }
    if (error instanceof UnavailableError) return ctx.retryCount === 0 ? "retry_next" : "rethrow";
    if (error instanceof OverloadedError || error instanceof IsBootstrappingError) {
      return "retry_next";
    }
    if (error instanceof ConnectionError && error.notSent) return "retry_next";
    if (error instanceof ConnectionError || error instanceof RequestTimeoutError) {
      return ctx.idempotent ? "retry_next" : "rethrow";
    }
    return "rethrow";
  }
}

/**
 * Never retries: every failure goes to the caller.
 * @example
 * ```ts
 * import { FallthroughRetryPolicy, SessionBuilder } from "@rsylla/rsylla";
 * const builder = new SessionBuilder()
 *   .knownNode("127.0.0.1")
 *   .retryPolicy(new FallthroughRetryPolicy());
 * ```
 */
export class FallthroughRetryPolicy implements RetryPolicy {
  /** Always `"rethrow"`. */
  decide(): RetryDecision {
    return "rethrow";
  }
}
