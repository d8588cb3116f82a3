import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import { parseInet } from "../../src/wire/codec/uuid_inet.ts";
import { assertEncodeError, decode, encode, encodeFull, roundTrip } from "./codec_helpers.ts";

const RUNS = { numRuns: 300 };
const V1 = "c2d3e4f0-1234-11ee-8c99-0242ac120002";
const V4 = "550e8400-e29b-41d4-a716-446655440000";

describe("uuid and timeuuid", () => {
  it("encode 16 bytes and decode lowercase canonical text", () => {
    assert.deepEqual([...encodeFull("uuid", V4)], [
      0,
      0,
      0,
      16, // length
      0x55,
      0x0e,
      0x84,
      0x00,
      0xe2,
      0x9b,
      0x41,
      0xd4, // time_low, time_mid, version 4 + time_hi
      0xa7,
      0x16,
      0x44,
      0x66,
      0x55,
      0x44,
      0x00,
      0x00, // variant + clock_seq, node
    ]);
    assert.equal(roundTrip("uuid", V4.toUpperCase()), V4);
    assert.equal(roundTrip("timeuuid", V1), V1);
    assert.equal(
      roundTrip("uuid", "00000000-0000-0000-0000-000000000000"),
      "00000000-0000-0000-0000-000000000000",
    );
  });

  it("refuse malformed text without echoing it", () => {
    const shape =
      'column "c" (uuid): expected a uuid string like "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", got a malformed string';
    for (
      const bad of [
        V4.slice(1),
        V4 + "0",
        V4.replaceAll("-", ""),
        `{${V4.slice(2)}}`,
        V4.replace("a", "g"),
        V4.replace("-", "_"),
        V4.replace("5", "\u0665"),
      ]
    ) {
      assertEncodeError("uuid", bad, TypeError, shape);
    }
    assertEncodeError(
      "uuid",
      12,
      TypeError,
      'column "c" (uuid): expected a uuid string like "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", got number',
    );
  });

  it("timeuuid accepts only version 1", () => {
    assertEncodeError(
      "timeuuid",
      V4,
      TypeError,
      'column "c" (timeuuid): expected a version 1 (time-based) uuid, got version 4',
    );
  });

  it("rejects a wrong length on decode", () => {
    assert.equal(decode("uuid", []), null);
    assert.throws(() => decode("uuid", new Uint8Array(15)), {
      name: "ProtocolError",
      message: "cannot decode uuid value: expected 16 bytes, got 15",
    });
  });

  it("round-trips any uuid (property)", () => {
    fc.assert(fc.property(fc.uuid(), (u) => roundTrip("uuid", u) === u), RUNS);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        assert.deepEqual(encode("uuid", decode("uuid", b)), b);
      }),
      RUNS,
    );
  });
});

describe("inet", () => {
  it("encodes IPv4 as 4 bytes and IPv6 as 16", () => {
    assert.deepEqual([...encodeFull("inet", "192.168.0.1")], [
      0,
      0,
      0,
      4, // length
      192,
      168,
      0,
      1, // address
    ]);
    assert.deepEqual([...encodeFull("inet", "::1")], [
      0,
      0,
      0,
      16, // length
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      1, // ::1
    ]);
  });

  it("parses :: compression anywhere and IPv4-mapped forms", () => {
    const cases: [string, string][] = [
      ["::", "::"],
      ["::1", "::1"],
      ["1::", "1::"],
      ["2001:DB8::8:800:200C:417A", "2001:db8::8:800:200c:417a"],
      ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
      ["1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"],
      ["::ffff:1.2.3.4", "::ffff:1.2.3.4"],
      ["0:0:0:0:0:ffff:102:304", "::ffff:1.2.3.4"],
      ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
      ["0.0.0.0", "0.0.0.0"],
      ["255.255.255.255", "255.255.255.255"],
    ];
    for (const [input, text] of cases) assert.equal(roundTrip("inet", input), text, input);
  });

  it("refuses garbage", () => {
    const message =
      'column "c" (inet): expected an IPv4 or IPv6 address string, got a malformed string';
    const bad = [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.0.0.1",
      "01.2.3.4",
      "1.2.3.-4",
      "a.b.c.d",
      ":::",
      "1::2::3",
      "12345::",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "::1%eth0",
      "[::1]",
      "1.2.3.4::",
      "::1.2.3",
      "g::1",
      "1:2:3:4:5:6:7:8::",
      " 1.2.3.4",
      "localhost",
    ];
    for (const s of bad) {
      assert.equal(parseInet(s), null, s);
      assertEncodeError("inet", s, TypeError, message);
    }
    assertEncodeError(
      "inet",
      new Uint8Array(4),
      TypeError,
      'column "c" (inet): expected an IPv4 or IPv6 address string, got Uint8Array',
    );
  });

  it("rejects other lengths on decode", () => {
    assert.throws(() => decode("inet", [1, 2, 3, 4, 5]), {
      name: "ProtocolError",
      message: "cannot decode inet value: expected 4 or 16 bytes, got 5",
    });
    assert.throws(() => decode("inet", new Uint8Array(8)), ProtocolError);
  });

  it("round-trips any address bytes through text (property)", () => {
    const address = fc.oneof(
      fc.uint8Array({ minLength: 4, maxLength: 4 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      // Bias toward zero runs so that :: compression is exercised.
      fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff), { minLength: 8, maxLength: 8 }).map((g) =>
        new Uint8Array(g.flatMap((x) => [x >> 8, x & 0xff]))
      ),
    );
    fc.assert(
      fc.property(address, (b) => {
        assert.deepEqual(encode("inet", decode("inet", b)), b);
      }),
      RUNS,
    );
  });
});
