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
import type { PreparedMeta } from "../statement/prepared_meta.ts";
import type {
  RequestDescription,
  RequestKind,
  RequestObserver,
} from "../observability/observer.ts";
import type { ResolvedOptions } from "./resolve.ts";

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

/**
 * Runs requests on one cluster: the plan comes from the request's own
 * load-balancing policy (its execution profile's) or the session's.
 */
export class RequestExecutor {
  /** The cluster requests go to. */
  readonly cluster: Cluster;
  readonly #loadBalancing: LoadBalancingPolicy;
  readonly #observer: RequestObserver | null;
  // What the next `execute` call runs (see `prime`): plain fields, so priming allocates nothing.
  #kind: RequestKind | null = null;
  #cql = "";
  #keyspace: string | null = null;
  #meta: PreparedMeta | null = null;
  #options: ResolvedOptions | null = null;

  /**
   * @param cluster hosts and their pools
   * @param loadBalancing the order of hosts for requests whose options name no policy
   * @param observer metrics, tracker and tracing hooks, or `null` for none
   */
  constructor(
    cluster: Cluster,
    loadBalancing: LoadBalancingPolicy,
    observer: RequestObserver | null = null,
  ) {
    this.cluster = cluster;
    this.#loadBalancing = loadBalancing;
    this.#observer = observer;
  }

  /**
   * Says what the next `execute` call runs: its options (their load-balancing
   * policy) and, for observers, its kind, text, keyspace and metadata. The
   * statement layer calls `execute` synchronously, so the caller primes, calls
   * and then {@link unprime}s.
   */
  prime(
    kind: RequestKind,
    cql: string,
    keyspace: string | null,
    meta: PreparedMeta | null,
    options: ResolvedOptions | null,
  ): void {
    this.#kind = kind;
    this.#cql = cql;
    this.#keyspace = keyspace;
    this.#meta = meta;
    this.#options = options;
  }

  /** Forgets what `prime` said (the primed call may not have reached `execute`). */
  unprime(): void {
    this.#kind = null;
    this.#meta = null;
    this.#options = null;
  }

  /**
   * Sends `spec` to the first usable host of the plan and handles failures.
   * With a speculative execution policy and an idempotent statement, further
   * executions start on the next hosts while the first is slow; the first
   * answer wins and later ones are dropped.
   * @throws {ScyllaError} the last failure when no attempt succeeded
   */
  execute<T>(spec: RequestSpec<T>): Promise<T> {
    const options = this.#options;
    const kind = this.#kind;
    this.#kind = null;
    this.#options = null;
    if (spec.signal?.aborted) return Promise.reject(spec.signal.reason);
    const lb = options?.loadBalancing ?? this.#loadBalancing;
    const plan = lb.plan(this.cluster, spec.routing)[Symbol.iterator]();
    const obs = this.#observer;
    const run = new Run(plan, spec, obs, lb);
    const speculative = spec.speculativeExecution;
    const single = !speculative || !spec.idempotent || speculative.maxExecutions <= 1;
    if (obs === null) return single ? run.execute(0) : run.speculate(speculative);
    const state = run.state = obs.start(this.#describe(kind, options));
    this.#meta = null;
    const t0 = performance.now();
    return (single ? run.execute(0) : run.speculate(speculative)).then((v) => {
      obs.end(state, performance.now() - t0, undefined, run.wonBySpeculative);
      return v;
    }, (e) => {
      obs.end(state, performance.now() - t0, e, false);
      throw e;
    });
  }

  #describe(kind: RequestKind | null, options: ResolvedOptions | null): RequestDescription {
    const meta = this.#meta;
    const column = kind === null ? undefined : meta?.info.bindColumns[0] ?? meta?.resultColumns[0];
    return {
      kind: kind ?? "query",
      statement: kind === null ? "" : this.#cql,
      keyspace: column?.keyspace || (kind === null ? null : this.#keyspace),
      table: column?.table || null,
      options,
    };
  }
}

/** The state of one request across its attempts (and speculative executions). */
class Run<T> {
  #spec: RequestSpec<T>;
  #plan: Iterator<Host>;
  #errors: string[] = [];
  #lastError: unknown;
  #reprepared = false;
  readonly #observer: RequestObserver | null;
  readonly #lb: LoadBalancingPolicy;
  /** Attempts so far, across executions. */
  #attempts = 0;
  /** The observer's state for this request. */
  state: unknown;
  /** Whether a speculative execution gave the answer. */
  wonBySpeculative = false;
  done = false;

  constructor(
    plan: Iterator<Host>,
    spec: RequestSpec<T>,
    observer: RequestObserver | null,
    lb: LoadBalancingPolicy,
  ) {
    this.#spec = spec;
    this.#plan = plan;
    this.#observer = observer;
    this.#lb = lb;
  }

  /**
   * One execution (`fiber` 0 is the first, others speculative): walks the
   * shared plan until an attempt succeeds or hosts run out.
   */
  async execute(fiber: number): Promise<T> {
    const measured = this.#observer !== null || this.#lb.recordLatency !== undefined;
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
          if (!measured) return await conn.send(spec.encode, spec.decode, spec);
          return await this.#measured(host, conn, fiber > 0);
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
          this.#observer?.retry(this.state, decision);
          this.#errors.push(`${host.pool.address}: ${e.message}`);
          if (decision === "retry_same") continue;
          break;
        }
      }
    }
    throw this.#exhausted();
  }

  /** One attempt on `conn`, timed for the observer and the load-balancing policy. */
  async #measured(host: Host, conn: Connection, speculative: boolean): Promise<T> {
    const obs = this.#observer;
    const n = ++this.#attempts;
    const a = obs?.attempt(this.state, host, host.pool.connectionShard(conn), n, speculative);
    const t0 = performance.now();
    try {
      const v = await conn.send(this.#spec.encode, this.#spec.decode, this.#spec);
      const ms = performance.now() - t0;
      this.#lb.recordLatency?.(host, ms);
      obs?.attemptEnd(this.state, a, host, ms, undefined, false);
      return v;
    } catch (e) {
      // Refused before sending while the connection stays open: its queue was full.
      const rejected = e instanceof ConnectionError && e.notSent && !conn.closed;
      obs?.attemptEnd(this.state, a, host, performance.now() - t0, e, rejected);
      throw e;
    }
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
        const fiber = started++;
        running++;
        if (fiber > 0) this.#observer?.speculativeStart(this.state);
        this.execute(fiber).then(
          (v) => {
            if (!this.done) {
              finish();
              this.wonBySpeculative = fiber > 0;
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
