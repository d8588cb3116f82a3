/**
 * Token-aware routing: replicas of the request's partition first, then the
 * wrapped policy's plan.
 * @module
 */

import type { Cluster, Host } from "../cluster/cluster.ts";
import { murmur3TokenHiLo } from "../routing/murmur3.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";
import type { LoadBalancingPolicy } from "./load_balancing.ts";

/**
 * Sends each request with a routing key to a live replica in the local
 * datacenter (round-robin among them; LWT to the primary replica first),
 * then falls back to `child`'s order for everything else.
 */
export class TokenAwarePolicy implements LoadBalancingPolicy {
  #child: LoadBalancingPolicy;
  #next = 0;

  constructor(child: LoadBalancingPolicy) {
    this.#child = child;
  }

  plan(cluster: Cluster, routing?: RoutingInfo): Iterable<Host> {
    const key = routing?.routingKey;
    const fallback = this.#child.plan(cluster, routing);
    if (!key || !routing?.keyspace) return fallback;
    if (routing.token === undefined) {
      const hiLo = routing.tokenHiLo = murmur3TokenHiLo(key);
      routing.token = (BigInt(hiLo[0]) << 32n) | BigInt(hiLo[1] >>> 0);
    }
    const replicas = cluster.replicas(routing.keyspace, routing.token, routing);
    if (replicas.length === 0) return fallback;
    // Remote replicas are no better than any remote node: the child's order places them.
    const dc = cluster.localDatacenter;
    let local: Host[] | null = null;
    for (let i = 0; i < replicas.length; i++) {
      const h = replicas[i];
      if (h.pool.size > 0 && h.info.datacenter === dc) (local ??= []).push(h);
    }
    if (local === null) return fallback;
    const replicaCount = local.length;
    if (replicaCount > 1 && !routing.lwt) {
      // Rotate left by k: the k-th replica first, ring order after it.
      const k = this.#next++ % replicaCount;
      this.#next %= 1 << 30;
      for (let r = 0; r < k; r++) local.push(local.shift()!);
    }
    for (const h of fallback) {
      // Only the replicas at the front need checking: the fallback has no duplicates.
      let replica = false;
      for (let i = 0; i < replicaCount; i++) {
        if (local[i] === h) {
          replica = true;
          break;
        }
      }
      if (!replica) local.push(h);
    }
    return local;
  }
}
