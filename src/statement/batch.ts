/**
 * `Batch`: several modifying statements sent as one BATCH request.
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
  checkTimeout,
  checkTimestamp,
  defaultStatementOptions,
  describeValue,
  type StatementOptions,
} from "./options.ts";
import { PreparedStatement } from "./prepared.ts";
import { checkCql, Query } from "./query.ts";

/** The kinds of batch: `logged` (atomic, via the batch log), `unlogged`, `counter`. */
export type BatchType = "logged" | "unlogged" | "counter";

/** Wire codes of the batch types (BATCH `<type>` byte, native protocol v4 §4.1.7). */
export const BatchTypeCode: { readonly [K in BatchType]: number } = Object.freeze({
  logged: 0,
  unlogged: 1,
  counter: 2,
});

/** One statement of a batch, in the form it was appended. */
export type BatchEntry =
  | { readonly kind: "text"; readonly cql: string }
  | { readonly kind: "query"; readonly query: Query }
  | { readonly kind: "prepared"; readonly prepared: PreparedStatement };

/** The protocol counts batch statements in a `[short]`. */
export const MAX_BATCH_STATEMENTS = 0xffff;

/**
 * A batch of statements executed together with `session.batch(batch, values)`,
 * one `Values` per statement, in order. Only the batch's own options apply;
 * per-statement options of appended queries are ignored by the protocol.
 * Setters change the batch and return it.
 * @example
 * ```ts ignore
 * const b = new Batch("logged")
 *   .appendStatement("INSERT INTO ks.users (id, name) VALUES (?, ?)")
 *   .appendStatement("INSERT INTO ks.users (id, name) VALUES (?, ?)");
 * await session.batch(b, [[1, "Alice"], [2, "Bob"]]);
 * ```
 */
export class Batch {
  /** The kind of batch. */
  readonly type: BatchType;
  readonly #entries: BatchEntry[] = [];
  readonly #options: StatementOptions = defaultStatementOptions();

  /**
   * Makes an empty batch of the given kind.
   * @param type `"logged"` (default), `"unlogged"` or `"counter"`
   * @throws {RangeError} any other type; the message lists the valid ones
   */
  constructor(type: BatchType = "logged") {
    if (typeof type !== "string" || !Object.hasOwn(BatchTypeCode, type)) {
      throw new RangeError(
        `invalid batch type ${describeValue(type)}; valid types: logged, unlogged, counter`,
      );
    }
    this.type = type;
  }

  /** @internal The BATCH `<type>` byte: logged 0, unlogged 1, counter 2. */
  get typeCode(): number {
    return BatchTypeCode[this.type];
  }

  /** @internal The statements in order, as appended (read by the session). */
  get statements(): readonly BatchEntry[] {
    return this.#entries;
  }

  /**
   * @internal The options record the session sends with this batch (`pageSize`
   * and `pagingState` do not apply to batches).
   */
  get options(): Readonly<StatementOptions> {
    return this.#options;
  }

  #append(entry: BatchEntry): this {
    if (this.#entries.length >= MAX_BATCH_STATEMENTS) {
      throw new RangeError(`a batch holds at most ${MAX_BATCH_STATEMENTS} statements`);
    }
    this.#entries.push(entry);
    return this;
  }

  /**
   * Appends a CQL text. With values, the session prepares it once (cached) so
   * values are encoded with the server's types.
   * @throws {TypeError} `cql` is not a non-empty string
   * @throws {RangeError} the batch already holds 65535 statements
   */
  appendStatement(cql: string): this {
    return this.#append({ kind: "text", cql: checkCql(cql) });
  }

  /**
   * Appends a `Query` (only its text is used; its options are not).
   * @throws {TypeError} `query` is not a `Query`
   * @throws {RangeError} the batch already holds 65535 statements
   */
  appendQuery(query: Query): this {
    if (!(query instanceof Query)) {
      throw new TypeError(`appendQuery expects a Query, got ${describeValue(query)}`);
    }
    return this.#append({ kind: "query", query });
  }

  /**
   * Appends a prepared statement.
   * @throws {TypeError} `prepared` is not a `PreparedStatement`
   * @throws {RangeError} the batch already holds 65535 statements
   */
  appendPrepared(prepared: PreparedStatement): this {
    if (!(prepared instanceof PreparedStatement)) {
      throw new TypeError(
        `appendPrepared expects a PreparedStatement, got ${describeValue(prepared)}`,
      );
    }
    return this.#append({ kind: "prepared", prepared });
  }

  /** Number of statements appended so far. */
  statementsCount(): number {
    return this.#entries.length;
  }

  /**
   * Sets the consistency level of the whole batch.
   * @throws {RangeError} not one of `ANY ONE TWO THREE QUORUM ALL LOCAL_QUORUM EACH_QUORUM LOCAL_ONE`
   */
  withConsistency(consistency: ConsistencyName): this {
    this.#options.consistency = checkConsistency(consistency, "consistency");
    return this;
  }

  /**
   * Sets the serial consistency, for batches of conditional statements.
   * @throws {RangeError} not `SERIAL` or `LOCAL_SERIAL`
   */
  withSerialConsistency(consistency: SerialConsistencyName): this {
    this.#options.serialConsistency = checkConsistency(consistency, "serial consistency");
    return this;
  }

  /**
   * Sets the write timestamp of every statement, in microseconds since the epoch.
   * @throws {TypeError} neither a `bigint` nor a `number`
   * @throws {RangeError} a `number` that is not a safe integer, or a `bigint` beyond 64 bits
   */
  withTimestamp(micros: bigint | number): this {
    this.#options.timestamp = checkTimestamp(micros);
    return this;
  }

  /**
   * Sets the client-side timeout of the batch.
   * @throws {TypeError} not a number
   * @throws {RangeError} not finite, ≤ 0 or above 2^31-1 ms
   */
  withTimeout(ms: number): this {
    this.#options.timeoutMs = checkTimeout(ms);
    return this;
  }

  /**
   * Asks the server to trace the batch.
   * @throws {TypeError} `on` is not a boolean
   */
  withTracing(on: boolean): this {
    this.#options.tracing = checkBoolean(on, "tracing");
    return this;
  }

  /** Whether the batch was marked safe to retry or re-send; `false` until set. */
  isIdempotent(): boolean {
    return this.#options.idempotent;
  }

  /**
   * Marks the batch as safe (or not) to retry and execute speculatively.
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

  /** `Batch(logged, 3 statements)`. */
  toString(): string {
    const n = this.#entries.length;
    return `Batch(${this.type}, ${n} statement${n === 1 ? "" : "s"})`;
  }
}
