// deno-fmt-ignore-file -- keeps the annotated byte arrays one field per line
/**
 * Byte-level notation of native protocol v4 §3 (`src/wire/bytes.ts`): every
 * Writer/Reader pair round-trips at its boundaries, truncated or malformed
 * input throws `ProtocolError`, and `[inet]`/`[uuid]` format as text.
 *
 * Deno: `deno test -A tests/unit/bytes_test.ts`; Bun: `bun test tests/unit/bytes_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import {
  decodeUtf8,
  encodeUtf8,
  formatInet,
  formatUuid,
  Reader,
  Writer,
} from "../../src/wire/bytes.ts";

/** Writes with `write`, checks the exact bytes, reads back with `read`, and checks nothing is left. */
function roundTrip<T>(
  write: (w: Writer) => void,
  read: (r: Reader) => T,
  expectBytes?: number[],
): T {
  const w = new Writer(1); // tiny capacity: every write exercises growth
  write(w);
  const bytes = w.toBytes();
  if (expectBytes) assert.deepEqual([...bytes], expectBytes);
  const r = new Reader(bytes);
  const v = read(r);
  assert.equal(r.remaining, 0, "reader consumed everything");
  return v;
}

describe("Writer/Reader [byte]", () => {
  for (const v of [0, 1, 0x7f, 0x80, 0xff]) {
    it(`round-trips ${v}`, () => {
      assert.equal(roundTrip((w) => w.writeByte(v), (r) => r.readByte(), [v]), v);
    });
  }
});

describe("Writer/Reader [short] (unsigned 16-bit)", () => {
  const cases: [number, number[]][] = [
    [0, [0x00, 0x00]],
    [1, [0x00, 0x01]],
    [0x7fff, [0x7f, 0xff]],
    [0x8000, [0x80, 0x00]],
    [0xffff, [0xff, 0xff]],
  ];
  for (const [v, bytes] of cases) {
    it(`round-trips ${v} as big-endian`, () => {
      assert.equal(roundTrip((w) => w.writeShort(v), (r) => r.readShort(), bytes), v);
    });
  }
  it("reads 0xffff as 65535, never negative", () => {
    assert.equal(new Reader(new Uint8Array([0xff, 0xff])).readShort(), 65535);
  });
});

describe("Writer/Reader [int] (signed 32-bit)", () => {
  const cases: [number, number[]][] = [
    [-(2 ** 31), [0x80, 0x00, 0x00, 0x00]],
    [-1, [0xff, 0xff, 0xff, 0xff]],
    [0, [0x00, 0x00, 0x00, 0x00]],
    [1, [0x00, 0x00, 0x00, 0x01]],
    [2 ** 31 - 1, [0x7f, 0xff, 0xff, 0xff]],
  ];
  for (const [v, bytes] of cases) {
    it(`round-trips ${v}`, () => {
      assert.equal(roundTrip((w) => w.writeInt(v), (r) => r.readInt(), bytes), v);
    });
  }
  it("round-trips any int32 (property)", () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), (v) => {
      assert.equal(roundTrip((w) => w.writeInt(v), (r) => r.readInt()), v);
    }));
  });
});

describe("Writer/Reader [long] (signed 64-bit)", () => {
  const cases: [bigint, number[]][] = [
    [-(2n ** 63n), [0x80, 0, 0, 0, 0, 0, 0, 0]],
    [-1n, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
    [0n, [0, 0, 0, 0, 0, 0, 0, 0]],
    [1n, [0, 0, 0, 0, 0, 0, 0, 1]],
    [2n ** 63n - 1n, [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ];
  for (const [v, bytes] of cases) {
    it(`round-trips ${v}`, () => {
      assert.equal(roundTrip((w) => w.writeLong(v), (r) => r.readLong(), bytes), v);
    });
  }
  it("round-trips any int64 (property)", () => {
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
      assert.equal(roundTrip((w) => w.writeLong(v), (r) => r.readLong()), v);
    }));
  });
});

describe("Writer/Reader [string] and [long string]", () => {
  const samples = [
    "",
    "a",
    "SELECT * FROM ks.t",
    "zürich ☃ 日本語 🎉", // 2-, 3- and 4-byte UTF-8 sequences
    "nul\0inside\0",
    "x".repeat(70_000),
  ];
  for (const s of samples) {
    const label = s.length > 40 ? `${s.length} chars` : JSON.stringify(s);
    it(`[long string] round-trips ${label}`, () => {
      assert.equal(roundTrip((w) => w.writeLongString(s), (r) => r.readLongString()), s);
    });
    if (encodeUtf8(s).length <= 0xffff) {
      it(`[string] round-trips ${label}`, () => {
        assert.equal(roundTrip((w) => w.writeString(s), (r) => r.readString()), s);
      });
    }
  }
  it("[string] is a [short] byte length then UTF-8", () => {
    roundTrip((w) => w.writeString("é"), (r) => r.readString(), [0x00, 0x02, 0xc3, 0xa9]);
  });
  it("[long string] is an [int] byte length then UTF-8", () => {
    roundTrip((w) => w.writeLongString("🎉"), (r) => r.readLongString(), [
      0x00, 0x00, 0x00, 0x04, // length 4
      0xf0, 0x9f, 0x8e, 0x89, // U+1F389
    ]);
  });
  it("[string] of the largest length 65535 round-trips", () => {
    const s = "q".repeat(0xffff);
    assert.equal(roundTrip((w) => w.writeString(s), (r) => r.readString()), s);
  });
  it("[long string] after other data keeps the offset right", () => {
    const w = new Writer(2);
    w.writeByte(7).writeLongString("日本").writeShort(9);
    const r = new Reader(w.toBytes());
    assert.equal(r.readByte(), 7);
    assert.equal(r.readLongString(), "日本");
    assert.equal(r.readShort(), 9);
  });
  it("round-trips arbitrary unicode (property)", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => {
      assert.equal(roundTrip((w) => w.writeLongString(s), (r) => r.readLongString()), s);
      assert.equal(roundTrip((w) => w.writeString(s), (r) => r.readString()), s);
    }));
  });
  // BUG src/wire/bytes.ts writeShort/writeString: a [string] over 65535 UTF-8 bytes
  // writes its length mod 2^16 (70000 → 4464) then all the bytes, a corrupt frame;
  // it should throw (RangeError) before writing. Un-skip once fixed.
  it("[string] longer than 65535 bytes is refused, not truncated", () => {
    assert.throws(() => new Writer().writeString("x".repeat(70_000)), RangeError);
  });
  it("a negative [long string] length is a ProtocolError", () => {
    const r = new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
    assert.throws(() => r.readLongString(), ProtocolError);
  });
});

describe("Writer/Reader [bytes] and [short bytes]", () => {
  it("[bytes] null is length -1 and reads back as null", () => {
    assert.equal(
      roundTrip((w) => w.writeBytes(null), (r) => r.readBytes(), [0xff, 0xff, 0xff, 0xff]),
      null,
    );
  });
  it("[bytes] any negative length reads as null", () => {
    assert.equal(new Reader(new Uint8Array([0x80, 0, 0, 0])).readBytes(), null);
    assert.equal(new Reader(new Uint8Array([0xff, 0xff, 0xff, 0xfe])).readBytes(), null);
  });
  it("[bytes] empty is length 0, distinct from null", () => {
    const v = roundTrip((w) => w.writeBytes(new Uint8Array(0)), (r) => r.readBytes(), [0, 0, 0, 0]);
    assert.deepEqual(v, new Uint8Array(0));
  });
  it("[bytes] keeps zero bytes and 0xff bytes", () => {
    const data = new Uint8Array([0, 0xff, 0, 1, 0]);
    const v = roundTrip((w) => w.writeBytes(data), (r) => r.readBytes(), [
      0, 0, 0, 5, 0, 0xff, 0, 1, 0,
    ]);
    assert.deepEqual(v, data);
  });
  it("[bytes] of 100 KiB round-trips", () => {
    const data = Uint8Array.from({ length: 100 * 1024 }, (_, i) => i * 31);
    assert.deepEqual(roundTrip((w) => w.writeBytes(data), (r) => r.readBytes()), data);
  });
  it("[short bytes] round-trips empty and 65535 bytes", () => {
    for (const n of [0, 1, 0xffff]) {
      const data = new Uint8Array(n).fill(0xab);
      assert.deepEqual(roundTrip((w) => w.writeShortBytes(data), (r) => r.readShortBytes()), data);
    }
  });
  it("[short bytes] of 65536 bytes is refused, nothing written", () => {
    const w = new Writer().writeByte(7);
    assert.throws(() => w.writeShortBytes(new Uint8Array(0x10000)), {
      name: "RangeError",
      message: "65536 bytes do not fit [short bytes] (0..65535)",
    });
    assert.deepEqual([...w.written()], [7]);
  });
});

describe("Writer/Reader collections", () => {
  it("[string list] round-trips through the reader, empty too", () => {
    for (const list of [[], ["a"], ["", "b", "☃"]]) {
      assert.deepEqual(roundTrip((w) => w.writeStringList(list), (r) => r.readStringList()), list);
    }
  });
  it("[string map] encodes as [short] n then key/value [string]s", () => {
    const w = new Writer();
    w.writeStringMap({ A: "1" });
    assert.deepEqual([...w.toBytes()], [
      0x00, 0x01, // 1 entry
      0x00, 0x01, 0x41, // "A"
      0x00, 0x01, 0x31, // "1"
    ]);
  });
  it("[bytes map] round-trips including a null value", () => {
    const m = new Map<string, Uint8Array>([["k", new Uint8Array([1, 2])], [
      "e",
      new Uint8Array(0),
    ]]);
    const got = roundTrip((w) => w.writeBytesMap(m), (r) => r.readBytesMap());
    assert.deepEqual(got, m);
    const withNull = new Uint8Array([
      0x00, 0x01, // 1 entry
      0x00, 0x01, 0x6e, // "n"
      0xff, 0xff, 0xff, 0xff, // null
    ]);
    assert.deepEqual(new Reader(withNull).readBytesMap(), new Map([["n", null]]));
  });
  it("[string multimap] reads keys to lists", () => {
    const w = new Writer();
    w.writeShort(2).writeString("COMPRESSION").writeStringList(["lz4", "snappy"]);
    w.writeString("CQL_VERSION").writeStringList(["3.0.0"]);
    assert.deepEqual(
      new Reader(w.toBytes()).readStringMultimap(),
      new Map([["COMPRESSION", ["lz4", "snappy"]], ["CQL_VERSION", ["3.0.0"]]]),
    );
  });
  it("patchInt back-patches a length", () => {
    const w = new Writer();
    w.writeInt(0).writeRaw(new Uint8Array([9, 9, 9]));
    w.patchInt(0, 3);
    assert.deepEqual([...w.toBytes()], [0, 0, 0, 3, 9, 9, 9]);
  });
  it("reset keeps storage and forgets content", () => {
    const w = new Writer(4);
    w.writeInt(5).writeInt(6);
    const buf = w.buf;
    w.reset().writeByte(1);
    assert.equal(w.buf, buf);
    assert.deepEqual([...w.toBytes()], [1]);
    assert.deepEqual([...w.written()], [1]);
  });
  it("toBytes is a copy that later writes do not change", () => {
    const w = new Writer(64);
    w.writeByte(1);
    const copy = w.toBytes();
    w.reset().writeByte(2);
    assert.deepEqual([...copy], [1]);
  });
});

describe("Reader truncation", () => {
  const cases: [string, number[], (r: Reader) => unknown][] = [
    ["[byte] from nothing", [], (r) => r.readByte()],
    ["[short] from 1 byte", [0], (r) => r.readShort()],
    ["[int] from 3 bytes", [0, 0, 0], (r) => r.readInt()],
    ["[long] from 7 bytes", [0, 0, 0, 0, 0, 0, 0], (r) => r.readLong()],
    ["[string] shorter than its length", [0x00, 0x05, 0x61, 0x62], (r) => r.readString()],
    ["[long string] shorter than its length", [0, 0, 0, 3, 0x61], (r) => r.readLongString()],
    ["[long string] claiming 2^31-1 bytes", [0x7f, 0xff, 0xff, 0xff], (r) => r.readLongString()],
    ["[bytes] shorter than its length", [0, 0, 0, 2, 1], (r) => r.readBytes()],
    ["[bytes] claiming 2^31-1 bytes", [0x7f, 0xff, 0xff, 0xff, 0], (r) => r.readBytes()],
    ["[short bytes] shorter than its length", [0, 4, 1, 2, 3], (r) => r.readShortBytes()],
    ["[string list] with a missing element", [0, 2, 0, 1, 0x61], (r) => r.readStringList()],
    ["[string list] claiming 65535 elements", [0xff, 0xff], (r) => r.readStringList()],
    ["[string multimap] with no list", [0, 1, 0, 1, 0x61], (r) => r.readStringMultimap()],
    ["[bytes map] with no value", [0, 1, 0, 1, 0x61, 0, 0], (r) => r.readBytesMap()],
    ["[uuid] from 15 bytes", new Array(15).fill(0), (r) => r.readUuid()],
    ["[inet] with 4 address bytes missing a port", [4, 127, 0, 0, 1, 0, 0], (r) => r.readInet()],
    ["[inet] with a truncated address", [16, 0, 0, 0], (r) => r.readInet()],
  ];
  for (const [name, bytes, read] of cases) {
    it(`${name} throws ProtocolError`, () => {
      assert.throws(() => read(new Reader(new Uint8Array(bytes))), ProtocolError);
    });
  }
  it("honours an explicit end before the buffer's end", () => {
    const r = new Reader(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2]), 0, 4);
    assert.equal(r.readInt(), 1);
    assert.equal(r.remaining, 0);
    assert.throws(() => r.readInt(), ProtocolError);
  });
  it("reads relative to a subarray's byteOffset", () => {
    const whole = new Uint8Array([0xee, 0xee, 0x00, 0x2a]);
    assert.equal(new Reader(whole.subarray(2)).readShort(), 42);
  });
  it("the error message gives numbers: needed, offset and left", () => {
    const r = new Reader(new Uint8Array([1, 2, 3]));
    r.readByte();
    assert.throws(() => r.readInt(), /needed 4 bytes at offset 1, 2 left/);
  });
  it("a failed read does not advance the position", () => {
    const r = new Reader(new Uint8Array([0, 1]));
    assert.throws(() => r.readInt(), ProtocolError);
    assert.equal(r.pos, 0);
    assert.equal(r.readShort(), 1);
  });
  it("readRaw(-1) is refused", () => {
    assert.throws(() => new Reader(new Uint8Array(4)).readRaw(-1), ProtocolError);
  });
});

describe("UTF-8", () => {
  const invalid: [string, number[]][] = [
    ["a lone continuation byte", [0x80]],
    ["a truncated 2-byte sequence", [0xc3]],
    ["an overlong encoding of '/'", [0xc0, 0xaf]],
    ["a UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["0xff", [0xff]],
  ];
  for (const [name, bytes] of invalid) {
    it(`${name} is a ProtocolError from decodeUtf8 and readString`, () => {
      assert.throws(() => decodeUtf8(new Uint8Array(bytes)), ProtocolError);
      const framed = new Uint8Array([0, bytes.length, ...bytes]);
      assert.throws(() => new Reader(framed).readString(), ProtocolError);
      const long = new Uint8Array([0, 0, 0, bytes.length, ...bytes]);
      assert.throws(() => new Reader(long).readLongString(), ProtocolError);
    });
  }
  it("decodes a BOM-less valid string unchanged, including U+0000", () => {
    assert.equal(decodeUtf8(new Uint8Array([0x61, 0x00, 0x62])), "a\0b");
  });
  // BUG src/wire/bytes.ts:13: `new TextDecoder("utf-8", { fatal: true })` lacks
  // `ignoreBOM: true`, so a leading U+FEFF is stripped: "\ufeffa" decodes as "a"
  // (also text cells through src/wire/codec/text.ts). Un-skip once fixed.
  it("keeps a leading U+FEFF", () => {
    // A [string] is raw UTF-8: a byte order mark is data, not something to strip.
    assert.equal(decodeUtf8(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), "\ufeffa");
  });
});

describe("formatUuid / readUuid", () => {
  it("formats 16 bytes as lowercase canonical text", () => {
    const b = Uint8Array.from([
      0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4, 0xa7, 0x16, 0x44, 0x66, 0x55,
      0x44, 0x00, 0x00,
    ]);
    assert.equal(formatUuid(b), "550e8400-e29b-41d4-a716-446655440000");
    assert.equal(new Reader(b).readUuid(), "550e8400-e29b-41d4-a716-446655440000");
  });
  it("formats all zeros and all ones", () => {
    assert.equal(formatUuid(new Uint8Array(16)), "00000000-0000-0000-0000-000000000000");
    assert.equal(
      formatUuid(new Uint8Array(16).fill(0xff)),
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
    );
  });
  it("rejects other lengths", () => {
    assert.throws(() => formatUuid(new Uint8Array(15)), ProtocolError);
    assert.throws(() => formatUuid(new Uint8Array(17)), ProtocolError);
  });
});

describe("formatInet / readInet", () => {
  const v6 = (...groups: number[]) => {
    const b = new Uint8Array(16);
    groups.forEach((g, i) => {
      b[i * 2] = g >> 8;
      b[i * 2 + 1] = g & 0xff;
    });
    return b;
  };
  it("formats IPv4 as dotted quad", () => {
    assert.equal(formatInet(new Uint8Array([127, 0, 0, 1])), "127.0.0.1");
    assert.equal(formatInet(new Uint8Array([0, 0, 0, 0])), "0.0.0.0");
    assert.equal(formatInet(new Uint8Array([255, 255, 255, 255])), "255.255.255.255");
  });
  const cases: [string, Uint8Array][] = [
    ["::", v6(0, 0, 0, 0, 0, 0, 0, 0)],
    ["::1", v6(0, 0, 0, 0, 0, 0, 0, 1)],
    ["1::", v6(1, 0, 0, 0, 0, 0, 0, 0)],
    ["2001:db8::1", v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)],
    // RFC 5952 §4.2.2: a single zero group is not compressed.
    ["2001:db8:0:1:1:1:1:1", v6(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1)],
    // §4.2.3: the longest run is compressed.
    ["2001:0:0:1::1", v6(0x2001, 0, 0, 1, 0, 0, 0, 1)],
    // §4.2.3: on a tie, the first run is compressed.
    ["2001:db8::1:0:0:1", v6(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)],
    // §4.3: lowercase hex, no leading zeros.
    ["fe80::abcd:ef01", v6(0xfe80, 0, 0, 0, 0, 0, 0xabcd, 0xef01)],
    ["1:2:3:4:5:6:7:8", v6(1, 2, 3, 4, 5, 6, 7, 8)],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", v6(...new Array(8).fill(0xffff))],
    ["1:0:2::", v6(1, 0, 2, 0, 0, 0, 0, 0)],
    ["0:1::", v6(0, 1, 0, 0, 0, 0, 0, 0)],
  ];
  for (const [text, bytes] of cases) {
    it(`formats IPv6 ${text}`, () => {
      assert.equal(formatInet(bytes), text);
    });
  }
  it("agrees with the URL parser's canonical IPv6 form (property)", () => {
    fc.assert(fc.property(
      fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
        minLength: 8,
        maxLength: 8,
      }),
      (groups) => {
        const text = formatInet(v6(...groups));
        // WHATWG URL serialises IPv6 hosts per RFC 5952 (modulo embedded IPv4, not used here).
        const canonical = new URL(`http://[${groups.map((g) => g.toString(16)).join(":")}]/`)
          .hostname.slice(1, -1);
        assert.equal(text, canonical);
      },
    ));
  });
  it("rejects lengths other than 4 and 16", () => {
    for (const n of [0, 3, 5, 15, 17]) {
      assert.throws(() => formatInet(new Uint8Array(n)), ProtocolError);
    }
  });
  it("readInet reads size, address and [int] port", () => {
    const r = new Reader(
      new Uint8Array([
        0x04, // address size
        10, 0, 0, 7, // 10.0.0.7
        0x00, 0x00, 0x23, 0x52, // port 9042
      ]),
    );
    assert.deepEqual(r.readInet(), { address: "10.0.0.7", port: 9042 });
    assert.equal(r.remaining, 0);
  });
  it("readInet with an odd address size is a ProtocolError", () => {
    const r = new Reader(new Uint8Array([0x05, 1, 2, 3, 4, 5, 0, 0, 0, 1]));
    assert.throws(() => r.readInet(), ProtocolError);
  });
});

describe("strings: the ASCII loops agree with TextEncoder/TextDecoder", () => {
  const text = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: "grapheme", maxLength: 80 }),
    fc.string({ minLength: 1000, maxLength: 1100 }),
    fc.string({ unit: "grapheme-ascii", maxLength: 1500 }),
  );

  it("[long string] is an int length then the UTF-8 bytes, after any prefix", () => {
    fc.assert(fc.property(fc.nat(7), text, (prefix, s) => {
      const w = new Writer(8);
      for (let i = 0; i < prefix; i++) w.writeByte(0xaa);
      w.writeLongString(s);
      const utf8 = new TextEncoder().encode(s);
      const got = w.toBytes();
      assert.equal(got.length, prefix + 4 + utf8.length);
      assert.equal(new DataView(got.buffer).getInt32(prefix), utf8.length);
      assert.deepEqual(got.subarray(prefix + 4), utf8);
    }));
  });

  it("[string] reads back what was written, and the reader ends after it", () => {
    fc.assert(fc.property(text, fc.nat(255), (s, trailer) => {
      fc.pre(new TextEncoder().encode(s).length <= 0xffff && s.isWellFormed());
      const w = new Writer(8);
      w.writeString(s);
      w.writeByte(trailer);
      const r = new Reader(w.toBytes());
      assert.equal(r.readString(), s);
      assert.equal(r.readByte(), trailer);
    }));
  });

  it("a truncated short [string] is a ProtocolError, not a shorter string", () => {
    const r = new Reader(new Uint8Array([0, 5, 0x61, 0x62]));
    assert.throws(() => r.readString(), ProtocolError);
  });
});
