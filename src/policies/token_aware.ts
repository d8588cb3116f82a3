/**
 * Token-aware routing: replicas of the request's partition first, then the
 * wrapped policy's plan.
 * @module
 */

import type { Cluster, Host } from "../cluster/cluster.ts";
import { murmur3TokenHiLo, tokenOfHiLo } from "../routing/murmur3.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";
import { appendRoundRobinPlan, type LoadBalancingPolicy } from "./load_balancing.ts";

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
    if (!key || !routing?.keyspace) return this.#child.plan(cluster, routing);
    if (routing.token === undefined) {
      routing.token = tokenOfHiLo(routing.tokenHiLo = murmur3TokenHiLo(key));
    }
    const replicas = cluster.replicas(routing.keyspace, routing.token, routing);
    // Remote replicas are no better than any remote node: the child's order places them.
    const dc = cluster.localDatacenter;
    let count = 0;
    for (let i = 0; i < replicas.length; i++) {
      const h = replicas[i];
      if (h.pool.size > 0 && h.info.datacenter === dc) count++;
    }
    if (count === 0) return this.#child.plan(cluster, routing);
    let k = 0;
    if (count > 1 && !routing.lwt) {
      k = this.#next++ % count;
      this.#next %= 1 << 30;
    }
    // Rotated left by k without a temporary: the k-th local replica first, ring order after it.
    const out: Host[] = [];
    for (let i = 0, j = 0; i < replicas.length; i++) {
      const h = replicas[i];
      if (h.pool.size > 0 && h.info.datacenter === dc && j++ >= k) out.push(h);
    }
    for (let i = 0, j = 0; j < k; i++) {
      const h = replicas[i];
      if (h.pool.size > 0 && h.info.datacenter === dc) {
        out.push(h);
        j++;
      }
    }
    if (appendRoundRobinPlan(this.#child, cluster, out, count)) return out;
    for (const h of this.#child.plan(cluster, routing)) {
      // Only the replicas at the front need checking: the fallback has no duplicates.
      let replica = false;
      for (let i = 0; i < count; i++) {
        if (out[i] === h) {
          replica = true;
          break;
        }
      }
      if (!replica) out.push(h);
    }
    return out;
  }
}
