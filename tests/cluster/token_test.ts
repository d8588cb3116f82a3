// Murmur3 tokens computed by the driver against the server's own `token(pk)`, for more than
// 10 000 partition keys of every common key type on the 3-node cluster: int and bigint
// (negative and boundary values), text (ASCII and unicode, every tail length), blob (tail bytes
// ≥ 0x80, which Cassandra's hash sign-extends), uuid, and a composite (int, text) key.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Session } from "../../mod.ts";
import { compositeKey, murmur3Token } from "../../src/routing/murmur3.ts";
import {
  clusterBuilder,
  clusterHosts,
  connectCluster,
  createKeyspace,
  dropKeyspace,
  onEveryNode,
  uniqueKeyspace,
} from "./helpers.ts";
import { place, serverNodes, serverRing } from "./server_ring.ts";

const KS = uniqueKeyspace("token");

// Serialization written here as CQL defines it, independently of the driver's codec.
function int32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
}

function int64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v);
  return b;
}

const utf8 = (s: string) => new TextEncoder().encode(s);

function uuidBytes(u: string): Uint8Array {
  const hex = u.replaceAll("-", "");
  assert.equal(hex.length, 32, `uuid ${u}`);
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return b;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible key. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = rng(0x5eed);
const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));

function randomInt32(): number {
  return (randInt(0, 0xffff) << 16 | randInt(0, 0xffff)) | 0;
}

function randomInt64(): bigint {
  return BigInt.asIntN(64, (BigInt(randomInt32() >>> 0) << 32n) | BigInt(randomInt32() >>> 0));
}

const ALPHABETS = [
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-",
  "éèàçüößøåæœ", // 2-byte UTF-8
  "日本語中文한국어ไทย", // 3-byte UTF-8
  "😀🚀🎉🧪🦀", // 4-byte UTF-8 (surrogate pairs in JS)
];

function randomText(maxChars: number): string {
  const n = randInt(1, maxChars);
  let s = "";
  const mix = randInt(0, 3);
  for (let i = 0; i < n; i++) {
    const alpha = [...ALPHABETS[rand() < 0.5 ? 0 : randInt(0, mix)]];
    s += alpha[randInt(0, alpha.length - 1)];
  }
  return s;
}

function randomBytes(len: number): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = randInt(0, 255);
  return b;
}

function randomUuid(): string {
  const b = randomBytes(16);
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const INT_BOUNDS = [
  -2147483648,
  -2147483647,
  -65536,
  -32768,
  -256,
  -128,
  -1,
  0,
  1,
  127,
  128,
  255,
  256,
  32767,
  65535,
  2147483646,
  2147483647,
];
const BIGINT_BOUNDS = [
  -(2n ** 63n),
  -(2n ** 63n) + 1n,
  -(2n ** 32n),
  -(2n ** 31n) - 1n,
  -1n,
  0n,
  1n,
  2n ** 31n,
  2n ** 32n,
  2n ** 53n + 1n,
  2n ** 63n - 2n,
  2n ** 63n - 1n,
];

/** One table's keys, how to insert them, and how to serialize what the server returns. */
interface KeyTable {
  name: string;
  ddl: string;
  insert: string;
  values: unknown[][];
  /** Token input for one row of `SELECT token(...), <pk columns>`, from the decoded columns. */
  serialize: (cols: unknown[]) => Uint8Array;
  /** Identity of a key, to check every inserted key came back. */
  id: (cols: unknown[]) => string;
}

function uniqueBy<T>(items: T[], id: (x: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((x) => {
    const k = id(x);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function buildTables(): KeyTable[] {
  const ints = uniqueBy([...INT_BOUNDS, ...Array.from({ length: 2500 }, randomInt32)], String);
  const bigints = uniqueBy(
    [
      ...BIGINT_BOUNDS,
      ...Array.from({ length: 2000 }, randomInt64),
      // Small magnitudes too: leading 0x00 / 0xff bytes.
      ...Array.from({ length: 500 }, () => BigInt(randInt(-100000, 100000))),
    ],
    String,
  );
  const texts = uniqueBy(
    [
      "a",
      "Zürich",
      "日本",
      "😀",
      "\u0000nul inside",
      "x".repeat(15),
      "x".repeat(16),
      "x".repeat(17),
      "y".repeat(1000),
      ...Array.from({ length: 2000 }, () => randomText(randInt(1, 3) === 1 ? 80 : 20)),
    ],
    (s) => s,
  );
  const blobs = uniqueBy(
    [
      new Uint8Array([0x80]),
      new Uint8Array([0xff]),
      new Uint8Array([0x00]),
      new Uint8Array(16).fill(0xff),
      new Uint8Array(31).fill(0x80),
      // Every tail length 1..15 with high bytes in the tail, after 0..2 full blocks.
      ...Array.from({ length: 48 }, (_, i) => randomBytes(i + 1).map((x) => x | 0x80)),
      ...Array.from({ length: 1500 }, () => randomBytes(randInt(1, 70))),
    ],
    hex,
  );
  const uuids = uniqueBy(
    [
      "00000000-0000-0000-0000-000000000000",
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
      ...Array.from({ length: 1000 }, () => crypto.randomUUID()),
      ...Array.from({ length: 200 }, randomUuid),
    ],
    (u) => u,
  );
  const composites = uniqueBy(
    [
      [-2147483648, "min"],
      [2147483647, "max"],
      [0, "ß"],
      [-1, "😀😀"],
      ...Array.from({ length: 1500 }, () => [randomInt32(), randomText(30)] as [number, string]),
    ] as [number, string][],
    ([a, b]) => `${a}/${b}`,
  );
  return [
    {
      name: "k_int",
      ddl: "pk int PRIMARY KEY",
      insert: "INSERT INTO %t (pk) VALUES (?)",
      values: ints.map((v) => [v]),
      serialize: ([v]) => int32(v as number),
      id: ([v]) => String(v),
    },
    {
      name: "k_bigint",
      ddl: "pk bigint PRIMARY KEY",
      insert: "INSERT INTO %t (pk) VALUES (?)",
      values: bigints.map((v) => [v]),
      serialize: ([v]) => int64(v as bigint),
      id: ([v]) => String(v),
    },
    {
      name: "k_text",
      ddl: "pk text PRIMARY KEY",
      insert: "INSERT INTO %t (pk) VALUES (?)",
      values: texts.map((v) => [v]),
      serialize: ([v]) => utf8(v as string),
      id: ([v]) => v as string,
    },
    {
      name: "k_blob",
      ddl: "pk blob PRIMARY KEY",
      insert: "INSERT INTO %t (pk) VALUES (?)",
      values: blobs.map((v) => [v]),
      serialize: ([v]) => v as Uint8Array,
      id: ([v]) => hex(v as Uint8Array),
    },
    {
      name: "k_uuid",
      ddl: "pk uuid PRIMARY KEY",
      insert: "INSERT INTO %t (pk) VALUES (?)",
      values: uuids.map((v) => [v]),
      serialize: ([v]) => uuidBytes(v as string),
      id: ([v]) => v as string,
    },
    {
      name: "k_comp",
      ddl: "a int, b text, c int, PRIMARY KEY ((a, b), c)",
      insert: "INSERT INTO %t (a, b, c) VALUES (?, ?, 0)",
      values: composites,
      serialize: ([a, b]) => compositeKey([int32(a as number), utf8(b as string)]),
      id: ([a, b]) => `${a}/${b}`,
    },
  ];
}

/** Runs `fn` over `items` with at most `limit` calls pending. */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

describe("Murmur3 tokens against the server (3-node cluster, RF 1)", () => {
  let s: Session;
  const tables = buildTables();

  before(async () => {
    // SimpleStrategy RF 1 in a two-DC cluster: a key's one replica may be in dc2, where
    // LOCAL_QUORUM (the default) cannot be met from dc1.
    s = await connectCluster(clusterBuilder().defaultConsistency("ONE"));
    await createKeyspace(s, KS, 1);
    for (const t of tables) await s.execute(`CREATE TABLE ${KS}.${t.name} (${t.ddl})`);
    for (const t of tables) await onEveryNode(KS, t.name);
    for (const t of tables) {
      const ps = await s.prepare(t.insert.replace("%t", `${KS}.${t.name}`));
      await pool(t.values, 128, (v) => s.executePrepared(ps, v));
    }
  });

  after(async () => {
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("uses at least 10 000 distinct keys", () => {
    const total = tables.reduce((n, t) => n + t.values.length, 0);
    assert.ok(total >= 10_000, `only ${total} keys`);
    console.log(
      `keys: ${tables.map((t) => `${t.name} ${t.values.length}`).join(", ")}; total ${total}`,
    );
  });

  for (const t of tables.map((x) => x.name)) {
    it(`token(pk) of every ${t} key equals murmur3Token of its serialized key`, async () => {
      const table = tables.find((x) => x.name === t)!;
      const pkCols = t === "k_comp" ? "a, b" : "pk";
      const rs = await s.execute(`SELECT token(${pkCols}), ${pkCols} FROM ${KS}.${t}`);
      const inserted = new Set(table.values.map((v) => table.id(v)));
      const returned = new Set<string>();
      const mismatches: string[] = [];
      for (const row of rs) {
        const cols = row.columns();
        const serverToken = cols[0];
        assert.equal(typeof serverToken, "bigint", `token column decoded as ${typeof serverToken}`);
        const key = cols.slice(1);
        const bytes = table.serialize(key);
        const ours = murmur3Token(bytes);
        if (ours !== serverToken) {
          mismatches.push(
            `key ${table.id(key)} (bytes ${hex(bytes)}): server ${serverToken}, ours ${ours}`,
          );
        }
        returned.add(table.id(key));
      }
      assert.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} of ${rs.length} differ`);
      assert.equal(rs.length, inserted.size, "every inserted row comes back once");
      for (const id of inserted) assert.ok(returned.has(id), `key ${id} did not come back`);
    });
  }

  it("the keys fall into all three nodes' token ranges (ring as the server reports it)", async () => {
    // A sanity check of the test data against the nodes' own tokens (system.local of each,
    // over raw connections): the keys exercise every node's ranges (routing_test checks where
    // requests go).
    const ring = serverRing(await serverNodes(clusterHosts()));
    assert.equal(ring.length, 48, "16 vnodes per node");
    const rs = await s.execute(`SELECT token(pk), pk FROM ${KS}.k_bigint`);
    const owners = new Map<string, number>();
    for (const row of rs) {
      const [owner] = place(ring, row.get(0) as bigint, { simple: 1 });
      owners.set(owner, (owners.get(owner) ?? 0) + 1);
    }
    // 16 random tokens per node: shares are uneven but none is small.
    assert.equal(owners.size, 3, `owners: ${[...owners]}`);
    for (const [node, n] of owners) assert.ok(n > rs.length / 10, `${node} owns only ${n}`);
  });
});
