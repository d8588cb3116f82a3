/**
 * Shard-aware picking without sockets: connections grouped by shard, the
 * least busy one of the token's shard, bigint and `[high, low]` tokens alike;
 * source ports for the shard-aware port; bind-error detection.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { leastBusy, readSharding, sameLayout, ShardMap } from "../../src/pool/shard_map.ts";
import { isLocalBindError, SourcePorts } from "../../src/pool/shard_connect.ts";
import { SHARD_AWARE_PORT_END, SHARD_AWARE_PORT_MIN } from "../../src/routing/sharding.ts";
import { ConnectionError } from "../../src/errors.ts";

interface Fake {
  name: string;
  inFlight: number;
  waiting: number;
}

const fake = (name: string, inFlight = 0, waiting = 0): Fake => ({ name, inFlight, waiting });

/** docs/dev/protocol-extensions.md in infinite precision. */
function oracle(token: bigint, nrShards: number, ignoreMsb: number): number {
  const z = ((token + 2n ** 63n) << BigInt(ignoreMsb)) % 2n ** 64n;
  return Number((z * BigInt(nrShards)) >> 64n);
}

/** A deterministic spread of signed 64-bit tokens, boundaries included. */
function tokens(n: number): bigint[] {
  const out = [-(2n ** 63n), -1n, 0n, 1n, 2n ** 63n - 1n];
  let x = 0x9e3779b97f4a7c15n;
  for (let i = 0; i < n; i++) {
    x = (x * 6364136223846793005n + 1442695040888963407n) % 2n ** 64n;
    out.push(BigInt.asIntN(64, x));
  }
  return out;
}

function hiLo(t: bigint): Int32Array {
  const u = BigInt.asUintN(64, t);
  return Int32Array.of(Number(u >> 32n) | 0, Number(u & 0xffffffffn) | 0);
}

describe("leastBusy", () => {
  it("counts requests in flight plus queued, first wins ties, null when empty", () => {
    assert.equal(leastBusy([]), null);
    const a = fake("a", 3, 0), b = fake("b", 1, 1), c = fake("c", 0, 2);
    assert.equal(leastBusy([a, b, c]), b);
    assert.equal(leastBusy([a]), a);
    b.waiting = 5;
    assert.equal(leastBusy([a, b, c]), c);
  });
});

describe("ShardMap", () => {
  it("routes every token to a connection of its owning shard (4 and 7 shards, msb 12)", () => {
    for (const nrShards of [4, 7]) {
      const map = new ShardMap<Fake>(nrShards, 12);
      for (let s = 0; s < nrShards; s++) map.add(fake(`s${s}`), s);
      for (const t of tokens(2000)) {
        const want = `s${oracle(t, nrShards, 12)}`;
        assert.equal(map.pick(t)?.name, want, `token ${t}`);
        assert.equal(map.pick(hiLo(t))?.name, want, `token ${t} as [hi, lo]`);
      }
    }
  });

  it("takes the least busy connection of the shard, and null for an empty shard", () => {
    const map = new ShardMap<Fake>(2, 0);
    // ignoreMsb 0: negative tokens are shard 0, non-negative ones shard 1.
    const busy = fake("busy", 5), idle = fake("idle", 1), other = fake("other");
    map.add(busy, 0);
    map.add(idle, 0);
    assert.equal(map.pick(-5n), idle);
    assert.equal(map.pick(5n), null);
    map.add(other, 1);
    assert.equal(map.pick(5n), other);
    assert.deepEqual(map.counts(), [2, 1]);
  });

  it("remove forgets a connection; shardOfConnection reports where it was filed", () => {
    const map = new ShardMap<Fake>(3, 12);
    const a = fake("a"), b = fake("b");
    map.add(a, 2);
    map.add(b, 2);
    map.add(a, 2); // twice is once
    assert.equal(map.shardOfConnection(a), 2);
    assert.deepEqual(map.counts(), [0, 0, 2]);
    assert.equal(map.remove(a), true);
    assert.equal(map.remove(a), false);
    assert.equal(map.shardOfConnection(a), null);
    assert.deepEqual(map.connectionsOf(2), [b]);
  });

  it("rejects shard numbers and layouts outside the protocol's ranges", () => {
    assert.throws(() => new ShardMap(0, 12), RangeError);
    assert.throws(() => new ShardMap(4, 64), RangeError);
    const map = new ShardMap<Fake>(4, 12);
    assert.throws(() => map.add(fake("x"), 4), RangeError);
    assert.throws(() => map.add(fake("x"), -1), RangeError);
  });
});

describe("SourcePorts", () => {
  it("hands out ports in the shard-aware range that land on the wanted shard, never twice in a row", () => {
    for (const nrShards of [1, 4, 7, 64]) {
      const ports = new SourcePorts(nrShards, () => 0.37);
      for (let s = 0; s < nrShards; s++) {
        const seen = new Set<number>();
        for (let i = 0; i < 50; i++) {
          const p = ports.next(s)!;
          assert.ok(p >= SHARD_AWARE_PORT_MIN && p < SHARD_AWARE_PORT_END, `port ${p}`);
          assert.equal(p % nrShards, s);
          seen.add(p);
        }
        assert.equal(seen.size, 50, `${nrShards} shards, shard ${s}: 50 distinct ports`);
      }
    }
  });

  it("starts where the random source says, so pools spread over the range", () => {
    const a = new SourcePorts(4, () => 0).next(1);
    const b = new SourcePorts(4, () => 0.3).next(1);
    assert.equal(a, SHARD_AWARE_PORT_MIN + 1);
    assert.notEqual(a, b);
  });

  it("returns null for shards no port in range can reach", () => {
    // 16383 ports in range for 20000 residues: 49152 + 10848 = 60000 ≡ 0, so the
    // ports run out before reaching residues 5535..9151 (65535 ≡ 5535).
    assert.equal(new SourcePorts(20000).next(6000), null);
    assert.equal(new SourcePorts(20000).next(5534), 65534);
  });
});

describe("isLocalBindError", () => {
  it("finds EADDRINUSE, EADDRNOTAVAIL and EACCES down the cause chain", () => {
    const inUse = Object.assign(new Error("bind EADDRINUSE 0.0.0.0:50000"), { code: "EADDRINUSE" });
    assert.equal(isLocalBindError(inUse), true);
    assert.equal(isLocalBindError(new ConnectionError("cannot connect", { cause: inUse })), true);
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    assert.equal(
      isLocalBindError(new ConnectionError("cannot connect", { cause: refused })),
      false,
    );
    assert.equal(isLocalBindError("EADDRINUSE"), false);
  });
});

describe("readSharding / sameLayout", () => {
  const supported = (shard: string, nr: string) =>
    new Map([
      ["SCYLLA_SHARD", [shard]],
      ["SCYLLA_NR_SHARDS", [nr]],
      ["SCYLLA_SHARDING_IGNORE_MSB", ["12"]],
    ]);

  it("reads ScyllaDB's layout; Cassandra and malformed values are unsharded", () => {
    assert.equal(readSharding(supported("3", "4"))?.shard, 3);
    assert.equal(readSharding(new Map([["CQL_VERSION", ["3.4.7"]]])), null);
    assert.equal(readSharding(supported("x", "4")), null);
    assert.equal(readSharding(supported("4", "4")), null, "shard beyond the count");
  });

  it("connections on different shards of one node share a layout; another count does not", () => {
    const a = readSharding(supported("0", "4")), b = readSharding(supported("3", "4"));
    assert.equal(sameLayout(a, b), true);
    assert.equal(sameLayout(a, readSharding(supported("0", "8"))), false);
    assert.equal(sameLayout(a, null), false);
    assert.equal(sameLayout(null, null), true);
  });
});
