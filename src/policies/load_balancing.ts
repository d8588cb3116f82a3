/**
 * The order in which hosts are tried for one request.
 * @module
 */

import type { Cluster, Host } from "../cluster/cluster.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";

/** Chooses the hosts to try, best first. */
export interface LoadBalancingPolicy {
  /** Hosts in the order to try them for one request. */
  plan(cluster: Cluster, routing?: RoutingInfo): Iterable<Host>;
  /**
   * Called with each successful attempt's latency, when the policy wants it
   * (latency-aware routing); the executor measures nothing otherwise.
   */
  recordLatency?(host: Host, latencyMs: number): void;
}

/**
 * Round-robin over the live hosts of the local datacenter, then the remote
 * ones as a fallback.
 */
export class DcAwareRoundRobinPolicy implements LoadBalancingPolicy {
  #next = 0;
  #cache: { version: number; live: Host[]; local: number } | null = null;

  plan(cluster: Cluster): Host[] {
    const live = this.#live(cluster);
    const n = live.live.length;
    if (n <= 1) return live.live;
    const local = live.local;
    const start = this.#next++ % (local > 0 ? local : n);
    this.#next %= 1 << 30;
    // Rotate within the local hosts; the remote ones keep their order after them.
    const out = new Array<Host>(n);
    const span = local > 0 ? local : n;
    for (let i = 0; i < span; i++) out[i] = live.live[(start + i) % span];
    for (let i = span; i < n; i++) out[i] = live.live[i];
    return out;
  }

  #live(cluster: Cluster) {
    const c = this.#cache;
    // Pools open and close without a topology change: recheck sizes cheaply.
    if (c && c.version === cluster.version && allOpen(c.live)) return c;
    const live = cluster.liveHosts();
    const local = live.filter((h) => h.info.datacenter === cluster.localDatacenter).length;
    this.#cache = { version: cluster.version, live, local };
    return this.#cache;
  }
}

/** Whether every host still has an open connection (a loop: this runs on every request). */
function allOpen(hosts: readonly Host[]): boolean {
  for (let i = 0; i < hosts.length; i++) if (hosts[i].pool.size === 0) return false;
  return true;
}

/**
 * A plan whose first hosts are known at once (a request's local replicas) and whose rest, the
 * fallback policy's order without them, is worked out only when every one of them has failed:
 * nearly every request is answered by its first host, and the executor walks `first` by index.
 * Immutable, so a policy may hand the same plan to many requests.
 */
export class ReplicasFirst implements Iterable<Host> {
  /**
   * @param first the hosts to try first, in order
   * @param fallback the policy ordering every other host
   * @param cluster what `fallback` plans over
   */
  constructor(
    readonly first: readonly Host[],
    readonly fallback: LoadBalancingPolicy,
    readonly cluster: Cluster,
  ) {}

  /** The fallback's hosts that are not in `first`, in the fallback's order. */
  *rest(): Generator<Host> {
    const first = this.first;
    for (const h of this.fallback.plan(this.cluster)) if (!first.includes(h)) yield h;
  }

  /** Every host of the plan: `first`, then {@link rest}. */
  *[Symbol.iterator](): Generator<Host> {
    yield* this.first;
    yield* this.rest();
  }
}
