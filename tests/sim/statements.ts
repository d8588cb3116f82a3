/**
 * The simulated node's prepared statements (tests only; not ScyllaDB): the
 * shapes it understands over `<keyspace>.t`, their result columns, and the
 * result metadata id ScyllaDB gives them (`cql3::metadata::calculate_metadata_id`:
 * SHA-256 over each column's name and type name, first 16 bytes), which a
 * connection sees when it negotiated `SCYLLA_USE_METADATA_ID`. `ALTER TABLE …
 * ADD` (the only schema change simulated) adds an `int` column and, as
 * ScyllaDB's `query_processor` does on any column change, invalidates the
 * table's prepared statements: the next EXECUTE of one answers UNPREPARED.
 * @module
 */

import { createHash } from "node:crypto";
import { Writer } from "../../src/wire/bytes.ts";
import type { SimKeyspace, SimTopology } from "./topology.ts";

/** One prepared statement as a node keeps it. */
export interface SimStatement {
  cql: string;
  keyspace: string;
  table: string;
  /** Result column names (every column is an `int`). */
  result: string[];
  /** The table's schema version when prepared: a later ALTER makes it stale. */
  schemaVersion: number;
  /** `calculate_metadata_id` of the result columns. */
  metadataId: Uint8Array;
}

const INT32 = "org.apache.cassandra.db.marshal.Int32Type";

/** The regular columns of a keyspace's table `t` (`v`, then any added). */
export function regularColumns(ks: SimKeyspace): string[] {
  return ks.columns ?? ["v"];
}

/** ScyllaDB's result metadata id of `int` columns named `names`. */
export function metadataIdOf(names: readonly string[]): Uint8Array {
  const h = createHash("sha256");
  const feed = (s: string) => {
    const bytes = new TextEncoder().encode(s);
    const len = new Uint8Array(8); // appending_hash<std::string>: size_t length, little-endian
    new DataView(len.buffer).setBigUint64(0, BigInt(bytes.length), true);
    h.update(len);
    h.update(bytes);
  };
  for (const n of names) {
    feed(n);
    feed(INT32);
  }
  return new Uint8Array(h.digest()).slice(0, 16);
}

/** What `cql` returns: `SELECT *` every column, any other `SELECT` `v`, the rest nothing. */
export function resultColumnsOf(cql: string, ks: SimKeyspace): string[] {
  if (/^\s*SELECT\s+\*/i.test(cql)) return ["k", ...regularColumns(ks)];
  return /^\s*SELECT/i.test(cql) ? ["v"] : [];
}

/** A statement id that hashes the text, the same on every node (ScyllaDB's is an MD5). */
export function statementId(cql: string): Uint8Array {
  let h = 0x811c9dc5;
  for (let i = 0; i < cql.length; i++) h = Math.imul(h ^ cql.charCodeAt(i), 0x01000193);
  return new Writer(16).writeInt(h).writeInt(0x5c1a).toBytes();
}

/** Builds the statement a node keeps for `cql` over `ks.table`. */
export function prepareStatement(cql: string, ks: SimKeyspace, table: string): SimStatement {
  const result = resultColumnsOf(cql, ks);
  return {
    cql,
    keyspace: ks.name,
    table,
    result,
    schemaVersion: ks.schemaVersion ?? 0,
    metadataId: metadataIdOf(result),
  };
}

/** Whether an ALTER made `stmt` stale (ScyllaDB dropped it from its prepared cache). */
export function isStale(stmt: SimStatement, topo: SimTopology): boolean {
  return (topo.keyspaces.get(stmt.keyspace)?.schemaVersion ?? 0) !== stmt.schemaVersion;
}

/**
 * Applies `ALTER TABLE [ks.]t ADD <name> int` to the shared topology and
 * returns the SCHEMA_CHANGE result body, or `null` when `cql` is no such ALTER.
 * @throws {Error} the keyspace is unknown or the column exists
 */
export function alterTable(
  cql: string,
  topo: SimTopology,
  current: string | null,
): Uint8Array | null {
  const m = /^\s*ALTER\s+TABLE\s+(?:"?(\w+)"?\.)?"?(\w+)"?\s+ADD\s+"?(\w+)"?\s+int\s*;?\s*$/i
    .exec(cql);
  if (!m) return null;
  const ks = topo.keyspaces.get(m[1] ?? current ?? "");
  if (!ks) throw new Error(`Keyspace ${m[1] ?? current} does not exist`);
  const columns = regularColumns(ks);
  if (m[3] === "k" || columns.includes(m[3])) throw new Error(`column ${m[3]} exists`);
  ks.columns = [...columns, m[3]];
  ks.schemaVersion = (ks.schemaVersion ?? 0) + 1;
  // RESULT Schema_change: UPDATED TABLE <keyspace> <table>.
  return new Writer(64).writeInt(5).writeString("UPDATED").writeString("TABLE")
    .writeString(ks.name).writeString(m[2]).toBytes();
}
