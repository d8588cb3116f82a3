/**
 * One request's run: each attempt takes the plan's next host, picks its
 * connection (on ScyllaDB the shard owning the token), and sends; an answer
 * resolves the execution, a failure is reported and goes to re-prepare, the
 * retry policy (same host, next host, or rethrow) or the next host. Attempts
 * are driven by the connection's callbacks, not by awaiting a promise per
 * attempt. How a run starts is `executor.ts`; further executions while the
 * first is slow are `speculation.ts`.
 * @module
 */

import type { Host } from "../cluster/cluster.ts";
import type { Connection } from "../pool/connection.ts";
import type { HostPool } from "../pool/host_pool.ts";
import { ConnectionError, ScyllaError, UnpreparedError } from "../errors.ts";
import type { RetryDecision } from "../policies/retry.ts";
import { type LoadBalancingPolicy, ReplicasFirst } from "../policies/load_balancing.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";
import type { RequestObserver } from "../observability/observer.ts";
import type { Finisher, RequestSpec } from "./request_spec.ts";
import type { Pending } from "../pool/pending.ts";
import type { Writer } from "../wire/bytes.ts";
import type { ResponseBody } from "../wire/responses/envelope.ts";
import { afterIo, type Schedule } from "../runtime/mod.ts";

/** Marks an attempt that was not sent. */
const NOT_SENT = Symbol("not sent");

/** After the event loop's timers and I/O have had a turn (a macrotask, not a microtask). */
const afterATurn: Schedule = afterIo ?? ((f) => setTimeout(f, 0));

/** Rejections of requests no host could take, settled together after a turn. */
let refusedByAll: [(e: unknown) => void, unknown][] = [];

function settleRefused(): void {
  const due = refusedByAll;
  refusedByAll = [];
  for (let i = 0; i < due.length; i++) due[i][0](due[i][1]);
}

/** Before `execute` gives an execution its promise's functions. */
const unset = (_: unknown): void => {};

/** The resolving functions of the promise just made (see `capture`). */
const made = { settle: unset, fail: unset };

/** One promise executor for every request: a closure per request would cost an allocation. */
function capture(settle: (v: unknown) => void, fail: (e: unknown) => void): void {
  made.settle = settle;
  made.fail = fail;
}

/** A run's failures so far: rare, so kept apart from the run made per request. */
interface Trouble {
  /** One message per failed host. */
  errors: string[];
  lastError: unknown;
  reprepared: boolean;
  /** Retries decided so far for this request, across hosts and speculative executions. */
  retries: number;
}

/** One execution's progress: how it settles. */
interface Execution<T, R> {
  readonly fiber: number;
  /** Resolves the execution's promise. */
  settle: (v: T | R | Promise<R>) => void;
  /** Rejects the execution's promise. */
  fail: (e: unknown) => void;
  /** Settled: later callbacks (none are expected) change nothing. */
  over: boolean;
  /** Still inside `execute`'s own call: a failure now is deferred (see `#end`). */
  sync: boolean;
}

/** A speculative execution (the first execution is the run itself). */
class FurtherExecution<T, R> implements Execution<T, R> {
  settle: (v: T | R | Promise<R>) => void = unset;
  fail: (e: unknown) => void = unset;
  over = false;
  sync = true;
  constructor(readonly fiber: number) {}
}

/** What the run reads of an attempt: the connection's pending request, and where it went. */
interface AttemptOf<T, R> extends Pending {
  readonly x: Execution<T, R>;
  readonly host: Host;
  readonly conn: Connection;
  /** The observer's handle of this attempt; `NOT_SENT` until it is sent. */
  handle: unknown;
  /** When the attempt started, if timed. */
  at0: number;
}

/**
 * An attempt after the first of an execution (retry, next host), or the first of a speculative
 * one, on one connection, and the connection's pending request itself: it encodes and decodes
 * through the request's spec and reports back to the run. Each is a new object, so an abandoned
 * attempt's late answer can never settle another.
 */
class Attempt<T, R> implements AttemptOf<T, R> {
  deadline = 0;
  abandoned = false;
  onAbort?: () => void = undefined;
  signal?: AbortSignal = undefined;
  readonly timeoutMs: number;
  /** The observer's handle of this attempt; `NOT_SENT` until it is sent. */
  handle: unknown = NOT_SENT;
  /** When the attempt started, if timed. */
  at0 = 0;

  constructor(
    readonly run: Run<T, R>,
    readonly x: Execution<T, R>,
    readonly spec: RequestSpec<T>,
    readonly host: Host,
    readonly conn: Connection,
  ) {
    this.timeoutMs = spec.timeoutMs;
  }

  encode(w: Writer, version: number, metadataId: boolean): void {
    this.spec.encode(w, version, metadataId);
  }

  decode(opcode: number, body: ResponseBody): T {
    return this.spec.decode(opcode, body);
  }

  resolve(answer: unknown): void {
    this.run.answered(this, answer as T);
  }

  reject(error: unknown): void {
    this.run.attemptFailed(this, error);
  }
}

/**
 * The state of one request across its attempts (and speculative executions):
 * the shared plan, the failures so far and the retry count. An execution walks
 * the plan one attempt at a time, driven by the connection's callbacks.
 *
 * The run is also its own first execution and that execution's first attempt (the
 * connection's pending request): a request answered at the first try allocates no object
 * for either. Later attempts and speculative executions get objects of their own.
 */
export class Run<T, R> implements Execution<T, R>, AttemptOf<T, R> {
  // The run is made per request: few fields (V8 and JavaScriptCore give each 8 bytes), the ones
  // of rare paths in `#trouble`, and the abort fields only on requests with a signal.
  // The first execution (Execution).
  settle: (v: T | R | Promise<R>) => void = unset;
  fail: (e: unknown) => void = unset;
  over = false;
  sync = true;
  // Its first attempt (AttemptOf, Pending); `host` is null until it is sent.
  deadline = 0;
  abandoned = false;
  declare onAbort?: () => void;
  declare signal?: AbortSignal;
  handle: unknown = NOT_SENT;
  // Set only on timed requests (and `t0` below): V8 keeps a double field of a shape in a box of
  // its own, allocated with every object of that shape, timed or not.
  declare at0: number;
  host: Host = null as unknown as Host;
  conn: Connection = null as unknown as Connection;
  #spec: RequestSpec<T>;
  /** Turns the winning answer into the request's result; `undefined`: the answer is the result. */
  readonly #finish: Finisher<T, R> | undefined;
  /** The host of the first answer: the request's coordinator (a speculative winner's). */
  #answeredBy: Host | null = null;
  /** The plan when it is an array (the built-in policies'): walked by index, no iterator. */
  #hosts: readonly Host[] | null;
  #at = 0;
  /** A token-aware plan's fallback, asked for once its first hosts are used up. */
  #rest: ReplicasFirst | null = null;
  /** Any other plan's iterator. */
  #iterator: Iterator<Host> | null = null;
  /** What failed so far, made on the first failure. */
  #trouble: Trouble | null = null;
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
  /** When the request started, if timed (set only then). */
  declare t0: number;
  /** One execution only: the request ends with it (else `speculate` ends it). */
  single = true;
  /** Settled: no execution starts an attempt on a further host. */
  done = false;

  /**
   * @param plan the hosts in the order the load-balancing policy chose
   * @param spec the request
   * @param observer metrics, tracker and tracing hooks, or `null` for none
   * @param lb the policy that made the plan (told attempt latencies)
   * @param finish turns the winning answer into the request's result
   */
  constructor(
    plan: Iterable<Host>,
    spec: RequestSpec<T>,
    observer: RequestObserver | null,
    lb: LoadBalancingPolicy,
    finish: Finisher<T, R> | undefined,
  ) {
    this.#spec = spec;
    this.#finish = finish;
    if (plan instanceof ReplicasFirst) {
      this.#hosts = plan.first;
      this.#rest = plan;
    } else if (Array.isArray(plan)) this.#hosts = plan;
    else {
      this.#hosts = null;
      this.#iterator = plan[Symbol.iterator]();
    }
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
    const promise = new Promise<T | R>(capture as (settle: (v: T | R) => void) => void);
    const x: Execution<T, R> = fiber === 0 ? this : new FurtherExecution(fiber);
    x.settle = made.settle;
    x.fail = made.fail;
    this.#nextHost(x);
    x.sync = false;
    return promise;
  }

  /** The run as its first execution: the first. */
  get fiber(): number {
    return 0;
  }

  /** The run as its first attempt: its execution is itself. */
  get x(): Execution<T, R> {
    return this;
  }

  /** The first attempt's deadline, the request's. */
  get timeoutMs(): number {
    return this.#spec.timeoutMs;
  }

  #troubled(): Trouble {
    return this.#trouble ??= { errors: [], lastError: undefined, reprepared: false, retries: 0 };
  }

  /** Appends the request's frame (the run as its first attempt). */
  encode(w: Writer, version: number, metadataId: boolean): void {
    this.#spec.encode(w, version, metadataId);
  }

  /** Decodes the answer (the run as its first attempt). */
  decode(opcode: number, body: ResponseBody): T {
    return this.#spec.decode(opcode, body);
  }

  /** The first attempt's answer. */
  resolve(answer: unknown): void {
    this.answered(this, answer as T);
  }

  /** The first attempt's failure. */
  reject(error: unknown): void {
    this.attemptFailed(this, error);
  }

  /** Tries the plan's next hosts until one takes the attempt; ends the execution when none is left. */
  #nextHost(x: Execution<T, R>): void {
    for (;;) {
      const host = this.#next();
      if (host === undefined || this.done) return this.#end(x, this.#exhausted(), true);
      if (this.#attempt(x, host)) return;
    }
  }

  /** Sends one attempt to `host`; `false` when the host has no open connection. */
  #attempt(x: Execution<T, R>, host: Host): boolean {
    const spec = this.#spec;
    const conn = pickConnection(host, spec.routing);
    if (conn === null) {
      this.#troubled().errors.push(noConnection(host.pool).message);
      return false;
    }
    let a: AttemptOf<T, R>;
    if (x === this && this.host === null) {
      this.host = host;
      this.conn = conn;
      a = this;
    } else a = new Attempt(this, x, spec, host, conn);
    try {
      if (spec.signal?.aborted) throw spec.signal.reason;
      host.sent++;
      if (this.#measured) {
        const obs = this.#observer;
        a.handle = obs?.detailed
          ? obs.attempt(
            this.state,
            host,
            host.pool.connectionShard(conn),
            ++this.#attempts,
            x.fiber > 0,
          )
          : null;
        // The first attempt starts with the request: one clock read fewer. Untimed, the run
        // never gets the field (see `at0`).
        if (this.timed) {
          a.at0 = this.#attempts <= 1 && x.fiber === 0 ? this.t0 : performance.now();
        }
      }
      conn.sendPending(a, spec.signal);
    } catch (e) {
      this.attemptFailed(a, e);
    }
    return true;
  }

  /**
   * An attempt's answer: reported, then the execution resolves (finished when it
   * is the only one). Called by the attempt, as the connection settles it.
   */
  answered(a: AttemptOf<T, R>, answer: T): void {
    const x = a.x;
    if (x.over) return;
    if (this.#measured) {
      try {
        this.#succeeded(a.host, a.handle, a.at0);
      } catch (e) {
        return this.attemptFailed(a, e);
      }
    }
    x.over = true;
    // The first answer wins (speculate finishes the execution that resolved first).
    this.#answeredBy ??= a.host;
    x.settle(this.single ? this.finished(answer) : answer);
  }

  /**
   * A failed attempt: reported, then re-prepared, retried, sent elsewhere or
   * final. Called by the attempt, as the connection settles it.
   */
  attemptFailed(a: AttemptOf<T, R>, e: unknown): void {
    const x = a.x;
    if (x.over) return;
    const spec = this.#spec;
    const host = a.host;
    const conn = a.conn;
    try {
      if (a.handle !== NOT_SENT) {
        // Refused before sending while the connection stays open: its queue was full.
        const rejected = e instanceof ConnectionError && e.notSent && !conn.closed;
        const ms = this.timed ? performance.now() - a.at0 : -1;
        this.#observer?.attemptEnd(this.state, a.handle, host, ms, e, rejected);
      }
      const trouble = this.#troubled();
      trouble.lastError = e;
      if (e instanceof UnpreparedError && spec.reprepare && !trouble.reprepared) {
        trouble.reprepared = true;
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
        retryCount: trouble.retries,
      });
      if (decision === "rethrow") return this.#end(x, e);
      trouble.retries++;
      this.#observer?.retry(this.state, decision);
      trouble.errors.push(`${host.pool.address}: ${e.message}`);
      if (decision === "retry_same" && this.#attempt(x, host)) return;
      this.#nextHost(x);
    } catch (err) {
      this.#end(x, err);
    }
  }

  /**
   * Ends the execution with `e` (and, for a single execution, the request).
   * @param noHost no host could take the request (every pool empty or full)
   */
  #end(x: Execution<T, R>, e: unknown, noHost = false): void {
    if (x.over) return;
    x.over = true;
    const obs = this.#observer;
    if (this.single && obs !== null) {
      try {
        obs.end(this.state, this.elapsed(), e, false);
      } catch (err) {
        e = err;
      }
    }
    // A failure inside the caller's own call rejects a microtask later, as `refused` does (the
    // promise exists already here): Deno pays for promises rejected before a handler is attached.
    // When no host could take it, a turn later: a caller retrying in a loop would otherwise spin
    // in microtasks forever, and the reconnect timers (and the caller's own) would never run.
    if (x.sync && noHost) {
      if (refusedByAll.length === 0) afterATurn(settleRefused);
      refusedByAll.push([x.fail, e]);
    } else if (x.sync) queueMicrotask(() => x.fail(e));
    else x.fail(e);
  }

  /**
   * The request's result from the winning answer. Never throws: a failure of
   * `finish` is a rejected promise, not a failed attempt.
   */
  finished(answer: T): R | Promise<R> {
    const finish = this.#finish;
    if (finish === undefined) return answer as unknown as R;
    try {
      return finish.finish(answer, this.#answeredBy!);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The plan's next host, shared by every execution of the request. */
  #next(): Host | undefined {
    const hosts = this.#hosts;
    if (hosts !== null) {
      if (this.#at < hosts.length) return hosts[this.#at++];
      if (this.#rest === null) return undefined;
      this.#hosts = null;
      this.#iterator = this.#rest.rest();
      this.#rest = null;
    }
    const r = this.#iterator!.next();
    return r.done ? undefined : r.value;
  }

  /** Ms since the request started, or -1 when it is not timed. */
  elapsed(): number {
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

  /** The request's error once the plan has no host left: the last failure, or all of them. */
  #exhausted(): unknown {
    const errors = this.#trouble?.errors ?? [];
    const lastError = this.#trouble?.lastError;
    if (lastError !== undefined && errors.length <= 1) return lastError;
    return new ConnectionError(
      errors.length === 0
        ? "no host is available to run the request (every node's pool is empty)"
        : `every host failed: ${errors.join("; ")}`,
      { cause: lastError },
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
  return host.pool.pick(routing?.tokenHi, routing?.tokenLo);
}
