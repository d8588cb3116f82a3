/**
 * Murmur3 tokens against published vectors (each block cites its source) and
 * against a straightforward BigInt transcription of Cassandra's
 * `MurmurHash.hash3_x64_128` on random keys.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compositeKey,
  murmur3RangeHiLo,
  murmur3Token,
  murmur3TokenHiLo,
  tokenOfHiLo,
} from "../../src/routing/murmur3.ts";

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Java semantics in BigInt: every op wraps to a signed 64-bit long. */
function oracleToken(key: Uint8Array): bigint {
  const w = (x: bigint) => BigInt.asIntN(64, x);
  const shr = (x: bigint, n: bigint) => BigInt.asUintN(64, x) >> n;
  const rotl = (x: bigint, n: bigint) => w((x << n) | shr(x, 64n - n));
  const fmix = (k: bigint) => {
    k = w(k ^ shr(k, 33n));
    k = w(k * -49064778989728563n);
    k = w(k ^ shr(k, 33n));
    k = w(k * -4265267296055464877n);
    return w(k ^ shr(k, 33n));
  };
  const c1 = -8663945395140668459n;
  const c2 = 5545529020109919103n;
  const block = (i: number) => {
    let v = 0n;
    for (let b = 7; b >= 0; b--) v = (v << 8n) | BigInt(key[i + b]);
    return w(v);
  };
  const signedByte = (i: number) => BigInt((key[i] << 24) >> 24);
  if (key.length === 0) return MIN;
  let h1 = 0n, h2 = 0n;
  const n = key.length >> 4;
  for (let i = 0; i < n; i++) {
    const k1 = w(rotl(w(block(i * 16) * c1), 31n) * c2);
    h1 = w(w(rotl(h1 ^ k1, 27n) + h2) * 5n + 0x52dce729n);
    const k2 = w(rotl(w(block(i * 16 + 8) * c2), 33n) * c1);
    h2 = w(w(rotl(h2 ^ k2, 31n) + h1) * 5n + 0x38495ab5n);
  }
  const t = n * 16;
  const rem = key.length & 15;
  let k1 = 0n, k2 = 0n;
  for (let j = rem - 1; j >= 8; j--) k2 = w(k2 ^ w(signedByte(t + j) << BigInt((j - 8) * 8)));
  if (rem > 8) h2 ^= w(rotl(w(k2 * c2), 33n) * c1);
  for (let j = Math.min(rem, 8) - 1; j >= 0; j--) {
    k1 = w(k1 ^ w(signedByte(t + j) << BigInt(j * 8)));
  }
  if (rem > 0) h1 ^= w(rotl(w(k1 * c1), 31n) * c2);
  h1 ^= BigInt(key.length);
  h2 ^= BigInt(key.length);
  h1 = w(h1 + h2);
  h2 = w(h2 + h1);
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = w(h1 + h2);
  return h1 === MIN ? MAX : h1;
}

function check(key: Uint8Array, expected: bigint): void {
  assert.equal(murmur3Token(key), expected, `key ${Array.from(key)}`);
  assert.equal(oracleToken(key), expected, `oracle, key ${Array.from(key)}`);
}

describe("murmur3Token", () => {
  it("matches Cassandra's token() of int keys 1..20 (apache/cassandra-dtest murmur3_hashes)", () => {
    const tokens: Record<number, bigint> = {
      1: -4069959284402364209n,
      2: -3248873570005575792n,
      3: 9010454139840013625n,
      4: -2729420104000364805n,
      5: -7509452495886106294n,
      6: 2705480034054113608n,
      7: 1634052884888577606n,
      8: -3799847372828181882n,
      9: 3728482343045213994n,
      10: -6715243485458697746n,
      11: -4156302194539278891n,
      12: 8582886034424406875n,
      13: -5034495173465742853n,
      14: 4279681877540623768n,
      15: -1191135763843456182n,
      16: -5477287129830487822n,
      17: 5467144456125416399n,
      18: -2695747960476065067n,
      19: -3974532302236993209n,
      20: 1388667306199997068n,
    };
    for (const [k, token] of Object.entries(tokens)) {
      const n = Number(k);
      check(new Uint8Array([n >>> 24, n >>> 16, n >>> 8, n]), token);
    }
  });

  it("matches scylla-rust-driver's partitioner vectors (text keys)", () => {
    check(ascii("test"), -6017608668500074083n);
    check(ascii("xd"), 4507812186440344727n);
    check(ascii("primary_key"), -1632642444691073360n);
    check(ascii("kremówki"), 4354931215268080151n);
  });

  it("matches gocql's CassandraMurmur3H1 vectors, incl. sign-extended tail bytes >= 0x80", () => {
    // gocql internal/murmur/murmur_test.go: "prefix" + 0x00.. lengths 7..37.
    const p = [...ascii("prefix")];
    const tail1 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0xc8];
    const expected1 = [
      -5156414768376541762n,
      3700033067394128583n,
      -3973852022020331202n,
      3038655072509758878n,
      -5681686890369564299n,
      8960422816272944721n,
      -1104872167714568090n,
      -9199676315897541990n,
      4847624695450664884n,
      -2737291859101550625n,
      -1154133289533387924n,
      5781349077088505981n,
      -681021187788781932n,
      -3787130296809111096n,
      -3115393326357146996n,
      -2684252762052835206n,
      -278181328349571586n,
    ];
    expected1.forEach((t, i) => check(new Uint8Array([...p, ...tail1.slice(0, i + 1)]), t));
    const prefix2 = [...p, ...tail1.slice(0, 16), 0xc8, 0xc9];
    const tail2 = [
      0xca,
      0xcb,
      0xcc,
      0xcd,
      0xce,
      0xcf,
      0xd0,
      0xd1,
      0xd2,
      0xd3,
      0xd4,
      0xd5,
      0xd6,
      0xd7,
    ];
    const expected2 = [
      -5319761130493488577n,
      -4593148434938707926n,
      -575713103357290760n,
      4290743753678124926n,
      9164754117279683406n,
      -107668053986278786n,
      64887291506465003n,
      6241282934480161521n,
      5150183507841894143n,
      5645797256444299552n,
      -908235285856554578n,
      -1785405279637408062n,
      5343233714768265848n,
      4936964276934412722n,
      2294903531026336836n,
    ];
    expected2.forEach((t, i) => check(new Uint8Array([...prefix2, ...tail2.slice(0, i)]), t));
    const composite = [
      0x00,
      0x10,
      0x43,
      0x27,
      0x52,
      0x9f,
      0xb6,
      0x45,
      0xdd,
      0x00,
      0xb8,
      0x83,
      0xec,
      0x39,
      0xae,
      0x44,
      0x8b,
      0xb8,
      0x00,
      0x00,
      0x04,
      0x00,
      0x06,
      0x6a,
      0x6b,
      0x00,
    ];
    check(new Uint8Array(composite), -9223371632693506265n);
  });

  it("matches gocql's murmur3H1 vectors (gocql murmur_test.go, unsigned hex)", () => {
    const cases: [number[] | string, bigint][] = [
      [[0], 0x4610abe56eff5cb5n],
      [[0, 1], 0x7cb3f5c58dab264cn],
      [[0, 1, 2], 0xb872a12fef53e6ben],
      [[0, 1, 2, 3], 0xe1c594ae0ddfaf10n],
      ["hello", 0xcbd8a7b341bd9b02n],
      ["hello, world", 0x342fac623a5ebc8en],
      ["19 Jan 2038 at 3:14:07 AM", 0xb89e5988b737affcn],
      ["The quick brown fox jumps over the lazy dog.", 0xcd99481f9ee902c9n],
    ];
    for (const [k, h] of cases) {
      check(typeof k === "string" ? ascii(k) : new Uint8Array(k), BigInt.asIntN(64, h));
    }
  });

  it("matches int, bigint, uuid and blob keys recorded from Cassandra 5.0.8", () => {
    // From the test suite of a third-party Rust SSTable reader whose authors
    // checked them against Cassandra 5.0.8; int 1 agrees with cassandra-dtest.
    const be = (n: bigint, size: number) => {
      const out = new Uint8Array(size);
      for (let i = size - 1; i >= 0; i--, n >>= 8n) out[i] = Number(n & 0xffn);
      return out;
    };
    const ints: [number, bigint][] = [
      [0, -3485513579396041028n],
      [-1, 7297452126230313552n],
      [42, -7160136740246525330n],
      [128, -9081975895656599623n],
      [-1000, 5905661066942090405n],
      [2147483647, -765994672030311617n],
      [-2147483648, -420533958509279465n],
    ];
    for (const [v, t] of ints) check(be(BigInt.asUintN(32, BigInt(v)), 4), t);
    const bigints: [bigint, bigint][] = [
      [0n, 2945182322382062539n],
      [1n, 6292367497774912474n],
      [-1n, 7071048584287372947n],
      [MAX, -1722304415079482439n],
      [MIN, 9204767954415360687n],
    ];
    for (const [v, t] of bigints) check(be(BigInt.asUintN(64, v), 8), t);
    check(new Uint8Array(16), 5457549051747178710n);
    check(new Uint8Array(16).fill(0xff), -2824192546314762522n);
    check(be(0x550e8400e29b41d4a716446655440000n, 16), 4277286421682315655n);
    check(be(0x12345678123412341234123456789abcn, 16), -8497799532739775204n);
    check(new Uint8Array([0x80]), -5284281814142962636n);
    check(new Uint8Array([0xff]), -4442228696663692417n);
    check(new Uint8Array([0xff, 0xfe]), -2002833339314343643n);
    check(ascii("0123456789abcde"), -6472281833689111727n);
    check(ascii("0123456789abcdef"), 5467490433528156583n);
    check(ascii("this is a longer test key for murmur3 hashing"), -7889617755374116647n);
    check(compositeKey([ascii("hello"), be(42n, 4)]), 7666157718303755816n);
    check(compositeKey([ascii("world"), be(99n, 4)]), -4641306270390207264n);
  });

  it("gives the ring minimum for an empty key, as Murmur3Partitioner.getToken", () => {
    assert.equal(murmur3Token(new Uint8Array(0)), MIN);
    assert.deepEqual(Array.from(murmur3TokenHiLo(new Uint8Array(0))), [-0x80000000, 0]);
  });

  it("agrees with the BigInt oracle on random keys of every length up to 100", () => {
    let x = 0x2545f491;
    const out = new Int32Array(2);
    for (let len = 1; len <= 100; len++) {
      for (let rep = 0; rep < 20; rep++) {
        const key = new Uint8Array(len);
        for (let i = 0; i < len; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          key[i] = x & 0xff;
        }
        const token = oracleToken(key);
        assert.equal(murmur3Token(key), token);
        murmur3TokenHiLo(key, out);
        assert.equal((BigInt(out[0]) << 32n) | BigInt(out[1] >>> 0), token);
      }
    }
  });

  it("tokenOfHiLo joins the halves as shift-and-or does, at the edges and signs", () => {
    const edges = [0, 1, -1, 0x7fffffff, -0x80000000, 0x12345678, -0x12345678];
    for (const hi of edges) {
      for (const lo of edges) {
        const expected = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
        assert.equal(tokenOfHiLo(Int32Array.of(hi, lo)), expected);
      }
    }
    assert.equal(tokenOfHiLo(Int32Array.of(-0x80000000, 0)), MIN);
    assert.equal(tokenOfHiLo(Int32Array.of(0x7fffffff, -1)), MAX);
  });
});

describe("murmur3RangeHiLo", () => {
  it("hashes key[start, end) as murmur3TokenHiLo hashes a copy of it, whatever surrounds it", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 8 }),
        fc.uint8Array({ maxLength: 70 }),
        fc.uint8Array({ maxLength: 8 }),
        (before, key, after) => {
          const buf = new Uint8Array([...before, ...key, ...after]);
          const got = murmur3RangeHiLo(buf, before.length, before.length + key.length);
          assert.deepEqual(Array.from(got), Array.from(murmur3TokenHiLo(key.slice())));
          assert.equal(tokenOfHiLo(got), oracleToken(key));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("compositeKey", () => {
  it("returns a single component unchanged", () => {
    const k = ascii("abc");
    assert.equal(compositeKey([k]), k);
  });

  it("writes [u16 length][bytes][0] per component", () => {
    const long = new Uint8Array(300).fill(7);
    const out = compositeKey([ascii("ab"), new Uint8Array(0), long]);
    assert.deepEqual(Array.from(out.subarray(0, 8)), [0, 2, 97, 98, 0, 0, 0, 0]);
    assert.deepEqual(Array.from(out.subarray(8, 10)), [1, 44]);
    assert.deepEqual(out.subarray(10, 310), long);
    assert.equal(out[310], 0);
    assert.equal(out.length, 311);
  });

  it("rejects a component longer than 65535 bytes", () => {
    assert.throws(() => compositeKey([new Uint8Array(1), new Uint8Array(65536)]), RangeError);
  });
});
