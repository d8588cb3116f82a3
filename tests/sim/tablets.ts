/**
 * The SIMULATED cluster's tablets (tests only; not ScyllaDB): per tablets
 * table a map of token ranges to replicas, and what a ScyllaDB coordinator
 * does with it when an EXECUTE arrives. Written from ScyllaDB's source, not
 * from our driver:
 *
 * - layout: `tablet_map` keeps sorted last tokens; tablet `i` owns
 *   `(last[i-1], last[i]]`, the first one from the minimum token. The
 *   power-of-two layout is `dht::last_token_of_compaction_group`; newer
 *   servers also allow arbitrary boundaries (`tablet_layout::arbitrary`).
 * - v1 (`tablet_effective_replication_map::check_locality`, locator/tablets.cc):
 *   no payload when this node is a replica and the connection's original
 *   shard is its shard (or it is the pending replica of a migration on that
 *   shard); otherwise the whole tablet, first token `-2^63` for tablet 0.
 * - v2 (`check_tablet_version`): replicas sorted, version = a 64-bit hash of
 *   them (ScyllaDB: xxhash; here FNV-1a, the value is opaque to drivers); the
 *   payload whenever the request's 4-bit block disagrees, wherever it landed.
 * - encoding (`result_message::add_tablet_info(_v2)`): a CQL tuple of
 *   `bigint, bigint, list<tuple<uuid, int>>` (v2: `, bigint`).
 * @module
 */

import { Writer } from "../../src/wire/bytes.ts";
import { uuid } from "./cql_bytes.ts";

/** One replica: node host id and shard. */
export interface SimReplica {
  hostId: string;
  shard: number;
}

/** One tablet of the simulation: `(firstToken, lastToken]`. */
export interface SimTablet {
  firstToken: bigint;
  lastToken: bigint;
  replicas: SimReplica[];
  /** The replica being streamed to during a migration, counted as correctly routed. */
  pending?: SimReplica;
}

/** A node as the tablet allocator sees it. */
export interface SimHost {
  hostId: string;
  nrShards: number;
}

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** A small seeded PRNG, so a failing test can be replayed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function random64(next: () => number): bigint {
  const hi = BigInt(Math.floor(next() * 2 ** 32));
  const lo = BigInt(Math.floor(next() * 2 ** 32));
  return BigInt.asIntN(64, (hi << 32n) | lo);
}

/** Last tokens of `count` (a power of two) equal tablets: `dht::last_token_of_compaction_group`. */
export function pow2LastTokens(count: number): bigint[] {
  const bits = BigInt(Math.log2(count));
  if (!Number.isInteger(Math.log2(count))) throw new RangeError(`${count} is not a power of two`);
  const out: bigint[] = [];
  for (let g = 0n; g < BigInt(count); g++) {
    const n = g === BigInt(count) - 1n ? 2n ** 64n - 1n : ((g + 1n) << (64n - bits)) - 1n;
    out.push(n - 2n ** 63n); // dht::token::bias: unsigned to signed by flipping the top bit
  }
  return out;
}

/** A tablet table: sorted, covering the whole ring. */
export class SimTabletTable {
  tablets: SimTablet[];

  constructor(lastTokens: bigint[], replicasOf: (i: number) => SimReplica[]) {
    this.tablets = lastTokens.map((last, i) => ({
      firstToken: i === 0 ? MIN : lastTokens[i - 1],
      lastToken: last,
      replicas: replicasOf(i),
    }));
    if (lastTokens.at(-1) !== MAX) throw new RangeError("the last tablet must end at 2^63 - 1");
  }

  /**
   * `count` tablets over `hosts`, `rf` distinct nodes each on a random shard.
   * `layout` "pow2" is ScyllaDB's default; "random" draws boundaries.
   */
  static allocate(
    count: number,
    hosts: SimHost[],
    rf: number,
    layout: "pow2" | "random",
    next: () => number,
  ): SimTabletTable {
    if (rf > hosts.length) throw new RangeError(`rf ${rf} > ${hosts.length} nodes`);
    let lasts: bigint[];
    if (layout === "pow2") lasts = pow2LastTokens(count);
    else {
      const set = new Set<bigint>();
      while (set.size < count - 1) {
        const t = random64(next);
        if (t !== MIN && t !== MAX) set.add(t);
      }
      lasts = [...set].sort((a, b) => (a < b ? -1 : 1));
      lasts.push(MAX);
    }
    return new SimTabletTable(lasts, () => {
      const pool = [...hosts];
      const out: SimReplica[] = [];
      for (let r = 0; r < rf; r++) {
        const h = pool.splice(Math.floor(next() * pool.length), 1)[0];
        out.push({ hostId: h.hostId, shard: Math.floor(next() * h.nrShards) });
      }
      return out;
    });
  }

  /** Index of the tablet owning `token` (`tablet_map::get_tablet_id`). */
  indexOf(token: bigint): number {
    let lo = 0, hi = this.tablets.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tablets[mid].lastToken < token) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The tablet owning `token`. */
  tabletOf(token: bigint): SimTablet {
    return this.tablets[this.indexOf(token)];
  }

  /**
   * Starts migrating the tablet owning `token` towards `pending`: requests
   * on the pending replica's shard count as routed correctly (v1), though
   * payloads still list the current replicas.
   */
  startMigration(token: bigint, pending: SimReplica): SimTablet {
    const t = this.tabletOf(token);
    t.pending = { ...pending };
    return t;
  }

  /**
   * Moves the tablet owning `token` to new replicas at once, as the end of a
   * migration does; the payload of later misrouted requests says so.
   */
  move(token: bigint, replicas: SimReplica[]): SimTablet {
    const t = this.tabletOf(token);
    t.replicas = replicas.map((r) => ({ ...r }));
    delete t.pending;
    return t;
  }
}

/** Is the request routed correctly for v1? `check_locality`'s rule. */
export function routedCorrectly(t: SimTablet, hostId: string, shard: number): boolean {
  const mine = t.replicas.find((r) => r.hostId === hostId);
  if (mine !== undefined) return mine.shard === shard;
  return t.pending?.hostId === hostId && t.pending.shard === shard;
}

/** Replicas in the order the v2 version hashes them: by host id (unsigned bytes), then shard. */
export function sortedReplicas(replicas: SimReplica[]): SimReplica[] {
  return [...replicas].sort((a, b) =>
    a.hostId < b.hostId ? -1 : a.hostId > b.hostId ? 1 : a.shard - b.shard
  );
}

/** The v2 tablet version: a 64-bit hash of the sorted replicas (FNV-1a here). */
export function tabletVersion(replicas: SimReplica[]): bigint {
  let h = 0xcbf29ce484222325n;
  for (const r of sortedReplicas(replicas)) {
    const bytes = new Writer(20).writeRaw(uuid(r.hostId)).writeInt(r.shard).toBytes();
    for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & (2n ** 64n - 1n);
  }
  return h;
}

/** `compare_tablet_version_block` (locator/tablets.hh). */
export function versionBlockMatches(version: bigint, block: number): boolean {
  const index = BigInt((block & 0xf0) >> 4);
  return Number((version >> (index * 4n)) & 0xfn) === (block & 0x0f);
}

/** The payload value, serialized as `result_message::add_tablet_info(_v2)` does. */
export function encodeTabletPayload(t: SimTablet, version?: bigint): Uint8Array {
  const w = new Writer(128);
  w.writeInt(8).writeLong(t.firstToken);
  w.writeInt(8).writeLong(t.lastToken);
  const list = new Writer(64).writeInt(t.replicas.length);
  for (const r of t.replicas) {
    const tuple = new Writer(32).writeInt(16).writeRaw(uuid(r.hostId)).writeInt(4)
      .writeInt(r.shard).toBytes();
    list.writeBytes(tuple);
  }
  w.writeBytes(list.toBytes());
  if (version !== undefined) w.writeInt(8).writeLong(BigInt.asIntN(64, version));
  return w.toBytes();
}

/**
 * What the coordinator attaches to a successful RESULT for a single-partition
 * request with a bound key on a tablets table: the custom-payload entry, or
 * `null`. `extensions` are the keys the connection sent in STARTUP (and the
 * server offered); v2 wins, as only one is ever negotiated by a driver.
 */
export function routingPayload(
  t: SimTablet,
  hostId: string,
  originalShard: number,
  extensions: { v1: boolean; v2: boolean },
  versionBlock: number | null,
): [string, Uint8Array] | null {
  if (extensions.v2 && versionBlock !== null) {
    const replicas = sortedReplicas(t.replicas);
    const version = tabletVersion(replicas);
    if (versionBlockMatches(version, versionBlock)) return null;
    return ["tablets-routing-v2", encodeTabletPayload({ ...t, replicas }, version)];
  }
  if (extensions.v1 && !routedCorrectly(t, hostId, originalShard)) {
    return ["tablets-routing-v1", encodeTabletPayload(t)];
  }
  return null;
}
