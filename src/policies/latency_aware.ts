/**
 * Latency awareness: an exponentially weighted average of each node's
 * latency, and among equally good hosts the ones much slower than the
 * fastest go last — until their average is older than the retry period, when
 * they get traffic again and so a fresh measurement (as scylla-rust-driver).
 * @module
 */

import type { Host } from "../cluster/cluster.ts";

/** Settings of latency-aware routing; every field has a default. */
export interface LatencyAwareOptions {
  /** A node is penalised when its average exceeds this × the fastest node's (default 2, ≥ 1). */
  exclusionThreshold?: number;
  /** Time constant of the average, ms: older measurements weigh `e^(-age/scale)` (default 100). */
  scale?: number;
  /** A penalised node gets traffic again when its last measurement is this old, ms (default 10 000). */
  retryPeriodMs?: number;
  /** Measurements a node needs before it can be penalised (default 50). */
  minimumMeasurements?: number;
}

/** The settings with every default applied. */
export type LatencyAwareSettings = Readonly<Required<LatencyAwareOptions>>;

/** Defaults of {@link LatencyAwareOptions}, as scylla-rust-driver's. */
export const LATENCY_AWARE_DEFAULTS: LatencyAwareSettings = Object.freeze({
  exclusionThreshold: 2,
  scale: 100,
  retryPeriodMs: 10_000,
  minimumMeasurements: 50,
});

interface NodeLatency {
  /** Weighted average, ms. */
  average: number;
  /** Measurements so far. */
  count: number;
  /** When the last measurement was taken (`performance.now()`). */
  at: number;
}

/** How often the fastest average is recomputed, ms. */
const UPDATE_RATE_MS = 100;

/** Per-node latency averages and the penalty decision. */
export class LatencyTracker {
  readonly settings: LatencyAwareSettings;
  readonly #nodes = new Map<Host, NodeLatency>();
  #fastest = Infinity;
  #fastestAt = -Infinity;
  readonly #now: () => number;

  /**
   * @param options settings, defaults applied for the missing ones
   * @param now clock in ms (tests pass a fake one)
   */
  constructor(options: LatencyAwareOptions = {}, now: () => number = () => performance.now()) {
    this.settings = Object.freeze({ ...LATENCY_AWARE_DEFAULTS, ...options });
    this.#now = now;
  }

  /** Records one attempt's latency on `host`. */
  record(host: Host, latencyMs: number): void {
    const now = this.#now();
    const n = this.#nodes.get(host);
    if (n === undefined) {
      this.#nodes.set(host, { average: latencyMs, count: 1, at: now });
      return;
    }
    const w = Math.exp(-Math.max(0, now - n.at) / this.settings.scale);
    n.average = (1 - w) * latencyMs + w * n.average;
    n.count++;
    n.at = now;
  }

  /** The node's current average, ms, or `null` before its first measurement. */
  average(host: Host): number | null {
    return this.#nodes.get(host)?.average ?? null;
  }

  /**
   * Whether `host` is penalised now: enough measurements, a fresh average,
   * and slower than `exclusionThreshold` × the fastest fresh average.
   */
  penalised(host: Host): boolean {
    const n = this.#nodes.get(host);
    const s = this.settings;
    if (n === undefined || n.count < s.minimumMeasurements) return false;
    const now = this.#now();
    if (now - n.at > s.retryPeriodMs) return false;
    if (now - this.#fastestAt > UPDATE_RATE_MS) this.#updateFastest(now);
    return n.average > s.exclusionThreshold * this.#fastest;
  }

  /** Moves penalised hosts of `hosts[from, to)` behind the others, keeping both orders. */
  demote(hosts: Host[], from: number, to: number): void {
    let slow: Host[] | null = null;
    let w = from;
    for (let i = from; i < to; i++) {
      const h = hosts[i];
      if (this.penalised(h)) (slow ??= []).push(h);
      else hosts[w++] = h;
    }
    if (slow !== null) { for (const h of slow) hosts[w++] = h; }
  }

  #updateFastest(now: number): void {
    const s = this.settings;
    let fastest = Infinity;
    for (const n of this.#nodes.values()) {
      if (n.count >= s.minimumMeasurements && now - n.at <= s.retryPeriodMs) {
        fastest = Math.min(fastest, n.average);
      }
    }
    this.#fastest = fastest;
    this.#fastestAt = now;
  }
}
