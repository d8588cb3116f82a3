/**
 * The simulated node's answers to QUERY (tests only): one node in
 * `datacenter1`, keyspace `ks` (SimpleStrategy, RF 1) with table
 * `t (k int PRIMARY KEY, v int)`; no `system.peers_v2`, as on ScyllaDB.
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

const HOST_ID = "2a1f0b7c-5d1e-4f43-9c3a-1b2c3d4e5f60";
const SCHEMA_VERSION = "7e3c1d2a-0b4f-4e5d-8a9b-0c1d2e3f4a5b";

/** RESULT (or ERROR) for a QUERY: system tables, `USE`, and Void for anything else. */
export function answerQuery(cql: string): { opcode: number; body: Uint8Array } {
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
      uuid(HOST_ID),
      text("datacenter1"),
      text("rack1"),
      textSet(["-6148914691236517206", "0", "6148914691236517204"]),
      uuid(SCHEMA_VERSION),
      text("3.0.8"),
      new Uint8Array([127, 0, 0, 1]),
    ]], "local");
  }
  if (cql.includes("system.peers_v2")) {
    // As ScyllaDB: no peers_v2 table, the driver falls back to system.peers.
    return { opcode: 0x00, body: errorBody(0x2200, "unconfigured table peers_v2") };
  }
  if (cql.includes("system.peers")) return rows(PEERS_COLUMNS, [], "peers");
  if (cql.includes("system_schema.keyspaces")) {
    return rows(
      KEYSPACE_COLUMNS,
      [[
        text("ks"),
        new Uint8Array([1]),
        textMap({
          class: "org.apache.cassandra.locator.SimpleStrategy",
          replication_factor: "1",
        }),
      ]],
      "keyspaces",
      "system_schema",
    );
  }
  if (cql.includes("system_schema.tables")) {
    return rows(TABLE_COLUMNS, [[text("ks"), text("t")]], "tables", "system_schema");
  }
  if (cql.includes("system_schema.columns")) {
    const col = (
      name: string,
      kind: string,
      position: number,
    ) => [text("ks"), text("t"), text(name), text(kind), int(position), text("int")];
    return rows(
      COLUMN_COLUMNS,
      [col("k", "partition_key", 0), col("v", "regular", -1)],
      "columns",
      "system_schema",
    );
  }
  if (cql.includes("system_schema.types")) {
    return rows(TYPE_COLUMNS, [], "types", "system_schema");
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
const TABLE_COLUMNS: Column[] = [["keyspace_name", T.varchar], ["table_name", T.varchar]];
const COLUMN_COLUMNS: Column[] = [
  ["keyspace_name", T.varchar],
  ["table_name", T.varchar],
  ["column_name", T.varchar],
  ["kind", T.varchar],
  ["position", T.int],
  ["type", T.varchar],
];
const TYPE_COLUMNS: Column[] = [
  ["keyspace_name", T.varchar],
  ["type_name", T.varchar],
  ["field_names", [T.list, T.varchar]],
  ["field_types", [T.list, T.varchar]],
];
