/**
 * A SIMULATION of a ScyllaDB node's CQL protocol surface. It is NOT ScyllaDB:
 * no storage, no real query processing, one node only. It speaks just enough
 * CQL v4 for the driver to connect, discover the "cluster", prepare and execute
 * one statement shape, and it plays ScyllaDB's shard assignment:
 *
 * - SUPPORTED carries the intranode-sharding options of
 *   `docs/dev/protocol-extensions.md` (`SCYLLA_SHARD`, `SCYLLA_NR_SHARDS`,
 *   `SCYLLA_SHARDING_IGNORE_MSB`, `SCYLLA_SHARD_AWARE_PORT`, ...);
 * - the normal port gives each connection a shard (round-robin or random);
 * - the shard-aware port gives it `remotePort % nrShards`;
 * - every EXECUTE is recorded with the shard of its connection and the shard
 *   owning the bound key's token, so tests can check the driver's routing.
 *
 * The owning shard is computed here with a BigInt transcription of the spec's
 * formula, independent of `src/cluster/sharding.ts`; the token uses the
 * driver's murmur3, which its own tests check against Cassandra's vectors.
 * @module
 */

import * as net from "node:net";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import { murmur3Token } from "../../src/routing/murmur3.ts";
import { errorBody, preparedBody, rowsBody, T } from "./cql_bytes.ts";
import { answerQuery } from "./system_tables.ts";

/** Settings of the simulated node. */
export interface SimulatedNodeOptions {
  /** `SCYLLA_NR_SHARDS`. */
  nrShards: number;
  /** `SCYLLA_SHARDING_IGNORE_MSB` (default 12, ScyllaDB's). */
  ignoreMsb?: number;
  /** Listen on and advertise a shard-aware port (default `true`). */
  shardAwarePort?: boolean;
  /** How the normal port assigns shards (default `"round-robin"`). */
  normalPortShards?: "round-robin" | "random";
  /** Bit advertised as `SCYLLA_LWT_ADD_METADATA_MARK` (default 0x80000000, ScyllaDB's). */
  lwtMask?: number;
  /**
   * Play a NAT between client and node that rewrites source ports: the
   * shard-aware port then assigns shards like the normal port (default `false`).
   */
  natRewritesSourcePorts?: boolean;
  /**
   * Advertise the shard-aware port but refuse connections on it, as a firewall
   * that only lets the normal port through would (default `false`).
   */
  shardAwarePortClosed?: boolean;
  /** Advertise no `SCYLLA_*` option at all, as Cassandra (default `false`). */
  cassandra?: boolean;
}

/** One client connection as the simulation sees it. */
export interface SimConnection {
  /** Order of arrival. */
  readonly id: number;
  /** Which listening port it came through. */
  readonly via: "normal" | "shard-aware";
  /** The client's source port. */
  readonly remotePort: number;
  /** The shard serving it. */
  readonly shard: number;
  /** Sent REGISTER: the driver's control connection. */
  control: boolean;
  /** STARTUP answered. */
  ready: boolean;
  /** Still open. */
  open: boolean;
  /** STARTUP options the client sent. */
  startup: Map<string, string>;
}

/** One EXECUTE as received. */
export interface ExecuteRecord {
  /** The connection it arrived on. */
  connection: SimConnection;
  /** The bound partition key `k`. */
  key: number;
  /** Murmur3 token of the key. */
  token: bigint;
  /** The shard that owns the token. */
  ownerShard: number;
}

const LWT = /\bIF\b/i;

/** The spec's biased-token-round-robin, in infinite precision. */
export function ownerShard(token: bigint, nrShards: number, ignoreMsb: number): number {
  let z = token + 2n ** 63n;
  z = (z << BigInt(ignoreMsb)) % 2n ** 64n;
  return Number((z * BigInt(nrShards)) >> 64n);
}

/**
 * Resolves once `condition` holds, checking every few milliseconds; rejects
 * after `timeoutMs` naming `what`. For state on the driver's side, where the
 * simulation sees no event.
 */
export async function eventually(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The serialized `int` partition key the simulation hashes. */
export function intKey(k: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, k);
  return b;
}

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

  #opts: SimulatedNodeOptions;
  #servers: net.Server[] = [];
  #sockets = new Map<SimConnection, net.Socket>();
  #nextShard = 0;
  #prepared = new Map<string, string>();
  #watchers = new Set<() => void>();

  private constructor(opts: SimulatedNodeOptions) {
    this.#opts = opts;
    this.nrShards = opts.nrShards;
    this.ignoreMsb = opts.ignoreMsb ?? 12;
    this.lwtMask = opts.lwtMask ?? 0x80000000;
  }

  /** Starts listening on ephemeral ports of 127.0.0.1. */
  static async start(opts: SimulatedNodeOptions): Promise<SimulatedScyllaNode> {
    const node = new SimulatedScyllaNode(opts);
    node.port = await node.#listen("normal");
    if (opts.shardAwarePort ?? true) node.shardAwarePort = await node.#listen("shard-aware");
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

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const s of this.#sockets.values()) s.destroy();
    await Promise.all(this.#servers.map((s) => new Promise((r) => s.close(r))));
  }

  #changed(): void {
    for (const w of [...this.#watchers]) w();
  }

  #listen(via: SimConnection["via"]): Promise<number> {
    const server = net.createServer((socket) => this.#accept(socket, via));
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port));
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
      ready: false,
      open: true,
      startup: new Map(),
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
        const body = joined.slice(at + 9, at + 9 + length);
        at += 9 + length;
        const answer = this.#answer(conn, opcode, body);
        socket.write(frame(stream, answer.opcode, answer.body));
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

  #answer(
    conn: SimConnection,
    opcode: number,
    body: Uint8Array,
  ): { opcode: number; body: Uint8Array } {
    const r = new Reader(body);
    switch (opcode) {
      case 0x05: // OPTIONS
        return { opcode: 0x06, body: this.#supported(conn) };
      case 0x01: { // STARTUP
        for (let n = r.readShort(); n > 0; n--) conn.startup.set(r.readString(), r.readString());
        conn.ready = true;
        return { opcode: 0x02, body: new Uint8Array(0) };
      }
      case 0x0b: // REGISTER
        conn.control = true;
        return { opcode: 0x02, body: new Uint8Array(0) };
      case 0x07: // QUERY
        return answerQuery(r.readLongString());
      case 0x09: // PREPARE
        return { opcode: 0x08, body: this.#prepare(conn, r.readLongString()) };
      case 0x0a: // EXECUTE
        return this.#execute(conn, r);
      default:
        return { opcode: 0x00, body: errorBody(0x000a, `opcode ${opcode} is not simulated`) };
    }
  }

  #supported(conn: SimConnection): Uint8Array {
    const options: [string, string[]][] = [["CQL_VERSION", ["3.3.1"]], ["COMPRESSION", []]];
    if (!this.#opts.cassandra) {
      options.push(
        ["SCYLLA_SHARD", [String(conn.shard)]],
        ["SCYLLA_NR_SHARDS", [String(this.nrShards)]],
        ["SCYLLA_PARTITIONER", ["org.apache.cassandra.dht.Murmur3Partitioner"]],
        ["SCYLLA_SHARDING_ALGORITHM", ["biased-token-round-robin"]],
        ["SCYLLA_SHARDING_IGNORE_MSB", [String(this.ignoreMsb)]],
        ["SCYLLA_LWT_ADD_METADATA_MARK", [`LWT_OPTIMIZATION_META_BIT_MASK=${this.lwtMask >>> 0}`]],
      );
    }
    if (this.shardAwarePort !== null && !this.#opts.cassandra) {
      options.push(["SCYLLA_SHARD_AWARE_PORT", [String(this.shardAwarePort)]]);
    }
    const w = new Writer(512).writeShort(options.length);
    for (const [k, v] of options) w.writeString(k).writeStringList(v);
    return w.toBytes();
  }

  /** Statements over `ks.t (k int PRIMARY KEY, v int)`: markers named `k` then `v`. */
  #prepare(conn: SimConnection, cql: string): Uint8Array {
    const id = new Writer(16).writeInt(this.#prepared.size + 1).writeInt(0x5c1a).toBytes();
    this.#prepared.set(String(id), cql);
    const markers = (cql.match(/\?/g) ?? []).length;
    const bind = ["k", "v"].slice(0, Math.max(1, Math.min(2, markers)));
    const result = /^\s*SELECT/i.test(cql) ? ["v"] : [];
    const lwt = LWT.test(cql) && conn.startup.has("SCYLLA_LWT_ADD_METADATA_MARK");
    return preparedBody(id, bind, result, lwt ? this.lwtMask : 0);
  }

  #execute(conn: SimConnection, r: Reader): { opcode: number; body: Uint8Array } {
    const id = r.readShortBytes();
    const cql = this.#prepared.get(String(id));
    if (cql === undefined) {
      const w = new Writer(64).writeInt(0x2500).writeString("unknown prepared id");
      return { opcode: 0x00, body: w.writeShortBytes(id).toBytes() };
    }
    r.readShort(); // consistency
    const flags = r.readByte();
    const key = (flags & 0x01) && r.readShort() > 0 ? r.readBytes() : null;
    if (key === null || key.length !== 4) {
      return { opcode: 0x00, body: errorBody(0x2200, "the simulation needs an int key k") };
    }
    const token = murmur3Token(key);
    this.executes.push({
      connection: conn,
      key: new DataView(key.buffer, key.byteOffset, 4).getInt32(0),
      token,
      ownerShard: ownerShard(token, this.nrShards, this.ignoreMsb),
    });
    if (/^\s*SELECT/i.test(cql)) {
      return { opcode: 0x08, body: rowsBody("ks", "t", [["v", T.int]], [[key]]) };
    }
    return { opcode: 0x08, body: new Writer(4).writeInt(1).toBytes() };
  }
}

/** A response frame: version 0x84, no flags. */
function frame(stream: number, opcode: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(9 + body.length);
  const view = new DataView(out.buffer);
  out[0] = 0x84;
  view.setInt16(2, stream);
  out[4] = opcode;
  view.setInt32(5, body.length);
  out.set(body, 9);
  return out;
}
