/**
 * DefaultLoadBalancingPolicy over a fake cluster: replicas of the local rack,
 * then of the local datacenter, then the other local nodes (rack first), then
 * remote replicas and nodes only with failover; round-robin within a group;
 * LWT keeps the ring order; dead pools are skipped.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Cluster, Host } from "../../src/cluster/cluster.ts";
import { DefaultLoadBalancingPolicy } from "../../src/policies/default_policy.ts";
import type { RoutingInfo } from "../../src/routing/routing_key.ts";

function host(name: string, dc: string, rack: string, live = true): Host {
  return {
    info: { address: name, port: 9042, datacenter: dc, rack, hostId: name },
    pool: { size: live ? 1 : 0, address: `${name}:9042` },
    sent: 0,
  } as unknown as Host;
}

function cluster(hosts: Host[], replicas: Host[]): Cluster {
  return {
    version: 1,
    localDatacenter: "dc1",
    hosts: new Map(hosts.map((h) => [h.info.hostId, h])),
    liveHosts: () => hosts.filter((h) => h.pool.size > 0),
    replicas: () => replicas,
  } as unknown as Cluster;
}

const names = (hs: Iterable<Host>) => [...hs].map((h) => h.info.address);
const routed = (): RoutingInfo => ({ keyspace: "ks", tokenHi: 0, tokenLo: 5 });

describe("DefaultLoadBalancingPolicy", () => {
  const a1 = host("a1", "dc1", "r1"), a2 = host("a2", "dc1", "r1");
  const b1 = host("b1", "dc1", "r2"), b2 = host("b2", "dc1", "r2");
  const c1 = host("c1", "dc2", "r1");
  const all = [a1, a2, b1, b2, c1];

  it("puts rack replicas, DC replicas, rack nodes, DC nodes, then remote ones", () => {
    const p = new DefaultLoadBalancingPolicy({ localDatacenter: "dc1", localRack: "r1" });
    const plan = names(p.plan(cluster(all, [c1, b1, a2]), routed()));
    assert.deepEqual(plan, ["a2", "b1", "a1", "b2", "c1"]);
  });

  it("without failover, remote datacenters are left out", () => {
    const p = new DefaultLoadBalancingPolicy({
      localDatacenter: "dc1",
      localRack: "r1",
      permitDcFailover: false,
    });
    const plan = names(p.plan(cluster(all, [c1]), routed()));
    assert.deepEqual(plan.slice(0, 2).sort(), ["a1", "a2"]);
    assert.deepEqual(plan.slice(2).sort(), ["b1", "b2"]);
  });

  it("rotates within a group, and only within it", () => {
    const p = new DefaultLoadBalancingPolicy({ localDatacenter: "dc1", localRack: "r1" });
    const firsts = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const plan = names(p.plan(cluster(all, [])));
      firsts.add(plan[0]);
      assert.deepEqual(plan.slice(0, 2).sort(), ["a1", "a2"]);
      assert.deepEqual(plan.slice(2, 4).sort(), ["b1", "b2"]);
      assert.equal(plan[4], "c1");
    }
    assert.deepEqual([...firsts].sort(), ["a1", "a2"]);
  });

  it("an LWT keeps the replicas' ring order; dead pools are skipped", () => {
    const p = new DefaultLoadBalancingPolicy({ localDatacenter: "dc1" });
    const dead = host("a3", "dc1", "r1", false);
    for (let i = 0; i < 3; i++) {
      const plan = names(
        p.plan(cluster([...all, dead], [b2, dead, a1]), { ...routed(), lwt: true }),
      );
      assert.deepEqual(plan.slice(0, 2), ["b2", "a1"]);
      assert.ok(!plan.includes("a3"));
    }
  });

  it("without a rack, the whole local datacenter is one group; null DC takes the cluster's", () => {
    const p = new DefaultLoadBalancingPolicy({});
    const plan = names(p.plan(cluster(all, [])));
    assert.equal(plan.length, 5);
    assert.equal(plan[4], "c1");
  });
});
