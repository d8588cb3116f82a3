/**
 * `concurrent.executeConcurrent` of `@rsylla/rsylla/compat`, run side by side
 * with `cassandra-driver`'s own (a devDependency) on one simulated client that
 * records what it was asked and how many calls were in flight at once.
 * @module
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Readable } from "node:stream";
import cassandra from "cassandra-driver";
import * as compat from "../../src/compat/mod.ts";
import type { ResultSet } from "../../src/compat/mod.ts";

/** A client whose `execute` answers after a tick; parameter `[-1]` fails. */
function fakeClient() {
  const calls: { query: string; params: unknown; options: unknown }[] = [];
  let inFlight = 0;
  let peak = 0;
  return {
    calls,
    get peak() {
      return peak;
    },
    execute(query: string, params?: unknown, options?: unknown): Promise<ResultSet> {
      calls.push({ query, params, options });
      inFlight++;
      peak = Math.max(peak, inFlight);
      return new Promise((resolve, reject) => {
        setTimeout(() => {
          inFlight--;
          if (Array.isArray(params) && params[0] === -1) reject(new Error(`bad ${calls.length}`));
          else resolve({ params } as unknown as ResultSet);
        }, 1);
      });
    },
  };
}

type Ran = { totalExecuted: number; errors: unknown[]; items?: unknown[]; peak: number };

async function both(
  run: (
    impl: typeof compat.concurrent.executeConcurrent,
    client: ReturnType<typeof fakeClient>,
  ) => Promise<{ totalExecuted: number; errors: unknown[]; resultItems?: unknown[] }>,
  collect = false,
): Promise<[Ran, Ran]> {
  const out: Ran[] = [];
  for (
    const impl of [compat.concurrent.executeConcurrent, cassandra.concurrent.executeConcurrent]
  ) {
    const client = fakeClient();
    const g = await run(impl as typeof compat.concurrent.executeConcurrent, client);
    out.push({
      totalExecuted: g.totalExecuted,
      errors: g.errors.map((e) => (e as Error).message),
      items: collect ? g.resultItems : undefined,
      peak: client.peak,
    });
  }
  return out as [Ran, Ran];
}

const params = (n: number) => Array.from({ length: n }, (_, i) => [i]);

describe("compat concurrent.executeConcurrent", () => {
  it("runs one query over every parameter set, prepared, at most concurrencyLevel at once", async () => {
    const client = fakeClient();
    const g = await compat.executeConcurrent(client, "INSERT x", params(50), {
      concurrencyLevel: 7,
    });
    assert.equal(g.totalExecuted, 50);
    assert.deepEqual(g.errors, []);
    assert.equal(client.peak, 7);
    assert.deepEqual(client.calls.map((c) => (c.params as number[])[0]), params(50).flat());
    assert.ok(client.calls.every((c) => c.query === "INSERT x"));
    assert.deepEqual(client.calls[0].options, { prepare: true });
    assert.throws(() => g.resultItems, /collectResults/);
    const [ours, theirs] = await both((f, c) =>
      f(c, "INSERT x", params(50), { concurrencyLevel: 7 })
    );
    assert.deepEqual(ours, theirs);
  });

  it("collects results by index and matches cassandra-driver", async () => {
    const [ours, theirs] = await both(
      (f, c) => f(c, "Q", params(30), { concurrencyLevel: 4, collectResults: true }),
      true,
    );
    assert.equal(ours.items?.length, 30);
    assert.deepEqual(ours.items?.map((r) => (r as { params: number[] }).params[0]), [
      ...Array(30).keys(),
    ]);
    assert.deepEqual(ours, theirs);
  });

  it("the array-of-statements form runs each query with its own parameters", async () => {
    const client = fakeClient();
    const g = await compat.executeConcurrent(client, [
      { query: "A", params: [1] },
      { query: "B", params: [2] },
      { query: "C" },
    ]);
    assert.equal(g.totalExecuted, 3);
    assert.deepEqual(client.calls.map((c) => [c.query, c.params]), [
      ["A", [1]],
      ["B", [2]],
      ["C", undefined],
    ]);
  });

  it("raiseOnFirstError (the default) rejects with the first error and starts nothing more", async () => {
    const client = fakeClient();
    const input = [...params(5), [-1], ...params(100)];
    await assert.rejects(
      compat.executeConcurrent(client, "Q", input, { concurrencyLevel: 2 }),
      /bad/,
    );
    assert.ok(client.calls.length < 10, `${client.calls.length} calls after the error`);
  });

  it("without raiseOnFirstError it runs everything and keeps at most maxErrors errors", async () => {
    const input = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? [-1] : [i]));
    const [ours, theirs] = await both((f, c) =>
      f(c, "Q", input, { concurrencyLevel: 5, raiseOnFirstError: false, maxErrors: 3 })
    );
    assert.equal(ours.totalExecuted, 40);
    assert.equal(ours.errors.length, 3);
    assert.equal(theirs.totalExecuted, 40);
    assert.equal(theirs.errors.length, 3);
  });

  it("reads parameters from an object-mode stream no faster than statements complete", async () => {
    const client = fakeClient();
    let read = 0;
    const stream = Readable.from((function* () {
      for (let i = 0; i < 60; i++) {
        read++;
        yield [i];
      }
    })());
    const g = await compat.executeConcurrent(client, "Q", stream, { concurrencyLevel: 6 });
    assert.equal(g.totalExecuted, 60);
    assert.equal(read, 60);
    assert.ok(client.peak <= 6, `peak ${client.peak}`);
    const bad = Readable.from((function* () {
      yield "not an array";
    })());
    await assert.rejects(
      compat.executeConcurrent(client, "Q", bad),
      /objectMode and should emit Array/,
    );
  });

  it("refuses what is in none of the accepted forms, naming it", () => {
    const client = fakeClient();
    assert.throws(
      () => compat.executeConcurrent(null as never, "Q", []),
      /Client instance is not defined/,
    );
    assert.throws(
      () => compat.executeConcurrent(client, "Q", "x" as never),
      /parameters should be an Array or a Stream/,
    );
    assert.throws(
      () => compat.executeConcurrent(client, 42 as never, []),
      /string query or query and parameters array/,
    );
  });
});
