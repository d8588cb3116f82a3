/**
 * A bounded LRU of prepared statements, keyed by keyspace and CQL text.
 * Concurrent callers preparing the same text share one PREPARE.
 * @module
 */

import type { PreparedInfo } from "./wire/metadata.ts";

/** Remembers up to `capacity` prepared statements, least recently used out first. */
export class PreparedCache {
  #capacity: number;
  #entries = new Map<string, Promise<PreparedInfo>>();

  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached statement for `key`, or the one `prepare` makes; failures are not cached. */
  get(key: string, prepare: () => Promise<PreparedInfo>): Promise<PreparedInfo> {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const pending = prepare();
    this.#entries.set(key, pending);
    pending.catch(() => {
      if (this.#entries.get(key) === pending) this.#entries.delete(key);
    });
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return pending;
  }
}
