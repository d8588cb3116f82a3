/**
 * The one interface through which the executor reports a request's life
 * (start, attempts, retries, speculative executions, end) to metrics, a
 * request tracker and OpenTelemetry. With none configured the executor holds
 * `null` and does a null check only.
 * @module
 */

import type { Host } from "../cluster/cluster.ts";
import type { RetryDecision } from "../policies/retry.ts";
import type { ResolvedOptions } from "../request/resolve.ts";

/** What kind of request runs. */
export type RequestKind = "query" | "execute" | "batch" | "prepare";

/** What the executor knows of a request before it starts. */
export interface RequestDescription {
  /** QUERY (text), EXECUTE (prepared), BATCH or PREPARE. */
  readonly kind: RequestKind;
  /** The CQL text (of a batch: its statements joined by `; `). */
  readonly statement: string;
  /** Keyspace of the table, else the session's keyspace, or `null`. */
  readonly keyspace: string | null;
  /** Table, when known (from prepared metadata), else `null`. */
  readonly table: string | null;
  /** The request's resolved options, `null` for internal requests. */
  readonly options: ResolvedOptions | null;
}

/**
 * Hooks on one request's life. `start` returns the observer's own state for
 * the request, handed back to every later hook; `attempt` likewise for one
 * attempt. Hooks must not throw.
 */
export interface RequestObserver {
  /**
   * Whether the observer wants every request described and timed, and each
   * attempt reported (`false`: counters and a latency sample are enough).
   */
  readonly detailed: boolean;
  /** A request starts; `d` is `null` unless `detailed`. */
  start(d: RequestDescription | null): unknown;
  /** An attempt is sent to `host` (1-based `attempt` across the request's executions); only when `detailed`. */
  attempt(
    state: unknown,
    host: Host,
    shard: number | null,
    attempt: number,
    speculative: boolean,
  ): unknown;
  /**
   * An attempt ended: `error` is `undefined` on success; `rejected` when the
   * connection refused it for back-pressure (too many requests queued);
   * `latencyMs` is -1 when the request is not timed.
   */
  attemptEnd(
    state: unknown,
    attemptState: unknown,
    host: Host,
    latencyMs: number,
    error: unknown,
    rejected: boolean,
  ): void;
  /** The retry policy decided to retry (same or next host). */
  retry(state: unknown, decision: RetryDecision): void;
  /** A speculative execution started. */
  speculativeStart(state: unknown): void;
  /**
   * The request ended: `error` is `undefined` on success; `speculativeWon` if a
   * speculative execution answered; `latencyMs` is -1 when not timed.
   */
  end(state: unknown, latencyMs: number, error: unknown, speculativeWon: boolean): void;
}

/** One observer reporting to several: the state is one entry per observer. */
class CombinedObserver implements RequestObserver {
  readonly #all: readonly RequestObserver[];
  readonly detailed: boolean;

  constructor(all: readonly RequestObserver[]) {
    this.#all = all;
    this.detailed = all.some((o) => o.detailed);
  }

  start(d: RequestDescription | null): unknown {
    return this.#all.map((o) => o.start(d));
  }

  attempt(s: unknown, host: Host, shard: number | null, n: number, spec: boolean): unknown {
    const st = s as unknown[];
    return this.#all.map((o, i) => o.detailed ? o.attempt(st[i], host, shard, n, spec) : null);
  }

  attemptEnd(s: unknown, a: unknown, host: Host, ms: number, e: unknown, rej: boolean): void {
    const st = s as unknown[], at = a as unknown[];
    this.#all.forEach((o, i) => o.attemptEnd(st[i], at[i], host, ms, e, rej));
  }

  retry(s: unknown, decision: RetryDecision): void {
    this.#all.forEach((o, i) => o.retry((s as unknown[])[i], decision));
  }

  speculativeStart(s: unknown): void {
    this.#all.forEach((o, i) => o.speculativeStart((s as unknown[])[i]));
  }

  end(s: unknown, ms: number, e: unknown, won: boolean): void {
    this.#all.forEach((o, i) => o.end((s as unknown[])[i], ms, e, won));
  }
}

/** One observer for all of `observers`, or `null` when there is none. */
export function combineObservers(observers: readonly RequestObserver[]): RequestObserver | null {
  if (observers.length === 0) return null;
  return observers.length === 1 ? observers[0] : new CombinedObserver(observers);
}
