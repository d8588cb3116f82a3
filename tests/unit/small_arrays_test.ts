// Small arrays carved from shared slabs (on Deno; elsewhere arrays of their own) must never
// share bytes: a carve that starts a new slab once made its array a view of the old slab's
// first bytes, so a routing key written later overwrote an earlier one (seen as 1 wrong
// Murmur3 token in 1 504 against the server).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { carveSmallArrays, smallBytes, smallCopy, smallInt32Array } from "../../src/wire/bytes.ts";

describe("small arrays carved from slabs", () => {
  let was = false;
  before(() => (was = carveSmallArrays(true)));
  after(() => carveSmallArrays(was));

  it("thousands of them, across many slabs, keep their own contents", () => {
    const src = new Uint8Array(300).map((_, i) => i & 0xff);
    const kept: { bytes: Uint8Array | Int32Array; fill: number }[] = [];
    for (let i = 0; i < 6000; i++) {
      const fill = i & 0x7f;
      const n = 1 + (i * 37) % 200;
      const a = i % 3 === 0 ? smallBytes(n) : i % 3 === 1 ? smallInt32Array(1 + (n % 16)) : null;
      if (a !== null) {
        a.fill(fill);
        kept.push({ bytes: a, fill });
      } else {
        const c = smallCopy(src, 0, n);
        c.fill(fill);
        kept.push({ bytes: c, fill });
      }
    }
    kept.forEach(({ bytes, fill }, i) => {
      assert.ok(bytes.every((v) => v === fill), `array ${i} was overwritten`);
    });
  });

  it("a copy holds the source's bytes", () => {
    const src = new Uint8Array([9, 8, 7, 6, 5]);
    assert.deepEqual(smallCopy(src, 1, 4), new Uint8Array([8, 7, 6]));
    assert.deepEqual(smallBytes(3), new Uint8Array(3));
    assert.deepEqual(smallInt32Array(2), new Int32Array(2));
  });
});
