/**
 * One coarse timer per connection instead of one timer per request: requests
 * carry deadlines and a periodic check expires them. Precision is one tick.
 * @module
 */

/** Check period while requests are pending. */
export const TICK_MS = 25;

/**
 * Runs `check` every {@link TICK_MS} while it reports live requests, and keeps
 * a coarse clock: reading the time costs a runtime call, too much per request.
 */
export class DeadlineTimer {
  #check: () => boolean;
  #handle: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** The time when the timer last started or ticked. */
  #now = 0;

  /** @param check expires overdue requests; returns whether any remain */
  constructor(check: () => boolean) {
    this.#check = check;
  }

  /** Exact time in ms, on the clock deadlines use. */
  now(): number {
    return performance.now();
  }

  /**
   * The deadline of a request sent now with `timeoutMs`: from the coarse clock
   * (at most one tick old), plus one tick so it never fires early.
   */
  deadline(timeoutMs: number): number {
    if (this.#handle === undefined) this.#now = performance.now();
    return this.#now + timeoutMs + TICK_MS;
  }

  /** Makes sure a check runs within `ms` (or one tick, whichever is sooner). */
  arm(ms: number): void {
    if (this.#handle !== undefined || this.#stopped) return;
    this.#handle = setTimeout(() => this.#run(), Math.min(ms, TICK_MS));
  }

  /** Cancels the timer for good. */
  stop(): void {
    this.#stopped = true;
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #run(): void {
    this.#handle = undefined;
    if (this.#stopped) return;
    this.#now = performance.now();
    if (this.#check()) this.#handle = setTimeout(() => this.#run(), TICK_MS);
  }
}
