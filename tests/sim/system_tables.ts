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

/** RESULT (or ERROR) for a QUERY: system tables, `USE`, and Void for anything else. */
export function answerQuery(
  cql: string,
  self: SimNodeInfo = CLASSIC.nodes[0],
  topo: SimTopology = CLASSIC,
): { opcode: number; body: Uint8Array } {
  const rows = (cols: Column[], data: Cell[][], table: string, ks = "system") => ({
    opcode: 0x08,
    body: rowsBody(ks, table, cols, data),
  });
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
  const only = /keyspace_name\s*=\s*'([^']*)'/i.exec(cql)?.[1];
  const keyspaces = [...topo.keyspaces.values()].filter((k) =>
    only === undefined || k.name === only
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
  if (cql.includes("system_schema.")) {
    // indexes, triggers, views, functions, aggregates: none exist.
    const table = /system_schema\.(\w+)/.exec(cql)![1];
    return schema([["keyspace_name", T.varchar]], [], table);
  }
  return { opcode: 0x08, body: new Writer(4).writeInt(1).toBytes() };
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
