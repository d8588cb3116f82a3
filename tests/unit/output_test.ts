/**
 * The connection's output hands the socket ranges of its buffer instead of copies: what was
 * handed over must never change afterwards, whatever is appended later, across buffer switches
 * and growth. On v5 the frames of a write are sealed in place as one segment (header before,
 * CRC after them), byte for byte what the segment encoder makes of them.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Output } from "../../src/pool/output.ts";
import { Framing } from "../../src/pool/framing.ts";
import type { Socket } from "../../src/runtime/mod.ts";
import type { Writer } from "../../src/wire/bytes.ts";
import {
  type SegmentCompression,
  SegmentEncoder,
  SegmentFrameDecoder,
} from "../../src/wire/segment/mod.ts";

/** A socket that records each write, and a copy of it as it was when written. */
function recordingSocket(): { socket: Socket; writes: Uint8Array[]; copies: Uint8Array[] } {
  const writes: Uint8Array[] = [];
  const copies: Uint8Array[] = [];
  const socket: Socket = {
    pendingBytes: 0,
    write(bytes, start, end) {
      writes.push(bytes.subarray(start, end));
      copies.push(bytes.slice(start, end));
      return false; // keeps the bytes until written, as Deno's and Node's sockets do
    },
    close() {},
  };
  return { socket, writes, copies };
}

/**
 * A socket that takes each write's bytes during the call and keeps no reference (Bun's
 * unbuffered write): it records a copy of each range and where it lay.
 */
function consumingSocket() {
  const copies: Uint8Array[] = [];
  const ranges: { buffer: ArrayBufferLike; start: number; capacity: number }[] = [];
  const socket: Socket = {
    pendingBytes: 0,
    write(bytes, start, end) {
      copies.push(bytes.slice(start, end));
      ranges.push({ buffer: bytes.buffer, start, capacity: bytes.length });
      return true;
    },
    close() {},
  };
  return { socket, copies, ranges };
}

/** A frame of `n` body bytes, each `fill`. */
function frame(n: number, fill: number) {
  return {
    encode(w: Writer) {
      w.writeRaw(
        new Uint8Array([4, 0, 0, 0, 0x07, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]),
      );
      w.writeRaw(new Uint8Array(n).fill(fill));
    },
  };
}

/** 300 flushes of ten 100-byte frames each (327 KiB), flush `i`'s bodies filled with `i & 0xff`. */
function flush300(out: Output): void {
  let stream = 0;
  for (let flush = 0; flush < 300; flush++) {
    for (let k = 0; k < 10; k++) out.append(stream++ & 0x7fff, frame(100, flush & 0xff));
    out.flush();
  }
}

/** An output on a v4 connection, or on v5 past READY (frames travel in segments). */
function outputWith(socket: Socket, version = 4, compression: SegmentCompression = null): Output {
  const framing = new Framing(() => {}, version);
  if (version === 5) framing.startSegments(compression);
  const out = new Output(framing);
  out.socket = socket;
  return out;
}

describe("Output: ranges handed to the socket", () => {
  it("stay as written while later frames fill and replace the buffer (300 KiB over 64 KiB)", () => {
    const { socket, writes, copies } = recordingSocket();
    flush300(outputWith(socket));
    assert.equal(writes.length, 300);
    for (let i = 0; i < writes.length; i++) {
      assert.equal(writes[i].length, 10 * 109, `write ${i}`);
      assert.deepEqual(writes[i], copies[i], `write ${i} changed after it was handed over`);
      assert.equal(writes[i][9], i & 0xff, `write ${i} carries its own frames`);
    }
    // Views share buffers: the output did not copy per write.
    assert.ok(new Set(writes.map((w) => w.buffer)).size < 10);
  });

  it("a frame larger than the buffer goes out whole; earlier views keep their bytes", () => {
    const { socket, writes, copies } = recordingSocket();
    const out = outputWith(socket);
    out.append(1, frame(1000, 1));
    out.flush();
    out.append(2, frame(200 * 1024, 2));
    out.append(3, frame(10, 3));
    out.flush();
    assert.equal(writes.length, 2);
    assert.deepEqual(writes[0], copies[0]);
    assert.equal(writes[1].length, 9 + 200 * 1024 + 9 + 10);
    assert.equal(writes[1][3], 2, "stream id of the big frame");
    assert.equal(writes[1][9 + 200 * 1024 - 1], 2);
    assert.equal(writes[1][9 + 200 * 1024 + 9], 3);
  });

  it("a frame whose encoder throws leaves nothing; the next flush has only the good frames", () => {
    const { socket, writes } = recordingSocket();
    const out = outputWith(socket);
    out.append(1, frame(5, 1));
    out.flush();
    out.append(2, frame(5, 2));
    assert.throws(() =>
      out.append(3, {
        encode(w: Writer) {
          w.writeRaw(new Uint8Array(50));
          throw new TypeError("bad value");
        },
      }), TypeError);
    out.append(4, frame(5, 4));
    out.flush();
    assert.equal(writes.length, 2);
    assert.deepEqual([...writes[1]].filter((_, i) => i === 3 || i === 17), [2, 4]);
    assert.equal(writes[1].length, 28);
  });

  it("a socket that took the bytes during the call leaves their room to the next frames", () => {
    const { socket, copies, ranges } = consumingSocket();
    flush300(outputWith(socket));
    assert.equal(copies.length, 300);
    for (let i = 0; i < copies.length; i++) {
      assert.equal(copies[i].length, 10 * 109, `write ${i}`);
      assert.equal(copies[i][9], i & 0xff, `write ${i} carries its own frames`);
      assert.equal(ranges[i].start, 0, `write ${i} starts where the previous one did`);
    }
    // One buffer for all 300 writes (327 KiB): nothing was allocated per flush.
    assert.equal(new Set(ranges.map((r) => r.buffer)).size, 1);
  });

  it("a socket that took the bytes: after a frame larger than the buffer, 64 KiB again", () => {
    const { socket, copies, ranges } = consumingSocket();
    const out = outputWith(socket);
    out.append(1, frame(200 * 1024, 7));
    out.flush();
    out.append(2, frame(10, 8));
    out.flush();
    assert.equal(copies[0].length, 9 + 200 * 1024);
    assert.equal(copies[0][9 + 200 * 1024 - 1], 7);
    assert.deepEqual([...copies[1]], [4, 0, 0, 2, 0x07, 0, 0, 0, 10, ...new Array(10).fill(8)]);
    assert.ok(ranges[0].capacity > 64 * 1024);
    assert.equal(ranges[1].capacity, 64 * 1024, "the grown buffer was not kept");
  });

  it("an empty flush writes nothing", () => {
    const { socket, writes } = recordingSocket();
    const out = outputWith(socket);
    out.flush();
    out.append(1, frame(1, 1));
    out.flush();
    out.flush();
    assert.equal(writes.length, 1);
  });
});

/** The envelopes (stream, first body byte, body length) that `wire` decodes to. */
function envelopesIn(wire: Uint8Array, compression: SegmentCompression = null) {
  const got: { stream: number; fill: number; length: number }[] = [];
  const d = new SegmentFrameDecoder((h, body, start, end) => {
    got.push({ stream: h.stream, fill: body[start], length: end - start });
  }, { compression });
  d.push(wire);
  assert.ok(d.idle, "a whole number of segments");
  return got;
}

describe("Output on v5: one segment per write, sealed in place", () => {
  it("each write is the segment the encoder makes of its frames, and stays so after hand-over", () => {
    const { socket, writes, copies } = recordingSocket();
    flush300(outputWith(socket, 5));
    assert.equal(writes.length, 300);
    const plain = recordingSocket();
    const v4 = outputWith(plain.socket);
    for (let i = 0; i < writes.length; i++) {
      assert.deepEqual(writes[i], copies[i], `write ${i} changed after it was handed over`);
      // The same ten frames through the v4 output (no segments), then the encoder.
      for (let k = 0; k < 10; k++) v4.append((i * 10 + k) & 0x7fff, frame(100, i & 0xff));
      v4.flush();
      const frames = plain.copies[i].slice();
      for (let at = 0; at < frames.length; at += 109) frames[at] = 0x05;
      assert.deepEqual(writes[i], new SegmentEncoder().encode(frames), `write ${i}`);
      const got = envelopesIn(writes[i]);
      assert.equal(got.length, 10);
      assert.ok(got.every((e) => e.fill === (i & 0xff) && e.length === 100));
    }
    // Views share buffers: the output neither copied nor allocated per write.
    assert.ok(new Set(writes.map((w) => w.buffer)).size < 10);
  });

  it("frames over one segment's 128 KiB go as several segments, decoded whole", () => {
    const { socket, writes } = recordingSocket();
    const out = outputWith(socket, 5);
    out.append(1, frame(10, 1));
    out.flush();
    out.append(2, frame(200 * 1024, 2));
    out.append(3, frame(10, 3));
    out.flush();
    out.append(4, frame(10, 4));
    out.flush();
    assert.deepEqual(envelopesIn(writes[0]), [{ stream: 1, fill: 1, length: 10 }]);
    assert.deepEqual(envelopesIn(writes[1]), [
      { stream: 2, fill: 2, length: 200 * 1024 },
      { stream: 3, fill: 3, length: 10 },
    ]);
    assert.deepEqual(envelopesIn(writes[2]), [{ stream: 4, fill: 4, length: 10 }]);
  });

  it("a first frame whose encoder throws leaves no segment header behind", () => {
    const { socket, writes } = recordingSocket();
    const out = outputWith(socket, 5);
    const bad = {
      encode(w: Writer) {
        w.writeRaw(new Uint8Array(50));
        throw new TypeError("bad value");
      },
    };
    assert.throws(() => out.append(1, bad), TypeError);
    out.flush();
    assert.equal(writes.length, 0, "a write of no frames is no write");
    assert.throws(() => out.append(2, bad), TypeError);
    out.append(3, frame(5, 3));
    out.flush();
    assert.deepEqual(envelopesIn(writes[0]), [{ stream: 3, fill: 3, length: 5 }]);
  });

  it("LZ4 segments are made by the encoder, as before", () => {
    const { socket, writes } = recordingSocket();
    const out = outputWith(socket, 5, "lz4");
    out.append(1, frame(3000, 9));
    out.append(2, frame(10, 8));
    out.flush();
    assert.ok(writes[0].length < 3000, "compressed");
    assert.deepEqual(envelopesIn(writes[0], "lz4"), [
      { stream: 1, fill: 9, length: 3000 },
      { stream: 2, fill: 8, length: 10 },
    ]);
  });
});
