/**
 * `Query`: an unprepared CQL statement with its execution options.
 * @module
 */

import {
  type ConsistencyName,
  consistencyName,
  type SerialConsistencyName,
} from "../consistency.ts";
import {
  checkBoolean,
  checkConsistency,
  checkPageSize,
  checkPagingState,
  checkTimeout,
  checkTimestamp,
  defaultStatementOptions,
  describeValue,
  type StatementOptions,
} from "./options.ts";

/**
 * Checks that a CQL text is a non-empty string.
 * @throws {TypeError} not a string, or empty / only whitespace
 */
export function checkCql(cql: unknown): string {
  if (typeof cql !== "string") {
    throw new TypeError(`CQL statement must be a string, got ${describeValue(cql)}`);
  }
  if (cql.trim() === "") throw new TypeError("CQL statement must not be empty");
  return cql;
}

/**
 * A CQL statement sent as text (QUERY), with per-statement options. Setters
 * change the query and return it, so calls chain.
 * @example
 * ```ts
 * import { Query } from "./query.ts";
 * const q = new Query("SELECT * FROM ks.users WHERE id = ?")
 *   .withConsistency("QUORUM")
 *   .withPageSize(1000);
 * // await session.query(q, [42]);
 * ```
 */
export class Query {
  readonly #cql: string;
  readonly #options: StatementOptions = defaultStatementOptions();

  /**
   * Makes a query from CQL text; nothing is sent until the session runs it.
   * @param cql the statement text, with `?` or `:name` bind markers
   * @throws {TypeError} `cql` is not a non-empty string
   */
  constructor(cql: string) {
    this.#cql = checkCql(cql);
  }

  /**
   * The options record the session sends with this query (@internal: read by
   * the session; it changes when a setter is called, so read it per request).
   */
  get options(): Readonly<StatementOptions> {
    return this.#options;
  }

  /** The CQL text. */
  getContents(): string {
    return this.#cql;
  }

  /**
   * Sets the consistency level (default: the session's, `LOCAL_QUORUM` unless configured).
   * @throws {RangeError} not one of `ANY ONE TWO THREE QUORUM ALL LOCAL_QUORUM EACH_QUORUM LOCAL_ONE`
   */
  withConsistency(consistency: ConsistencyName): this {
    this.#options.consistency = checkConsistency(consistency, "consistency");
    return this;
  }

  /**
   * Sets the serial consistency of a lightweight transaction (`IF ...`).
   * @throws {RangeError} not `SERIAL` or `LOCAL_SERIAL`
   */
  withSerialConsistency(consistency: SerialConsistencyName): this {
    this.#options.serialConsistency = checkConsistency(consistency, "serial consistency");
    return this;
  }

  /**
   * Sets how many rows each page (round trip) fetches; default 5000.
   * @throws {TypeError} not a number
   * @throws {RangeError} not an integer in 1..2^31-1
   */
  withPageSize(n: number): this {
    this.#options.pageSize = checkPageSize(n);
    return this;
  }

  /**
   * Sets the write timestamp, in microseconds since the epoch.
   * @throws {TypeError} neither a `bigint` nor a `number`
   * @throws {RangeError} a `number` that is not a safe integer, or a `bigint` beyond 64 bits
   */
  withTimestamp(micros: bigint | number): this {
    this.#options.timestamp = checkTimestamp(micros);
    return this;
  }

  /**
   * Sets the client-side timeout of this query, overriding the session's request timeout.
   * @throws {TypeError} not a number
   * @throws {RangeError} not finite, ≤ 0 or above 2^31-1 ms
   */
  withTimeout(ms: number): this {
    this.#options.timeoutMs = checkTimeout(ms);
    return this;
  }

  /**
   * Asks the server to trace this query; the result's `tracingId()` names the trace.
   * @throws {TypeError} `on` is not a boolean
   */
  withTracing(on: boolean): this {
    this.#options.tracing = checkBoolean(on, "tracing");
    return this;
  }

  /**
   * Pages by hand: each execution then fetches one page and returns its
   * `pagingState`. Pass a previous result's state to resume there, or `null`
   * to start at the first page. The state is copied.
   * @throws {TypeError} neither a `Uint8Array` nor `null`
   */
  withPagingState(state: Uint8Array | null): this {
    this.#options.pagingState = checkPagingState(state);
    this.#options.manualPaging = true;
    return this;
  }

  /** Whether the query was marked safe to retry or re-send; `false` until set. */
  isIdempotent(): boolean {
    return this.#options.idempotent;
  }

  /**
   * Marks the query as safe (or not) to retry and to execute speculatively.
   * @throws {TypeError} `on` is not a boolean
   */
  setIdempotent(on: boolean): this {
    this.#options.idempotent = checkBoolean(on, "idempotent");
    return this;
  }

  /** The consistency set with `withConsistency`, or `null` for the session default. */
  getConsistency(): ConsistencyName | null {
    const c = this.#options.consistency;
    return c === undefined ? null : consistencyName(c) as ConsistencyName;
  }

  /** The serial consistency set with `withSerialConsistency`, or `null`. */
  getSerialConsistency(): SerialConsistencyName | null {
    const c = this.#options.serialConsistency;
    return c === undefined ? null : consistencyName(c) as SerialConsistencyName;
  }

  /** Rows fetched per page. */
  getPageSize(): number {
    return this.#options.pageSize;
  }

  /** The write timestamp in microseconds, or `null` to let the server choose. */
  getTimestamp(): bigint | null {
    return this.#options.timestamp ?? null;
  }

  /** The per-query timeout in ms, or `null` for the session's request timeout. */
  getTimeout(): number | null {
    return this.#options.timeoutMs ?? null;
  }

  /** Whether tracing is requested. */
  getTracing(): boolean {
    return this.#options.tracing;
  }

  /** A copy of the paging state to resume from, or `null`. */
  getPagingState(): Uint8Array | null {
    return this.#options.pagingState?.slice() ?? null;
  }

  /** `Query("SELECT ...")`. */
  toString(): string {
    return `Query(${JSON.stringify(this.#cql)})`;
  }
}
