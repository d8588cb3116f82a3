/**
 * The request tracker: user callbacks on each request's start, attempts,
 * success and error. A throwing callback is logged and never fails the request.
 * @module
 */

import type { Host } from "../cluster/cluster.ts";
import type { RequestDescription, RequestKind, RequestObserver } from "./observer.ts";

export type { RequestKind };

/** A request as the tracker sees it. */
export interface RequestInfo {
  /** Unique per session, increasing. */
  id: number;
  /** QUERY (text), EXECUTE (prepared), BATCH or PREPARE. */
  kind: RequestKind;
  /** Keyspace of the table, else the session's keyspace, or `null`. */
  keyspace: string | null;
  /** Table, when known (prepared statements), else `null`. */
  table: string | null;
  /** The CQL text. */
  statement: string;
}

/** One attempt of a request. */
export interface AttemptInfo {
  /** `host:port` of the coordinator. */
  node: string;
  /** ScyllaDB shard of the connection, `null` on Cassandra. */
  shard: number | null;
  /** 1-based, across the request's executions. */
  attempt: number;
  /** Whether the attempt belongs to a speculative execution. */
  speculative: boolean;
}

/**
 * Callbacks on each request's life; every one is optional. Set with
 * `SessionBuilder.requestTracker`. They run on the request's path, so keep
 * them cheap; a callback that throws is logged and never fails the request.
 * @example
 * ```ts
 * import type { AttemptInfo, RequestInfo, RequestTracker } from "@rsylla/rsylla";
 * // Counts attempts per coordinator shard.
 * class ShardCounter implements RequestTracker {
 *   readonly perShard = new Map<string, number>();
 *   onAttempt(_r: RequestInfo, a: AttemptInfo): void {
 *     const key = `${a.node}#${a.shard ?? "-"}`;
 *     this.perShard.set(key, (this.perShard.get(key) ?? 0) + 1);
 *   }
 * }
 * ```
 */
export interface RequestTracker {
  /** The request starts. */
  onStart?(r: RequestInfo): void;
  /** An attempt is sent. */
  onAttempt?(r: RequestInfo, a: AttemptInfo): void;
  /** The request succeeded after `latencyMs` (from start to answer, retries included). */
  onSuccess?(r: RequestInfo, latencyMs: number): void;
  /** The request failed with `e` after `latencyMs`. */
  onError?(r: RequestInfo, e: Error, latencyMs: number): void;
}

/** Reports to a {@link RequestTracker}, shielding requests from its failures. */
export class TrackerObserver implements RequestObserver {
  /** Every request is described and timed. */
  readonly detailed = true;
  readonly #t: RequestTracker;
  readonly #warn: (message: string, error: unknown) => void;
  #nextId = 1;

  /**
   * @param tracker the user's callbacks
   * @param warn where a throwing callback is reported
   */
  constructor(tracker: RequestTracker, warn: (message: string, error: unknown) => void) {
    this.#t = tracker;
    this.#warn = warn;
  }

  start(d: RequestDescription | null): RequestInfo {
    if (d === null) throw new TypeError("a detailed observer needs a description");
    const r: RequestInfo = {
      id: this.#nextId++,
      kind: d.kind,
      keyspace: d.keyspace,
      table: d.table,
      statement: d.statement,
    };
    if (this.#t.onStart) this.#call("onStart", () => this.#t.onStart!(r));
    return r;
  }

  attempt(r: unknown, host: Host, shard: number | null, attempt: number, speculative: boolean) {
    if (this.#t.onAttempt) {
      const a: AttemptInfo = { node: host.pool.address, shard, attempt, speculative };
      this.#call("onAttempt", () => this.#t.onAttempt!(r as RequestInfo, a));
    }
    return null;
  }

  attemptEnd(): void {}
  retry(): void {}
  speculativeStart(): void {}

  end(r: unknown, ms: number, error: unknown): void {
    if (error === undefined) {
      if (this.#t.onSuccess) {
        this.#call("onSuccess", () => this.#t.onSuccess!(r as RequestInfo, ms));
      }
    } else if (this.#t.onError) {
      const e = error instanceof Error ? error : new Error(String(error));
      this.#call("onError", () => this.#t.onError!(r as RequestInfo, e, ms));
    }
  }

  #call(what: string, f: () => void): void {
    try {
      f();
    } catch (e) {
      this.#warn(`request tracker ${what} threw: ${(e as Error)?.message ?? e}`, e);
    }
  }
}
