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

/** The three possible answers of a retry policy. */
export type RetryDecision = "retry_same" | "retry_next" | "rethrow";

/** Facts about the failed attempt. */
export interface RetryContext {
  /** Whether the statement is marked idempotent. */
  idempotent: boolean;
  /** Retries already made for this request, on any node (0 on the first failure). */
  retryCount: number;
}

/** Decides per failure; replaceable through `SessionBuilder.retryPolicy()`. */
export interface RetryPolicy {
  /** Returns the decision for `error`. */
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
 */
export class DefaultRetryPolicy implements RetryPolicy {
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

/** Never retries: every failure goes to the caller. */
export class FallthroughRetryPolicy implements RetryPolicy {
  decide(): RetryDecision {
    return "rethrow";
  }
}
