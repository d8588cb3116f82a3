/**
 * Stream id allocation (`src/pool/stream_ids.ts`): every id handed out once,
 * -1 when exhausted, released ids reused, lowest ids first.
 *
 * Deno: `deno test -A tests/unit/stream_ids_test.ts`; Bun: `bun test tests/unit/stream_ids_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { StreamIds } from "../../src/pool/stream_ids.ts";

describe("StreamIds", () => {
  it("hands out 0..capacity-1, lowest first, then -1", () => {
    const ids = new StreamIds(8);
    assert.equal(ids.available, 8);
    const got = Array.from({ length: 8 }, () => ids.acquire());
    assert.deepEqual(got, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(ids.available, 0);
    assert.equal(ids.acquire(), -1);
    assert.equal(ids.acquire(), -1, "stays exhausted");
  });

  it("acquires all 32768 ids of a v4 connection, each once", () => {
    const ids = new StreamIds(32768);
    const seen = new Set<number>();
    for (let i = 0; i < 32768; i++) {
      const id = ids.acquire();
      assert.ok(id >= 0 && id <= 32767, `id ${id} in range`);
      seen.add(id);
    }
    assert.equal(seen.size, 32768);
    assert.equal(ids.acquire(), -1);
  });

  it("reuses a released id before untouched higher ones", () => {
    const ids = new StreamIds(4);
    assert.equal(ids.acquire(), 0);
    assert.equal(ids.acquire(), 1);
    ids.release(0);
    assert.equal(ids.available, 3);
    assert.equal(ids.acquire(), 0);
    assert.equal(ids.acquire(), 2);
  });

  it("a released id is available again after exhaustion", () => {
    const ids = new StreamIds(3);
    ids.acquire();
    ids.acquire();
    ids.acquire();
    assert.equal(ids.acquire(), -1);
    ids.release(1);
    assert.equal(ids.available, 1);
    assert.equal(ids.acquire(), 1);
    assert.equal(ids.acquire(), -1);
  });

  it("a lightly used connection keeps cycling through small ids", () => {
    const ids = new StreamIds(1024);
    for (let round = 0; round < 100; round++) {
      const a = ids.acquire();
      const b = ids.acquire();
      assert.deepEqual([a, b].sort(), [0, 1]);
      ids.release(b);
      ids.release(a);
    }
    assert.equal(ids.available, 1024);
  });

  it("never hands out an id twice while it is held (random workload)", () => {
    const ids = new StreamIds(16);
    const held = new Set<number>();
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    for (let step = 0; step < 5000; step++) {
      if (rnd() < 0.55) {
        const id = ids.acquire();
        if (held.size === 16) assert.equal(id, -1);
        else {
          assert.ok(id >= 0 && id < 16);
          assert.ok(!held.has(id), `id ${id} handed out twice`);
          held.add(id);
        }
      } else if (held.size > 0) {
        const id = [...held][Math.floor(rnd() * held.size)];
        held.delete(id);
        ids.release(id);
      }
      assert.equal(ids.available, 16 - held.size);
    }
  });

  it("capacity 1 alternates between 0 and -1", () => {
    const ids = new StreamIds(1);
    assert.equal(ids.acquire(), 0);
    assert.equal(ids.acquire(), -1);
    ids.release(0);
    assert.equal(ids.acquire(), 0);
  });
});
