/**
 * Runs one request against the cluster: picks hosts in plan order, sends,
 * and asks the retry policy what to do with each failure.
 * @module
 */

import type { Cluster, Host } from "./cluster/cluster.ts";
import type { ResponseDecoder } from "./pool/connection.ts";
import type { Connection } from "./pool/connection.ts";
import { noConnection } from "./pool/host_pool.ts";
import { ConnectionError, ScyllaError, UnpreparedError } from "./errors.ts";
import type { RetryDecision, RetryPolicy } from "./policies/retry.ts";
import type { LoadBalancingPolicy, RoutingInfo } from "./policies/load_balancing.ts";

/** One request to run. */
export interface RequestSpec<T> {
  /** Encodes the frame; called once, the bytes are reused (copied) for retries. */
  encode: () => Uint8Array;
  /** Decodes a successful answer. */
  decode: ResponseDecoder<T>;
  /** Whether re-sending is safe. */
  idempotent: boolean;
  /** Client-side deadline per attempt. */
  timeoutMs: number;
  /** Caller's cancellation. */
  signal?: AbortSignal;
  /** Where the data lives, for token-aware routing. */
  routing?: RoutingInfo;
  /** Re-prepares on a connection that answered UNPREPARED; the request is then sent again. */
  reprepare?: (c: Connection) => Promise<void>;
}

/** What the runner needs from the session. */
export interface RunnerContext {
  /** The cluster. */
  cluster: Cluster;
  /** Host order per request. */
  loadBalancing: LoadBalancingPolicy;
  /** Failure handling. */
  retry: RetryPolicy;
  /** Counts requests per host address, for tests and metrics. */
  onSent?: (host: Host) => void;
}

/**
 * Sends `spec` to the first usable host of the plan and handles failures.
 * @throws {ScyllaError} the last failure when no attempt succeeded
 */
export async function runRequest<T>(ctx: RunnerContext, spec: RequestSpec<T>): Promise<T> {
  const frame = spec.encode();
  const plan = ctx.loadBalancing.plan(ctx.cluster, spec.routing);
  const errors: string[] = [];
  let lastError: unknown;
  let attempts = 0;
  let reprepared = false;
  for (const host of plan) {
    for (let sameHostTries = 0;; sameHostTries++) {
      const conn = host.pool.pick();
      if (conn === null) {
        errors.push(noConnection(host.pool).message);
        break;
      }
      if (spec.signal?.aborted) throw spec.signal.reason;
      try {
        ctx.onSent?.(host);
        // Frames are stamped with a stream id in place: a retry gets its own copy.
        const bytes = attempts++ === 0 ? frame : frame.slice();
        return await conn.send(bytes, spec.decode, spec);
      } catch (e) {
        lastError = e;
        if (e instanceof UnpreparedError && spec.reprepare && !reprepared) {
          reprepared = true;
          await spec.reprepare(conn);
          continue;
        }
        if (!(e instanceof ScyllaError) || spec.signal?.aborted) throw e;
        const decision: RetryDecision = ctx.retry.decide(e, {
          idempotent: spec.idempotent,
          retryCount: sameHostTries,
        });
        if (decision === "rethrow") throw e;
        errors.push(`${host.pool.address}: ${e.message}`);
        if (decision === "retry_same") continue;
        break;
      }
    }
  }
  if (lastError !== undefined && errors.length <= 1) throw lastError;
  throw new ConnectionError(
    errors.length === 0
      ? "no host is available to run the request (every node's pool is empty)"
      : `every host failed: ${errors.join("; ")}`,
    { cause: lastError },
  );
}
