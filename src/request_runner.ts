/**
 * Runs one request against the cluster: picks hosts in plan order, sends,
 * and asks the retry policy what to do with each failure.
 * @module
 */

import type { Cluster, Host } from "./cluster/cluster.ts";
import type { ResponseDecoder } from "./pool/connection.ts";
import type { FrameEncoder } from "./wire/requests/envelope.ts";
import type { Connection } from "./pool/connection.ts";
import { noConnection } from "./pool/host_pool.ts";
import { ConnectionError, ScyllaError, UnpreparedError } from "./errors.ts";
import type { RetryDecision, RetryPolicy } from "./policies/retry.ts";
import type { LoadBalancingPolicy, RoutingInfo } from "./policies/load_balancing.ts";
import type { SpeculativeExecutionPolicy } from "./policies/speculative.ts";

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
  /** Speculative executions for idempotent statements; none when absent. */
  speculative?: SpeculativeExecutionPolicy | null;
}

/**
 * Sends `spec` to the first usable host of the plan and handles failures.
 * With a speculative execution policy and an idempotent statement, further
 * executions start on the next hosts while the first is slow; the first
 * answer wins and later ones are dropped.
 * @throws {ScyllaError} the last failure when no attempt succeeded
 */
export function runRequest<T>(ctx: RunnerContext, spec: RequestSpec<T>): Promise<T> {
  const run = new Run(ctx, spec);
  const speculative = ctx.speculative;
  if (!speculative || !spec.idempotent || speculative.maxExecutions <= 1) return run.execute();
  return run.speculate(speculative);
}

/** The state of one request across its attempts (and speculative executions). */
class Run<T> {
  #ctx: RunnerContext;
  #spec: RequestSpec<T>;
  #plan: Iterator<Host>;
  #errors: string[] = [];
  #lastError: unknown;
  #reprepared = false;
  done = false;

  constructor(ctx: RunnerContext, spec: RequestSpec<T>) {
    this.#ctx = ctx;
    this.#spec = spec;
    this.#plan = ctx.loadBalancing.plan(ctx.cluster, spec.routing)[Symbol.iterator]();
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
          this.#ctx.onSent?.(host);
          return await conn.send(spec.encode, spec.decode, spec);
        } catch (e) {
          this.#lastError = e;
          if (e instanceof UnpreparedError && spec.reprepare && !this.#reprepared) {
            this.#reprepared = true;
            await spec.reprepare(conn);
            continue;
          }
          if (!(e instanceof ScyllaError) || spec.signal?.aborted || this.done) throw e;
          const decision: RetryDecision = this.#ctx.retry.decide(e, {
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
