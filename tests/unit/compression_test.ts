/**
 * Frame body compression (native protocol v4 §5): round trips, cross-checks
 * between the wasm and pure TypeScript LZ4 codecs, known-answer vectors from
 * reference implementations, and rejection of corrupt or oversized bodies.
 *
 * Deno: `deno test -A tests/unit/compression_test.ts`; Bun: `bun test tests/unit/compression_test.ts`;
 * Node 20 (no TypeScript): `bun build tests/unit/compression_test.ts --target=node
 *   --outfile /tmp/compression_test.mjs && node --test /tmp/compression_test.mjs`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import { compressorFor, MAX_DECOMPRESSED_BYTES } from "../../src/wire/compression/mod.ts";
import {
  LZ4_WASM_MAX_BYTES,
  lz4CompressTs,
  lz4DecompressTs,
} from "../../src/wire/compression/lz4.ts";
import { lz4WasmCompress, lz4WasmDecompress } from "../../src/wire/compression/lz4_wasm.ts";

const lz4 = compressorFor("lz4");
const snappy = compressorFor("snappy");

function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Deterministic xorshift32 bytes; `alphabet` > 0 draws from that many letters (compressible). */
function bytes(n: number, seed: number, alphabet = 0): Uint8Array {
  let x = seed | 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = alphabet > 0 ? 97 + ((x >>> 0) % alphabet) : x & 0xff;
  }
  return out;
}

function beLength(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, n >>> 16, n >>> 8, n]);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let i = 0;
  for (const p of parts) {
    out.set(p, i);
    i += p.length;
  }
  return out;
}

const payloads: [string, Uint8Array][] = [
  ["empty", new Uint8Array(0)],
  ["1 byte", new Uint8Array([0x80])],
  ["12 bytes (shorter than any match window)", ascii("aaaaaaaaaaaa")],
  ["13 bytes", ascii("aaaaaaaaaaaaa")],
  ["random 1 KiB", bytes(1024, 1)],
  ["compressible 1 KiB", bytes(1024, 2, 3)],
  ["zeros 70 KiB (runs past the 64 KiB offset window)", new Uint8Array(70 * 1024)],
  ["compressible 1 MiB", bytes(1 << 20, 3, 5)],
  ["random 1 MiB", bytes(1 << 20, 4)],
  ["compressible 4 MiB + 1 (pure TS path)", bytes(LZ4_WASM_MAX_BYTES + 1, 5, 4)],
];

describe("compressorFor", () => {
  it("names the codecs and rejects unknown names", () => {
    assert.equal(lz4.name, "lz4");
    assert.equal(snappy.name, "snappy");
    assert.throws(() => compressorFor("zstd" as "lz4"), RangeError);
  });
});

describe("lz4 body", () => {
  for (const [name, input] of payloads) {
    it(`round-trips ${name}`, () => {
      const packed = lz4.compress(input);
      assert.deepEqual(Array.from(packed.subarray(0, 4)), Array.from(beLength(input.length)));
      assert.deepEqual(lz4.decompress(packed), input);
    });
  }

  it("shrinks compressible input", () => {
    const input = ascii("INSERT INTO ks.t (id, v) VALUES (?, ?);".repeat(1700));
    assert.ok(lz4.compress(input).length < input.length / 3);
    assert.ok(lz4CompressTs(input).length < input.length / 3);
  });

  it("wasm and pure TS codecs read each other's output", () => {
    for (let n = 0; n < 300; n += 7) {
      for (const input of [bytes(n, n + 1, 3), bytes(n, n + 2)]) {
        assert.deepEqual(lz4DecompressTs(lz4WasmCompress(input)), input);
        if (n > 0) assert.deepEqual(lz4WasmDecompress(lz4CompressTs(input)), input);
      }
    }
    const big = bytes(1 << 20, 7, 6);
    assert.deepEqual(lz4DecompressTs(lz4WasmCompress(big)), big);
    assert.deepEqual(lz4WasmDecompress(lz4CompressTs(big)), big);
  });

  it("decodes blocks made by the reference liblz4 1.9.4 (LZ4_compress_default)", () => {
    const hello = "hello hello hello hello hello world";
    const helloBlock = hex("6f68656c6c6f2006000550776f726c64");
    let cql = "";
    for (let i = 0; i < 4; i++) {
      cql += `INSERT INTO ks.users (id, name, email) VALUES (${i}, 'user${i % 7}', ` +
        `'user${i % 7}@example.com');`;
    }
    const cqlBlock = hex(
      "f024494e5345525420494e544f206b732e7573657273202869642c206e616d652c20656d61696c2920" +
        "56414c5545532028302c202724002430270900ff00406578616d706c652e636f6d27293b50001c1331" +
        "4700143150001f3150002b13325000143250001f3250002b133350001433500016335000506f6d2729" +
        "3b",
    );
    for (const [text, block] of [[hello, helloBlock], [cql, cqlBlock]] as const) {
      const body = concat(beLength(text.length), block);
      assert.deepEqual(lz4.decompress(body), ascii(text));
      assert.deepEqual(lz4DecompressTs(body), ascii(text));
    }
  });

  it("keeps the end-of-block rules the reference decoder enforces", () => {
    // The last match must start >= 12 bytes before the end and the last 5
    // bytes must be literals; lz4js breaks this on inputs like this one.
    const input = ascii("aababbbabbabbbaba");
    const packed = lz4CompressTs(input);
    let s = 4;
    let d = 0;
    let lastMatchStart = -1;
    const extra = () => {
      let sum = 0;
      let b: number;
      do {
        b = packed[s++];
        sum += b;
      } while (b === 255);
      return sum;
    };
    for (;;) {
      const token = packed[s++];
      let lit = token >>> 4;
      if (lit === 15) lit += extra();
      s += lit;
      d += lit;
      if (s === packed.length) break;
      s += 2;
      let len = token & 15;
      if (len === 15) len += extra();
      lastMatchStart = d;
      d += len + 4;
      assert.ok(d <= input.length - 5, "a match reaches into the last 5 bytes");
    }
    assert.ok(lastMatchStart <= input.length - 12);
    for (let n = 13; n < 200; n++) {
      const input2 = bytes(n, n, 2);
      assert.deepEqual(lz4DecompressTs(lz4CompressTs(input2)), input2);
    }
  });

  it("accepts an empty body with or without the final token", () => {
    assert.equal(lz4.decompress(new Uint8Array([0, 0, 0, 0])).length, 0);
    assert.equal(lz4.decompress(new Uint8Array([0, 0, 0, 0, 0])).length, 0);
  });

  it("rejects a declared length above the cap or negative, before allocating", () => {
    for (const n of [MAX_DECOMPRESSED_BYTES + 1, 0x7fffffff, -1, -0x80000000]) {
      const body = concat(beLength(n), new Uint8Array(16));
      assert.throws(() => lz4.decompress(body), ProtocolError);
      assert.throws(() => lz4DecompressTs(body), ProtocolError);
    }
    // Under the cap but more than 16 bytes can ever expand to.
    assert.throws(() => lz4.decompress(concat(beLength(100_000), new Uint8Array(16))), /expand/);
  });

  it("rejects truncated and corrupt bodies", () => {
    const good = lz4.compress(bytes(4096, 8, 4));
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0, 0, 1]),
      good.subarray(0, good.length - 1),
      good.subarray(0, 40),
      concat(beLength(10), new Uint8Array([0xf0])), // literal length run cut short
      concat(beLength(8), new Uint8Array([0x10, 0x61, 0x05, 0x00])), // offset 5 > 1 byte out
      concat(beLength(8), new Uint8Array([0x10, 0x61, 0x00, 0x00])), // offset 0
      concat(beLength(3), new Uint8Array([0x40, 0x61, 0x62, 0x63, 0x64])), // too long
      concat(beLength(9), new Uint8Array([0x40, 0x61, 0x62, 0x63, 0x64])), // too short
    ];
    for (const body of cases) {
      assert.throws(() => lz4.decompress(body), ProtocolError);
      assert.throws(() => lz4DecompressTs(body), ProtocolError);
    }
  });

  it("never returns wrong-length output or throws anything but ProtocolError on garbage", () => {
    const seedBody = lz4.compress(bytes(2000, 9, 3));
    for (let t = 0; t < 3000; t++) {
      const g = t % 2 ? seedBody.slice() : concat(beLength(t % 500), bytes(1 + (t % 60), t));
      if (t % 2) g[4 + ((t * 7919) % (g.length - 4))] ^= 1 << (t % 8);
      const declared = (g[0] << 24) | (g[1] << 16) | (g[2] << 8) | g[3];
      for (const decode of [lz4.decompress, lz4DecompressTs]) {
        try {
          assert.equal(decode(g).length, declared);
        } catch (e) {
          assert.ok(e instanceof ProtocolError, String(e));
        }
      }
    }
  });
});

describe("snappy body", () => {
  for (const [name, input] of payloads) {
    it(`round-trips ${name}`, () => {
      assert.deepEqual(snappy.decompress(snappy.compress(input)), input);
    });
  }

  it("decodes the Wikipedia example vector", () => {
    // From the Snappy article on Wikipedia (also the fixture of SwiftCompression's SnappyTests).
    const vector = hex(
      "51f04257696b697065646961206973206120667265652c207765622d62617365642c20636f6c6c61626f72" +
        "61746976652c206d756c74696c696e6775616c20656e6379636c6f093f1c70726f6a6563742e",
    );
    const text =
      "Wikipedia is a free, web-based, collaborative, multilingual encyclopedia project.";
    assert.deepEqual(snappy.decompress(vector), ascii(text));
    assert.deepEqual(snappy.decompress(snappy.compress(ascii(text))), ascii(text));
  });

  it("decodes every element kind, including 4-byte offsets and long literals", () => {
    const literal = bytes(70, 10);
    const body = concat(
      new Uint8Array([70 + 4 + 8 + 10]), // varint length 92
      new Uint8Array([60 << 2, 69]), // literal, 1-byte length: 69 + 1 = 70 bytes
      literal,
      new Uint8Array([0x01 | (0 << 2) | (0 << 5), 70]), // copy-1: len 4, offset 70
      new Uint8Array([0x02 | (7 << 2), 8, 0]), // copy-2: len 8, offset 8
      new Uint8Array([0x03 | (9 << 2), 1, 0, 0, 0]), // copy-4: len 10, offset 1 (a run)
    );
    const out = snappy.decompress(body);
    assert.deepEqual(out.subarray(0, 70), literal);
    assert.deepEqual(out.subarray(70, 74), literal.subarray(0, 4));
    assert.deepEqual(out.subarray(74, 82), out.subarray(66, 74));
    assert.deepEqual(out.subarray(82), new Uint8Array(10).fill(out[81]));
  });

  it("rejects a declared length above the cap before allocating", () => {
    // varint 2^28 + 1 > 256 MiB, followed by a few bytes only.
    const body = new Uint8Array([0x81, 0x80, 0x80, 0x80, 0x01, 0x00, 0x61]);
    assert.throws(() => snappy.decompress(body), /limit/);
    assert.throws(
      () => snappy.decompress(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x7f])),
      ProtocolError,
    );
    assert.throws(
      () => snappy.decompress(new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x01])),
      ProtocolError,
    );
    assert.throws(() => snappy.decompress(new Uint8Array([0xe8, 0x07, 0x00, 0x61])), /expand/);
  });

  it("rejects truncated and corrupt bodies", () => {
    const good = snappy.compress(bytes(4096, 11, 4));
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0x80]),
      good.subarray(0, good.length - 1),
      new Uint8Array([5, 0x00, 0x61]), // declared 5, produces 1
      new Uint8Array([1, 0x04, 0x61, 0x62]), // literal of 2 overflows declared 1
      new Uint8Array([4, 0x01, 0x05]), // copy before any output
      new Uint8Array([8, 0x00, 0x61, 0x01, 0x00]), // offset 0
      new Uint8Array([8, 0xf0, 0xff, 0xff, 0xff, 0xff]), // literal length 2^32
      new Uint8Array([8, 0x00, 0x61, 0x03, 0x01]), // copy-4 cut short
    ];
    for (const body of cases) assert.throws(() => snappy.decompress(body), ProtocolError);
  });

  it("never returns wrong-length output or throws anything but ProtocolError on garbage", () => {
    const seedBody = snappy.compress(bytes(2000, 12, 3));
    for (let t = 0; t < 3000; t++) {
      const g = t % 2
        ? seedBody.slice()
        : concat(new Uint8Array([t % 120]), bytes(1 + (t % 60), t));
      if (t % 2) g[2 + ((t * 7919) % (g.length - 2))] ^= 1 << (t % 8);
      try {
        const out = snappy.decompress(g);
        assert.ok(out.length === 2000 || out.length === g[0]);
      } catch (e) {
        assert.ok(e instanceof ProtocolError, String(e));
      }
    }
  });
});
