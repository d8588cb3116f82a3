/**
 * Token-aware routing: replicas of the request's partition first, then the
 * wrapped policy's plan.
 * @module
 */

import type { Cluster, Host } from "../cluster/cluster.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";
import type { TokenMap } from "../routing/token_map.ts";
import { type LoadBalancingPolicy, ReplicasFirst } from "./load_balancing.ts";

/**
 * Sends each request with a token to a live replica in the local datacenter
 * (round-robin among them; LWT to the primary replica first), then falls back
 * to `child`'s order for everything else, worked out only if every local
 * replica fails.
 *
 * The plans of a ring position are made once per keyspace: while every local
 * replica of the position is up, its plans (one per rotation) are kept until
 * the ring (topology or schema), a node's state or the local datacenter
 * changes. Replicas named by a tablet (ScyllaDB) are planned per request.
 */
export class TokenAwarePolicy implements LoadBalancingPolicy {
  #child: LoadBalancingPolicy;
  #next = 0;
  #kept: KeptPlans | null = null;

  constructor(child: LoadBalancingPolicy) {
    this.#child = child;
  }

  plan(cluster: Cluster, routing?: RoutingInfo): Iterable<Host> {
    const token = routing?.tokenHiLo;
    const keyspace = routing?.keyspace;
    if (token === undefined || !keyspace) return this.#child.plan(cluster, routing);
    if (cluster.tabletsRouting === 0 || !routing!.table) {
      const plans = this.#ringPlans(cluster, keyspace, token);
      if (plans !== null) {
        return plans[plans.length === 1 || routing!.lwt ? 0 : this.#turn(plans.length)];
      }
    }
    const replicas = cluster.replicas(keyspace, token, routing);
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
   * The kept plans of the ring position of `token` in `keyspace`, one per
   * rotation of its local replicas; `null` when it has none or one of them is
   * down (the plan is then made per request).
   */
  #ringPlans(cluster: Cluster, keyspace: string, token: Int32Array): ReplicasFirst[] | null {
    const ring = cluster.ring;
    let kept = this.#kept;
    if (
      kept === null || kept.ring !== ring || kept.version !== cluster.version ||
      kept.dc !== cluster.localDatacenter || kept.cluster !== cluster
    ) {
      kept = this.#kept = {
        cluster,
        ring,
        version: cluster.version,
        dc: cluster.localDatacenter,
        byKeyspace: new Map(),
        lastKeyspace: null,
        last: [],
      };
    }
    // Requests of one statement name the same keyspace string: usually no map lookup.
    let byPosition = kept.last;
    if (kept.lastKeyspace !== keyspace) {
      byPosition = kept.byKeyspace.get(keyspace) ?? [];
      kept.byKeyspace.set(keyspace, byPosition);
      kept.lastKeyspace = keyspace;
      kept.last = byPosition;
    }
    const at = ring.indexOfHiLo(token[0], token[1]);
    if (at < 0) return null;
    let plans = byPosition[at];
    if (plans === undefined) {
      const replicated = cluster.keyspaces.get(keyspace);
      const replicas = replicated === undefined ? [] : ring.replicasAt(replicated, at);
      const local = replicas.filter((h) => h.info.datacenter === kept.dc);
      plans = byPosition[at] = local.map((_, k) =>
        new ReplicasFirst([...local.slice(k), ...local.slice(0, k)], this.#child, cluster)
      );
    }
    if (plans.length === 0) return null;
    const first = plans[0].first;
    for (let i = 0; i < first.length; i++) if (first[i].pool.size === 0) return null;
    return plans;
  }
}

/** The plans a {@link TokenAwarePolicy} keeps, and what they were made for. */
interface KeptPlans {
  readonly cluster: Cluster;
  readonly ring: TokenMap<Host>;
  readonly version: number;
  readonly dc: string;
  /** Per keyspace, per ring position: the plans, `[]` when it has no local replica. */
  readonly byKeyspace: Map<string, ReplicasFirst[][]>;
  lastKeyspace: string | null;
  last: ReplicasFirst[][];
}
