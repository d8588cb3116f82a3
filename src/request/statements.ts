/**
 * Statements to requests: a page of a query or prepared statement, a batch,
 * or `USE`, each encoded, routed and decoded, then run by the executor.
 * @module
 */

import type { Host } from "../cluster/cluster.ts";
import type { Connection } from "../pool/connection.ts";
import type { RetryPolicy } from "../policies/retry.ts";
import type { SpeculativeExecutionPolicy } from "../policies/speculative.ts";
import type { Writer } from "../wire/bytes.ts";
import type { ColumnSpec } from "../wire/metadata.ts";
import type { ResponseBody } from "../wire/responses/envelope.ts";
import type { RequestSpec } from "./request_spec.ts";
import { ProtocolError } from "../errors.ts";
import type { QueryResultInit } from "../result.ts";
import { routingFor, type RoutingInfo } from "../routing/routing_key.ts";
import {
  decodeTabletPayload,
  TABLETS_ROUTING_V1_PAYLOAD,
  TABLETS_ROUTING_V2_PAYLOAD,
  tabletVersionBlock,
} from "../routing/tablets.ts";
import { type PreparedMeta, type ResultShape, resultShape } from "../statement/prepared_meta.ts";
import { appendBatch, type BatchParameters, type BatchStatement } from "../wire/requests/batch.ts";
import {
  appendExecute,
  appendQuery,
  type BindValues,
  type QueryParameters,
} from "../wire/requests/query.ts";
import type { RequestExecutor } from "./executor.ts";
import { refused } from "./refused.ts";
import type { KeyspaceTracker } from "./keyspace.ts";
import type { PreparedCache } from "./prepared_cache.ts";
import type { ResolvedOptions } from "./resolve.ts";
import { decodeAny, type DecodedResult, decodeWith } from "./responses.ts";
import type { Runnable } from "../statement/prepared.ts";

/** One statement of a batch, prepared, with its values. */
export interface PreparedBatchEntry {
  /** The prepared statement. */
  readonly meta: PreparedMeta;
  /** Its values. */
  readonly values: unknown;
}

/** Encodes statements into requests and runs them. */
export class StatementRunner {
  readonly #executor: RequestExecutor;
  readonly #prepared: PreparedCache;
  readonly #keyspace: KeyspaceTracker;
  /** Rotates the tablets v2 `tablet_version_block` index over 0..15. */
  #block = 0;

  constructor(executor: RequestExecutor, prepared: PreparedCache, keyspace: KeyspaceTracker) {
    this.#executor = executor;
    this.#prepared = prepared;
    this.#keyspace = keyspace;
  }

  /**
   * Fetches the page of `r` bound to `values` that starts at `pagingState`,
   * passed through `finish` when given (`R` is then what `finish` makes).
   */
  page<R = QueryResultInit>(
    r: Runnable,
    values: unknown,
    pagingState: Uint8Array | null,
    o: ResolvedOptions,
    finish?: PageFinish<R>,
  ): Promise<R> {
    // Not `async`: the executor finishes the page inside its own promise, one promise per
    // request fewer; what would have thrown still rejects.
    try {
      const meta = r.meta;
      const routing = meta === null
        ? { keyspace: r.options.keyspace ?? this.#keyspace.current }
        : this.#routing(meta, values);
      const request = new PageRequest(
        this,
        r,
        values as BindValues,
        pagingState,
        o,
        routing,
        finish,
      );
      return this.#executor.execute(request, request);
    } catch (e) {
      return refused(e);
    }
  }

  /** The executor's cluster: how it routes with tablets. */
  get tabletsRouting(): number {
    return this.#executor.cluster.tabletsRouting;
  }

  /** The next tablets v2 `tablet_version_block` index, rotating over 0..15. */
  nextTabletBlock(): number {
    const block = this.#block;
    this.#block = (block + 1) & 15;
    return block;
  }

  /** Re-prepares `meta` on `c` (it answered UNPREPARED). */
  reprepare(c: Connection, meta: PreparedMeta): Promise<void> {
    return this.#prepared.reprepare(c, meta);
  }

  /** A page from a decoded answer (a `USE` or schema change is applied first). */
  toResult(decoded: DecodedResult): QueryResultInit | Promise<QueryResultInit> {
    return this.#keyspace.toResult(decoded);
  }

  /**
   * Runs a batch of prepared statements as one BATCH request, its answer passed
   * through `finish` inside the request's own promise.
   */
  batch<R>(
    typeCode: number,
    entries: readonly PreparedBatchEntry[],
    o: ResolvedOptions,
    finish: (page: QueryResultInit) => R,
  ): Promise<R> {
    const statements: BatchStatement[] = entries.map((e) => ({
      id: e.meta.info.id,
      bindColumns: e.meta.info.bindColumns,
      values: e.values as BindValues,
    }));
    const params: BatchParameters = {
      type: typeCode,
      statements,
      consistency: o.consistency,
      serialConsistency: o.serialConsistency,
      timestamp: o.timestamp,
      tracing: o.tracing,
    };
    return this.#executor.execute(
      {
        encode: (w, v) => appendBatch(w, withVersion(params, v)),
        decode: decodeAny,
        idempotent: o.idempotent,
        timeoutMs: o.requestTimeout,
        signal: o.signal,
        retryPolicy: o.retryPolicy,
        speculativeExecution: o.speculativeExecution,
        // Batches route by their first statement.
        routing: entries.length > 0 ? this.#routing(entries[0].meta, entries[0].values) : undefined,
        reprepare: async (c) => {
          for (const e of entries) await this.#prepared.reprepare(c, e.meta);
        },
      },
      {
        finish: (message, coordinator) =>
          answeredBy(
            this.#keyspace.toResult(message),
            coordinator,
            finish,
            undefined,
          ),
      },
    );
  }

  /**
   * Runs `USE ident` on one node, then switches every pooled connection.
   * @throws {InvalidQueryError} the keyspace does not exist; nothing was switched
   */
  async use(ident: string, o: ResolvedOptions): Promise<void> {
    // Check on one node first, so a bad name changes nothing.
    const message = await this.#executor.execute({
      encode: (w, protocolVersion) =>
        appendQuery(w, `USE ${ident}`, { consistency: 1, pageSize: 0, protocolVersion }),
      decode: decodeAny,
      idempotent: true,
      timeoutMs: o.requestTimeout,
      retryPolicy: o.retryPolicy,
    });
    if (message.result.kind !== "set_keyspace") {
      throw new ProtocolError(`USE answered with a ${message.result.kind} result`);
    }
    await this.#keyspace.switchTo(message.result.keyspace);
  }

  /**
   * Keeps the tablet a ScyllaDB node sent with its answer: the request went to
   * a node or shard that does not hold the data, and the tablet says which do.
   */
  learnTablet(meta: PreparedMeta, payload: ReadonlyMap<string, Uint8Array | null>): void {
    const cluster = this.#executor.cluster;
    const version = cluster.tabletsRouting;
    if (version === 0) return;
    const bytes = payload.get(
      version === 2 ? TABLETS_ROUTING_V2_PAYLOAD : TABLETS_ROUTING_V1_PAYLOAD,
    );
    const { keyspace, table } = meta.keyPlan;
    if (!bytes || keyspace === null || table === null) return;
    try {
      cluster.tablets.insert(keyspace, table, decodeTabletPayload(bytes, version));
    } catch {
      // A payload we cannot read only costs the extra hop it would have saved: the answer stands.
    }
  }

  #routing(meta: PreparedMeta, values: unknown): RoutingInfo {
    const cluster = this.#executor.cluster;
    return routingFor(
      meta.keyPlan,
      values,
      meta.info.flags,
      cluster.lwtMask,
      cluster.routingMatters,
    );
  }
}

/**
 * `page` with the address of the node that answered it, passed through `finish` with `arg` (what
 * the caller would otherwise capture in a closure per request).
 */
function answeredBy<R, A = undefined>(
  page: QueryResultInit | Promise<QueryResultInit>,
  coordinator: Host,
  finish: (page: QueryResultInit, arg: A) => R | Promise<R>,
  arg: A,
): R | Promise<R> {
  if (page instanceof Promise) return page.then((p) => answeredBy(p, coordinator, finish, arg));
  page.coordinator = coordinator.pool.address;
  return finish(page, arg);
}

function asIs<R>(page: QueryResultInit): R {
  return page as R;
}

/** What a page's answer becomes: `page` with its request, for what the caller needs of it. */
export type PageFinish<R> = (page: QueryResultInit, request: PageRequest<R>) => R | Promise<R>;

/**
 * One page of a statement as a request, in one object: its QUERY or EXECUTE
 * parameters, how it is encoded, decoded, re-prepared and routed, and what its
 * answer becomes. Closures per request would cost the hot path an allocation each.
 */
export class PageRequest<R = QueryResultInit>
  implements RequestSpec<DecodedResult>, QueryParameters {
  // Set as the request is encoded for a connection (QueryParameters).
  protocolVersion = 4;
  metadataId = false;
  resultMetadataId: Uint8Array | null | undefined = undefined;
  skipMetadata = false;
  tabletVersionBlock: number | undefined = undefined;
  /**
   * The result columns and id its EXECUTE names, taken at the first encode and kept for retries
   * and speculative executions: an answer without metadata is in these columns even when
   * another answer has meanwhile told of new ones.
   */
  #shape: ResultShape | null = null;
  /** The runner that made it. */
  readonly #runner: StatementRunner;
  readonly #then: PageFinish<R> | undefined;

  /**
   * The options are read through getters, not copied: a request is made per call, and most of
   * its parameters are the statement's, resolved once.
   * @param runner the statement runner (tablets, re-prepare, keyspace tracking)
   * @param runnable the statement
   * @param values its values
   * @param pagingState where the page starts
   * @param resolved the request's options
   * @param routing where its data lives
   * @param then what the page becomes (the page itself when absent)
   */
  constructor(
    runner: StatementRunner,
    readonly runnable: Runnable,
    readonly values: BindValues,
    readonly pagingState: Uint8Array | null,
    readonly resolved: ResolvedOptions,
    readonly routing: RoutingInfo,
    then: PageFinish<R> | undefined,
  ) {
    this.#runner = runner;
    this.#then = then;
  }

  // QUERY / EXECUTE parameters (QueryParameters).
  /** Consistency code. */
  get consistency(): number {
    return this.resolved.consistency;
  }
  /** The prepared statement's bind markers; `undefined` for a QUERY (sent as text, no values). */
  get bindColumns(): readonly ColumnSpec[] | undefined {
    return this.runnable.meta?.info.bindColumns;
  }
  /** Rows per page. */
  get pageSize(): number {
    return this.resolved.pageSize;
  }
  /** Serial consistency code, for LWT. */
  get serialConsistency(): number | undefined {
    return this.resolved.serialConsistency;
  }
  /** Client-side write timestamp, µs. */
  get timestamp(): bigint | undefined {
    return this.resolved.timestamp;
  }
  /** Whether the server traces the request. */
  get tracing(): boolean {
    return this.resolved.tracing;
  }
  /** v5: a QUERY names its keyspace; a prepared statement was prepared in it. */
  get keyspace(): string | undefined {
    return this.runnable.meta === null ? this.runnable.options.keyspace : undefined;
  }

  // The request (RequestSpec).
  /** Whether re-sending is safe. */
  get idempotent(): boolean {
    return this.resolved.idempotent;
  }
  /** Client-side deadline per attempt. */
  get timeoutMs(): number {
    return this.resolved.requestTimeout;
  }
  /** The caller's cancellation. */
  get signal(): AbortSignal | undefined {
    return this.resolved.signal;
  }
  /** What a failed attempt leads to. */
  get retryPolicy(): RetryPolicy {
    return this.resolved.retryPolicy;
  }
  /** Further executions while the first is slow. */
  get speculativeExecution(): SpeculativeExecutionPolicy | null | undefined {
    return this.resolved.speculativeExecution;
  }

  /** Appends the QUERY or EXECUTE frame (see `RequestSpec.encode`). */
  encode(w: Writer, version: number, metadataId?: boolean): void {
    this.protocolVersion = version;
    const meta = this.runnable.meta;
    if (meta === null) return appendQuery(w, this.runnable.cql, this);
    // v5, or v4 with ScyllaDB's SCYLLA_USE_METADATA_ID: the id follows the statement id.
    this.metadataId = metadataId === true;
    const shape = this.#shape ??= meta.result;
    this.resultMetadataId = shape.id;
    this.skipMetadata = this.metadataId && shape.skippable;
    if (this.#runner.tabletsRouting === 2) {
      // Tablets v2: every EXECUTE carries one 4-bit slice of the cached tablet version.
      this.tabletVersionBlock = tabletVersionBlock(
        this.routing.tablet?.version,
        this.#runner.nextTabletBlock(),
      );
    }
    appendExecute(w, meta.info.id, this);
  }

  /** Decodes the RESULT, with the prepared statement's columns and metadata cache. */
  decode(opcode: number, body: ResponseBody): DecodedResult {
    const meta = this.runnable.meta;
    if (meta === null) return decodeAny(opcode, body);
    const decoded = decodeWith(
      opcode,
      body,
      (this.#shape ?? meta.result).columns,
      meta.metadataCache,
    );
    const result = decoded.result;
    // The server says the columns changed (ALTER TABLE … ADD) and sent them with their new id:
    // later EXECUTEs name that id, so it skips them again.
    if (result.kind === "rows" && result.newMetadataId !== undefined) {
      meta.result = resultShape(result.newMetadataId, result.columns);
    }
    if (body.customPayload !== null) this.#runner.learnTablet(meta, body.customPayload);
    return decoded;
  }

  /** Re-prepares the statement on `c`, which answered UNPREPARED. */
  reprepare(c: Connection): Promise<void> {
    const meta = this.runnable.meta;
    return meta === null
      ? Promise.reject(new ProtocolError("UNPREPARED for a statement sent as text"))
      : this.#runner.reprepare(c, meta);
  }

  /** The page from the winning answer, passed through `then`. */
  finish(decoded: DecodedResult, coordinator: Host): R | Promise<R> {
    return answeredBy<R, this>(
      this.#runner.toResult(decoded),
      coordinator,
      this.#then ?? asIs<R>,
      this,
    );
  }
}

/**
 * The parameters set to the connection's protocol version. Connections of one
 * session speak one version, so this changes the object at most once.
 */
function withVersion<P extends { protocolVersion?: number }>(p: P, v: number): P {
  p.protocolVersion = v;
  return p;
}
