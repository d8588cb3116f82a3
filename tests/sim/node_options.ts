/**
 * What a SIMULATED ScyllaDB node (`scylla_node.ts`; tests only, not ScyllaDB)
 * is configured with, what it records of each client connection, and a
 * polling wait for state on the driver's side.
 * @module
 */

import type { SimTopology } from "./topology.ts";

/** Settings of the simulated node. */
export interface SimulatedNodeOptions {
  /** `SCYLLA_NR_SHARDS`. */
  nrShards: number;
  /** `SCYLLA_SHARDING_IGNORE_MSB` (default 12, ScyllaDB's). */
  ignoreMsb?: number;
  /** Listen on and advertise a shard-aware port (default `true`). */
  shardAwarePort?: boolean;
  /** How the normal port assigns shards (default `"round-robin"`). */
  normalPortShards?: "round-robin" | "random";
  /** Bit advertised as `SCYLLA_LWT_ADD_METADATA_MARK` (default 0x80000000, ScyllaDB's). */
  lwtMask?: number;
  /**
   * Play a NAT between client and node that rewrites source ports: the
   * shard-aware port then assigns shards like the normal port (default `false`).
   */
  natRewritesSourcePorts?: boolean;
  /**
   * Advertise the shard-aware port but refuse connections on it, as a firewall
   * that only lets the normal port through would (default `false`).
   */
  shardAwarePortClosed?: boolean;
  /** Advertise no `SCYLLA_*` option at all, as Cassandra (default `false`). */
  cassandra?: boolean;
  /** Offer `SCYLLA_USE_METADATA_ID` (default `true`, as ScyllaDB since 2025.2). */
  useMetadataId?: boolean;
  /** One-node sim: know `CLIENT_ROUTES_CHANGE` and `system.client_routes` (default `true`). */
  clientRoutes?: boolean;
  /** Listen address (default 127.0.0.1; any 127.x.y.z works on Linux). */
  address?: string;
  /** Normal port (default 0: ephemeral). */
  port?: number;
  /** Shard-aware port number (default 0: ephemeral). */
  shardAwarePortNumber?: number;
  /** The cluster this node belongs to and its host id in it (default: a one-node cluster). */
  cluster?: { topology: SimTopology; hostId: string };
}

/** One client connection as the simulation sees it. */
export interface SimConnection {
  /** Order of arrival. */
  readonly id: number;
  /** Which listening port it came through. */
  readonly via: "normal" | "shard-aware";
  /** The client's source port. */
  readonly remotePort: number;
  /** The shard serving it. */
  readonly shard: number;
  /** Sent REGISTER: the driver's control connection. */
  control: boolean;
  /** The event types it registered for. */
  events: string[];
  /** STARTUP answered. */
  ready: boolean;
  /** Still open. */
  open: boolean;
  /** STARTUP options the client sent. */
  startup: Map<string, string>;
  /** Keyspace set by `USE`. */
  keyspace: string | null;
}

/**
 * Resolves once `condition` holds, checking every few milliseconds; rejects
 * after `timeoutMs` naming `what`. For state on the driver's side, where the
 * simulation sees no event.
 */
export async function eventually(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
