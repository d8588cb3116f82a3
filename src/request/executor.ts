/**
 * The life of one request, top-down: the load-balancing plan names the hosts,
 * the host's pool picks a connection (on ScyllaDB, the shard owning the
 * token), the connection sends; a failure goes to the retry policy, and for
 * idempotent statements the speculative-execution policy may start further
 * executions on the next hosts while the first is slow. Attempts are driven
 * by the connection's callbacks, not by awaiting a promise per attempt: the
 * connection settles the request's own promise, one promise and microtask turn
 * fewer per request.
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
   * through `finish` inside the request's promise: the caller needs none of its own.
   * @throws {ScyllaError} the last failure when no attempt succeeded
   */
  execute<T, R = T>(spec: RequestSpec<T>, finish?: (answer: T) => R | Promise<R>): Promise<R> {
    const options = this.#options;
    const kind = this.#kind;
    this.#kind = null;
    this.#options = null;
    if (spec.signal?.aborted) return Promise.reject(spec.signal.reason);
    const lb = options?.loadBalancing ?? this.#loadBalancing;
    const plan = lb.plan(this.cluster, spec.routing);
    const obs = this.#observer;
    const run = new Run<T, R>(plan, spec, obs, lb, finish);
    const speculative = spec.speculativeExecution;
    const single = !speculative || !spec.idempotent || speculative.maxExecutions <= 1;
    run.single = single;
    if (obs === null && lb.recordLatency === undefined) {
      return single ? run.execute(0) as Promise<R> : run.speculate(speculative);
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
    return single ? run.execute(0) as Promise<R> : run.speculate(speculative);
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

/** Marks an attempt that was not sent. */
const NOT_SENT = Symbol("not sent");

/** One execution's progress: its current attempt and how it settles. */
interface Execution<T, R> {
  readonly fiber: number;
  readonly resolve: (v: T | R | Promise<R>) => void;
  readonly reject: (e: unknown) => void;
  host: Host | null;
  conn: Connection | null;
  attempt: unknown;
  at0: number;
  /** Settled: later callbacks (none are expected) change nothing. */
  over: boolean;
  /** The connection's callbacks for this execution's attempts. */
  ok: (answer: T) => void;
  failed: (error: unknown) => void;
}

/** The state of one request across its attempts (and speculative executions). */
class Run<T, R> {
  #spec: RequestSpec<T>;
  /** Turns the winning answer into the request's result; `undefined`: the answer is the result. */
  readonly #finish: ((answer: T) => R | Promise<R>) | undefined;
  /** The plan when it is an array (the built-in policies'): walked by index, no iterator. */
  #hosts: readonly Host[] | null;
  #at = 0;
  /** Any other plan's iterator. */
  #iterator: Iterator<Host> | null;
  /** One message per failed host, made on the first failure. */
  #errors: string[] | null = null;
  #lastError: unknown;
  #reprepared = false;
  /** Retries decided so far for this request, across hosts and speculative executions. */
  #retries = 0;
  readonly #observer: RequestObserver | null;
  readonly #lb: LoadBalancingPolicy;
  /** Whether attempts are reported (observer) or timed (latency-aware policy). */
  readonly #measured: boolean;
  /** Attempts so far, across executions. */
  #attempts = 0;
  /** The observer's state for this request. */
  state: unknown;
  /** Whether latencies are measured (every request for tracers, a sample for metrics). */
  timed = false;
  /** When the request started, if timed. */
  t0 = 0;
  /** One execution only: the request ends with it (else `speculate` ends it). */
  single = true;
  done = false;

  constructor(
    plan: Iterable<Host>,
    spec: RequestSpec<T>,
    observer: RequestObserver | null,
    lb: LoadBalancingPolicy,
    finish: ((answer: T) => R | Promise<R>) | undefined,
  ) {
    this.#spec = spec;
    this.#finish = finish;
    this.#hosts = Array.isArray(plan) ? plan : null;
    this.#iterator = this.#hosts === null ? plan[Symbol.iterator]() : null;
    this.#observer = observer;
    this.#lb = lb;
    this.#measured = observer !== null || lb.recordLatency !== undefined;
  }

  /**
   * One execution (`fiber` 0 is the first, others speculative): walks the
   * shared plan until an attempt succeeds or hosts run out. A single execution
   * resolves with the finished result; speculative ones with the answer, which
   * `speculate` finishes for the winner only.
   */
  execute(fiber: number): Promise<T | R> {
    return new Promise<T | R>((resolve, reject) => {
      const x: Execution<T, R> = {
        fiber,
        resolve,
        reject,
        host: null,
        conn: null,
        attempt: NOT_SENT,
        at0: 0,
        over: false,
        ok: (answer) => this.#ok(x, answer),
        failed: (error) => this.#failed(x, error),
      };
      this.#nextHost(x);
    });
  }

  /** Tries the plan's next hosts until one takes the attempt; ends the execution when none is left. */
  #nextHost(x: Execution<T, R>): void {
    for (;;) {
      const host = this.#next();
      if (host === undefined || this.done) return this.#end(x, this.#exhausted());
      if (this.#attempt(x, host)) return;
    }
  }

  /** Sends one attempt to `host`; `false` when the host has no open connection. */
  #attempt(x: Execution<T, R>, host: Host): boolean {
    const spec = this.#spec;
    const conn = pickConnection(host, spec.routing);
    if (conn === null) {
      (this.#errors ??= []).push(noConnection(host.pool).message);
      return false;
    }
    x.host = host;
    x.conn = conn;
    x.attempt = NOT_SENT;
    x.at0 = 0;
    try {
      if (spec.signal?.aborted) throw spec.signal.reason;
      host.sent++;
      if (this.#measured) {
        const obs = this.#observer;
        x.attempt = obs?.detailed
          ? obs.attempt(
            this.state,
            host,
            host.pool.connectionShard(conn),
            ++this.#attempts,
            x.fiber > 0,
          )
          : null;
        // The first attempt starts with the request: one clock read fewer.
        x.at0 = !this.timed
          ? 0
          : this.#attempts <= 1 && x.fiber === 0
          ? this.t0
          : performance.now();
      }
      conn.sendWith(spec.encode, spec.decode, spec, x.ok, x.failed);
    } catch (e) {
      this.#failed(x, e);
    }
    return true;
  }

  /** An answer: reported, then the execution resolves (finished when it is the only one). */
  #ok(x: Execution<T, R>, answer: T): void {
    if (x.over) return;
    if (this.#measured) {
      try {
        this.#succeeded(x.host!, x.attempt, x.at0);
      } catch (e) {
        return this.#failed(x, e);
      }
    }
    x.over = true;
    x.resolve(this.single ? this.#finished(answer) : answer);
  }

  /** A failed attempt: reported, then re-prepared, retried, sent elsewhere or final. */
  #failed(x: Execution<T, R>, e: unknown): void {
    if (x.over) return;
    const spec = this.#spec;
    const host = x.host!;
    const conn = x.conn!;
    try {
      if (x.attempt !== NOT_SENT) {
        // Refused before sending while the connection stays open: its queue was full.
        const rejected = e instanceof ConnectionError && e.notSent && !conn.closed;
        const ms = this.timed ? performance.now() - x.at0 : -1;
        this.#observer?.attemptEnd(this.state, x.attempt, host, ms, e, rejected);
      }
      this.#lastError = e;
      if (e instanceof UnpreparedError && spec.reprepare && !this.#reprepared) {
        this.#reprepared = true;
        spec.reprepare(conn).then(
          () => this.#attempt(x, host) || this.#nextHost(x),
          (err) => this.#end(x, err),
        );
        return;
      }
      if (!(e instanceof ScyllaError) || spec.signal?.aborted || this.done) return this.#end(x, e);
      // Retries of the whole request so far, on any host: "next node, once" means once.
      const decision: RetryDecision = spec.retryPolicy.decide(e, {
        idempotent: spec.idempotent,
        retryCount: this.#retries,
      });
      if (decision === "rethrow") return this.#end(x, e);
      this.#retries++;
      this.#observer?.retry(this.state, decision);
      (this.#errors ??= []).push(`${host.pool.address}: ${e.message}`);
      if (decision === "retry_same" && this.#attempt(x, host)) return;
      this.#nextHost(x);
    } catch (err) {
      this.#end(x, err);
    }
  }

  /** Ends the execution with `e` (and, for a single execution, the request). */
  #end(x: Execution<T, R>, e: unknown): void {
    if (x.over) return;
    x.over = true;
    const obs = this.#observer;
    if (this.single && obs !== null) {
      try {
        obs.end(this.state, this.#elapsed(), e, false);
      } catch (err) {
        e = err;
      }
    }
    x.reject(e);
  }

  /**
   * The request's result from the winning answer. Never throws: a failure of
   * `finish` is a rejected promise, not a failed attempt.
   */
  #finished(answer: T): R | Promise<R> {
    const finish = this.#finish;
    if (finish === undefined) return answer as unknown as R;
    try {
      return finish(answer);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The plan's next host, shared by every execution of the request. */
  #next(): Host | undefined {
    const hosts = this.#hosts;
    if (hosts !== null) return this.#at < hosts.length ? hosts[this.#at++] : undefined;
    const r = this.#iterator!.next();
    return r.done ? undefined : r.value;
  }

  /** Ms since the request started, or -1 when it is not timed. */
  #elapsed(): number {
    return this.timed ? performance.now() - this.t0 : -1;
  }

  /** Reports a successful attempt (and, for a single execution, the request's end). */
  #succeeded(host: Host, attempt: unknown, at0: number): void {
    const now = this.timed ? performance.now() : 0;
    const ms = this.timed ? now - at0 : -1;
    if (ms >= 0) this.#lb.recordLatency?.(host, ms);
    const obs = this.#observer;
    if (obs === null) return;
    // Attempts per node are counted by `host.sent`: an untimed success tells metrics nothing more.
    if (ms >= 0 || obs.detailed) obs.attemptEnd(this.state, attempt, host, ms, undefined, false);
    if (this.single) obs.end(this.state, this.timed ? now - this.t0 : -1, undefined, false);
  }

  /** Starts executions `delayMs` apart until one answers. */
  speculate(policy: SpeculativeExecutionPolicy): Promise<R> {
    return new Promise<R>((resolve, reject) => {
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
              this.#observer?.end(this.state, this.#elapsed(), undefined, fiber > 0);
              resolve(this.#finished(v as T));
            }
          },
          (e) => {
            running--;
            if (this.done) return;
            // A definite answer (e.g. a syntax error) ends the request; running out of hosts
            // ends it only when no other execution is still waiting for an answer.
            if (running === 0 || !(e instanceof ConnectionError)) {
              finish();
              this.#observer?.end(this.state, this.#elapsed(), e, false);
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
    const errors = this.#errors ?? [];
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

/**
 * The connection of `host` for a request: the shard a tablet names for this
 * replica, else the shard owning the token (ScyllaDB), else the least busy one.
 */
function pickConnection(host: Host, routing: RoutingInfo | undefined): Connection | null {
  const tablet = routing?.tablet;
  if (tablet !== undefined) {
    for (const r of tablet.replicas) {
      if (r.hostId === host.info.hostId) return host.pool.pickShard(r.shard);
    }
  }
  return host.pool.pick(routing?.tokenHiLo ?? routing?.token);
}
