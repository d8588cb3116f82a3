/**
 * `client.metadata` and `client.hosts` of the facade: keyspaces, tables and
 * hosts as `cassandra-driver` shows them, read from the session's
 * `ClusterData`.
 * @module
 */

import type { ClusterData } from "../cluster/cluster_data.ts";
import { parseType } from "../wire/cql_type_text.ts";
import type { QueryOptions } from "./client_options.ts";
import { type ColumnInfo, type ResultSet, typeCode } from "./result_set.ts";
import type { Uuid } from "./uuid.ts";

/** Runs one statement, as `Client.execute` with a promise. */
export type ExecuteFn = (
  query: string,
  params: unknown[],
  options: QueryOptions,
) => Promise<ResultSet>;

/** A query trace, as `cassandra-driver`'s `metadata.getTrace` gives it. */
export interface QueryTrace {
  /** What the coordinator ran, e.g. `Execute CQL3 query`. */
  requestType: unknown;
  /** The coordinator's address (`InetAddress`). */
  coordinator: unknown;
  /** The request's parameters (query text, consistency, …). */
  parameters: unknown;
  /** When the coordinator started it (`Date`). */
  startedAt: unknown;
  /** Microseconds the request took on the coordinator. */
  duration: unknown;
  /** The client's address (`InetAddress`). */
  clientAddress: unknown;
  /** Trace events in order. */
  events: {
    id: unknown;
    activity: unknown;
    source: unknown;
    elapsed: unknown;
    thread: unknown;
  }[];
}

/** Attempts and the pause between them while the server is still writing a trace. */
const TRACE_ATTEMPTS = 5;
const TRACE_ATTEMPT_DELAY_MS = 400;
/** `types.consistencies.one`, the protocol's code. */
const CONSISTENCY_ONE = 1;

/** A node, as `cassandra-driver`'s `Host`. */
export interface Host {
  /** `host:port`. */
  address: string;
  /** Datacenter. */
  datacenter: string;
  /** Rack. */
  rack: string;
  /** Release version of the node. */
  cassandraVersion: string | null;
  /** Host id. */
  hostId: string;
  /** Whether the driver can reach the node. */
  isUp(): boolean;
}

/** Hosts by `host:port`, as `cassandra-driver`'s `HostMap`. */
export class HostMap {
  readonly #hosts: Map<string, Host>;
  /** Number of hosts. */
  readonly length: number;

  /** A map of the given hosts. */
  constructor(hosts: Host[]) {
    this.#hosts = new Map(hosts.map((h) => [h.address, h]));
    this.length = hosts.length;
  }

  /** The host at `address`. */
  get(address: string): Host | undefined {
    return this.#hosts.get(address);
  }

  /** Addresses. */
  keys(): string[] {
    return [...this.#hosts.keys()];
  }

  /** Hosts. */
  values(): Host[] {
    return [...this.#hosts.values()];
  }

  /** Calls `callback(host, address)` for each host. */
  forEach(callback: (host: Host, address: string) => void): void {
    for (const [k, h] of this.#hosts) callback(h, k);
  }
}

/** The hosts of a cluster snapshot. */
export function hostsOf(data: ClusterData): HostMap {
  return new HostMap(data.nodes.map((n) => {
    const up = n.up;
    return {
      address: n.address.includes(":") ? `[${n.address}]:${n.port}` : `${n.address}:${n.port}`,
      datacenter: n.datacenter,
      rack: n.rack,
      cassandraVersion: n.releaseVersion,
      hostId: n.hostId,
      isUp: () => up,
    };
  }));
}

/** A keyspace, as `cassandra-driver`'s metadata keyspace. */
export interface KeyspaceInfo {
  /** Name. */
  name: string;
  /** Replication strategy class. */
  strategy: string;
  /** Replication options without `class`. */
  strategyOptions: Record<string, string>;
  /** Whether writes go to the commit log. */
  durableWrites: boolean;
}

/** A table, as `cassandra-driver`'s `TableMetadata` (the basics). */
export interface TableInfo {
  /** Table name. */
  name: string;
  /** Keyspace name. */
  keyspace: string;
  /** Columns. */
  columns: ColumnInfo[];
  /** Columns by name. */
  columnsByName: Record<string, ColumnInfo>;
  /** Partition key columns in order. */
  partitionKeys: ColumnInfo[];
  /** Clustering columns in order. */
  clusteringKeys: ColumnInfo[];
}

/** Keyspaces and tables of the cluster, as `client.metadata`. */
export class Metadata {
  readonly #data: () => ClusterData;
  readonly #execute: ExecuteFn;

  /** Metadata over the session's current cluster snapshot; traces are read with `execute`. */
  constructor(data: () => ClusterData, execute: ExecuteFn) {
    this.#data = data;
    this.#execute = execute;
  }

  /**
   * The trace of a traced request (`result.info.traceId`), read from
   * `system_traces` at `consistency` (a `types.consistencies` value; the
   * client's default when omitted). The server writes traces asynchronously,
   * so an unfinished session is read again, up to 5 times, 400 ms apart. With a
   * callback, calls `callback(err, trace)` instead of returning a promise.
   * @throws {Error} the trace was still incomplete after the last attempt
   */
  getTrace(
    traceId: Uuid | string,
    consistency?: number | ((err: Error | null, trace?: QueryTrace) => void),
    callback?: (err: Error | null, trace?: QueryTrace) => void,
  ): Promise<QueryTrace> | undefined {
    if (typeof consistency === "function") {
      callback = consistency;
      consistency = undefined;
    }
    const p = this.#trace(String(traceId), consistency);
    if (callback === undefined) return p;
    p.then((t) => callback(null, t), (e) => callback(e));
    return undefined;
  }

  async #trace(id: string, consistency: number | undefined): Promise<QueryTrace> {
    // `system_traces` has replication factor 2: read at ONE unless told, as cqlsh does.
    const options: QueryOptions = { prepare: true, consistency: consistency ?? CONSISTENCY_ONE };
    for (let attempt = 1; attempt <= TRACE_ATTEMPTS; attempt++) {
      const session = (await this.#execute(
        "SELECT * FROM system_traces.sessions WHERE session_id = ?",
        [id],
        options,
      )).first();
      // The coordinator writes `duration` last: without it the trace is still being written.
      if (session === null || typeof session.duration !== "number") {
        if (attempt < TRACE_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, TRACE_ATTEMPT_DELAY_MS));
        }
        continue;
      }
      const events = await this.#execute(
        "SELECT * FROM system_traces.events WHERE session_id = ?",
        [id],
        options,
      );
      return {
        requestType: session.request,
        coordinator: session.coordinator,
        parameters: session.parameters,
        startedAt: session.started_at,
        duration: session.duration,
        clientAddress: session.client,
        events: events.rows.map((e) => ({
          id: e.event_id,
          activity: e.activity,
          source: e.source,
          elapsed: e.source_elapsed,
          thread: e.thread,
        })),
      };
    }
    throw new Error(`Trace ${id} could not be fully retrieved after ${TRACE_ATTEMPTS} attempts`);
  }

  /** Keyspaces by name. */
  get keyspaces(): Record<string, KeyspaceInfo> {
    const out: Record<string, KeyspaceInfo> = {};
    for (const [name, k] of this.#data().keyspaces) {
      const { class: strategy, ...strategyOptions } = k.replication;
      out[name] = { name, strategy, strategyOptions, durableWrites: k.durableWrites };
    }
    return out;
  }

  /**
   * A table's metadata, or `null` when there is no such table; with a
   * callback, calls `callback(err, table)` instead of returning a promise.
   */
  getTable(
    keyspace: string,
    table: string,
    callback?: (err: Error | null, table?: TableInfo | null) => void,
  ): Promise<TableInfo | null> | undefined {
    const p = Promise.resolve().then(() => this.#table(keyspace, table));
    if (callback === undefined) return p;
    p.then((t) => callback(null, t), (e) => callback(e));
    return undefined;
  }

  #table(keyspace: string, table: string): TableInfo | null {
    const t = this.#data().keyspaces.get(keyspace)?.tables.get(table);
    if (t === undefined) return null;
    const columns = t.columns.map((c) => {
      const type = parseType(c.type, keyspace);
      return { name: c.name, type: { code: typeCode(type), info: c.type } };
    });
    const columnsByName = Object.fromEntries(columns.map((c) => [c.name, c]));
    return {
      name: t.name,
      keyspace,
      columns,
      columnsByName,
      partitionKeys: t.partitionKey.map((n) => columnsByName[n]),
      clusteringKeys: t.clusteringKey.map((n) => columnsByName[n]),
    };
  }
}
