/**
 * The simulated node's answers to QUERY (tests only): `system.local` and
 * `system.peers` from the shared {@link SimTopology} (no `system.peers_v2`, as
 * on ScyllaDB), `system_schema` rows for its keyspaces, each with the table
 * `t (k int PRIMARY KEY, v int)`, and `system_schema.scylla_keyspaces` with
 * `initial_tablets` set for tablets keyspaces. Other `system_schema` tables
 * answer empty; anything else gets Void. Without arguments: the classic
 * one-node cluster in `datacenter1`, keyspace `ks` (SimpleStrategy, RF 1).
 * @module
 */

import { Writer } from "../../src/wire/bytes.ts";
import {
  type Cell,
  type Column,
  errorBody,
  int,
  rowsBody,
  T,
  text,
  textMap,
  textSet,
  uuid,
} from "./cql_bytes.ts";
import { type SimNodeInfo, SimTopology } from "./topology.ts";
import { regularColumns } from "./statements.ts";

const SCHEMA_VERSION = "7e3c1d2a-0b4f-4e5d-8a9b-0c1d2e3f4a5b";
const CLASSIC = SimTopology.single(1);

function inet(address: string): Uint8Array {
  return Uint8Array.from(address.split(".").map(Number));
}

function replication(topo: SimTopology, rf: number): Record<string, string> {
  if (topo.classic) {
    return { class: "org.apache.cassandra.locator.SimpleStrategy", replication_factor: String(rf) };
  }
  return { class: "org.apache.cassandra.locator.NetworkTopologyStrategy", datacenter1: String(rf) };
}

type Answer = { opcode: number; body: Uint8Array };

/** A system table's answer before encoding: its rows, projected to the selection. */
export interface SystemRows {
  keyspace: string;
  table: string;
  columns: Column[];
  rows: Cell[][];
}

/**
 * RESULT (or ERROR) for a QUERY, or for the EXECUTE of a prepared query over a system table:
 * system tables, `USE`, and Void for anything else. `boundKeyspaces`: the values bound to a
 * `keyspace_name = ?` / `keyspace_name IN ?` marker, which narrow as a literal would.
 */
export function answerQuery(
  cql: string,
  self: SimNodeInfo = CLASSIC.nodes[0],
  topo: SimTopology = CLASSIC,
  boundKeyspaces?: string[],
): Answer {
  const r = systemRows(cql, self, topo, boundKeyspaces);
  return "body" in r ? r : { opcode: 0x08, body: rowsBody(r.keyspace, r.table, r.columns, r.rows) };
}

/** {@link answerQuery}'s rows unencoded (what a PREPARE of a system query describes). */
export function systemRows(
  cql: string,
  self: SimNodeInfo = CLASSIC.nodes[0],
  topo: SimTopology = CLASSIC,
  boundKeyspaces?: string[],
): SystemRows | Answer {
  // As on a real node, the result holds exactly the selected columns, in the selection's order.
  const rows = (cols: Column[], data: Cell[][], table: string, ks = "system") => {
    const sel = selection(cql);
    if (sel === null) return { keyspace: ks, table, columns: cols, rows: data };
    const at = sel.map(([name]) => cols.findIndex(([c]) => c === name));
    const missing = at.indexOf(-1);
    if (missing >= 0) {
      const message = `Undefined name ${sel[missing][0]} in selection clause`;
      return { opcode: 0x00, body: errorBody(0x2200, message) };
    }
    const columns: Column[] = at.map((i, j) => [sel[j][1], cols[i][1]]);
    return { keyspace: ks, table, columns, rows: data.map((r) => at.map((i) => r[i])) };
  };
  if (/^\s*USE\s+/i.test(cql)) {
    const ks = cql.replace(/^\s*USE\s+/i, "").replaceAll('"', "").trim();
    return { opcode: 0x08, body: new Writer(32).writeInt(3).writeString(ks).toBytes() };
  }
  if (cql.includes("system.local")) {
    return rows(LOCAL_COLUMNS, [[
      uuid(self.hostId),
      text(self.dc),
      text(self.rack),
      textSet(self.tokens.map(String)),
      uuid(SCHEMA_VERSION),
      text("3.0.8"),
      inet(self.address),
      text("Simulated Cluster"),
      text("org.apache.cassandra.dht.Murmur3Partitioner"),
      inet(self.address),
      inet(self.address),
    ]], "local");
  }
  if (cql.includes("system.peers_v2")) {
    // As ScyllaDB: no peers_v2 table, the driver falls back to system.peers.
    return { opcode: 0x00, body: errorBody(0x2200, "unconfigured table peers_v2") };
  }
  if (cql.includes("system.peers")) {
    const peers = topo.nodes.filter((n) => n !== self).map((n) => [
      inet(n.address),
      inet(n.address),
      text(n.dc),
      text(n.rack),
      textSet(n.tokens.map(String)),
      uuid(n.hostId),
      uuid(SCHEMA_VERSION),
      text("3.0.8"),
    ]);
    return rows(PEERS_COLUMNS, peers, "peers");
  }
  // `WHERE keyspace_name = 'x'` narrows schema queries, as on a real node.
  const literal = /keyspace_name\s*=\s*'([^']*)'/i.exec(cql)?.[1];
  const wanted = boundKeyspaces ?? (literal === undefined ? undefined : [literal]);
  const only = wanted?.length === 1 ? wanted[0] : undefined;
  const keyspaces = [...topo.keyspaces.values()].filter((k) =>
    wanted === undefined || wanted.includes(k.name)
  );
  const schema = (cols: Column[], data: Cell[][], table: string) =>
    rows(cols, data, table, "system_schema");
  if (cql.includes("system_schema.keyspaces")) {
    return schema(
      KEYSPACE_COLUMNS,
      keyspaces.map((k) => [text(k.name), new Uint8Array([1]), textMap(replication(topo, k.rf))]),
      "keyspaces",
    );
  }
  if (cql.includes("system_schema.scylla_keyspaces")) {
    // ScyllaDB sets initial_tablets for tablets keyspaces (0: let the balancer decide).
    const data = keyspaces.filter((k) => k.tablets).map((k) => [text(k.name), int(0), null]);
    return schema(SCYLLA_KEYSPACE_COLUMNS, data, "scylla_keyspaces");
  }
  if (cql.includes("system_schema.tables")) {
    if (only === "system") {
      // Of the system tables, only whether system.client_routes exists is ever asked.
      const routes = topo.clientRoutes && cql.includes("client_routes");
      return schema(
        TABLE_COLUMNS,
        routes ? [[text("system"), text("client_routes")]] : [],
        "tables",
      );
    }
    return schema(TABLE_COLUMNS, keyspaces.map((k) => [text(k.name), text("t")]), "tables");
  }
  if (cql.includes("system_schema.columns")) {
    const col = (ks: string, name: string, kind: string, position: number) => [
      text(ks),
      text("t"),
      text(name),
      text(kind),
      int(position),
      text("int"),
      text("none"),
    ];
    const data = keyspaces.flatMap((k) => [
      col(k.name, "k", "partition_key", 0),
      ...regularColumns(k).map((name) => col(k.name, name, "regular", -1)),
    ]);
    return schema(COLUMN_COLUMNS, data, "columns");
  }
  if (cql.includes("system_schema.types")) return schema(TYPE_COLUMNS, [], "types");
  if (cql.includes("system_schema.scylla_tables")) {
    // One row per table; `partitioner` is null for the default (Murmur3) partitioner.
    const data = keyspaces.map((k) => [text(k.name), text("t"), null]);
    return schema(SCYLLA_TABLE_COLUMNS, data, "scylla_tables");
  }
  if (cql.includes("system_schema.")) {
    // indexes, triggers, views, functions, aggregates: none exist.
    const table = /system_schema\.(\w+)/.exec(cql)![1];
    return schema(EMPTY_SCHEMA_COLUMNS[table] ?? [["keyspace_name", T.varchar]], [], table);
  }
  return { opcode: 0x08, body: new Writer(4).writeInt(1).toBytes() };
}

/**
 * The selection of `SELECT a, b AS c FROM …` as [column, result name] pairs, unquoted; null for
 * `SELECT *`, `SELECT JSON` and any selector that is not a plain column name (function calls,
 * casts…), which the simulation answers with every column of the table.
 */
export function selection(cql: string): [string, string][] | null {
  const m = /^\s*SELECT\s+(?:DISTINCT\s+)?([\s\S]*?)\s+FROM\s/i.exec(cql);
  if (!m || /^JSON\s/i.test(m[1])) return null;
  const out: [string, string][] = [];
  const name = String.raw`("(?:[^"]|"")+"|\w+)`;
  const selector = new RegExp(String.raw`^${name}(?:\s+AS\s+${name})?$`, "i");
  const unquote = (n: string) =>
    n.startsWith('"') ? n.slice(1, -1).replaceAll('""', '"') : n.toLowerCase();
  for (const part of m[1].split(",")) {
    const s = selector.exec(part.trim());
    if (!s) return null;
    out.push([unquote(s[1]), unquote(s[2] ?? s[1])]);
  }
  return out;
}

const LOCAL_COLUMNS: Column[] = [
  ["host_id", T.uuid],
  ["data_center", T.varchar],
  ["rack", T.varchar],
  ["tokens", [T.set, T.varchar]],
  ["schema_version", T.uuid],
  ["release_version", T.varchar],
  ["rpc_address", T.inet],
  ["cluster_name", T.varchar],
  ["partitioner", T.varchar],
  ["broadcast_address", T.inet],
  ["listen_address", T.inet],
];
const PEERS_COLUMNS: Column[] = [
  ["peer", T.inet],
  ["rpc_address", T.inet],
  ["data_center", T.varchar],
  ["rack", T.varchar],
  ["tokens", [T.set, T.varchar]],
  ["host_id", T.uuid],
  ["schema_version", T.uuid],
  ["release_version", T.varchar],
];
const KEYSPACE_COLUMNS: Column[] = [
  ["keyspace_name", T.varchar],
  ["durable_writes", T.boolean],
  ["replication", [T.map, T.varchar, T.varchar]],
];
const SCYLLA_KEYSPACE_COLUMNS: Column[] = [
  ["keyspace_name", T.varchar],
  ["initial_tablets", T.int],
  ["consistency", T.varchar],
];
const SCYLLA_TABLE_COLUMNS: Column[] = [
  ["keyspace_name", T.varchar],
  ["table_name", T.varchar],
  ["partitioner", T.varchar],
];
/** Key and name columns of the schema tables that hold no rows here (ScyllaDB's names). */
const EMPTY_SCHEMA_COLUMNS: Record<string, Column[]> = {
  views: [
    ["keyspace_name", T.varchar],
    ["view_name", T.varchar],
    ["base_table_id", T.uuid],
    ["base_table_name", T.varchar],
    ["include_all_columns", T.boolean],
    ["where_clause", T.varchar],
  ],
  indexes: [
    ["keyspace_name", T.varchar],
    ["table_name", T.varchar],
    ["index_name", T.varchar],
    ["kind", T.varchar],
    ["options", [T.map, T.varchar, T.varchar]],
  ],
  triggers: [
    ["keyspace_name", T.varchar],
    ["table_name", T.varchar],
    ["trigger_name", T.varchar],
    ["options", [T.map, T.varchar, T.varchar]],
  ],
  functions: [
    ["keyspace_name", T.varchar],
    ["function_name", T.varchar],
    ["argument_types", [T.list, T.varchar]],
    ["argument_names", [T.list, T.varchar]],
    ["body", T.varchar],
    ["called_on_null_input", T.boolean],
    ["language", T.varchar],
    ["return_type", T.varchar],
  ],
  aggregates: [
    ["keyspace_name", T.varchar],
    ["aggregate_name", T.varchar],
    ["argument_types", [T.list, T.varchar]],
    ["final_func", T.varchar],
    ["initcond", T.varchar],
    ["return_type", T.varchar],
    ["state_func", T.varchar],
    ["state_type", T.varchar],
  ],
};
const TABLE_COLUMNS: Column[] = [["keyspace_name", T.varchar], ["table_name", T.varchar]];
const COLUMN_COLUMNS: Column[] = [
  ["keyspace_name", T.varchar],
  ["table_name", T.varchar],
  ["column_name", T.varchar],
  ["kind", T.varchar],
  ["position", T.int],
  ["type", T.varchar],
  ["clustering_order", T.varchar],
];
const TYPE_COLUMNS: Column[] = [
  ["keyspace_name", T.varchar],
  ["type_name", T.varchar],
  ["field_names", [T.list, T.varchar]],
  ["field_types", [T.list, T.varchar]],
];
