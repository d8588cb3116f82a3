// Every CQL type written and read back through a real node, by position, by name and
// prepared, compared with the JS mapping of API.md; boundaries, nulls, unset values, and
// values of the wrong kind (rejected before anything is sent).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { PreparedStatement, QueryResult, Row, type Session } from "../../mod.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  patternBytes,
  uniqueKeyspace,
  UUID_RE,
} from "./helpers.ts";

const KS = uniqueKeyspace("types");
const T = `${KS}.all_types`;

/** Column → CQL type, in table order (after `id int PRIMARY KEY`). */
const COLUMNS: [string, string][] = [
  ["a_ascii", "ascii"],
  ["a_bigint", "bigint"],
  ["a_blob", "blob"],
  ["a_boolean", "boolean"],
  ["a_date", "date"],
  ["a_decimal", "decimal"],
  ["a_double", "double"],
  ["a_duration", "duration"],
  ["a_float", "float"],
  ["a_inet", "inet"],
  ["a_int", "int"],
  ["a_smallint", "smallint"],
  ["a_text", "text"],
  ["a_time", "time"],
  ["a_timestamp", "timestamp"],
  ["a_timeuuid", "timeuuid"],
  ["a_tinyint", "tinyint"],
  ["a_uuid", "uuid"],
  ["a_varint", "varint"],
  ["a_varchar", "varchar"],
  ["a_list", "list<int>"],
  ["a_set", "set<text>"],
  ["a_map", "map<text, int>"],
  ["a_nested", "list<frozen<map<text, frozen<list<int>>>>>"],
  ["a_set_tuple", "set<frozen<tuple<int, text>>>"],
  ["a_frozen_list", "frozen<list<text>>"],
  ["a_tuple", "tuple<int, text, boolean>"],
  ["a_udt", "frozen<addr>"],
  ["a_udt_nf", "addr"],
  ["a_vector", "vector<float, 3>"],
  ["a_vector_text", "vector<text, 2>"],
];
const NAMES = COLUMNS.map(([n]) => n);
const INSERT_ALL = `INSERT INTO ${T} (id, ${NAMES.join(", ")}) VALUES (?${
  ", ?".repeat(NAMES.length)
})`;

const TIMEUUID = "d2177dd0-eaa2-11de-a572-001b779c76e3";

/** A typical value of every column (as given), and what reading it back yields. */
function typical(): { input: Record<string, unknown>; expected: Record<string, unknown> } {
  const input: Record<string, unknown> = {
    a_ascii: "plain ascii ~!",
    a_bigint: 1234567890123456789n,
    a_blob: new Uint8Array([0xca, 0xfe, 0x00, 0xff]),
    a_boolean: true,
    a_date: "2024-02-29",
    a_decimal: "-12.3450",
    a_double: 3.141592653589793,
    a_duration: { months: 14, days: 3, nanoseconds: 4_000_000_005n },
    a_float: 1.5,
    a_inet: "192.168.1.20",
    a_int: 42,
    a_smallint: -300,
    a_text: "héllo wörld ✓ 😀 日本語",
    a_time: 45296789000123n, // 12:34:56.789000123
    a_timestamp: new Date("2024-05-06T07:08:09.123Z"),
    a_timeuuid: TIMEUUID,
    a_tinyint: -7,
    a_uuid: "01234567-89ab-cdef-0123-456789abcdef",
    a_varint: 123456789012345678901234567890n,
    a_varchar: "varchar text",
    a_list: [3, 1, 2, 1],
    a_set: ["b", "a", "c"],
    a_map: new Map([["one", 1], ["two", 2]]),
    a_nested: [new Map([["x", [1, 2]], ["y", []]]), new Map()],
    a_set_tuple: [[2, "b"], [1, "a"]],
    a_frozen_list: ["z", "y"],
    a_tuple: [7, "seven", false],
    a_udt: { street: "Main St", zip: 12345, tags: ["home"] },
    a_udt_nf: { street: "Side St", zip: 999, tags: [] },
    a_vector: new Float32Array([0.5, -1.25, 3]),
    a_vector_text: ["left", "right"],
  };
  const expected: Record<string, unknown> = {
    ...input,
    a_set: ["a", "b", "c"], // sets come back sorted
    a_set_tuple: [[1, "a"], [2, "b"]],
    a_udt_nf: { street: "Side St", zip: 999, tags: [] },
  };
  return { input, expected };
}

/** Normalizes what a decoded value may legitimately differ in (Set vs Array for sets). */
function plain(v: unknown): unknown {
  if (v instanceof Set) return [...v].map(plain);
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [plain(k), plain(x)]));
  // A Uint8Array subclass (Node's Buffer) is compared by content here; see the blob test.
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (v instanceof Float32Array || v instanceof Date) return v;
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** `set<frozen<tuple<int, text>>>` → `set<tuple<int, text>>`. */
function stripFrozen(type: string): string {
  let out = "";
  const closers: boolean[] = []; // per open `<`: whether it belongs to `frozen<`
  for (let i = 0; i < type.length; i++) {
    if (type.startsWith("frozen<", i)) {
      closers.push(true);
      i += "frozen<".length - 1;
    } else if (type[i] === "<") {
      closers.push(false);
      out += "<";
    } else if (type[i] === ">") {
      if (!closers.pop()) out += ">";
    } else out += type[i];
  }
  return out;
}

function assertRow(row: Row | null, expected: Record<string, unknown>) {
  assert.ok(row, "no row");
  for (const [name, want] of Object.entries(expected)) {
    const got = row.get(name);
    if (typeof want === "number" && Number.isNaN(want)) {
      assert.ok(Number.isNaN(got), `${name}: expected NaN, got ${String(got)}`);
      continue;
    }
    assert.deepStrictEqual(plain(got), plain(want), `column ${name}`);
  }
}

async function selectRow(s: Session, id: number): Promise<Row | null> {
  return (await s.execute(`SELECT * FROM ${T} WHERE id = ?`, [id])).firstRow();
}

describe("CQL types", () => {
  let s: Session;

  before(async () => {
    s = await connect();
    await createKeyspace(s, KS);
    await s.execute(`CREATE TYPE ${KS}.addr (street text, zip int, tags frozen<set<text>>)`);
    await s.execute(
      `CREATE TABLE ${T} (id int PRIMARY KEY, ${COLUMNS.map(([n, t]) => `${n} ${t}`).join(", ")})`,
    );
    await s.execute(`CREATE TABLE ${KS}.counters (id int PRIMARY KEY, c counter)`);
  });

  after(async () => {
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("round-trips a typical value of every type by position", async () => {
    const { input, expected } = typical();
    await s.execute(INSERT_ALL, [1, ...NAMES.map((n) => input[n])]);
    const row = await selectRow(s, 1);
    assertRow(row, expected);
    // The JS kinds of API.md's table.
    assert.equal(typeof row!.get("a_bigint"), "bigint");
    assert.equal(typeof row!.get("a_varint"), "bigint");
    assert.equal(typeof row!.get("a_time"), "bigint");
    assert.equal(typeof row!.get("a_decimal"), "string");
    assert.ok(row!.get("a_blob") instanceof Uint8Array);
    assert.ok(row!.get("a_timestamp") instanceof Date);
    assert.ok(row!.get("a_map") instanceof Map);
    assert.ok(Array.isArray(row!.get("a_list")));
    assert.ok(Array.isArray(row!.get("a_set")));
    assert.ok(Array.isArray(row!.get("a_tuple")));
    assert.ok(row!.get("a_vector") instanceof Float32Array);
    assert.ok(Array.isArray(row!.get("a_vector_text")));
    assert.match(row!.get("a_uuid") as string, UUID_RE);
  });

  it("round-trips by name, in any key order and case", async () => {
    const { input, expected } = typical();
    const named: Record<string, unknown> = { ID: 2 };
    for (const n of [...NAMES].reverse()) named[n.toUpperCase()] = input[n];
    await s.execute(INSERT_ALL, named);
    assertRow(await selectRow(s, 2), expected);
  });

  it("round-trips through a prepared statement", async () => {
    const { input, expected } = typical();
    const ps = await s.prepare(INSERT_ALL);
    assert.ok(ps instanceof PreparedStatement);
    await s.executePrepared(ps, [3, ...NAMES.map((n) => input[n])]);
    const named: Record<string, unknown> = { id: 4 };
    for (const n of NAMES) named[n] = input[n];
    await s.executePrepared(ps, named);
    const sel = await s.prepare(`SELECT * FROM ${T} WHERE id = ?`);
    assertRow((await s.executePrepared(sel, [3])).firstRow(), expected);
    assertRow((await s.executePrepared(sel, { id: 4 })).firstRow(), expected);
  });

  it("decodes literals written in CQL text the same way", async () => {
    await s.execute(
      `INSERT INTO ${T} (id, a_bigint, a_date, a_decimal, a_duration, a_inet, a_time, ` +
        `a_timestamp, a_uuid, a_map, a_tuple, a_udt, a_vector) VALUES (5, -9, '1999-12-31', ` +
        `0.000100, 1y2mo3d4h5m6s7ms8us9ns, '::1', '01:02:03.5', '2001-02-03T04:05:06.007Z', ` +
        `01234567-89AB-CDEF-0123-456789ABCDEF, {'k': -1}, (1, 'x', true), ` +
        `{street: 'S', zip: 1}, [1.0, 2.0, 3.0])`,
    );
    assertRow(await selectRow(s, 5), {
      a_bigint: -9n,
      a_date: "1999-12-31",
      a_decimal: "0.000100",
      a_duration: {
        months: 14,
        days: 3,
        nanoseconds: ((4n * 60n + 5n) * 60n + 6n) * 1_000_000_000n + 7_008_009n,
      },
      a_inet: "::1",
      a_time: 3723_500_000_000n,
      a_timestamp: new Date("2001-02-03T04:05:06.007Z"),
      a_uuid: "01234567-89ab-cdef-0123-456789abcdef",
      a_map: new Map([["k", -1]]),
      a_tuple: [1, "x", true],
      a_udt: { street: "S", zip: 1, tags: null },
      a_vector: new Float32Array([1, 2, 3]),
      a_text: null,
      a_list: null,
    });
  });

  it("keeps integer boundaries exactly", async () => {
    const ins = `INSERT INTO ${T} (id, a_tinyint, a_smallint, a_int, a_bigint, a_varint) ` +
      `VALUES (?, ?, ?, ?, ?, ?)`;
    const cases: [number, number, number, number, bigint, bigint][] = [
      [10, -128, -32768, -2147483648, -(2n ** 63n), -(2n ** 200n) - 1n],
      [11, 127, 32767, 2147483647, 2n ** 63n - 1n, 2n ** 200n],
      [12, 0, 0, 0, 0n, 0n],
      [13, -1, -1, -1, -1n, -1n],
      [14, 1, 1, 1, 1n, 128n],
      [15, 0, 0, 0, BigInt(Number.MAX_SAFE_INTEGER), -129n],
    ];
    for (const c of cases) await s.execute(ins, c);
    for (const [id, ti, si, i, bi, vi] of cases) {
      assertRow(await selectRow(s, id), {
        a_tinyint: ti,
        a_smallint: si,
        a_int: i,
        a_bigint: bi,
        a_varint: vi,
      });
    }
    // bigint and varint also accept a safe-integer number.
    await s.execute(ins, [16, 0, 0, 0, -Number.MAX_SAFE_INTEGER, 2 ** 40]);
    assertRow(await selectRow(s, 16), {
      a_bigint: BigInt(-Number.MAX_SAFE_INTEGER),
      a_varint: 2n ** 40n,
    });
  });

  it("keeps float and double specials and precision", async () => {
    const ins = `INSERT INTO ${T} (id, a_float, a_double) VALUES (?, ?, ?)`;
    const cases: [number, number, number][] = [
      [20, NaN, NaN],
      [21, Infinity, Infinity],
      [22, -Infinity, -Infinity],
      [23, 0.1, 0.1],
      [24, -0, -0],
      [25, 3.4028234663852886e38, Number.MAX_VALUE],
      [26, 1.401298464324817e-45, Number.MIN_VALUE],
    ];
    for (const c of cases) await s.execute(ins, c);
    for (const [id, f, d] of cases) {
      const row = await selectRow(s, id);
      assertRow(row, { a_float: Math.fround(f), a_double: d });
      if (Object.is(f, -0)) {
        assert.ok(Object.is(row!.get("a_float"), -0), "float -0 lost its sign");
        assert.ok(Object.is(row!.get("a_double"), -0), "double -0 lost its sign");
      }
    }
  });

  it("keeps decimals exact and accepts numbers for them", async () => {
    const ins = `INSERT INTO ${T} (id, a_decimal) VALUES (?, ?)`;
    const cases: [number, string | number, string][] = [
      [30, "0", "0"],
      [31, "-0.001", "-0.001"],
      [
        32,
        "123456789012345678901234567890.098765432109876543210",
        "123456789012345678901234567890.098765432109876543210",
      ],
      [33, "1.10", "1.10"],
      [34, 2.5, "2.5"],
      [35, -7, "-7"],
    ];
    for (const [id, v] of cases) await s.execute(ins, [id, v]);
    for (const [id, , want] of cases) {
      assertRow(await selectRow(s, id), { a_decimal: want });
    }
  });

  it("keeps temporal boundaries", async () => {
    const ins = `INSERT INTO ${T} (id, a_date, a_time, a_timestamp, a_duration) ` +
      `VALUES (?, ?, ?, ?, ?)`;
    await s.execute(ins, [
      40,
      "1970-01-01",
      0n,
      new Date(0),
      { months: 0, days: 0, nanoseconds: 0n },
    ]);
    await s.execute(ins, [
      41,
      "9999-12-31",
      "23:59:59.999999999",
      new Date("9999-12-31T23:59:59.999Z"),
      { months: -1, days: -2, nanoseconds: -3n },
    ]);
    await s.execute(ins, [
      42,
      new Date("1900-03-04T12:00:00Z"), // a Date gives its UTC day
      "00:00:01",
      -1, // epoch milliseconds
      { months: 2147483647, days: 2147483647, nanoseconds: 9223372036854775807n },
    ]);
    await s.execute(ins, [43, "0001-01-01", 1n, 1_700_000_000_000n, {
      months: 0,
      days: 1,
      nanoseconds: 1n,
    }]);
    assertRow(await selectRow(s, 40), {
      a_date: "1970-01-01",
      a_time: 0n,
      a_timestamp: new Date(0),
      a_duration: { months: 0, days: 0, nanoseconds: 0n },
    });
    assertRow(await selectRow(s, 41), {
      a_date: "9999-12-31",
      a_time: 86_399_999_999_999n,
      a_timestamp: new Date("9999-12-31T23:59:59.999Z"),
      a_duration: { months: -1, days: -2, nanoseconds: -3n },
    });
    assertRow(await selectRow(s, 42), {
      a_date: "1900-03-04",
      a_time: 1_000_000_000n,
      a_timestamp: new Date(-1),
      a_duration: { months: 2147483647, days: 2147483647, nanoseconds: 9223372036854775807n },
    });
    assertRow(await selectRow(s, 43), {
      a_date: "0001-01-01",
      a_time: 1n,
      a_timestamp: new Date(1_700_000_000_000),
    });
  });

  it("keeps inet, uuid and timeuuid forms", async () => {
    const ins = `INSERT INTO ${T} (id, a_inet, a_uuid, a_timeuuid) VALUES (?, ?, ?, ?)`;
    const now = (await s.execute("SELECT now() FROM system.local")).singleRow().get(0) as string;
    assert.match(now, UUID_RE);
    await s.execute(ins, [
      50,
      "2001:db8::ff00:42:8329",
      "00000000-0000-0000-0000-000000000000",
      now,
    ]);
    await s.execute(ins, [51, "0.0.0.0", "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF", TIMEUUID]);
    assertRow(await selectRow(s, 50), {
      a_inet: "2001:db8::ff00:42:8329",
      a_uuid: "00000000-0000-0000-0000-000000000000",
      a_timeuuid: now,
    });
    assertRow(await selectRow(s, 51), {
      a_inet: "0.0.0.0",
      a_uuid: "ffffffff-ffff-4fff-bfff-ffffffffffff",
      a_timeuuid: TIMEUUID,
    });
  });

  it("keeps empty strings and blobs apart from null, and unicode intact", async () => {
    const ins = `INSERT INTO ${T} (id, a_text, a_ascii, a_varchar, a_blob) VALUES (?, ?, ?, ?, ?)`;
    await s.execute(ins, [60, "", "", "", new Uint8Array(0)]);
    assertRow(await selectRow(s, 60), {
      a_text: "",
      a_ascii: "",
      a_varchar: "",
      a_blob: new Uint8Array(0),
    });
    const unicode = "\u0000nul, é, 中文, 🎉 (astral), \u200d zwj, \ufeff bom";
    await s.execute(ins, [61, unicode, "\u0000\u007f", unicode, new Uint8Array([0])]);
    assertRow(await selectRow(s, 61), {
      a_text: unicode,
      a_ascii: "\u0000\u007f",
      a_varchar: unicode,
      a_blob: new Uint8Array([0]),
    });
  });

  it("round-trips a 1 MiB blob", async () => {
    const big = patternBytes(1024 * 1024, 7);
    await s.execute(`INSERT INTO ${T} (id, a_blob) VALUES (?, ?)`, [70, big]);
    const got = (await selectRow(s, 70))!.get("a_blob") as Uint8Array;
    assert.equal(got.length, big.length);
    assert.ok(got.every((b, i) => b === big[i]), "blob bytes differ");
  });

  it("decodes blobs as plain Uint8Arrays that share nothing with the connection", async () => {
    const query = "SELECT textAsBlob('hello') AS b, now() AS n FROM system.local";
    const b = (await s.execute(query)).singleRow().get("b") as Uint8Array;
    assert.equal(Object.getPrototypeOf(b), Uint8Array.prototype, `a ${b.constructor.name}`);
    assert.equal(new TextDecoder().decode(b), "hello");
    // Blobs are views of one private copy of their page's cells (one copy per page, not
    // per cell): never of the socket's read buffer, which later answers overwrite.
    assert.ok(b.buffer.byteLength < 1024, `the blob sits in a ${b.buffer.byteLength}-byte buffer`);
    b.fill(0);
    const again = (await s.execute(query)).singleRow().get("b") as Uint8Array;
    assert.equal(new TextDecoder().decode(again), "hello");
  });

  it("accepts Set for sets and plain objects for text-keyed maps", async () => {
    await s.execute(`INSERT INTO ${T} (id, a_set, a_map, a_udt) VALUES (?, ?, ?, ?)`, [
      71,
      new Set(["q", "p"]),
      { alpha: 1, beta: -2 },
      { street: "Only street" }, // missing fields are null
    ]);
    assertRow(await selectRow(s, 71), {
      a_set: ["p", "q"],
      a_map: new Map([["alpha", 1], ["beta", -2]]),
      a_udt: { street: "Only street", zip: null, tags: null },
    });
  });

  it("reads an empty result of a wide prepared SELECT", async () => {
    // Executed with skip_metadata: the node sends a column count but no column specs.
    const rs = await s.execute(`SELECT * FROM ${T} WHERE id = ?`, [123456]);
    assert.equal(rs.length, 0);
    const ps = await s.prepare(`SELECT * FROM ${T} WHERE id = ?`);
    const again = await s.executePrepared(ps, [123456]);
    assert.equal(again.length, 0);
    assert.equal(again.firstRow(), null);
  });

  it("reads NULL as null for every column, with values given as null", async () => {
    await s.execute(INSERT_ALL, [80, ...NAMES.map(() => null)]);
    const row = await selectRow(s, 80);
    assert.ok(row);
    for (const n of NAMES) assert.equal(row.get(n), null, `column ${n}`);
    assert.equal(row.get("id"), 80);
  });

  it("treats undefined as unset: the old value stays", async () => {
    const ins = `INSERT INTO ${T} (id, a_text, a_int, a_list) VALUES (?, ?, ?, ?)`;
    await s.execute(ins, [90, "old", 1, [1]]);
    await s.execute(ins, [90, undefined, 2, undefined]);
    assertRow(await selectRow(s, 90), { a_text: "old", a_int: 2, a_list: [1] });
    await s.execute(ins, { id: 90, a_text: "new", a_int: undefined, a_list: undefined });
    assertRow(await selectRow(s, 90), { a_text: "new", a_int: 2, a_list: [1] });
    const ps = await s.prepare(`UPDATE ${T} SET a_text = ?, a_int = ? WHERE id = ?`);
    await s.executePrepared(ps, [undefined, 3, 90]);
    assertRow(await selectRow(s, 90), { a_text: "new", a_int: 3 });
    // null, unlike undefined, deletes.
    await s.executePrepared(ps, [null, undefined, 90]);
    assertRow(await selectRow(s, 90), { a_text: null, a_int: 3 });
  });

  it("adds to counters with bigint and number deltas", async () => {
    const up = `UPDATE ${KS}.counters SET c = c + ? WHERE id = ?`;
    await s.execute(up, [5n, 1]);
    await s.execute(up, [-2, 1]);
    await s.execute(up, { c: 2n ** 40n, id: 1 });
    const row = (await s.execute(`SELECT c FROM ${KS}.counters WHERE id = 1`)).singleRow();
    assert.equal(row.get("c"), 3n + 2n ** 40n);
    const cols = (await s.execute(`SELECT c FROM ${KS}.counters WHERE id = 1`)).colSpecs();
    assert.equal(cols[0].type, "counter");
  });

  it("reports every column type as CQL text in colSpecs", async () => {
    const rs = await s.execute(`SELECT id, ${NAMES.join(", ")} FROM ${T} WHERE id = 1`);
    const specs = rs.colSpecs();
    assert.deepEqual(specs[0], { keyspace: KS, table: "all_types", name: "id", type: "int" });
    const byName = new Map(specs.map((c) => [c.name, c.type]));
    // The wire does not say whether a top-level collection, tuple or UDT is frozen, so
    // compare those without `frozen<>`; everything else exactly as declared.
    const ambiguous = new Set(["a_set_tuple", "a_frozen_list", "a_tuple", "a_udt_nf"]);
    for (const [name, declared] of COLUMNS) {
      const want = declared === "varchar" ? "text" : declared;
      const got = byName.get(name);
      if (ambiguous.has(name)) {
        assert.equal(stripFrozen(got ?? ""), stripFrozen(want), name);
      } else {
        assert.equal(got, want, name);
      }
    }
  });

  describe("values of the wrong kind", () => {
    async function assertNothingAt(id: number) {
      // Unprepared on purpose: this checks the write, not the read path.
      const rs = await s.execute(`SELECT id FROM ${T} WHERE id = ${id}`);
      assert.equal(rs.length, 0, `a row with id ${id} was written`);
    }

    const wrong: [string, unknown, typeof TypeError | typeof RangeError][] = [
      ["a_int", "42", TypeError],
      ["a_int", 2147483648, RangeError],
      ["a_int", 1.5, RangeError], // a number, but not an integer
      ["a_tinyint", 128, RangeError],
      ["a_smallint", -32769, RangeError],
      ["a_bigint", 1.5, RangeError],
      ["a_bigint", 2n ** 63n, RangeError],
      ["a_boolean", 1, TypeError],
      ["a_text", 5, TypeError],
      ["a_ascii", "naïve", RangeError],
      ["a_blob", "cafe", TypeError],
      ["a_uuid", "not-a-uuid", TypeError],
      ["a_timeuuid", "01234567-89ab-4def-8123-456789abcdef", TypeError],
      ["a_inet", "300.1.1.1", TypeError],
      ["a_date", "2024-13-01", RangeError],
      ["a_time", "25:00:00", RangeError],
      ["a_timestamp", "2024-01-01", TypeError],
      ["a_duration", { months: 1, days: -1, nanoseconds: 0n }, RangeError],
      ["a_list", [1, "two"], TypeError],
      ["a_map", new Map([[1, 1]]), TypeError],
      ["a_tuple", { 0: 1 }, TypeError],
      ["a_udt", { street: "x", nope: 1 }, TypeError],
      ["a_vector", new Float32Array([1, 2]), TypeError],
    ];
    for (const [i, [column, value, cls]] of wrong.entries()) {
      const type = COLUMNS.find(([n]) => n === column)![1];
      it(`rejects ${String(value)} for ${column} (${type}) with ${cls.name}`, async () => {
        const id = 1000 + i;
        const cql = `INSERT INTO ${T} (id, ${column}) VALUES (?, ?)`;
        const check = (e: unknown) => {
          assert.ok(e instanceof cls, `expected ${cls.name}, got ${e}`);
          assert.ok((e as Error).message.includes(column), `message lacks the column: ${e}`);
          return true;
        };
        await assert.rejects(s.execute(cql, [id, value]), check);
        await assert.rejects(s.execute(cql, { id, [column]: value }), check);
        const ps = await s.prepare(cql);
        await assert.rejects(s.executePrepared(ps, [id, value]), check);
        await assertNothingAt(id);
      });
    }

    it("names the column and its CQL type in the message", async () => {
      await assert.rejects(
        s.execute(`INSERT INTO ${T} (id, a_list) VALUES (?, ?)`, [1100, [1, "x"]]),
        (e: unknown) => {
          assert.ok(e instanceof TypeError);
          assert.match(e.message, /a_list/);
          assert.match(e.message, /list<int>/);
          return true;
        },
      );
      await assertNothingAt(1100);
    });

    it("rejects a wrong count, a missing or an unknown name with TypeError", async () => {
      const cql = `INSERT INTO ${T} (id, a_int) VALUES (?, ?)`;
      await assert.rejects(s.execute(cql, [1101]), TypeError);
      await assert.rejects(s.execute(cql, [1101, 1, 2]), TypeError);
      await assert.rejects(s.execute(cql, { id: 1101 }), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /a_int/);
        return true;
      });
      await assert.rejects(s.execute(cql, { id: 1101, a_int: 1, nope: 2 }), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /nope/);
        return true;
      });
      await assertNothingAt(1101);
    });
  });
});

describe("QueryResult and Row", () => {
  let s: Session;
  const ks = `${KS}_rows`;

  before(async () => {
    s = await connect();
    await createKeyspace(s, ks);
    await s.execute(
      `CREATE TABLE ${ks}.t (pk int, ck int, "MixedCase" text, v text, ` +
        `PRIMARY KEY (pk, ck))`,
    );
    for (let i = 0; i < 3; i++) {
      await s.execute(`INSERT INTO ${ks}.t (pk, ck, "MixedCase", v) VALUES (?, ?, ?, ?)`, [
        1,
        i,
        `m${i}`,
        `v${i}`,
      ]);
    }
  });

  after(async () => {
    await dropKeyspace(s, ks);
    await s?.close();
  });

  it("exposes rows in every shape", async () => {
    const rs = await s.execute(`SELECT pk, ck, "MixedCase", v FROM ${ks}.t WHERE pk = 1`);
    assert.ok(rs instanceof QueryResult);
    assert.equal(rs.length, 3);
    assert.equal(rs.isEmpty(), false);
    assert.equal(rs.pagingState, null);
    assert.equal(rs.tracingId(), null);
    assert.deepEqual(rs.warnings(), []);
    assert.deepEqual(rs.colSpecs().map((c) => [c.name, c.type]), [
      ["pk", "int"],
      ["ck", "int"],
      ["MixedCase", "text"],
      ["v", "text"],
    ]);
    const rows = rs.rows();
    assert.equal(rows.length, 3);
    assert.ok(rows[0] instanceof Row);
    assert.equal(rs.firstRow(), rows[0]);
    assert.throws(() => rs.singleRow(), RangeError);
    assert.deepEqual(rs.rowsTyped<{ ck: number }>().map((r) => r.ck), [0, 1, 2]);
    assert.deepEqual(rs.firstRowTyped(), { pk: 1, ck: 0, MixedCase: "m0", v: "v0" });
    // Iterable any number of times.
    assert.deepEqual([...rs].map((r) => r.get("ck")), [0, 1, 2]);
    assert.deepEqual([...rs].map((r) => r.get("ck")), [0, 1, 2]);

    const row = rows[1];
    assert.equal(row.length, 4);
    assert.deepEqual(row.columns(), [1, 1, "m1", "v1"]);
    assert.deepEqual([...row], [1, 1, "m1", "v1"]);
    assert.equal(row.get(0), 1);
    assert.equal(row.get(-1), "v1");
    assert.equal(row.get(-4), 1);
    assert.equal(row.get("MixedCase"), "m1");
    assert.equal(row.get("v"), "v1");
    assert.throws(() => row.get(4), RangeError);
    assert.throws(() => row.get(-5), RangeError);
    assert.throws(() => row.get("nope"), RangeError);
    assert.deepEqual(row.asObject(), { pk: 1, ck: 1, MixedCase: "m1", v: "v1" });
    const text = row.toString();
    assert.ok(text.includes("MixedCase") && text.includes("m1"), text);
  });

  it("reports an empty result", async () => {
    const rs = await s.execute(`SELECT * FROM ${ks}.t WHERE pk = 99`);
    assert.equal(rs.length, 0);
    assert.equal(rs.isEmpty(), true);
    assert.equal(rs.firstRow(), null);
    assert.equal(rs.firstRowTyped(), null);
    assert.deepEqual(rs.rows(), []);
    assert.throws(() => rs.singleRow(), RangeError);
    assert.equal(rs.colSpecs().length, 4);
  });

  it("gives a result without rows for writes", async () => {
    const rs = await s.execute(`INSERT INTO ${ks}.t (pk, ck) VALUES (2, 2)`);
    assert.equal(rs.length, 0);
    assert.deepEqual(rs.colSpecs(), []);
    assert.equal(rs.wasApplied(), true);
  });

  it("keys aliases and aggregates by the names the server returns", async () => {
    const rs = await s.execute(`SELECT count(*), v AS "Alias", ck AS c2 FROM ${ks}.t WHERE pk = 1`);
    const row = rs.singleRow();
    assert.equal(row.get("count"), 3n);
    assert.equal(row.get("Alias"), "v0");
    assert.equal(row.get("c2"), 0);
  });
});
