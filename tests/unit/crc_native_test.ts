// The runtime's native CRC-32 (node:zlib crc32) for v5 segment payloads: it must give
// Cassandra's CRC32 exactly (the vectors made by Cassandra's own Crc), a wrong function is
// refused, and segments encode and decode the same with either.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { crc32, crc32Update, useCrc32 } from "../../src/wire/segment/crc.ts";
import { SegmentEncoder, SegmentFrameDecoder } from "../../src/wire/segment/mod.ts";
import { nativeCrc32 } from "../../src/runtime/mod.ts";
import { input, loadVectors } from "./vectors/inputs.ts";

const vectors = loadVectors();

describe("native CRC-32 for segment payloads", () => {
  after(() => useCrc32(null));

  it("this runtime has one, and with it every Cassandra vector still matches", async () => {
    const fn = await nativeCrc32();
    assert.equal(typeof fn, "function");
    assert.equal(useCrc32(fn), true);
    for (const v of vectors.crc32) {
      const b = input(v.input);
      assert.equal(crc32(b, 0, b.length), v.crc, `${b.length} bytes`);
    }
  });

  it("agrees with the table-driven CRC on any slice of any bytes", async () => {
    const fn = (await nativeCrc32())!;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const from = bytes.length ? a % bytes.length : 0;
        const to = from + (bytes.length - from ? b % (bytes.length - from + 1) : 0);
        useCrc32(null);
        const table = crc32(bytes, from, to);
        useCrc32(fn);
        assert.equal(crc32(bytes, from, to), table);
      }),
      { numRuns: 300 },
    );
  });

  it("a function that disagrees is refused and the table-driven CRC stays", () => {
    useCrc32(null);
    const b = new Uint8Array([1, 2, 3, 4, 5]);
    const before = crc32(b, 0, 5);
    assert.equal(useCrc32((data, crc) => crc ^ data.length), false);
    assert.equal(crc32(b, 0, 5), before);
    assert.equal(crc32Update(0, b, 0, 5), 0x470b99f4);
  });

  it("segments written with the native CRC decode, envelope for envelope", async () => {
    useCrc32(await nativeCrc32());
    const body = new Uint8Array(200_000).map((_, i) => (i * 13) & 0xff);
    const frame = new Uint8Array(9 + body.length);
    frame.set([0x85, 0, 0, 7, 0x08], 0);
    new DataView(frame.buffer).setInt32(5, body.length);
    frame.set(body, 9);
    const wire = new SegmentEncoder().encode(frame, 0, frame.length);
    const got: Uint8Array[] = [];
    const d = new SegmentFrameDecoder((_h, b, s, e) => got.push(b.slice(s, e)), { version: 5 });
    for (let at = 0; at < wire.length; at += 60_000) d.push(wire.subarray(at, at + 60_000));
    assert.equal(got.length, 1);
    assert.deepEqual(got[0], body);
  });
});
