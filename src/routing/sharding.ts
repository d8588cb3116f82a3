/**
 * ScyllaDB shard awareness (`docs/dev/protocol-extensions.md`, "Intranode
 * sharding"): which shard owns a token, what a node advertises in SUPPORTED,
 * and which local ports land a connection on a given shard.
 *
 * Pure math on plain numbers: the token-to-shard step uses 32-bit halves
 * rather than BigInt, as it runs once per routed request.
 * @module
 */

import { ProtocolError } from "../errors.ts";

/** The only sharding algorithm ScyllaDB defines. */
export const BIASED_TOKEN_ROUND_ROBIN = "biased-token-round-robin";

/** Local ports the shard-aware port maps to shards: [49152, 65535). */
export const SHARD_AWARE_PORT_MIN = 49152;
/** Exclusive upper bound of the shard-aware source ports. */
export const SHARD_AWARE_PORT_END = 65535;

const TWO_32 = 4294967296;

function checkShards(nrShards: number, ignoreMsb: number): void {
  if (!Number.isInteger(nrShards) || nrShards < 1 || nrShards > 0xffff) {
    throw new RangeError(`nrShards must be an integer in [1, 65535], got ${nrShards}`);
  }
  if (!Number.isInteger(ignoreMsb) || ignoreMsb < 0 || ignoreMsb > 63) {
    throw new RangeError(`ignoreMsb must be an integer in [0, 63], got ${ignoreMsb}`);
  }
}

/**
 * {@link shardOf} for a token given as signed 32-bit words `[high, low]`, as
 * produced by `murmur3TokenHiLo`.
 * @throws {RangeError} `nrShards` outside [1, 65535] or `ignoreMsb` outside [0, 63]
 */
export function shardOfHiLo(hi: number, lo: number, nrShards: number, ignoreMsb: number): number {
  checkShards(nrShards, ignoreMsb);
  // token + 2^63 (mod 2^64) only flips the top bit.
  let zh = (hi ^ 0x80000000) >>> 0;
  let zl = lo >>> 0;
  if (ignoreMsb >= 32) {
    zh = (zl << (ignoreMsb - 32)) >>> 0;
    zl = 0;
  } else if (ignoreMsb > 0) {
    zh = ((zh << ignoreMsb) | (zl >>> (32 - ignoreMsb))) >>> 0;
    zl = (zl << ignoreMsb) >>> 0;
  }
  // High 64 bits of z * nrShards, as in the spec's Java recipe; with
  // nrShards < 2^16 every intermediate stays below 2^53, so doubles are exact.
  const carry = Math.floor((zl * nrShards) / TWO_32);
  return Math.floor((zh * nrShards + carry) / TWO_32);
}

/**
 * The shard owning `token` on a node with `nrShards` shards, by ScyllaDB's
 * biased-token-round-robin: `z = (token + 2^63) mod 2^64`,
 * `z = (z << ignoreMsb) mod 2^64`, shard = high 64 bits of `z * nrShards`.
 * @throws {RangeError} `nrShards` outside [1, 65535] or `ignoreMsb` outside [0, 63]
 * @example
 * ```ts
 * import { shardOf } from "./sharding.ts";
 * console.assert(shardOf(-9219783007514621794n, 4, 12) === 3);
 * ```
 */
export function shardOf(token: bigint, nrShards: number, ignoreMsb: number): number {
  const u = BigInt.asUintN(64, token);
  return shardOfHiLo(Number(u >> 32n) | 0, Number(u & 0xffffffffn) | 0, nrShards, ignoreMsb);
}

/** ScyllaDB extensions advertised in SUPPORTED that are independent of sharding. */
export interface ScyllaExtensions {
  /**
   * `SCYLLA_LWT_ADD_METADATA_MARK`: the bit (unsigned 32-bit) that marks a
   * prepared statement as LWT in its metadata flags; `null` when not offered.
   */
  lwtMetadataMask: number | null;
  /** `SCYLLA_RATE_LIMIT_ERROR`: the error code of rate-limit errors; `null` when not offered. */
  rateLimitErrorCode: number | null;
}

/** What a ScyllaDB node said about its shards in SUPPORTED. */
export interface ShardingInfo extends ScyllaExtensions {
  /** `SCYLLA_SHARD`: the shard serving this connection. */
  shard: number;
  /** `SCYLLA_NR_SHARDS`. */
  nrShards: number;
  /** `SCYLLA_SHARDING_IGNORE_MSB`. */
  ignoreMsb: number;
  /** `SCYLLA_PARTITIONER`, e.g. `org.apache.cassandra.dht.Murmur3Partitioner`; `null` if absent. */
  partitioner: string | null;
  /** `SCYLLA_SHARD_AWARE_PORT`; `null` if absent. */
  shardAwarePort: number | null;
  /** `SCYLLA_SHARD_AWARE_PORT_SSL`; `null` if absent. */
  shardAwarePortSsl: number | null;
}

function first(supported: Map<string, string[]>, key: string): string | null {
  return supported.get(key)?.[0] ?? null;
}

function integer(key: string, text: string, min: number, max: number): number {
  const n = /^-?\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) {
    throw new ProtocolError(`SUPPORTED ${key} is not an integer in [${min}, ${max}]`);
  }
  return n;
}

/** The `NAME=VALUE` parameter of a SUPPORTED extension entry, if present. */
function param(supported: Map<string, string[]>, key: string, name: string): string | null {
  for (const entry of supported.get(key) ?? []) {
    if (entry.startsWith(`${name}=`)) return entry.slice(name.length + 1);
  }
  return null;
}

/**
 * Reads the LWT-mark and rate-limit extensions from a SUPPORTED multimap
 * (formats: `LWT_OPTIMIZATION_META_BIT_MASK=<u32>`, `ERROR_CODE=<i32>`).
 * @throws {ProtocolError} an offered extension lacks its parameter or it is not a number
 */
export function parseScyllaExtensions(supported: Map<string, string[]>): ScyllaExtensions {
  let lwtMetadataMask: number | null = null;
  if (supported.has("SCYLLA_LWT_ADD_METADATA_MARK")) {
    const key = "LWT_OPTIMIZATION_META_BIT_MASK";
    const v = param(supported, "SCYLLA_LWT_ADD_METADATA_MARK", key);
    lwtMetadataMask = integer(key, v ?? "", 0, 0xffffffff);
  }
  let rateLimitErrorCode: number | null = null;
  if (supported.has("SCYLLA_RATE_LIMIT_ERROR")) {
    const v = param(supported, "SCYLLA_RATE_LIMIT_ERROR", "ERROR_CODE");
    rateLimitErrorCode = integer("ERROR_CODE", v ?? "", -0x80000000, 0x7fffffff);
  }
  return { lwtMetadataMask, rateLimitErrorCode };
}

/**
 * Shard awareness from a SUPPORTED multimap; `null` when the node is not
 * ScyllaDB (no `SCYLLA_SHARD`, `SCYLLA_NR_SHARDS`, `SCYLLA_SHARDING_IGNORE_MSB`)
 * or uses a sharding algorithm other than {@link BIASED_TOKEN_ROUND_ROBIN}.
 * @throws {ProtocolError} a sharding value is present but not a valid number
 * @example
 * ```ts
 * import { parseShardingInfo } from "./sharding.ts";
 * const info = parseShardingInfo(new Map([
 *   ["SCYLLA_SHARD", ["1"]], ["SCYLLA_NR_SHARDS", ["4"]],
 *   ["SCYLLA_SHARDING_IGNORE_MSB", ["12"]],
 *   ["SCYLLA_SHARDING_ALGORITHM", ["biased-token-round-robin"]],
 * ]));
 * console.assert(info?.nrShards === 4);
 * ```
 */
export function parseShardingInfo(supported: Map<string, string[]>): ShardingInfo | null {
  const shardText = first(supported, "SCYLLA_SHARD");
  const nrShardsText = first(supported, "SCYLLA_NR_SHARDS");
  const ignoreMsbText = first(supported, "SCYLLA_SHARDING_IGNORE_MSB");
  if (shardText === null || nrShardsText === null || ignoreMsbText === null) return null;
  const algorithm = first(supported, "SCYLLA_SHARDING_ALGORITHM");
  if (algorithm !== null && algorithm !== BIASED_TOKEN_ROUND_ROBIN) return null;
  const nrShards = integer("SCYLLA_NR_SHARDS", nrShardsText, 1, 0xffff);
  const shard = integer("SCYLLA_SHARD", shardText, 0, nrShards - 1);
  const ignoreMsb = integer("SCYLLA_SHARDING_IGNORE_MSB", ignoreMsbText, 0, 63);
  const port = (key: string) => {
    const text = first(supported, key);
    return text === null ? null : integer(key, text, 1, 0xffff);
  };
  return {
    shard,
    nrShards,
    ignoreMsb,
    partitioner: first(supported, "SCYLLA_PARTITIONER"),
    shardAwarePort: port("SCYLLA_SHARD_AWARE_PORT"),
    shardAwarePortSsl: port("SCYLLA_SHARD_AWARE_PORT_SSL"),
    ...parseScyllaExtensions(supported),
  };
}

/**
 * The `tryIndex`-th local port to bind when connecting to the shard-aware port
 * so that the node serves the connection on `shard` (it picks
 * `sourcePort % nrShards`). Candidates are the ports in
 * [{@link SHARD_AWARE_PORT_MIN}, {@link SHARD_AWARE_PORT_END}) congruent to
 * `shard`, taken in order from candidate number `start` (callers pass a random
 * one so clients spread out) and wrapping around; `null` once all are tried.
 * @throws {RangeError} `shard` not in [0, nrShards) or `nrShards` outside [1, 65535]
 * @example
 * ```ts
 * import { shardAwareSourcePort } from "./sharding.ts";
 * console.assert(shardAwareSourcePort(3, 4, 0) === 49155);
 * ```
 */
export function shardAwareSourcePort(
  shard: number,
  nrShards: number,
  tryIndex: number,
  start = 0,
): number | null {
  checkShards(nrShards, 0);
  if (!Number.isInteger(shard) || shard < 0 || shard >= nrShards) {
    throw new RangeError(`shard must be an integer in [0, ${nrShards}), got ${shard}`);
  }
  const firstPort = SHARD_AWARE_PORT_MIN +
    (((shard - SHARD_AWARE_PORT_MIN) % nrShards) + nrShards) % nrShards;
  if (firstPort >= SHARD_AWARE_PORT_END) return null;
  const count = Math.floor((SHARD_AWARE_PORT_END - 1 - firstPort) / nrShards) + 1;
  if (!(tryIndex >= 0 && tryIndex < count)) return null;
  const offset = ((Math.floor(start) % count) + count) % count;
  return firstPort + ((offset + tryIndex) % count) * nrShards;
}
