/**
 * Paging: following paging states to the last page into one result, and the
 * async iterator behind `Session.iter()`, which hands out the rows of the
 * current page without an await each and fetches the next page only when the
 * current one is used up.
 * @module
 */

import {
  QueryResult,
  type QueryResultInit,
  ResultColumns,
  type Row,
  RowCursor,
} from "../result.ts";

/** The cursor before the first page and after the last. */
const NO_ROWS = new RowCursor([], 0, ResultColumns.for([]));

/** Fetches the page that starts at a paging state (`null`: the first page). */
export type PageFetcher = (pagingState: Uint8Array | null) => Promise<QueryResultInit>;

/**
 * Fetches the pages after `first` until the last one and merges them into it.
 * The caller returns a one-page result itself, so the common case costs nothing here.
 */
export async function remainingPages(
  first: QueryResultInit,
  fetch: PageFetcher,
): Promise<QueryResult> {
  let page = first;
  while (page.pagingState !== null) {
    page = await fetch(page.pagingState);
    for (const chunk of page.chunks) first.chunks.push(chunk);
    first.rowCount += page.rowCount;
    if (page.warnings.length) first.warnings = [...first.warnings, ...page.warnings];
  }
  first.pagingState = null;
  return new QueryResult(first);
}

/**
 * Streams rows page by page. An async generator with `yield*` costs a few
 * hundred ns per row; resolving from the buffered page costs a few dozen.
 * @internal made by `Session.iter()`
 */
export class RowStream implements AsyncIterableIterator<Row> {
  #fetch: PageFetcher;
  #signal: AbortSignal | undefined;
  /** The rows of the current page not handed out yet. */
  #rows: RowCursor = NO_ROWS;
  #pagingState: Uint8Array | null;
  #started = false;
  #finished = false;

  /** @param start paging state of the first page (`null` for the beginning) */
  constructor(fetch: PageFetcher, start: Uint8Array | null, signal?: AbortSignal) {
    this.#fetch = fetch;
    this.#pagingState = start;
    this.#signal = signal;
  }

  /** The next row; fetches the next page when the current one is used up. */
  next(): Promise<IteratorResult<Row>> {
    if (this.#rows.left > 0) return Promise.resolve({ value: this.#rows.take(), done: false });
    return this.#advance();
  }

  /** Stops fetching (a `break` out of `for await` calls this). */
  return(): Promise<IteratorResult<Row>> {
    this.#finish();
    return Promise.resolve({ value: undefined, done: true });
  }

  /** This iterator itself. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Row> {
    return this;
  }

  async #advance(): Promise<IteratorResult<Row>> {
    while (this.#rows.left === 0) {
      if (this.#signal?.aborted) {
        this.#finish();
        throw this.#signal.reason;
      }
      if (this.#finished || (this.#started && this.#pagingState === null)) {
        this.#finish();
        return { value: undefined, done: true };
      }
      this.#started = true;
      const page = await this.#fetch(this.#pagingState);
      this.#pagingState = page.pagingState;
      this.#rows = new RowCursor(page.chunks, page.rowCount, ResultColumns.for(page.columns));
    }
    return { value: this.#rows.take(), done: false };
  }

  #finish(): void {
    this.#finished = true;
    this.#rows = NO_ROWS;
  }
}
