/**
 * TokenAwarePolicy and DcAwareRoundRobinPolicy: the plan (local live replicas
 * first, rotated unless LWT, then the child's order without them) is the same,
 * request after request, as the straightforward implementation they replaced,
 * over random rings, datacenters, dead pools, LWT and missing keys.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { Cluster, Host } from "../../src/cluster/cluster.ts";
import { DcAwareRoundRobinPolicy } from "../../src/policies/load_balancing.ts";
import { TokenAwarePolicy } from "../../src/policies/token_aware.ts";
import { routingFor } from "../../src/routing/routing_key.ts";
import type { RoutingInfo } from "../../src/routing/routing_key.ts";
import { compositeKey } from "../../src/routing/murmur3.ts";
import { encoderFor } from "../../src/wire/codec/index.ts";
import { nativeType } from "../../src/wire/cql_type.ts";

function host(i: number, dc: string, live: boolean): Host {
  return {
    info: { address: `h${i}`, port: 9042, datacenter: dc, rack: "r1", hostId: `h${i}` },
    pool: { size: live ? 1 : 0, address: `h${i}:9042` },
    sent: 0,
  } as unknown as Host;
}

function fakeCluster(hosts: Host[], replicas: Host[]): Cluster {
  return {
    version: 1,
    localDatacenter: "dc1",
    liveHosts: () => hosts.filter((h) => h.pool.size > 0),
    replicas: () => replicas,
  } as unknown as Cluster;
}

/** The DcAwareRoundRobinPolicy before its allocation-free rewrite. */
class ReferenceRoundRobin {
  #next = 0;
  plan(cluster: Cluster): Host[] {
    const live = cluster.liveHosts();
    const n = live.length;
    if (n <= 1) return live;
    const local = live.filter((h) => h.info.datacenter === cluster.localDatacenter).length;
    const start = this.#next++ % (local > 0 ? local : n);
    this.#next %= 1 << 30;
    const out = new Array<Host>(n);
    const span = local > 0 ? local : n;
    for (let i = 0; i < span; i++) out[i] = live[(start + i) % span];
    for (let i = span; i < n; i++) out[i] = live[i];
    return out;
  }
}

/** The TokenAwarePolicy before its rewrite (splice/lastIndexOf). */
class ReferenceTokenAware {
  #child = new ReferenceRoundRobin();
  #next = 0;
  plan(cluster: Cluster, routing?: RoutingInfo): Host[] {
    const key = routing?.routingKey;
    const fallback = this.#child.plan(cluster);
    if (!key || !routing?.keyspace) return fallback;
    const replicas = cluster.replicas(routing.keyspace, 0n, routing);
    if (replicas.length === 0) return fallback;
    const local: Host[] = [];
    for (const h of replicas) {
      if (h.pool.size > 0 && h.info.datacenter === cluster.localDatacenter) local.push(h);
    }
    if (local.length === 0) return fallback;
    if (local.length > 1 && !routing.lwt) {
      const k = this.#next++ % local.length;
      this.#next %= 1 << 30;
      local.push(...local.splice(0, k));
    }
    const replicaCount = local.length;
    for (const h of fallback) if (local.lastIndexOf(h, replicaCount - 1) < 0) local.push(h);
    return local;
  }
}

const names = (hs: Iterable<Host>) => [...hs].map((h) => h.info.address);

describe("TokenAwarePolicy", () => {
  it("plans exactly as the reference implementation, request after request", () => {
    const scenario = fc.record({
      // Mostly live local hosts, so that several local replicas (and rotation) are common.
      hosts: fc.array(
        fc.record({
          dc: fc.constantFrom("dc1", "dc1", "dc1", "dc2"),
          live: fc.nat(9).map((x) => x < 8),
        }),
        {
          minLength: 1,
          maxLength: 7,
        },
      ),
      replicaPicks: fc.array(fc.nat(6), { maxLength: 5 }),
      requests: fc.array(fc.record({ lwt: fc.boolean(), keyed: fc.boolean() }), {
        minLength: 1,
        maxLength: 12,
      }),
    });
    fc.assert(
      fc.property(scenario, ({ hosts: specs, replicaPicks, requests }) => {
        const hosts = specs.map((s, i) => host(i, s.dc, s.live));
        const replicas = [...new Set(replicaPicks.map((i) => hosts[i % hosts.length]))];
        const cluster = fakeCluster(hosts, replicas);
        // The built-in child (its order appended in place) and any other child (asked for a plan).
        const policy = new TokenAwarePolicy(new DcAwareRoundRobinPolicy());
        const generic = new TokenAwarePolicy(new (class extends DcAwareRoundRobinPolicy {})());
        const reference = new ReferenceTokenAware();
        const reference2 = new ReferenceTokenAware();
        for (const r of requests) {
          const routing = (): RoutingInfo =>
            r.keyed
              ? { keyspace: "ks", routingKey: new Uint8Array([1]), token: 5n, lwt: r.lwt }
              : { keyspace: "ks", lwt: r.lwt };
          assert.deepEqual(
            names(policy.plan(cluster, routing())),
            names(reference.plan(cluster, routing())),
          );
          assert.deepEqual(
            names(generic.plan(cluster, routing())),
            names(reference2.plan(cluster, routing())),
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("routingFor", () => {
  const int = nativeType("int");
  const be32 = (v: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v);
    return b;
  };
  /** Key columns bound at markers n-1 … 0 (key order differs from marker order). */
  const planOf = (n: number, lwtText = false) => {
    const indexes = Array.from({ length: n }, (_, i) => n - 1 - i);
    return {
      keyspace: "ks",
      table: "t",
      lwtText,
      indexes,
      names: indexes.map((i) => `c${i}`),
      encoders: indexes.map((i) => encoderFor(int, `c${i}`)),
    };
  };

  it("gives the composite of the key columns' bytes (one column: its bytes)", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 3 }),
      (values) => {
        const plan = planOf(values.length);
        const got = routingFor(plan, values, undefined);
        assert.deepEqual(got.routingKey, compositeKey(plan.indexes.map((i) => be32(values[i]))));
        assert.equal(got.keyspace, "ks");
        assert.equal(got.lwt, false);
      },
    ));
  });

  it("gives no key when a key value is missing or not needed, and keeps the routing facts", () => {
    const plan = planOf(2, true);
    const facts = { keyspace: "ks", table: "t", lwt: true };
    assert.deepEqual(routingFor(plan, [1, null], undefined), facts);
    assert.deepEqual(routingFor(plan, [null, 1], undefined), facts);
    assert.deepEqual(routingFor(plan, [1, 2], undefined, null, false), facts);
    assert.deepEqual(routingFor(plan, ["x", 2], undefined), facts);
    assert.deepEqual(
      routingFor(planOf(1), { C0: 7 }, undefined).routingKey,
      new Uint8Array([0, 0, 0, 7]),
    );
  });
});
