/**
 * Which pooled connection serves which ScyllaDB shard, and the choice of a
 * connection for a token: the least busy one on the shard that owns it.
 * No sockets here, so the routing choice can be tested with plain objects.
 * @module
 */

import { parseShardingInfo, type ShardingInfo, shardOf, shardOfHiLo } from "../routing/sharding.ts";

/** What picking needs to know about a connection. */
export interface Loaded {
  /** Requests sent and not answered. */
  readonly inFlight: number;
  /** Requests waiting for a stream id. */
  readonly waiting: number;
}

/**
 * The least busy of `cs` (in flight plus queued), or `null` when empty.
 * A linear scan: pools hold a handful of connections per shard.
 */
export function leastBusy<C extends Loaded>(cs: readonly C[]): C | null {
  const n = cs.length;
  if (n === 0) return null;
  let best = cs[0];
  if (n === 1) return best;
  let load = best.inFlight + best.waiting;
  for (let i = 1; i < n; i++) {
    const l = cs[i].inFlight + cs[i].waiting;
    if (l < load) [best, load] = [cs[i], l];
  }
  return best;
}

/**
 * A connection's sharding from its SUPPORTED options; `null` for Cassandra,
 * and for a malformed advertisement, which is routed as on Cassandra rather
 * than refused.
 */
export function readSharding(supported: Map<string, string[]>): ShardingInfo | null {
  try {
    return parseShardingInfo(supported);
  } catch {
    return null;
  }
}

/** Whether two connections see the same shard layout (both unsharded, or same count and bits). */
export function sameLayout(a: ShardingInfo | null, b: ShardingInfo | null): boolean {
  if (a === null || b === null) return a === b;
  return a.nrShards === b.nrShards && a.ignoreMsb === b.ignoreMsb;
}

/**
 * A token, as the request runner has it: a bigint, or the signed 32-bit
 * words `[high, low]` written by `murmur3TokenHiLo` (no BigInt math then).
 */
export type TokenLike = bigint | ArrayLike<number>;

/** Connections of one node grouped by the shard that serves them. */
export class ShardMap<C extends Loaded> {
  /** `SCYLLA_NR_SHARDS`. */
  readonly nrShards: number;
  /** `SCYLLA_SHARDING_IGNORE_MSB`. */
  readonly ignoreMsb: number;
  #byShard: C[][];
  #shardOf = new Map<C, number>();

  /** @throws {RangeError} `nrShards` outside [1, 65535] or `ignoreMsb` outside [0, 63] */
  constructor(nrShards: number, ignoreMsb: number) {
    shardOf(0n, nrShards, ignoreMsb); // validates both once, with the math's own messages
    this.nrShards = nrShards;
    this.ignoreMsb = ignoreMsb;
    this.#byShard = Array.from({ length: nrShards }, () => []);
  }

  /** Files `c` under `shard`. @throws {RangeError} `shard` not in [0, nrShards) */
  add(c: C, shard: number): void {
    if (!(Number.isInteger(shard) && shard >= 0 && shard < this.nrShards)) {
      throw new RangeError(`shard must be an integer in [0, ${this.nrShards}), got ${shard}`);
    }
    if (this.#shardOf.has(c)) return;
    this.#shardOf.set(c, shard);
    this.#byShard[shard].push(c);
  }

  /** Forgets `c`; `false` when it was not filed. */
  remove(c: C): boolean {
    const shard = this.#shardOf.get(c);
    if (shard === undefined) return false;
    this.#shardOf.delete(c);
    const list = this.#byShard[shard];
    list.splice(list.indexOf(c), 1);
    return true;
  }

  /** The shard serving `c`, or `null` when it is not filed. */
  shardOfConnection(c: C): number | null {
    return this.#shardOf.get(c) ?? null;
  }

  /** Connections filed under `shard`. */
  connectionsOf(shard: number): readonly C[] {
    return this.#byShard[shard] ?? [];
  }

  /** How many connections each shard has, by shard number. */
  counts(): number[] {
    return this.#byShard.map((l) => l.length);
  }

  /** The shard owning `token` on this node. */
  shardForToken(token: TokenLike): number {
    return typeof token === "bigint"
      ? shardOf(token, this.nrShards, this.ignoreMsb)
      : shardOfHiLo(token[0], token[1], this.nrShards, this.ignoreMsb);
  }

  /** {@link pick} for a token given as its signed high and low 32-bit words. */
  pickHiLo(tokenHi: number, tokenLo: number): C | null {
    return leastBusy(this.#byShard[shardOfHiLo(tokenHi, tokenLo, this.nrShards, this.ignoreMsb)]);
  }

  /**
   * The least busy connection of the shard owning `token`, or `null` when
   * that shard has none (the caller then takes any connection: a request on
   * the wrong shard still works, it only costs a hop inside the node).
   */
  pick(token: TokenLike): C | null {
    return leastBusy(this.#byShard[this.shardForToken(token)]);
  }
}
