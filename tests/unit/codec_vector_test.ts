import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import { fixedSize } from "../../src/wire/codec/index.ts";
import { parseType } from "../../src/wire/cql_type_text.ts";
import { assertEncodeError, decode, encode, encodeFull, roundTrip } from "./codec_helpers.ts";

describe("vector<float, n>", () => {
  it("concatenates binary32 values without lengths", () => {
    assert.deepEqual([...encodeFull("vector<float, 3>", [1, -2, 0.5])], [
      0,
      0,
      0,
      12, // length
      0x3f,
      0x80,
      0,
      0, // 1
      0xc0,
      0,
      0,
      0, // -2
      0x3f,
      0,
      0,
      0, // 0.5
    ]);
  });

  it("decodes to a Float32Array and accepts one or a number[]", () => {
    const out = roundTrip("vector<float, 3>", new Float32Array([1.5, NaN, -0]));
    assert.ok(out instanceof Float32Array);
    assert.equal(out.length, 3);
    assert.equal(out[0], 1.5);
    assert.ok(Number.isNaN(out[1]));
    assert.ok(Object.is(out[2], -0));
    assert.deepEqual(
      roundTrip("vector<float, 2>", [0.1, Infinity]),
      new Float32Array([0.1, Infinity]),
    );
  });

  it("round-trips a large vector (property)", () => {
    fc.assert(
      fc.property(fc.float32Array({ minLength: 64, maxLength: 64 }), (v) => {
        const out = roundTrip("vector<float, 64>", v) as Float32Array;
        return v.every((x, i) => Object.is(x, out[i]));
      }),
      { numRuns: 100 },
    );
  });

  it("refuses wrong lengths, elements and kinds", () => {
    assertEncodeError(
      "vector<float, 3>",
      [1, 2],
      TypeError,
      'column "c" (vector<float, 3>): expected 3 elements, got 2',
    );
    assertEncodeError(
      "vector<float, 2>",
      new Float32Array(3),
      TypeError,
      'column "c" (vector<float, 2>): expected 2 elements, got 3',
    );
    assertEncodeError(
      "vector<float, 2>",
      [1, "2"],
      TypeError,
      'column "c" (vector<float, 2>) element 1: expected a number, got string',
    );
    assertEncodeError(
      "vector<float, 2>",
      [1, null],
      TypeError,
      'column "c" (vector<float, 2>) element 1: vector elements cannot be null',
    );
    assertEncodeError(
      "vector<float, 2>",
      new Float64Array(2),
      TypeError,
      'column "c" (vector<float, 2>): expected a Float32Array or an Array of 2 numbers, got Float64Array',
    );
  });

  it("rejects a cell of the wrong size", () => {
    assert.throws(() => decode("vector<float, 2>", [0, 0, 0, 0]), {
      name: "ProtocolError",
      message: "cannot decode vector value: expected 8 bytes, got 4",
    });
  });
});

describe("vector of other fixed-size types", () => {
  it("concatenates elements without lengths and decodes to an Array", () => {
    assert.deepEqual([...encodeFull("vector<int, 2>", [1, -1])], [
      0,
      0,
      0,
      8, // length
      0,
      0,
      0,
      1, // 1
      0xff,
      0xff,
      0xff,
      0xff, // -1
    ]);
    assert.deepEqual(roundTrip("vector<int, 2>", [1, -1]), [1, -1]);
    assert.deepEqual(roundTrip("vector<bigint, 2>", [1n, -(2n ** 63n)]), [1n, -(2n ** 63n)]);
    assert.deepEqual(roundTrip("vector<double, 1>", [Math.PI]), [Math.PI]);
    const u = "550e8400-e29b-41d4-a716-446655440000";
    assert.deepEqual(roundTrip("vector<uuid, 2>", [u, u]), [u, u]);
  });

  it("nests fixed vectors flat", () => {
    assert.equal(fixedSize(parseType("vector<vector<float, 2>, 3>")), 24);
    const v = [new Float32Array([1, 2]), new Float32Array([3, 4])];
    assert.deepEqual([...encode("vector<vector<float, 2>, 2>", v)].length, 16);
    assert.deepEqual(roundTrip("vector<vector<float, 2>, 2>", v), v);
  });

  it("refuses null elements", () => {
    assertEncodeError(
      "vector<int, 2>",
      [1, null],
      TypeError,
      'column "c" (vector<int, 2>) element 1: vector elements cannot be null',
    );
    assertEncodeError(
      "vector<int, 2>",
      [1, "x"],
      TypeError,
      'column "c" (vector<int, 2>) element 1: expected an integer number, got string',
    );
  });
});

describe("vector of variable-size types", () => {
  it("prefixes each element with an unsigned vint length", () => {
    assert.deepEqual([...encodeFull("vector<text, 2>", ["a", "bc"])], [
      0,
      0,
      0,
      5, // length
      0x01,
      0x61, // vint 1, "a"
      0x02,
      0x62,
      0x63, // vint 2, "bc"
    ]);
    const long = "x".repeat(200);
    assert.deepEqual([...encode("vector<text, 1>", [long]).subarray(0, 3)], [
      0x80,
      0xc8, // vint 200: two bytes, first one with one leading 1 bit
      0x78, // "x"
    ]);
    assert.deepEqual(roundTrip("vector<text, 2>", [long, ""]), [long, ""]);
  });

  it("round-trips varint, lists and 20 000-byte elements", () => {
    assert.deepEqual(roundTrip("vector<varint, 3>", [0n, -(2n ** 100n), 5n]), [
      0n,
      -(2n ** 100n),
      5n,
    ]);
    assert.deepEqual(roundTrip("vector<frozen<list<int>>, 2>", [[1, 2], []]), [[1, 2], []]);
    const big = new Uint8Array(20000).fill(7);
    assert.deepEqual(roundTrip("vector<blob, 2>", [big, big]), [big, big]);
    assert.deepEqual(roundTrip("vector<vector<text, 1>, 2>", [["a"], ["b"]]), [["a"], ["b"]]);
  });

  it("rejects truncated or trailing bytes", () => {
    assert.throws(() => decode("vector<text, 2>", [0x01, 0x61, 0x05, 0x62]), {
      name: "ProtocolError",
      message: "cannot decode vector value: truncated element",
    });
    assert.throws(() => decode("vector<text, 2>", [0x01, 0x61]), ProtocolError);
    assert.throws(() => decode("vector<text, 1>", [0x01, 0x61, 0x00]), {
      name: "ProtocolError",
      message: "cannot decode vector value: 1 bytes after the last element",
    });
    assert.throws(() => decode("vector<text, 1>", [0xc0, 0x01]), ProtocolError);
  });

  it("refuses a wrong count", () => {
    assertEncodeError(
      "vector<text, 2>",
      ["a"],
      TypeError,
      'column "c" (vector<text, 2>): expected 2 elements, got 1',
    );
    assertEncodeError(
      "vector<text, 2>",
      "ab",
      TypeError,
      'column "c" (vector<text, 2>): expected an Array of 2 elements, got string',
    );
  });
});
