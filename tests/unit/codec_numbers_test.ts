import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import { assertEncodeError, decode, encode, encodeFull, roundTrip } from "./codec_helpers.ts";

const RUNS = { numRuns: 300 };

describe("boolean", () => {
  it("encodes one byte and decodes any non-zero byte as true", () => {
    assert.deepEqual([...encodeFull("boolean", true)], [
      0,
      0,
      0,
      1, // length
      1, // true
    ]);
    assert.deepEqual([...encode("boolean", false)], [0]);
    assert.equal(decode("boolean", [0]), false);
    assert.equal(decode("boolean", [2]), true);
  });

  it("refuses non-booleans", () => {
    assertEncodeError(
      "boolean",
      1,
      TypeError,
      'column "c" (boolean): expected a boolean, got number',
    );
    assertEncodeError(
      "boolean",
      "true",
      TypeError,
      'column "c" (boolean): expected a boolean, got string',
    );
  });
});

describe("tinyint, smallint, int", () => {
  const ranges = [
    ["tinyint", -128, 127],
    ["smallint", -32768, 32767],
    ["int", -2147483648, 2147483647],
  ] as const;

  for (const [type, min, max] of ranges) {
    it(`${type} round-trips its boundaries`, () => {
      for (const v of [min, min + 1, -1, 0, 1, max - 1, max]) assert.equal(roundTrip(type, v), v);
    });

    it(`${type} refuses values out of range, non-integers and non-numbers`, () => {
      assertEncodeError(
        type,
        max + 1,
        RangeError,
        `column "c" (${type}): ${max + 1} is out of range [${min}, ${max}]`,
      );
      assertEncodeError(
        type,
        min - 1,
        RangeError,
        `column "c" (${type}): ${min - 1} is out of range [${min}, ${max}]`,
      );
      assertEncodeError(type, 1.5, RangeError, `column "c" (${type}): 1.5 is not an integer`);
      assertEncodeError(type, NaN, RangeError, `column "c" (${type}): NaN is not an integer`);
      assertEncodeError(
        type,
        Infinity,
        RangeError,
        `column "c" (${type}): Infinity is not an integer`,
      );
      assertEncodeError(
        type,
        1n,
        TypeError,
        `column "c" (${type}): expected an integer number, got bigint`,
      );
    });

    it(`${type} round-trips any integer in range (property)`, () => {
      fc.assert(fc.property(fc.integer({ min, max }), (v) => roundTrip(type, v) === v), RUNS);
    });
  }

  it("matches the exact messages of the API contract", () => {
    assertEncodeError(
      "int",
      "42",
      TypeError,
      'column "age" (int): expected an integer number, got string',
      "age",
    );
    assertEncodeError(
      "int",
      2147483648,
      RangeError,
      'column "age" (int): 2147483648 is out of range [-2147483648, 2147483647]',
      "age",
    );
  });

  it("writes two's complement big-endian", () => {
    assert.deepEqual([...encodeFull("int", -2)], [
      0,
      0,
      0,
      4, // length
      0xff,
      0xff,
      0xff,
      0xfe, // -2
    ]);
    assert.deepEqual([...encodeFull("smallint", 258)], [
      0,
      0,
      0,
      2, // length
      0x01,
      0x02, // 258
    ]);
    assert.deepEqual([...encode("tinyint", -128)], [0x80]);
  });

  it("decodes an empty cell as null and a wrong length as ProtocolError", () => {
    assert.equal(decode("int", []), null);
    assert.throws(() => decode("int", [0, 0, 1]), {
      name: "ProtocolError",
      message: "cannot decode int value: expected 4 bytes, got 3",
    });
    assert.throws(() => decode("smallint", [0, 0, 1]), ProtocolError);
    assert.throws(() => decode("tinyint", [0, 1]), ProtocolError);
    assert.throws(() => decode("boolean", [0, 1]), ProtocolError);
  });
});

describe("bigint and counter", () => {
  const MIN = -(2n ** 63n), MAX = 2n ** 63n - 1n;

  it("round-trip the 64-bit boundaries", () => {
    for (const type of ["bigint", "counter"]) {
      for (const v of [MIN, MIN + 1n, -1n, 0n, 1n, MAX]) assert.equal(roundTrip(type, v), v);
    }
  });

  it("accept safe-integer numbers, decoding them as bigint", () => {
    assert.equal(roundTrip("bigint", 42), 42n);
    assert.equal(roundTrip("bigint", Number.MAX_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER));
    assert.equal(roundTrip("counter", Number.MIN_SAFE_INTEGER), BigInt(Number.MIN_SAFE_INTEGER));
    assert.deepEqual([...encodeFull("bigint", -1)], [
      0,
      0,
      0,
      8, // length
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff, // -1
    ]);
    assert.deepEqual([...encode("bigint", 2 ** 32 + 5)], [0, 0, 0, 1, 0, 0, 0, 5]);
  });

  it("refuse out-of-range bigints, unsafe or fractional numbers and other kinds", () => {
    assertEncodeError(
      "bigint",
      MAX + 1n,
      RangeError,
      'column "c" (bigint): 9223372036854775808 is out of range [-9223372036854775808, 9223372036854775807]',
    );
    assertEncodeError(
      "counter",
      MIN - 1n,
      RangeError,
      'column "c" (counter): -9223372036854775809 is out of range [-9223372036854775808, 9223372036854775807]',
    );
    assertEncodeError(
      "bigint",
      2 ** 53,
      RangeError,
      'column "c" (bigint): 9007199254740992 is not a safe integer; pass a bigint',
    );
    assertEncodeError("bigint", 0.5, RangeError, 'column "c" (bigint): 0.5 is not an integer');
    assertEncodeError(
      "bigint",
      "1",
      TypeError,
      'column "c" (bigint): expected a bigint or an integer number, got string',
    );
  });

  it("round-trips any 64-bit value (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: MIN, max: MAX }), (v) => roundTrip("bigint", v) === v),
      RUNS,
    );
    fc.assert(fc.property(fc.maxSafeInteger(), (v) => roundTrip("bigint", v) === BigInt(v)), RUNS);
  });

  it("rejects a wrong length", () => {
    assert.throws(() => decode("bigint", [1, 2, 3, 4]), {
      name: "ProtocolError",
      message: "cannot decode bigint value: expected 8 bytes, got 4",
    });
  });
});

describe("float and double", () => {
  it("keep NaN, ±Infinity and -0", () => {
    for (const type of ["float", "double"]) {
      assert.ok(Number.isNaN(roundTrip(type, NaN)));
      assert.equal(roundTrip(type, Infinity), Infinity);
      assert.equal(roundTrip(type, -Infinity), -Infinity);
      assert.ok(Object.is(roundTrip(type, -0), -0));
    }
  });

  it("float rounds to binary32, double is exact", () => {
    assert.equal(roundTrip("float", 1.1), Math.fround(1.1));
    assert.equal(roundTrip("float", 3.5e38), Infinity);
    assert.equal(roundTrip("double", Number.MIN_VALUE), Number.MIN_VALUE);
    assert.equal(roundTrip("double", Number.MAX_VALUE), Number.MAX_VALUE);
    assert.deepEqual([...encodeFull("float", 1)], [
      0,
      0,
      0,
      4, // length
      0x3f,
      0x80,
      0,
      0, // 1.0f
    ]);
    assert.deepEqual([...encode("double", -2)], [0xc0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("refuse non-numbers", () => {
    assertEncodeError("float", "1", TypeError, 'column "c" (float): expected a number, got string');
    assertEncodeError(
      "double",
      1n,
      TypeError,
      'column "c" (double): expected a number, got bigint',
    );
  });

  it("round-trip any value (property)", () => {
    fc.assert(fc.property(fc.double(), (v) => Object.is(roundTrip("double", v), v)), RUNS);
    fc.assert(fc.property(fc.float(), (v) => Object.is(roundTrip("float", v), v)), RUNS);
  });

  it("reject a wrong length", () => {
    assert.throws(() => decode("double", [0, 0, 0, 0]), ProtocolError);
    assert.throws(() => decode("float", [0, 0]), ProtocolError);
  });
});

describe("varint", () => {
  it("matches the spec's encoding table (v4 §6.17)", () => {
    const table: [bigint, number[]][] = [
      [0n, [0x00]],
      [1n, [0x01]],
      [127n, [0x7f]],
      [128n, [0x00, 0x80]],
      [129n, [0x00, 0x81]],
      [-1n, [0xff]],
      [-128n, [0x80]],
      [-129n, [0xff, 0x7f]],
    ];
    for (const [v, bytes] of table) {
      assert.deepEqual([...encode("varint", v)], bytes, `encoding ${v}`);
      assert.equal(decode("varint", bytes), v);
    }
  });

  it("uses the minimal length around 32-bit and 64-bit edges", () => {
    assert.deepEqual([...encode("varint", 2n ** 31n)], [0x00, 0x80, 0, 0, 0]);
    assert.deepEqual([...encode("varint", -(2n ** 31n) - 1n)], [0xff, 0x7f, 0xff, 0xff, 0xff]);
    assert.deepEqual([...encode("varint", 2n ** 63n)], [0x00, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual([...encode("varint", -(2n ** 63n))], [0x80, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("round-trips huge values and accepts safe-integer numbers", () => {
    for (const v of [2n ** 1000n, -(2n ** 1000n), 2n ** 1000n - 1n, -(3n ** 700n)]) {
      assert.equal(roundTrip("varint", v), v);
    }
    assert.equal(roundTrip("varint", -5), -5n);
    assertEncodeError(
      "varint",
      2 ** 60,
      RangeError,
      'column "c" (varint): 1152921504606846976 is not a safe integer; pass a bigint',
    );
    assertEncodeError(
      "varint",
      "5",
      TypeError,
      'column "c" (varint): expected a bigint or an integer number, got string',
    );
  });

  it("round-trips any bigint, with the fewest bytes (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 600n), max: 2n ** 600n }), (v) => {
        const bytes = encode("varint", v);
        // Minimal: dropping the first byte must change the value's sign or magnitude.
        if (bytes.length > 1) {
          const redundant = (bytes[0] === 0 && bytes[1] < 0x80) ||
            (bytes[0] === 0xff && bytes[1] >= 0x80);
          assert.ok(!redundant, `non-minimal encoding of ${v}`);
        }
        return decode("varint", bytes) === v;
      }),
      RUNS,
    );
  });

  it("decodes an empty cell as null", () => {
    assert.equal(decode("varint", []), null);
  });
});
