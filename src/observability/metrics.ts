/**
 * Session metrics: counters, latency histograms for the session and per
 * node, and a snapshot that adds each node's connections and requests in
 * flight. Recording allocates nothing.
 * @module
 */

import type { Host } from "../cluster/cluster.ts";
import { RequestTimeoutError } from "../errors.ts";
import type { RetryDecision } from "../policies/retry.ts";
import { LatencyHistogram, type LatencySummary } from "./histogram.ts";
import type { RequestObserver } from "./observer.ts";

export type { LatencySummary };

/** One node's figures in a {@link MetricsSnapshot}. */
export interface NodeMetrics {
  /** Attempts sent to the node (retries and speculative executions included; as `requestsPerNode`). */
  requests: number;
  /** Attempts that failed on the node. */
  errors: number;
  /** Latency of the node's successful attempts, ms. */
  latencyMs: LatencySummary;
  /** Open connections to the node. */
  connections: number;
  /** Open connections per ScyllaDB shard (index = shard), `null` on Cassandra. */
  connectionsPerShard: number[] | null;
  /** Requests sent to the node and not answered yet. */
  inFlight: number;
}

/**
 * What `session.getMetrics()` returns: numbers, not live objects (call it
 * again for fresh figures).
 * @example
 * ```ts ignore
 * const m = session.getMetrics();
 * const errorRate = m.requests === 0 ? 0 : Object.values(m.errors).reduce((a, b) => a + b, 0) / m.requests;
 * console.log(`p99 ${m.latencyMs.p99} ms, errors ${errorRate}, retries ${m.retries}`);
 * ```
 */
export interface MetricsSnapshot {
  /** Requests finished (each page, batch and prepare counts once). */
  requests: number;
  /** Failed requests by error class name, e.g. `{ UnavailableError: 2 }`. */
  errors: Record<string, number>;
  /** Retries the retry policy decided (same or next host). */
  retries: number;
  /** Speculative executions started. */
  speculativeStarted: number;
  /** Requests answered by a speculative execution. */
  speculativeWon: number;
  /** Attempts that hit the client-side timeout. */
  clientTimeouts: number;
  /** Attempts refused at once because a connection's queue was full (back-pressure). */
  rejected: number;
  /**
   * Latency of whole requests (retries included), ms. With metrics alone every
   * request is timed until 1000 were, then one in 32 (`count` says how many).
   */
  latencyMs: LatencySummary;
  /** Attempts sent per node, keyed by `host:port`. */
  requestsPerNode: Map<string, number>;
  /** Per node figures, keyed by `host:port`. */
  nodes: Map<string, NodeMetrics>;
}

class NodeStats {
  errors = 0;
  readonly latency = new LatencyHistogram();
}

/** Collects the session's metrics as a {@link RequestObserver}. */
export class SessionMetrics implements RequestObserver {
  /** Counters and a latency sample are enough. */
  readonly detailed = false;
  #requests = 0;
  #errors = new Map<string, number>();
  #retries = 0;
  #speculativeStarted = 0;
  #speculativeWon = 0;
  #clientTimeouts = 0;
  #rejected = 0;
  readonly #latency = new LatencyHistogram();
  readonly #nodes = new Map<Host, NodeStats>();

  start(): null {
    return null;
  }

  attempt(): null {
    return null;
  }

  attemptEnd(_s: unknown, _a: unknown, host: Host, ms: number, e: unknown, rej: boolean): void {
    let n = this.#nodes.get(host);
    if (n === undefined) this.#nodes.set(host, n = new NodeStats());
    if (e === undefined) {
      if (ms >= 0) n.latency.record(ms);
      return;
    }
    n.errors++;
    if (rej) this.#rejected++;
    else if (e instanceof RequestTimeoutError) this.#clientTimeouts++;
  }

  retry(_s: unknown, _d: RetryDecision): void {
    this.#retries++;
  }

  speculativeStart(_s: unknown): void {
    this.#speculativeStarted++;
  }

  end(_s: unknown, ms: number, e: unknown, won: boolean): void {
    this.#requests++;
    if (won) this.#speculativeWon++;
    if (e === undefined) {
      if (ms >= 0) this.#latency.record(ms);
      return;
    }
    const name = e instanceof Error ? e.name : "Error";
    this.#errors.set(name, (this.#errors.get(name) ?? 0) + 1);
  }

  /** The figures now, with each of `hosts`' connections and requests in flight. */
  snapshot(hosts: Iterable<Host>): MetricsSnapshot {
    return snapshotOf(this, hosts, {
      requests: this.#requests,
      errors: Object.fromEntries(this.#errors),
      retries: this.#retries,
      speculativeStarted: this.#speculativeStarted,
      speculativeWon: this.#speculativeWon,
      clientTimeouts: this.#clientTimeouts,
      rejected: this.#rejected,
      latencyMs: this.#latency.summary(),
    });
  }

  /** @internal per-node stats, or `undefined` before the node's first attempt. */
  nodeStats(h: Host): NodeStats | undefined {
    return this.#nodes.get(h);
  }
}

const EMPTY = new LatencyHistogram();

/**
 * A snapshot; with `metrics` `null` (metrics turned off) the counters are 0
 * and only connections, requests in flight and `requestsPerNode` are filled.
 */
export function snapshotOf(
  metrics: SessionMetrics | null,
  hosts: Iterable<Host>,
  totals: Omit<MetricsSnapshot, "requestsPerNode" | "nodes"> = {
    requests: 0,
    errors: {},
    retries: 0,
    speculativeStarted: 0,
    speculativeWon: 0,
    clientTimeouts: 0,
    rejected: 0,
    latencyMs: EMPTY.summary(),
  },
): MetricsSnapshot {
  const requestsPerNode = new Map<string, number>();
  const nodes = new Map<string, NodeMetrics>();
  for (const h of hosts) {
    const address = h.pool.address;
    requestsPerNode.set(address, h.sent);
    const n = metrics?.nodeStats(h);
    const conns = h.pool.connections();
    let inFlight = 0;
    let perShard: number[] | null = null;
    const shards = h.pool.shardCount;
    if (shards !== null) perShard = new Array(shards).fill(0);
    for (const c of conns) {
      inFlight += c.inFlight;
      const s = perShard === null ? null : h.pool.connectionShard(c);
      if (s !== null && perShard !== null && s < perShard.length) perShard[s]++;
    }
    nodes.set(address, {
      requests: h.sent,
      errors: n?.errors ?? 0,
      latencyMs: (n?.latency ?? EMPTY).summary(),
      connections: h.pool.size,
      connectionsPerShard: perShard,
      inFlight,
    });
  }
  return { ...totals, requestsPerNode, nodes };
}
