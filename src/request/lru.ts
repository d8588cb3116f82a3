/**
 * A bounded LRU of promised values: concurrent callers asking for one key
 * share one computation, and failures are not kept.
 * @module
 */

/** Remembers up to `capacity` values, least recently used out first. */
export class PromiseLru<V> {
  #capacity: number;
  #entries = new Map<string, Promise<V>>();

  /** @param capacity entries kept at most (at least 1) */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, capacity);
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached value for `key`, or the one `make` makes; failures are not cached. */
  get(key: string, make: () => Promise<V>): Promise<V> {
    const hit = this.#entries.get(key);
    if (hit !== undefined) {
      // Map keeps insertion order: re-inserting marks the entry most recently used.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit;
    }
    const pending = make();
    this.#entries.set(key, pending);
    pending.catch(() => {
      if (this.#entries.get(key) === pending) this.#entries.delete(key);
    });
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    return pending;
  }

  /** Whether `key` is held (without marking it used). */
  has(key: string): boolean {
    return this.#entries.has(key);
  }
}
