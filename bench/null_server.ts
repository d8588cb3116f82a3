/**
 * NULL SERVER — a simulation, not a database. A minimal CQL native protocol v4
 * responder that answers every request with a canned result, so that in the
 * bench's null-server mode the client driver, not the server, is the bottleneck.
 *
 * - OPTIONS → SUPPORTED; STARTUP, REGISTER → READY (no auth, no compression).
 * - QUERY on `system.local` → one row describing this node (only the columns the
 *   query selects, typed as Cassandra types them, so typed deserializers agree);
 *   `system.peers[_v2]` and `system_schema.*` → zero rows (keyspace `benchks`
 *   is listed in `system_schema.keyspaces`); `USE ks` → SET_KEYSPACE; any other
 *   SELECT → one row with an int per selected column; anything else → VOID. A SELECT on
 *   a table Cassandra does not have (ScyllaDB's `system*.scylla_*`) → Invalid
 *   (`unconfigured table …`), as Cassandra answers it.
 * - PREPARE → PREPARED: one int bind marker per `?` (named after its column),
 *   result columns as for QUERY; EXECUTE of a known id → that row or VOID,
 *   honouring SKIP_METADATA; an unknown id → UNPREPARED. BATCH → VOID.
 * - EXECUTE of a statement reading table `paged` → pages of the simulated partition
 *   (100 000 rows `ck, v` = i, 7·i) at the requested page size, with paging states,
 *   so `paged_read` measures the client's paging and row decoding alone.
 * Pipelined: every complete frame of a read chunk is answered, one write per chunk.
 * A line `served` on stdin prints `{address: requests}`: EXECUTEs and BATCHes answered per
 * address since the last one (the bench checks that each client used every node).
 * Nothing is stored; values sent are ignored.
 *
 * Held answers (the bench's `inflight` memory measurement): the answer to an EXECUTE of a
 * statement reading table `hold` is kept, not sent, until any connection sends a QUERY on table
 * `release` (answered with one int row: how many were released, and every held answer is
 * written to its connection); a QUERY on table `held_count` answers how many are held now.
 * BATCH (any type, e.g. the bench's UNLOGGED batch of 10 INSERTs) → VOID.
 *
 * Null CLUSTER (`--hosts 127.0.0.41,127.0.0.42,127.0.0.43 --vnodes 16 --rf 3`): one process
 * listens on every address and presents a real topology, so every driver is token-aware on
 * every request: each address answers `system.local` as its own node (host id, 16 tokens from a
 * seeded generator, Murmur3Partitioner) and lists the others in `system.peers` / `peers_v2`;
 * keyspace `benchks` has SimpleStrategy with RF 3; PREPARED names the partition key (`id`), so
 * drivers compute the routing key, the Murmur3 token and the replicas for each request.
 *
 * Bun:  `bun bench/null_server.ts --host 127.0.0.43 --port 9042`
 * Node: `bun build bench/null_server.ts --target=node --outfile .cache/bench/null_server.mjs`
 *       then `node .cache/bench/null_server.mjs --host 127.0.0.43`
 * Prints `listening <host>:<port>` on stdout once ready.
 * @module
 */

import { createServer, type Socket } from "node:net";
import process from "node:process";
import { Buffer } from "node:buffer";
import { createInterface } from "node:readline";

const Op = {
  ERROR: 0x00,
  STARTUP: 0x01,
  READY: 0x02,
  OPTIONS: 0x05,
  SUPPORTED: 0x06,
  QUERY: 0x07,
  RESULT: 0x08,
  PREPARE: 0x09,
  EXECUTE: 0x0a,
  REGISTER: 0x0b,
  BATCH: 0x0d,
} as const;

// ---------------------------------------------------------------- encoding

class Out {
  parts: number[] = [];
  byte(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  short(v: number): this {
    return this.byte(v >> 8).byte(v);
  }
  int(v: number): this {
    return this.byte(v >>> 24).byte(v >>> 16).byte(v >>> 8).byte(v);
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.parts.push(b[i]);
    return this;
  }
  string(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.short(b.length).raw(b);
  }
  bytes(b: ArrayLike<number> | null): this {
    if (b === null) return this.int(-1);
    return this.int(b.length).raw(b);
  }
  shortBytes(b: ArrayLike<number>): this {
    return this.short(b.length).raw(b);
  }
  build(): Buffer {
    return Buffer.from(this.parts);
  }
}

/** A CQL type as text (`int`, `set<text>`, `map<text,text>`). */
type TypeText = string;

const SIMPLE: Record<string, number> = {
  ascii: 0x01,
  bigint: 0x02,
  blob: 0x03,
  boolean: 0x04,
  double: 0x07,
  int: 0x09,
  timestamp: 0x0b,
  uuid: 0x0c,
  text: 0x0d,
  varchar: 0x0d,
  inet: 0x10,
};

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0, start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "<") depth++;
    else if (s[i] === ">") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(s.slice(start).trim());
  return out;
}

function writeType(o: Out, t: TypeText): void {
  const m = /^(\w+)<(.*)>$/.exec(t);
  if (!m) {
    const id = SIMPLE[t];
    if (id === undefined) throw new Error(`null server: no type ${t}`);
    o.short(id);
    return;
  }
  const args = splitArgs(m[2]);
  o.short(m[1] === "list" ? 0x20 : m[1] === "map" ? 0x21 : 0x22);
  for (const a of args) writeType(o, a);
}

function encodeValue(t: TypeText, v: unknown): number[] | null {
  if (v === null || v === undefined) return null;
  const o = new Out();
  const m = /^(\w+)<(.*)>$/.exec(t);
  if (m) {
    const args = splitArgs(m[2]);
    if (m[1] === "map") {
      const entries = Object.entries(v as Record<string, unknown>);
      o.int(entries.length);
      for (const [k, x] of entries) {
        o.bytes(encodeValue(args[0], k)).bytes(encodeValue(args[1], x));
      }
    } else {
      const items = v as unknown[];
      o.int(items.length);
      for (const x of items) o.bytes(encodeValue(args[0], x));
    }
    return o.parts;
  }
  switch (t) {
    case "int":
      return o.int(v as number).parts;
    case "boolean":
      return [v ? 1 : 0];
    case "uuid":
      return [...Buffer.from((v as string).replace(/-/g, ""), "hex")];
    case "inet":
      return (v as string).split(".").map(Number);
    case "text":
    case "varchar":
    case "ascii":
      return [...Buffer.from(v as string, "utf8")];
    default:
      throw new Error(`null server: cannot encode ${t}`);
  }
}

// ---------------------------------------------------------------- the canned data

/** Column types by name, as Cassandra 5 types them in its system tables. */
const COLUMN_TYPES: Record<string, TypeText> = {
  key: "text",
  bootstrapped: "text",
  broadcast_address: "inet",
  broadcast_port: "int",
  cluster_name: "text",
  cql_version: "text",
  data_center: "text",
  gossip_generation: "int",
  host_id: "uuid",
  listen_address: "inet",
  listen_port: "int",
  native_protocol_version: "text",
  partitioner: "text",
  rack: "text",
  release_version: "text",
  rpc_address: "inet",
  rpc_port: "int",
  schema_version: "uuid",
  tokens: "set<text>",
  truncated_at: "map<uuid,blob>",
  peer: "inet",
  peer_port: "int",
  preferred_ip: "inet",
  preferred_port: "int",
  native_address: "inet",
  native_port: "int",
  dse_version: "text",
  workload: "text",
  graph: "boolean",
  jmx_port: "int",
  keyspace_name: "text",
  durable_writes: "boolean",
  replication: "map<text,text>",
  table_name: "text",
  column_name: "text",
  clustering_order: "text",
  column_name_bytes: "blob",
  kind: "text",
  position: "int",
  type: "text",
  type_name: "text",
  field_names: "list<text>",
  field_types: "list<text>",
  view_name: "text",
  base_table_name: "text",
  base_table_id: "uuid",
  include_all_columns: "boolean",
  where_clause: "text",
  id: "uuid",
  flags: "set<text>",
  bloom_filter_fp_chance: "double",
  caching: "map<text,text>",
  comment: "text",
  compaction: "map<text,text>",
  compression: "map<text,text>",
  crc_check_chance: "double",
  dclocal_read_repair_chance: "double",
  default_time_to_live: "int",
  extensions: "map<text,blob>",
  gc_grace_seconds: "int",
  max_index_interval: "int",
  memtable_flush_period_in_ms: "int",
  min_index_interval: "int",
  read_repair_chance: "double",
  speculative_retry: "text",
  additional_write_policy: "text",
  cdc: "boolean",
  read_repair: "text",
  function_name: "text",
  argument_names: "list<text>",
  argument_types: "list<text>",
  body: "text",
  called_on_null_input: "boolean",
  language: "text",
  return_type: "text",
  aggregate_name: "text",
  final_func: "text",
  initcond: "text",
  state_func: "text",
  state_type: "text",
  index_name: "text",
  options: "map<text,text>",
  trigger_name: "text",
};

/** `SELECT *` column lists of the system tables drivers read. */
const STAR: Record<string, string[]> = {
  "system.local": [
    "key",
    "bootstrapped",
    "broadcast_address",
    "broadcast_port",
    "cluster_name",
    "cql_version",
    "data_center",
    "gossip_generation",
    "host_id",
    "listen_address",
    "listen_port",
    "native_protocol_version",
    "partitioner",
    "rack",
    "release_version",
    "rpc_address",
    "rpc_port",
    "schema_version",
    "tokens",
    "truncated_at",
  ],
  "system.peers": [
    "peer",
    "data_center",
    "host_id",
    "preferred_ip",
    "rack",
    "release_version",
    "rpc_address",
    "schema_version",
    "tokens",
  ],
  "system.peers_v2": [
    "peer",
    "peer_port",
    "data_center",
    "host_id",
    "native_address",
    "native_port",
    "preferred_ip",
    "preferred_port",
    "rack",
    "release_version",
    "schema_version",
    "tokens",
  ],
  "system_schema.keyspaces": ["keyspace_name", "durable_writes", "replication"],
  "system_schema.tables": [
    "keyspace_name",
    "table_name",
    "bloom_filter_fp_chance",
    "caching",
    "comment",
    "compaction",
    "compression",
    "crc_check_chance",
    "dclocal_read_repair_chance",
    "default_time_to_live",
    "extensions",
    "flags",
    "gc_grace_seconds",
    "id",
    "max_index_interval",
    "memtable_flush_period_in_ms",
    "min_index_interval",
    "read_repair_chance",
    "speculative_retry",
  ],
  "system_schema.columns": [
    "keyspace_name",
    "table_name",
    "column_name",
    "clustering_order",
    "column_name_bytes",
    "kind",
    "position",
    "type",
  ],
  "system_schema.types": ["keyspace_name", "type_name", "field_names", "field_types"],
  "system_schema.functions": [
    "keyspace_name",
    "function_name",
    "argument_types",
    "argument_names",
    "body",
    "called_on_null_input",
    "language",
    "return_type",
  ],
  "system_schema.aggregates": [
    "keyspace_name",
    "aggregate_name",
    "argument_types",
    "final_func",
    "initcond",
    "return_type",
    "state_func",
    "state_type",
  ],
  "system_schema.views": [
    "keyspace_name",
    "view_name",
    "base_table_id",
    "base_table_name",
    "include_all_columns",
    "where_clause",
  ],
  "system_schema.indexes": ["keyspace_name", "table_name", "index_name", "kind", "options"],
  "system_schema.triggers": ["keyspace_name", "table_name", "trigger_name", "options"],
};

const HOST_ID = "6d1e3c2a-0b7f-4d2e-9a41-3f5c8e0d9b10";
const SCHEMA_VERSION = "2f6a1b7c-5d3e-3a8b-9c0d-1e2f3a4b5c6d";
const BENCH_KEYSPACE = "benchks";

/** Addresses of the null cluster (one entry in single-node mode), set at start-up. */
let CLUSTER: string[] = [];
/** Vnodes per node and replication factor of `benchks` (cluster mode). */
let VNODES = 1;
let RF = 1;
const tokenCache = new Map<string, string[]>();

/** `VNODES` tokens per node, from a seeded xorshift64* (the same on every run). */
function tokensOf(ip: string): string[] {
  if (CLUSTER.length <= 1) return ["0"];
  let t = tokenCache.get(ip);
  if (t) return t;
  let x = 0x5eed41n;
  const mask = (1n << 64n) - 1n;
  const all: string[][] = CLUSTER.map(() => []);
  for (let k = 0; k < CLUSTER.length * VNODES; k++) {
    x ^= x >> 12n;
    x ^= (x << 25n) & mask;
    x ^= x >> 27n;
    all[k % CLUSTER.length].push(String(((x * 0x2545F4914F6CDD1Dn) & mask) - (1n << 63n)));
  }
  CLUSTER.forEach((a, i) => tokenCache.set(a, all[i]));
  t = tokenCache.get(ip)!;
  return t;
}

function hostIdOf(ip: string): string {
  const i = Math.max(0, CLUSTER.indexOf(ip));
  return HOST_ID.slice(0, -2) + (0x10 + i).toString(16).padStart(2, "0");
}

function peerRow(ip: string, port: number): Record<string, unknown> {
  return {
    peer: ip,
    peer_port: 7000,
    data_center: "datacenter1",
    host_id: hostIdOf(ip),
    preferred_ip: null,
    preferred_port: null,
    rack: "rack1",
    release_version: "5.0.9",
    rpc_address: ip,
    native_address: ip,
    native_port: port,
    schema_version: SCHEMA_VERSION,
    tokens: tokensOf(ip),
  };
}

function localRow(ip: string, port: number): Record<string, unknown> {
  return {
    key: "local",
    bootstrapped: "COMPLETED",
    broadcast_address: ip,
    broadcast_port: 7000,
    cluster_name: "null-server",
    cql_version: "3.4.7",
    data_center: "datacenter1",
    gossip_generation: 1,
    host_id: hostIdOf(ip),
    listen_address: ip,
    listen_port: 7000,
    native_protocol_version: "4",
    partitioner: "org.apache.cassandra.dht.Murmur3Partitioner",
    rack: "rack1",
    release_version: "5.0.9",
    rpc_address: ip,
    rpc_port: port,
    native_port: port,
    schema_version: SCHEMA_VERSION,
    tokens: tokensOf(ip),
  };
}

// ---------------------------------------------------------------- result bodies

interface Columns {
  keyspace: string;
  table: string;
  names: string[];
  types: TypeText[];
}

function writeColumnSpecs(o: Out, cols: Columns): void {
  o.string(cols.keyspace).string(cols.table);
  for (let i = 0; i < cols.names.length; i++) {
    o.string(cols.names[i]);
    writeType(o, cols.types[i]);
  }
}

/** RESULT Rows body; with `skipMetadata` the column specs are left out. */
function rowsBody(cols: Columns, rows: unknown[][], skipMetadata: boolean): Buffer {
  const o = new Out().int(0x0002);
  if (skipMetadata) o.int(0x0004).int(cols.names.length);
  else {
    o.int(0x0001).int(cols.names.length);
    writeColumnSpecs(o, cols);
  }
  o.int(rows.length);
  for (const row of rows) {
    for (let i = 0; i < cols.names.length; i++) o.bytes(encodeValue(cols.types[i], row[i]));
  }
  return o.build();
}

const VOID_BODY = new Out().int(0x0001).build();

function errorBody(code: number, message: string, extra?: (o: Out) => void): Buffer {
  const o = new Out().int(code).string(message);
  extra?.(o);
  return o.build();
}

/** What a statement answers: a Rows result (with and without metadata) or VOID. */
interface Canned {
  select: Columns | null;
  full: Buffer;
  noMeta: Buffer;
}

const SELECT_RE = /^\s*select\s+(.+?)\s+from\s+("?[\w$]+"?(?:\s*\.\s*"?[\w$]+"?)?)/is;
const CUT_RE = /\s(?:where|values)\b/i;
const USE_RE = /^\s*use\s+"?([\w$]+)"?/i;

function unquote(s: string): string {
  return s.replace(/"/g, "").trim();
}

/**
 * The table a statement names that Cassandra 5 does not have (ScyllaDB's `system*.scylla_*`
 * tables), or null. Drivers probe them and expect Cassandra's Invalid error (the Rust driver
 * reads `system_schema.scylla_keyspaces`; typed rows instead would fail its whole metadata read,
 * and it would then run on its contact point alone, without a ring).
 */
function missingTable(cql: string): string | null {
  const m = SELECT_RE.exec(cql);
  if (!m) return null;
  const name = unquote(m[2]).toLowerCase().replace(/\s+/g, "");
  return /^system[\w]*\.scylla_/.test(name) ? name : null;
}

/** Cassandra's answer to a statement on a table it does not have. */
function unconfigured(stream: number, table: string): Buffer {
  return frame(stream, Op.ERROR, errorBody(0x2200, `unconfigured table ${table.split(".")[1]}`));
}

function cannedFor(cql: string, ip: string, port: number, keyspace: string): Canned {
  const m = SELECT_RE.exec(cql);
  if (!m) return { select: null, full: VOID_BODY, noMeta: VOID_BODY };
  const [ksPart, tablePart] = unquote(m[2]).includes(".")
    ? unquote(m[2]).split(".").map((s) => s.trim())
    : [keyspace, unquote(m[2])];
  const full = `${ksPart.toLowerCase()}.${tablePart.toLowerCase()}`;
  const system = ksPart.startsWith("system");
  let names = m[1].trim() === "*"
    ? STAR[full] ?? ["key"]
    : m[1].split(",").map((c) => unquote(c.replace(/\s+as\s+\w+$/i, "")).toLowerCase());
  names = names.map((n) => n.replace(/[^\w]/g, "_"));
  const types = names.map((n) => (system ? COLUMN_TYPES[n] ?? "text" : "int"));
  const cols: Columns = { keyspace: ksPart, table: tablePart, names, types };
  let rows: unknown[][];
  if (full === "system.local") {
    const row = localRow(ip, port);
    rows = [names.map((n) => row[n] ?? null)];
  } else if ((full === "system.peers" || full === "system.peers_v2") && CLUSTER.length > 1) {
    rows = CLUSTER.filter((a) => a !== ip).map((a) => {
      const row = peerRow(a, port);
      return names.map((n) => row[n] ?? null);
    });
  } else if (full === "system_schema.keyspaces") {
    const row: Record<string, unknown> = {
      keyspace_name: BENCH_KEYSPACE,
      durable_writes: true,
      replication: {
        class: "org.apache.cassandra.locator.SimpleStrategy",
        replication_factor: String(RF),
      },
    };
    const wanted = /keyspace_name\s*=\s*'(\w+)'/i.exec(cql)?.[1];
    rows = wanted && wanted !== BENCH_KEYSPACE ? [] : [names.map((n) => row[n] ?? null)];
  } else if (system) rows = [];
  else rows = [names.map((_, i) => i + 1)];
  return { select: cols, full: rowsBody(cols, rows, false), noMeta: rowsBody(cols, rows, true) };
}

interface PreparedEntry {
  id: Buffer;
  canned: Canned;
  body: Buffer;
  /** Reads table `hold`: the answer waits for a `release` query. */
  hold: boolean;
  /** Reads table `paged`: answered page by page (see {@link pagedAnswer}). */
  paged: boolean;
}

/** Rows of the simulated partition `paged` (pk 0): ck 0…n-1, v = 7·ck, as bench/lib/schema.ts fills it. */
const PAGED_ROWS = 100_000;
const PAGED_RE = /\bfrom\s+"?paged"?(\s|$)/i;
const pagedCache = new Map<string, Buffer>();

/**
 * The RESULT body of one page of `paged` starting at row `offset`: `pageSize` rows (all of
 * them when not positive), and a 4-byte paging state holding the next offset while rows remain.
 */
function pagedAnswer(cols: Columns, offset: number, pageSize: number, skipMeta: boolean): Buffer {
  const key = `${offset}/${pageSize}/${skipMeta}`;
  const hit = pagedCache.get(key);
  if (hit) return hit;
  const end = pageSize > 0 ? Math.min(PAGED_ROWS, offset + pageSize) : PAGED_ROWS;
  const more = end < PAGED_ROWS;
  const o = new Out().int(0x0002).int((skipMeta ? 0x0004 : 0x0001) | (more ? 0x0002 : 0));
  o.int(cols.names.length);
  if (more) o.bytes([end >>> 24, (end >>> 16) & 0xff, (end >>> 8) & 0xff, end & 0xff]);
  if (!skipMeta) writeColumnSpecs(o, cols);
  o.int(end - offset);
  for (let ck = offset; ck < end; ck++) o.int(4).int(ck).int(4).int(ck * 7);
  const body = o.build();
  if (pagedCache.size > 1000) pagedCache.clear();
  pagedCache.set(key, body);
  return body;
}

/**
 * Page size and start offset of an EXECUTE whose flags byte is at `at` (v4 layout: flags,
 * values, result page size, paging state).
 */
function pageOf(body: Buffer, at: number): { pageSize: number; offset: number } {
  const flags = body[at];
  let pos = at + 1;
  if (flags & 0x01) {
    const n = body.readUInt16BE(pos);
    pos += 2;
    for (let i = 0; i < n; i++) pos += 4 + Math.max(0, body.readInt32BE(pos));
  }
  let pageSize = 0;
  if (flags & 0x04) {
    pageSize = body.readInt32BE(pos);
    pos += 4;
  }
  let offset = 0;
  if (flags & 0x08 && body.readInt32BE(pos) === 4) offset = body.readInt32BE(pos + 4);
  return { pageSize, offset };
}

const HOLD_RE = /\bfrom\s+"?hold"?(\s|$)/i;

/** Answers kept back (see the module header), in arrival order. */
const held: { socket: ServedSocket; frame: Buffer }[] = [];

/** Writes every held answer to its connection; resolves the count. */
function releaseHeld(): number {
  const n = held.length;
  const bySocket = new Map<ServedSocket, Buffer[]>();
  for (const h of held) {
    const list = bySocket.get(h.socket);
    if (list) list.push(h.frame);
    else bySocket.set(h.socket, [h.frame]);
  }
  held.length = 0;
  for (const [sock, frames] of bySocket) if (!sock.destroyed) sock.write(Buffer.concat(frames));
  return n;
}

/** One row, one int column `name` of table `table`. */
function intRow(table: string, name: string, v: number): Buffer {
  return rowsBody({ keyspace: BENCH_KEYSPACE, table, names: [name], types: ["int"] }, [[v]], false);
}

/** Bind marker names: the INSERT column list, or `name = ?` / `name IN ?` pairs. */
function markerNames(cql: string): string[] {
  const count = (cql.match(/\?/g) ?? []).length;
  const insert = /insert\s+into\s+\S+\s*\(([^)]*)\)\s*values\s*\(([^)]*)\)/i.exec(cql);
  const names: string[] = [];
  if (insert) {
    const cols = insert[1].split(",").map(unquote);
    const vals = insert[2].split(",").map((s) => s.trim());
    vals.forEach((v, i) => v === "?" && names.push(cols[i]?.toLowerCase() ?? `m${i}`));
  }
  const re = /("?[\w$]+"?)\s*(?:=|<=|>=|<|>|\bin\b)\s*\?/gi;
  for (let m; (m = re.exec(cql));) names.push(unquote(m[1]).toLowerCase());
  while (names.length < count) names.push(`m${names.length}`);
  return names.slice(0, count);
}

function fnv16(s: string): Buffer {
  const out = Buffer.alloc(16);
  let h1 = 0x811c9dc5, h2 = 0x01000193 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    h1 = Math.imul(h1 ^ s.charCodeAt(i), 16777619);
    h2 = Math.imul(h2 + s.charCodeAt(i), 2246822519) ^ (h2 >>> 13);
  }
  out.writeInt32BE(h1 | 0, 0);
  out.writeInt32BE(h2 | 0, 4);
  out.writeInt32BE(Math.imul(h1, 31) ^ h2, 8);
  out.writeInt32BE(s.length, 12);
  return out;
}

function preparedBody(id: Buffer, cql: string, canned: Canned, keyspace: string): Buffer {
  const names = markerNames(cql);
  const table = /\b(?:into|from|update)\s+"?(?:[\w$]+"?\.)?"?([\w$]+)/i.exec(cql)?.[1] ?? "t";
  const pk = Math.max(0, names.findIndex((n) => n === "id" || n === "pk" || n === "key"));
  const o = new Out().int(0x0004).shortBytes(id);
  o.int(0x0001).int(names.length).int(names.length > 0 ? 1 : 0);
  if (names.length > 0) o.short(pk);
  writeColumnSpecs(o, {
    keyspace,
    table,
    names,
    types: names.map(() => "int"),
  });
  if (canned.select) {
    o.int(0x0001).int(canned.select.names.length);
    writeColumnSpecs(o, canned.select);
  } else o.int(0x0004).int(0);
  return o.build();
}

// ---------------------------------------------------------------- server

const SUPPORTED_BODY = new Out()
  .short(2)
  .string("CQL_VERSION").short(1).string("3.4.7")
  .string("COMPRESSION").short(0)
  .build();

function frame(stream: number, opcode: number, body: Buffer): Buffer {
  const f = Buffer.allocUnsafe(9 + body.length);
  f[0] = 0x84;
  f[1] = 0;
  f.writeInt16BE(stream, 2);
  f[4] = opcode;
  f.writeInt32BE(body.length, 5);
  body.copy(f, 9);
  return f;
}

/** Shared by every connection: statement text → canned answer, prepared id → entry. */
const queryCache = new Map<string, Canned>();
const prepared = new Map<string, PreparedEntry>();

/**
 * EXECUTE and BATCH requests answered per listening address since the last `served` command:
 * the bench checks that every client spread its requests over the whole null cluster.
 */
const served = new Map<string, number>();

/** What `serve` needs of a socket: `node:net`'s, or `bench/driver_cost.ts`'s in-memory one. */
export type ServedSocket = Pick<Socket, "setNoDelay" | "on" | "write" | "destroy" | "destroyed">;

/**
 * Sets the simulated cluster up without listening (`bench/driver_cost.ts` serves in its own
 * process): its addresses, vnodes per node and `benchks`' replication factor.
 */
export function simulateCluster(
  hosts: string[],
  vnodes = 16,
  rf = Math.min(3, hosts.length),
): void {
  CLUSTER = hosts;
  VNODES = vnodes;
  RF = rf;
  tokenCache.clear();
  for (const host of hosts) served.set(host, 0);
}

/** Answers the client on `socket` as the node at `ip:port`. */
export function serve(socket: ServedSocket, ip: string, port: number): void {
  socket.setNoDelay(true);
  let keyspace = BENCH_KEYSPACE;
  let pending: Buffer | null = null;
  const out: Buffer[] = [];

  /** Answers a statement on a table Cassandra does not have; false when the table exists. */
  const refuseMissing = (stream: number, cql: string): boolean => {
    const table = missingTable(cql);
    if (table !== null) out.push(unconfigured(stream, table));
    return table !== null;
  };

  const answer = (stream: number, opcode: number, body: Buffer, at: number, len: number) => {
    switch (opcode) {
      case Op.OPTIONS:
        out.push(frame(stream, Op.SUPPORTED, SUPPORTED_BODY));
        return;
      case Op.STARTUP:
      case Op.REGISTER:
        out.push(frame(stream, Op.READY, Buffer.alloc(0)));
        return;
      case Op.QUERY: {
        const n = body.readInt32BE(at);
        const cql = body.toString("utf8", at + 4, at + 4 + n);
        const use = USE_RE.exec(cql);
        if (use) {
          keyspace = use[1];
          out.push(frame(stream, Op.RESULT, new Out().int(0x0003).string(keyspace).build()));
          return;
        }
        if (cql.includes("held_count")) {
          out.push(frame(stream, Op.RESULT, intRow("held_count", "held", held.length)));
          return;
        }
        if (cql.includes("FROM release")) {
          out.push(frame(stream, Op.RESULT, intRow("release", "released", releaseHeld())));
          return;
        }
        if (refuseMissing(stream, cql)) return;
        // Outside the system keyspaces the answer does not depend on the WHERE/VALUES part.
        const cut = cql.includes("system") ? -1 : cql.search(CUT_RE);
        const text = cut > 0 ? cql.slice(0, cut) : cql;
        // System tables answer per node (system.local, peers): keyed by address too.
        const cacheKey = cut > 0 ? text : `${ip}\u0000${text}`;
        let c = queryCache.get(cacheKey);
        if (!c) {
          c = cannedFor(text, ip, port, keyspace);
          if (queryCache.size > 10_000) queryCache.clear();
          queryCache.set(cacheKey, c);
        }
        out.push(frame(stream, Op.RESULT, c.full));
        return;
      }
      case Op.PREPARE: {
        const n = body.readInt32BE(at);
        const cql = body.toString("utf8", at + 4, at + 4 + n);
        if (refuseMissing(stream, cql)) return;
        const id = fnv16(`${keyspace}|${cql}`);
        const key = id.toString("latin1");
        let e = prepared.get(key);
        if (!e) {
          const canned = cannedFor(cql, ip, port, keyspace);
          e = {
            id,
            canned,
            body: preparedBody(id, cql, canned, keyspace),
            hold: HOLD_RE.test(cql),
            paged: PAGED_RE.test(cql) && canned.select !== null,
          };
          prepared.set(key, e);
        }
        out.push(frame(stream, Op.RESULT, e.body));
        return;
      }
      case Op.EXECUTE: {
        served.set(ip, (served.get(ip) ?? 0) + 1);
        const n = body.readUInt16BE(at);
        const key = body.toString("latin1", at + 2, at + 2 + n);
        const e = prepared.get(key);
        if (!e) {
          const id = body.subarray(at + 2, at + 2 + n);
          out.push(
            frame(stream, Op.ERROR, errorBody(0x2500, "unprepared", (o) => o.shortBytes(id))),
          );
          return;
        }
        const flags = body[at + 2 + n + 2];
        if (e.paged) {
          const { pageSize, offset } = pageOf(body, at + 2 + n + 2);
          out.push(
            frame(
              stream,
              Op.RESULT,
              pagedAnswer(e.canned.select!, offset, pageSize, !!(flags & 0x02)),
            ),
          );
          return;
        }
        const answer = frame(stream, Op.RESULT, flags & 0x02 ? e.canned.noMeta : e.canned.full);
        if (e.hold) held.push({ socket, frame: answer });
        else out.push(answer);
        return;
      }
      case Op.BATCH:
        served.set(ip, (served.get(ip) ?? 0) + 1);
        out.push(frame(stream, Op.RESULT, VOID_BODY));
        return;
      default:
        void len;
        out.push(frame(stream, Op.ERROR, errorBody(0x000a, `opcode ${opcode} not supported`)));
    }
  };

  socket.on("data", (chunk: Buffer) => {
    let buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    pending = null;
    let pos = 0;
    while (buf.length - pos >= 9) {
      const version = buf[pos] & 0x7f;
      const stream = buf.readInt16BE(pos + 2);
      const opcode = buf[pos + 4];
      const len = buf.readInt32BE(pos + 5);
      if (buf.length - pos - 9 < len) break;
      if (version !== 4) {
        out.push(
          frame(
            stream,
            Op.ERROR,
            errorBody(0x000a, "Invalid or unsupported protocol version (only v4)"),
          ),
        );
      } else if (buf[pos + 1] & 0x01) {
        out.push(frame(stream, Op.ERROR, errorBody(0x000a, "compression not supported")));
      } else {
        answer(stream, opcode, buf, pos + 9, len);
      }
      pos += 9 + len;
    }
    if (pos < buf.length) {
      buf = buf.subarray(pos);
      pending = Buffer.from(buf);
    }
    if (out.length === 1) socket.write(out[0]);
    else if (out.length > 1) socket.write(Buffer.concat(out));
    out.length = 0;
  });
  socket.on("error", () => socket.destroy());
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

if (import.meta.main) {
  const port = Number(arg("port", "9042"));
  CLUSTER = arg("hosts", arg("host", "127.0.0.43")).split(",").map((h) => h.trim()).filter(Boolean);
  VNODES = Number(arg("vnodes", CLUSTER.length > 1 ? "16" : "1"));
  RF = Number(arg("rf", String(Math.min(3, CLUSTER.length))));
  let listening = 0;
  for (const host of CLUSTER) served.set(host, 0);
  // `served` on stdin: one JSON line, EXECUTEs and BATCHes per address since the last one.
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim() !== "served") return;
    console.log(JSON.stringify(Object.fromEntries(served)));
    for (const host of CLUSTER) served.set(host, 0);
  });
  for (const host of CLUSTER) {
    const server = createServer((s) => serve(s, host, port));
    server.listen(port, host, () => {
      if (++listening === CLUSTER.length) {
        console.log(
          `listening ${CLUSTER.map((h) => `${h}:${port}`).join(",")} ` +
            `(${CLUSTER.length} node(s), ${VNODES} vnodes each, RF ${RF})`,
        );
      }
    });
  }
}
