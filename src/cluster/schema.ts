/**
 * Schema metadata from `system_schema`: keyspaces, tables, columns, user types.
 * @module
 */

import type { Connection } from "../pool/connection.ts";
import { querySystem } from "./system_query.ts";

/** A column of a table. */
export interface ColumnMetadata {
  /** Column name. */
  name: string;
  /** CQL type as text, e.g. `map<text, int>`. */
  type: string;
  /** Role of the column in the primary key. */
  kind: "partition_key" | "clustering" | "regular" | "static";
  /** Position within the partition or clustering key; -1 otherwise. */
  position: number;
}

/** A table. */
export interface TableMetadata {
  /** Keyspace name. */
  keyspace: string;
  /** Table name. */
  name: string;
  /** Columns: partition key first, then clustering, then the rest by name. */
  columns: ColumnMetadata[];
  /** Partition key column names in order. */
  partitionKey: string[];
  /** Clustering column names in order. */
  clusteringKey: string[];
}

/** A user-defined type. */
export interface UserTypeMetadata {
  /** Keyspace name. */
  keyspace: string;
  /** Type name. */
  name: string;
  /** Fields in order, with their CQL types as text. */
  fields: { name: string; type: string }[];
}

/** A keyspace. */
export interface KeyspaceMetadata {
  /** Keyspace name. */
  name: string;
  /** Replication options; `class` is the strategy (e.g. `SimpleStrategy`). */
  replication: Record<string, string>;
  /** Whether writes go to the commit log. */
  durableWrites: boolean;
  /** Tables by name. */
  tables: Map<string, TableMetadata>;
  /** User-defined types by name. */
  userTypes: Map<string, UserTypeMetadata>;
}

const KIND_ORDER = { partition_key: 0, clustering: 1, static: 2, regular: 3 } as const;

/** Reads the whole schema, or one keyspace's, over `c`. */
export async function loadSchema(
  c: Connection,
  timeoutMs: number,
  only?: string,
): Promise<Map<string, KeyspaceMetadata>> {
  const where = only === undefined ? "" : ` WHERE keyspace_name = '${only.replaceAll("'", "''")}'`;
  const [ks, tables, columns, types] = await Promise.all([
    querySystem(c, `SELECT * FROM system_schema.keyspaces${where}`, timeoutMs),
    querySystem(c, `SELECT keyspace_name, table_name FROM system_schema.tables${where}`, timeoutMs),
    querySystem(
      c,
      `SELECT keyspace_name, table_name, column_name, kind, position, type FROM system_schema.columns${where}`,
      timeoutMs,
    ),
    querySystem(c, `SELECT * FROM system_schema.types${where}`, timeoutMs),
  ]);
  const out = new Map<string, KeyspaceMetadata>();
  for (const k of ks) {
    const name = k.keyspace_name as string;
    out.set(name, {
      name,
      replication: Object.fromEntries((k.replication as Map<string, string>) ?? new Map()),
      durableWrites: (k.durable_writes as boolean) ?? true,
      tables: new Map(),
      userTypes: new Map(),
    });
  }
  for (const t of tables) {
    const keyspace = t.keyspace_name as string, name = t.table_name as string;
    out.get(keyspace)?.tables.set(name, {
      keyspace,
      name,
      columns: [],
      partitionKey: [],
      clusteringKey: [],
    });
  }
  for (const c of columns) {
    const table = out.get(c.keyspace_name as string)?.tables.get(c.table_name as string);
    if (!table) continue;
    table.columns.push({
      name: c.column_name as string,
      type: c.type as string,
      kind: c.kind as ColumnMetadata["kind"],
      position: c.position as number,
    });
  }
  for (const ksMeta of out.values()) {
    for (const t of ksMeta.tables.values()) {
      t.columns.sort((a, b) =>
        KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.position - b.position ||
        (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      );
      t.partitionKey = t.columns.filter((c) => c.kind === "partition_key").map((c) => c.name);
      t.clusteringKey = t.columns.filter((c) => c.kind === "clustering").map((c) => c.name);
    }
  }
  for (const u of types) {
    const names = (u.field_names as string[]) ?? [];
    const fieldTypes = (u.field_types as string[]) ?? [];
    out.get(u.keyspace_name as string)?.userTypes.set(u.type_name as string, {
      keyspace: u.keyspace_name as string,
      name: u.type_name as string,
      fields: names.map((name, i) => ({ name, type: fieldTypes[i] })),
    });
  }
  return out;
}
