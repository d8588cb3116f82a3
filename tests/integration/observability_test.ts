// Metrics and the request tracker against the real node: counters, errors by class,
// latency percentiles, per-node connections; tracker callbacks with keyspace and table.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { RequestInfo, Session } from "../../mod.ts";
import { connect, createKeyspace, dropKeyspace, plainBuilder, uniqueKeyspace } from "./helpers.ts";

const KS = uniqueKeyspace("obs");

describe("metrics and request tracker (real node)", () => {
  let s: Session;
  const started: RequestInfo[] = [];
  const outcomes: string[] = [];

  before(async () => {
    s = await connect(
      plainBuilder().requestTracker({
        onStart: (r) => started.push(r),
        onSuccess: (r) => outcomes.push(`ok ${r.kind}`),
        onError: (r, e) => outcomes.push(`error ${r.kind} ${e.name}`),
      }),
    );
    await createKeyspace(s, KS);
    await s.execute(`CREATE TABLE ${KS}.kv (k int PRIMARY KEY, v text)`);
  });
  after(async () => {
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("counts requests and errors by class, with latency percentiles and connections", async () => {
    const before = s.getMetrics();
    const ps = await s.prepare(`INSERT INTO ${KS}.kv (k, v) VALUES (?, ?)`);
    for (let k = 0; k < 50; k++) await s.executePrepared(ps, [k, `v${k}`]);
    await assert.rejects(s.execute(`SELECT * FROM ${KS}.missing`));
    const m = s.getMetrics();
    assert.ok(m.requests - before.requests >= 52, `${m.requests} - ${before.requests}`);
    assert.equal((m.errors.InvalidQueryError ?? 0) - (before.errors.InvalidQueryError ?? 0), 1);
    assert.ok(m.latencyMs.count > 0 && m.latencyMs.p50 > 0);
    assert.ok(m.latencyMs.p50 <= m.latencyMs.p95 && m.latencyMs.p95 <= m.latencyMs.p99);
    assert.ok(m.latencyMs.p99 <= m.latencyMs.max);
    const nodes = [...m.nodes.values()];
    assert.ok(nodes.some((n) => n.connections > 0 && n.requests > 0 && n.latencyMs.count > 0));
    assert.ok(nodes.every((n) => n.inFlight === 0));
    assert.equal(m.clientTimeouts, 0);
  });

  it("the tracker sees kind, keyspace and table, and each outcome", async () => {
    started.length = 0;
    outcomes.length = 0;
    const ps = await s.prepare(`SELECT v FROM ${KS}.kv WHERE k = ?`);
    await s.executePrepared(ps, [1]);
    await assert.rejects(s.execute("SELEKT 1"));
    const exec = started.find((r) => r.kind === "execute")!;
    assert.equal(exec.keyspace, KS);
    assert.equal(exec.table, "kv");
    assert.equal(exec.statement, `SELECT v FROM ${KS}.kv WHERE k = ?`);
    assert.ok(outcomes.includes("ok execute"));
    assert.ok(outcomes.includes("error query CqlSyntaxError"), outcomes.join());
  });
});
