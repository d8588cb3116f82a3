/**
 * What every node of the SIMULATED cluster (tests only; not ScyllaDB) knows
 * about the cluster: its nodes (address, host id, vnode tokens, shards), its
 * keyspaces, each with one table `t (k int PRIMARY KEY, v int)`, and for a
 * tablets keyspace the tablet map of that table. Shared by the nodes' system
 * tables and their EXECUTE handling, so a test that moves a tablet changes
 * what every node answers.
 * @module
 */

import { type SimHost, SimTabletTable } from "./tablets.ts";

/** One node's identity and ring position. */
export interface SimNodeInfo {
  /** Listen and rpc address. */
  address: string;
  /** `system.local.host_id`, also `SCYLLA_HOST_ID` in SUPPORTED. */
  hostId: string;
  /** Vnode tokens: what `system.local.tokens` lists; vnode keyspaces are placed by them. */
  tokens: bigint[];
  nrShards: number;
  dc: string;
  rack: string;
}

/** A keyspace with its single table `t`. */
export interface SimKeyspace {
  name: string;
  /** Replication factor (SimpleStrategy for the classic one-node sim, else NetworkTopologyStrategy). */
  rf: number;
  /** The table's tablets; `null` for a vnode keyspace. */
  tablets: SimTabletTable | null;
  /** Regular `int` columns of `t` (absent: just `v`); `ALTER TABLE … ADD` appends. */
  columns?: string[];
  /** Bumped by every ALTER of `t` (absent: 0), which invalidates its prepared statements. */
  schemaVersion?: number;
}

/** Settings of a tablets keyspace. */
export interface SimTabletsKeyspaceOptions {
  name: string;
  rf: number;
  /** How many tablets the table has. */
  count: number;
  /** `"pow2"` (ScyllaDB's default equal split; `count` a power of two) or `"random"` boundaries. */
  layout?: "pow2" | "random";
}

/** The classic one-node sim's host id. */
export const SINGLE_HOST_ID = "2a1f0b7c-5d1e-4f43-9c3a-1b2c3d4e5f60";
/** The classic one-node sim's tokens. */
const SINGLE_TOKENS = [-6148914691236517206n, 0n, 6148914691236517204n];

/** The cluster as all its nodes see it. */
export class SimTopology {
  readonly nodes: SimNodeInfo[];
  readonly keyspaces = new Map<string, SimKeyspace>();
  /** Advertise `TABLETS_ROUTING_V2_EXPERIMENTAL` (ScyllaDB: only with `strongly-consistent-tables`). */
  tabletsV2 = false;
  /**
   * The nodes know `CLIENT_ROUTES_CHANGE` and have `system.client_routes`
   * (ScyllaDB added both together, Dec 2025); `false` plays an older ScyllaDB.
   */
  clientRoutes = true;
  /** One-node layout with SimpleStrategy keyspaces, as the sim always had. */
  readonly classic: boolean;

  constructor(nodes: SimNodeInfo[], classic = false) {
    this.nodes = nodes;
    this.classic = classic;
  }

  /** The one-node topology of `SimulatedScyllaNode` without a cluster: keyspace `ks`, RF 1. */
  static single(nrShards: number, address = "127.0.0.1"): SimTopology {
    const topo = new SimTopology([{
      address,
      hostId: SINGLE_HOST_ID,
      tokens: SINGLE_TOKENS,
      nrShards,
      dc: "datacenter1",
      rack: "rack1",
    }], true);
    topo.keyspaces.set("ks", { name: "ks", rf: 1, tablets: null });
    return topo;
  }

  /** Adds a tablets keyspace, its tablets allocated over every node with `next` as the dice. */
  addTabletsKeyspace(opts: SimTabletsKeyspaceOptions, next: () => number): SimTabletTable {
    const hosts: SimHost[] = this.nodes.map((n) => ({ hostId: n.hostId, nrShards: n.nrShards }));
    const table = SimTabletTable.allocate(opts.count, hosts, opts.rf, opts.layout ?? "pow2", next);
    this.keyspaces.set(opts.name, { name: opts.name, rf: opts.rf, tablets: table });
    return table;
  }

  /** The node with this host id. */
  node(hostId: string): SimNodeInfo | undefined {
    return this.nodes.find((n) => n.hostId === hostId);
  }

  /**
   * Replicas of `token` in a vnode keyspace: the owner of the first vnode
   * token >= `token` (wrapping), then the next distinct nodes along the ring,
   * as SimpleStrategy and a one-rack NetworkTopologyStrategy both place them.
   */
  vnodeReplicas(rf: number, token: bigint): string[] {
    const ring = this.nodes.flatMap((n) => n.tokens.map((t) => ({ t, host: n.hostId })))
      .sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
    let i = ring.findIndex((e) => e.t >= token);
    if (i < 0) i = 0;
    const out: string[] = [];
    for (let n = 0; n < ring.length && out.length < rf; n++) {
      const host = ring[(i + n) % ring.length].host;
      if (!out.includes(host)) out.push(host);
    }
    return out;
  }
}
