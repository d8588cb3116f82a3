import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import {
  type CqlType,
  formatType,
  nativeType,
  TypeId,
  typeKey,
  type UdtType,
} from "../../src/wire/cql_type.ts";
import { parseMarshalType, parseType } from "../../src/wire/cql_type_text.ts";
import { readOption } from "../../src/wire/cql_type_option.ts";

const int = nativeType("int");
const text = nativeType("text");
const M = "org.apache.cassandra.db.marshal.";

function read(bytes: Uint8Array | number[]): CqlType {
  const r = new Reader(bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes));
  const t = readOption(r);
  assert.equal(r.remaining, 0, "readOption must consume exactly the option");
  return t;
}

describe("readOption", () => {
  it("reads native ids, varchar and the legacy text id as text", () => {
    assert.deepEqual(read([0, 0x09]), int);
    assert.deepEqual(read([0, 0x0d]), text);
    assert.deepEqual(read([0, 0x0a]), text);
    assert.deepEqual(read([0, 0x15]), nativeType("duration"));
    assert.equal(read([0, 0x01]), nativeType("ascii"), "native descriptors are shared");
  });

  it("reads collections", () => {
    assert.deepEqual(
      read([
        0,
        0x21, // map
        0,
        0x0d, // key varchar
        0,
        0x20, // value list
        0,
        0x22, // of set
        0,
        0x09, // of int
      ]),
      { kind: "map", key: text, value: { kind: "list", element: { kind: "set", element: int } } },
    );
  });

  it("reads a UDT with keyspace, name and fields", () => {
    const w = new Writer();
    w.writeShort(TypeId.UDT).writeString("ks").writeString("addr").writeShort(2);
    w.writeString("street").writeShort(TypeId.VARCHAR);
    w.writeString("zip").writeShort(TypeId.INT);
    assert.deepEqual(read(w.toBytes()), {
      kind: "udt",
      keyspace: "ks",
      name: "addr",
      fields: [{ name: "street", type: text }, { name: "zip", type: int }],
    });
  });

  it("reads a tuple", () => {
    assert.deepEqual(
      read([
        0,
        0x31, // tuple
        0,
        2, // 2 elements
        0,
        0x09, // int
        0,
        0x03, // blob
      ]),
      { kind: "tuple", elements: [int, nativeType("blob")] },
    );
  });

  it("maps custom class names: vector, duration, unknown", () => {
    const custom = (name: string) => read(new Writer().writeShort(0).writeString(name).toBytes());
    assert.deepEqual(custom(`${M}VectorType(${M}FloatType, 3)`), {
      kind: "vector",
      element: nativeType("float"),
      dimension: 3,
    });
    assert.deepEqual(custom(`${M}DurationType`), nativeType("duration"));
    assert.deepEqual(custom("com.example.Geo"), { kind: "custom", className: "com.example.Geo" });
  });

  it("refuses unknown ids, truncated options and hostile nesting", () => {
    assert.throws(() => read([0, 0x40]), {
      name: "ProtocolError",
      message: "unknown type option id 0x0040",
    });
    assert.throws(() => read([0, 0x20]), ProtocolError);
    assert.throws(() => read([0, 0x30, 0, 2, 0x6b]), ProtocolError);
    const deep = new Writer();
    for (let i = 0; i < 100; i++) deep.writeShort(TypeId.LIST);
    deep.writeShort(TypeId.INT);
    assert.throws(() => read(deep.toBytes()), {
      name: "ProtocolError",
      message: "type nesting deeper than 64 levels",
    });
    const ok = new Writer();
    for (let i = 0; i < 64; i++) ok.writeShort(TypeId.LIST);
    ok.writeShort(TypeId.INT);
    assert.equal(read(ok.toBytes()).kind, "list");
  });
});

describe("parseMarshalType", () => {
  it("understands composite marshal types", () => {
    assert.deepEqual(parseMarshalType(`${M}ListType(${M}Int32Type)`), {
      kind: "list",
      element: int,
    });
    assert.deepEqual(
      parseMarshalType(`${M}MapType(${M}UTF8Type,${M}FrozenType(${M}SetType(${M}TimeUUIDType)))`),
      { kind: "map", key: text, value: { kind: "set", element: nativeType("timeuuid") } },
    );
    assert.deepEqual(parseMarshalType(`${M}TupleType(${M}LongType,${M}BytesType)`), {
      kind: "tuple",
      elements: [nativeType("bigint"), nativeType("blob")],
    });
    // keyspace, hex "addr", hex "zip":Int32Type
    assert.deepEqual(parseMarshalType(`${M}UserType(ks,61646472,7a6970:${M}Int32Type)`), {
      kind: "udt",
      keyspace: "ks",
      name: "addr",
      fields: [{ name: "zip", type: int }],
    });
    assert.deepEqual(parseMarshalType(`${M}VectorType(${M}ListType(${M}Int32Type), 2)`), {
      kind: "vector",
      element: { kind: "list", element: int },
      dimension: 2,
    });
    assert.deepEqual(parseMarshalType("DateType"), nativeType("timestamp"));
  });

  it("keeps what it does not understand as custom, parts included", () => {
    assert.deepEqual(parseMarshalType(`${M}VectorType(com.x.Odd(a,b), 2)`), {
      kind: "vector",
      element: { kind: "custom", className: "com.x.Odd(a,b)" },
      dimension: 2,
    });
    for (
      const odd of [
        `${M}VectorType(${M}FloatType, 0)`,
        `${M}ListType(`,
        "a b",
        `${M}UserType(ks,zz)`,
      ]
    ) {
      assert.deepEqual(parseMarshalType(odd), { kind: "custom", className: odd });
    }
  });
});

describe("formatType", () => {
  it("writes CQL type text as colSpecs() shows it", () => {
    const addr: UdtType = { kind: "udt", keyspace: "ks", name: "addr", fields: [] };
    const cases: [CqlType, string][] = [
      [int, "int"],
      [text, "text"],
      [{ kind: "list", element: text }, "list<text>"],
      [{ kind: "map", key: text, value: int }, "map<text, int>"],
      [addr, "frozen<addr>"],
      [{ ...addr, frozen: false }, "addr"],
      [{ ...addr, name: "Addr Book" }, 'frozen<"Addr Book">'],
      [{ kind: "tuple", elements: [int, text] }, "tuple<int, text>"],
      [{ kind: "vector", element: nativeType("float"), dimension: 3 }, "vector<float, 3>"],
      [{ kind: "set", element: { kind: "list", element: int } }, "set<frozen<list<int>>>"],
      [{ kind: "list", element: addr, frozen: true }, "frozen<list<frozen<addr>>>"],
      [
        { kind: "tuple", elements: [{ kind: "map", key: int, value: int }] },
        "tuple<frozen<map<int, int>>>",
      ],
      [{ kind: "custom", className: "com.x.It's" }, "'com.x.It''s'"],
    ];
    for (const [t, s] of cases) assert.equal(formatType(t), s);
  });
});

describe("parseType", () => {
  it("parses native names, aliases and case", () => {
    assert.deepEqual(parseType("int"), int);
    assert.deepEqual(parseType("varchar"), text);
    assert.deepEqual(parseType(" TEXT "), text);
  });

  it("parses nested frozen collections", () => {
    assert.deepEqual(parseType("frozen<map<text, frozen<list<int>>>>"), {
      kind: "map",
      key: text,
      value: { kind: "list", element: int, frozen: true },
      frozen: true,
    });
    assert.deepEqual(parseType("set<frozen<tuple<int,text>>>"), {
      kind: "set",
      element: { kind: "tuple", elements: [int, text] },
      frozen: false,
    });
    assert.deepEqual(parseType("vector<float, 3>"), {
      kind: "vector",
      element: nativeType("float"),
      dimension: 3,
    });
  });

  it("resolves UDT names through the lookup, quoted names keep their case", () => {
    const defs: Record<string, UdtType> = {
      "ks.addr": {
        kind: "udt",
        keyspace: "ks",
        name: "addr",
        fields: [{ name: "zip", type: int }],
      },
      "ks.MyType": { kind: "udt", keyspace: "ks", name: "MyType", fields: [] },
    };
    const lookup = (ks: string, name: string) => defs[`${ks}.${name}`];
    assert.deepEqual(parseType("frozen<addr>", "ks", lookup), { ...defs["ks.addr"], frozen: true });
    assert.deepEqual(parseType('list<frozen<"MyType">>', "ks", lookup), {
      kind: "list",
      element: { ...defs["ks.MyType"], frozen: true },
      frozen: false,
    });
    assert.deepEqual(parseType("other.thing"), {
      kind: "udt",
      keyspace: "other",
      name: "thing",
      fields: [],
      frozen: false,
    });
    assert.deepEqual(parseType('"Int"'), {
      kind: "udt",
      keyspace: "",
      name: "Int",
      fields: [],
      frozen: false,
    });
    assert.deepEqual(parseType('"a""b"'), {
      kind: "udt",
      keyspace: "",
      name: 'a"b',
      fields: [],
      frozen: false,
    });
  });

  it("parses quoted custom class names", () => {
    assert.deepEqual(parseType(`'${M}DurationType'`), nativeType("duration"));
    assert.deepEqual(parseType("'com.x.Geo'"), { kind: "custom", className: "com.x.Geo" });
  });

  it("round-trips through formatType", () => {
    for (
      const s of [
        "map<text, frozen<list<int>>>",
        "set<frozen<list<int>>>",
        "tuple<int, text>",
        "vector<float, 3>",
        "frozen<list<frozen<set<bigint>>>>",
      ]
    ) {
      assert.equal(formatType(parseType(s)), s);
    }
  });

  it("reports malformed text with the offset", () => {
    const bad: [string, string][] = [
      ["map<text", 'cannot parse CQL type "map<text": expected "," at offset 8'],
      [
        "list<int>>",
        'cannot parse CQL type "list<int>>": unexpected text after the type at offset 9',
      ],
      ["", 'cannot parse CQL type "": expected a type name at offset 0'],
      [
        "int<text>",
        'cannot parse CQL type "int<text>": "int" takes no type parameters at offset 3',
      ],
      [
        "vector<float, 0>",
        'cannot parse CQL type "vector<float, 0>": expected a positive dimension at offset 14',
      ],
      [
        '"unterminated',
        'cannot parse CQL type ""unterminated": unterminated quoted identifier at offset 0',
      ],
      ["list<>", 'cannot parse CQL type "list<>": expected a type name at offset 5'],
    ];
    for (const [s, message] of bad) {
      assert.throws(() => parseType(s), (e: unknown) => {
        assert.ok(e instanceof ProtocolError);
        assert.equal(e.message, message);
        return true;
      });
    }
    assert.throws(
      () => parseType("list<".repeat(100) + "int" + ">".repeat(100)),
      /nesting deeper than 64 levels/,
    );
  });
});

describe("typeKey", () => {
  it("is equal for structurally equal types and ignores frozen", () => {
    assert.equal(typeKey(parseType("frozen<list<int>>")), typeKey({ kind: "list", element: int }));
    assert.notEqual(typeKey(parseType("list<int>")), typeKey(parseType("set<int>")));
    const a: UdtType = {
      kind: "udt",
      keyspace: "k",
      name: "u",
      fields: [{ name: "a", type: int }],
    };
    assert.notEqual(typeKey(a), typeKey({ ...a, fields: [{ name: "a", type: text }] }));
    assert.notEqual(typeKey(a), typeKey({ ...a, keyspace: "k2" }));
  });
});
