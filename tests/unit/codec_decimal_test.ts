import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import { formatDecimal, parseDecimal } from "../../src/wire/codec/decimal.ts";
import { assertEncodeError, decode, encode, encodeFull, roundTrip } from "./codec_helpers.ts";

const RUNS = { numRuns: 300 };

describe("decimal", () => {
  it("encodes scale then varint unscaled value", () => {
    assert.deepEqual([...encodeFull("decimal", "-12.3450")], [
      0,
      0,
      0,
      7, // length
      0,
      0,
      0,
      4, // scale 4
      0xfe,
      0x1d,
      0xc6, // unscaled -123450
    ]);
    assert.deepEqual([...encode("decimal", "1.5e-3")], [0, 0, 0, 4, 15]);
    assert.deepEqual([...encode("decimal", "12E+3")], [0xff, 0xff, 0xff, 0xfd, 12]);
  });

  it("decodes exactly, keeping trailing zeros", () => {
    assert.equal(decode("decimal", [0, 0, 0, 4, 0xfe, 0x1d, 0xc6]), "-12.3450");
    assert.equal(decode("decimal", [0, 0, 0, 2, 0]), "0.00");
    assert.equal(decode("decimal", [0, 0, 0, 0, 0x7f]), "127");
    assert.equal(decode("decimal", [0, 0, 0, 3, 0x01]), "0.001");
  });

  it("uses exponent notation like BigDecimal for negative scales and tiny values", () => {
    assert.equal(decode("decimal", [0xff, 0xff, 0xff, 0xfd, 12]), "1.2E+4");
    assert.equal(decode("decimal", [0, 0, 0, 8, 15]), "1.5E-7");
    assert.equal(decode("decimal", [0x80, 0, 0, 0, 1]), "1E+2147483648");
    assert.equal(decode("decimal", [0x7f, 0xff, 0xff, 0xff, 0xff]), "-1E-2147483647");
    assert.equal(formatDecimal(0n, -3), "0E+3");
    assert.equal(formatDecimal(123n, 7), "0.0000123");
    assert.equal(formatDecimal(123n, 9), "1.23E-7");
  });

  it("round-trips big values exactly", () => {
    const digits = "123456789".repeat(20);
    for (const s of [digits, "-" + digits + "." + digits, "0." + "0".repeat(5) + digits]) {
      assert.equal(roundTrip("decimal", s), s);
    }
  });

  it("accepts exponent forms, numbers and bigints", () => {
    assert.equal(roundTrip("decimal", "1.5e-3"), "0.0015");
    assert.equal(roundTrip("decimal", "+.5"), "0.5");
    assert.equal(roundTrip("decimal", "7."), "7");
    assert.equal(roundTrip("decimal", 0.1), "0.1");
    assert.equal(roundTrip("decimal", -2.5), "-2.5");
    assert.equal(roundTrip("decimal", 1e21), "1E+21");
    assert.equal(roundTrip("decimal", 10n ** 30n), "1" + "0".repeat(30));
  });

  it("refuses malformed strings, non-finite numbers and other kinds", () => {
    for (const bad of ["", ".", "1.2.3", "1e", "abc", " 1", "1_000", "0x10", "e5"]) {
      assertEncodeError(
        "decimal",
        bad,
        TypeError,
        'column "c" (decimal): expected a decimal string, got a malformed string',
      );
    }
    assertEncodeError(
      "decimal",
      NaN,
      RangeError,
      'column "c" (decimal): NaN is not a finite number',
    );
    assertEncodeError(
      "decimal",
      Infinity,
      RangeError,
      'column "c" (decimal): Infinity is not a finite number',
    );
    assertEncodeError(
      "decimal",
      "1e-2147483649",
      RangeError,
      'column "c" (decimal): the exponent is out of range (scale 2147483649 does not fit an int)',
    );
    assertEncodeError(
      "decimal",
      true,
      TypeError,
      'column "c" (decimal): expected a decimal string, a finite number or a bigint, got boolean',
    );
  });

  it("round-trips any unscaled value and scale (property)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }),
        fc.integer({ min: -2147483648, max: 2147483647 }),
        (unscaled, scale) => {
          const text = formatDecimal(unscaled, scale);
          assert.deepEqual(parseDecimal(text), { unscaled, scale }, text);
          return roundTrip("decimal", text) === text;
        },
      ),
      RUNS,
    );
  });

  it("rejects cells too short for the scale", () => {
    assert.equal(decode("decimal", []), null);
    assert.throws(() => decode("decimal", [0, 0, 1]), {
      name: "ProtocolError",
      message: "cannot decode decimal value: expected at least 4 bytes, got 3",
    });
    assert.throws(() => decode("decimal", [1]), ProtocolError);
  });
});
