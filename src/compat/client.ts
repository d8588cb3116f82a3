/**
 * `Client`, shaped like `cassandra-driver`'s: `connect`, `execute`, `eachRow`,
 * `stream`, `batch`, `shutdown` (promise or callback), `metadata`, `hosts`,
 * `keyspace` and `log` events — a thin adapter over one `Session`.
 * @module
 */

import type { Session } from "../session.ts";
import { Batch, type BatchType } from "../statement/batch.ts";
import { Query } from "../statement/query.ts";
import type { QueryResult } from "../result.ts";
import type { CqlType, UdtType } from "../wire/cql_type.ts";
import { parseType } from "../wire/cql_type_text.ts";
import {
  builderFor,
  type ClientOptions,
  consistencyName,
  type QueryOptions,
} from "./client_options.ts";
import { paramsToNative } from "./convert.ts";
import { Emitter } from "./emitter.ts";
import { toCompatError } from "./errors.ts";
import { HostMap, hostsOf, Metadata } from "./metadata.ts";
import { type ColumnInfo, ResultSet, type Row, toRows, typeCode } from "./result_set.ts";
import { ResultStream } from "./row_stream.ts";
import { Uuid } from "./uuid.ts";
import type { SessionBuilder } from "../session_builder.ts";

/** A node-style callback. */
// deno-lint-ignore no-explicit-any
export type Callback<T = any> = (err: Error | null, result?: T) => void;

/** Parameters: by position or by name. */
export type Params = unknown[] | Record<string, unknown> | null | undefined;

const ACCEPTED = new Set([
  "prepare",
  "consistency",
  "serialConsistency",
  "fetchSize",
  "pageState",
  "autoPage",
  "isIdempotent",
  "hints",
  "timestamp",
  "traceQuery",
  "readTimeout",
  "logged",
  "counter",
  "captureStackTrace",
  "routingKey",
  "routingIndexes",
  "routingNames",
]); // deno-fmt-ignore

/**
 * A client with `cassandra-driver`'s API over an rsylla `Session`.
 * @example
 * ```ts ignore
 * import { Client } from "@rsylla/rsylla/compat";
 * const client = new Client({ contactPoints: ["127.0.0.1"], localDataCenter: "datacenter1" });
 * const rs = await client.execute("SELECT release_version FROM system.local");
 * console.log(rs.first()?.release_version);
 * await client.shutdown();
 * ```
 */
export class Client extends Emitter {
  readonly #builder: SessionBuilder;
  readonly #defaults: QueryOptions;
  readonly #contactPoints: string[];
  readonly #localDc: string | undefined;
  #session: Session | null = null;
  #connecting: Promise<Session> | null = null;
  #types = new Map<string, CqlType>();
  /** Keyspaces and tables, as `cassandra-driver`'s `client.metadata` (after `connect`). */
  readonly metadata: Metadata;

  /**
   * A client; nothing connects until `connect()` or the first request.
   * @throws {TypeError} an option the facade cannot honour, named (e.g. `cloud`)
   */
  constructor(options: ClientOptions) {
    super();
    const { builder, defaults, contactPoints } = builderFor(options);
    this.#builder = builder;
    this.#defaults = defaults;
    this.#contactPoints = contactPoints;
    this.#localDc = options.localDataCenter;
    this.metadata = new Metadata(
      () => this.#open().getClusterData(),
      (query, params, options) => this.execute(query, params, options),
    );
  }

  /** The nodes of the cluster (after `connect`). */
  get hosts(): HostMap {
    return this.#session ? hostsOf(this.#session.getClusterData()) : new HostMap([]);
  }

  /** The keyspace connections use, or `undefined`. */
  get keyspace(): string | undefined {
    return this.#session?.getKeyspace() ?? undefined;
  }

  /**
   * Connects (once; later calls resolve at once). With a callback, calls it instead.
   * @throws {NoHostAvailableError} no contact point could be reached
   */
  connect(callback?: Callback<void>): Promise<void> {
    return withCallback(this.#connect().then(() => {}), callback);
  }

  #connect(): Promise<Session> {
    if (this.#session) return Promise.resolve(this.#session);
    this.#connecting ??= this.#builder.build().then((s) => {
      this.#session = s;
      const dcs = s.getClusterData().datacenters;
      if (this.#localDc !== undefined && !dcs.includes(this.#localDc)) {
        this.emit("log", "warning", "Client", `localDataCenter ${this.#localDc} has no node; found: ${dcs.join(", ")}`);
      }
      this.emit("log", "info", "Client", `Connected to cluster with ${dcs.length} datacenter(s)`);
      return s;
    }, (e) => {
      this.#connecting = null;
      throw toCompatError(e, this.#contactPoints);
    });
    return this.#connecting;
  }

  #open(): Session {
    if (!this.#session) throw new TypeError("the client is not connected: call connect() first");
    return this.#session;
  }

  /**
   * Runs a statement and resolves with one page (`fetchSize` rows; resume with `pageState`).
   * Overloads as `cassandra-driver`: `(query, callback)`, `(query, params, callback)`,
   * `(query, params, options, callback)`.
   * @throws {TypeError} an unsupported option, or a value that does not fit its column
   * @throws {ResponseError} the server refused it, with `code` as in `types.responseErrorCodes`
   */
  execute(query: string, params?: Params | Callback<ResultSet>, options?: QueryOptions | Callback<ResultSet>, callback?: Callback<ResultSet>): Promise<ResultSet> {
    const a = args(params, options, callback);
    return withCallback(this.#page(query, a.params, a.options), a.callback);
  }

  async #page(cql: string, params: Params, options: QueryOptions): Promise<ResultSet> {
    const o = { ...this.#defaults, ...options };
    for (const k of Object.keys(options)) {
      if (!ACCEPTED.has(k) && options[k] !== undefined) {
        throw new TypeError(`query option ${k} is not supported by @rsylla/rsylla/compat`);
      }
    }
    let q = new Query(String(cql)).withPagingState(pageStateOf(o.pageState));
    if (o.consistency !== undefined) q = q.withConsistency(consistencyName(o.consistency) as never);
    if (o.serialConsistency !== undefined) {
      q = q.withSerialConsistency(consistencyName(o.serialConsistency) as never);
    }
    if (o.fetchSize) q = q.withPageSize(o.fetchSize);
    if (o.isIdempotent !== undefined) q = q.setIdempotent(o.isIdempotent);
    if (o.timestamp !== undefined) q = q.withTimestamp(toBigInt(o.timestamp));
    if (o.traceQuery) q = q.withTracing(true);
    if (o.readTimeout) q = q.withTimeout(o.readTimeout);
    const session = await this.#connect();
    const values = paramsToNative(params);
    try {
      const useValues = values !== undefined && (o.prepare || !Array.isArray(values) || values.length > 0);
      const r = await session.query(q, useValues ? values : undefined);
      return this.#resultSet(r, (cb) => this.#nextPage(cql, params, options, r.pagingState, cb));
    } catch (e) {
      throw toCompatError(e, this.#contactPoints);
    }
  }

  #nextPage(cql: string, params: Params, options: QueryOptions, state: Uint8Array | null, cb?: Callback<ResultSet>): void {
    if (state === null) return;
    this.execute(cql, params, { ...options, pageState: state }, cb ?? (() => {}));
  }

  #resultSet(r: QueryResult, next: (cb?: Callback<ResultSet>) => void): ResultSet {
    const specs = r.colSpecs();
    const types = specs.map((c) => this.#type(c.type, c.keyspace));
    const columns: ColumnInfo[] = specs.map((c, i) => ({ name: c.name, type: { code: typeCode(types[i]), info: c.type } }));
    const trace = r.tracingId();
    const rs = new ResultSet(toRows(columns, types, r), columns, r.pagingState, {
      queriedHost: r.coordinator,
      triedHosts: {},
      speculativeExecutions: 0,
      achievedConsistency: null,
      traceId: trace === null ? undefined : Uuid.fromString(trace),
      warnings: r.warnings(),
      customPayload: undefined,
      isSchemaInAgreement: true,
    });
    if (r.pagingState !== null) rs.nextPage = next;
    return rs;
  }

  /** The parsed type of a column, UDT fields resolved from the schema. */
  #type(text: string, keyspace: string): CqlType {
    const key = `${keyspace}\u0000${text}`;
    let t = this.#types.get(key);
    if (t === undefined) {
      const data = this.#session!.getClusterData();
      const lookup = (ks: string, name: string): UdtType | undefined => {
        const u = data.keyspaces.get(ks)?.userTypes.get(name);
        if (!u) return undefined;
        const fields = u.fields.map((f) => ({ name: f.name, type: parseType(f.type, ks, lookup) }));
        return { kind: "udt", keyspace: ks, name, fields };
      };
      t = parseType(text.replace(/^frozen<(.*)>$/, "$1"), keyspace, lookup);
      // A UDT unknown to the schema snapshot comes back without fields; do not cache it.
      if (!(t.kind === "udt" && t.fields.length === 0)) this.#types.set(key, t);
    }
    return t;
  }

  /**
   * Calls `rowCallback(n, row)` for each row, then `callback(err, result)`;
   * with `autoPage`, reads every page.
   */
  eachRow(query: string, params?: Params | RowCallback, options?: QueryOptions | RowCallback, rowCallback?: RowCallback | Callback<ResultSet>, callback?: Callback<ResultSet>): void {
    if (typeof params === "function") [params, options, rowCallback, callback] = [undefined, {}, params, options as unknown as Callback<ResultSet>];
    else if (typeof options === "function") [options, rowCallback, callback] = [{}, options, rowCallback as Callback<ResultSet>];
    const onRow = rowCallback as RowCallback;
    const o = (options ?? {}) as QueryOptions;
    (async () => {
      let n = 0;
      let rs = await this.#page(query, params as Params, o);
      while (true) {
        for (const row of rs.rows) onRow(n++, row);
        if (!o.autoPage || rs.rawPageState === null) break;
        rs = await this.#page(query, params as Params, { ...o, pageState: rs.rawPageState });
      }
      return rs;
    })().then((rs) => callback?.(null, rs), (e) => callback?.(e));
  }

  /** A readable stream of every row (pages fetched as it is read), as `cassandra-driver`'s `stream`. */
  stream(query: string, params?: Params, options?: QueryOptions, callback?: Callback<void>): ResultStream {
    const s = new ResultStream();
    const page = (o: QueryOptions) => this.#page(query, params, o);
    s.feed((async function* () {
      let rs = await page(options ?? {});
      while (true) {
        yield* rs.rows;
        if (rs.rawPageState === null) break;
        rs = await page({ ...options, pageState: rs.rawPageState });
      }
    })());
    if (callback) {
      s.once("end", () => callback(null));
      s.once("error", (e: Error) => callback(e));
    }
    return s;
  }

  /**
   * Runs statements as one batch: strings or `{ query, params }`; logged unless
   * `logged: false`, a counter batch with `counter: true`.
   * @throws {ResponseError} the server refused the batch
   */
  batch(queries: (string | { query: string; params?: Params })[], options?: QueryOptions | Callback<ResultSet>, callback?: Callback<ResultSet>): Promise<ResultSet> {
    if (typeof options === "function") [options, callback] = [{}, options];
    const o = { ...this.#defaults, ...(options ?? {}) };
    const run = async () => {
      if (!Array.isArray(queries) || queries.length === 0) throw new TypeError("batch needs a non-empty array of queries");
      const type: BatchType = o.counter ? "counter" : o.logged === false ? "unlogged" : "logged";
      let b = new Batch(type);
      const values = queries.map((q) => {
        const { query, params } = typeof q === "string" ? { query: q, params: [] } : q;
        b.appendStatement(query);
        return (paramsToNative(params) ?? []) as unknown[];
      });
      if (o.consistency !== undefined) b = b.withConsistency(consistencyName(o.consistency) as never);
      if (o.serialConsistency !== undefined) b = b.withSerialConsistency(consistencyName(o.serialConsistency) as never);
      if (o.timestamp !== undefined) b = b.withTimestamp(toBigInt(o.timestamp));
      if (o.isIdempotent !== undefined) b = b.setIdempotent(o.isIdempotent);
      const session = await this.#connect();
      try {
        return this.#resultSet(await session.batch(b, values), () => {});
      } catch (e) {
        throw toCompatError(e, this.#contactPoints);
      }
    };
    return withCallback(run(), callback);
  }

  /** Closes every connection (callback or promise). */
  shutdown(callback?: Callback<void>): Promise<void> {
    const s = this.#session;
    this.#session = null;
    this.#connecting = null;
    return withCallback(s ? s.close() : Promise.resolve(), callback);
  }
}

/** `eachRow`'s per-row callback. */
export type RowCallback = (n: number, row: Row) => void;

function args(
  params: unknown,
  options: unknown,
  callback: unknown,
): { params: Params; options: QueryOptions; callback?: Callback<ResultSet> } {
  if (typeof params === "function") {
    return { params: undefined, options: {}, callback: params as Callback<ResultSet> };
  }
  if (typeof options === "function") {
    return { params: params as Params, options: {}, callback: options as Callback<ResultSet> };
  }
  return {
    params: params as Params,
    options: (options ?? {}) as QueryOptions,
    callback: callback as Callback<ResultSet> | undefined,
  };
}

/** With a callback, calls it and returns a promise that never rejects; else returns `p`. */
function withCallback<T>(p: Promise<T>, callback?: Callback<T>): Promise<T> {
  if (typeof callback !== "function") return p;
  p.then((v) => callback(null, v), (e) => callback(e));
  return p.catch(() => undefined as T);
}

function pageStateOf(s: string | Uint8Array | undefined): Uint8Array | null {
  if (s === undefined || s === null) return null;
  if (s instanceof Uint8Array) return s;
  if (typeof s === "string" && /^([0-9a-f]{2})*$/i.test(s)) {
    return new Uint8Array((s.match(/../g) ?? []).map((h) => parseInt(h, 16)));
  }
  throw new TypeError("pageState must be a hex string or a Buffer");
}

function toBigInt(v: number | bigint | { toBigInt(): bigint }): bigint {
  return typeof v === "object" ? v.toBigInt() : BigInt(v);
}
