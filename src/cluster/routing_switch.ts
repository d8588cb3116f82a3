/**
 * INTERNAL, not exported from `mod.ts`: a process-wide switch for the benchmark
 * (`bench/clients/rsylla.ts --routing-forced`) that turns off the single-node
 * short-circuit, so that against one unsharded node the driver still computes
 * the routing key, the Murmur3 token and the replica lookup on every request,
 * as it does on a real cluster. Never set by the driver itself.
 * @module
 */

/** Read by `Cluster.routingMatters` once it found one unsharded node. */
export const routingSwitch: { forced: boolean } = { forced: false };

/** Makes every session of this process compute routing even against one unsharded node. */
export function forceRouting(on = true): void {
  routingSwitch.forced = on;
}
