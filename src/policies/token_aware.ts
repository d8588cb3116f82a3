/**
 * Token-aware routing: replicas of the request's partition first, then the
 * wrapped policy's plan.
 * @module
 */

import type { Cluster, Host } from "../cluster/cluster.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";
import { type LoadBalancingPolicy, ReplicasFirst } from "./load_balancing.ts";

/** Replica sets whose plans are kept before the cache starts over (stale ring arrays go too). */
const MAX_CACHED_SETS = 65_536;

/**
 * Sends each request with a token to a live replica in the local datacenter
 * (round-robin among them; LWT to the primary replica first), then falls back
 * to `child`'s order for everything else, worked out only if every local
 * replica fails.
 *
 * The plans of a ring position are made once: the cluster hands out one array
 * per position and keyspace, and while every local replica of it is up its
 * plans (one per rotation) are kept, keyed by that array, until the topology,
 * the schema or the local datacenter changes.
 */
export class TokenAwarePolicy implements LoadBalancingPolicy {
  #child: LoadBalancingPolicy;
  #next = 0;
  /** Rotations of the local replicas, by the cluster's replica array; `[]`: no local replica. */
  #plans = new Map<readonly Host[], ReplicasFirst[]>();
  /** What the cached plans were made for. */
  #madeFor: { cluster: Cluster; version: number; keyspaces: unknown; dc: string } | null = null;

  constructor(child: LoadBalancingPolicy) {
    this.#child = child;
  }

  plan(cluster: Cluster, routing?: RoutingInfo): Iterable<Host> {
    const token = routing?.tokenHiLo;
    if (token === undefined || !routing!.keyspace) return this.#child.plan(cluster, routing);
    const replicas = cluster.replicas(routing!.keyspace, token, routing);
    // A tablet's replica array may be made per request: only ring arrays are cache keys.
    const plans = routing!.tablet === undefined ? this.#cached(cluster, replicas) : null;
    if (plans !== null) {
      return plans[plans.length === 1 || routing!.lwt ? 0 : this.#turn(plans.length)];
    }
    // Remote replicas are no better than any remote node: the child's order places them.
    const dc = cluster.localDatacenter;
    let count = 0;
    for (let i = 0; i < replicas.length; i++) {
      const h = replicas[i];
      if (h.pool.size > 0 && h.info.datacenter === dc) count++;
    }
    if (count === 0) return this.#child.plan(cluster, routing);
    const k = count > 1 && !routing!.lwt ? this.#turn(count) : 0;
    // Rotated left by k without a temporary: the k-th local replica first, ring order after it.
    const first: Host[] = [];
    for (let i = 0, j = 0; i < replicas.length; i++) {
      const h = replicas[i];
      if (h.pool.size > 0 && h.info.datacenter === dc && j++ >= k) first.push(h);
    }
    for (let i = 0, j = 0; j < k; i++) {
      const h = replicas[i];
      if (h.pool.size > 0 && h.info.datacenter === dc) {
        first.push(h);
        j++;
      }
    }
    return new ReplicasFirst(first, this.#child, cluster);
  }

  /** The next rotation of `count` replicas. */
  #turn(count: number): number {
    const k = this.#next++ % count;
    this.#next %= 1 << 30;
    return k;
  }

  /**
   * The plans of `replicas`, one per rotation of its local replicas, or `null`
   * when it has none or one of them is down (the plan is then made per request).
   */
  #cached(cluster: Cluster, replicas: readonly Host[]): ReplicasFirst[] | null {
    const dc = cluster.localDatacenter;
    const m = this.#madeFor;
    if (
      m === null || m.cluster !== cluster || m.version !== cluster.version ||
      m.keyspaces !== cluster.keyspaces || m.dc !== dc
    ) {
      this.#plans.clear();
      this.#madeFor = { cluster, version: cluster.version, keyspaces: cluster.keyspaces, dc };
    }
    let plans = this.#plans.get(replicas);
    if (plans === undefined) {
      if (this.#plans.size >= MAX_CACHED_SETS) this.#plans.clear();
      const local = replicas.filter((h) => h.info.datacenter === dc);
      plans = local.map((_, k) =>
        new ReplicasFirst([...local.slice(k), ...local.slice(0, k)], this.#child, cluster)
      );
      this.#plans.set(replicas, plans);
    }
    if (plans.length === 0) return null;
    const first = plans[0].first;
    for (let i = 0; i < first.length; i++) if (first[i].pool.size === 0) return null;
    return plans;
  }
}
