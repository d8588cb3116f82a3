import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import { assertEncodeError, decode, encode, encodeFull, roundTrip } from "./codec_helpers.ts";
import { decoderFor, decodeValue } from "../../src/wire/codec/index.ts";
import { nativeType } from "../../src/wire/cql_type.ts";

const RUNS = { numRuns: 300 };
const MiB = 1 << 20;

describe("text / varchar", () => {
  it("encodes UTF-8 with the byte length", () => {
    assert.deepEqual([...encodeFull("text", "hé")], [
      0,
      0,
      0,
      3, // length in bytes, not UTF-16 units
      0x68, // h
      0xc3,
      0xa9, // é
    ]);
    assert.deepEqual([...encodeFull("varchar", "")], [0, 0, 0, 0]);
  });

  it("round-trips empty, ASCII, unicode, astral and long strings", () => {
    for (
      const s of [
        "",
        "a",
        "exactly sixteen!",
        "seventeen chars!!",
        "héllo wörld",
        "日本語のテキスト",
        "emoji 😀 and 𝄞",
        "\u0000nul inside",
        "x".repeat(64) + "é",
      ]
    ) {
      assert.equal(roundTrip("text", s), s);
    }
  });

  it("round-trips a 1 MiB string", () => {
    const big = "abcdé😀".repeat(MiB / 8);
    assert.equal(roundTrip("text", big), big);
  });

  it("round-trips any well-formed string (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 80 }),
        (s) => roundTrip("text", s) === s,
      ),
      RUNS,
    );
  });

  it("refuses non-strings and unpaired surrogates", () => {
    assertEncodeError("text", 5, TypeError, 'column "c" (text): expected a string, got number');
    assertEncodeError(
      "text",
      Object("x"),
      TypeError,
      'column "c" (text): expected a string, got String',
    );
    assertEncodeError(
      "text",
      "bad \uD800 half",
      RangeError,
      'column "c" (text): contains an unpaired surrogate',
    );
  });

  it("decodes invalid UTF-8 as ProtocolError, short or long", () => {
    assert.throws(() => decode("text", [0x61, 0xff]), ProtocolError);
    assert.throws(() => decode("text", [...new Array(40).fill(0x61), 0xc3]), ProtocolError);
  });
});

describe("ascii", () => {
  it("round-trips 7-bit strings", () => {
    assert.equal(roundTrip("ascii", "plain ascii ~\u007f"), "plain ascii ~\u007f");
    assert.deepEqual([...encode("ascii", "Az")], [0x41, 0x7a]);
  });

  it("refuses non-ASCII characters, naming their index but not the text", () => {
    assertEncodeError(
      "ascii",
      "abcé",
      RangeError,
      'column "c" (ascii): contains a non-ASCII character at index 3',
    );
    assertEncodeError("ascii", [], TypeError, 'column "c" (ascii): expected a string, got Array');
  });
});

describe("blob", () => {
  it("encodes the bytes as they are", () => {
    assert.deepEqual([...encodeFull("blob", new Uint8Array([0xca, 0xfe]))], [
      0,
      0,
      0,
      2, // length
      0xca,
      0xfe, // bytes
    ]);
    assert.deepEqual([...encode("blob", new Uint8Array([1, 2, 3]).buffer)], [1, 2, 3]);
  });

  it("round-trips empty and 1 MiB blobs", () => {
    assert.deepEqual(roundTrip("blob", new Uint8Array()), new Uint8Array());
    const big = new Uint8Array(MiB).map((_, i) => (i * 7) & 0xff);
    assert.deepEqual(roundTrip("blob", big), big);
  });

  it("decodeValue gives bytes of its own, not a view of the input", () => {
    const frame = new Uint8Array([9, 1, 2, 3, 9]);
    const out = decodeValue(nativeType("blob"), frame.subarray(1, 4)) as Uint8Array;
    assert.deepEqual(out, new Uint8Array([1, 2, 3]));
    frame.fill(0);
    assert.deepEqual(out, new Uint8Array([1, 2, 3]));
  });

  it("the row decoder's blob is a view of the buffer it is given (readRows gives a copy)", () => {
    const buf = new Uint8Array([9, 1, 2, 3, 9]);
    const out = decoderFor(nativeType("blob"))(buf, new DataView(buf.buffer), 1, 3) as Uint8Array;
    assert.equal(out.buffer, buf.buffer);
    assert.deepEqual(out, new Uint8Array([1, 2, 3]));
  });

  it("encodes a subarray's own bytes only", () => {
    const base = new Uint8Array([1, 2, 3, 4, 5]);
    assert.deepEqual([...encode("blob", base.subarray(1, 3))], [2, 3]);
  });

  it("round-trips any bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        assert.deepEqual(roundTrip("blob", b), b);
      }),
      RUNS,
    );
  });

  it("refuses other kinds", () => {
    assertEncodeError(
      "blob",
      "cafe",
      TypeError,
      'column "c" (blob): expected a Uint8Array, got string',
    );
    assertEncodeError(
      "blob",
      [1, 2],
      TypeError,
      'column "c" (blob): expected a Uint8Array, got Array',
    );
    assertEncodeError(
      "blob",
      new Uint16Array(2),
      TypeError,
      'column "c" (blob): expected a Uint8Array, got Uint16Array',
    );
  });
});

describe("custom types", () => {
  it("pass raw bytes both ways", () => {
    const t = { kind: "custom", className: "com.example.MyType" } as const;
    assert.deepEqual(roundTrip(t, new Uint8Array([1, 2])), new Uint8Array([1, 2]));
    assertEncodeError(
      t,
      1,
      TypeError,
      "column \"c\" ('com.example.MyType'): expected a Uint8Array, got number",
    );
  });
});
