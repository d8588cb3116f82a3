/**
 * The latency histogram (percentiles within its bucket precision) and the
 * session metrics observer (counters per outcome, per-node figures), then
 * `getMetrics()` end to end against a simulated ScyllaDB node.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SessionBuilder } from "../../mod.ts";
import { LatencyHistogram } from "../../src/observability/histogram.ts";
import { SessionMetrics } from "../../src/observability/metrics.ts";
import type { Host } from "../../src/cluster/cluster.ts";
import { ConnectionError, RequestTimeoutError, UnavailableError } from "../../src/errors.ts";
import { SimulatedScyllaNode } from "../sim/scylla_node.ts";

function fakeHost(address: string, inFlight = 0): Host {
  const conns = [{ inFlight }];
  return {
    info: { address, port: 9042 },
    sent: 3,
    pool: {
      address: `${address}:9042`,
      size: conns.length,
      shardCount: 2,
      connections: () => conns,
      connectionShard: () => 1,
    },
  } as unknown as Host;
}

describe("LatencyHistogram", () => {
  it("is empty at first", () => {
    assert.deepEqual(new LatencyHistogram().summary(), {
      p50: 0,
      p95: 0,
      p99: 0,
      max: 0,
      count: 0,
    });
  });

  it("gives percentiles within 1.6 % and the exact max", () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i / 100); // 0.01 .. 100 ms
    const s = h.summary();
    assert.equal(s.count, 10_000);
    assert.equal(s.max, 100);
    for (const [got, want] of [[s.p50, 50], [s.p95, 95], [s.p99, 99]]) {
      assert.ok(Math.abs(got - want) / want < 0.016, `${got} vs ${want}`);
    }
  });

  it("holds values below 128 µs exactly and clamps huge or negative ones", () => {
    const h = new LatencyHistogram();
    h.record(0.05);
    assert.equal(h.percentile(1), 0.05);
    h.record(-3);
    h.record(1e12);
    assert.equal(h.count, 3);
    assert.equal(h.percentile(0), 0);
    assert.ok(h.summary().max > 2e6);
  });
});

describe("SessionMetrics", () => {
  it("counts requests, errors by class, retries, speculative, timeouts and rejections", () => {
    const m = new SessionMetrics();
    const a = fakeHost("10.0.0.1", 2), b = fakeHost("10.0.0.2");
    m.attemptEnd(null, null, a, 1.5, undefined, false);
    m.attemptEnd(null, null, a, 12_000, new RequestTimeoutError("slow"), false);
    m.attemptEnd(null, null, b, 0, new ConnectionError("full", { notSent: true }), true);
    m.retry(null, "retry_next");
    m.speculativeStart(null);
    m.end(null, 2, undefined, true);
    m.end(
      null,
      3,
      new UnavailableError("down", { consistency: "ALL", required: 3, alive: 2 }),
      false,
    );
    const s = m.snapshot([a, b]);
    assert.equal(s.requests, 2);
    assert.deepEqual(s.errors, { UnavailableError: 1 });
    assert.equal(s.retries, 1);
    assert.equal(s.speculativeStarted, 1);
    assert.equal(s.speculativeWon, 1);
    assert.equal(s.clientTimeouts, 1);
    assert.equal(s.rejected, 1);
    assert.equal(s.latencyMs.count, 1);
    assert.equal(s.requestsPerNode.get("10.0.0.1:9042"), 3);
    const na = s.nodes.get("10.0.0.1:9042")!;
    assert.equal(na.requests, 3); // host.sent
    assert.equal(na.errors, 1);
    assert.equal(na.latencyMs.count, 1);
    assert.equal(na.inFlight, 2);
    assert.equal(na.connections, 1);
    assert.deepEqual(na.connectionsPerShard, [0, 1]);
  });
});

describe("getMetrics() end to end (simulated ScyllaDB node)", () => {
  for (const on of [true, false]) {
    it(`metrics(${on})`, async () => {
      const sim = await SimulatedScyllaNode.start({ nrShards: 2 });
      const session = await new SessionBuilder().knownNode(`127.0.0.1:${sim.port}`).metrics(on)
        .build();
      try {
        const ps = await session.prepare("INSERT INTO ks.t (k, v) VALUES (?, ?)");
        for (let k = 0; k < 20; k++) await session.executePrepared(ps, [k, k]);
        const s = session.getMetrics();
        const node = s.nodes.get(`127.0.0.1:${sim.port}`)!;
        assert.equal(s.requests, on ? 21 : 0); // 1 PREPARE + 20 EXECUTE
        assert.equal(s.latencyMs.count, on ? 21 : 0);
        assert.ok(on ? s.latencyMs.p50 > 0 && s.latencyMs.max >= s.latencyMs.p99 : true);
        assert.equal(node.requests, s.requestsPerNode.get(`127.0.0.1:${sim.port}`));
        assert.equal(node.connections, 2);
        assert.deepEqual(node.connectionsPerShard, [1, 1]);
        assert.equal(node.inFlight, 0);
        assert.ok(s.requestsPerNode.get(`127.0.0.1:${sim.port}`)! >= 21);
      } finally {
        await session.close();
        await sim.close();
      }
    });
  }
});
