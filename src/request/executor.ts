/**
 * The life of one request, top-down: the load-balancing plan names the hosts,
 * the host's pool picks a connection (on ScyllaDB, the shard owning the
 * token), the connection sends; a failure goes to the retry policy, and for
 * idempotent statements the speculative-execution policy may start further
 * executions on the next hosts while the first is slow. Attempts are driven
 * by the connection's callbacks, not by awaiting a promise per attempt: the
 * connection settles the request's own promise, one promise and microtask turn
 * fewer per request.
 *
 * This module plans a request and starts it; the attempts, their failures and
 * the retry decisions are `run.ts`, further executions `speculation.ts`.
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import type { LoadBalancingPolicy } from "../policies/load_balancing.ts";
import type { PreparedMeta } from "../statement/prepared_meta.ts";
import type {
  RequestDescription,
  RequestKind,
  RequestObserver,
} from "../observability/observer.ts";
import type { ResolvedOptions } from "./resolve.ts";
import { refused } from "./refused.ts";
import type { Finisher, RequestSpec } from "./request_spec.ts";
import { Run } from "./run.ts";
import { speculate } from "./speculation.ts";

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
  /** Requests timed so far, and a counter for sampling once there are enough. */
  #timed = 0;
  #untimed = 0;

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

  /** Whether an observer reads each request's description (a tracker, OpenTelemetry). */
  get describesRequests(): boolean {
    return this.#observer?.detailed === true;
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
   * answer wins and later ones are dropped. The winning answer is passed
   * through `finish`, with the host that gave it, inside the request's promise: the caller
   * needs none of its own.
   * @throws {ScyllaError} the last failure when no attempt succeeded
   */
  execute<T, R = T>(spec: RequestSpec<T>, finish?: Finisher<T, R>): Promise<R> {
    const options = this.#options;
    const kind = this.#kind;
    this.#kind = null;
    this.#options = null;
    if (spec.signal?.aborted) return refused(spec.signal.reason);
    const lb = options?.loadBalancing ?? this.#loadBalancing;
    const plan = lb.plan(this.cluster, spec.routing);
    const obs = this.#observer;
    const run = new Run<T, R>(plan, spec, obs, lb, finish);
    const speculative = spec.speculativeExecution;
    const single = !speculative || !spec.idempotent || speculative.maxExecutions <= 1;
    run.single = single;
    if (obs === null && lb.recordLatency === undefined) {
      return single ? run.execute(0) as Promise<R> : speculate(run, speculative, obs);
    }
    // A clock read costs 0.1-0.4 µs on some hosts, as much as a whole request's CPU against a
    // fast server: metrics alone time every request until TIMED_ALL have been, then a sample.
    run.timed = lb.recordLatency !== undefined || obs!.detailed || this.#timed < TIMED_ALL ||
      (++this.#untimed & SAMPLE_MASK) === 0;
    if (run.timed) {
      this.#timed++;
      run.t0 = performance.now();
    }
    if (obs?.detailed) run.state = obs.start(this.#describe(kind, options));
    this.#meta = null;
    return single ? run.execute(0) as Promise<R> : speculate(run, speculative, obs);
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

/** Metrics alone time every request until this many were timed, then one in SAMPLE_MASK + 1. */
const TIMED_ALL = 1000;
const SAMPLE_MASK = 31;
