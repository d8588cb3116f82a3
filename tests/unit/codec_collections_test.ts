import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import { Writer } from "../../src/wire/bytes.ts";
import type { CqlType } from "../../src/wire/cql_type.ts";
import { parseType } from "../../src/wire/cql_type_text.ts";
import { decoderFor, encoderFor } from "../../src/wire/codec/index.ts";
import { assertEncodeError, decode, encodeFull, roundTrip } from "./codec_helpers.ts";

const int = { kind: "native", name: "int" } as const;
const text = { kind: "native", name: "text" } as const;
const addr: CqlType = {
  kind: "udt",
  keyspace: "ks",
  name: "addr",
  fields: [
    { name: "street", type: text },
    { name: "zip", type: int },
    { name: "tags", type: { kind: "set", element: text } },
  ],
};

describe("list and set", () => {
  it("encode a count then [bytes] elements, NULL as -1", () => {
    assert.deepEqual([...encodeFull("list<int>", [1, null])], [
      0,
      0,
      0,
      16, // length
      0,
      0,
      0,
      2, // 2 elements
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      1, // [bytes] 1
      0xff,
      0xff,
      0xff,
      0xff, // [bytes] NULL
    ]);
    assert.deepEqual(roundTrip("list<int>", [1, null]), [1, null]);
  });

  it("round-trip empty and large lists", () => {
    assert.deepEqual(roundTrip("list<text>", []), []);
    const many = Array.from({ length: 10000 }, (_, i) => `item ${i}`);
    assert.deepEqual(roundTrip("list<text>", many), many);
  });

  it("set decodes to an Array and encodes from an Array or a Set", () => {
    assert.deepEqual(roundTrip("set<int>", new Set([3, 1, 2])), [3, 1, 2]);
    assert.deepEqual(roundTrip("set<int>", [1, 2]), [1, 2]);
  });

  it("refuse other kinds and name the element that is wrong", () => {
    assertEncodeError(
      "list<int>",
      new Set([1]),
      TypeError,
      'column "c" (list<int>): expected an Array, got Set',
    );
    assertEncodeError(
      "set<int>",
      { a: 1 },
      TypeError,
      'column "c" (set<int>): expected an Array or a Set, got Object',
    );
    assertEncodeError(
      "list<int>",
      [1, 2, 3, "4"],
      TypeError,
      'column "tags" (list<int>) element 3: expected an integer number, got string',
      "tags",
    );
    assertEncodeError(
      "set<int>",
      new Set([1, 2 ** 40]),
      RangeError,
      'column "c" (set<int>) element 1: 1099511627776 is out of range [-2147483648, 2147483647]',
    );
    assertEncodeError(
      "list<int>",
      [1, undefined],
      TypeError,
      'column "c" (list<int>) element 1: undefined (unset) is not allowed inside a value; use null',
    );
  });
});

describe("map", () => {
  it("encodes count then key/value [bytes] pairs", () => {
    assert.deepEqual([...encodeFull("map<text, int>", new Map([["a", 1]]))], [
      0,
      0,
      0,
      17, // length
      0,
      0,
      0,
      1, // 1 entry
      0,
      0,
      0,
      1,
      0x61, // key "a"
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      1, // value 1
    ]);
  });

  it("decodes to a Map and accepts a plain object for text keys", () => {
    const m = new Map([["a", 1], ["b", null]]);
    assert.deepEqual(roundTrip("map<text, int>", m), m);
    assert.deepEqual(roundTrip("map<ascii, int>", { x: 1, y: 2 }), new Map([["x", 1], ["y", 2]]));
    assert.deepEqual(
      roundTrip("map<int, boolean>", new Map([[1, true], [-1, false]])),
      new Map([[1, true], [-1, false]]),
    );
    assert.deepEqual(roundTrip("map<text, int>", {}), new Map());
  });

  it("refuses plain objects for non-text keys and names the bad key or value", () => {
    assertEncodeError(
      "map<int, text>",
      { 1: "a" },
      TypeError,
      'column "c" (map<int, text>): expected a Map, got Object',
    );
    assertEncodeError(
      "map<text, int>",
      [["a", 1]],
      TypeError,
      'column "c" (map<text, int>): expected a Map or a plain object, got Array',
    );
    assertEncodeError(
      "map<text, int>",
      new Map<unknown, unknown>([["a", 1], [2, 2]]),
      TypeError,
      'column "c" (map<text, int>) key 1: expected a string, got number',
    );
    assertEncodeError(
      "map<text, int>",
      { a: 1, b: "x" },
      TypeError,
      'column "c" (map<text, int>) value 1: expected an integer number, got string',
    );
  });
});

describe("nested collections", () => {
  const type = "map<text, frozen<list<frozen<set<int>>>>>";

  it("round-trip map<text, frozen<list<frozen<set<int>>>>>", () => {
    const v = new Map([["a", [[1, 2], [], [3]]], ["", []], ["ü", [[-2147483648, 2147483647]]]]);
    assert.deepEqual(roundTrip(type, v), v);
  });

  it("name the full path of a bad value", () => {
    assertEncodeError(
      type,
      { a: [[1], [2, "x"]] },
      TypeError,
      `column "c" (${type}) value 0 element 1 element 1: expected an integer number, got string`,
    );
  });

  it("round-trip list<frozen<map<int, frozen<tuple<text, blob>>>>>", () => {
    const v = [new Map([[1, ["x", new Uint8Array([1])]], [2, [null, null]]]), new Map()];
    assert.deepEqual(roundTrip("list<frozen<map<int, frozen<tuple<text, blob>>>>>", v), v);
  });
});

describe("tuple", () => {
  it("encodes successive [bytes] with NULLs", () => {
    assert.deepEqual([...encodeFull("tuple<int, text>", [7, null])], [
      0,
      0,
      0,
      12, // length
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      7, // 7
      0xff,
      0xff,
      0xff,
      0xff, // NULL
    ]);
    assert.deepEqual(roundTrip("tuple<int, text, boolean>", [null, "x", null]), [null, "x", null]);
  });

  it("decodes missing trailing components as null", () => {
    assert.deepEqual(decode("tuple<int, text>", [0, 0, 0, 4, 0, 0, 0, 7]), [7, null]);
    assert.deepEqual(decode("tuple<int, text>", []), [null, null]);
  });

  it("requires the exact length", () => {
    assertEncodeError(
      "tuple<int, text>",
      [1],
      TypeError,
      'column "c" (tuple<int, text>): expected an Array of 2 elements, got 1',
    );
    assertEncodeError(
      "tuple<int, text>",
      [1, "a", 3],
      TypeError,
      'column "c" (tuple<int, text>): expected an Array of 2 elements, got 3',
    );
    assertEncodeError(
      "tuple<int, text>",
      "1,a",
      TypeError,
      'column "c" (tuple<int, text>): expected an Array of 2 elements, got string',
    );
    assertEncodeError(
      "tuple<int, text>",
      [1, 2],
      TypeError,
      'column "c" (tuple<int, text>) element 1: expected a string, got number',
    );
    assertEncodeError(
      "tuple<int, text>",
      [undefined, "a"],
      TypeError,
      'column "c" (tuple<int, text>) element 0: undefined (unset) is not allowed inside a value; use null',
    );
  });
});

describe("user-defined types", () => {
  it("encode fields in definition order, missing ones as NULL", () => {
    assert.deepEqual([...encodeFull(addr, { zip: 1 })], [
      0,
      0,
      0,
      16, // length
      0xff,
      0xff,
      0xff,
      0xff, // street NULL
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      1, // zip 1
      0xff,
      0xff,
      0xff,
      0xff, // tags NULL
    ]);
  });

  it("decode to a plain object with every field", () => {
    const v = { street: "Main St", zip: 12345, tags: ["home"] };
    assert.deepEqual(roundTrip(addr, v), v);
    assert.deepEqual(roundTrip(addr, { street: undefined }), {
      street: null,
      zip: null,
      tags: null,
    });
    assert.deepEqual(roundTrip(addr, Object.assign(Object.create(null), { zip: 5 })), {
      street: null,
      zip: 5,
      tags: null,
    });
  });

  it("decode a value shorter than the field list with trailing fields null", () => {
    assert.deepEqual(decode(addr, [0, 0, 0, 1, 0x78]), { street: "x", zip: null, tags: null });
  });

  it("keep a field literally named __proto__ as an own property", () => {
    const t: CqlType = {
      kind: "udt",
      keyspace: "ks",
      name: "odd",
      fields: [{ name: "__proto__", type: int }],
    };
    const out = decode(t, [0, 0, 0, 4, 0, 0, 0, 9]) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, 9);
  });

  it("refuse unknown fields, non-objects, and name the bad field", () => {
    assertEncodeError(
      addr,
      { street: "x", city: "y" },
      TypeError,
      'column "home" (frozen<addr>): unknown field "city"',
      "home",
    );
    assertEncodeError(
      addr,
      new Map(),
      TypeError,
      'column "c" (frozen<addr>): expected a plain object, got Map',
    );
    assertEncodeError(
      addr,
      ["x", 1],
      TypeError,
      'column "c" (frozen<addr>): expected a plain object, got Array',
    );
    assertEncodeError(
      addr,
      { tags: ["a", 1] },
      TypeError,
      'column "c" (frozen<addr>) field "tags" element 1: expected a string, got number',
    );
  });

  it("nest in collections and tuples", () => {
    const v = [{ street: "a", zip: 1, tags: [] }, null];
    assert.deepEqual(roundTrip({ kind: "list", element: addr }, v), v);
    const tv = [{ street: null, zip: 2, tags: ["q"] }, 3];
    assert.deepEqual(roundTrip({ kind: "tuple", elements: [addr, int] }, tv), tv);
  });
});

describe("hostile or truncated collection bytes", () => {
  const bad: [string, number[], string][] = [
    ["list<int>", [0, 0, 1], "cannot decode list value: expected at least 4 bytes, got 3"],
    [
      "list<int>",
      [0x7f, 0xff, 0xff, 0xff],
      "cannot decode list value: element count 2147483647 does not fit 4 bytes",
    ],
    [
      "list<int>",
      [0xff, 0xff, 0xff, 0xff],
      "cannot decode list value: element count -1 does not fit 4 bytes",
    ],
    ["list<int>", [0, 0, 0, 1, 0, 0, 0, 4, 0, 0], "cannot decode list value: truncated element"],
    [
      "list<int>",
      [0, 0, 0, 1, 0x7f, 0xff, 0xff, 0xff],
      "cannot decode list value: truncated element",
    ],
    [
      "list<int>",
      [0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1, 9],
      "cannot decode list value: 1 bytes after the last element",
    ],
    [
      "list<int>",
      [0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 1],
      "cannot decode int value: expected 4 bytes, got 3",
    ],
    [
      "set<int>",
      [0, 0, 0, 2, 0, 0, 0, 0],
      "cannot decode set value: element count 2 does not fit 8 bytes",
    ],
    [
      "map<int, int>",
      [0, 0, 0, 1, 0, 0, 0, 0],
      "cannot decode map value: element count 1 does not fit 8 bytes",
    ],
    [
      "map<int, int>",
      [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 4, 0],
      "cannot decode map value: truncated element",
    ],
    [
      "tuple<int, int>",
      [0, 0, 0, 4, 0, 0, 0, 1, 0, 0],
      "cannot decode tuple value: truncated element",
    ],
    [
      "tuple<int>",
      [0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0],
      "cannot decode tuple value: 4 bytes after the last component",
    ],
    ["list<text>", [0, 0, 0, 1, 0, 0, 0, 1, 0xff], "server sent a string that is not valid UTF-8"],
  ];
  for (const [type, bytes, message] of bad) {
    it(`${type} ${bytes.length} bytes: ${message}`, () => {
      assert.throws(() => decode(type, bytes), (e: unknown) => {
        assert.ok(e instanceof ProtocolError);
        assert.equal(e.message, message);
        return true;
      });
    });
  }

  it("decodes an empty collection cell as null", () => {
    assert.equal(decode("list<int>", []), null);
    assert.equal(decode("map<int, int>", []), null);
  });
});

describe("decoder cache", () => {
  it("reuses one decoder for structurally equal types", () => {
    const a = decoderFor({ kind: "list", element: { kind: "native", name: "int" } });
    const b = decoderFor({ kind: "list", element: int });
    assert.equal(a, b);
    assert.notEqual(a, decoderFor({ kind: "set", element: int }));
  });
});

describe("encoder rollback", () => {
  it("leaves the writer as it was when a nested value is bad", () => {
    const w = new Writer(8);
    w.writeInt(0x01020304);
    const encodeTags = encoderFor(parseType("list<frozen<list<int>>>"), "tags");
    assert.throws(() => encodeTags(w, [[1, 2], [3, "x"]]), TypeError);
    assert.equal(w.length, 4);
    encodeTags(w, [[5]]);
    assert.deepEqual([...w.toBytes()], [
      1,
      2,
      3,
      4, // what was there before
      0,
      0,
      0,
      20, // length
      0,
      0,
      0,
      1, // 1 element
      0,
      0,
      0,
      12,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      5, // [[5]]
    ]);
  });
});
