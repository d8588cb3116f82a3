/**
 * The request layer as the session sees it: one object that owns option
 * resolution, the prepared-statement cache, the keyspace and the statement
 * runner, and turns a statement plus values into a result or a row stream.
 * @module
 */

import type { Cluster } from "../cluster/cluster.ts";
import type { SessionConfig } from "../config.ts";
import { DcAwareRoundRobinPolicy } from "../policies/load_balancing.ts";
import { DefaultRetryPolicy } from "../policies/retry.ts";
import { TokenAwarePolicy } from "../policies/token_aware.ts";
import { QueryResult, type Row } from "../result.ts";
import { type Batch, batchEntryText } from "../statement/batch.ts";
import { DEFAULT_PAGE_SIZE, DEFAULT_STATEMENT_OPTIONS } from "../statement/options.ts";
import { PreparedStatement } from "../statement/prepared.ts";
import { Query } from "../statement/query.ts";
import { RequestExecutor } from "./executor.ts";
import { KeyspaceTracker } from "./keyspace.ts";
import { remainingPages, RowStream } from "./pager.ts";
import { PreparedCache } from "./prepared_cache.ts";
import { type CallOptions, OptionsResolver, type ResolvedOptions } from "./resolve.ts";
import { type Runnable, StatementRunner } from "./statements.ts";

/** What the session may run: CQL text, a `Query` or a `PreparedStatement`. */
export type Statement = string | Query | PreparedStatement;

/** Runs statements for one session. */
export class Requests {
  readonly #resolver: OptionsResolver;
  readonly #prepared: PreparedCache;
  readonly #keyspace: KeyspaceTracker;
  readonly #statements: StatementRunner;

  /** Wires the request layer for `cluster` with the session's settings. */
  constructor(cluster: Cluster, config: SessionConfig) {
    this.#resolver = new OptionsResolver({
      consistency: config.defaultConsistency,
      pageSize: DEFAULT_PAGE_SIZE,
      requestTimeout: config.requestTimeout,
      retryPolicy: config.retryPolicy ?? new DefaultRetryPolicy(),
      speculativeExecution: config.speculativeExecution,
    }, config.executionProfiles);
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

  /** The keyspace connections use, or `null`. */
  get keyspace(): string | null {
    return this.#keyspace.current;
  }

  /** Every row of `statement`, or one page when it pages by hand. */
  all(statement: Statement, values: unknown, call?: CallOptions): Promise<QueryResult> {
    // A prepared statement is ready at once: no extra promise on the hot path.
    if (statement instanceof PreparedStatement) {
      return this.#allOf(preparedRunnable(statement), values, call);
    }
    return this.#runnable(statement, values, call?.signal).then((r) =>
      this.#allOf(r, values, call)
    );
  }

  #allOf(r: Runnable, values: unknown, call?: CallOptions): Promise<QueryResult> {
    const resolved = this.#resolver.resolve(r.options, call);
    const o = r.options;
    return this.#statements.page(r, values, o.pagingState, resolved).then((first) =>
      // A caller who set a paging state (even null, to start) pages by hand: one page per call.
      first.pagingState === null || o.manualPaging
        ? new QueryResult(first)
        : remainingPages(first, (state) => this.#statements.page(r, values, state, resolved))
    );
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
      return this.#statements.page(runnable, values, pagingState, resolved);
    };
    const start = statement instanceof Query || statement instanceof PreparedStatement
      ? statement.options.pagingState
      : null;
    return new RowStream(fetch, start, call?.signal);
  }

  /** Prepares `cql` (cached per keyspace and text). */
  async prepare(cql: string): Promise<PreparedStatement> {
    return new PreparedStatement(await this.#prepared.get(cql, this.#keyspace.current));
  }

  /** Runs `batch` with one value set per statement (counts already checked). */
  async batch(batch: Batch, values: readonly unknown[], call?: CallOptions): Promise<QueryResult> {
    const resolved = this.#resolver.resolve(batch.options, call);
    const metas = await Promise.all(
      batch.statements.map((e) =>
        e.kind === "prepared"
          ? e.prepared.meta
          : this.#prepared.get(batchEntryText(e), this.#keyspace.current, call?.signal)
      ),
    );
    const entries = metas.map((meta, i) => ({ meta, values: values[i] }));
    return new QueryResult(await this.#statements.batch(batch.typeCode, entries, resolved));
  }

  /** Switches every pooled connection to the keyspace `ident` (a CQL identifier). */
  async use(ident: string): Promise<void> {
    await this.#statements.use(ident, this.#resolver.resolve(DEFAULT_STATEMENT_OPTIONS));
  }

  /**
   * A statement ready to run. A prepared statement runs as it is; a query runs as text without
   * values, and with values it is prepared (cached) first.
   * @throws {TypeError} not a CQL string, `Query` or `PreparedStatement`
   */
  async #runnable(statement: Statement, values: unknown, signal?: AbortSignal): Promise<Runnable> {
    if (statement instanceof PreparedStatement) return preparedRunnable(statement);
    const q = typeof statement === "string" ? new Query(statement) : statement;
    if (!(q instanceof Query)) {
      throw new TypeError("statement must be a CQL string, a Query or a PreparedStatement");
    }
    const cql = q.getContents();
    const meta = values === undefined
      ? null
      : await this.#prepared.get(cql, this.#keyspace.current, signal);
    return { cql, meta, options: q.options };
  }
}

function preparedRunnable(p: PreparedStatement): Runnable {
  return { cql: p.getStatement(), meta: p.meta, options: p.options };
}
