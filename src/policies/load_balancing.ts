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

/** Set by the class's static block: the only way to its private `#append` from outside. */
let appendPlan: (
  policy: DcAwareRoundRobinPolicy,
  cluster: Cluster,
  out: Host[],
  skip: number,
) => void;

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

  /**
   * Appends this policy's plan to `out`, leaving out the hosts of `out[0, skip)`:
   * what a token-aware parent needs, without building the fallback array.
   * Advances the rotation exactly as {@link plan} does.
   */
  #append(cluster: Cluster, out: Host[], skip: number): void {
    const c = this.#live(cluster);
    const live = c.live;
    const n = live.length;
    let start = 0, span = n;
    if (n > 1) {
      span = c.local > 0 ? c.local : n;
      start = this.#next++ % span;
      this.#next %= 1 << 30;
    }
    for (let i = 0; i < n; i++) {
      const h = live[i < span ? (start + i) % span : i];
      if (!inPrefix(out, skip, h)) out.push(h);
    }
  }

  static {
    appendPlan = (policy, cluster, out, skip) => policy.#append(cluster, out, skip);
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

/** Whether `h` is one of `hosts[0, n)` (a few replicas: a loop beats a set). */
function inPrefix(hosts: readonly Host[], n: number, h: Host): boolean {
  for (let i = 0; i < n; i++) if (hosts[i] === h) return true;
  return false;
}

/**
 * Appends `policy`'s plan to `out` minus `out[0, skip)` when `policy` is exactly
 * a {@link DcAwareRoundRobinPolicy} (a subclass may plan otherwise); `false` when not.
 * @internal
 */
export function appendRoundRobinPlan(
  policy: LoadBalancingPolicy,
  cluster: Cluster,
  out: Host[],
  skip: number,
): boolean {
  if (policy.constructor !== DcAwareRoundRobinPolicy) return false;
  appendPlan(policy as DcAwareRoundRobinPolicy, cluster, out, skip);
  return true;
}

/** Whether every host still has an open connection (a loop: this runs on every request). */
function allOpen(hosts: readonly Host[]): boolean {
  for (let i = 0; i < hosts.length; i++) if (hosts[i].pool.size === 0) return false;
  return true;
}
