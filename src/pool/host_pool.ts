/**
 * The connections to one node: opened in the background, kept at size,
 * reopened with backoff after failures, and one handed out per request.
 *
 * On ScyllaDB (SUPPORTED carries `SCYLLA_SHARD` and friends) the pool keeps
 * `size` connections per shard and hands out a connection of the shard that
 * owns the request's token. Connections reach a chosen shard through the
 * shard-aware port when the node advertises one; otherwise the pool keeps
 * connecting to the normal port, where the node picks the shard, until every
 * shard is covered.
 * @module
 */

import { Connection, type ConnectionOptions } from "./connection.ts";
import { ConnectionError } from "../errors.ts";
import { formatContactPoint } from "./address.ts";
import type { ShardingInfo } from "../routing/sharding.ts";
import { ExponentialReconnectPolicy, type ReconnectPolicy } from "./reconnect_policy.ts";
import { leastBusy, readSharding, sameLayout, ShardMap } from "./shard_map.ts";
import { isLocalBindError, openOnShard, SourcePorts } from "./shard_connect.ts";

/** Settings of one host's pool. */
export interface HostPoolOptions {
  /** Connections to keep open: per shard on ScyllaDB, per node otherwise. */
  size: number;
  /** How each connection is opened (host and port included). */
  connection: ConnectionOptions;
  /** Delays between reconnection attempts. */
  reconnect?: ReconnectPolicy;
  /** Called when the pool gains its first or loses its last connection. */
  onStateChange?: (up: boolean, error?: Error) => void;
  /**
   * Connect through ScyllaDB's shard-aware port when advertised (default
   * `true`). The pool also stops using it by itself when a connection through
   * it lands on another shard (a NAT rewrote the source port) or when it is
   * unreachable while the normal port answers.
   */
  shardAwarePort?: boolean;
  /** Reports pool decisions worth knowing (the shard-aware port given up). */
  log?: (level: "debug" | "info" | "warn", message: string) => void;
}

/** A node's connection pool. */
export class HostPool {
  /** `host:port` of the node. */
  readonly address: string;
  #opts: HostPoolOptions;
  /** Connections that serve requests. */
  #connections: Connection[] = [];
  /** The same connections by shard, once the node said it is sharded. */
  #shards: ShardMap<Connection> | null = null;
  #info: ShardingInfo | null = null;
  #ports: SourcePorts | null = null;
  #shardAwareOff = false;
  #opening = 0;
  /** Connections being opened through the shard-aware port, by target shard. */
  #openingFor: number[] = [];
  /** Connections being opened to the normal port (shard chosen by the node). */
  #untargeted = 0;
  /** Normal-port connections that landed on a full shard: held, so the node
   * places the next ones elsewhere, and closed once the fill round settles. */
  #excess: Connection[] = [];
  #strays = 0;
  #up = false;
  #closed = false;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #lastError: Error | undefined;
  #firstReady: Promise<void>;
  #resolveFirst!: () => void;
  #keyspace: string | null;
  #reconnect: ReconnectPolicy;

  constructor(opts: HostPoolOptions) {
    this.#opts = opts;
    this.#keyspace = opts.connection.keyspace;
    this.#reconnect = opts.reconnect ?? new ExponentialReconnectPolicy();
    const { host, port } = opts.connection;
    this.address = formatContactPoint({ host, port });
    this.#firstReady = new Promise((resolve) => (this.#resolveFirst = resolve));
  }

  /** Open connections that serve requests. */
  get size(): number {
    return this.#connections.length;
  }

  /** The last connection failure, if any. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** ScyllaDB shard count of the node (`SCYLLA_NR_SHARDS`); `null` until known or on Cassandra. */
  get shardCount(): number | null {
    return this.#shards?.nrShards ?? null;
  }

  /** The shard serving `c`, or `null` (not sharded, or not a connection of this pool). */
  connectionShard(c: Connection): number | null {
    return this.#shards?.shardOfConnection(c) ?? null;
  }

  /**
   * Starts filling the pool; resolves once the first attempt round has
   * settled (on ScyllaDB: once every shard has been tried).
   */
  fill(): Promise<void> {
    this.#topUp(true);
    return this.#firstReady;
  }

  /** Adds an already open connection (e.g. the one used to discover the cluster). */
  adopt(c: Connection): void {
    this.#place(c, null, true);
  }

  /**
   * The connection for a request: on a sharded node with a token, the least
   * busy one of the shard owning the token; otherwise (or when that shard has
   * none) the least busy one. `null` when none is open.
   * @param tokenHi the high signed 32-bit word of the request's Murmur3 token, if it has one
   * @param tokenLo its low word
   */
  pick(tokenHi?: number, tokenLo = 0): Connection | null {
    const shards = this.#shards;
    if (shards !== null && tokenHi !== undefined) {
      const c = shards.pickHiLo(tokenHi, tokenLo);
      if (c !== null) return c;
    }
    return leastBusy(this.#connections);
  }

  /**
   * The least busy connection of `shard` (a tablet replica's), or any when the
   * node is unsharded or that shard has none.
   */
  pickShard(shard: number): Connection | null {
    const c = this.#shards === null ? null : leastBusy(this.#shards.connectionsOf(shard));
    return c ?? leastBusy(this.#connections);
  }

  /** Every open connection (for `USE` on all of them). */
  connections(): readonly Connection[] {
    return this.#connections;
  }

  /** Keyspace new connections switch to. */
  setKeyspace(keyspace: string | null): void {
    this.#keyspace = keyspace;
  }

  /** Reconnects now instead of waiting for the backoff (e.g. on an UP event). */
  reconnectNow(): void {
    if (this.#closed) return;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    this.#attempt = 0;
    this.#topUp(true);
  }

  /** Closes every connection and stops reconnecting. */
  close(): void {
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const all = [...this.#connections, ...this.#excess];
    this.#connections = [];
    this.#excess = [];
    for (const c of all) c.close();
    this.#resolveFirst();
  }

  /** Opens what is missing. `newRound`: a fresh budget for normal-port strays. */
  #topUp(newRound: boolean): void {
    if (this.#closed) return;
    if (newRound) this.#strays = 0;
    const size = this.#opts.size;
    const shards = this.#shards;
    if (this.#connections.length === 0) {
      // One probe first: it tells whether the node is sharded, and a down node
      // costs one failed attempt per round, not one per shard.
      if (this.#opening === 0) this.#openNormal();
    } else if (shards === null) {
      const missing = size - this.#connections.length - this.#opening;
      for (let i = 0; i < missing; i++) this.#openNormal();
    } else {
      const port = this.#shardAwarePort();
      if (port !== null) {
        for (let s = 0; s < shards.nrShards; s++) {
          const missing = size - shards.connectionsOf(s).length - this.#openingFor[s];
          for (let i = 0; i < missing; i++) this.#openOnShard(s, port);
        }
      } else if (this.#strays < 4 * shards.nrShards * size + 8) {
        let missing = -this.#untargeted;
        for (const n of shards.counts()) missing += Math.max(0, size - n);
        for (let i = 0; i < missing; i++) this.#openNormal();
      }
    }
    if (this.#opening === 0) this.#settle();
  }

  /** Nothing is being opened: drop the excess, and come back later for what is missing. */
  #settle(): void {
    const excess = this.#excess;
    this.#excess = [];
    for (const c of excess) c.close();
    this.#resolveFirst();
    if (this.#closed) return;
    const shards = this.#shards;
    const full = shards === null
      ? this.#connections.length >= this.#opts.size
      : shards.counts().every((n) => n >= this.#opts.size);
    if (!full) this.#scheduleRetry();
  }

  #shardAwarePort(): number | null {
    const info = this.#info;
    if (info === null || this.#shardAwareOff || this.#opts.shardAwarePort === false) return null;
    return this.#opts.connection.tls ? info.shardAwarePortSsl : info.shardAwarePort;
  }

  /** Options for one connection; `onClose` reaches the pool once `holder.c` is set. */
  #connectionOptions(holder: { c?: Connection }): ConnectionOptions {
    return {
      ...this.#opts.connection,
      keyspace: this.#keyspace,
      onClose: (err) => holder.c && this.#onConnectionClosed(holder.c, err),
    };
  }

  async #openNormal(): Promise<void> {
    this.#opening++;
    this.#untargeted++;
    const holder: { c?: Connection } = {};
    let ok = false;
    try {
      holder.c = await Connection.open(this.#connectionOptions(holder));
      ok = this.#accept(holder.c, null);
    } catch (e) {
      this.#failed(e as Error);
    } finally {
      this.#untargeted--;
      this.#finish(ok);
    }
  }

  async #openOnShard(shard: number, port: number): Promise<void> {
    this.#opening++;
    const openingFor = this.#openingFor;
    openingFor[shard]++;
    const holder: { c?: Connection } = {};
    const opts = this.#connectionOptions(holder);
    let ok = false;
    try {
      let wanted: number | null = shard;
      try {
        holder.c = await openOnShard(opts, port, shard, this.#ports!);
      } catch (e) {
        if (this.#closed) throw e;
        // The normal port decides whether the node is down (its error is the one
        // kept) or only the shard-aware port is unusable (firewalled, not forwarded).
        holder.c = await Connection.open(opts);
        wanted = null;
        if (!isLocalBindError(e)) this.#disableShardAwarePort(`unusable: ${(e as Error).message}`);
      }
      ok = this.#accept(holder.c, wanted);
    } catch (e) {
      this.#failed(e as Error);
    } finally {
      openingFor[shard]--;
      this.#finish(ok);
    }
  }

  /** Files a freshly opened connection; `false` when the pool is closed. */
  #accept(c: Connection, wanted: number | null): boolean {
    if (this.#closed) {
      c.close();
      return false;
    }
    if (c.closed) {
      // Lost right after its handshake, before the pool could hear of it.
      this.#failed(new ConnectionError(`connection to ${c.address} closed right after opening`));
      return false;
    }
    this.#place(c, wanted, false);
    return true;
  }

  /** After an attempt: continue the round on success; a failure waits for the retry. */
  #finish(ok: boolean): void {
    this.#opening--;
    if (ok) this.#topUp(false);
    else if (this.#opening === 0) this.#settle();
  }

  /**
   * Files `c` under its shard (or as excess). `wanted`: the shard it was
   * opened for through the shard-aware port. `keep`: never treat as excess.
   */
  #place(c: Connection, wanted: number | null, keep: boolean): void {
    const info = readSharding(c.supported);
    const retired = sameLayout(info, this.#info) ? [] : this.#relayout(info);
    // A pool refilled from empty may face a restarted node: try its shard-aware port again.
    if (this.#connections.length === 0) this.#shardAwareOff = false;
    this.#info = info;
    const shards = this.#shards;
    if (info === null || shards === null) {
      if (!keep && this.#connections.length >= this.#opts.size) this.#excess.push(c);
      else this.#track(c, null);
    } else {
      if (wanted !== null && info.shard !== wanted) {
        this.#disableShardAwarePort(
          `a connection for shard ${wanted} landed on shard ${info.shard} (source port rewritten?)`,
        );
      }
      if (!keep && shards.connectionsOf(info.shard).length >= this.#opts.size) {
        this.#excess.push(c);
        this.#strays++;
      } else this.#track(c, info.shard);
    }
    for (const old of retired) old.close();
  }

  /**
   * The node's shard layout changed (first sharded connection, or a restart
   * with another shard count): regroup the connections, and return those of
   * the old layout for closing once the new one is in.
   */
  #relayout(info: ShardingInfo | null): Connection[] {
    const old = this.#connections;
    this.#connections = [];
    this.#shards = info === null ? null : new ShardMap(info.nrShards, info.ignoreMsb);
    this.#ports = info === null ? null : new SourcePorts(info.nrShards);
    this.#openingFor = new Array(info?.nrShards ?? 0).fill(0);
    this.#shardAwareOff = false;
    const retired: Connection[] = [];
    for (const c of old) {
      const own = readSharding(c.supported);
      if (!sameLayout(own, info)) retired.push(c);
      else {
        this.#connections.push(c);
        if (own !== null) this.#shards!.add(c, own.shard);
      }
    }
    return retired;
  }

  #track(c: Connection, shard: number | null): void {
    this.#connections.push(c);
    if (shard !== null) this.#shards!.add(c, shard);
    this.#attempt = 0;
    if (!this.#up) {
      this.#up = true;
      this.#opts.onStateChange?.(true);
    }
  }

  #disableShardAwarePort(why: string): void {
    if (this.#shardAwareOff) return;
    this.#shardAwareOff = true;
    this.#opts.log?.("warn", `${this.address}: not using the shard-aware port, ${why}`);
  }

  #failed(e: Error): void {
    if (this.#closed) return;
    this.#lastError = e;
    this.#scheduleRetry();
    if (this.#connections.length === 0) {
      this.#up = false;
      this.#opts.onStateChange?.(false, e);
    }
  }

  #onConnectionClosed(c: Connection, err?: Error): void {
    const x = this.#excess.indexOf(c);
    if (x >= 0) {
      this.#excess.splice(x, 1);
      return;
    }
    const i = this.#connections.indexOf(c);
    if (i < 0) return;
    this.#connections.splice(i, 1);
    this.#shards?.remove(c);
    if (this.#closed) return;
    this.#lastError = err;
    if (this.#connections.length === 0 && this.#up) {
      this.#up = false;
      this.#opts.onStateChange?.(false, err);
    }
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retryTimer !== undefined) return;
    const delay = this.#reconnect.delayMs(this.#attempt++);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#topUp(true);
    }, delay);
  }
}
