/**
 * Latency awareness with a fake clock: the weighted average, penalising a
 * node slower than threshold × the fastest only after enough measurements,
 * the penalised node last in its group, and traffic again after the retry
 * period.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Cluster, Host } from "../../src/cluster/cluster.ts";
import { LatencyTracker } from "../../src/policies/latency_aware.ts";
import { DefaultLoadBalancingPolicy } from "../../src/policies/default_policy.ts";

function host(name: string): Host {
  return {
    info: { address: name, port: 9042, datacenter: "dc1", rack: "r1", hostId: name },
    pool: { size: 1, address: `${name}:9042` },
    sent: 0,
  } as unknown as Host;
}

describe("LatencyTracker", () => {
  it("weighs measurements by age (scale)", () => {
    let now = 0;
    const t = new LatencyTracker({ scale: 100 }, () => now);
    const h = host("a");
    t.record(h, 10);
    assert.equal(t.average(h), 10);
    now = 100; // e^-1 of the old average remains
    t.record(h, 20);
    assert.ok(Math.abs(t.average(h)! - (20 * (1 - Math.exp(-1)) + 10 * Math.exp(-1))) < 1e-9);
  });

  it("penalises only with enough measurements, and forgives after the retry period", () => {
    let now = 0;
    const t = new LatencyTracker({ minimumMeasurements: 5, retryPeriodMs: 1000 }, () => now);
    const fast = host("fast"), slow = host("slow");
    for (let i = 0; i < 4; i++) {
      now += 10;
      t.record(fast, 1);
      t.record(slow, 50);
    }
    assert.equal(t.penalised(slow), false); // 4 < 5 measurements
    now += 10;
    t.record(fast, 1);
    t.record(slow, 50);
    now += 200; // past the 100 ms update rate of the fastest average
    assert.equal(t.penalised(slow), true);
    assert.equal(t.penalised(fast), false);
    now += 1000; // no measurement for a retry period: traffic again
    assert.equal(t.penalised(slow), false);
  });

  it("a penalised node goes last in the plan, and returns once fast again", () => {
    let now = 0;
    const tracker = new LatencyTracker({ minimumMeasurements: 3, retryPeriodMs: 500 }, () => now);
    const hosts = [host("a"), host("b"), host("c")];
    const cluster = {
      version: 1,
      localDatacenter: "dc1",
      liveHosts: () => hosts,
      replicas: () => [],
    } as unknown as Cluster;
    const p = new DefaultLoadBalancingPolicy({ latencyAware: tracker });
    const firsts = () => {
      const n = new Map<string, number>();
      for (let i = 0; i < 30; i++) {
        const first = p.plan(cluster)[0].info.address;
        n.set(first, (n.get(first) ?? 0) + 1);
      }
      return n;
    };
    for (let i = 0; i < 5; i++) {
      now += 20;
      for (const h of hosts) p.recordLatency!(h, h.info.address === "c" ? 40 : 2);
    }
    now += 150;
    assert.equal(firsts().get("c"), undefined);
    assert.equal(p.plan(cluster)[2].info.address, "c");
    now += 600; // retry period over: c is tried again, and it is fast now
    assert.ok(firsts().get("c")! > 0);
    for (let i = 0; i < 5; i++) {
      now += 20;
      for (const h of hosts) p.recordLatency!(h, 2);
    }
    now += 150;
    assert.ok(firsts().get("c")! >= 5);
  });
});
