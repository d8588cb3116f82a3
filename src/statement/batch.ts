/**
 * `Batch`: several modifying statements sent as one BATCH request.
 * @module
 */

import { describeValue } from "../validate.ts";
import type { StatementOptions } from "./options.ts";
import { PreparedStatement } from "./prepared.ts";
import { checkCql, Query } from "./query.ts";
import { StatementBase } from "./statement_base.ts";

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
export class Batch extends StatementBase {
  /** The kind of batch. */
  readonly type: BatchType;
  readonly #entries: BatchEntry[] = [];

  /**
   * Makes an empty batch of the given kind.
   * @param type `"logged"` (default), `"unlogged"` or `"counter"`
   * @throws {RangeError} any other type; the message lists the valid ones
   */
  constructor(type: BatchType = "logged") {
    super();
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

  /** A batch changes itself: the setter's record replaces the current one. */
  protected withOptions(next: StatementOptions): this {
    return this.replaceOptions(next);
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

  /** `Batch(logged, 3 statements)`. */
  override toString(): string {
    const n = this.#entries.length;
    return `Batch(${this.type}, ${n} statement${n === 1 ? "" : "s"})`;
  }
}

/** The CQL text of a batch entry, however it was appended. */
export function batchEntryText(e: BatchEntry): string {
  return e.kind === "text"
    ? e.cql
    : e.kind === "query"
    ? e.query.getContents()
    : e.prepared.getStatement();
}
