/**
 * The snapshot `Session.getClusterData()` returns.
 * @module
 */

import type { NodeInfo } from "./node.ts";
import type { KeyspaceMetadata } from "./schema.ts";

/** How many tablets of one table the driver knows. */
export interface TabletCount {
  /** Keyspace name. */
  readonly keyspace: string;
  /** Table name. */
  readonly table: string;
  /** Tablets known (learnt from the servers' routing payloads). */
  readonly count: number;
}

/**
 * Nodes and schema as the session knows them at one moment. `String(data)`
 * gives a readable summary.
 * @example
 * ```ts ignore
 * const data = session.getClusterData();
 * for (const n of data.nodes) console.log(n.address, n.datacenter, n.up);
 * console.log(data.keyspaces.get("system")?.replication.class);
 * ```
 */
export class ClusterData {
  /** Every known node. */
  readonly nodes: readonly Readonly<NodeInfo>[];
  /** Keyspaces by name. */
  readonly keyspaces: ReadonlyMap<string, KeyspaceMetadata>;
  /** ScyllaDB tablets the driver has learnt, per table (empty on Cassandra). */
  readonly tablets: readonly TabletCount[];

  /** @internal */
  constructor(
    nodes: readonly NodeInfo[],
    keyspaces: ReadonlyMap<string, KeyspaceMetadata>,
    tablets: readonly TabletCount[] = [],
  ) {
    this.nodes = nodes.map((n) =>
      Object.freeze({ ...n, tokens: [...n.tokens], extensions: [...n.extensions] })
    );
    this.keyspaces = keyspaces;
    this.tablets = tablets.map((t) => Object.freeze({ ...t }));
  }

  /** Names of the datacenters, sorted. */
  get datacenters(): string[] {
    return [...new Set(this.nodes.map((n) => n.datacenter))].sort();
  }

  /** Plain data for `JSON.stringify`: tokens as strings (JSON has no bigint), maps as objects. */
  toJSON(): unknown {
    return {
      nodes: this.nodes.map((n) => ({ ...n, tokens: n.tokens.map(String) })),
      tablets: this.tablets,
      keyspaces: Object.fromEntries(
        [...this.keyspaces].map(([name, ks]) => [name, {
          ...ks,
          tables: Object.fromEntries(ks.tables),
          userTypes: Object.fromEntries(ks.userTypes),
        }]),
      ),
    };
  }

  /** A multi-line summary: nodes, then keyspaces with their tables and columns. */
  toString(): string {
    const lines = [`Cluster: ${this.nodes.length} node(s)`];
    for (const n of this.nodes) {
      const shards = n.shardCount === null ? "" : `, ${n.shardCount} shards`;
      lines.push(
        `  ${n.address}:${n.port} dc=${n.datacenter} rack=${n.rack} ${
          n.up ? "up" : "down"
        } tokens=${n.tokens.length}${shards}`,
      );
    }
    for (const t of this.tablets) lines.push(`  tablets ${t.keyspace}.${t.table}: ${t.count}`);
    lines.push(`Keyspaces: ${this.keyspaces.size}`);
    for (const ks of [...this.keyspaces.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      const repl = Object.entries(ks.replication).map(([k, v]) => `${k}=${v}`).join(", ");
      lines.push(`  ${ks.name} {${repl}}`);
      for (const u of ks.userTypes.values()) {
        lines.push(`    type ${u.name} (${u.fields.map((f) => `${f.name} ${f.type}`).join(", ")})`);
      }
      for (const t of ks.tables.values()) {
        const cols = t.columns.map((c) => `${c.name} ${c.type}`).join(", ");
        lines.push(
          `    table ${t.name} (${cols}) PRIMARY KEY ((${t.partitionKey.join(", ")})${
            t.clusteringKey.length ? ", " + t.clusteringKey.join(", ") : ""
          })`,
        );
      }
    }
    return lines.join("\n");
  }
}
