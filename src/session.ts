/**
 * `Session`: the public façade. It checks its arguments, turns them into
 * statements and hands them to the request layer (`src/request/`), where a
 * request's life is told top-down.
 * @module
 */

import { Cluster } from "./cluster/cluster.ts";
import type { ClusterData } from "./cluster/cluster_data.ts";
import { type SessionConfig, sessionConfig } from "./config.ts";
import { ConnectionError } from "./errors.ts";
import { keyspaceIdentifier } from "./identifiers.ts";
import { DcAwareRoundRobinPolicy } from "./policies/load_balancing.ts";
import { DefaultRetryPolicy } from "./policies/retry.ts";
import { TokenAwarePolicy } from "./policies/token_aware.ts";
import { parseContactPoint } from "./pool/address.ts";
import { RequestExecutor } from "./request/executor.ts";
import { KeyspaceTracker } from "./request/keyspace.ts";
import { allPages, RowStream } from "./request/pager.ts";
import { PreparedCache } from "./request/prepared_cache.ts";
import { type CallOptions, OptionsResolver, type ProfileSettings } from "./request/resolve.ts";
import { type Runnable, StatementRunner } from "./request/statements.ts";
import { QueryResult, type Row } from "./result.ts";
import { Batch, type BatchEntry } from "./statement/batch.ts";
import { DEFAULT_PAGE_SIZE, DEFAULT_STATEMENT_OPTIONS } from "./statement/options.ts";
import { PreparedStatement } from "./statement/prepared.ts";
import { Query } from "./statement/query.ts";

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
  readonly #resolver: OptionsResolver;
  readonly #prepared: PreparedCache;
  readonly #keyspace: KeyspaceTracker;
  readonly #statements: StatementRunner;
  #closed = false;

  /** @internal sessions are made by `SessionBuilder.build()` or `Session.connect()`. */
  constructor(cluster: Cluster, config: SessionConfig) {
    this.#cluster = cluster;
    this.#config = config;
    const defaults: ProfileSettings = {
      consistency: config.defaultConsistency,
      pageSize: DEFAULT_PAGE_SIZE,
      requestTimeout: config.requestTimeout,
      retryPolicy: config.retryPolicy ?? new DefaultRetryPolicy(),
      speculativeExecution: config.speculativeExecution,
    };
    this.#resolver = new OptionsResolver(defaults, config.executionProfiles);
    const executor = new RequestExecutor(
      cluster,
      new TokenAwarePolicy(new DcAwareRoundRobinPolicy()),
    );
    this.#prepared = new PreparedCache(config.preparedCacheSize, executor, this.#resolver.defaults);
    const ks = config.keyspace;
    this.#keyspace = new KeyspaceTracker(
      cluster,
      ks ? (ks.caseSensitive ? ks.name : ks.name.toLowerCase()) : null,
      config.requestTimeout,
      config.schemaAgreementTimeout,
      config.logger,
    );
    this.#statements = new StatementRunner(executor, this.#prepared, this.#keyspace);
  }

  /**
   * @internal Connects a session with a resolved configuration (what `SessionBuilder.build()` calls).
   * @throws {ConnectionError} no node could be reached
   */
  static async open(config: SessionConfig): Promise<Session> {
    const ks = config.keyspace;
    const cluster = await Cluster.connect({
      contactPoints: [...config.contactPoints],
      poolSize: config.poolSize,
      localDatacenter: config.localDatacenter,
      requestTimeout: config.requestTimeout,
      reconnect: config.reconnectPolicy ?? undefined,
      log: (level, message) => config.logger?.({ level, message }),
      connection: {
        noDelay: config.tcpNodelay,
        keepAliveMs: config.tcpKeepalive,
        tls: config.tls,
        compression: config.compression,
        credentials: config.credentials,
        keyspace: ks ? keyspaceIdentifier(ks.name, ks.caseSensitive) : null,
        connectTimeoutMs: config.connectionTimeout,
        maxInFlight: config.maxRequestsPerConnection,
        maxQueued: config.maxQueuedRequests,
      },
    });
    return new Session(cluster, config);
  }

  /**
   * Connects with default settings to the given `"host:port"` contact points.
   * @throws {TypeError} a contact point is malformed
   * @throws {ConnectionError} no node could be reached
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
   * @throws {TypeError} a value does not fit its column; nothing was sent
   * @throws {ScyllaError} e.g. `CqlSyntaxError`, `InvalidQueryError`, `WriteTimeoutError`
   * @example
   * ```ts ignore
   * await session.execute("INSERT INTO ks.users (id, name) VALUES (?, ?)", [1, "Alice"]);
   * const rs = await session.execute("SELECT name FROM ks.users WHERE id = ?", { id: 1 });
   * ```
   */
  async execute(cql: string, values?: Values, options?: CallOptions): Promise<QueryResult> {
    return await this.query(new Query(cql), values, options);
  }

  /**
   * Runs a configured {@link Query} and resolves with every row from its paging
   * state on (or just one page, when `withPagingState` was given a state).
   * @throws {TypeError} a value does not fit its column, or an unknown execution profile; nothing was sent
   * @throws {ScyllaError} the cluster failed the request
   */
  async query(q: Query, values?: Values, options?: CallOptions): Promise<QueryResult> {
    this.#checkOpen();
    expectInstance(q, Query, "query()");
    return await this.#all(await this.#runnable(q, values, options?.signal), values, options);
  }

  /**
   * Prepares `cql` on the cluster.
   * @throws {ScyllaError} e.g. `CqlSyntaxError`, `InvalidQueryError`
   */
  async prepare(cql: string): Promise<PreparedStatement> {
    this.#checkOpen();
    const text = new Query(cql).getContents();
    return new PreparedStatement(await this.#prepared.get(text, this.#keyspace.current));
  }

  /**
   * Runs a prepared statement on a replica and resolves with every row,
   * following paging; re-prepares once when the node forgot the statement.
   * @throws {TypeError} a value does not fit its column; nothing was sent
   * @throws {ScyllaError} the cluster failed the request
   */
  async executePrepared(
    prepared: PreparedStatement,
    values?: Values,
    options?: CallOptions,
  ): Promise<QueryResult> {
    this.#checkOpen();
    expectInstance(prepared, PreparedStatement, "executePrepared()");
    const runnable = {
      cql: prepared.getStatement(),
      meta: prepared.meta,
      options: prepared.options,
    };
    return await this.#all(runnable, values, options);
  }

  /**
   * Runs a batch, one `Values` per statement in order. Statements appended as
   * text or `Query` are prepared (cached) so values get their columns' types.
   * @throws {TypeError} the values count differs from the statements count; nothing was sent
   * @throws {ScyllaError} the cluster failed the batch
   */
  async batch(batch: Batch, values: Values[], options?: CallOptions): Promise<QueryResult> {
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
    const resolved = this.#resolver.resolve(batch.options, options);
    const metas = await Promise.all(
      entries.map((e) =>
        e.kind === "prepared"
          ? e.prepared.meta
          : this.#prepared.get(statementText(e), this.#keyspace.current, options?.signal)
      ),
    );
    const prepared = metas.map((meta, i) => ({ meta, values: values[i] }));
    return new QueryResult(await this.#statements.batch(batch.typeCode, prepared, resolved));
  }

  /**
   * Streams every row of a statement, fetching the next page only when the
   * previous one has been consumed. Stop early with `break` or the signal.
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
    const signal = options?.signal;
    let ready: Promise<[Runnable, ReturnType<OptionsResolver["resolve"]>]> | undefined;
    const fetch = async (pagingState: Uint8Array | null) => {
      this.#checkOpen();
      ready ??= this.#iterRunnable(statement, values, options);
      const [runnable, resolved] = await ready;
      return this.#statements.page(runnable, values, pagingState, resolved);
    };
    const start = statement instanceof Query || statement instanceof PreparedStatement
      ? statement.options.pagingState
      : null;
    return new RowStream(fetch, start, signal);
  }

  /**
   * Switches every pooled connection to `name`.
   * @throws {InvalidQueryError} the keyspace does not exist; the current keyspace stays
   */
  async useKeyspace(name: string, caseSensitive: boolean): Promise<void> {
    this.#checkOpen();
    const ident = keyspaceIdentifier(name, caseSensitive);
    await this.#statements.use(ident, this.#resolver.resolve(DEFAULT_STATEMENT_OPTIONS));
  }

  /**
   * Resolves `true` once all live nodes report one schema version.
   * @throws {RequestTimeoutError} no agreement within the schema-agreement timeout
   */
  async awaitSchemaAgreement(): Promise<boolean> {
    this.#checkOpen();
    return await this.#cluster.awaitSchemaAgreement(this.#config.schemaAgreementTimeout);
  }

  /** Nodes and schema as the session knows them now; `String()` of it reads well. */
  getClusterData(): ClusterData {
    return this.#cluster.data();
  }

  /**
   * Requests sent to each node so far (attempts, including retries), keyed by
   * `host:port`. Beyond rsylla: shows where routing sends the load.
   */
  getMetrics(): { requestsPerNode: Map<string, number> } {
    const requestsPerNode = new Map<string, number>();
    for (const h of this.#cluster.hosts.values()) requestsPerNode.set(h.pool.address, h.sent);
    return { requestsPerNode };
  }

  /** The keyspace connections use, or `null`. */
  getKeyspace(): string | null {
    return this.#keyspace.current;
  }

  /** Closes every connection. Later calls reject with `ConnectionError`. */
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

  #checkOpen(): void {
    if (this.#closed) throw new ConnectionError("the session is closed");
  }

  /** Every row of `r`, or one page when the statement pages by hand. */
  #all(r: Runnable, values: Values | undefined, call?: CallOptions): Promise<QueryResult> {
    const resolved = this.#resolver.resolve(r.options, call);
    const fetch = (state: Uint8Array | null) => this.#statements.page(r, values, state, resolved);
    return allPages(fetch, r.options.pagingState, r.options.manualPaging);
  }

  /** A query runs as text without values; with values it is prepared (cached) first. */
  async #runnable(q: Query, values: Values | undefined, signal?: AbortSignal): Promise<Runnable> {
    const cql = q.getContents();
    const meta = values === undefined
      ? null
      : await this.#prepared.get(cql, this.#keyspace.current, signal);
    return { cql, meta, options: q.options };
  }

  async #iterRunnable(
    statement: string | Query | PreparedStatement,
    values: Values | undefined,
    call?: CallOptions,
  ): Promise<[Runnable, ReturnType<OptionsResolver["resolve"]>]> {
    let runnable: Runnable;
    if (statement instanceof PreparedStatement) {
      runnable = {
        cql: statement.getStatement(),
        meta: statement.meta,
        options: statement.options,
      };
    } else {
      const q = typeof statement === "string" ? new Query(statement) : statement;
      if (!(q instanceof Query)) {
        throw new TypeError("statement must be a CQL string, a Query or a PreparedStatement");
      }
      runnable = await this.#runnable(q, values, call?.signal);
    }
    return [runnable, this.#resolver.resolve(runnable.options, call)];
  }
}

/** Throws a `TypeError` naming the expected class when `v` is not an instance of it. */
// deno-lint-ignore no-explicit-any
function expectInstance(v: unknown, cls: abstract new (...args: any[]) => unknown, call: string) {
  if (!(v instanceof cls)) {
    const got = v === null
      ? "null"
      : typeof v === "object"
      ? v.constructor?.name ?? "object"
      : typeof v;
    throw new TypeError(`${call} takes a ${cls.name}, got ${got}`);
  }
}

function statementText(e: BatchEntry): string {
  return e.kind === "text"
    ? e.cql
    : e.kind === "query"
    ? e.query.getContents()
    : e.prepared.getStatement();
}
