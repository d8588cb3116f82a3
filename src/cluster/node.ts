/**
 * What the driver knows about one node of the cluster.
 * @module
 */

import { formatContactPoint } from "../pool/address.ts";
import type { HostPool } from "../pool/host_pool.ts";

/** One node as discovered from `system.local` / `system.peers`. */
export interface NodeInfo {
  /** Host id (uuid), the node's identity across address changes. */
  hostId: string;
  /** Address clients connect to. */
  address: string;
  /** Native protocol port. */
  port: number;
  /** Datacenter name. */
  datacenter: string;
  /** Rack name. */
  rack: string;
  /** Tokens the node owns (Murmur3, as bigint). */
  tokens: bigint[];
  /** Schema version the node last reported. */
  schemaVersion: string | null;
  /** Cassandra/ScyllaDB release version. */
  releaseVersion: string | null;
  /** Whether the driver can reach the node. */
  up: boolean;
  /** ScyllaDB shard count, `null` on Cassandra. */
  shardCount: number | null;
  /** Protocol extensions negotiated with the node (names as the server spells them). */
  extensions: string[];
}

/** `host:port`, with IPv6 bracketed. */
export function nodeAddress(n: { address: string; port: number }): string {
  return formatContactPoint({ host: n.address, port: n.port });
}

/** A node with its pool. */
export interface Host {
  /** What is known of the node. */
  info: NodeInfo;
  /** Its connections. */
  pool: HostPool;
  /** Requests sent to the node (attempts). */
  sent: number;
}
