/**
 * The life of one request, top-down: the load-balancing plan names the hosts,
 * the host's pool picks a connection (on ScyllaDB, the shard owning the
 * token), the connection sends; a failure goes to the retry policy, and for
 * idempotent statements the speculative-execution policy may start further
 * executions on the next hosts while the first is slow.
 * @module
 */

import type { Cluster, Host } from "../cluster/cluster.ts";
import type { Connection, ResponseDecoder } from "../pool/connection.ts";
import type { HostPool } from "../pool/host_pool.ts";
import type { FrameEncoder } from "../wire/requests/envelope.ts";
import { ConnectionError, ScyllaError, UnpreparedError } from "../errors.ts";
import type { RetryDecision, RetryPolicy } from "../policies/retry.ts";
import type { LoadBalancingPolicy } from "../policies/load_balancing.ts";
import type { SpeculativeExecutionPolicy } from "../policies/speculative.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";

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

/** Runs requests on one cluster with one load-balancing policy. */
export class RequestExecutor {
  /** The cluster requests go to. */
  readonly cluster: Cluster;
  readonly #loadBalancing: LoadBalancingPolicy;

  /**
   * @param cluster hosts and their pools
   * @param loadBalancing the order of hosts per request
   */
  constructor(cluster: Cluster, loadBalancing: LoadBalancingPolicy) {
    this.cluster = cluster;
    this.#loadBalancing = loadBalancing;
  }

  /**
   * Sends `spec` to the first usable host of the plan and handles failures.
   * With a speculative execution policy and an idempotent statement, further
   * executions start on the next hosts while the first is slow; the first
   * answer wins and later ones are dropped.
   * @throws {ScyllaError} the last failure when no attempt succeeded
   */
  execute<T>(spec: RequestSpec<T>): Promise<T> {
    if (spec.signal?.aborted) return Promise.reject(spec.signal.reason);
    const plan = this.#loadBalancing.plan(this.cluster, spec.routing)[Symbol.iterator]();
    const run = new Run(plan, spec);
    const speculative = spec.speculativeExecution;
    if (!speculative || !spec.idempotent || speculative.maxExecutions <= 1) return run.execute();
    return run.speculate(speculative);
  }
}

/** The state of one request across its attempts (and speculative executions). */
class Run<T> {
  #spec: RequestSpec<T>;
  #plan: Iterator<Host>;
  #errors: string[] = [];
  #lastError: unknown;
  #reprepared = false;
  done = false;

  constructor(plan: Iterator<Host>, spec: RequestSpec<T>) {
    this.#spec = spec;
    this.#plan = plan;
  }

  /** One execution: walks the shared plan until an attempt succeeds or hosts run out. */
  async execute(): Promise<T> {
    const spec = this.#spec;
    for (let next = this.#plan.next(); !next.done && !this.done; next = this.#plan.next()) {
      const host = next.value;
      for (let sameHostTries = 0;; sameHostTries++) {
        const conn = host.pool.pick(spec.routing?.tokenHiLo ?? spec.routing?.token);
        if (conn === null) {
          this.#errors.push(noConnection(host.pool).message);
          break;
        }
        if (spec.signal?.aborted) throw spec.signal.reason;
        try {
          host.sent++;
          return await conn.send(spec.encode, spec.decode, spec);
        } catch (e) {
          this.#lastError = e;
          if (e instanceof UnpreparedError && spec.reprepare && !this.#reprepared) {
            this.#reprepared = true;
            await spec.reprepare(conn);
            continue;
          }
          if (!(e instanceof ScyllaError) || spec.signal?.aborted || this.done) throw e;
          const decision: RetryDecision = spec.retryPolicy.decide(e, {
            idempotent: spec.idempotent,
            retryCount: sameHostTries,
          });
          if (decision === "rethrow") throw e;
          this.#errors.push(`${host.pool.address}: ${e.message}`);
          if (decision === "retry_same") continue;
          break;
        }
      }
    }
    throw this.#exhausted();
  }

  /** Starts executions `delayMs` apart until one answers. */
  speculate(policy: SpeculativeExecutionPolicy): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let running = 0;
      let started = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = () => {
        this.done = true;
        clearTimeout(timer);
      };
      const start = () => {
        started++;
        running++;
        this.execute().then(
          (v) => {
            if (!this.done) {
              finish();
              resolve(v);
            }
          },
          (e) => {
            running--;
            if (this.done) return;
            // A definite answer (e.g. a syntax error) ends the request; running out of hosts
            // ends it only when no other execution is still waiting for an answer.
            if (running === 0 || !(e instanceof ConnectionError)) {
              finish();
              reject(e);
            }
          },
        );
        if (started < policy.maxExecutions) {
          timer = setTimeout(() => !this.done && start(), policy.delayMs);
        }
      };
      start();
    });
  }

  #exhausted(): unknown {
    const errors = this.#errors;
    if (this.#lastError !== undefined && errors.length <= 1) return this.#lastError;
    return new ConnectionError(
      errors.length === 0
        ? "no host is available to run the request (every node's pool is empty)"
        : `every host failed: ${errors.join("; ")}`,
      { cause: this.#lastError },
    );
  }
}

/** Error for a host whose pool has no open connection. */
function noConnection(pool: HostPool): ConnectionError {
  return new ConnectionError(
    `no open connection to ${pool.address}` +
      (pool.lastError ? `: ${pool.lastError.message}` : ""),
    { cause: pool.lastError },
  );
}
