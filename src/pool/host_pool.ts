/**
 * The connections to one node: opened in the background, kept at size,
 * reopened with backoff after failures, and the least busy one handed out.
 * @module
 */

import { Connection, type ConnectionOptions } from "./connection.ts";
import { ConnectionError } from "../errors.ts";
import { ExponentialReconnectPolicy, type ReconnectPolicy } from "./reconnect_policy.ts";

/** Settings of one host's pool. */
export interface HostPoolOptions {
  /** Connections to keep open. */
  size: number;
  /** How each connection is opened (host and port included). */
  connection: ConnectionOptions;
  /** Delays between reconnection attempts. */
  reconnect?: ReconnectPolicy;
  /** Called when the pool gains its first or loses its last connection. */
  onStateChange?: (up: boolean, error?: Error) => void;
}

/** A node's connection pool. */
export class HostPool {
  /** `host:port` of the node. */
  readonly address: string;
  #opts: HostPoolOptions;
  #connections: Connection[] = [];
  #opening = 0;
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
    this.address = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
    this.#firstReady = new Promise((resolve) => (this.#resolveFirst = resolve));
  }

  /** Open connections. */
  get size(): number {
    return this.#connections.length;
  }

  /** The last connection failure, if any. */
  get lastError(): Error | undefined {
    return this.#lastError;
  }

  /** Starts filling the pool; resolves once the first attempt round has settled. */
  fill(): Promise<void> {
    this.#topUp();
    return this.#firstReady;
  }

  /** Adds an already open connection (e.g. the one used to discover the cluster). */
  adopt(c: Connection): void {
    this.#track(c);
  }

  /**
   * The least busy open connection, or `null` when none is open.
   * A cheap scan: pools hold a handful of connections.
   * @param _token the request's token, where known (for shard-aware pools)
   */
  pick(_token?: bigint): Connection | null {
    const cs = this.#connections;
    if (cs.length === 0) return null;
    if (cs.length === 1) return cs[0];
    let best = cs[0];
    let load = best.inFlight + best.waiting;
    for (let i = 1; i < cs.length; i++) {
      const l = cs[i].inFlight + cs[i].waiting;
      if (l < load) [best, load] = [cs[i], l];
    }
    return best;
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
    this.#topUp();
  }

  /** Closes every connection and stops reconnecting. */
  close(): void {
    this.#closed = true;
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    for (const c of [...this.#connections]) c.close();
    this.#connections = [];
    this.#resolveFirst();
  }

  #topUp(): void {
    const missing = this.#opts.size - this.#connections.length - this.#opening;
    for (let i = 0; i < missing; i++) this.#openOne();
    if (missing <= 0 && this.#opening === 0) this.#resolveFirst();
  }

  async #openOne(): Promise<void> {
    this.#opening++;
    let c: Connection | undefined;
    try {
      c = await Connection.open({
        ...this.#opts.connection,
        keyspace: this.#keyspace,
        onClose: (err) => c && this.#onConnectionClosed(c, err),
      });
      if (this.#closed) {
        c.close();
        return;
      }
      this.#attempt = 0;
      this.#track(c);
    } catch (e) {
      this.#lastError = e as Error;
      this.#scheduleRetry();
      if (this.#connections.length === 0) this.#opts.onStateChange?.(false, e as Error);
    } finally {
      this.#opening--;
      if (this.#opening === 0) this.#resolveFirst();
    }
  }

  #track(c: Connection): void {
    this.#connections.push(c);
    if (this.#connections.length === 1) this.#opts.onStateChange?.(true);
  }

  #onConnectionClosed(c: Connection, err?: Error): void {
    const i = this.#connections.indexOf(c);
    if (i < 0) return;
    this.#connections.splice(i, 1);
    if (this.#closed) return;
    this.#lastError = err;
    if (this.#connections.length === 0) this.#opts.onStateChange?.(false, err);
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retryTimer !== undefined) return;
    const delay = this.#reconnect.delayMs(this.#attempt++);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#topUp();
    }, delay);
  }
}

/** Error for a host whose pool has no open connection. */
export function noConnection(pool: HostPool): ConnectionError {
  return new ConnectionError(
    `no open connection to ${pool.address}` +
      (pool.lastError ? `: ${pool.lastError.message}` : ""),
    { cause: pool.lastError },
  );
}
