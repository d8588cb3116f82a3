/**
 * Tablets: the `tablets-routing-v1`/`-v2` payload decoder on hand-built bytes
 * (each field annotated), the tablet cache's overlap replacement, lookups at
 * range boundaries, invalidation, the v2 version block, and a property test
 * against a naive model of the cache.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeTabletPayload,
  type Tablet,
  TabletMap,
  tabletVersionBlock,
} from "../../src/routing/tablets.ts";
import { ProtocolError } from "../../src/errors.ts";

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;
const A = "0a000000-0000-4000-8000-00000000000a";
const B = "0b000000-0000-4000-8000-00000000000b";
const C = "0c000000-0000-4000-8000-00000000000c";

/** Big-endian byte builder for hand-made payloads. */
class Bytes {
  a: number[] = [];
  i32(v: number): this {
    this.a.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
    return this;
  }
  i64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    return this.i32(Number(u >> 32n)).i32(Number(u & 0xffffffffn));
  }
  raw(b: ArrayLike<number>): this {
    for (let i = 0; i < b.length; i++) this.a.push(b[i]);
    return this;
  }
  uuid(s: string): this {
    const hex = s.replaceAll("-", "");
    for (let i = 0; i < 32; i += 2) this.a.push(parseInt(hex.slice(i, i + 2), 16));
    return this;
  }
  get length(): number {
    return this.a.length;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.a);
  }
}

/** A replica tuple element: [bytes] of ([bytes] uuid, [bytes] int). */
function replica(hostId: string, shard: number): Bytes {
  const tuple = new Bytes()
    .i32(16).uuid(hostId) // host_id: uuid, 16 bytes
    .i32(4).i32(shard); // shard: int, 4 bytes
  return new Bytes().i32(tuple.length).raw(tuple.a);
}

/** The whole payload: [bytes] first, [bytes] last, [bytes] list, v2: [bytes] version. */
function payload(
  first: bigint,
  last: bigint,
  replicas: [string, number][],
  version?: bigint,
): Uint8Array {
  const list = new Bytes().i32(replicas.length); // list<...>: [int] element count
  for (const [h, s] of replicas) list.raw(replica(h, s).a);
  const out = new Bytes()
    .i32(8).i64(first) // first_token: bigint (exclusive)
    .i32(8).i64(last) // last_token: bigint (inclusive)
    .i32(list.length).raw(list.a); // replicas: list<tuple<uuid, int>>
  if (version !== undefined) out.i32(8).i64(version); // v2 tablet_version: bigint
  return out.bytes();
}

function tablet(first: bigint, last: bigint, host = A, shard = 0, version?: bigint): Tablet {
  const t = { firstToken: first, lastToken: last, replicas: [{ hostId: host, shard }] };
  return version === undefined ? t : { ...t, version };
}

const ranges = (m: TabletMap, ks = "ks", t = "t") =>
  (m.table(ks, t)?.list() ?? []).map((x) => [x.firstToken, x.lastToken]);

describe("decodeTabletPayload", () => {
  it("decodes v1: tokens, replicas in order, canonical lowercase host ids", () => {
    const bytes = payload(-100n, 200n, [[A.toUpperCase(), 3], [B, 0]]);
    assert.equal(bytes.length, 12 + 12 + 4 + 4 + 2 * (4 + 28));
    assert.deepEqual(decodeTabletPayload(bytes, 1), {
      firstToken: -100n,
      lastToken: 200n,
      replicas: [{ hostId: A, shard: 3 }, { hostId: B, shard: 0 }],
    });
  });

  it("decodes v2 with the version as an unsigned 64-bit value", () => {
    const t = decodeTabletPayload(payload(MIN, MAX, [[C, 1]], -2n), 2);
    assert.equal(t.firstToken, MIN);
    assert.equal(t.lastToken, MAX);
    assert.equal(t.version, 2n ** 64n - 2n);
    assert.equal(decodeTabletPayload(payload(0n, 1n, [[C, 1]], 0x1234n), 2).version, 0x1234n);
  });

  it("decodes an empty replica list (the cache refuses to store it)", () => {
    assert.deepEqual(decodeTabletPayload(payload(0n, 1n, []), 1).replicas, []);
  });

  const bad: [string, Uint8Array, 1 | 2, RegExp][] = [
    ["empty", new Uint8Array(0), 1, /truncated before first_token/],
    ["short first_token", new Bytes().i32(4).i32(1).bytes(), 1, /first_token is 4 bytes/],
    ["null last_token", new Bytes().i32(8).i64(0n).i32(-1).bytes(), 1, /last_token is null/],
    ["empty range", payload(5n, 5n, [[A, 0]]), 1, /empty token range \(5, 5\]/],
    ["reversed range", payload(5n, -5n, [[A, 0]]), 1, /empty token range/],
    ["negative shard", payload(0n, 1n, [[A, -1]]), 1, /replica 0 has negative shard -1/],
    ["v1 bytes read as v2", payload(0n, 1n, [[A, 0]]), 2, /truncated before tablet_version/],
    ["v2 bytes read as v1", payload(0n, 1n, [[A, 0]], 7n), 1, /12 trailing bytes/],
    ["trailing byte", new Bytes().raw(payload(0n, 1n, [[A, 0]])).raw([0]).bytes(), 1, /1 trailing/],
  ];
  for (const [name, bytes, v, message] of bad) {
    it(`rejects ${name} with a ProtocolError naming the fault`, () => {
      assert.throws(() => decodeTabletPayload(bytes, v), (e: unknown) => {
        assert.ok(e instanceof ProtocolError, String(e));
        assert.match(e.message, message);
        return true;
      });
    });
  }

  it("rejects a lying replica count, a short uuid, and list length mismatches", () => {
    const head = new Bytes().i32(8).i64(0n).i32(8).i64(1n);
    const huge = new Bytes().raw(head.a).i32(4).i32(0x7fffffff).bytes();
    assert.throws(() => decodeTabletPayload(huge, 1), /claims 2147483647 replicas/);
    const tuple = new Bytes().i32(15).raw(new Array(15).fill(1)).i32(4).i32(0);
    const list = new Bytes().i32(1).i32(tuple.length).raw(tuple.a);
    const shortUuid = new Bytes().raw(head.a).i32(list.length).raw(list.a).bytes();
    assert.throws(() => decodeTabletPayload(shortUuid, 1), /host_id is 15 bytes, expected 16/);
    const r = replica(A, 0);
    const longList = new Bytes().i32(1).raw(r.a).raw([9, 9]);
    const padded = new Bytes().raw(head.a).i32(longList.length).raw(longList.a).bytes();
    assert.throws(() => decodeTabletPayload(padded, 1), /replica list has 2 extra bytes/);
    const truncated = payload(0n, 1n, [[A, 0]]).subarray(0, 40);
    assert.throws(() => decodeTabletPayload(truncated, 1), ProtocolError);
  });
});

describe("tabletVersionBlock", () => {
  it("puts the block index in the high nibble and that 4-bit slice in the low one", () => {
    const v = 0xfedcba9876543210n;
    for (let i = 0; i < 16; i++) assert.equal(tabletVersionBlock(v, i), (i << 4) | i);
    // The doc's example: block 13 equal to 0xC is the byte 0xDC.
    assert.equal(tabletVersionBlock(0xcn << 52n, 13), 0xdc);
    assert.equal(tabletVersionBlock(undefined, 10), 0xa0);
    assert.throws(() => tabletVersionBlock(v, 16), RangeError);
    assert.throws(() => tabletVersionBlock(v, -1), RangeError);
  });
});

describe("TabletMap", () => {
  it("looks up with the first token exclusive and the last inclusive, bigint and [hi, lo]", () => {
    const m = new TabletMap();
    m.insert("ks", "t", tablet(MIN, -1000n, A));
    m.insert("ks", "t", tablet(-1000n, 0n, B));
    m.insert("ks", "t", tablet(10n, MAX, C));
    const hostAt = (tok: bigint) => m.lookup("ks", "t", tok)?.replicas[0].hostId;
    const hiLo = (tok: bigint) => {
      const u = BigInt.asUintN(64, tok);
      return m.lookupHiLo("ks", "t", Number(u >> 32n) | 0, Number(u & 0xffffffffn) | 0)
        ?.replicas[0].hostId;
    };
    const cases: [bigint, string | undefined][] = [
      [MIN, undefined], // in no range: every range excludes its first token
      [MIN + 1n, A],
      [-1000n, A],
      [-999n, B],
      [0n, B],
      [1n, undefined], // the gap (0, 10]
      [10n, undefined],
      [11n, C],
      [MAX, C],
      [-(2n ** 32n), A],
      [2n ** 32n, C],
      [-1n, B],
    ];
    for (const [tok, want] of cases) {
      assert.equal(hostAt(tok), want, `token ${tok}`);
      assert.equal(hiLo(tok), want, `token ${tok} as [hi, lo]`);
    }
    assert.equal(m.lookup("ks", "other", 5n), undefined);
    assert.equal(m.lookup("nope", "t", 5n), undefined);
  });

  it("replaces every tablet a new range covers, partly or wholly, and keeps adjacent ones", () => {
    const fresh = () => {
      const m = new TabletMap();
      for (const [f, l] of [[0n, 10n], [10n, 20n], [20n, 30n], [30n, 40n], [50n, 60n]]) {
        m.insert("ks", "t", tablet(f, l));
      }
      return m;
    };
    let m = fresh();
    m.insert("ks", "t", tablet(5n, 35n, B)); // overlaps the 1st and 4th partly, covers 2nd, 3rd
    assert.deepEqual(ranges(m), [[5n, 35n], [50n, 60n]]);
    m = fresh();
    m.insert("ks", "t", tablet(10n, 30n, B)); // exactly two: (0,10] and (30,40] are adjacent
    assert.deepEqual(ranges(m), [[0n, 10n], [10n, 30n], [30n, 40n], [50n, 60n]]);
    m = fresh();
    m.insert("ks", "t", tablet(40n, 50n, B)); // fills the gap, touching both sides
    assert.equal(m.count("ks", "t"), 6);
    m = fresh();
    m.insert("ks", "t", tablet(20n, 30n, C)); // the same range: replaced
    assert.deepEqual(m.lookup("ks", "t", 25n)?.replicas, [{ hostId: C, shard: 0 }]);
    assert.equal(m.count("ks", "t"), 5);
    m = fresh();
    m.insert("ks", "t", tablet(39n, 51n, B)); // one token into each neighbour
    assert.deepEqual(ranges(m), [[0n, 10n], [10n, 20n], [20n, 30n], [39n, 51n]]);
    m = fresh();
    m.insert("ks", "t", tablet(MIN, MAX, B)); // everything
    assert.deepEqual(ranges(m), [[MIN, MAX]]);
    m = fresh();
    m.insert("ks", "t", tablet(-5n, 0n, B)); // before all, adjacent
    m.insert("ks", "t", tablet(60n, 61n, B)); // after all, adjacent
    assert.equal(m.count("ks", "t"), 7);
    m.insert("ks", "t", { firstToken: 0n, lastToken: 45n, replicas: [] });
    assert.deepEqual(ranges(m), [[-5n, 0n], [50n, 60n], [60n, 61n]], "no replicas: only drops");
  });

  it("refuses empty or out-of-range token ranges", () => {
    const m = new TabletMap();
    assert.throws(() => m.insert("ks", "t", tablet(3n, 3n)), RangeError);
    assert.throws(() => m.insert("ks", "t", tablet(0n, MAX + 1n)), RangeError);
    assert.throws(() => m.insert("ks", "t", tablet(MIN - 1n, 0n)), RangeError);
  });

  it("drops tables, keyspaces and hosts; lists counts; keeps handles valid", () => {
    const m = new TabletMap();
    const handle = m.tableFor("ks", "t");
    m.insert("ks", "t", { firstToken: 0n, lastToken: 10n, replicas: [{ hostId: A, shard: 1 }] });
    m.insert("ks", "t", {
      firstToken: 10n,
      lastToken: 20n,
      replicas: [{ hostId: A, shard: 2 }, { hostId: B, shard: 0 }],
      version: 99n,
    });
    m.insert("ks", "u", tablet(0n, 5n, B));
    m.insert("ks2", "t", tablet(0n, 5n, C));
    assert.deepEqual(m.summary(), [
      { keyspace: "ks", table: "t", count: 2 },
      { keyspace: "ks", table: "u", count: 1 },
      { keyspace: "ks2", table: "t", count: 1 },
    ]);
    assert.equal(m.versionOf("ks", "t", 15n), 99n);
    assert.equal(m.versionOf("ks", "t", 5n), undefined);

    m.dropHost(A);
    assert.equal(m.lookup("ks", "t", 5n), undefined, "A was its only replica");
    const left = m.lookup("ks", "t", 15n);
    assert.deepEqual(left?.replicas, [{ hostId: B, shard: 0 }]);
    assert.equal(left?.version, undefined, "a changed replica set loses its version");
    assert.equal(handle.lookup(15n), left, "the handle sees the change");
    assert.equal(m.lookupHiLo("ks", "t", 0, 15), left);

    m.dropTable("ks", "u");
    assert.equal(m.count("ks", "u"), 0);
    m.dropKeyspace("ks");
    assert.deepEqual(m.summary(), [{ keyspace: "ks2", table: "t", count: 1 }]);
    m.insert("ks", "t", tablet(0n, 5n));
    assert.equal(handle.count, 1, "the handle outlives a drop");
    m.dropTable("none", "t");
    m.dropKeyspace("none");
  });

  it("matches a naive model under random inserts and lookups (property)", () => {
    // Small token space so ranges collide often; the edges stay reachable.
    const tok = fc.oneof(
      fc.bigInt({ min: -40n, max: 40n }),
      fc.constantFrom(MIN, MIN + 1n, MAX - 1n, MAX),
    );
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("insert" as const),
        a: tok,
        b: tok,
        hosts: fc.subarray([A, B, C]),
      }),
      fc.record({ kind: fc.constant("lookup" as const), t: tok }),
      fc.record({ kind: fc.constant("dropHost" as const), host: fc.constantFrom(A, B, C) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const m = new TabletMap();
        let model: Tablet[] = [];
        const show = (x: Tablet | undefined) =>
          x && [x.firstToken, x.lastToken, x.replicas.map((r) => r.hostId).join()];
        const find = (t: bigint) => model.find((x) => x.firstToken < t && t <= x.lastToken);
        for (const o of ops) {
          if (o.kind === "insert") {
            if (o.a === o.b) continue;
            const [f, l] = o.a < o.b ? [o.a, o.b] : [o.b, o.a];
            const replicas = o.hosts.map((hostId) => ({ hostId, shard: 1 }));
            const t: Tablet = { firstToken: f, lastToken: l, replicas };
            m.insert("ks", "t", t);
            model = model.filter((x) => x.lastToken <= f || x.firstToken >= l);
            if (replicas.length > 0) model.push(t);
            model.sort((x, y) => (x.firstToken < y.firstToken ? -1 : 1));
          } else if (o.kind === "dropHost") {
            m.dropHost(o.host);
            model = model.map((x) => ({
              firstToken: x.firstToken,
              lastToken: x.lastToken,
              replicas: x.replicas.filter((r) => r.hostId !== o.host),
            })).filter((x) => x.replicas.length > 0);
          } else {
            const u = BigInt.asUintN(64, o.t);
            const hl = [Number(u >> 32n) | 0, Number(u & 0xffffffffn) | 0] as const;
            const want = show(find(o.t));
            assert.deepEqual(show(m.lookup("ks", "t", o.t)), want);
            assert.deepEqual(show(m.lookupHiLo("ks", "t", hl[0], hl[1])), want);
          }
          assert.deepEqual(m.table("ks", "t")?.list().map(show) ?? [], model.map(show));
        }
      }),
      { numRuns: 400 },
    );
  });
});

// The simulated cluster's tablets checks live beside the simulation and run here.
import "../sim/tablets_sim_checks.ts";
