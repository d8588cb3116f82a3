/**
 * Stream id allocation for one connection: a stack of free ids, O(1) both ways.
 * @module
 */

/** Hands out stream ids 0..capacity-1 and takes them back. */
export class StreamIds {
  #free: Int16Array;
  #top: number;

  /** @param capacity how many requests may be in flight (≤ 32768 in v4) */
  constructor(capacity: number) {
    this.#free = new Int16Array(capacity);
    // Lowest ids on top, so a lightly used connection keeps reusing small ids.
    for (let i = 0; i < capacity; i++) this.#free[i] = capacity - 1 - i;
    this.#top = capacity;
  }

  /** Ids currently free. */
  get available(): number {
    return this.#top;
  }

  /** Takes a free id, or returns -1 when all are in use. */
  acquire(): number {
    return this.#top === 0 ? -1 : this.#free[--this.#top];
  }

  /** Returns an id; the caller guarantees it was acquired and not yet released. */
  release(id: number): void {
    this.#free[this.#top++] = id;
  }
}
