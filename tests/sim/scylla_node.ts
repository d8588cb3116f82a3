/**
 * A SIMULATION of a ScyllaDB node's CQL protocol surface. It is NOT ScyllaDB:
 * no storage, no real query processing. Alone it is a one-node cluster; with
 * `SimulatedScyllaCluster` (`scylla_cluster.ts`) several share a topology and a
 * tablet map. It speaks just enough CQL v4 for a driver to connect, discover
 * the "cluster", prepare and execute one statement shape per keyspace, and it
 * plays ScyllaDB's shard assignment and tablets routing:
 *
 * - SUPPORTED carries the intranode-sharding options of
 *   `docs/dev/protocol-extensions.md` (`SCYLLA_SHARD`, `SCYLLA_NR_SHARDS`,
 *   `SCYLLA_SHARDING_IGNORE_MSB`, `SCYLLA_SHARD_AWARE_PORT`, ...);
 * - the normal port gives each connection a shard (round-robin or random);
 * - the shard-aware port gives it `remotePort % nrShards`;
 * - every EXECUTE is recorded with the shard of its connection and the shard
 *   owning the bound key's token, so tests can check the driver's routing;
 * - SUPPORTED also carries `SCYLLA_HOST_ID`, `TABLETS_ROUTING_V1` and, when
 *   the topology says so, `TABLETS_ROUTING_V2_EXPERIMENTAL`; on a tablets
 *   keyspace an EXECUTE gets the `tablets-routing-v1`/`-v2` custom payload by
 *   ScyllaDB's rules (`tablets.ts`), and the record says whether it landed on
 *   a replica and on that replica's shard;
 * - SUPPORTED offers `SCYLLA_USE_METADATA_ID`; once negotiated, PREPARED
 *   carries the result metadata id, EXECUTE is read with one, and an id that
 *   is not the statement's current one gets `Metadata_changed`, the new id and
 *   the columns (`statements.ts`; `ALTER TABLE … ADD` changes them);
 * - REGISTER accepts `CLIENT_ROUTES_CHANGE` only where the topology says the
 *   nodes know it (else, as for any unknown type, a protocol error), and
 *   {@link SimulatedScyllaNode.clientRoutesChange} pushes that event.
 *
 * The owning shard is computed here with a BigInt transcription of the spec's
 * formula, independent of `src/cluster/sharding.ts`; the token uses the
 * driver's murmur3, which its own tests check against Cassandra's vectors.
 * @module
 */

import * as net from "node:net";
import { createHash } from "node:crypto";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import {
  type Column,
  errorBody,
  preparedBody,
  preparedColumnsBody,
  responseFrame,
  rowsBody,
  T,
} from "./cql_bytes.ts";
import { answerQuery, systemRows } from "./system_tables.ts";
import { type ExecuteRecord, intKey, ownerShard, readExecute, routeExecute } from "./execute.ts";
import { type SimNodeInfo, SimTopology } from "./topology.ts";
import { eventually, type SimConnection, type SimulatedNodeOptions } from "./node_options.ts";
import {
  alterTable,
  isStale,
  prepareStatement,
  type SimStatement,
  statementId,
} from "./statements.ts";

export { type ExecuteRecord, intKey, ownerShard };
export { eventually, type SimConnection, type SimulatedNodeOptions };

const LWT = /\bIF\b/i;

/** A simulated ScyllaDB node on 127.0.0.1 (see the module note: not ScyllaDB). */
export class SimulatedScyllaNode {
  /** The normal CQL port. */
  port = 0;
  /** The shard-aware port, `null` when not simulated. */
  shardAwarePort: number | null = null;
  /** Every connection ever accepted, in order. */
  readonly connections: SimConnection[] = [];
  /** Every EXECUTE received, in order. */
  readonly executes: ExecuteRecord[] = [];
  readonly nrShards: number;
  readonly ignoreMsb: number;
  readonly lwtMask: number;
  /** The cluster as this node sees it (shared with its peers). */
  readonly topology: SimTopology;
  /** This node's entry in {@link topology}. */
  readonly info: SimNodeInfo;

  #opts: SimulatedNodeOptions;
  #servers: net.Server[] = [];
  #sockets = new Map<SimConnection, net.Socket>();
  #nextShard = 0;
  #prepared = new Map<string, SimStatement>();
  /** Prepared queries over `system` / `system_schema` tables: their text and bind markers. */
  #preparedSystem = new Map<
    string,
    { cql: string; markers: { column: string; list: boolean }[] }
  >();
  #watchers = new Set<() => void>();

  private constructor(opts: SimulatedNodeOptions) {
    this.#opts = opts;
    this.nrShards = opts.nrShards;
    this.ignoreMsb = opts.ignoreMsb ?? 12;
    this.lwtMask = opts.lwtMask ?? 0x80000000;
    this.topology = opts.cluster?.topology ??
      SimTopology.single(opts.nrShards, opts.address ?? "127.0.0.1");
    if (!opts.cluster && opts.clientRoutes === false) this.topology.clientRoutes = false;
    const hostId = opts.cluster?.hostId ?? this.topology.nodes[0].hostId;
    this.info = this.topology.node(hostId)!;
  }

  /** Starts listening (default: ephemeral ports of 127.0.0.1). */
  static async start(opts: SimulatedNodeOptions): Promise<SimulatedScyllaNode> {
    const node = new SimulatedScyllaNode(opts);
    node.port = await node.#listen("normal", opts.port ?? 0);
    if (opts.shardAwarePort ?? true) {
      node.shardAwarePort = await node.#listen("shard-aware", opts.shardAwarePortNumber ?? 0);
    }
    if (opts.shardAwarePortClosed) {
      const server = node.#servers.pop()!;
      await new Promise((r) => server.close(r));
    }
    return node;
  }

  /** Open connections that are not the driver's control connection. */
  poolConnections(): SimConnection[] {
    return this.connections.filter((c) => c.open && c.ready && !c.control);
  }

  /** Open pool connections per shard, by shard number. */
  poolCountsByShard(): number[] {
    const counts = new Array(this.nrShards).fill(0);
    for (const c of this.poolConnections()) counts[c.shard]++;
    return counts;
  }

  /** Closes a client connection from the server side, as a shard restart would. */
  kill(c: SimConnection): void {
    this.#sockets.get(c)?.destroy();
  }

  /**
   * Resolves once `condition` holds, re-checked on every connection and
   * request event; rejects after `timeoutMs` with `what` in the message.
   */
  until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        this.#watchers.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#watchers.delete(check);
        reject(new Error(`simulated node: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.#watchers.add(check);
    });
  }

  /**
   * Pushes `CLIENT_ROUTES_CHANGE` (`UPDATE_NODES`, the route keys as pairs) to
   * every connection registered for it, as server.cc's
   * `make_client_routes_change_event` writes it. Returns how many got it.
   */
  clientRoutesChange(connectionIds: string[], hostIds: string[]): number {
    const body = new Writer(128).writeString("CLIENT_ROUTES_CHANGE").writeString("UPDATE_NODES")
      .writeStringList(connectionIds).writeStringList(hostIds).toBytes();
    let sent = 0;
    for (const [conn, socket] of this.#sockets) {
      if (!conn.events.includes("CLIENT_ROUTES_CHANGE")) continue;
      socket.write(responseFrame(-1, 0x0c, body));
      sent++;
    }
    return sent;
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const s of this.#sockets.values()) s.destroy();
    await Promise.all(this.#servers.map((s) => new Promise((r) => s.close(r))));
  }

  #changed(): void {
    for (const w of [...this.#watchers]) w();
  }

  #listen(via: SimConnection["via"], port: number): Promise<number> {
    const server = net.createServer((socket) => this.#accept(socket, via));
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, this.info.address, () => {
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  #accept(socket: net.Socket, via: SimConnection["via"]): void {
    const remotePort = socket.remotePort ?? 0;
    let shard: number;
    if (via === "shard-aware" && !this.#opts.natRewritesSourcePorts) {
      shard = remotePort % this.nrShards;
    } else if (this.#opts.normalPortShards === "random") {
      shard = Math.floor(Math.random() * this.nrShards);
    } else shard = this.#nextShard++ % this.nrShards;
    const conn: SimConnection = {
      id: this.connections.length,
      via,
      remotePort,
      shard,
      control: false,
      events: [],
      ready: false,
      open: true,
      startup: new Map(),
      keyspace: null,
    };
    this.connections.push(conn);
    this.#sockets.set(conn, socket);
    socket.setNoDelay(true);
    let pending = new Uint8Array(0);
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(pending.length + chunk.length);
      joined.set(pending);
      joined.set(chunk, pending.length);
      let at = 0;
      while (joined.length - at >= 9) {
        const view = new DataView(joined.buffer, joined.byteOffset + at);
        const length = view.getInt32(5);
        if (joined.length - at - 9 < length) break;
        const stream = view.getInt16(2);
        const opcode = joined[at + 4];
        const version = joined[at] & 0x7f;
        const body = joined.slice(at + 9, at + 9 + length);
        at += 9 + length;
        const answer = this.#answerSafely(conn, version, opcode, body);
        socket.write(responseFrame(stream, answer.opcode, answer.body, answer.payload));
      }
      pending = joined.slice(at);
      this.#changed();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      conn.open = false;
      this.#sockets.delete(conn);
      this.#changed();
    });
  }

  /** Protocol faults become ERROR 0x000A, as ScyllaDB answers them, not a dead socket. */
  #answerSafely(conn: SimConnection, version: number, opcode: number, body: Uint8Array): Answer {
    // ScyllaDB's message when a driver probes a protocol version it lacks.
    if (version !== 4) {
      const message = `Invalid or unsupported protocol version: ${version}`;
      return { opcode: 0x00, body: errorBody(0x000a, message) };
    }
    try {
      return this.#answer(conn, opcode, body);
    } catch (e) {
      return { opcode: 0x00, body: errorBody(0x000a, (e as Error).message) };
    }
  }

  #answer(conn: SimConnection, opcode: number, body: Uint8Array): Answer {
    const r = new Reader(body);
    switch (opcode) {
      case 0x05: // OPTIONS
        return { opcode: 0x06, body: this.#supported(conn) };
      case 0x01: { // STARTUP
        for (let n = r.readShort(); n > 0; n--) conn.startup.set(r.readString(), r.readString());
        conn.ready = true;
        return { opcode: 0x02, body: new Uint8Array(0) };
      }
      case 0x0b: { // REGISTER (server.cc, process_register / parse_event_type)
        const known = ["TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"];
        if (!this.#opts.cassandra && this.topology.clientRoutes) known.push("CLIENT_ROUTES_CHANGE");
        for (const type of r.readStringList()) {
          if (!known.includes(type)) throw new Error(`Invalid value '${type}' for Event.Type`);
          conn.events.push(type);
        }
        conn.control = true;
        return { opcode: 0x02, body: new Uint8Array(0) };
      }
      case 0x07: { // QUERY
        const cql = r.readLongString();
        const use = /^\s*USE\s+"?(\w+)"?/i.exec(cql);
        if (use) conn.keyspace = use[1];
        const altered = alterTable(cql, this.topology, conn.keyspace);
        if (altered !== null) return { opcode: 0x08, body: altered };
        return answerQuery(cql, this.info, this.topology);
      }
      case 0x09: // PREPARE
        return this.#prepare(conn, r.readLongString());
      case 0x0a: // EXECUTE
        return this.#execute(conn, body);
      default:
        return { opcode: 0x00, body: errorBody(0x000a, `opcode ${opcode} is not simulated`) };
    }
  }

  #supported(conn: SimConnection): Uint8Array {
    const options: [string, string[]][] = [["CQL_VERSION", ["3.3.1"]], ["COMPRESSION", []]];
    if (!this.#opts.cassandra) {
      options.push(
        ["SCYLLA_HOST_ID", [this.info.hostId]],
        ["SCYLLA_SHARD", [String(conn.shard)]],
        ["SCYLLA_NR_SHARDS", [String(this.nrShards)]],
        ["SCYLLA_PARTITIONER", ["org.apache.cassandra.dht.Murmur3Partitioner"]],
        ["SCYLLA_SHARDING_ALGORITHM", ["biased-token-round-robin"]],
        ["SCYLLA_SHARDING_IGNORE_MSB", [String(this.ignoreMsb)]],
        ["SCYLLA_LWT_ADD_METADATA_MARK", [`LWT_OPTIMIZATION_META_BIT_MASK=${this.lwtMask >>> 0}`]],
        // Extensions without parameters carry one empty value (server.cc, make_supported).
        ["TABLETS_ROUTING_V1", [""]],
      );
      if (this.#opts.useMetadataId ?? true) options.push(["SCYLLA_USE_METADATA_ID", [""]]);
      if (this.topology.tabletsV2) options.push(["TABLETS_ROUTING_V2_EXPERIMENTAL", [""]]);
    }
    if (this.shardAwarePort !== null && !this.#opts.cassandra) {
      options.push(["SCYLLA_SHARD_AWARE_PORT", [String(this.shardAwarePort)]]);
    }
    const w = new Writer(512).writeShort(options.length);
    for (const [k, v] of options) w.writeString(k).writeStringList(v);
    return w.toBytes();
  }

  /** Extensions in force: sent in STARTUP and offered (server.cc, process_startup). */
  #extensions(conn: SimConnection): { v1: boolean; v2: boolean; metadataId: boolean } {
    const scylla = !this.#opts.cassandra;
    return {
      v1: scylla && conn.startup.has("TABLETS_ROUTING_V1"),
      v2: scylla && this.topology.tabletsV2 && conn.startup.has("TABLETS_ROUTING_V2_EXPERIMENTAL"),
      metadataId: scylla && (this.#opts.useMetadataId ?? true) &&
        conn.startup.has("SCYLLA_USE_METADATA_ID"),
    };
  }

  /**
   * Statements over `<keyspace>.t (k int PRIMARY KEY, v int, …)`: markers
   * named `k` then `v`. The id hashes the text, as ScyllaDB's (an MD5) is the
   * same on every node, so a driver may prepare on one node and execute on another.
   */
  #prepare(conn: SimConnection, cql: string): Answer {
    const target = /\b(?:INTO|FROM|UPDATE)\s+(?:"?(\w+)"?\.)?"?(\w+)"?/i.exec(cql);
    if (/^system(_schema)?$/i.test(target?.[1] ?? conn.keyspace ?? "")) {
      return this.#prepareSystem(conn, cql);
    }
    const keyspace = this.topology.keyspaces.get(target?.[1] ?? conn.keyspace ?? "ks");
    const table = target?.[2] ?? "t";
    if (keyspace === undefined) {
      const name = target?.[1] ?? conn.keyspace ?? "ks";
      return { opcode: 0x00, body: errorBody(0x2200, `Keyspace ${name} does not exist`) };
    }
    const stmt = prepareStatement(cql, keyspace, table);
    const id = statementId(cql);
    this.#prepared.set(String(id), stmt);
    const markers = (cql.match(/\?/g) ?? []).length;
    const bind = ["k", "v"].slice(0, Math.max(1, Math.min(2, markers)));
    const lwt = LWT.test(cql) && conn.startup.has("SCYLLA_LWT_ADD_METADATA_MARK");
    const mid = this.#extensions(conn).metadataId ? stmt.metadataId : undefined;
    const flags = lwt ? this.lwtMask : 0;
    return {
      opcode: 0x08,
      body: preparedBody(id, bind, stmt.result, flags, keyspace.name, table, mid),
    };
  }

  /**
   * A query over a system table prepares as on ScyllaDB (drivers such as the Rust one prepare
   * their metadata queries): markers `<column> = ?` (text) and `<column> IN ?` (list<text>), the
   * result columns the QUERY would return. The result metadata id is a hash of the columns' names
   * and type codes, stable but not ScyllaDB's `calculate_metadata_id` for non-`int` types.
   */
  #prepareSystem(conn: SimConnection, cql: string): Answer {
    const described = systemRows(cql, this.info, this.topology);
    if ("body" in described) return described;
    const markers = [...cql.matchAll(/"?(\w+)"?\s*(=|\bIN\b)\s*\?/gi)].map((m) => ({
      column: m[1].toLowerCase(),
      list: m[2].toUpperCase() === "IN",
    }));
    if (markers.length !== (cql.match(/\?/g) ?? []).length) {
      return {
        opcode: 0x00,
        body: errorBody(0x2200, "the simulation binds only `col = ?` / `col IN ?`"),
      };
    }
    const id = statementId(cql);
    this.#preparedSystem.set(String(id), { cql, markers });
    const bind: Column[] = markers.map((m) => [
      m.column,
      m.list ? [T.list, T.varchar] : T.varchar,
    ]);
    const pk = described.keyspace === "system_schema"
      ? markers.flatMap((m, i) => m.column === "keyspace_name" ? [i] : [])
      : [];
    const mid = this.#extensions(conn).metadataId
      ? columnsMetadataId(described.columns)
      : undefined;
    return {
      opcode: 0x08,
      body: preparedColumnsBody(
        id,
        bind,
        pk,
        described.columns,
        described.keyspace,
        described.table,
        mid,
      ),
    };
  }

  #execute(conn: SimConnection, body: Uint8Array): Answer {
    const ext = this.#extensions(conn);
    const ex = readExecute(body, ext.v2, ext.metadataId);
    const system = this.#preparedSystem.get(String(ex.id));
    if (system !== undefined) {
      const at = system.markers.findIndex((m) => m.column === "keyspace_name");
      const value = at >= 0 ? ex.values[at] : undefined;
      const bound = value
        ? (system.markers[at].list ? textList(value) : [textOf(value)])
        : undefined;
      return answerQuery(system.cql, this.info, this.topology, bound);
    }
    const stmt = this.#prepared.get(String(ex.id));
    // ScyllaDB drops a table's prepared statements when its columns change.
    if (stmt !== undefined && isStale(stmt, this.topology)) this.#prepared.delete(String(ex.id));
    if (stmt === undefined || isStale(stmt, this.topology)) {
      const w = new Writer(64).writeInt(0x2500).writeString("unknown prepared id");
      return { opcode: 0x00, body: w.writeShortBytes(ex.id).toBytes() };
    }
    const key = ex.values[0];
    if (!key || key.length !== 4) {
      return { opcode: 0x00, body: errorBody(0x2200, "the simulation needs an int key k") };
    }
    // The LWT path (modification_statement::execute_with_condition) only knows v1.
    const exts = LWT.test(stmt.cql) ? { v1: ext.v1, v2: false } : ext;
    const { record, payload } = routeExecute(this, conn, stmt, key, exts, ex.versionBlock);
    // server.cc, response::write: a request id that is not the statement's gets Metadata_changed.
    record.metadataId = ex.metadataId;
    record.metadataChanged = ex.metadataId !== null &&
      String(ex.metadataId) !== String(stmt.metadataId);
    // Skip_metadata is honoured only when the id it names is the statement's (else the new
    // columns go with Metadata_changed); without the extension it is honoured as on v4.
    record.skipMetadata = ex.skipMetadata;
    record.metadataSkipped = ex.skipMetadata && !record.metadataChanged &&
      stmt.result.length > 0;
    this.executes.push(record);
    if (stmt.result.length > 0) {
      const cols = stmt.result.map((name): [string, number] => [name, T.int]);
      // k and v hold the key; columns added by ALTER are NULL.
      const row = stmt.result.map((name) => name === "k" || name === "v" ? key : null);
      const changed = record.metadataChanged ? stmt.metadataId : undefined;
      const rows = rowsBody(
        stmt.keyspace,
        stmt.table,
        cols,
        [row],
        changed,
        record.metadataSkipped,
      );
      return { opcode: 0x08, body: rows, payload };
    }
    return { opcode: 0x08, body: new Writer(4).writeInt(1).toBytes(), payload };
  }
}

/** A response: opcode, body, and the custom payload to prefix it with. */
interface Answer {
  opcode: number;
  body: Uint8Array;
  payload?: Map<string, Uint8Array>;
}

const decoder = new TextDecoder();
function textOf(b: Uint8Array): string {
  return decoder.decode(b);
}
/** A serialized `list<text>`: [int n] then n [bytes]. */
function textList(b: Uint8Array): string[] {
  const r = new Reader(b);
  const out: string[] = [];
  for (let n = r.readInt(); n > 0; n--) out.push(textOf(r.readBytes()!));
  return out;
}
/** A result metadata id for columns of any type: SHA-256 of names and type codes, 16 bytes. */
function columnsMetadataId(cols: Column[]): Uint8Array {
  const h = createHash("sha256");
  for (const [name, type] of cols) h.update(`${name}\u0000${JSON.stringify(type)}\u0000`);
  return new Uint8Array(h.digest()).slice(0, 16);
}
