/**
 * Frame reassembly from a byte stream (`src/wire/frame_decoder.ts`): frames
 * split anywhere, several per chunk, empty bodies, and oversized headers
 * rejected before any body buffer is allocated.
 *
 * Deno: `deno test -A tests/unit/frame_decoder_test.ts`;
 * Bun: `bun test tests/unit/frame_decoder_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import { FrameDecoder } from "../../src/wire/frame_decoder.ts";
import { HEADER_LENGTH, Opcode } from "../../src/wire/frame.ts";

interface Got {
  stream: number;
  opcode: number;
  flags: number;
  body: number[];
}

/** A server-to-client v4 frame. */
function frame(stream: number, opcode: number, body: number[] | Uint8Array, flags = 0): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  out[0] = 0x84;
  out[1] = flags;
  out[2] = (stream >> 8) & 0xff;
  out[3] = stream & 0xff;
  out[4] = opcode;
  new DataView(out.buffer).setUint32(5, body.length);
  out.set(body, HEADER_LENGTH);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A decoder that records every frame, copying the body while it is valid. */
function recorder(): { decoder: FrameDecoder; got: Got[] } {
  const got: Got[] = [];
  const decoder = new FrameDecoder((h, bytes, start, end) => {
    got.push({
      stream: h.stream,
      opcode: h.opcode,
      flags: h.flags,
      body: [...bytes.subarray(start, end)],
    });
  });
  return { decoder, got };
}

function expected(frames: Uint8Array[]): Got[] {
  return frames.map((f) => ({
    stream: ((f[2] << 24) >> 16) | f[3],
    opcode: f[4],
    flags: f[1],
    body: [...f.subarray(HEADER_LENGTH)],
  }));
}

/** Feeds `bytes` cut at the given (sorted, in-range) offsets. */
function feedSplit(decoder: FrameDecoder, bytes: Uint8Array, cuts: number[]): void {
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    // A fresh copy per chunk: the socket layer may reuse its read buffer.
    decoder.push(bytes.slice(prev, c));
    prev = c;
  }
}

const SAMPLE = [
  frame(1, Opcode.READY, []),
  frame(2, Opcode.RESULT, [0, 0, 0, 1]),
  frame(-1, Opcode.EVENT, Array.from({ length: 40 }, (_, i) => i), 0x08),
  frame(300, Opcode.ERROR, []),
  frame(32767, Opcode.RESULT, Array.from({ length: 17 }, (_, i) => 255 - i), 0x02),
];

describe("FrameDecoder", () => {
  it("hands out one whole frame pushed at once", () => {
    const { decoder, got } = recorder();
    decoder.push(frame(5, Opcode.RESULT, [0, 0, 0, 1]));
    assert.deepEqual(got, [{ stream: 5, opcode: Opcode.RESULT, flags: 0, body: [0, 0, 0, 1] }]);
    assert.equal(decoder.idle, true);
  });

  it("hands out several frames from one chunk, in order", () => {
    const { decoder, got } = recorder();
    decoder.push(concat(SAMPLE));
    assert.deepEqual(got, expected(SAMPLE));
    assert.equal(decoder.idle, true);
  });

  it("handles zero-length bodies, alone and back to back", () => {
    const { decoder, got } = recorder();
    const empties = [frame(0, Opcode.READY, []), frame(1, Opcode.READY, []), frame(2, 0x10, [])];
    decoder.push(empties[0]);
    decoder.push(concat(empties.slice(1)));
    assert.deepEqual(got, expected(empties));
    assert.ok(got.every((g) => g.body.length === 0));
  });

  it("reassembles when fed one byte at a time", () => {
    const { decoder, got } = recorder();
    const all = concat(SAMPLE);
    for (let i = 0; i < all.length; i++) {
      decoder.push(all.slice(i, i + 1));
      // A frame appears exactly when its last byte arrives.
      const done = SAMPLE.filter((_, k) => concat(SAMPLE.slice(0, k + 1)).length <= i + 1).length;
      assert.equal(got.length, done, `after byte ${i}`);
    }
    assert.deepEqual(got, expected(SAMPLE));
    assert.equal(decoder.idle, true);
  });

  it("reassembles when split at every single boundary", () => {
    const all = concat(SAMPLE);
    for (let cut = 0; cut <= all.length; cut++) {
      const { decoder, got } = recorder();
      feedSplit(decoder, all, [cut]);
      assert.deepEqual(got, expected(SAMPLE), `cut at ${cut}`);
      assert.equal(decoder.idle, true);
    }
  });

  it("reassembles a header split across two and three chunks", () => {
    const f = frame(9, Opcode.RESULT, [1, 2, 3]);
    for (let a = 1; a < HEADER_LENGTH; a++) {
      for (let b = a; b < HEADER_LENGTH; b++) {
        const { decoder, got } = recorder();
        feedSplit(decoder, f, [a, b]);
        assert.deepEqual(got, expected([f]), `cuts ${a},${b}`);
      }
    }
  });

  it("is not idle while a header or body is partial", () => {
    const { decoder } = recorder();
    const f = frame(1, Opcode.RESULT, [1, 2, 3, 4]);
    decoder.push(f.slice(0, 4));
    assert.equal(decoder.idle, false, "partial header");
    decoder.push(f.slice(4, 11));
    assert.equal(decoder.idle, false, "partial body");
    decoder.push(f.slice(11));
    assert.equal(decoder.idle, true);
  });

  it("ignores empty chunks at any point", () => {
    const { decoder, got } = recorder();
    const f = frame(3, Opcode.RESULT, [7, 7]);
    const empty = new Uint8Array(0);
    decoder.push(empty);
    decoder.push(f.slice(0, 5));
    decoder.push(empty);
    decoder.push(f.slice(5, 10));
    decoder.push(empty);
    decoder.push(f.slice(10));
    decoder.push(empty);
    assert.deepEqual(got, expected([f]));
  });

  it("reassembles a 1 MiB body split into odd-sized chunks", () => {
    const body = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) & 0xff);
    const f = frame(4, Opcode.RESULT, body);
    const { decoder, got } = recorder();
    const cuts: number[] = [];
    for (let at = 1000; at < f.length; at += 65_537) cuts.push(at);
    feedSplit(decoder, f, cuts);
    assert.equal(got.length, 1);
    assert.deepEqual(new Uint8Array(got[0].body), body);
  });

  it("reassembles any split of any frame sequence (property)", () => {
    const arbFrame = fc.record({
      stream: fc.integer({ min: -1, max: 32767 }),
      opcode: fc.integer({ min: 0, max: 0x10 }),
      flags: fc.integer({ min: 0, max: 0x0f }),
      body: fc.uint8Array({ maxLength: 64 }),
    }).map((r) => frame(r.stream, r.opcode, r.body, r.flags));
    fc.assert(
      fc.property(
        fc.array(arbFrame, { minLength: 1, maxLength: 8 }).chain((frames) => {
          const total = frames.reduce((n, f) => n + f.length, 0);
          return fc.tuple(
            fc.constant(frames),
            fc.uniqueArray(fc.integer({ min: 1, max: total - 1 }), { maxLength: 20 })
              .map((cuts) => cuts.sort((a, b) => a - b)),
          );
        }),
        ([frames, cuts]) => {
          const { decoder, got } = recorder();
          feedSplit(decoder, concat(frames), cuts);
          assert.deepEqual(got, expected(frames));
          assert.equal(decoder.idle, true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reads only chunk[0, end) of a reused longer read buffer, as the Deno and Bun sockets hand it (property)", () => {
    const arbFrame = fc.record({
      stream: fc.integer({ min: 0, max: 32767 }),
      body: fc.uint8Array({ maxLength: 64 }),
    }).map((r) => frame(r.stream, Opcode.RESULT, r.body));
    fc.assert(
      fc.property(
        fc.array(arbFrame, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 255 }),
        (frames, sizes, garbage) => {
          const bytes = concat(frames);
          const { decoder, got } = recorder();
          // One buffer for every read, longer than any chunk; what lies past a chunk is stale.
          const readBuffer = new Uint8Array(64).fill(garbage);
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            const n = Math.min(sizes[i % sizes.length], bytes.length - at);
            readBuffer.set(bytes.subarray(at, at + n));
            decoder.push(readBuffer, n);
            readBuffer.fill(garbage); // the socket reuses it for the next read
            at += n;
          }
          assert.deepEqual(got, expected(frames));
          assert.equal(decoder.idle, true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hands a frame wholly inside a chunk out as a range of it (no copy, no view)", () => {
    const chunk = frame(1, Opcode.RESULT, [9, 8, 7]);
    let got: [Uint8Array, number, number] | undefined;
    new FrameDecoder((_h, b, s, e) => got = [b, s, e]).push(chunk);
    assert.equal(got![0], chunk);
    assert.deepEqual(got!.slice(1), [HEADER_LENGTH, HEADER_LENGTH + 3]);
  });

  it("copies a split frame, so the caller may reuse its read buffer", () => {
    const f = frame(1, Opcode.RESULT, [1, 2, 3, 4, 5, 6]);
    const readBuffer = new Uint8Array(8);
    let body: number[] = [];
    const decoder = new FrameDecoder((_h, b, s, e) => body = [...b.subarray(s, e)]);
    readBuffer.set(f.subarray(0, 8));
    decoder.push(readBuffer.subarray(0, 8));
    readBuffer.fill(0xee); // reused by the socket for the next read
    readBuffer.set(f.subarray(8), 0);
    decoder.push(readBuffer.subarray(0, f.length - 8));
    assert.deepEqual(body, [1, 2, 3, 4, 5, 6]);
  });
});

describe("FrameDecoder rejects hostile headers", () => {
  const huge = (len: number) => {
    const h = new Uint8Array(HEADER_LENGTH);
    h.set([0x84, 0x00, 0x00, 0x01, Opcode.RESULT]);
    new DataView(h.buffer).setUint32(5, len);
    return h;
  };

  it("a 2 GiB claim throws ProtocolError from the header alone", () => {
    const { decoder, got } = recorder();
    // Only the 9 header bytes: the check must not wait for (or allocate) the body.
    assert.throws(() => decoder.push(huge(0x80000000)), ProtocolError);
    assert.equal(got.length, 0);
  });

  it("a 2 GiB claim split inside the header throws once the header completes", () => {
    const { decoder } = recorder();
    const h = huge(0x80000000);
    decoder.push(h.slice(0, 6));
    assert.throws(() => decoder.push(h.slice(6)), ProtocolError);
  });

  it("a 2 GiB claim after a good frame in the same chunk: the good frame is delivered", () => {
    const { decoder, got } = recorder();
    const good = frame(1, Opcode.READY, []);
    assert.throws(() => decoder.push(concat([good, huge(0x80000000)])), ProtocolError);
    assert.deepEqual(got, expected([good]));
  });

  it("a 4 GiB - 1 claim is rejected, not read as -1", () => {
    const { decoder } = recorder();
    assert.throws(() => decoder.push(huge(0xffffffff)), ProtocolError);
  });

  it("a wrong protocol version is a ProtocolError", () => {
    const { decoder } = recorder();
    const f = frame(1, Opcode.READY, []);
    f[0] = 0x83;
    assert.throws(() => decoder.push(f), /protocol version 3/);
  });
});
