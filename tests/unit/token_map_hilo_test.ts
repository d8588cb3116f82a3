/**
 * TokenMap's [high, low] 32-bit lookup (`indexOfHiLo`, `replicasHiLo`) gives
 * the same ring position and replicas as the bigint path, for random rings and
 * tokens (ring tokens themselves, their neighbours, the ends of the range),
 * for Murmur3 tokens of random keys, and on the vnodes fixture from a real
 * Cassandra cluster.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type RingPlacement, TokenMap } from "../../src/routing/token_map.ts";
import { murmur3Token, murmur3TokenHiLo } from "../../src/routing/murmur3.ts";
import fixture from "../cluster/fixtures/ring_256.json" with { type: "json" };

const MIN = -(2n ** 63n), MAX = 2n ** 63n - 1n;

interface N extends RingPlacement {
  name: string;
}

function hiLo(t: bigint): Int32Array {
  return new Int32Array([Number(BigInt.asIntN(32, t >> 32n)), Number(BigInt.asIntN(32, t))]);
}

function mapOf(tokenLists: bigint[][]): TokenMap<N> {
  const nodes: N[] = tokenLists.map((tokens, i) => ({
    name: `n${i}`,
    tokens,
    datacenter: i % 2 === 0 ? "dc1" : "dc2",
    rack: `r${i % 3}`,
  }));
  return new TokenMap(nodes, (n) => n);
}

const token = fc.oneof(
  fc.bigInt({ min: MIN, max: MAX }),
  fc.constantFrom(MIN, MIN + 1n, -1n, 0n, 1n, MAX - 1n, MAX, 2n ** 32n, -(2n ** 32n), 0xffffffffn),
  // Same high word, low words on both sides of 2^31 (where signed and unsigned order differ).
  fc.tuple(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.nat(0xffffffff)).map(
    ([h, l]) => (BigInt(h) << 32n) | BigInt(l),
  ),
);

describe("TokenMap hi/lo lookup", () => {
  it("keeps every token's halves", () => {
    fc.assert(
      fc.property(fc.array(fc.array(token, { maxLength: 8 }), { maxLength: 4 }), (lists) => {
        const map = mapOf(lists);
        for (let i = 0; i < map.tokens.length; i++) {
          const back = (BigInt(map.tokensHi[i]) << 32n) | BigInt(map.tokensLo[i] >>> 0);
          assert.equal(back, map.tokens[i]);
        }
      }),
    );
  });

  it("indexOfHiLo equals indexOf for any token, ring tokens and their neighbours included", () => {
    fc.assert(fc.property(
      fc.array(fc.array(token, { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }),
      fc.array(token, { maxLength: 16 }),
      (lists, queries) => {
        const map = mapOf(lists);
        const probes = [...queries];
        for (const t of map.tokens) probes.push(t, t > MIN ? t - 1n : t, t < MAX ? t + 1n : t);
        for (const q of probes) {
          assert.equal(map.indexOfHiLo(hiLo(q)), map.indexOf(q), `token ${q}`);
        }
      },
    ));
  });

  it("replicasHiLo of a key's murmur3TokenHiLo equals replicas of its murmur3Token", () => {
    const simple = { name: "s", replication: { class: "SimpleStrategy", replication_factor: "2" } };
    const nts = {
      name: "n",
      replication: { class: "NetworkTopologyStrategy", dc1: "2", dc2: "1" },
    };
    fc.assert(fc.property(
      fc.array(fc.array(token, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }),
      fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 8 }),
      (lists, keys) => {
        const map = mapOf(lists);
        for (const key of keys) {
          const hl = murmur3TokenHiLo(key);
          const t = murmur3Token(key);
          for (const ks of [simple, nts, undefined]) {
            assert.deepEqual(
              map.replicasHiLo(ks, hl).map((n) => n.name),
              map.replicas(ks, t).map((n) => n.name),
            );
          }
        }
      },
    ));
  });

  it("on the real Cassandra vnodes ring (3 × 256 tokens) every position agrees", () => {
    const nodes: N[] =
      (fixture.nodes as { address: string; datacenter: string; rack: string; tokens: string[] }[])
        .map((n) => ({
          name: n.address,
          datacenter: n.datacenter,
          rack: n.rack,
          tokens: n.tokens.map(BigInt),
        }));
    const map = new TokenMap(nodes, (n) => n);
    for (const t of map.tokens) {
      for (const q of [t - 1n, t, t + 1n]) assert.equal(map.indexOfHiLo(hiLo(q)), map.indexOf(q));
    }
    assert.equal(map.indexOfHiLo(hiLo(MIN)), map.indexOf(MIN));
    assert.equal(map.indexOfHiLo(hiLo(MAX)), map.indexOf(MAX));
  });

  it("an empty ring has no replicas", () => {
    const map = mapOf([]);
    assert.deepEqual(map.replicasHiLo(undefined, hiLo(5n)), []);
  });
});
