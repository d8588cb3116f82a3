/**
 * Rack- and datacenter-aware load balancing with token-aware replicas and
 * optional latency awareness, in one policy (as scylla-rust-driver's default):
 * replicas in the local rack, replicas in the local datacenter, the other
 * nodes of the local rack, the rest of the local datacenter, and then — only
 * when failover is permitted — remote replicas and remote nodes. Each group
 * is rotated round-robin (an LWT keeps the replicas' ring order, primary
 * first); with latency awareness the penalised hosts of a group go last.
 * @module
 */

import type { Cluster, Host } from "../cluster/cluster.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";
import type { LatencyTracker } from "./latency_aware.ts";
import type { LoadBalancingPolicy } from "./load_balancing.ts";

/** Settings of {@link DefaultLoadBalancingPolicy}. */
export interface DefaultPolicyOptions {
  /** Preferred datacenter; `null` takes the cluster's (the first contact point's). */
  localDatacenter?: string | null;
  /** Preferred rack inside the local datacenter; `null` for none. */
  localRack?: string | null;
  /** Whether remote datacenters come after the local one (default `true`). */
  permitDcFailover?: boolean;
  /** Latency tracking, or `null` to route without it (default). */
  latencyAware?: LatencyTracker | null;
}

const RACK = 0, DC = 1, REMOTE = 2;

interface Groups {
  version: number;
  dc: string;
  /** Live hosts by group: local rack, rest of the local DC, remote. */
  byGroup: [Host[], Host[], Host[]];
}

/**
 * The replicas of the request's partition, primary first (empty when the
 * request has no token or the keyspace is unknown). The one place where
 * this policy learns replicas: `Cluster.replicas` answers from a known tablet first.
 */
export function replicasFor(cluster: Cluster, routing: RoutingInfo | undefined): Host[] {
  const tokenHi = routing?.tokenHi;
  if (tokenHi === undefined || !routing?.keyspace) return [];
  return cluster.replicas(routing.keyspace, tokenHi, routing.tokenLo!, routing);
}

/** Rack-aware, token-aware, optionally latency-aware host order. */
export class DefaultLoadBalancingPolicy implements LoadBalancingPolicy {
  readonly #dc: string | null;
  readonly #rack: string | null;
  readonly #failover: boolean;
  readonly #latency: LatencyTracker | null;
  #next = 0;
  #groups: Groups | null = null;

  /** @param options preferred datacenter and rack, failover, latency awareness */
  constructor(options: DefaultPolicyOptions = {}) {
    this.#dc = options.localDatacenter ?? null;
    this.#rack = options.localRack ?? null;
    this.#failover = options.permitDcFailover ?? true;
    const latency = this.#latency = options.latencyAware ?? null;
    if (latency !== null) this.recordLatency = (host, ms) => latency.record(host, ms);
  }

  /** The latency tracker, when latency-aware. */
  get latencyAware(): LatencyTracker | null {
    return this.#latency;
  }

  /** Records a successful attempt's latency; present only when latency-aware. */
  recordLatency?: (host: Host, latencyMs: number) => void;

  /** Hosts to try for one request, best first. */
  plan(cluster: Cluster, routing?: RoutingInfo): Host[] {
    const g = this.#live(cluster);
    const replicas = replicasFor(cluster, routing);
    const rot = this.#next++;
    this.#next %= 1 << 30;
    const out: Host[] = [];
    const replicaGroups: [Host[], Host[], Host[]] = [[], [], []];
    for (const h of replicas) {
      if (h.pool.size === 0) continue;
      replicaGroups[this.#groupOf(h, g.dc)].push(h);
    }
    const lwt = routing?.lwt === true;
    const isReplica = replicas.length > 0 ? new Set(replicas) : null;
    const push = (hosts: readonly Host[], rotate: boolean, skipReplicas: boolean) => {
      const start = out.length;
      const n = hosts.length;
      const k = rotate && n > 1 ? rot % n : 0;
      for (let i = 0; i < n; i++) {
        const h = hosts[(k + i) % n];
        if (!skipReplicas || isReplica === null || !isReplica.has(h)) out.push(h);
      }
      if (this.#latency !== null && out.length - start > 1) {
        this.#latency.demote(out, start, out.length);
      }
    };
    push(replicaGroups[RACK], !lwt, false);
    push(replicaGroups[DC], !lwt, false);
    push(g.byGroup[RACK], true, true);
    push(g.byGroup[DC], true, true);
    if (this.#failover) {
      push(replicaGroups[REMOTE], !lwt, false);
      push(g.byGroup[REMOTE], true, true);
    }
    return out;
  }

  #groupOf(h: Host, dc: string): number {
    if (h.info.datacenter !== dc) return REMOTE;
    return this.#rack !== null && h.info.rack === this.#rack ? RACK : DC;
  }

  #live(cluster: Cluster): Groups {
    const c = this.#groups;
    const dc = this.#dc ?? cluster.localDatacenter;
    // Pools open and close without a topology change: recheck sizes cheaply.
    if (
      c && c.version === cluster.version && c.dc === dc &&
      c.byGroup.every((hs) => hs.every((h) => h.pool.size > 0))
    ) return c;
    const byGroup: [Host[], Host[], Host[]] = [[], [], []];
    for (const h of cluster.liveHosts()) byGroup[this.#groupOf(h, dc)].push(h);
    return this.#groups = { version: cluster.version, dc, byGroup };
  }
}
