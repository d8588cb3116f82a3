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
    const tokenHi = routing?.tokenHi;
    const keyspace = routing?.keyspace;
    if (tokenHi === undefined || !keyspace) return this.#child.plan(cluster, routing);
    const tokenLo = routing!.tokenLo!;
    let replicas: readonly Host[];
    if (cluster.tabletsRouting === 0 || !routing!.table) {
      const position = this.#position(cluster, keyspace, tokenHi, tokenLo);
      const plans = position.plans;
      if (plans.length > 0 && allUp(plans[0].first)) {
        return plans[plans.length === 1 || routing!.lwt ? 0 : this.#turn(plans.length)];
      }
      replicas = position.replicas;
    } else replicas = cluster.replicas(keyspace, tokenHi, tokenLo, routing);
    // Remote replicas are no better than any remote node: the child's order places them.
    const dc = cluster.localDatacenter;
    let count = 0;
    for (let i = 0; i < replicas.length; i++) {
      if (isLocal(replicas[i], dc, true)) count++;
    }
    if (count === 0) return this.#child.plan(cluster, routing);
    const k = count > 1 && !routing!.lwt ? this.#turn(count) : 0;
    return new ReplicasFirst(rotated(replicas, k, dc, true), this.#child, cluster);
  }

  /** The next rotation of `count` replicas. */
  #turn(count: number): number {
    const k = this.#next++ % count;
    if (this.#next === 1 << 30) this.#next = 0;
    return k;
  }

  /**
   * The replicas of the ring position of the token `tokenHi:tokenLo` in `keyspace` and the
   * plans kept for it, one per rotation of its local replicas (none when it has none).
   */
  #position(cluster: Cluster, keyspace: string, tokenHi: number, tokenLo: number): KeptPosition {
    let kept = this.#kept;
    // The ring changes only with the cluster's version: no ring lookup per request.
    if (
      kept === null || kept.version !== cluster.version || kept.cluster !== cluster ||
      kept.dc !== cluster.localDatacenter
    ) {
      kept = this.#kept = {
        cluster,
        ring: cluster.ring,
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
    const ring = kept.ring;
    const at = ring.indexOfHiLo(tokenHi, tokenLo);
    if (at < 0) return NO_POSITION;
    let position = byPosition[at];
    if (position === undefined) {
      const replicated = cluster.keyspaces.get(keyspace);
      const replicas = replicated === undefined ? [] : ring.replicasAt(replicated, at);
      const dc = kept.dc;
      const local = replicas.filter((h) => h.info.datacenter === dc);
      const plans = local.map((_, k) =>
        new ReplicasFirst(rotated(replicas, k, dc, false), this.#child, cluster)
      );
      position = byPosition[at] = { replicas, plans };
    }
    return position;
  }
}

/** A ring position's replicas and its kept plans. */
interface KeptPosition {
  readonly replicas: readonly Host[];
  /** One per rotation of the local replicas, `[]` when it has none. */
  readonly plans: readonly ReplicasFirst[];
}

/** An empty ring's position. */
const NO_POSITION: KeptPosition = { replicas: [], plans: [] };

function isLocal(h: Host, dc: string, upOnly: boolean): boolean {
  return h.info.datacenter === dc && (!upOnly || h.pool.size > 0);
}

function allUp(hosts: readonly Host[]): boolean {
  for (let i = 0; i < hosts.length; i++) if (hosts[i].pool.size === 0) return false;
  return true;
}

/**
 * The replicas of `hosts` in datacenter `dc` (those with an open pool only, when `upOnly`),
 * rotated left by `k` without a temporary: the k-th of them first, ring order after it.
 */
function rotated(hosts: readonly Host[], k: number, dc: string, upOnly: boolean): Host[] {
  const out: Host[] = [];
  for (let i = 0, j = 0; i < hosts.length; i++) {
    if (isLocal(hosts[i], dc, upOnly) && j++ >= k) out.push(hosts[i]);
  }
  for (let i = 0, j = 0; j < k; i++) {
    if (isLocal(hosts[i], dc, upOnly)) {
      out.push(hosts[i]);
      j++;
    }
  }
  return out;
}

/** The plans a {@link TokenAwarePolicy} keeps, and what they were made for. */
interface KeptPlans {
  readonly cluster: Cluster;
  readonly ring: TokenMap<Host>;
  readonly version: number;
  readonly dc: string;
  /** Per keyspace, per ring position: its replicas and plans. */
  readonly byKeyspace: Map<string, KeptPosition[]>;
  lastKeyspace: string | null;
  last: KeptPosition[];
}
