/**
 * `PreparedStatement`: a statement prepared on the cluster, immutable; every
 * setter returns a new statement that shares the server's metadata.
 * @module
 */

import {
  type ConsistencyName,
  consistencyName,
  type SerialConsistencyName,
} from "../consistency.ts";
import { type ColSpec, toColSpecs } from "../result.ts";
import type { PreparedInfo } from "../wire/metadata.ts";
import {
  checkBoolean,
  checkConsistency,
  checkPageSize,
  checkPagingState,
  checkTimeout,
  checkTimestamp,
  DEFAULT_STATEMENT_OPTIONS,
  type StatementOptions,
} from "./options.ts";
import { checkCql } from "./query.ts";

/**
 * A statement prepared on the cluster (from `session.prepare`). It is
 * immutable: `withConsistency` and the other setters return a new statement
 * (sharing the id and metadata), so one prepared statement can be shared
 * safely across concurrent requests.
 * @example
 * ```ts ignore
 * const ps = await session.prepare("SELECT name FROM ks.users WHERE id = ?");
 * const strong = ps.withConsistency("ALL"); // ps itself is unchanged
 * await session.executePrepared(strong, [42]);
 * ```
 */
export class PreparedStatement {
  readonly #statement: string;
  readonly #info: PreparedInfo;
  readonly #options: Readonly<StatementOptions>;

  /**
   * @internal Users get prepared statements from `session.prepare`.
   * @param statement the CQL text that was prepared
   * @param info what the server answered to PREPARE
   * @param options execution options; defaults when omitted
   * @throws {TypeError} `statement` is not a non-empty string
   */
  constructor(statement: string, info: PreparedInfo, options?: Readonly<StatementOptions>) {
    this.#statement = checkCql(statement);
    this.#info = info;
    this.#options = options === undefined
      ? DEFAULT_STATEMENT_OPTIONS
      : Object.isFrozen(options)
      ? options
      : Object.freeze({ ...options });
  }

  /**
   * @internal What the server answered to PREPARE: statement id, bind marker
   * columns, partition key indexes (`pkIndexes`, for token-aware routing) and
   * result columns. Shared by every statement derived from this one.
   */
  get info(): PreparedInfo {
    return this.#info;
  }

  /** @internal The frozen options record the session sends with this statement. */
  get options(): Readonly<StatementOptions> {
    return this.#options;
  }

  #derive(patch: Partial<StatementOptions>): PreparedStatement {
    return new PreparedStatement(
      this.#statement,
      this.#info,
      Object.freeze({ ...this.#options, ...patch }),
    );
  }

  /** A copy of the statement id the server assigned. */
  getId(): Uint8Array {
    return this.#info.id.slice();
  }

  /** The CQL text that was prepared. */
  getStatement(): string {
    return this.#statement;
  }

  /** The bind markers in order, with CQL types as text. */
  bindColSpecs(): ColSpec[] {
    return toColSpecs(this.#info.bindColumns);
  }

  /** The columns the statement returns (empty for writes), with CQL types as text. */
  resultColSpecs(): ColSpec[] {
    return toColSpecs(this.#info.resultColumns);
  }

  /**
   * A copy of this statement with another consistency level.
   * @throws {RangeError} not one of `ANY ONE TWO THREE QUORUM ALL LOCAL_QUORUM EACH_QUORUM LOCAL_ONE`
   */
  withConsistency(consistency: ConsistencyName): PreparedStatement {
    return this.#derive({ consistency: checkConsistency(consistency, "consistency") });
  }

  /**
   * A copy of this statement with another serial consistency (lightweight transactions).
   * @throws {RangeError} not `SERIAL` or `LOCAL_SERIAL`
   */
  withSerialConsistency(consistency: SerialConsistencyName): PreparedStatement {
    const code = checkConsistency(consistency, "serial consistency");
    return this.#derive({ serialConsistency: code });
  }

  /**
   * A copy of this statement fetching `n` rows per page.
   * @throws {TypeError} not a number
   * @throws {RangeError} not an integer in 1..2^31-1
   */
  withPageSize(n: number): PreparedStatement {
    return this.#derive({ pageSize: checkPageSize(n) });
  }

  /**
   * A copy of this statement with a write timestamp in microseconds since the epoch.
   * @throws {TypeError} neither a `bigint` nor a `number`
   * @throws {RangeError} a `number` that is not a safe integer, or a `bigint` beyond 64 bits
   */
  withTimestamp(micros: bigint | number): PreparedStatement {
    return this.#derive({ timestamp: checkTimestamp(micros) });
  }

  /**
   * A copy of this statement with its own client-side timeout.
   * @throws {TypeError} not a number
   * @throws {RangeError} not finite, ≤ 0 or above 2^31-1 ms
   */
  withTimeout(ms: number): PreparedStatement {
    return this.#derive({ timeoutMs: checkTimeout(ms) });
  }

  /**
   * A copy of this statement with tracing on or off.
   * @throws {TypeError} `on` is not a boolean
   */
  withTracing(on: boolean): PreparedStatement {
    return this.#derive({ tracing: checkBoolean(on, "tracing") });
  }

  /**
   * A copy of this statement that pages by hand: each execution fetches one
   * page and returns its `pagingState`; start with `null`, resume with a state.
   * @throws {TypeError} neither a `Uint8Array` nor `null`
   */
  withPagingState(state: Uint8Array | null): PreparedStatement {
    return this.#derive({ pagingState: checkPagingState(state), manualPaging: true });
  }

  /** Whether the statement was marked safe to retry or re-send; `false` until set. */
  isIdempotent(): boolean {
    return this.#options.idempotent;
  }

  /**
   * A copy of this statement marked safe (or not) to retry and execute speculatively.
   * @throws {TypeError} `on` is not a boolean
   */
  setIdempotent(on: boolean): PreparedStatement {
    return this.#derive({ idempotent: checkBoolean(on, "idempotent") });
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

  /** The per-statement timeout in ms, or `null` for the session's request timeout. */
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

  /** `PreparedStatement("SELECT ...")`. */
  toString(): string {
    return `PreparedStatement(${JSON.stringify(this.#statement)})`;
  }
}
