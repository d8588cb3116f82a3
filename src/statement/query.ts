/**
 * `Query`: an unprepared CQL statement with its execution options.
 * @module
 */

import { describeValue } from "../validate.ts";
import type { StatementOptions } from "./options.ts";
import { PagedStatementBase } from "./statement_base.ts";

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
 * import { Query } from "@rsylla/rsylla";
 * const q = new Query("SELECT * FROM ks.users WHERE id = ?")
 *   .withConsistency("QUORUM")
 *   .withPageSize(1000);
 * // await session.query(q, [42]);
 * ```
 */
export class Query extends PagedStatementBase {
  readonly #cql: string;

  /**
   * Makes a query from CQL text; nothing is sent until the session runs it.
   * @param cql the statement text, with `?` or `:name` bind markers
   * @throws {TypeError} `cql` is not a non-empty string
   */
  constructor(cql: string) {
    super();
    this.#cql = checkCql(cql);
  }

  /** A query changes itself: the setter's record replaces the current one. */
  protected withOptions(next: StatementOptions): this {
    return this.replaceOptions(next);
  }

  /**
   * Runs this query in `keyspace` instead of the session's, without `USE`
   * (protocol v5; the name as the server spells it, e.g. lower case unless quoted
   * at creation). On a v4 session running it fails with a `TypeError` before anything is sent.
   * @throws {TypeError} not a non-empty string
   */
  withKeyspace(keyspace: string): this {
    return this.set("keyspace", keyspace);
  }

  /** The keyspace set with `withKeyspace`, or `null` for the session's. */
  getKeyspace(): string | null {
    return this.options.keyspace ?? null;
  }

  /** The CQL text. */
  getContents(): string {
    return this.#cql;
  }

  /** `Query("SELECT ...")`. */
  override toString(): string {
    return `Query(${JSON.stringify(this.#cql)})`;
  }
}
