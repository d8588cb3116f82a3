/**
 * What a RESULT changes beyond its own request: `USE` switches every pooled
 * connection's keyspace, and DDL waits for schema agreement and refreshes the
 * cluster's schema, so the next request sees the change.
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import { ConnectionError, RequestTimeoutError } from "../errors.ts";
import type { Logger } from "../config.ts";
import { keyspaceIdentifier } from "../identifiers.ts";
import { useKeyspace } from "../pool/handshake.ts";
import type { QueryResultInit } from "../result.ts";
import type { DecodedResult } from "./responses.ts";

/** The session's current keyspace, kept the same on every pooled connection. */
export class KeyspaceTracker {
  #current: string | null;
  readonly #cluster: Cluster;
  readonly #requestTimeout: number;
  readonly #schemaAgreementTimeout: number;
  readonly #logger: Logger | null;

  /**
   * @param initial the keyspace connections start in (as the server spells it), or `null`
   * @param requestTimeout deadline of each connection's `USE`
   * @param schemaAgreementTimeout how long DDL waits for agreement
   */
  constructor(
    cluster: Cluster,
    initial: string | null,
    requestTimeout: number,
    schemaAgreementTimeout: number,
    logger: Logger | null,
  ) {
    this.#cluster = cluster;
    this.#current = initial;
    this.#requestTimeout = requestTimeout;
    this.#schemaAgreementTimeout = schemaAgreementTimeout;
    this.#logger = logger;
  }

  /** The keyspace connections use, or `null`. */
  get current(): string | null {
    return this.#current;
  }

  /**
   * Turns a decoded RESULT into result data, acting on keyspace and schema
   * changes first; synchronous for everything else (the hot path).
   */
  toResult(decoded: DecodedResult): QueryResultInit | Promise<QueryResultInit> {
    const result = decoded.result;
    if (result.kind === "set_keyspace") return this.switchTo(result.keyspace).then(() => decoded);
    if (result.kind === "schema_change") {
      return this.#afterSchemaChange(result.keyspace).then(() => decoded);
    }
    return decoded;
  }

  /** Switches every pooled connection (and the ones opened later) to `keyspace`. */
  async switchTo(keyspace: string): Promise<void> {
    const ident = keyspaceIdentifier(keyspace, true);
    this.#current = keyspace;
    this.#cluster.setKeyspace(ident);
    const all: Promise<void>[] = [];
    for (const h of this.#cluster.hosts.values()) {
      for (const c of h.pool.connections()) {
        if (c.keyspace !== keyspace) {
          all.push(useKeyspace(c, ident, this.#requestTimeout).catch(() => c.close()));
        }
      }
    }
    await Promise.all(all);
  }

  /** DDL is visible cluster-wide only once every node agrees on the schema. */
  async #afterSchemaChange(keyspace: string): Promise<void> {
    try {
      await this.#cluster.awaitSchemaAgreement(this.#schemaAgreementTimeout);
      await this.#cluster.refreshSchema(keyspace);
    } catch (e) {
      if (!(e instanceof RequestTimeoutError || e instanceof ConnectionError)) throw e;
      this.#logger?.({ level: "warn", message: `after schema change: ${e.message}` });
    }
  }
}
