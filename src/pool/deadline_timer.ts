/**
 * One coarse timer per connection instead of one timer per request: requests
 * carry deadlines and a periodic check expires them.
 * @module
 */

/** Check period while requests are pending. */
export const TICK_MS = 25;

/**
 * Runs `check` every {@link TICK_MS} while it reports live requests, sooner
 * when a request's deadline is nearer, and keeps a coarse clock: reading the
 * time costs a runtime call, too much to pay per request.
 */
export class DeadlineTimer {
  #check: () => boolean;
  #handle: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  /** The time when the clock was last read (at start, each tick, short timeouts). */
  #now = 0;
  /** When the scheduled check runs. */
  #dueAt = 0;

  /** @param check expires overdue requests; returns whether any remain */
  constructor(check: () => boolean) {
    this.#check = check;
  }

  /** Exact time in ms, on the clock deadlines use. */
  now(): number {
    return performance.now();
  }

  /**
   * The deadline of a request sent now with `timeoutMs`. While ticking, the
   * coarse clock may be up to one tick old, so a tick is added (the request
   * never fails early); short timeouts and a stopped timer read the clock.
   */
  deadline(timeoutMs: number): number {
    // Whole milliseconds, rounded up (never early): a request keeps its deadline in a field, and
    // V8 boxes a field that ever holds a fraction in every object of the shape.
    if (this.#handle === undefined || timeoutMs < TICK_MS) {
      this.#now = performance.now();
      return Math.ceil(this.#now + timeoutMs);
    }
    return Math.ceil(this.#now + timeoutMs + TICK_MS);
  }

  /** Makes sure a check runs by `deadline` (and at least every tick). */
  arm(deadline: number): void {
    if (this.#stopped) return;
    const at = Math.min(deadline, this.#now + TICK_MS);
    if (this.#handle !== undefined) {
      if (at >= this.#dueAt) return;
      clearTimeout(this.#handle);
    }
    this.#schedule(at);
  }

  /** Cancels the timer for good. */
  stop(): void {
    this.#stopped = true;
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    this.#handle = undefined;
  }

  #schedule(at: number): void {
    this.#dueAt = at;
    this.#handle = setTimeout(() => this.#run(), Math.max(0, at - this.#now));
  }

  #run(): void {
    this.#handle = undefined;
    if (this.#stopped) return;
    this.#now = performance.now();
    if (this.#check()) this.#schedule(this.#now + TICK_MS);
  }
}
