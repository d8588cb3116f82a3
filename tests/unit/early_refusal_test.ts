/**
 * A request refused before anything is sent (no host, a saturated connection) hands its caller
 * a promise that is still pending and rejects a microtask later. Deno pays for every promise
 * that is already rejected when a handler is attached, scanning the others: a burst of such
 * refusals awaited together stalled its event loop for seconds (the integration test
 * `backpressure_test.ts` shows it against the real node).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Batch, ConnectionError, Query, type Session, SessionBuilder } from "../../mod.ts";
import { Run } from "../../src/request/run.ts";
import type { RequestSpec } from "../../src/request/request_spec.ts";
import type { LoadBalancingPolicy } from "../../src/policies/load_balancing.ts";
import { FakeServer } from "./fake_server.ts";

/** The order in which the caller's handler and a microtask queued after it ran. */
async function order(p: Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const settled = p.then(() => seen.push("settled"), () => seen.push("rejected"));
  // Queued after the handler: it runs first only if `p` was already rejected when returned.
  queueMicrotask(() => seen.push("next microtask"));
  await settled;
  return seen;
}

describe("requests refused before sending", () => {
  it("an empty plan: the promise is pending when returned, then rejects with ConnectionError", async () => {
    const run = new Run<unknown, unknown>(
      [],
      {} as RequestSpec<unknown>,
      null,
      {} as LoadBalancingPolicy,
      undefined,
    );
    const p = run.execute(0);
    assert.deepEqual(await order(p), ["next microtask", "rejected"]);
    await assert.rejects(
      p,
      (e) => e instanceof ConnectionError && /no host is available/.test(e.message),
    );
  });

  it("a caller retrying in a loop while no host can take a request lets timers run", async () => {
    // Refusals settled in microtasks only: such a loop never reached a timer (the bench's Bun
    // client, its node killed, spun at 100 % CPU past its stop timer; reconnects are timers too).
    let timerRan = false;
    const timer = setTimeout(() => (timerRan = true), 0);
    let refusals = 0;
    while (!timerRan && refusals < 10_000) {
      const run = new Run<unknown, unknown>(
        [],
        {} as RequestSpec<unknown>,
        null,
        {} as LoadBalancingPolicy,
        undefined,
      );
      await run.execute(0).catch(() => refusals++);
    }
    clearTimeout(timer);
    assert.ok(timerRan, `the timer did not run during ${refusals} refusals`);
    assert.ok(refusals >= 1);
  });

  it("the check itself can fail: a promise rejected at once is seen before the next microtask", async () => {
    assert.deepEqual(await order(Promise.reject(new Error("at once"))), [
      "rejected",
      "next microtask",
    ]);
  });
});

// A SIMULATED node (`fake_server.ts`, not ScyllaDB): the session only needs to open and close.
describe("a Session's calls refused by their own checks", () => {
  let server: FakeServer;
  let session: Session;
  before(async () => {
    server = await FakeServer.start();
    session = await new SessionBuilder().knownNode(`127.0.0.1:${server.port}`).build();
    await session.close();
  });
  after(async () => {
    await server?.close();
  });

  // deno-lint-ignore no-explicit-any
  type Loose = any;
  const calls: [string, () => Promise<unknown>][] = [
    ["execute", () => session.execute("SELECT 1 FROM t")],
    ["query", () => session.query(new Query("SELECT 1 FROM t"))],
    ["prepare", () => session.prepare("SELECT 1 FROM t")],
    ["executePrepared", () => session.executePrepared({} as Loose)],
    ["batch", () => session.batch(new Batch("unlogged"), [])],
  ];
  for (const [name, call] of calls) {
    it(`${name} on a closed session: pending when returned, then ConnectionError`, async () => {
      const p = call();
      assert.deepEqual(await order(p), ["next microtask", "rejected"]);
      await assert.rejects(
        p,
        (e) => e instanceof ConnectionError && /session is closed/.test(e.message),
      );
    });
  }
});
