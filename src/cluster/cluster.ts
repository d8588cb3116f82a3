/**
 * The session's view of the cluster: a control connection that discovers the
 * nodes and the schema and listens for changes, and one pool per node.
 * @module
 */

import { Connection, type ConnectionOptions } from "../pool/connection.ts";
import { HostPool } from "../pool/host_pool.ts";
import { HostIdMismatchError } from "../pool/handshake.ts";
import type { ReconnectPolicy } from "../pool/reconnect_policy.ts";
import { encodeRegister } from "../wire/requests/control.ts";
import { ConnectionError, RequestTimeoutError, ScyllaError } from "../errors.ts";
import { Opcode } from "../wire/frame.ts";
import { ClusterData } from "./cluster_data.ts";
import { type Host, nodeAddress, type NodeInfo } from "./node.ts";
import { type KeyspaceMetadata, loadSchema } from "./schema.ts";
import { querySystem } from "./system_query.ts";
import { discoverNodes } from "./topology.ts";
import { ClusterEvents, eventTypes } from "./events.ts";
import { TabletHosts } from "./tablet_hosts.ts";
import { TokenMap } from "../routing/token_map.ts";
import { parseScyllaExtensions } from "../routing/sharding.ts";
import type { RoutingInfo } from "../routing/routing_key.ts";
import { TabletMap } from "../routing/tablets.ts";
import { routingSwitch } from "./routing_switch.ts";

export type { Host };

/** What the cluster layer needs to know. */
export interface ClusterOptions {
  /** Contact points to try, in order. */
  contactPoints: { host: string; port: number }[];
  /** Template for every connection (host and port are replaced). */
  connection: Omit<ConnectionOptions, "host" | "port">;
  /** Connections per node. */
  poolSize: number;
  /** Backoff between reconnection attempts. */
  reconnect?: ReconnectPolicy;
  /** Datacenter whose nodes are preferred; `null` takes the first contact point's. */
  localDatacenter: string | null;
  /** Deadline for metadata queries. */
  requestTimeout: number;
  /** Reports what happens to nodes. */
  log?: (level: "debug" | "info" | "warn", message: string) => void;
}

/** The cluster as one session sees it. */
export class Cluster {
  /** Known nodes by host id. */
  readonly hosts: Map<string, Host> = new Map();
  #keyspaces: Map<string, KeyspaceMetadata> = new Map();
  /** The datacenter preferred for requests. */
  localDatacenter = "";
  /** ScyllaDB's LWT bit in PREPARED metadata flags, `null` on Cassandra. */
  lwtMask: number | null = null;
  /** The protocol version the control connection negotiated; every pool speaks it. */
  protocolVersion: 4 | 5 = 4;
  /** ScyllaDB tablets routing the nodes speak: 0 none, 1 v1, 2 the v2 experiment. */
  tabletsRouting: 0 | 1 | 2 = 0;
  /** Tablets learnt from routing payloads, per table. */
  readonly tablets: TabletMap = new TabletMap();
  /** Tablet replicas resolved to hosts, valid for one topology version. */
  #tabletHosts = new TabletHosts();
  /** The event types the control connection registered for. */
  events: readonly string[] = [];

  #opts: ClusterOptions;
  #control: Connection | null = null;
  #closed = false;
  #events: ClusterEvents;
  #reconnecting = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Bumped on every change of the topology, a node's state or the schema (so of the ring), so
   * routing can rebuild derived state lazily.
   */
  version = 0;
  /** Bumped only when nodes or their tokens change: the token map is rebuilt then. */
  #topologyVersion = 0;
  #tokenMap: { version: number; keyspaces: unknown; map: TokenMap<Host> } | null = null;

  private constructor(opts: ClusterOptions) {
    this.#opts = opts;
    this.#events = new ClusterEvents({
      tablets: this.tablets,
      statusChanged: (address, up) => {
        const host = [...this.hosts.values()].find((h) => h.info.address === address);
        if (host && up) host.pool.reconnectNow();
        return host !== undefined;
      },
      refreshTopology: () => this.#refreshTopology(),
      refreshSchema: (keyspace) => this.refreshSchema(keyspace),
      log: (level, message) => this.#log(level, message),
    });
  }

  /**
   * Connects to the first reachable contact point, discovers the cluster and
   * opens pools to its nodes.
   * @throws {ConnectionError} no contact point could be reached (each one's reason is listed)
   * @throws {AuthenticationError} the credentials were rejected
   */
  static async connect(opts: ClusterOptions): Promise<Cluster> {
    const cluster = new Cluster(opts);
    await cluster.#openControl(opts.contactPoints);
    await Promise.all([...cluster.hosts.values()].map((h) => h.pool.fill()));
    if (![...cluster.hosts.values()].some((h) => h.pool.size > 0)) {
      const reasons = [...cluster.hosts.values()].map((h) =>
        `${h.pool.address}: ${h.pool.lastError?.message ?? "no connection"}`
      );
      cluster.close();
      throw new ConnectionError(`could not open a pool to any node (${reasons.join("; ")})`);
    }
    return cluster;
  }

  /** A snapshot of nodes, schema and known tablets. */
  data(): ClusterData {
    const nodes = [...this.hosts.values()].map((h) => h.info);
    return new ClusterData(nodes, this.keyspaces, this.tablets.summary());
  }

  /**
   * Replicas of the token `tokenHi:tokenLo` (signed 32-bit words) in `keyspace`, primary
   * first (empty when unknown). When `routing` names a table whose tablet holding the token is
   * known, its replicas in the tablet's order (and `routing.tablet` is set, so the pool can pick
   * the replica's shard); a tablet naming an unknown host falls back to the ring. The array is
   * shared: callers must not change it.
   */
  replicas(keyspace: string, tokenHi: number, tokenLo: number, routing?: RoutingInfo): Host[] {
    if (routing?.table && this.tabletsRouting !== 0) {
      const tablet = this.tablets.lookupHiLo(keyspace, routing.table, tokenHi, tokenLo);
      const hosts = tablet === undefined
        ? null
        : this.#tabletHosts.resolve(tablet, this.hosts, this.#topologyVersion);
      if (hosts !== null) {
        routing.tablet = tablet;
        return hosts;
      }
    }
    const ring = this.ring;
    const ks = this.keyspaces.get(keyspace);
    const at = ring.indexOfHiLo(tokenHi, tokenLo);
    return ks && at >= 0 ? ring.replicasAt(ks, at) : [];
  }

  /** Schema by keyspace name. */
  get keyspaces(): Map<string, KeyspaceMetadata> {
    return this.#keyspaces;
  }

  /** Replaces the schema (bumps {@link version}: the ring changes with it). */
  set keyspaces(next: Map<string, KeyspaceMetadata>) {
    this.#keyspaces = next;
    this.version++;
  }

  /**
   * The token ring of the current topology and schema, rebuilt when either has changed: one
   * object per ring, so callers may key what they derive from it by it.
   */
  get ring(): TokenMap<Host> {
    const t = this.#tokenMap;
    if (t !== null && t.version === this.#topologyVersion && t.keyspaces === this.keyspaces) {
      return t.map;
    }
    const map = new TokenMap(this.hosts.values(), (h: Host) => h.info);
    this.#tokenMap = { version: this.#topologyVersion, keyspaces: this.keyspaces, map };
    return map;
  }

  /**
   * Whether a routing key can change where a request goes: more than one node,
   * or a node with shards. Computing keys is skipped otherwise.
   */
  get routingMatters(): boolean {
    if (this.hosts.size > 1) return true;
    for (const h of this.hosts.values()) if ((h.pool.shardCount ?? 1) > 1) return true;
    return routingSwitch.forced;
  }

  /** Hosts whose pools have a connection, local datacenter first. */
  liveHosts(): Host[] {
    const local: Host[] = [], remote: Host[] = [];
    for (const h of this.hosts.values()) {
      if (h.pool.size === 0) continue;
      (h.info.datacenter === this.localDatacenter ? local : remote).push(h);
    }
    return local.concat(remote);
  }

  /**
   * Resolves `true` once every live node reports the same schema version.
   * @throws {RequestTimeoutError} no agreement within `timeoutMs`
   */
  async awaitSchemaAgreement(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (await this.#schemaAgrees()) return true;
      if (performance.now() >= deadline) {
        throw new RequestTimeoutError(`schema versions did not agree within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Re-reads one keyspace's schema (or all of it) now. */
  async refreshSchema(keyspace?: string): Promise<void> {
    const c = this.#control;
    if (!c || c.closed) return;
    const fresh = await loadSchema(c, this.#opts.requestTimeout, keyspace);
    if (keyspace === undefined) {
      this.keyspaces = fresh;
      return;
    }
    const next = new Map(this.keyspaces);
    if (fresh.has(keyspace)) next.set(keyspace, fresh.get(keyspace)!);
    else next.delete(keyspace);
    this.keyspaces = next;
  }

  /** Sets the keyspace that new pooled connections switch to. */
  setKeyspace(keyspace: string | null): void {
    for (const h of this.hosts.values()) h.pool.setKeyspace(keyspace);
  }

  /** Closes the control connection and every pool. */
  close(): void {
    this.#closed = true;
    this.#events.close();
    clearTimeout(this.#reconnectTimer);
    this.#control?.close();
    for (const h of this.hosts.values()) h.pool.close();
  }

  /**
   * Asks every node with an open connection for its own schema version: a
   * node's `system.peers` may lag behind a change made elsewhere.
   */
  async #schemaAgrees(): Promise<boolean> {
    const t = this.#opts.requestTimeout;
    const live = [...this.hosts.values()].filter((h) => h.pool.size > 0);
    if (live.length === 0) throw new ConnectionError("no live node to check schema versions on");
    const answers = await Promise.allSettled(live.map(async (h) => {
      const c = h.pool.pick();
      if (c === null) return null;
      const rows = await querySystem(
        c,
        "SELECT schema_version FROM system.local WHERE key='local'",
        t,
      );
      return rows.length ? String(rows[0].schema_version) : null;
    }));
    // A node that fails to answer is going down: agreement is among those that answer.
    const versions = answers.flatMap((a) => a.status === "fulfilled" && a.value ? [a.value] : []);
    return new Set(versions).size <= 1;
  }

  async #openControl(candidates: { host: string; port: number }[]): Promise<void> {
    const errors: string[] = [];
    const causes: unknown[] = [];
    for (const cp of candidates) {
      let conn: Connection | undefined;
      try {
        conn = await Connection.open({
          ...this.#opts.connection,
          host: cp.host,
          port: cp.port,
          keyspace: null,
          onEvent: (e) => this.#events.on(e),
          onClose: (err) => this.#onControlClosed(conn, err),
        });
        const events = await eventTypes(conn, this.#opts.requestTimeout);
        await conn.send(encodeRegister(events), (op) => op === Opcode.READY, {
          timeoutMs: this.#opts.requestTimeout,
        });
        this.events = events;
        const nodes = await discoverNodes(conn, cp, this.#opts.requestTimeout);
        this.#control = conn;
        this.lwtMask = lwtMaskOf(conn.supported);
        // Negotiated once: the pools then open their connections in that version directly.
        this.protocolVersion = conn.protocolVersion;
        this.tabletsRouting = conn.tabletsRouting;
        this.#opts.connection = { ...this.#opts.connection, protocolVersion: conn.protocolVersion };
        this.#applyNodes(nodes);
        await this.refreshSchema();
        this.#log("info", `control connection to ${conn.address}`);
        return;
      } catch (e) {
        conn?.close();
        // Wrong credentials fail the same way everywhere: no point trying the next node.
        if (e instanceof ScyllaError && e.name === "AuthenticationError") throw e;
        errors.push(`${cp.host}:${cp.port}: ${(e as Error).message}`);
        causes.push(e);
      }
    }
    throw new ConnectionError(`could not connect to any contact point (${errors.join("; ")})`, {
      cause: causes.length === 1
        ? causes[0]
        : new AggregateError(causes, "every contact point failed"),
    });
  }

  #applyNodes(nodes: NodeInfo[]): void {
    if (this.localDatacenter === "") {
      this.localDatacenter = this.#opts.localDatacenter ?? nodes[0]?.datacenter ?? "";
    }
    const seen = new Set<string>();
    for (const n of nodes) {
      seen.add(n.hostId);
      const known = this.hosts.get(n.hostId);
      if (known && known.info.address === n.address && known.info.port === n.port) {
        const { up, shardCount, extensions } = known.info;
        Object.assign(known.info, { ...n, up, shardCount, extensions });
        continue;
      }
      known?.pool.close();
      this.hosts.set(n.hostId, { info: n, pool: this.#newPool(n), sent: 0 });
      this.#log("info", `node ${nodeAddress(n)} (${n.datacenter}/${n.rack}) added`);
    }
    for (const [id, h] of this.hosts) {
      if (seen.has(id)) continue;
      h.pool.close();
      this.hosts.delete(id);
      this.tablets.dropHost(id);
      this.#log("info", `node ${nodeAddress(h.info)} removed`);
    }
    this.version++;
    this.#topologyVersion++;
  }

  #newPool(n: NodeInfo): HostPool {
    const pool = new HostPool({
      size: this.#opts.poolSize,
      reconnect: this.#opts.reconnect,
      connection: {
        ...this.#opts.connection,
        host: n.address,
        port: n.port,
        expectedHostId: n.hostId,
      },
      log: (level, message) => this.#log(level, message),
      onStateChange: (up, err) => {
        // Another node answers at this address: the topology we hold is stale.
        if (err instanceof HostIdMismatchError) this.#events.debounceTopology();
        n.up = up;
        if (up) {
          n.shardCount = pool.shardCount;
          n.extensions = [...(pool.connections()[0]?.extensions ?? [])];
        }
        this.version++;
        this.#log(
          up ? "info" : "warn",
          `node ${nodeAddress(n)} ${up ? "up" : "down"}${err ? `: ${err.message}` : ""}`,
        );
      },
    });
    if (!this.#closed) pool.fill();
    return pool;
  }

  async #refreshTopology(): Promise<void> {
    const c = this.#control;
    if (!c || c.closed) return;
    try {
      const self = [...this.hosts.values()].find((h) => c.address === h.pool.address);
      const nodes = await discoverNodes(
        c,
        self ? { host: self.info.address, port: self.info.port } : { host: "", port: 9042 },
        this.#opts.requestTimeout,
      );
      this.#applyNodes(nodes);
    } catch (e) {
      this.#log("warn", `topology refresh failed: ${(e as Error).message}`);
    }
  }

  #onControlClosed(conn: Connection | undefined, err?: Error): void {
    if (this.#closed || conn === undefined || conn !== this.#control) return;
    this.#control = null;
    this.#log("warn", `control connection lost${err ? `: ${err.message}` : ""}; failing over`);
    this.#reconnectControl(0);
  }

  /** Tries every known node (live ones first), then again after a backoff. */
  #reconnectControl(attempt: number): void {
    if (this.#closed || this.#reconnecting) return;
    this.#reconnecting = true;
    const hosts = [...this.hosts.values()].sort((a, b) => b.pool.size - a.pool.size);
    const candidates = hosts.map((h) => ({ host: h.info.address, port: h.info.port }));
    this.#openControl(candidates.length ? candidates : this.#opts.contactPoints)
      .catch((e) => {
        this.#log("warn", `control connection failover failed: ${(e as Error).message}`);
        const delay = Math.min(30_000, 500 * 2 ** attempt);
        this.#reconnectTimer = setTimeout(() => this.#reconnectControl(attempt + 1), delay);
      })
      .finally(() => (this.#reconnecting = false));
  }

  #log(level: "debug" | "info" | "warn", message: string): void {
    this.#opts.log?.(level, message);
  }
}

/** The LWT mark mask a ScyllaDB node offers; a malformed offer is treated as none. */
function lwtMaskOf(supported: Map<string, string[]>): number | null {
  try {
    return parseScyllaExtensions(supported).lwtMetadataMask;
  } catch {
    return null;
  }
}
