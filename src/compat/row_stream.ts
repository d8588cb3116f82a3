/**
 * `client.stream()`'s result: an object-mode readable shaped like Node's
 * (`readable`, `data`, `end`, `error` events, `read()`, `pause()`/`resume()`,
 * `pipe()` to anything with `write`/`end`, and async iteration), without
 * `node:stream`.
 * @module
 */

import { Emitter, type Listener } from "./emitter.ts";
import type { Row } from "./result_set.ts";

/** A stream of rows, as `cassandra-driver`'s `types.ResultStream` (object mode). */
export class ResultStream extends Emitter {
  #buffer: Row[] = [];
  #ended = false;
  #endEmitted = false;
  #flowing = false;
  #scheduled = false;
  #waiters: (() => void)[] = [];
  #error: unknown = undefined;

  /** @internal Feeds rows from `source`; the facade calls this once. */
  feed(source: AsyncIterable<Row>): void {
    (async () => {
      try {
        for await (const row of source) {
          this.#buffer.push(row);
          this.#schedule();
        }
      } catch (e) {
        this.#error = e;
        queueMicrotask(() => this.emit("error", e));
      }
      this.#ended = true;
      this.#schedule();
    })();
  }

  /** Listening to `data` starts flowing mode, as on Node streams. */
  override on(event: string | symbol, listener: Listener): this {
    super.on(event, listener);
    if (event === "data") this.resume();
    if (event === "readable" || event === "end") this.#schedule();
    return this;
  }

  /** The next buffered row, or `null` when none is buffered now. */
  read(): Row | null {
    const row = this.#buffer.shift() ?? null;
    if (row === null) this.#schedule();
    return row;
  }

  /** Stops `data` events. */
  pause(): this {
    this.#flowing = false;
    return this;
  }

  /** Starts (or restarts) `data` events. */
  resume(): this {
    this.#flowing = true;
    this.#schedule();
    return this;
  }

  /** Writes every row to `dest` (`write(row)`), then calls `dest.end()`; returns `dest`. */
  pipe<T extends { write(row: Row): unknown; end?(): unknown }>(dest: T): T {
    this.on("data", (row: Row) => dest.write(row));
    this.once("end", () => dest.end?.());
    return dest;
  }

  /**
   * Rows one by one, for `for await`; ends when the last page is read.
   * @throws {DriverError} the error the stream emitted, e.g. `ResponseError`, `NoHostAvailableError`, `OperationTimedOutError`
   * @throws {TypeError} a parameter did not fit its column
   * @example
   * ```ts ignore
   * for await (const row of client.stream("SELECT id FROM ks.t", [], { prepare: true })) {
   *   console.log(row.id);
   * }
   * ```
   */
  async *[Symbol.asyncIterator](): AsyncGenerator<Row> {
    while (true) {
      if (this.#buffer.length > 0) yield this.#buffer.shift()!;
      else if (this.#error !== undefined) throw this.#error;
      else if (this.#ended) return;
      else await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  #schedule(): void {
    for (const w of this.#waiters.splice(0)) w();
    if (this.#scheduled) return;
    this.#scheduled = true;
    setTimeout(() => {
      this.#scheduled = false;
      this.#drain();
    }, 0);
  }

  #drain(): void {
    if (this.#flowing) {
      while (this.#flowing && this.#buffer.length > 0) this.emit("data", this.#buffer.shift());
    } else if (this.#buffer.length > 0 && this.listenerCount("readable") > 0) {
      this.emit("readable");
    }
    if (
      this.#ended && this.#buffer.length === 0 && !this.#endEmitted && this.#error === undefined
    ) {
      if (this.listenerCount("readable") > 0 && !this.#flowing) this.emit("readable");
      this.#endEmitted = true;
      this.emit("end");
    }
  }
}
