/**
 * `Session`: runs statements on the cluster. It composes the cluster view,
 * the request runner and the statement objects, and stays thin.
 * @module
 */

import {
  appendExecute,
  appendPrepare,
  appendQuery,
  type BindValues,
  type QueryParameters,
} from "./wire/requests/query.ts";
import { appendBatch, type BatchStatement } from "./wire/requests/batch.ts";
import { decodeResult, type MetadataCache, type ResultMessage } from "./wire/responses/result.ts";
import type { ResponseBody } from "./wire/responses/envelope.ts";
import type { PreparedInfo } from "./wire/metadata.ts";
import { Opcode } from "./wire/frame.ts";
import { Cluster } from "./cluster/cluster.ts";
import type { ClusterData } from "./cluster/cluster_data.ts";
import { useKeyspace as useKeyspaceOn } from "./pool/handshake.ts";
import type { Connection } from "./pool/connection.ts";
import { ConnectionError, ProtocolError, RequestTimeoutError } from "./errors.ts";
import { QueryResult, type QueryResultInit, type Row } from "./result.ts";
import { Query } from "./statement/query.ts";
import { PreparedStatement } from "./statement/prepared.ts";
import { Batch, type BatchEntry } from "./statement/batch.ts";
import { DEFAULT_PAGE_SIZE, type StatementOptions } from "./statement/options.ts";
import type { SessionConfig } from "./config.ts";
import { DefaultRetryPolicy } from "./policies/retry.ts";
import { DcAwareRoundRobinPolicy, type LoadBalancingPolicy } from "./policies/load_balancing.ts";
import { type RequestSpec, type RunnerContext, runRequest } from "./request_runner.ts";
import { PreparedCache } from "./prepared_cache.ts";
import { RowStream } from "./row_stream.ts";
import { keyspaceIdentifier } from "./identifiers.ts";
import { routingFor } from "./routing_key.ts";
import { TokenAwarePolicy } from "./policies/token_aware.ts";
import { SessionBuilder } from "./session_builder.ts";

/** Values bound to a statement: by position, or by marker name. */
// `object` rather than a record type, so values typed with an `interface` are accepted.
export type Values = readonly unknown[] | object;

/** Per-call options of `execute`, `query`, `executePrepared`, `batch` and `iter`. */
export interface CallOptions {
  /** Aborts the call: it rejects at once with the signal's reason. */
  signal?: AbortSignal;
}

/** A statement ready to run: its text, prepared metadata (if any) and options. */
interface Runnable {
  cql: string;
  info: PreparedInfo | null;
  options: Readonly<StatementOptions>;
}

/**
 * Creates a session from a resolved configuration (what `SessionBuilder.build()` calls).
 * @internal
 */
export async function connectSession(config: SessionConfig): Promise<Session> {
  const cluster = await Cluster.connect({
    contactPoints: [...config.contactPoints],
    poolSize: config.poolSize,
    localDatacenter: config.localDatacenter,
    requestTimeoutMs: config.requestTimeoutMs,
    reconnect: config.reconnectPolicy ?? undefined,
    log: (level, message) => config.logger?.({ level, message }),
    connection: {
      noDelay: config.tcpNodelay,
      keepAliveMs: config.tcpKeepaliveMs,
      tls: config.tls,
      compression: config.compression,
      credentials: config.credentials,
      keyspace: config.keyspace
        ? keyspaceIdentifier(config.keyspace.name, config.keyspace.caseSensitive)
        : null,
      connectTimeoutMs: config.connectionTimeoutMs,
      maxInFlight: config.maxRequestsPerConnection,
      maxQueued: config.maxQueuedRequests,
    },
  });
  return new Session(cluster, config);
}

/**
 * A connected session: runs CQL on the cluster, prepares and caches
 * statements, follows paging, and routes each request to a live node.
 * Create one per application with {@link SessionBuilder} or {@link Session.connect}
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
  #cluster: Cluster;
  #config: SessionConfig;
  #runner: RunnerContext;
  #prepared: PreparedCache;
  #keyspace: string | null;
  #closed = false;

  /** @internal sessions are made by `SessionBuilder.build()` or `Session.connect()`. */
  constructor(cluster: Cluster, config: SessionConfig) {
    this.#cluster = cluster;
    this.#config = config;
    this.#prepared = new PreparedCache(config.preparedCacheSize);
    this.#keyspace = config.keyspace
      ? (config.keyspace.caseSensitive ? config.keyspace.name : config.keyspace.name.toLowerCase())
      : null;
    this.#runner = {
      cluster,
      retry: config.retryPolicy ?? new DefaultRetryPolicy(),
      loadBalancing: new TokenAwarePolicy(new DcAwareRoundRobinPolicy()) as LoadBalancingPolicy,
      onSent: (host) => host.sent++,
      speculative: config.speculativeExecution,
    };
  }

  /**
   * Connects with default settings to the given `"host:port"` contact points.
   * @throws {TypeError} a contact point is malformed
   * @throws {ConnectionError} no node could be reached
   */
  static connect(nodes: string[]): Promise<Session> {
    return new SessionBuilder().knownNodes(nodes).build();
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
   * @throws {TypeError} a value does not fit its column; nothing was sent
   * @throws {ScyllaError} the cluster failed the request
   */
  async query(q: Query, values?: Values, options?: CallOptions): Promise<QueryResult> {
    this.#checkOpen();
    expectInstance(q, Query, "query()");
    const cql = q.getContents();
    const info = values === undefined ? null : await this.#prepareCached(cql, options?.signal);
    return await this.#collect({ cql, info, options: q.options }, values, options?.signal);
  }

  /**
   * Prepares `cql` on the cluster.
   * @throws {ScyllaError} e.g. `CqlSyntaxError`, `InvalidQueryError`
   */
  async prepare(cql: string): Promise<PreparedStatement> {
    this.#checkOpen();
    const text = new Query(cql).getContents();
    const info = await this.#prepareCached(text);
    return new PreparedStatement(text, info);
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
      info: prepared.info,
      options: prepared.options,
    };
    return await this.#collect(runnable, values, options?.signal);
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
    const infos = await Promise.all(
      entries.map((e) =>
        e.kind === "prepared"
          ? e.prepared.info
          : this.#prepareCached(e.kind === "text" ? e.cql : e.query.getContents(), options?.signal)
      ),
    );
    const statements: BatchStatement[] = infos.map((info, i) => ({
      id: info.id,
      bindColumns: info.bindColumns,
      values: values[i] as BindValues,
    }));
    const o = batch.options;
    const params = {
      type: batch.typeCode,
      statements,
      consistency: o.consistency ?? this.#config.defaultConsistency,
      serialConsistency: o.serialConsistency,
      timestamp: o.timestamp,
      tracing: o.tracing,
    };
    const message = await this.#run({
      encode: (w) => appendBatch(w, params),
      decode: decodeAny,
      idempotent: o.idempotent,
      timeoutMs: o.timeoutMs ?? this.#config.requestTimeoutMs,
      signal: options?.signal,
      routing: infos.length > 0
        ? routingFor(
          infos[0],
          values[0],
          statementText(entries[0]),
          this.#cluster.lwtMask,
          this.#cluster.routingMatters,
        )
        : undefined,
      reprepare: (c) => this.#reprepareAll(c, entries.map((e, i) => [e, infos[i]] as const)),
    });
    return new QueryResult(await this.#toResult(message.body, message.result));
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
    let runnable: Promise<Runnable> | undefined;
    const fetch = async (pagingState: Uint8Array | null) => {
      this.#checkOpen();
      runnable ??= this.#runnable(statement, values, signal);
      return this.#page(await runnable, values, pagingState, signal);
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
    // Check on one node first, so a bad name changes nothing.
    const message = await this.#run({
      encode: (w) => appendQuery(w, `USE ${ident}`, { consistency: 1, pageSize: 0 }),
      decode: decodeAny,
      idempotent: true,
      timeoutMs: this.#config.requestTimeoutMs,
    });
    if (message.result.kind !== "set_keyspace") {
      throw new ProtocolError(`USE answered with a ${message.result.kind} result`);
    }
    await this.#switchKeyspace(message.result.keyspace);
  }

  /**
   * Resolves `true` once all live nodes report one schema version.
   * @throws {RequestTimeoutError} no agreement within the schema-agreement timeout
   */
  async awaitSchemaAgreement(): Promise<boolean> {
    this.#checkOpen();
    return await this.#cluster.awaitSchemaAgreement(this.#config.schemaAgreementTimeoutMs);
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
    return this.#keyspace;
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

  async #runnable(
    statement: string | Query | PreparedStatement,
    values: Values | undefined,
    signal?: AbortSignal,
  ): Promise<Runnable> {
    if (statement instanceof PreparedStatement) {
      return { cql: statement.getStatement(), info: statement.info, options: statement.options };
    }
    const q = typeof statement === "string" ? new Query(statement) : statement;
    if (!(q instanceof Query)) {
      throw new TypeError("statement must be a CQL string, a Query or a PreparedStatement");
    }
    const cql = q.getContents();
    const info = values === undefined ? null : await this.#prepareCached(cql, signal);
    return { cql, info, options: q.options };
  }

  /** Fetches pages until the last one and merges them into one result. */
  async #collect(r: Runnable, values: Values | undefined, signal?: AbortSignal) {
    const first = await this.#page(r, values, r.options.pagingState, signal);
    // A caller who set a paging state (even null, to start) pages by hand: one page per call.
    if (first.pagingState === null || r.options.manualPaging) {
      return new QueryResult(first);
    }
    let page = first;
    while (page.pagingState !== null) {
      page = await this.#page(r, values, page.pagingState, signal);
      for (const row of page.rows) first.rows.push(row);
      if (page.warnings.length) first.warnings = [...first.warnings, ...page.warnings];
    }
    first.pagingState = null;
    return new QueryResult(first);
  }

  async #page(
    r: Runnable,
    values: Values | undefined,
    pagingState: Uint8Array | null,
    signal?: AbortSignal,
  ): Promise<QueryResultInit> {
    const o = r.options;
    const params: QueryParameters = {
      consistency: o.consistency ?? this.#config.defaultConsistency,
      bindColumns: r.info?.bindColumns,
      values: values as BindValues,
      // Not skipping metadata: in v4 a table change (ALTER ... ADD) keeps the statement id but
      // changes its columns, and only the metadata in each answer tells. The cache makes
      // reading unchanged metadata a byte compare.
      skipMetadata: false,
      pageSize: o.pageSize === DEFAULT_PAGE_SIZE ? this.#config.pageSize : o.pageSize,
      pagingState,
      serialConsistency: o.serialConsistency,
      timestamp: o.timestamp,
      tracing: o.tracing,
    };
    const info = r.info;
    const known = info?.resultColumns;
    const message = await this.#run({
      encode: info === null
        ? (w) => appendQuery(w, r.cql, params)
        : (w) => appendExecute(w, info.id, params),
      decode: (op, body) =>
        decodeWith(op, body, known, info === null ? undefined : metadataCache(info)),
      idempotent: o.idempotent,
      timeoutMs: o.timeoutMs ?? this.#config.requestTimeoutMs,
      signal,
      routing: info === null
        ? { keyspace: this.#keyspace }
        : routingFor(info, values, r.cql, this.#cluster.lwtMask, this.#cluster.routingMatters),
      reprepare: info === null ? undefined : (c) => this.#reprepare(c, r.cql, info),
    });
    return await this.#toResult(message.body, message.result);
  }

  #run<T>(spec: RequestSpec<T>): Promise<T> {
    this.#checkOpen();
    if (spec.signal?.aborted) return Promise.reject(spec.signal.reason);
    return runRequest(this.#runner, spec);
  }

  /**
   * Turns a decoded RESULT into result data, acting on keyspace and schema
   * changes first; synchronous for everything else (the hot path).
   */
  #toResult(body: BodyMeta, result: ResultMessage): QueryResultInit | Promise<QueryResultInit> {
    if (result.kind === "set_keyspace") {
      return this.#switchKeyspace(result.keyspace).then(() => resultInit(body, result));
    }
    if (result.kind === "schema_change") {
      return this.#afterSchemaChange(result.keyspace).then(() => resultInit(body, result));
    }
    return resultInit(body, result);
  }

  async #switchKeyspace(keyspace: string): Promise<void> {
    const ident = keyspaceIdentifier(keyspace, true);
    this.#keyspace = keyspace;
    this.#cluster.setKeyspace(ident);
    const all: Promise<void>[] = [];
    for (const h of this.#cluster.hosts.values()) {
      for (const c of h.pool.connections()) {
        if (c.keyspace !== keyspace) {
          all.push(useKeyspaceOn(c, ident, this.#config.requestTimeoutMs).catch(() => c.close()));
        }
      }
    }
    await Promise.all(all);
  }

  /** DDL is visible cluster-wide only once every node agrees on the schema. */
  async #afterSchemaChange(keyspace: string): Promise<void> {
    try {
      await this.#cluster.awaitSchemaAgreement(this.#config.schemaAgreementTimeoutMs);
      await this.#cluster.refreshSchema(keyspace);
    } catch (e) {
      if (!(e instanceof RequestTimeoutError || e instanceof ConnectionError)) throw e;
      this.#config.logger?.({ level: "warn", message: `after schema change: ${e.message}` });
    }
  }

  #prepareCached(cql: string, signal?: AbortSignal): Promise<PreparedInfo> {
    const key = `${this.#keyspace ?? ""}\u0000${cql}`;
    return this.#prepared.get(key, async () => {
      const info = await this.#run({
        encode: (w) => appendPrepare(w, cql),
        decode: decodePrepared,
        idempotent: true,
        timeoutMs: this.#config.requestTimeoutMs,
        signal,
      });
      await this.#prepareOnOtherNodes(cql);
      return info;
    });
  }

  /**
   * Prepares on every other live node too, as the DataStax drivers do: else
   * each node answers its first EXECUTE with UNPREPARED and a re-prepare.
   * Failures are left to that lazy path.
   */
  async #prepareOnOtherNodes(cql: string): Promise<void> {
    const hosts = [...this.#cluster.hosts.values()];
    if (hosts.length < 2) return;
    await Promise.allSettled(hosts.map((h) => {
      const c = h.pool.pick();
      return c?.send((w) => appendPrepare(w, cql), decodePrepared, {
        timeoutMs: this.#config.requestTimeoutMs,
      });
    }));
  }

  /** Prepares `cql` again on the connection that answered UNPREPARED. */
  async #reprepare(c: Connection, cql: string, info: PreparedInfo): Promise<void> {
    const fresh = await c.send((w) => appendPrepare(w, cql), decodePrepared, {
      timeoutMs: this.#config.requestTimeoutMs,
    });
    if (!sameBytes(fresh.id, info.id)) {
      throw new ProtocolError(`re-preparing "${cql}" gave a different statement id`);
    }
  }

  async #reprepareAll(
    c: Connection,
    entries: readonly (readonly [BatchEntry, PreparedInfo])[],
  ): Promise<void> {
    for (const [e, info] of entries) {
      await this.#reprepare(c, statementText(e), info);
    }
  }
}

/** Tracing id and warnings of a response. */
type BodyMeta = Pick<ResponseBody, "tracingId" | "warnings">;

const NO_COLUMNS: PreparedInfo["resultColumns"] = [];

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

function resultInit(body: BodyMeta, result: ResultMessage): QueryResultInit {
  const rows = result.kind === "rows" ? result : null;
  return {
    columns: rows?.columns ?? NO_COLUMNS,
    rows: rows?.rows ?? [],
    pagingState: rows?.pagingState ?? null,
    tracingId: body.tracingId,
    warnings: body.warnings,
  };
}

const metadataCaches = new WeakMap<PreparedInfo, MetadataCache>();

/** The column-spec cache of one prepared statement. */
function metadataCache(info: PreparedInfo): MetadataCache {
  let cache = metadataCaches.get(info);
  if (cache === undefined) {
    cache = { bytes: null, columns: info.resultColumns };
    metadataCaches.set(info, cache);
  }
  return cache;
}

function decodeWith(
  op: number,
  body: ResponseBody,
  known?: PreparedInfo["resultColumns"],
  cache?: MetadataCache,
) {
  if (op !== Opcode.RESULT) throw new ProtocolError(`expected RESULT, got opcode ${op}`);
  return {
    body: { tracingId: body.tracingId, warnings: body.warnings },
    result: decodeResult(body.reader, known, cache),
  };
}

function decodeAny(op: number, body: ResponseBody) {
  return decodeWith(op, body);
}

function decodePrepared(op: number, body: ResponseBody): PreparedInfo {
  const { result } = decodeWith(op, body);
  if (result.kind !== "prepared") throw new ProtocolError(`PREPARE answered with ${result.kind}`);
  const { kind: _kind, ...info } = result;
  return info;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
