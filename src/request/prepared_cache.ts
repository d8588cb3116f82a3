/**
 * The session's prepared statements: prepared once per keyspace and text
 * (a bounded LRU), prepared on every other live node too, and prepared again
 * on a node that answers UNPREPARED.
 * @module
 */

import { ProtocolError } from "../errors.ts";
import type { Connection } from "../pool/connection.ts";
import { PreparedMeta } from "../statement/prepared_meta.ts";
import { appendPrepare } from "../wire/requests/query.ts";
import type { RequestExecutor } from "./executor.ts";
import { PromiseLru } from "./lru.ts";
import type { ProfileSettings } from "./resolve.ts";
import { decodePrepared } from "./responses.ts";

/** Prepares statements and remembers them. */
export class PreparedCache {
  readonly #lru: PromiseLru<PreparedMeta>;
  readonly #executor: RequestExecutor;
  readonly #defaults: ProfileSettings;

  /**
   * @param capacity statements kept at most
   * @param executor runs the PREPARE requests
   * @param defaults timeout and retry policy of PREPARE requests
   */
  constructor(capacity: number, executor: RequestExecutor, defaults: ProfileSettings) {
    this.#lru = new PromiseLru(capacity);
    this.#executor = executor;
    this.#defaults = defaults;
  }

  /** Statements held. */
  get size(): number {
    return this.#lru.size;
  }

  /**
   * The prepared statement for `cql` in `keyspace` (the session's current one),
   * preparing it on the cluster on first use. `statementKeyspace` (v5) prepares it
   * in that keyspace instead.
   * @throws {ScyllaError} e.g. `CqlSyntaxError`, `InvalidQueryError`; not cached
   */
  get(
    cql: string,
    keyspace: string | null,
    signal?: AbortSignal,
    statementKeyspace?: string,
  ): Promise<PreparedMeta> {
    const ks = statementKeyspace ?? keyspace ?? "";
    return this.#lru.get(`${ks}\u0000${statementKeyspace ? "k" : ""}\u0000${cql}`, async () => {
      const info = await this.#executor.execute({
        encode: (w, protocolVersion) =>
          appendPrepare(w, cql, { protocolVersion, keyspace: statementKeyspace }),
        decode: decodePrepared,
        idempotent: true,
        timeoutMs: this.#defaults.requestTimeout,
        retryPolicy: this.#defaults.retryPolicy,
        signal,
      });
      await this.#prepareOnOtherNodes(cql, statementKeyspace);
      return new PreparedMeta(cql, info, statementKeyspace);
    });
  }

  /**
   * Prepares `meta`'s text again on the connection that answered UNPREPARED.
   * @throws {ProtocolError} the node gave the statement another id
   */
  async reprepare(c: Connection, meta: PreparedMeta): Promise<void> {
    const fresh = await c.send(
      (w, protocolVersion) =>
        appendPrepare(w, meta.cql, { protocolVersion, keyspace: meta.keyspace }),
      decodePrepared,
      {
        timeoutMs: this.#defaults.requestTimeout,
      },
    );
    if (!sameBytes(fresh.id, meta.info.id)) {
      throw new ProtocolError(`re-preparing "${meta.cql}" gave a different statement id`);
    }
  }

  /**
   * Prepares on every other live node too, as the DataStax drivers do: else
   * each node answers its first EXECUTE with UNPREPARED and a re-prepare.
   * Failures are left to that lazy path.
   */
  async #prepareOnOtherNodes(cql: string, keyspace: string | undefined): Promise<void> {
    const hosts = [...this.#executor.cluster.hosts.values()];
    if (hosts.length < 2) return;
    await Promise.allSettled(hosts.map((h) => {
      const c = h.pool.pick();
      return c?.send(
        (w, protocolVersion) => appendPrepare(w, cql, { protocolVersion, keyspace }),
        decodePrepared,
        {
          timeoutMs: this.#defaults.requestTimeout,
        },
      );
    }));
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
