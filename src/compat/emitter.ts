/**
 * A small event emitter (`on`, `once`, `off`, `emit`, `removeAllListeners`)
 * for the facade's `Client` and row streams, without `node:events`.
 * @module
 */

/** A listener of an event. */
// deno-lint-ignore no-explicit-any
export type Listener = (...args: any[]) => void;

/** Events with listeners, the subset of Node's `EventEmitter` the facade's users call. */
export class Emitter {
  #listeners = new Map<string | symbol, Listener[]>();

  /** Adds a listener; returns `this`. */
  on(event: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(event) ?? [];
    list.push(listener);
    this.#listeners.set(event, list);
    return this;
  }

  /** Same as {@link Emitter.on}. */
  addListener(event: string | symbol, listener: Listener): this {
    return this.on(event, listener);
  }

  /** Adds a listener called at most once; returns `this`. */
  once(event: string | symbol, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.off(event, wrapped);
      listener.apply(this, args);
    };
    return this.on(event, wrapped);
  }

  /** Removes a listener; returns `this`. */
  off(event: string | symbol, listener: Listener): this {
    const list = this.#listeners.get(event);
    if (list) this.#listeners.set(event, list.filter((l) => l !== listener));
    return this;
  }

  /** Same as {@link Emitter.off}. */
  removeListener(event: string | symbol, listener: Listener): this {
    return this.off(event, listener);
  }

  /** Removes every listener of `event`, or of all events. */
  removeAllListeners(event?: string | symbol): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  /** Number of listeners of `event`. */
  listenerCount(event: string | symbol): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /** Calls each listener of `event` with `this` bound to the emitter; whether there were any. */
  emit(event: string | symbol, ...args: unknown[]): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const l of [...list]) l.apply(this, args);
    return true;
  }
}
