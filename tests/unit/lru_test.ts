/**
 * The prepared-statement cache's LRU (`src/request/lru.ts`): the size is
 * honoured, the least recently used entry goes first, concurrent callers share
 * one computation, and failures are not kept.
 *
 * Deno: `deno test -A tests/unit/lru_test.ts`; Bun: `bun test tests/unit/lru_test.ts`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PromiseLru } from "../../src/request/lru.ts";

describe("PromiseLru", () => {
  it("keeps at most its capacity, evicting the least recently used", async () => {
    const lru = new PromiseLru<string>(2);
    let made = 0;
    const make = (v: string) => () => (made++, Promise.resolve(v));
    await lru.get("a", make("A"));
    await lru.get("b", make("B"));
    assert.equal(await lru.get("a", make("A2")), "A", "a hit returns the cached value");
    await lru.get("c", make("C")); // evicts b, the least recently used
    assert.equal(lru.size, 2);
    assert.equal(lru.has("a"), true);
    assert.equal(lru.has("b"), false);
    assert.equal(lru.has("c"), true);
    assert.equal(made, 3);
    assert.equal(await lru.get("b", make("B2")), "B2", "an evicted key is made again");
    assert.equal(made, 4);
  });

  it("shares one computation between concurrent callers", async () => {
    const lru = new PromiseLru<number>(4);
    let calls = 0;
    let release!: (v: number) => void;
    const make = () => {
      calls++;
      return new Promise<number>((r) => (release = r));
    };
    const p1 = lru.get("k", make);
    const p2 = lru.get("k", make);
    release(7);
    assert.deepEqual(await Promise.all([p1, p2]), [7, 7]);
    assert.equal(calls, 1);
  });

  it("does not keep a failure", async () => {
    const lru = new PromiseLru<number>(4);
    await assert.rejects(lru.get("k", () => Promise.reject(new Error("boom"))), /boom/);
    assert.equal(lru.has("k"), false);
    assert.equal(await lru.get("k", () => Promise.resolve(1)), 1);
  });

  it("treats a capacity below 1 as 1", async () => {
    const lru = new PromiseLru<number>(0);
    await lru.get("a", () => Promise.resolve(1));
    await lru.get("b", () => Promise.resolve(2));
    assert.equal(lru.size, 1);
    assert.equal(lru.has("b"), true);
  });
});
