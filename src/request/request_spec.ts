/**
 * What the statement layer hands the executor for one request: how to encode
 * and decode it, whether re-sending is safe, its deadline and cancellation,
 * its retry and speculative-execution policies and its routing. A module of
 * its own so the executor and the run of each request share it without
 * importing each other.
 * @module
 */

import type { Connection, ResponseDecoder } from "../pool/connection.ts";
import type { FrameEncoder } from "../wire/requests/envelope.ts";
import type { RetryPolicy } from "../policies/retry.ts";
import type { SpeculativeExecutionPolicy } from "../policies/speculative.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";
import type { Host } from "../cluster/cluster.ts";

/** One request to run. */
export interface RequestSpec<T> {
  /**
   * Appends the request frame to a connection's output buffer; called once per
   * attempt. A bad value makes it throw (`TypeError`/`RangeError`) and nothing is sent.
   */
  encode: FrameEncoder;
  /** Decodes a successful answer. */
  decode: ResponseDecoder<T>;
  /** Whether re-sending is safe. */
  idempotent: boolean;
  /** Client-side deadline per attempt. */
  timeoutMs: number;
  /** Caller's cancellation. */
  signal?: AbortSignal;
  /** Decides what to do with a failed attempt. */
  retryPolicy: RetryPolicy;
  /** Extra executions while the first is slow (idempotent requests only); none when `null`. */
  speculativeExecution?: SpeculativeExecutionPolicy | null;
  /** Where the data lives, for token-aware routing. */
  routing?: RoutingInfo;
  /** Re-prepares on a connection that answered UNPREPARED; the request is then sent again. */
  reprepare?: (c: Connection) => Promise<void>;
}

/** What a request's winning answer becomes (its result), given the host that answered. */
export interface Finisher<T, R> {
  /** The request's result from `answer`; a throw or rejection fails the request. */
  finish(answer: T, coordinator: Host): R | Promise<R>;
}
