/**
 * The request layer as the session sees it: one object that owns option
 * resolution, the prepared-statement cache, the keyspace and the statement
 * runner, and turns a statement plus values into a result or a row stream.
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import type { SessionConfig } from "../config.ts";
import { routingPolicy } from "../builder_checks.ts";
import { DcAwareRoundRobinPolicy } from "../policies/load_balancing.ts";
import { DefaultRetryPolicy } from "../policies/retry.ts";
import { TokenAwarePolicy } from "../policies/token_aware.ts";
import { type MetricsSnapshot, SessionMetrics, snapshotOf } from "../observability/metrics.ts";
import { combineObservers, type RequestObserver } from "../observability/observer.ts";
import { OtelObserver } from "../observability/otel.ts";
import { TrackerObserver } from "../observability/tracker.ts";
import type { PreparedMeta } from "../statement/prepared_meta.ts";
import { QueryResult, type QueryResultInit, type Row } from "../result.ts";
import { type Batch, batchEntryText } from "../statement/batch.ts";
import { DEFAULT_PAGE_SIZE, DEFAULT_STATEMENT_OPTIONS } from "../statement/options.ts";
import { PreparedStatement } from "../statement/prepared.ts";
import { Query } from "../statement/query.ts";
import { RequestExecutor } from "./executor.ts";
import { refused } from "./refused.ts";
import { KeyspaceTracker } from "./keyspace.ts";
import { remainingPages, RowStream } from "./pager.ts";
import { PreparedCache } from "./prepared_cache.ts";
import { type CallOptions, OptionsResolver, type ResolvedOptions } from "./resolve.ts";
import type { Runnable } from "../statement/prepared.ts";
import { type PageFinish, StatementRunner } from "./statements.ts";

/** What the session may run: CQL text, a `Query` or a `PreparedStatement`. */
export type Statement = string | Query | PreparedStatement;

/** Runs statements for one session. */
export class Requests {
  readonly #resolver: OptionsResolver;
  readonly #prepared: PreparedCache;
  readonly #keyspace: KeyspaceTracker;
  readonly #statements: StatementRunner;
  readonly #executor: RequestExecutor;
  readonly #metrics: SessionMetrics | null;
  readonly #cluster: Cluster;

  /** Wires the request layer for `cluster` with the session's settings. */
  constructor(cluster: Cluster, config: SessionConfig) {
    this.#cluster = cluster;
    this.#resolver = new OptionsResolver({
      consistency: config.defaultConsistency,
      pageSize: DEFAULT_PAGE_SIZE,
      requestTimeout: config.requestTimeout,
      retryPolicy: config.retryPolicy ?? new DefaultRetryPolicy(),
      speculativeExecution: config.speculativeExecution,
    }, config.executionProfiles);
    const observers: RequestObserver[] = [];
    this.#metrics = config.metrics ? new SessionMetrics() : null;
    if (this.#metrics !== null) observers.push(this.#metrics);
    if (config.requestTracker !== null) {
      const log = config.logger;
      observers.push(
        new TrackerObserver(
          config.requestTracker,
          (message, error) => log?.({ level: "warn", message, error }),
        ),
      );
    }
    const otel = config.openTelemetry;
    if (otel?.api) observers.push(new OtelObserver(otel.api, otel, cluster));
    const executor = this.#executor = new RequestExecutor(
      cluster,
      routingPolicy(config) ?? new TokenAwarePolicy(new DcAwareRoundRobinPolicy()),
      combineObservers(observers),
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

  /** The keyspace connections use, or `null`. */
  get keyspace(): string | null {
    return this.#keyspace.current;
  }

  /** Every row of `statement`, or one page when it pages by hand. */
  all(statement: Statement, values: unknown, call?: CallOptions): Promise<QueryResult> {
    // A prepared statement is ready at once: no extra promise on the hot path.
    if (statement instanceof PreparedStatement) {
      return this.#allOf(statement.runnable, values, call);
    }
    return this.#runnable(statement, values, call?.signal).then((r) =>
      this.#allOf(r, values, call)
    );
  }

  #allOf(r: Runnable, values: unknown, call?: CallOptions): Promise<QueryResult> {
    const resolved = this.#resolver.resolve(r.options, call);
    // The first page is finished inside the request's own promise: no further promise per call.
    return this.#page(r, values, r.options.pagingState, resolved, this.#firstPage);
  }

  /**
   * The result of a statement's first page: every row (the next pages fetched), or that page
   * alone when the caller set a paging state (even null, to start): paging by hand.
   */
  readonly #firstPage: PageFinish<QueryResult> = (first, request) =>
    first.pagingState === null || request.runnable.options.manualPaging
      ? new QueryResult(first)
      : remainingPages(
        first,
        (state) => this.#page(request.runnable, request.values, state, request.resolved),
      );

  /**
   * One page of `r` (passed through `finish` when given), its kind and options
   * told to the executor first (see `prime`).
   */
  #page<R = QueryResultInit>(
    r: Runnable,
    values: unknown,
    state: Uint8Array | null,
    resolved: ResolvedOptions,
    finish?: PageFinish<R>,
  ): Promise<R> {
    const ex = this.#executor;
    ex.prime(r.meta === null ? "query" : "execute", r.cql, this.keyspace, r.meta, resolved);
    try {
      return this.#statements.page(r, values, state, resolved, finish);
    } finally {
      ex.unprime();
    }
  }

  /** Prepares `cql` (cached), telling the executor it is a PREPARE. */
  #prepare(cql: string, signal?: AbortSignal, statementKeyspace?: string): Promise<PreparedMeta> {
    const ex = this.#executor;
    ex.prime("prepare", cql, statementKeyspace ?? this.keyspace, null, null);
    try {
      return this.#prepared.get(cql, this.#keyspace.current, signal, statementKeyspace);
    } finally {
      ex.unprime();
    }
  }

  /**
   * The session's metrics now (counters zero when metrics are off); connections
   * and requests in flight per node either way.
   */
  metrics(): MetricsSnapshot {
    const hosts = this.#cluster.hosts.values();
    return this.#metrics?.snapshot(hosts) ?? snapshotOf(null, hosts);
  }

  /** Rows of `statement`, fetching each page when the previous one is used up. */
  stream(
    statement: Statement,
    values: unknown,
    call: CallOptions | undefined,
    checkOpen: () => void,
  ): AsyncIterable<Row> {
    let ready: Promise<[Runnable, ResolvedOptions]> | undefined;
    const fetch = async (pagingState: Uint8Array | null) => {
      checkOpen();
      ready ??= this.#runnable(statement, values, call?.signal).then((r) => [
        r,
        this.#resolver.resolve(r.options, call),
      ]);
      const [runnable, resolved] = await ready;
      return this.#page(runnable, values, pagingState, resolved);
    };
    const start = statement instanceof Query || statement instanceof PreparedStatement
      ? statement.options.pagingState
      : null;
    return new RowStream(fetch, start, call?.signal);
  }

  /** Prepares `cql` (cached per keyspace and text). */
  async prepare(cql: string): Promise<PreparedStatement> {
    return new PreparedStatement(await this.#prepare(cql));
  }

  /** Runs `batch` with one value set per statement (counts already checked). */
  batch(batch: Batch, values: readonly unknown[], call?: CallOptions): Promise<QueryResult> {
    // Not `async`: a batch of prepared statements, the usual case, needs no promise of its own.
    try {
      const resolved = this.#resolver.resolve(batch.options, call);
      const known = this.#batchMetas(batch, call?.signal);
      return Array.isArray(known)
        ? this.#batchOf(batch.typeCode, known, values, resolved)
        : known.then((metas) => this.#batchOf(batch.typeCode, metas, values, resolved));
    } catch (e) {
      return refused(e);
    }
  }

  #batchOf(
    typeCode: number,
    metas: PreparedMeta[],
    values: readonly unknown[],
    resolved: ResolvedOptions,
  ): Promise<QueryResult> {
    const entries = metas.map((meta, i) => ({ meta, values: values[i] }));
    const ex = this.#executor;
    // The statements' text is only read into a request's description: no string building otherwise.
    const text = ex.describesRequests ? metas.map((m) => m.cql).join("; ") : "";
    ex.prime("batch", text, this.keyspace, metas[0] ?? null, resolved);
    try {
      return this.#statements.batch(typeCode, entries, resolved, toQueryResult);
    } finally {
      ex.unprime();
    }
  }

  /**
   * The prepared metadata of each statement of `batch`; texts are prepared
   * (cached). A batch of prepared statements only, the usual case, awaits nothing.
   */
  #batchMetas(batch: Batch, signal?: AbortSignal): PreparedMeta[] | Promise<PreparedMeta[]> {
    const entries = batch.statements;
    const metas: PreparedMeta[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i];
      if (e.kind !== "prepared") {
        return Promise.all(
          entries.map((e) =>
            e.kind === "prepared" ? e.prepared.meta : this.#prepare(batchEntryText(e), signal)
          ),
        );
      }
      metas[i] = e.prepared.meta;
    }
    return metas;
  }

  /** Switches every pooled connection to the keyspace `ident` (a CQL identifier). */
  async use(ident: string): Promise<void> {
    const ex = this.#executor;
    ex.prime("query", `USE ${ident}`, this.keyspace, null, null);
    let done: Promise<void>;
    try {
      done = this.#statements.use(ident, this.#resolver.resolve(DEFAULT_STATEMENT_OPTIONS));
    } finally {
      ex.unprime();
    }
    await done;
  }

  /**
   * A statement ready to run. A prepared statement runs as it is; a query runs as text without
   * values, and with values it is prepared (cached) first.
   * @throws {TypeError} not a CQL string, `Query` or `PreparedStatement`
   */
  async #runnable(statement: Statement, values: unknown, signal?: AbortSignal): Promise<Runnable> {
    if (statement instanceof PreparedStatement) return statement.runnable;
    const q = typeof statement === "string" ? new Query(statement) : statement;
    if (!(q instanceof Query)) {
      throw new TypeError("statement must be a CQL string, a Query or a PreparedStatement");
    }
    const cql = q.getContents();
    const keyspace = q.options.keyspace;
    if (keyspace !== undefined && this.#cluster.protocolVersion < 5) {
      throw new TypeError(
        `Query.withKeyspace needs protocol v5; this session speaks v${this.#cluster.protocolVersion}`,
      );
    }
    const meta = values === undefined ? null : await this.#prepare(cql, signal, keyspace);
    return { cql, meta, options: q.options };
  }
}

/** The result of a batch's answer. */
function toQueryResult(page: QueryResultInit): QueryResult {
  return new QueryResult(page);
}
