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
import { compositeKey, murmur3TokenHiLo } from "../../src/routing/murmur3.ts";
import { encoderFor } from "../../src/wire/codec/index.ts";
import { nativeType } from "../../src/wire/cql_type.ts";

function host(i: number, dc: string, live: boolean): Host {
  return {
    info: { address: `h${i}`, port: 9042, datacenter: dc, rack: "r1", hostId: `h${i}` },
    pool: { size: live ? 1 : 0, address: `h${i}:9042` },
    sent: 0,
  } as unknown as Host;
}

/** A one-position ring whose replicas are `replicas`, for keyspace `ks`. */
function fakeRing(replicas: Host[]) {
  return { indexOfHiLo: () => 0, replicasAt: () => replicas };
}

function fakeCluster(hosts: Host[], replicas: Host[]): Cluster {
  return {
    version: 1,
    localDatacenter: "dc1",
    tabletsRouting: 0,
    keyspaces: new Map([["ks", { name: "ks", replication: {} }]]),
    ring: fakeRing(replicas),
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
    const tokenHi = routing?.tokenHi;
    const fallback = this.#child.plan(cluster);
    if (tokenHi === undefined || !routing?.keyspace) return fallback;
    const replicas = cluster.replicas(routing.keyspace, tokenHi, routing.tokenLo!, routing);
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
              ? { keyspace: "ks", tokenHi: 0, tokenLo: 5, lwt: r.lwt }
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

describe("TokenAwarePolicy's kept plans", () => {
  const keyed = (lwt = false): RoutingInfo => ({
    keyspace: "ks",
    tokenHi: 0,
    tokenLo: 5,
    lwt,
  });

  it("leave a replica that went down out at once, and take it back once it is up", () => {
    const hosts = [host(0, "dc1", true), host(1, "dc1", true), host(2, "dc1", true)];
    const cluster = fakeCluster(hosts, hosts);
    const policy = new TokenAwarePolicy(new DcAwareRoundRobinPolicy());
    const firsts = () => Array.from({ length: 6 }, () => names(policy.plan(cluster, keyed()))[0]);
    assert.deepEqual(new Set(firsts()), new Set(["h0", "h1", "h2"]));
    (hosts[1].pool as { size: number }).size = 0;
    assert.deepEqual(new Set(firsts()), new Set(["h0", "h2"]));
    for (let i = 0; i < 4; i++) assert.ok(!names(policy.plan(cluster, keyed())).includes("h1"));
    (hosts[1].pool as { size: number }).size = 1;
    assert.deepEqual(new Set(firsts()), new Set(["h0", "h1", "h2"]));
    // An LWT goes to the primary replica first, whichever rotation the others are at.
    for (let i = 0; i < 4; i++) assert.equal(names(policy.plan(cluster, keyed(true)))[0], "h0");
  });

  it("are made again for a new ring (a topology or schema change)", () => {
    const hosts = [host(0, "dc1", true), host(1, "dc1", true), host(2, "dc2", true)];
    const cluster = fakeCluster(hosts, [hosts[0]]) as { ring: unknown; version: number };
    const policy = new TokenAwarePolicy(new DcAwareRoundRobinPolicy());
    assert.equal(names(policy.plan(cluster as Cluster, keyed()))[0], "h0");
    // As the cluster does: a new ring (topology or schema) comes with a new version.
    cluster.ring = fakeRing([hosts[1], hosts[2]]);
    cluster.version++;
    assert.deepEqual(names(policy.plan(cluster as Cluster, keyed())).slice(0, 1), ["h1"]);
    // Only the local replica comes first: h2 is in dc2 and is placed by the child's order.
    assert.deepEqual(names(policy.plan(cluster as Cluster, keyed())), ["h1", "h0", "h2"]);
  });

  it("ask the wrapped policy for its order only once every replica is used up", () => {
    const hosts = [host(0, "dc1", true), host(1, "dc1", true), host(2, "dc1", true)];
    let asked = 0;
    const child = new (class extends DcAwareRoundRobinPolicy {
      override plan(c: Cluster): Host[] {
        asked++;
        return super.plan(c);
      }
    })();
    const policy = new TokenAwarePolicy(child);
    const plan = policy.plan(fakeCluster(hosts, [hosts[2]]), keyed());
    const it = plan[Symbol.iterator]();
    assert.equal(it.next().value?.info.address, "h2");
    assert.equal(asked, 0, "the replica alone needs no fallback order");
    const rest = [it.next().value, it.next().value].map((h) => h?.info.address).sort();
    assert.deepEqual(rest, ["h0", "h1"]);
    assert.equal(it.next().done, true, "the replica is not tried twice");
    assert.equal(asked, 1);
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

  it("gives the token of the composite of the key columns' bytes (one column: its bytes)", () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 3 }),
      (values) => {
        const plan = planOf(values.length);
        const got = routingFor(plan, values, undefined);
        const key = compositeKey(plan.indexes.map((i) => be32(values[i])));
        assert.deepEqual([got.tokenHi, got.tokenLo], Array.from(murmur3TokenHiLo(key)));
        assert.equal(got.keyspace, "ks");
        assert.equal(got.lwt, false);
      },
    ));
  });

  it("gives no key when a key value is missing or not needed, and keeps the routing facts", () => {
    const plan = planOf(2, true);
    const facts = {
      keyspace: "ks",
      table: "t",
      lwt: true,
      tokenHi: undefined,
      tokenLo: undefined,
      tablet: undefined,
    };
    assert.deepEqual(routingFor(plan, [1, null], undefined), facts);
    assert.deepEqual(routingFor(plan, [null, 1], undefined), facts);
    assert.deepEqual(routingFor(plan, [1, 2], undefined, null, false), facts);
    assert.deepEqual(routingFor(plan, ["x", 2], undefined), facts);
    const byName = routingFor(planOf(1), { C0: 7 }, undefined);
    assert.deepEqual(
      [byName.tokenHi, byName.tokenLo],
      Array.from(murmur3TokenHiLo(new Uint8Array([0, 0, 0, 7]))),
    );
  });
});
