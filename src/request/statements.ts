/**
 * Statements to requests: a page of a query or prepared statement, a batch,
 * or `USE`, each encoded, routed and decoded, then run by the executor.
 * @module
 */

import type { Host } from "../cluster/cluster.ts";
import { ProtocolError } from "../errors.ts";
import type { QueryResultInit } from "../result.ts";
import { routingFor, type RoutingInfo } from "../routing/routing_key.ts";
import {
  decodeTabletPayload,
  TABLETS_ROUTING_V1_PAYLOAD,
  TABLETS_ROUTING_V2_PAYLOAD,
  tabletVersionBlock,
} from "../routing/tablets.ts";
import type { StatementOptions } from "../statement/options.ts";
import type { PreparedMeta } from "../statement/prepared_meta.ts";
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
import { decodeAny, decodeWith } from "./responses.ts";

/** A statement ready to run: its text, prepared metadata (`null`: sent as text) and options. */
export interface Runnable {
  /** The CQL text. */
  readonly cql: string;
  /** Prepared metadata, or `null` for a QUERY without values. */
  readonly meta: PreparedMeta | null;
  /** The statement's own options. */
  readonly options: StatementOptions;
}

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
    finish?: (page: QueryResultInit) => R | Promise<R>,
  ): Promise<R> {
    // Not `async`: the executor finishes the page inside its own promise, one promise per
    // request fewer; what would have thrown still rejects.
    try {
      return this.#page(r, values, pagingState, o, finish);
    } catch (e) {
      return refused(e);
    }
  }

  #page<R>(
    r: Runnable,
    values: unknown,
    pagingState: Uint8Array | null,
    o: ResolvedOptions,
    finish: ((page: QueryResultInit) => R | Promise<R>) | undefined,
  ): Promise<R> {
    const params: QueryParameters = {
      consistency: o.consistency,
      bindColumns: r.meta?.info.bindColumns,
      values: values as BindValues,
      // Not skipping metadata: in v4 a table change (ALTER ... ADD) keeps the statement id but
      // changes its columns, and only the metadata in each answer tells. The cache makes
      // reading unchanged metadata a byte compare.
      skipMetadata: false,
      pageSize: o.pageSize,
      pagingState,
      serialConsistency: o.serialConsistency,
      timestamp: o.timestamp,
      tracing: o.tracing,
    };
    const meta = r.meta;
    const routing = meta === null
      ? { keyspace: r.options.keyspace ?? this.#keyspace.current }
      : this.#routing(meta, values);
    // v5: a QUERY names its keyspace; a prepared statement was prepared in it.
    if (meta === null && r.options.keyspace !== undefined) params.keyspace = r.options.keyspace;
    return this.#executor.execute({
      encode: meta === null
        ? (w, v) => appendQuery(w, r.cql, withVersion(params, v))
        : (w, v, m) => {
          // v5, or v4 with ScyllaDB's SCYLLA_USE_METADATA_ID: the id follows the statement id.
          params.metadataId = m === true;
          params.resultMetadataId = meta.resultMetadataId;
          if (this.#executor.cluster.tabletsRouting === 2) {
            // Tablets v2: every EXECUTE carries one 4-bit slice of the cached tablet version.
            params.tabletVersionBlock = tabletVersionBlock(routing.tablet?.version, this.#block++);
            this.#block &= 15;
          }
          appendExecute(w, meta.info.id, withVersion(params, v));
        },
      decode: meta === null ? decodeAny : (op, body) => {
        const decoded = decodeWith(op, body, meta.resultColumns, meta.metadataCache);
        if (body.customPayload !== null) this.#learnTablet(meta, body.customPayload);
        return decoded;
      },
      idempotent: o.idempotent,
      timeoutMs: o.requestTimeout,
      signal: o.signal,
      retryPolicy: o.retryPolicy,
      speculativeExecution: o.speculativeExecution,
      routing,
      reprepare: meta === null ? undefined : (c) => this.#prepared.reprepare(c, meta),
    }, (message, coordinator) => {
      const result = message.result;
      // v5 (or v4 with SCYLLA_USE_METADATA_ID): the server says when the prepared result
      // columns changed (ALTER TABLE … ADD); the new columns are in this answer and in the
      // metadata cache.
      if (meta !== null && result.kind === "rows" && result.newMetadataId !== undefined) {
        meta.resultMetadataId = result.newMetadataId;
      }
      return answeredBy(
        this.#keyspace.toResult(message.body, result),
        coordinator,
        finish ?? (asIs as (page: QueryResultInit) => R),
      );
    });
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
      (message, coordinator) =>
        answeredBy(this.#keyspace.toResult(message.body, message.result), coordinator, finish),
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
  #learnTablet(meta: PreparedMeta, payload: ReadonlyMap<string, Uint8Array | null>): void {
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

/** `page` with the address of the node that answered it, passed through `finish`. */
function answeredBy<R>(
  page: QueryResultInit | Promise<QueryResultInit>,
  coordinator: Host,
  finish: (page: QueryResultInit) => R | Promise<R>,
): R | Promise<R> {
  if (page instanceof Promise) return page.then((p) => answeredBy(p, coordinator, finish));
  page.coordinator = coordinator.pool.address;
  return finish(page);
}

function asIs(page: QueryResultInit): QueryResultInit {
  return page;
}

/**
 * The parameters set to the connection's protocol version. Connections of one
 * session speak one version, so this changes the object at most once.
 */
function withVersion<P extends { protocolVersion?: number }>(p: P, v: number): P {
  p.protocolVersion = v;
  return p;
}
