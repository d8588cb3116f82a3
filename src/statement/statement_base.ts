/**
 * The setters and getters every statement kind shares, written once over the
 * options record. A subclass decides only what a setter returns: `Query` and
 * `Batch` change themselves, `PreparedStatement` returns a new statement.
 * @module
 */

import {
  type ConsistencyName,
  consistencyName,
  type SerialConsistencyName,
} from "../consistency.ts";
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_STATEMENT_OPTIONS,
  type StatementOptions,
  withOption,
} from "./options.ts";

/**
 * Options shared by `Query`, `PreparedStatement` and `Batch`: consistency,
 * serial consistency, write timestamp, timeout, tracing, idempotence and the
 * execution profile.
 */
export abstract class StatementBase {
  #options: StatementOptions;

  /**
   * Starts a statement from an options record (a frozen copy is kept).
   * @param options the record to start from; the defaults when omitted
   */
  constructor(options: StatementOptions = DEFAULT_STATEMENT_OPTIONS) {
    // A record from outside may still be changed by its owner: keep a frozen copy.
    this.#options = Object.isFrozen(options) ? options : Object.freeze({ ...options });
  }

  /**
   * @internal The frozen options record the session sends with this statement;
   * read it per request, a setter on a `Query` or `Batch` replaces it.
   */
  get options(): StatementOptions {
    return this.#options;
  }

  /**
   * What a setter returns: this statement holding `next`, or a new statement.
   * @param next the frozen record with the setter's change
   */
  protected abstract withOptions(next: StatementOptions): this;

  /** Makes this statement hold `next` and returns it (for the mutable kinds). */
  protected replaceOptions(next: StatementOptions): this {
    this.#options = next;
    return this;
  }

  /** Applies one checked option change. */
  protected set<K extends keyof StatementOptions>(key: K, raw: unknown): this {
    return this.withOptions(withOption(this.#options, key, raw));
  }

  /**
   * Sets the consistency level (default: the profile's or session's, `LOCAL_QUORUM` unless
   * configured).
   * @throws {RangeError} not one of `ANY ONE TWO THREE QUORUM ALL LOCAL_QUORUM EACH_QUORUM LOCAL_ONE`
   */
  withConsistency(consistency: ConsistencyName): this {
    return this.set("consistency", consistency);
  }

  /**
   * Sets the serial consistency of a lightweight transaction (`IF ...`).
   * @throws {RangeError} not `SERIAL` or `LOCAL_SERIAL`
   */
  withSerialConsistency(consistency: SerialConsistencyName): this {
    return this.set("serialConsistency", consistency);
  }

  /**
   * Sets the write timestamp, in microseconds since the epoch.
   * @throws {TypeError} neither a `bigint` nor a `number`
   * @throws {RangeError} a `number` that is not a safe integer, or a `bigint` beyond 64 bits
   */
  withTimestamp(micros: bigint | number): this {
    return this.set("timestamp", micros);
  }

  /**
   * Sets the client-side timeout, overriding the profile's and session's request timeout.
   * @throws {TypeError} not a number
   * @throws {RangeError} not finite, ≤ 0 or above 2^31-1 ms
   */
  withTimeout(ms: number): this {
    return this.set("requestTimeout", ms);
  }

  /**
   * Asks the server to trace the request; the result's `tracingId()` names the trace.
   * @throws {TypeError} `on` is not a boolean
   */
  withTracing(on: boolean): this {
    return this.set("tracing", on);
  }

  /**
   * Runs the statement under the named execution profile (see
   * `SessionBuilder.executionProfile`): its settings fill what the statement
   * does not set. An unknown name fails when the statement runs.
   * @throws {TypeError} not a non-empty string
   */
  withExecutionProfile(name: string): this {
    return this.set("profile", name);
  }

  /** Whether the statement was marked safe to retry or re-send; `false` until set. */
  isIdempotent(): boolean {
    return this.#options.idempotent;
  }

  /**
   * Marks the statement as safe (or not) to retry and to execute speculatively.
   * @throws {TypeError} `on` is not a boolean
   */
  setIdempotent(on: boolean): this {
    return this.set("idempotent", on);
  }

  /** The consistency set with `withConsistency`, or `null` for the profile's or session's. */
  getConsistency(): ConsistencyName | null {
    const c = this.#options.consistency;
    return c === undefined ? null : consistencyName(c) as ConsistencyName;
  }

  /** The serial consistency set with `withSerialConsistency`, or `null`. */
  getSerialConsistency(): SerialConsistencyName | null {
    const c = this.#options.serialConsistency;
    return c === undefined ? null : consistencyName(c) as SerialConsistencyName;
  }

  /** The write timestamp in microseconds, or `null` to let the server choose. */
  getTimestamp(): bigint | null {
    return this.#options.timestamp ?? null;
  }

  /** The timeout in ms set with `withTimeout`, or `null` for the profile's or session's. */
  getTimeout(): number | null {
    return this.#options.requestTimeout ?? null;
  }

  /** Whether tracing is requested. */
  getTracing(): boolean {
    return this.#options.tracing;
  }

  /** The execution profile set with `withExecutionProfile`, or `null` for `"default"`. */
  getExecutionProfile(): string | null {
    return this.#options.profile ?? null;
  }
}

/** Options of statements that return rows: page size and paging state, beyond the shared ones. */
export abstract class PagedStatementBase extends StatementBase {
  /**
   * Sets how many rows each page (round trip) fetches; default 5000.
   * @throws {TypeError} not a number
   * @throws {RangeError} not an integer in 1..2^31-1
   */
  withPageSize(n: number): this {
    return this.set("pageSize", n);
  }

  /**
   * Pages by hand: each execution then fetches one page and returns its
   * `pagingState`. Pass a previous result's state to resume there, or `null`
   * to start at the first page. The state is copied.
   * @throws {TypeError} neither a `Uint8Array` nor `null`
   */
  withPagingState(state: Uint8Array | null): this {
    const next = withOption(this.options, "pagingState", state);
    return this.withOptions(withOption(next, "manualPaging", true));
  }

  /** Rows fetched per page: the one set with `withPageSize`, else 5000. */
  getPageSize(): number {
    return this.options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** A copy of the paging state to resume from, or `null`. */
  getPagingState(): Uint8Array | null {
    return this.options.pagingState?.slice() ?? null;
  }
}
