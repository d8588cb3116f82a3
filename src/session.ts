/**
 * `Session`: the public façade. It checks its arguments, turns them into
 * statements and hands them to the request layer (`src/request/`), where a
 * request's life is told top-down.
 * @module
 */

import { Cluster } from "./cluster/cluster.ts";
import type { ClusterData } from "./cluster/cluster_data.ts";
import { clusterOptions, type SessionConfig, sessionConfig } from "./config.ts";
import { ConnectionError } from "./errors.ts";
import { keyspaceIdentifier } from "./identifiers.ts";
import { parseContactPoint } from "./pool/address.ts";
import { Requests } from "./request/requests.ts";
import type { CallOptions } from "./request/resolve.ts";
import type { MetricsSnapshot } from "./observability/metrics.ts";
import type { QueryResult, Row } from "./result.ts";
import { runTemplate } from "./sql/template.ts";
import { Batch } from "./statement/batch.ts";
import { PreparedStatement } from "./statement/prepared.ts";
import { Query } from "./statement/query.ts";
import { expectInstance } from "./validate.ts";
import { refused } from "./request/refused.ts";

export type { CallOptions };

/** Values bound to a statement: by position, or by marker name. */
// `object` rather than a record type, so values typed with an `interface` are accepted.
export type Values = readonly unknown[] | object;

/**
 * A connected session: runs CQL on the cluster, prepares and caches
 * statements, follows paging, and routes each request to a live node.
 * Create one per application with `SessionBuilder` or {@link Session.connect}
 * and share it.
 * @example
 * ```ts ignore
 * import { Session } from "@rsylla/rsylla";
 * const session = await Session.connect(["127.0.0.1:9042"]);
 * const rs = await session.execute("SELECT release_version FROM system.local");
 * console.log(rs.firstRow()?.get("release_version"));
 * await session.close();
 * ```
 */
export class Session {
  readonly #cluster: Cluster;
  readonly #config: SessionConfig;
  readonly #requests: Requests;
  #closed = false;

  /** @internal sessions are made by `SessionBuilder.build()` or `Session.connect()`. */
  constructor(cluster: Cluster, config: SessionConfig) {
    this.#cluster = cluster;
    this.#config = config;
    this.#requests = new Requests(cluster, config);
  }

  /**
   * @internal Connects a session with a resolved configuration (what `SessionBuilder.build()` calls).
   * @throws {ConnectionError} no node could be reached
   */
  static async open(config: SessionConfig): Promise<Session> {
    const cluster = await Cluster.connect(clusterOptions(config));
    return new Session(cluster, config);
  }

  /**
   * Connects with default settings to the given contact points (`"host:port"`,
   * `"host"` for port 9042, `"[::1]:9042"`); for any other setting use
   * {@link SessionBuilder}.
   * @throws {TypeError} `nodes` is not an array, or a contact point is malformed (thrown, not rejected)
   * @throws {ConnectionError} no node could be reached
   * @throws {AuthenticationError} the cluster requires credentials
   * @example
   * ```ts ignore
   * import { Session } from "@rsylla/rsylla";
   * await using session = await Session.connect(["127.0.0.1:9042", "127.0.0.2"]);
   * ```
   */
  static connect(nodes: string[]): Promise<Session> {
    if (!Array.isArray(nodes)) {
      throw new TypeError(`connect expects an array of "host:port", got ${typeof nodes}`);
    }
    return Session.open(sessionConfig({ contactPoints: nodes.map(parseContactPoint) }));
  }

  /**
   * Runs a CQL string and resolves with every row (following paging). With
   * `values`, the statement is prepared once (cached) so each value is encoded
   * with its column's type.
   * @param values by position or marker name; `null` is NULL, `undefined` unset
   * @param options an `AbortSignal` and an execution profile for this call
   * @throws {TypeError} a value does not fit its column, or `options.profile` is unknown; nothing was sent
   * @throws {ConnectionError} the session is closed, or no node could take the request
   * @throws {RequestTimeoutError} no answer within the request timeout
   * @throws {ScyllaError} e.g. `CqlSyntaxError`, `InvalidQueryError`, `WriteTimeoutError`
   * @example
   * ```ts ignore
   * await session.execute("INSERT INTO ks.users (id, name) VALUES (?, ?)", [1, "Alice"]);
   * const rs = await session.execute("SELECT name FROM ks.users WHERE id = ?", { id: 1 });
   * ```
   */
  execute(cql: string, values?: Values, options?: CallOptions): Promise<QueryResult> {
    let q: Query;
    try {
      q = new Query(cql);
    } catch (e) {
      return refused(e);
    }
    return this.query(q, values, options);
  }

  /**
   * Runs a configured {@link Query} and resolves with every row from its paging
   * state on (or just one page, when `withPagingState` was called: manual paging).
   * @param values by position or marker name; `null` is NULL, `undefined` unset
   * @throws {TypeError} `q` is not a `Query`, a value does not fit its column, or the execution profile is unknown; nothing was sent
   * @throws {ConnectionError} the session is closed, or no node could take the request
   * @throws {RequestTimeoutError} no answer within the timeout
   * @throws {ScyllaError} the cluster failed the request, e.g. `UnavailableError`
   * @example
   * ```ts ignore
   * import { Query } from "@rsylla/rsylla";
   * const q = new Query("SELECT * FROM ks.events WHERE day = ?")
   *   .withConsistency("ONE")
   *   .withPageSize(500)
   *   .withTimeout(2_000);
   * const rs = await session.query(q, ["2024-05-01"]);
   * ```
   */
  query(q: Query, values?: Values, options?: CallOptions): Promise<QueryResult> {
    return this.#all(q, Query, "query()", values, options);
  }

  /**
   * Prepares `cql` on the cluster, or resolves from the session's cache of
   * prepared statements when this text was prepared already.
   * @throws {ConnectionError} the session is closed, or no node could take the request
   * @throws {ScyllaError} e.g. `CqlSyntaxError`, `InvalidQueryError`
   * @example
   * ```ts ignore
   * const insert = await session.prepare("INSERT INTO ks.users (id, name) VALUES (?, ?)");
   * for (const [id, name] of [[1, "Alice"], [2, "Bob"]]) {
   *   await session.executePrepared(insert, [id, name]);
   * }
   * ```
   */
  prepare(cql: string): Promise<PreparedStatement> {
    try {
      this.#checkOpen();
      return this.#requests.prepare(new Query(cql).getContents());
    } catch (e) {
      return refused(e);
    }
  }

  /**
   * Runs a prepared statement on a replica owning its token (on ScyllaDB, the
   * owning shard) and resolves with every row, following paging (one page
   * under manual paging); re-prepares once when the node forgot the statement.
   * @param values by position or marker name; `null` is NULL, `undefined` unset
   * @throws {TypeError} `prepared` is not a `PreparedStatement`, a value does not fit its column, or the execution profile is unknown; nothing was sent
   * @throws {ConnectionError} the session is closed, or no node could take the request
   * @throws {RequestTimeoutError} no answer within the timeout
   * @throws {ScyllaError} the cluster failed the request, e.g. `WriteTimeoutError`
   * @example
   * ```ts ignore
   * const ps = await session.prepare("SELECT name FROM ks.users WHERE id = ?");
   * const row = (await session.executePrepared(ps.withConsistency("ONE"), [42])).firstRow();
   * ```
   */
  executePrepared(
    prepared: PreparedStatement,
    values?: Values,
    options?: CallOptions,
  ): Promise<QueryResult> {
    return this.#all(prepared, PreparedStatement, "executePrepared()", values, options);
  }

  /**
   * Runs a batch, one `Values` per statement in order. Statements appended as
   * text or `Query` are prepared (cached) so values get their columns' types.
   * @param values one entry per appended statement (`[]` for a statement without markers)
   * @throws {TypeError} `batch` is not a `Batch`, `values` is not an array, its count differs from the statements count, or a value does not fit its column; nothing was sent
   * @throws {ConnectionError} the session is closed, or no node could take the request
   * @throws {RequestTimeoutError} no answer within the timeout
   * @throws {ScyllaError} the cluster failed the batch, e.g. `WriteTimeoutError`
   * @example
   * ```ts ignore
   * import { Batch } from "@rsylla/rsylla";
   * const batch = new Batch("logged")
   *   .appendStatement("INSERT INTO ks.users (id, name) VALUES (?, ?)")
   *   .appendStatement("DELETE FROM ks.pending WHERE id = ?");
   * await session.batch(batch, [[1, "Alice"], [1]]);
   * ```
   */
  batch(batch: Batch, values: Values[], options?: CallOptions): Promise<QueryResult> {
    // Not `async`, as query and executePrepared (see `#all`): its errors reject a microtask later.
    try {
      this.#checkOpen();
      expectInstance(batch, Batch, "batch()");
      if (!Array.isArray(values)) {
        throw new TypeError(`batch values must be an array of Values, got ${typeof values}`);
      }
      const entries = batch.statements;
      if (values.length !== entries.length) {
        throw new TypeError(
          `batch has ${entries.length} statements but ${values.length} value sets were given`,
        );
      }
      return this.#requests.batch(batch, values, options);
    } catch (e) {
      return refused(e);
    }
  }

  /**
   * Tagged template: prepares once per template, binds each `${…}` as a value
   * (never as text; names cannot be interpolated), reads every page and
   * resolves with the rows as plain objects keyed by column name. `T` is not
   * checked at run time (see `deno task gen-types` for row types).
   * @throws {TypeError} not called as a tagged template, or a value does not fit its column; nothing was sent
   * @throws {CqlSyntaxError} invalid CQL, e.g. an interpolation where a name is expected
   * @throws {InvalidQueryError} e.g. an unknown table; the message adds the interpolation hint
   * @throws {ConnectionError} the session is closed, or no node could take the request
   * @example
   * ```ts ignore
   * const users = await session.sql<{ name: string }>`SELECT name FROM ks.users WHERE id = ${1}`;
   * ```
   */
  sql<T = Record<string, unknown>>(
    strings: TemplateStringsArray,
    ...values: unknown[]
  ): Promise<T[]> {
    return runTemplate<T>(this, strings, values);
  }

  /**
   * Streams every row of a statement, fetching the next page only when the
   * previous one has been consumed. Stop early with `break` or the signal.
   * Nothing is sent until the iteration starts, so errors surface from the loop.
   * @param statement CQL text (prepared and cached when `values` are given), a `Query` or a `PreparedStatement`
   * @throws {TypeError} `statement` is none of those, a value does not fit its column, or the execution profile is unknown (from the loop)
   * @throws {ConnectionError} the session is closed (from the loop)
   * @throws {ScyllaError} the cluster failed a page (from the loop)
   * @example
   * ```ts ignore
   * for await (const row of session.iter("SELECT * FROM ks.big", undefined)) {
   *   console.log(row.get(0));
   * }
   * ```
   */
  iter(
    statement: string | Query | PreparedStatement,
    values?: Values,
    options?: CallOptions,
  ): AsyncIterable<Row> {
    return this.#requests.stream(statement, values, options, () => this.#checkOpen());
  }

  /**
   * Switches every pooled connection (and those opened later) to `name`.
   * @param caseSensitive `true` to quote the name (case kept); `false` for a plain identifier the server lower-cases
   * @throws {TypeError} `name` is empty, or not a plain identifier while `caseSensitive` is `false`
   * @throws {ConnectionError} the session is closed
   * @throws {InvalidQueryError} the keyspace does not exist; the current keyspace stays
   * @example
   * ```ts ignore
   * await session.useKeyspace("ks", false);
   * await session.execute("SELECT * FROM users"); // ks.users
   * ```
   */
  async useKeyspace(name: string, caseSensitive: boolean): Promise<void> {
    this.#checkOpen();
    const ident = keyspaceIdentifier(name, caseSensitive);
    await this.#requests.use(ident);
  }

  /**
   * Resolves `true` once all live nodes report one schema version; call it
   * after a schema change (`CREATE TABLE`, …) before using the new schema.
   * @throws {ConnectionError} the session is closed
   * @throws {RequestTimeoutError} no agreement within the schema-agreement timeout
   * @example
   * ```ts ignore
   * await session.execute("CREATE TABLE IF NOT EXISTS ks.t (id int PRIMARY KEY, v text)");
   * await session.awaitSchemaAgreement();
   * ```
   */
  async awaitSchemaAgreement(): Promise<boolean> {
    this.#checkOpen();
    return await this.#cluster.awaitSchemaAgreement(this.#config.schemaAgreementTimeout);
  }

  /**
   * Nodes and schema as the session knows them now; `String()` of it reads well.
   * @example
   * ```ts ignore
   * const data = session.getClusterData();
   * for (const node of data.nodes) console.log(node.address, node.datacenter, node.up);
   * console.log(String(data));
   * ```
   */
  getClusterData(): ClusterData {
    return this.#cluster.data();
  }

  /**
   * A snapshot of the session's metrics: request, error, retry, speculative,
   * timeout and back-pressure counters, latency percentiles (session and per
   * node), connections and requests in flight per node, and `requestsPerNode`
   * (attempts sent, keyed by `host:port`). With the builder's `metrics(false)`
   * the counters and latencies stay 0; connections, requests in flight and
   * `requestsPerNode` are still filled.
   * @example
   * ```ts ignore
   * const m = session.getMetrics();
   * console.log(m.requests, m.errors, m.latencyMs.p99);
   * for (const [node, n] of m.nodes) console.log(node, n.inFlight, n.connections);
   * ```
   */
  getMetrics(): MetricsSnapshot {
    return this.#requests.metrics();
  }

  /** The native protocol version the session speaks (negotiated, or pinned by the builder). */
  get protocolVersion(): 4 | 5 {
    return this.#cluster.protocolVersion;
  }

  /** The keyspace connections use, or `null`. */
  getKeyspace(): string | null {
    return this.#requests.keyspace;
  }

  /**
   * Closes every connection; requests in flight fail with `ConnectionError`,
   * and so do later calls. Closing twice is harmless.
   * @example
   * ```ts ignore
   * const session = await Session.connect(["127.0.0.1:9042"]);
   * try {
   *   await session.execute("SELECT now() FROM system.local");
   * } finally {
   *   await session.close();
   * }
   * ```
   */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#cluster.close();
    }
    return Promise.resolve();
  }

  /** Closes the session at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * `query` and `executePrepared`: every row of `statement` once it is checked. Not `async`:
   * an async wrapper would add a promise and a turn to every call. Its errors still reject
   * rather than throw, a microtask later (see `refused`).
   */
  #all(
    statement: Query | PreparedStatement,
    cls: typeof Query | typeof PreparedStatement,
    call: string,
    values: Values | undefined,
    options: CallOptions | undefined,
  ): Promise<QueryResult> {
    try {
      this.#checkOpen();
      expectInstance(statement, cls, call);
      return this.#requests.all(statement, values, options);
    } catch (e) {
      return refused(e);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new ConnectionError("the session is closed");
  }
}
