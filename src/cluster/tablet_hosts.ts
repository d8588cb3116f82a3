/**
 * Tablet replicas resolved to the cluster's hosts, cached per tablet for one
 * topology version: `Cluster.replicas` asks on every request to a tablets
 * table, so the answer is worked out once per tablet and topology.
 * @module
 */

import type { Tablet } from "../routing/tablets.ts";
import type { Host } from "./node.ts";

/** Hosts of each tablet's replicas, in the tablet's order. */
export class TabletHosts {
  #cache = new WeakMap<Tablet, { version: number; hosts: Host[] | null }>();

  /**
   * The hosts of `tablet`'s replicas, or `null` when one of them is not a
   * known node (the caller then falls back to the token ring).
   * @param version the topology version `hosts` belongs to
   */
  resolve(tablet: Tablet, hosts: ReadonlyMap<string, Host>, version: number): Host[] | null {
    let cached = this.#cache.get(tablet);
    if (cached === undefined || cached.version !== version) {
      const found: Host[] = [];
      for (const r of tablet.replicas) {
        const h = hosts.get(r.hostId);
        if (h === undefined) break;
        found.push(h);
      }
      cached = { version, hosts: found.length === tablet.replicas.length ? found : null };
      this.#cache.set(tablet, cached);
    }
    return cached.hosts;
  }
}
