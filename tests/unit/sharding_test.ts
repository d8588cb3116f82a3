/**
 * ScyllaDB shard math: published vectors, a BigInt transcription of the
 * protocol-extensions.md formula on boundary and random tokens, SUPPORTED
 * parsing and shard-aware source ports.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import {
  parseScyllaExtensions,
  parseShardingInfo,
  SHARD_AWARE_PORT_END,
  SHARD_AWARE_PORT_MIN,
  shardAwareSourcePort,
  shardOf,
  shardOfHiLo,
} from "../../src/routing/sharding.ts";

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** docs/dev/protocol-extensions.md, in infinite precision. */
function oracle(token: bigint, nrShards: number, ignoreMsb: number): number {
  let z = token + 2n ** 63n;
  z = (z << BigInt(ignoreMsb)) % 2n ** 64n;
  return Number((z * BigInt(nrShards)) >> 64n);
}

describe("shardOf", () => {
  it("matches the gocql vectors quoted by scylla-rust-driver (4 shards, ignoreMsb 12)", () => {
    assert.equal(shardOf(-9219783007514621794n, 4, 12), 3);
    assert.equal(shardOf(9222582454147032830n, 4, 12), 3);
  });

  it("handles the boundary tokens", () => {
    // ignoreMsb 0: shards split the biased ring evenly, so MIN is shard 0 and MAX the last.
    for (let n = 1; n <= 16; n++) {
      assert.equal(shardOf(MIN, n, 0), 0);
      assert.equal(shardOf(MAX, n, 0), n - 1);
      assert.equal(shardOf(0n, n, 0), Math.floor(n / 2));
      assert.equal(shardOf(-1n, n, 0), Math.floor((n - 1) / 2));
    }
    for (const t of [MIN, MIN + 1n, -1n, 0n, 1n, MAX - 1n, MAX]) {
      for (const n of [1, 2, 3, 7, 12, 64, 255, 65535]) {
        for (const msb of [0, 1, 12, 31, 32, 33, 63]) {
          assert.equal(shardOf(t, n, msb), oracle(t, n, msb), `token ${t} n ${n} msb ${msb}`);
        }
      }
    }
    // MIN biased is 0, so every shift keeps it on shard 0.
    assert.equal(shardOf(MIN, 12, 12), 0);
  });

  it("agrees with the BigInt formula on random tokens", () => {
    let x = 0x9e3779b97f4a7c15n;
    for (let i = 0; i < 20000; i++) {
      x = BigInt.asUintN(64, x * 6364136223846793005n + 1442695040888963407n);
      const token = BigInt.asIntN(64, x);
      const n = 1 + (i % 97);
      const msb = i % 3 === 0 ? 12 : i % 64;
      const expected = oracle(token, n, msb);
      assert.equal(shardOf(token, n, msb), expected);
      const u = BigInt.asUintN(64, token);
      assert.equal(
        shardOfHiLo(Number(u >> 32n) | 0, Number(u & 0xffffffffn) | 0, n, msb),
        expected,
      );
    }
  });

  it("rejects impossible shard counts and shifts", () => {
    for (const [n, msb] of [[0, 12], [65536, 12], [1.5, 12], [4, -1], [4, 64], [4, 0.5]]) {
      assert.throws(() => shardOf(0n, n, msb), RangeError);
    }
  });
});

describe("parseShardingInfo", () => {
  const scylla = () =>
    new Map<string, string[]>([
      ["SCYLLA_SHARD", ["3"]],
      ["SCYLLA_NR_SHARDS", ["12"]],
      ["SCYLLA_PARTITIONER", ["org.apache.cassandra.dht.Murmur3Partitioner"]],
      ["SCYLLA_SHARDING_ALGORITHM", ["biased-token-round-robin"]],
      ["SCYLLA_SHARDING_IGNORE_MSB", ["12"]],
      ["SCYLLA_SHARD_AWARE_PORT", ["19042"]],
      ["SCYLLA_SHARD_AWARE_PORT_SSL", ["19142"]],
      ["SCYLLA_LWT_ADD_METADATA_MARK", ["LWT_OPTIMIZATION_META_BIT_MASK=2147483648"]],
      ["SCYLLA_RATE_LIMIT_ERROR", ["ERROR_CODE=61440"]],
      ["COMPRESSION", ["lz4", "snappy"]],
      ["CQL_VERSION", ["3.3.1"]],
      ["PROTOCOL_VERSIONS", ["3/v3", "4/v4"]],
    ]);

  it("reads every ScyllaDB option", () => {
    assert.deepEqual(parseShardingInfo(scylla()), {
      shard: 3,
      nrShards: 12,
      ignoreMsb: 12,
      partitioner: "org.apache.cassandra.dht.Murmur3Partitioner",
      shardAwarePort: 19042,
      shardAwarePortSsl: 19142,
      lwtMetadataMask: 0x80000000,
      rateLimitErrorCode: 61440,
    });
  });

  it("leaves optional options null", () => {
    const m = scylla();
    for (
      const k of [
        "SCYLLA_PARTITIONER",
        "SCYLLA_SHARDING_ALGORITHM",
        "SCYLLA_SHARD_AWARE_PORT",
        "SCYLLA_SHARD_AWARE_PORT_SSL",
        "SCYLLA_LWT_ADD_METADATA_MARK",
        "SCYLLA_RATE_LIMIT_ERROR",
      ]
    ) m.delete(k);
    const info = parseShardingInfo(m);
    assert.equal(info?.nrShards, 12);
    assert.equal(info?.partitioner, null);
    assert.equal(info?.shardAwarePort, null);
    assert.equal(info?.shardAwarePortSsl, null);
    assert.equal(info?.lwtMetadataMask, null);
    assert.equal(info?.rateLimitErrorCode, null);
  });

  it("returns null for Cassandra and for unknown sharding algorithms", () => {
    const cassandra = new Map([["COMPRESSION", ["lz4"]], ["CQL_VERSION", ["3.4.7"]]]);
    assert.equal(parseShardingInfo(cassandra), null);
    for (const k of ["SCYLLA_SHARD", "SCYLLA_NR_SHARDS", "SCYLLA_SHARDING_IGNORE_MSB"]) {
      const m = scylla();
      m.delete(k);
      assert.equal(parseShardingInfo(m), null, k);
    }
    const m = scylla();
    m.set("SCYLLA_SHARDING_ALGORITHM", ["some-future-algorithm"]);
    assert.equal(parseShardingInfo(m), null);
  });

  it("rejects malformed numbers with ProtocolError", () => {
    const bad: [string, string[]][] = [
      ["SCYLLA_NR_SHARDS", ["0"]],
      ["SCYLLA_NR_SHARDS", ["twelve"]],
      ["SCYLLA_SHARD", ["12"]], // not below nrShards
      ["SCYLLA_SHARD", ["-1"]],
      ["SCYLLA_SHARDING_IGNORE_MSB", ["64"]],
      ["SCYLLA_SHARD_AWARE_PORT", ["70000"]],
      ["SCYLLA_SHARD", []],
      ["SCYLLA_LWT_ADD_METADATA_MARK", []],
      ["SCYLLA_LWT_ADD_METADATA_MARK", ["LWT_OPTIMIZATION_META_BIT_MASK=4294967296"]],
      ["SCYLLA_RATE_LIMIT_ERROR", ["ERROR_CODE=0x1"]],
    ];
    for (const [k, v] of bad) {
      const m = scylla();
      m.set(k, v);
      if (k === "SCYLLA_SHARD" && v.length === 0) {
        assert.equal(parseShardingInfo(m), null); // no value at all reads as absent
        continue;
      }
      assert.throws(() => parseShardingInfo(m), ProtocolError, `${k}=${v}`);
    }
  });

  it("reads the LWT and rate-limit extensions on their own", () => {
    assert.deepEqual(parseScyllaExtensions(new Map()), {
      lwtMetadataMask: null,
      rateLimitErrorCode: null,
    });
    assert.deepEqual(
      parseScyllaExtensions(
        new Map([
          ["SCYLLA_LWT_ADD_METADATA_MARK", ["OTHER=1", "LWT_OPTIMIZATION_META_BIT_MASK=4"]],
          ["SCYLLA_RATE_LIMIT_ERROR", ["ERROR_CODE=-5"]],
        ]),
      ),
      { lwtMetadataMask: 4, rateLimitErrorCode: -5 },
    );
  });
});

describe("shardAwareSourcePort", () => {
  it("enumerates every port of the shard exactly once, like scylla-rust-driver", () => {
    for (const n of [1, 3, 4, 12, 64]) {
      for (let shard = 0; shard < n; shard++) {
        const start = 7 * shard + 5;
        const seen = new Set<number>();
        let expected = 0;
        for (let p = SHARD_AWARE_PORT_MIN; p < SHARD_AWARE_PORT_END; p++) {
          if (p % n === shard) expected++;
        }
        for (let i = 0;; i++) {
          const port = shardAwareSourcePort(shard, n, i, start);
          if (port === null) break;
          assert.equal(port % n, shard);
          assert.ok(port >= SHARD_AWARE_PORT_MIN && port < SHARD_AWARE_PORT_END);
          assert.ok(!seen.has(port));
          seen.add(port);
        }
        assert.equal(seen.size, expected, `n ${n} shard ${shard}`);
      }
    }
  });

  it("starts at candidate `start` and wraps around", () => {
    assert.equal(shardAwareSourcePort(0, 4, 0), 49152);
    assert.equal(shardAwareSourcePort(3, 4, 0), 49155);
    assert.equal(shardAwareSourcePort(1, 4, 0, 2), 49161);
    assert.equal(shardAwareSourcePort(1, 4, 1, 2), 49165);
    // 4 shards: shard 2 owns 49154..65534, 4096 ports; candidate 4095 is the last.
    assert.equal(shardAwareSourcePort(2, 4, 0, 4095), 65534);
    assert.equal(shardAwareSourcePort(2, 4, 1, 4095), 49154);
    assert.equal(shardAwareSourcePort(2, 4, 0, -1), 65534);
    assert.equal(shardAwareSourcePort(2, 4, 4096), null);
    assert.throws(() => shardAwareSourcePort(4, 4, 0), RangeError);
  });
});
