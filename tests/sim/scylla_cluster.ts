/**
 * A SIMULATED ScyllaDB cluster (tests only; not ScyllaDB): several
 * {@link SimulatedScyllaNode}s on loopback addresses (127.0.0.x, one per
 * node, all on the same port numbers, as a real cluster's nodes share 9042),
 * sharing one {@link SimTopology}: vnode tokens, keyspaces, and the tablet map
 * of each tablets keyspace. The tablet map is the cluster's own, unrelated to
 * the token ring, so only the routing payloads can teach a driver where a
 * partition lives; {@link moveTablet} changes it at run time.
 * @module
 */

import { SimulatedScyllaNode } from "./scylla_node.ts";
import type { ExecuteRecord } from "./execute.ts";
import { rng, type SimReplica, type SimTablet, type SimTabletTable } from "./tablets.ts";
import { type SimTabletsKeyspaceOptions, SimTopology } from "./topology.ts";

/** Settings of a simulated cluster. */
export interface SimulatedClusterOptions {
  /** Node addresses, one node each (default 127.0.0.61, .62, .63). */
  addresses?: string[];
  /** Shards per node (default 4), or one count per node. */
  nrShards?: number | number[];
  /** CQL port of every node (default 0: the first node's ephemeral port, reused). */
  port?: number;
  /** Shard-aware port of every node (default 0: likewise). */
  shardAwarePort?: number;
  /** Vnode keyspaces (default `[{ name: "ks", rf: 1 }]`). */
  vnodeKeyspaces?: { name: string; rf: number }[];
  /** Tablets keyspaces, each with table `t` (default none). */
  tabletKeyspaces?: SimTabletsKeyspaceOptions[];
  /** Advertise `TABLETS_ROUTING_V2_EXPERIMENTAL` (default `false`, as without SC tables). */
  tabletsV2?: boolean;
  /** Seed of the tablet allocation and vnode tokens (default 1). */
  seed?: number;
  /** How each node's normal port assigns shards (default `"round-robin"`). */
  normalPortShards?: "round-robin" | "random";
}

/** Shares of requests that landed well, for a slice of the record. */
export interface LandingShare {
  requests: number;
  /** On a replica node. */
  onReplica: number;
  /** On a replica node and its shard. */
  onReplicaShard: number;
  /** Answered with a tablets routing payload. */
  withPayload: number;
}

/** Host ids are derived from the node index, so test output is stable. */
function hostIdOf(i: number): string {
  const n = (i + 1).toString(16).padStart(2, "0");
  return `${n}000000-51a1-4000-8000-0000000000${n}`;
}

/** A cluster of simulated nodes; see the module note. */
export class SimulatedScyllaCluster {
  readonly nodes: SimulatedScyllaNode[];
  readonly topology: SimTopology;

  private constructor(nodes: SimulatedScyllaNode[], topology: SimTopology) {
    this.nodes = nodes;
    this.topology = topology;
  }

  /** Builds the topology and starts every node. */
  static async start(opts: SimulatedClusterOptions = {}): Promise<SimulatedScyllaCluster> {
    const addresses = opts.addresses ?? ["127.0.0.61", "127.0.0.62", "127.0.0.63"];
    const next = rng(opts.seed ?? 1);
    const shards = (i: number) =>
      Array.isArray(opts.nrShards) ? opts.nrShards[i] : opts.nrShards ?? 4;
    const topology = new SimTopology(addresses.map((address, i) => ({
      address,
      hostId: hostIdOf(i),
      // Eight vnodes per node at random places, like a small num_tokens.
      tokens: Array.from({ length: 8 }, () => BigInt(Math.floor((next() - 0.5) * 2 ** 53)) << 10n)
        .sort((a, b) => (a < b ? -1 : 1)),
      nrShards: shards(i),
      dc: "datacenter1",
      rack: "rack1",
    })));
    topology.tabletsV2 = opts.tabletsV2 ?? false;
    for (const k of opts.vnodeKeyspaces ?? [{ name: "ks", rf: 1 }]) {
      topology.keyspaces.set(k.name, { name: k.name, rf: k.rf, tablets: null });
    }
    for (const k of opts.tabletKeyspaces ?? []) topology.addTabletsKeyspace(k, next);
    const nodes: SimulatedScyllaNode[] = [];
    let port = opts.port ?? 0, shardAwarePort = opts.shardAwarePort ?? 0;
    try {
      for (const [i, n] of topology.nodes.entries()) {
        const node = await SimulatedScyllaNode.start({
          nrShards: shards(i),
          address: n.address,
          port,
          shardAwarePortNumber: shardAwarePort,
          normalPortShards: opts.normalPortShards,
          cluster: { topology, hostId: n.hostId },
        });
        nodes.push(node);
        port = node.port;
        shardAwarePort = node.shardAwarePort ?? 0;
      }
    } catch (e) {
      await Promise.all(nodes.map((n) => n.close()));
      throw e;
    }
    return new SimulatedScyllaCluster(nodes, topology);
  }

  /** The normal CQL port (the same on every node). */
  get port(): number {
    return this.nodes[0].port;
  }

  /** `address:port` of every node, for a driver's contact points. */
  contactPoints(): string[] {
    return this.nodes.map((n) => `${n.info.address}:${n.port}`);
  }

  /** The node with this host id. */
  node(hostId: string): SimulatedScyllaNode {
    const node = this.nodes.find((n) => n.info.hostId === hostId);
    if (node === undefined) throw new Error(`no simulated node ${hostId}`);
    return node;
  }

  /** The tablet map of a tablets keyspace's table `t`. */
  tablets(keyspace: string): SimTabletTable {
    const t = this.topology.keyspaces.get(keyspace)?.tablets;
    if (!t) throw new Error(`${keyspace} is not a tablets keyspace of the simulation`);
    return t;
  }

  /**
   * Moves the tablet owning `token` to `replicas` (default: every replica to
   * another node, or to the next shard when all nodes hold it), as a finished
   * migration would. Returns the tablet after the move.
   */
  moveTablet(keyspace: string, token: bigint, replicas?: SimReplica[]): SimTablet {
    const table = this.tablets(keyspace);
    if (replicas === undefined) {
      const old = table.tabletOf(token).replicas;
      const free = this.topology.nodes.filter((n) => !old.some((r) => r.hostId === n.hostId));
      replicas = old.map((r, i) => {
        const to = free[i];
        if (to !== undefined) return { hostId: to.hostId, shard: r.shard % to.nrShards };
        const nr = this.topology.node(r.hostId)!.nrShards;
        return { hostId: r.hostId, shard: (r.shard + 1) % nr };
      });
    }
    return table.move(token, replicas);
  }

  /**
   * Moves the node `hostId` to `address` (same ports), as a changed route in
   * `system.client_routes` would have clients reach it elsewhere: the node at
   * the old address stops, one with the same identity starts at the new one,
   * and `system.peers` names the new address. Sends no event: see
   * {@link routesChanged}.
   */
  async moveNode(hostId: string, address: string): Promise<SimulatedScyllaNode> {
    const i = this.nodes.findIndex((n) => n.info.hostId === hostId);
    if (i < 0) throw new Error(`no simulated node ${hostId}`);
    const old = this.nodes[i];
    await old.close();
    old.info.address = address;
    this.nodes[i] = await SimulatedScyllaNode.start({
      nrShards: old.nrShards,
      address,
      port: old.port,
      shardAwarePortNumber: old.shardAwarePort ?? 0,
      cluster: { topology: this.topology, hostId },
    });
    return this.nodes[i];
  }

  /**
   * Every node pushes `CLIENT_ROUTES_CHANGE` for `hostIds` to its registered
   * connections (group0 applies a route change on every node). Returns how many got it.
   */
  routesChanged(hostIds: string[], connectionId = "sim-connection-1"): number {
    const ids = hostIds.map(() => connectionId);
    return this.nodes.reduce((sum, n) => sum + n.clientRoutesChange(ids, hostIds), 0);
  }

  /** Every EXECUTE of every node, by arrival per node (not globally ordered). */
  executes(): ExecuteRecord[] {
    return this.nodes.flatMap((n) => n.executes);
  }

  /** How many EXECUTEs all nodes received so far: a mark for {@link share}. */
  mark(): number[] {
    return this.nodes.map((n) => n.executes.length);
  }

  /** Landing shares of the EXECUTEs received since `mark` (default: all), optionally of one keyspace. */
  share(mark?: number[], keyspace?: string): LandingShare {
    const recs = this.nodes.flatMap((n, i) => n.executes.slice(mark?.[i] ?? 0))
      .filter((r) => keyspace === undefined || r.keyspace === keyspace);
    return {
      requests: recs.length,
      onReplica: recs.filter((r) => r.onReplica).length,
      onReplicaShard: recs.filter((r) => r.onReplicaShard).length,
      withPayload: recs.filter((r) => r.payload !== null).length,
    };
  }

  /** Stops every node. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
  }
}
