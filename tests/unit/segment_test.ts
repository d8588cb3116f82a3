// deno-fmt-ignore-file -- keeps the annotated byte arrays one field per line
/**
 * CQL v5 segment framing (`src/wire/segment/`): the CRCs and the encoder and
 * decoder checked against byte vectors made by Cassandra's own `Crc`,
 * `FrameEncoderCrc` and `FrameEncoderLZ4` (tests/unit/vectors/segments.json,
 * scripts/vectors/SegmentVectors.java), annotated headers, packing and
 * splitting at the payload limit, chunk splits anywhere, and every corruption.
 *
 * Deno: `deno test -A tests/unit/segment_test.ts`; Bun: `bun test tests/unit/segment_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ProtocolError } from "../../src/errors.ts";
import { Writer } from "../../src/wire/bytes.ts";
import { MAX_FRAME_BODY } from "../../src/wire/frame.ts";
import {
  crc24, crc32, CRC32_PRIMED, crc32Update, EnvelopeAssembler, MAX_SEGMENT_PAYLOAD,
  readLz4SegmentHeader, readSegmentHeader, SegmentDecoder, SegmentEncoder, SegmentFrameDecoder,
  writeLz4SegmentHeader, writeSegmentHeader,
} from "../../src/wire/segment/mod.ts";
import { spyAllocations } from "../fuzz/decoders.ts";
import {
  type Compression, envelope, expectedWire, input, loadVectors, toHex, unhex,
} from "./vectors/inputs.ts";
import {
  concat, envelopesOf, envelopeText, lz4SegmentClaiming, payloadsOf, segmentOf, throwsProtocol,
} from "./vectors/segment_helpers.ts";

const vectors = loadVectors();
const compressionOf = (c: string): Compression => (c === "lz4" ? "lz4" : null);

describe("CRC24 and CRC32 as Cassandra's Crc computes them", () => {
  it("CRC24 of 3- and 5-byte headers matches Crc.crc24 for every vector", () => {
    for (const v of vectors.crc24) {
      const b = unhex(v.bytes);
      assert.equal(crc24(b, 0, b.length), v.crc, v.bytes);
    }
  });
  it("CRC32 (primed with FA 2D 55 CA) matches Crc.crc32() for every vector", () => {
    for (const v of vectors.crc32) {
      const b = input(v.input);
      assert.equal(crc32(b, 0, b.length), v.crc, `${b.length} bytes`);
    }
  });
  it("the unprimed CRC-32 is the standard one (check value cbf43926)", () => {
    const b = new TextEncoder().encode("123456789");
    assert.equal(crc32Update(0, b, 0, b.length), 0xcbf43926);
    assert.equal(CRC32_PRIMED, crc32Update(0, new Uint8Array([0xfa, 0x2d, 0x55, 0xca]), 0, 4));
  });
  it("slicing-by-8 agrees with byte-at-a-time at every alignment and length", () => {
    const data = input({ random: { seed: 1, length: 300 } });
    for (let from = 0; from < 9; from++) {
      for (let to = from; to < 40; to++) {
        let c = CRC32_PRIMED;
        for (let i = from; i < to; i++) c = crc32Update(c, data, i, i + 1);
        assert.equal(crc32(data, from, to), c, `${from}..${to}`);
      }
    }
  });
});

describe("segment headers, annotated", () => {
  it("uncompressed: 17-bit length, self-contained bit, CRC24 of the first 3 bytes, all little-endian", () => {
    const out = new Uint8Array(6);
    writeSegmentHeader(out, 0, 9, true);
    assert.deepEqual([...out], [
      0x09, 0x00, // payload length 9 (bits 0-15)
      0x02,       // bit 16 of the length = 0, bit 17 self-contained = 1, padding 0
      0xa4, 0xc8, 0xc1, // CRC24 0xc1c8a4 of 09 00 02 (Cassandra's vector "one OPTIONS envelope")
    ]);
    assert.deepEqual(readSegmentHeader(out, 0), { payloadLength: 9, uncompressedLength: 0, selfContained: true });
  });
  it("uncompressed: the largest payload sets length bit 16; not self-contained clears bit 17", () => {
    const out = new Uint8Array(6);
    writeSegmentHeader(out, 0, MAX_SEGMENT_PAYLOAD, false);
    assert.deepEqual([...out.subarray(0, 3)], [
      0xff, 0xff, // length bits 0-15
      0x01,       // length bit 16, not self-contained
    ]);
    assert.equal(crc24(out, 0, 3), out[3] | (out[4] << 8) | (out[5] << 16));
    assert.deepEqual(readSegmentHeader(out, 0), {
      payloadLength: MAX_SEGMENT_PAYLOAD, uncompressedLength: 0, selfContained: false,
    });
  });
  it("LZ4: compressed length, uncompressed length, self-contained bit, CRC24 of the first 5 bytes", () => {
    const out = new Uint8Array(8);
    writeLz4SegmentHeader(out, 0, 0x1abcd, 0x1ffff, true);
    assert.deepEqual([...out.subarray(0, 5)], [
      0xcd, 0xab, // compressed length 0x1abcd, bits 0-15
      0xff,       // bit 0: compressed length bit 16; bits 1-7: uncompressed length bits 0-6
      0xff,       // uncompressed length bits 7-14
      0x07,       // bits 0-1: uncompressed length bits 15-16; bit 2: self-contained
    ]);
    assert.equal(crc24(out, 0, 5), out[5] | (out[6] << 8) | (out[7] << 16));
    assert.deepEqual(readLz4SegmentHeader(out, 0), {
      payloadLength: 0x1abcd, uncompressedLength: 0x1ffff, selfContained: true,
    });
  });
  it("a whole uncompressed segment: header, payload, CRC32 trailer little-endian", () => {
    assert.deepEqual([...segmentOf(new Uint8Array([0x2a]))], [
      0x01, 0x00, 0x02, // length 1, self-contained
      0x72, 0x56, 0xac, // CRC24
      0x2a,             // payload
      0x4b, 0xd2, 0x27, 0x16, // CRC32 0x1627d24b of FA 2D 55 CA 2A, little-endian
    ]);
  });
});

describe("Cassandra's segments (FrameEncoderCrc, FrameEncoderLZ4)", () => {
  for (const v of vectors.vectors) {
    const compression = compressionOf(v.compression);
    const compressed = v.segments.some((s) => s.wire !== undefined);
    it(`${v.name}: our decoder reads Cassandra's bytes`, () => {
      const bytes = input(v.input);
      const got = payloadsOf(expectedWire(v, bytes), compression);
      assert.deepEqual(got, v.segments.map((s) => ({
        payload: toHex(bytes.subarray(s.from, s.to)),
        selfContained: s.selfContained,
      })));
    });
    it(`${v.name}: our encoder writes ${compressed ? "a segment Cassandra's decoder reads" : "Cassandra's bytes"}`, () => {
      const bytes = input(v.input);
      const w = new Writer();
      const enc = new SegmentEncoder({ compression });
      for (const s of v.segments) enc.writeSegment(w, bytes, s.from, s.to, s.selfContained);
      const ours = w.toBytes();
      const theirs = expectedWire(v, bytes);
      if (!compressed) {
        assert.equal(toHex(ours), toHex(theirs));
        return;
      }
      // lz4-java and our compressor may pick different matches: same framing, both
      // decodable (`deno run -A scripts/vectors/run.ts verify` has Cassandra decode ours).
      const ourHeader = readLz4SegmentHeader(ours, 0);
      const theirHeader = readLz4SegmentHeader(theirs, 0);
      assert.equal(ourHeader.uncompressedLength, theirHeader.uncompressedLength);
      assert.equal(ourHeader.selfContained, theirHeader.selfContained);
      assert.deepEqual(payloadsOf(ours, compression), payloadsOf(theirs, compression));
    });
  }
  it("the 300 KiB envelope: SegmentEncoder.encode cuts it exactly where Cassandra's vector does", () => {
    for (const v of vectors.vectors.filter((v) => v.name.includes("300 KiB"))) {
      const bytes = input(v.input);
      const ours = new SegmentEncoder({ compression: compressionOf(v.compression) }).encode(bytes);
      assert.equal(toHex(ours), toHex(expectedWire(v, bytes)), v.name);
      assert.deepEqual(envelopesOf(ours, compressionOf(v.compression)), [envelopeText(bytes)]);
    }
  });
});

describe("packing envelopes into segments", () => {
  for (const compression of [null, "lz4"] as const) {
    const name = compression ?? "uncompressed";
    const enc = new SegmentEncoder({ compression });
    const segmentsOf = (wire: Uint8Array) => payloadsOf(wire, compression);

    it(`${name}: 1 000 tiny envelopes share one self-contained segment`, () => {
      const parts = Array.from({ length: 1000 }, (_, i) => envelope(i, 5, i, i % 5));
      const wire = enc.encode(concat(parts));
      const segs = segmentsOf(wire);
      assert.equal(segs.length, 1);
      assert.ok(segs[0].selfContained);
      assert.deepEqual(envelopesOf(wire, compression), parts.map(envelopeText));
    });
    it(`${name}: envelopes filling exactly 131 071 bytes take one segment, one byte more takes two`, () => {
      const a = envelope(1, 7, 1, 100_000 - 9);
      const exact = envelope(2, 7, 2, MAX_SEGMENT_PAYLOAD - 100_000 - 9);
      assert.equal(segmentsOf(enc.encode(concat([a, exact]))).length, 1);
      const over = envelope(2, 7, 2, MAX_SEGMENT_PAYLOAD - 100_000 - 8);
      const segs = segmentsOf(enc.encode(concat([a, over])));
      assert.deepEqual(segs.map((s) => [s.payload.length / 2, s.selfContained]), [
        [100_000, true], [MAX_SEGMENT_PAYLOAD - 100_000 + 1, true],
      ]);
    });
    it(`${name}: an envelope of 131 071 bytes is self-contained; of 131 072, two non-self-contained segments`, () => {
      const fits = envelope(3, 7, 3, MAX_SEGMENT_PAYLOAD - 9);
      assert.deepEqual(segmentsOf(enc.encode(fits)).map((s) => s.selfContained), [true]);
      const big = envelope(3, 7, 3, MAX_SEGMENT_PAYLOAD - 8);
      const wire = enc.encode(big);
      assert.deepEqual(segmentsOf(wire).map((s) => [s.payload.length / 2, s.selfContained]), [
        [MAX_SEGMENT_PAYLOAD, false], [1, false],
      ]);
      assert.deepEqual(envelopesOf(wire, compression), [envelopeText(big)]);
    });
    it(`${name}: small envelopes around a 300 KiB one: flushed before, split, resumed after`, () => {
      const parts = [envelope(1, 7, 1, 10), envelope(2, 7, 2, 300 * 1024), envelope(3, 7, 3, 20)];
      const wire = enc.encode(concat(parts));
      assert.deepEqual(segmentsOf(wire).map((s) => [s.payload.length / 2, s.selfContained]), [
        [19, true], [MAX_SEGMENT_PAYLOAD, false], [MAX_SEGMENT_PAYLOAD, false],
        [300 * 1024 + 9 - 2 * MAX_SEGMENT_PAYLOAD, false], [29, true],
      ]);
      assert.deepEqual(envelopesOf(wire, compression), parts.map(envelopeText));
    });
    it(`${name}: encodeInto appends the same bytes encode returns, after what the writer held`, () => {
      const all = concat([envelope(1, 7, 1, 10), envelope(2, 7, 2, 200_000)]);
      const w = new Writer(4).writeByte(0xee);
      enc.encodeInto(w, all, 0, all.length);
      assert.equal(toHex(w.toBytes()), "ee" + toHex(enc.encode(all)));
    });
    it(`${name}: encodes a sub-range of a larger buffer, and nothing for an empty range`, () => {
      const e = envelope(4, 7, 4, 30);
      const buf = concat([new Uint8Array(5), e, new Uint8Array(3)]);
      assert.deepEqual(envelopesOf(enc.encode(buf, 5, 5 + e.length), compression), [envelopeText(e)]);
      assert.equal(enc.encode(buf, 2, 2).length, 0);
    });
  }
  it("compressible envelopes are sent LZ4-compressed; incompressible ones as is (uncompressed length 0)", () => {
    const enc = new SegmentEncoder({ compression: "lz4" });
    const text = input({ text: { length: 5000 } });
    const e = envelope(1, 7, 1, text.length);
    e.set(text, 9);
    const small = enc.encode(e);
    assert.ok(small.length < 500, `${small.length} bytes`);
    assert.equal(readLz4SegmentHeader(small, 0).uncompressedLength, e.length);
    const random = enc.encode(envelope(1, 7, 1, 5000));
    assert.equal(readLz4SegmentHeader(random, 0).uncompressedLength, 0);
    assert.equal(readLz4SegmentHeader(random, 0).payloadLength, 5009);
  });
  it("refuses ranges that are not whole envelopes, and a bad maxPayload", () => {
    const enc = new SegmentEncoder();
    const e = envelope(1, 7, 1, 10);
    assert.throws(() => enc.encode(e, 0, 5), RangeError);
    assert.throws(() => enc.encode(e, 0, e.length - 1), /past the range/);
    assert.throws(() => enc.encode(e, 0, e.length + 1), RangeError);
    assert.throws(() => new SegmentEncoder({ maxPayload: 0 }), RangeError);
    assert.throws(() => new SegmentEncoder({ maxPayload: MAX_SEGMENT_PAYLOAD + 1 }), RangeError);
    assert.throws(() => enc.writeSegment(new Writer(), new Uint8Array(MAX_SEGMENT_PAYLOAD + 1), 0, MAX_SEGMENT_PAYLOAD + 1, true), RangeError);
  });
});

describe("decoding in chunks split anywhere", () => {
  for (const compression of [null, "lz4"] as const) {
    // Small segments (maxPayload 40) so a short stream holds several segments of both kinds.
    const enc = new SegmentEncoder({ compression, maxPayload: 40 });
    const text = input({ text: { length: 60 } });
    const parts = [envelope(1, 7, 1, 5), envelope(2, 8, 2, 12), envelope(3, 7, 3, 70), envelope(-1, 12, 4, 0)];
    parts[2].set(text.subarray(0, 70 - 10), 19);
    const wire = enc.encode(concat(parts));
    const expected = parts.map(envelopeText);
    it(`${compression ?? "uncompressed"}: one cut at every position, and byte by byte`, () => {
      assert.ok(payloadsOf(wire, compression).length >= 4);
      for (let cut = 0; cut <= wire.length; cut++) {
        assert.deepEqual(envelopesOf(wire, compression, [cut]), expected, `cut at ${cut}`);
      }
      const every = Array.from({ length: wire.length }, (_, i) => i);
      assert.deepEqual(envelopesOf(wire, compression, every), expected);
    });
    it(`${compression ?? "uncompressed"}: two cuts at every pair of positions`, () => {
      for (let a = 0; a <= wire.length; a += 3) {
        for (let b = a; b <= wire.length; b += 5) {
          assert.deepEqual(envelopesOf(wire, compression, [a, b]), expected, `cuts ${a}, ${b}`);
        }
      }
    });
  }
});

describe("envelopes handed as ranges of the received chunk", () => {
  it("a segment whole in the chunk: every body is a range of the chunk itself, no view", () => {
    const wire = new SegmentEncoder().encode(concat([envelope(1, 8, 1, 5), envelope(2, 8, 2, 7)]));
    // A socket reader hands one longer buffer with every chunk.
    const received = new Uint8Array(wire.length + 100);
    received.set(wire);
    const bodies: { same: boolean; start: number; end: number }[] = [];
    new SegmentFrameDecoder((_, body, start, end) => {
      bodies.push({ same: body === received, start, end });
    }).push(received, wire.length);
    assert.deepEqual(bodies, [
      { same: true, start: 6 + 9, end: 6 + 9 + 5 },
      { same: true, start: 6 + 9 + 5 + 9, end: 6 + 9 + 5 + 9 + 7 },
    ]);
  });
});

describe("corruption: ProtocolError naming the fault, then the decoder is defunct", () => {
  const wire = new SegmentEncoder().encode(concat([envelope(1, 7, 1, 20), envelope(2, 7, 2, 20)]));
  const lz4Wire = new SegmentEncoder({ compression: "lz4" }).encode(
    (() => { const e = envelope(1, 7, 1, 300); e.set(input({ text: { length: 300 } }), 9); return e; })(),
  );

  it("a flipped header bit: CRC24 mismatch, before the payload even arrives", () => {
    const bad = wire.slice(0, 6);
    bad[1] ^= 0x10;
    const d = new SegmentDecoder(() => assert.fail("no payload"));
    throwsProtocol(() => d.push(bad), /^segment header CRC24 mismatch: expected 0x[0-9a-f]{6}, got 0x[0-9a-f]{6}$/);
    throwsProtocol(() => d.push(wire), /already failed: segment header CRC24 mismatch/);
  });
  it("a flipped header-CRC bit, split byte by byte", () => {
    const bad = wire.slice();
    bad[4] ^= 0x01;
    const d = new SegmentDecoder(() => assert.fail("no payload"));
    for (let i = 0; i < 5; i++) d.push(bad.subarray(i, i + 1));
    throwsProtocol(() => d.push(bad.subarray(5, 6)), /segment header CRC24 mismatch/);
  });
  it("a flipped payload bit or trailer bit: CRC32 mismatch naming both values", () => {
    for (const at of [6, 30, wire.length - 1]) {
      const bad = wire.slice();
      bad[at] ^= 0x80;
      throwsProtocol(() => new SegmentDecoder(() => assert.fail("no payload")).push(bad),
        /^segment payload CRC32 mismatch: expected 0x[0-9a-f]{8}, got 0x[0-9a-f]{8} \(58-byte payload\)$/);
    }
  });
  it("an LZ4 header whose uncompressed length is off by one (CRCs valid): length mismatch", () => {
    const h = readLz4SegmentHeader(lz4Wire, 0);
    for (const claim of [h.uncompressedLength - 1, h.uncompressedLength + 1]) {
      const bad = lz4Wire.slice();
      writeLz4SegmentHeader(bad, 0, h.payloadLength, claim, true);
      throwsProtocol(() => new SegmentDecoder(() => {}, "lz4").push(bad),
        new RegExp(`LZ4 segment of ${h.payloadLength} bytes does not decompress to the ${claim} bytes`));
    }
  });
  it("LZ4 garbage under a valid CRC32: malformed LZ4 block", () => {
    const bytes = lz4SegmentClaiming(new Uint8Array([0xf0, 0x01]), 100);
    throwsProtocol(() => new SegmentDecoder(() => {}, "lz4").push(bytes), /malformed LZ4 block/);
  });
  it("an LZ4 claim no payload of that size can meet is refused before allocating for it", () => {
    const bytes = lz4SegmentClaiming(new Uint8Array([0x1f, 0x00]), MAX_SEGMENT_PAYLOAD);
    const { result, alloc } = spyAllocations(() => {
      try {
        new SegmentDecoder(() => {}, "lz4").push(bytes);
      } catch (e) {
        return e;
      }
    });
    assert.ok(result instanceof ProtocolError);
    assert.match(result.message, /LZ4 segment of 2 bytes cannot decompress to the 131071 bytes/);
    assert.ok(alloc.maxBytes < 1024, `allocated ${alloc.maxBytes}`);
  });
  it("an uncompressed decoder fed LZ4 segments fails on the header CRC", () => {
    throwsProtocol(() => new SegmentDecoder(() => {}).push(lz4Wire), /CRC24 mismatch/);
  });
  it("a truncated stream delivers nothing and stays not idle", () => {
    for (const cut of [1, 5, 6, 20, wire.length - 1]) {
      let n = 0;
      const d = new SegmentFrameDecoder(() => n++);
      d.push(wire.subarray(0, cut));
      assert.equal(n, 0);
      assert.equal(d.idle, false, `cut ${cut}`);
    }
  });
  it("an envelope claiming more than the self-contained segment holds, or over 256 MiB", () => {
    const e = envelope(1, 7, 1, 20);
    new DataView(e.buffer).setUint32(5, 21);
    // Our encoder refuses such a range; a server could still send one.
    assert.throws(() => new SegmentEncoder().encode(e), RangeError);
    const decode = (bytes: Uint8Array) => () => new SegmentFrameDecoder(() => {}).push(bytes);
    throwsProtocol(decode(segmentOf(e)),
      /^self-contained segment ends inside an envelope: body of 21 bytes, 20 in the segment$/);
    throwsProtocol(decode(segmentOf(e, true, null, 0, 5)), /ends inside an envelope header \(5 of 9 bytes\)/);
    new DataView(e.buffer).setUint32(5, MAX_FRAME_BODY + 1);
    throwsProtocol(decode(segmentOf(e)), /exceeds the 268435456-byte limit/);
  });
  it("a v4 envelope inside a v5 segment is refused, naming both versions", () => {
    const e = envelope(1, 7, 1, 3);
    e[0] = 0x84;
    throwsProtocol(() => new SegmentFrameDecoder(() => {}).push(new SegmentEncoder().encode(e)),
      /protocol version 4; this connection speaks v5/);
  });
  it("a self-contained segment in the middle of a split envelope, or a part past its envelope", () => {
    const a = new EnvelopeAssembler(() => {});
    const big = envelope(1, 7, 1, 100);
    a.segment(big.subarray(0, 50), false);
    throwsProtocol(() => a.segment(envelope(2, 7, 2, 1), true), /in the middle of a split envelope \(50 of 109 bytes\)/);
    const b = new EnvelopeAssembler(() => {});
    b.segment(big.subarray(0, 100), false);
    throwsProtocol(() => b.segment(concat([big.subarray(100), new Uint8Array(3)]), false), /carries 3 bytes past the envelope's end/);
  });
  it("a split envelope's header may itself be split, and an empty body completes on its header", () => {
    const got: string[] = [];
    const a = new EnvelopeAssembler((h, body) => got.push(`${h.stream}:${body.length}`));
    const e = envelope(9, 7, 1, 0);
    a.segment(e.subarray(0, 4), false);
    a.segment(e.subarray(4), false);
    assert.deepEqual(got, ["9:0"]);
    assert.ok(a.idle);
  });
  it("a handler's error passes through and leaves the decoder defunct", () => {
    const d = new SegmentFrameDecoder(() => { throw new ProtocolError("server answered on stream 1, which has no request"); });
    throwsProtocol(() => d.push(wire), /no request/);
    throwsProtocol(() => d.push(wire), /already failed: server answered on stream 1/);
  });
});

describe("memory follows the bytes received", () => {
  it("a header claiming a full 128 KiB payload with 3 bytes sent allocates about what arrived", () => {
    const head = segmentOf(new Uint8Array(MAX_SEGMENT_PAYLOAD)).slice(0, 9);
    const { alloc } = spyAllocations(() => {
      const d = new SegmentDecoder(() => assert.fail("incomplete"));
      for (let i = 0; i < head.length; i++) d.push(head.subarray(i, i + 1));
    });
    assert.ok(alloc.maxBytes <= 64, `allocated ${alloc.maxBytes} for 9 bytes`);
  });
  it("a split 300 KiB envelope: the segment buffer stays within one segment", () => {
    const e = envelope(1, 7, 1, 300 * 1024);
    const wire = new SegmentEncoder().encode(e);
    const { alloc } = spyAllocations(() => {
      const d = new SegmentFrameDecoder(() => {});
      for (let at = 0; at < wire.length; at += 1000) d.push(wire.subarray(at, at + 1000));
    });
    // The joined envelope body is the largest allocation; the segment buffer is at most one segment.
    assert.ok(alloc.maxBytes <= e.length, `largest allocation ${alloc.maxBytes}`);
  });
});
