/**
 * The request tracker end to end against a simulated ScyllaDB node: the
 * callbacks' order and arguments per request kind, and a throwing tracker
 * that is logged and never fails the request.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type AttemptInfo, type LogEvent, type RequestInfo, SessionBuilder } from "../../mod.ts";
import { SimulatedScyllaNode } from "../sim/scylla_node.ts";

const INSERT = "INSERT INTO ks.t (k, v) VALUES (?, ?)";

describe("request tracker", () => {
  it("sees start, each attempt, and success, with kind, keyspace and table", async () => {
    const sim = await SimulatedScyllaNode.start({ nrShards: 2 });
    const events: string[] = [];
    const infos: RequestInfo[] = [];
    const attempts: AttemptInfo[] = [];
    const session = await new SessionBuilder().knownNode(`127.0.0.1:${sim.port}`)
      .requestTracker({
        onStart: (r) => {
          infos.push(r);
          events.push(`start ${r.id} ${r.kind}`);
        },
        onAttempt: (r, a) => {
          attempts.push(a);
          events.push(`attempt ${r.id} ${a.attempt}`);
        },
        onSuccess: (r, ms) => {
          assert.ok(ms >= 0);
          events.push(`success ${r.id}`);
        },
        onError: (r) => events.push(`error ${r.id}`),
      }).build();
    try {
      const ps = await session.prepare(INSERT);
      await session.executePrepared(ps, [1, 2]);
      await session.execute("SELECT release_version FROM system.local");
      assert.deepEqual(events, [
        "start 1 prepare",
        "attempt 1 1",
        "success 1",
        "start 2 execute",
        "attempt 2 1",
        "success 2",
        "start 3 query",
        "attempt 3 1",
        "success 3",
      ]);
      assert.equal(infos[0].statement, INSERT);
      assert.equal(infos[1].keyspace, "ks");
      assert.equal(infos[1].table, "t");
      assert.equal(infos[2].statement, "SELECT release_version FROM system.local");
      assert.equal(attempts[1].node, `127.0.0.1:${sim.port}`);
      assert.equal(attempts[1].speculative, false);
      assert.ok(attempts[1].shard === 0 || attempts[1].shard === 1);
    } finally {
      await session.close();
      await sim.close();
    }
  });

  it("a throwing tracker is logged and the request still succeeds", async () => {
    const sim = await SimulatedScyllaNode.start({ nrShards: 1 });
    const logs: LogEvent[] = [];
    const session = await new SessionBuilder().knownNode(`127.0.0.1:${sim.port}`)
      .logger((e) => logs.push(e))
      .requestTracker({
        onStart: () => {
          throw new Error("boom");
        },
        onSuccess: () => {
          throw new Error("bang");
        },
      }).build();
    try {
      const ps = await session.prepare(INSERT);
      await session.executePrepared(ps, [1, 2]);
      const warned = logs.filter((l) => l.level === "warn" && /request tracker/.test(l.message));
      assert.ok(warned.some((l) => /onStart threw: boom/.test(l.message)));
      assert.ok(warned.some((l) => /onSuccess threw: bang/.test(l.message)));
    } finally {
      await session.close();
      await sim.close();
    }
  });

  it("the builder refuses a tracker whose callback is not a function", () => {
    assert.throws(
      () => new SessionBuilder().requestTracker({ onStart: 1 } as never),
      TypeError,
    );
    assert.throws(() => new SessionBuilder().requestTracker("x" as never), TypeError);
  });
});
