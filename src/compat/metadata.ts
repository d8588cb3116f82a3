/**
 * `client.metadata` and `client.hosts` of the facade: keyspaces, tables and
 * hosts as `cassandra-driver` shows them, read from the session's
 * `ClusterData`.
 * @module
 */

import type { ClusterData } from "../cluster/cluster_data.ts";
import { parseType } from "../wire/cql_type_text.ts";
import { type ColumnInfo, typeCode } from "./result_set.ts";

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

  /** Metadata over the session's current cluster snapshot. */
  constructor(data: () => ClusterData) {
    this.#data = data;
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
