/**
 * Paging: following paging states to the last page into one result, and the
 * async iterator behind `Session.iter()`, which hands out the rows of the
 * current page without an await each and fetches the next page only when the
 * current one is used up.
 * @module
 */

import { NO_CELLS, QueryResult, type QueryResultInit, ResultColumns, Row } from "../result.ts";

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
  /** The current page: its chunks, the chunk being read and the next row's start in it. */
  #chunks: readonly unknown[][] = [];
  #chunk = 0;
  #base = 0;
  /** Rows of the current page not handed out yet. */
  #left = 0;
  #columns: ResultColumns | null = null;
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
    if (this.#left > 0) return Promise.resolve({ value: this.#row(), done: false });
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
    while (this.#left === 0) {
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
      this.#chunks = page.chunks;
      this.#chunk = 0;
      this.#base = 0;
      this.#left = page.rowCount;
      this.#columns = ResultColumns.for(page.columns);
    }
    return { value: this.#row(), done: false };
  }

  /** The next row, made as it is handed out, so a page holds no `Row` per row. */
  #row(): Row {
    const columns = this.#columns!;
    const width = columns.names.length;
    this.#left--;
    if (width === 0) return new Row(NO_CELLS, 0, columns);
    let cells = this.#chunks[this.#chunk];
    if (this.#base === cells.length) {
      cells = this.#chunks[++this.#chunk];
      this.#base = 0;
    }
    const row = new Row(cells, this.#base, columns);
    this.#base += width;
    return row;
  }

  #finish(): void {
    this.#finished = true;
    this.#chunks = [];
    this.#left = 0;
  }
}
