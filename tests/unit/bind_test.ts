import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Writer } from "../../src/wire/bytes.ts";
import { writeBoundValues } from "../../src/wire/bind.ts";
import type { CqlType } from "../../src/wire/cql_type.ts";
import { parseType } from "../../src/wire/cql_type_text.ts";
import type { ColumnSpec } from "../../src/wire/metadata.ts";

function spec(name: string, type: string | CqlType): ColumnSpec {
  return {
    keyspace: "ks",
    table: "t",
    name,
    type: typeof type === "string" ? parseType(type) : type,
  };
}

const specs: readonly ColumnSpec[] = [
  spec("id", "int"),
  spec("name", "text"),
  spec("Tags", "list<int>"),
];

function bind(s: readonly ColumnSpec[], values: Parameters<typeof writeBoundValues>[2]): number[] {
  const w = new Writer(4);
  writeBoundValues(w, s, values);
  return [...w.toBytes()];
}

const EXPECTED = [
  0,
  3, // 3 values
  0,
  0,
  0,
  4,
  0,
  0,
  0,
  7, // id = 7
  0xff,
  0xff,
  0xff,
  0xff, // name = NULL
  0xff,
  0xff,
  0xff,
  0xfe, // Tags = unset
];

describe("writeBoundValues", () => {
  it("writes the count then one [value] per marker, null as -1 and undefined as -2", () => {
    assert.deepEqual(bind(specs, [7, null, undefined]), EXPECTED);
  });

  it("maps named values case-insensitively, whatever the key order", () => {
    assert.deepEqual(bind(specs, { tags: undefined, NAME: null, id: 7 }), EXPECTED);
    assert.deepEqual(bind(specs, { Tags: undefined, name: null, Id: 7 }), EXPECTED);
  });

  it("prefers an exact name when two markers differ only in case", () => {
    const s = [spec("a", "int"), spec("A", "int")];
    assert.deepEqual(bind(s, { A: 2, a: 1 }), [
      0,
      2, // 2 values
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      1, // a
      0,
      0,
      0,
      4,
      0,
      0,
      0,
      2, // A
    ]);
  });

  it("gives a repeated marker name its value at every position", () => {
    const s = [spec("v", "int"), spec("v", "int")];
    assert.deepEqual(bind(s, { v: 3 }), [0, 2, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 3]);
  });

  it("writes a zero count for no markers", () => {
    assert.deepEqual(bind([], undefined), [0, 0]);
    assert.deepEqual(bind([], []), [0, 0]);
    assert.deepEqual(bind([], {}), [0, 0]);
  });

  it("refuses a wrong count of positional values", () => {
    assert.throws(() => bind(specs, [1, "a"]), {
      name: "TypeError",
      message: "expected 3 values (one per bind marker), got 2",
    });
    assert.throws(() => bind(specs, [1, "a", [], 4]), {
      name: "TypeError",
      message: "expected 3 values (one per bind marker), got 4",
    });
    assert.throws(() => bind(specs, undefined), {
      name: "TypeError",
      message: "expected 3 values (one per bind marker), got none",
    });
  });

  it("refuses missing, unknown and duplicate names", () => {
    assert.throws(() => bind(specs, { id: 1, name: "x" }), {
      name: "TypeError",
      message: 'missing value for bind marker "Tags"',
    });
    assert.throws(() => bind(specs, { id: 1, name: "x", tags: [], extra: 1 }), {
      name: "TypeError",
      message: 'unknown bind marker "extra"; the statement has "id", "name", "Tags"',
    });
    assert.throws(() => bind(specs, { id: 1, ID: 2, name: "x", tags: [] }), {
      name: "TypeError",
      message: 'bind marker "id" is given twice (names ignore case)',
    });
  });

  it("refuses values that are neither an array nor a plain object", () => {
    assert.throws(() => bind(specs, new Map() as never), {
      name: "TypeError",
      message: "values must be an Array or a plain object, got Map",
    });
    assert.throws(() => bind(specs, "1,2,3" as never), {
      name: "TypeError",
      message: "values must be an Array or a plain object, got string",
    });
  });

  it("names the column and its type for a bad value", () => {
    assert.throws(() => bind(specs, [1, "x", [1, "2"]]), {
      name: "TypeError",
      message: 'column "Tags" (list<int>) element 1: expected an integer number, got string',
    });
    assert.throws(() => bind(specs, { id: 2 ** 31, name: "x", tags: [] }), {
      name: "RangeError",
      message: 'column "id" (int): 2147483648 is out of range [-2147483648, 2147483647]',
    });
  });

  it("leaves the writer as it was on any error", () => {
    const w = new Writer(4);
    w.writeShort(0xabcd);
    for (const bad of [[1, "x", ["no"]], [1], { id: 1 }, { nope: 1 }]) {
      assert.throws(() => writeBoundValues(w, specs, bad));
      assert.equal(w.length, 2);
    }
    writeBoundValues(w, specs, [7, null, undefined]);
    assert.deepEqual([...w.toBytes()], [0xab, 0xcd, ...EXPECTED]);
  });

  it("encodes through the cached path for a reused specs array", () => {
    const s = [spec("x", "int")];
    const w = new Writer();
    for (let i = 0; i < 1000; i++) writeBoundValues(w.reset(), s, [i]);
    assert.deepEqual([...w.toBytes()], [0, 1, 0, 0, 0, 4, 0, 0, 0x03, 0xe7]);
  });
});
