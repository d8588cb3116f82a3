/**
 * `QueryResult` and `Row`: what `execute`, `query`, `executePrepared` and
 * `batch` resolve with. Rows share one columns descriptor per result, so a row
 * is just a reference to its decoded values.
 * @module
 */

import type { ColumnSpec } from "./wire/metadata.ts";
import { formatType } from "./wire/cql_type.ts";
import { formatValue } from "./format_value.ts";

/** One column as users see it: its CQL type is text such as `list<text>`. */
export interface ColSpec {
  /** Keyspace of the column's table. */
  keyspace: string;
  /** Table of the column. */
  table: string;
  /** Column name as the server returns it (unquoted identifiers are lowercase). */
  name: string;
  /** CQL type as text: `int`, `list<text>`, `map<text, int>`, `frozen<addr>`. */
  type: string;
}

/** @internal Turns decoded column specs into the user-facing {@link ColSpec} shape. */
export function toColSpecs(columns: readonly ColumnSpec[]): ColSpec[] {
  return columns.map((c) => ({
    keyspace: c.keyspace,
    table: c.table,
    name: c.name,
    type: formatType(c.type),
  }));
}

/**
 * @internal The columns of one result, shared by all its rows (built by
 * `QueryResult`). The name → index map is built on first use, once.
 */
export class ResultColumns {
  /** Column specs in result order. */
  readonly specs: readonly ColumnSpec[];
  /** Column names in result order. */
  readonly names: readonly string[];
  #index: Map<string, number> | null = null;
  #keys: number[] | null = null;

  constructor(specs: readonly ColumnSpec[]) {
    this.specs = specs;
    this.names = specs.map((c) => c.name);
  }

  /** The shared instance for `specs`: prepared statements reuse one spec array per result shape. */
  static for(specs: readonly ColumnSpec[]): ResultColumns {
    // Results of one statement in a row share their specs: usually no WeakMap lookup.
    if (specs === last.specs) return last;
    let cols = shared.get(specs);
    if (cols === undefined) {
      cols = new ResultColumns(specs);
      shared.set(specs, cols);
    }
    return last = cols;
  }

  /** Index of the first column called `name` (exact match), or `-1`. */
  indexOf(name: string): number {
    if (this.#index === null) {
      const index = new Map<string, number>();
      // First occurrence wins, so `SELECT a, a` resolves like asObject() does.
      this.names.forEach((n, i) => index.has(n) || index.set(n, i));
      this.#index = index;
    }
    return this.#index.get(name) ?? -1;
  }

  /** Builds a plain object keyed by column name from the row whose values start at `cells[base]`. */
  toObject(cells: readonly unknown[], base: number): Record<string, unknown> {
    const keys = this.#keys ??= firstOccurrences(this.names);
    const names = this.names;
    const obj: Record<string, unknown> = {};
    for (let k = 0; k < keys.length; k++) {
      const i = keys[k];
      // Assigning `__proto__` would set the prototype instead of adding a key.
      if (names[i] === "__proto__") {
        Object.defineProperty(obj, "__proto__", {
          value: cells[base + i],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else obj[names[i]] = cells[base + i];
    }
    return obj;
  }
}

const shared = new WeakMap<readonly ColumnSpec[], ResultColumns>();
/** The instance `for` returned last. */
let last = new ResultColumns([]);

/** Indexes of the first column of each distinct name, in column order. */
function firstOccurrences(names: readonly string[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  names.forEach((n, i) => {
    if (!seen.has(n)) out.push(i), seen.add(n);
  });
  return out;
}

/**
 * One row of a result. Values are decoded already (see the type table in the
 * API docs); `null` is NULL.
 * @example
 * ```ts ignore
 * const row = (await session.execute("SELECT id, name FROM ks.users")).firstRow();
 * row?.get("name"); row?.get(-1); row?.asObject(); String(row); // Row(id=1, name='Alice')
 * ```
 */
export class Row {
  readonly #cells: readonly unknown[];
  readonly #base: number;
  readonly #columns: ResultColumns;

  /** @internal rows are made by `QueryResult` and `Session.iter()`: cells `base…` of a page. */
  constructor(cells: readonly unknown[], base: number, columns: ResultColumns) {
    this.#cells = cells;
    this.#base = base;
    this.#columns = columns;
  }

  /** Number of columns. */
  get length(): number {
    return this.#columns.names.length;
  }

  /** The values in column order (a new array). */
  columns(): unknown[] {
    return this.#cells.slice(this.#base, this.#base + this.#columns.names.length);
  }

  /**
   * One value, by position (negative counts from the end) or by column name as
   * the server returns it (unquoted identifiers come back lowercase).
   * @throws {RangeError} the index is not an integer in range, or the name is unknown
   * @throws {TypeError} `indexOrName` is neither a number nor a string
   */
  get(indexOrName: number | string): unknown {
    const columns = this.#columns;
    if (typeof indexOrName === "string") {
      const i = columns.indexOf(indexOrName);
      if (i < 0) {
        const known = columns.names.join(", ") || "(none)";
        throw new RangeError(`no column named ${JSON.stringify(indexOrName)}; columns: ${known}`);
      }
      return this.#cells[this.#base + i];
    }
    if (typeof indexOrName !== "number") {
      throw new TypeError(`column must be an index or a name, got ${typeof indexOrName}`);
    }
    const n = columns.names.length;
    const i = indexOrName < 0 ? n + indexOrName : indexOrName;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      const valid = n === 0 ? "the row has no columns" : `valid: ${-n}..${n - 1}`;
      throw new RangeError(`column index ${indexOrName} out of range (${valid})`);
    }
    return this.#cells[this.#base + i];
  }

  /**
   * The row as a plain object keyed by the real column names, in column order
   * (when a name repeats, the first column wins).
   */
  asObject<T = Record<string, unknown>>(): T {
    return this.#columns.toObject(this.#cells, this.#base) as T;
  }

  /** Iterates the values in column order. */
  [Symbol.iterator](): Iterator<unknown> {
    return this.columns()[Symbol.iterator]();
  }

  /** `Row(id=1, name='Alice', data=0xcafe)`: CQL-literal-like values, long ones shortened. */
  toString(): string {
    const names = this.#columns.names;
    const parts = this.columns().map((v, i) => `${names[i] ?? i}=${formatValue(v)}`);
    return `Row(${parts.join(", ")})`;
  }

  /** Shows `toString()` in Deno's `console.log`. */
  [Symbol.for("Deno.customInspect")](): string {
    return this.toString();
  }

  /** Shows `toString()` in Node's and Bun's `console.log`. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** @internal What the session hands to {@link QueryResult}'s constructor (the result takes ownership). */
export interface QueryResultInit {
  /** Result columns; empty for results without rows. */
  columns: readonly ColumnSpec[];
  /** Decoded cells, row after row in column order, in arrays of whole rows. */
  chunks: unknown[][];
  /** Number of rows. */
  rowCount: number;
  /** Paging state of the next page, `null` once the last page was read. */
  pagingState: Uint8Array | null;
  /** Tracing session id (uuid text) when tracing was requested. */
  tracingId: string | null;
  /** Warnings the server attached to the response. */
  warnings: string[];
  /** `host:port` of the node that answered, when known. */
  coordinator?: string | null;
}

const APPLIED = "[applied]";

/** The cells of rows without columns. */
export const NO_CELLS: readonly unknown[] = Object.freeze([]);

/**
 * Calls `fn` with the chunk and start of each row, in order (rows without columns: none).
 * {@link RowCursor} walks the chunks the same way but makes a `Row` per step; `rowsTyped`
 * builds plain objects and needs no `Row`.
 */
function forEachRow(
  chunks: readonly unknown[][],
  rowCount: number,
  columns: ResultColumns,
  fn: (cells: readonly unknown[], base: number) => void,
): void {
  const width = columns.names.length;
  if (width === 0) {
    for (let i = 0; i < rowCount; i++) fn(NO_CELLS, 0);
    return;
  }
  for (const cells of chunks) {
    for (let base = 0; base < cells.length; base += width) fn(cells, base);
  }
}

/**
 * The rows of one page in order, each `Row` made as it is handed out: a loop over a large
 * page then holds one row at a time, not a `Row` per row of the page.
 * @internal used by `QueryResult`'s iterator and `Session.iter()`
 */
export class RowCursor implements IterableIterator<Row> {
  readonly #chunks: readonly unknown[][];
  readonly #columns: ResultColumns;
  #chunk = 0;
  #base = 0;
  /** Rows not handed out yet. */
  left: number;

  constructor(chunks: readonly unknown[][], rowCount: number, columns: ResultColumns) {
    this.#chunks = chunks;
    this.#columns = columns;
    this.left = rowCount;
  }

  /** The next row; only while {@link left} is above 0. */
  take(): Row {
    const columns = this.#columns;
    const width = columns.names.length;
    this.left--;
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

  /** The iterator protocol over {@link take}. */
  next(): IteratorResult<Row> {
    return this.left > 0 ? { value: this.take(), done: false } : { value: undefined, done: true };
  }

  /** This cursor itself. */
  [Symbol.iterator](): IterableIterator<Row> {
    return this;
  }
}

/**
 * The outcome of a statement: rows (possibly none), their columns, and
 * response metadata. Iterable any number of times.
 * @example
 * ```ts ignore
 * const result = await session.execute("SELECT id, name FROM ks.users");
 * for (const row of result) console.log(row.get("name"));
 * const users = result.rowsTyped<{ id: number; name: string }>();
 * ```
 */
export class QueryResult {
  /** Paging state to fetch the next page (see `Query.withPagingState`), `null` after the last page. */
  readonly pagingState: Uint8Array | null;
  /**
   * `host:port` of the node that coordinated the request (for a result of several pages, the
   * first page's), `null` when not known.
   */
  readonly coordinator: string | null;
  readonly #columns: ResultColumns;
  readonly #chunks: readonly unknown[][];
  readonly #rowCount: number;
  readonly #tracingId: string | null;
  readonly #warnings: readonly string[];
  #rows: Row[] | null = null;
  /** The first row when `firstRow()` made it before `#rows` existed (one read of one row). */
  #first: Row | null = null;

  /** @internal results are made by the session. */
  constructor(init: QueryResultInit) {
    this.#columns = ResultColumns.for(init.columns);
    this.#chunks = init.chunks;
    this.#rowCount = init.rowCount;
    this.pagingState = init.pagingState;
    this.coordinator = init.coordinator ?? null;
    this.#tracingId = init.tracingId;
    this.#warnings = init.warnings;
  }

  /** Number of rows. */
  get length(): number {
    return this.#rowCount;
  }

  /** Whether there are no rows. */
  isEmpty(): boolean {
    return this.#rowCount === 0;
  }

  #cached(): Row[] {
    if (this.#rows === null) {
      const cursor = new RowCursor(this.#chunks, this.#rowCount, this.#columns);
      const rows: Row[] = new Array(this.#rowCount);
      for (let i = 0; i < rows.length; i++) rows[i] = cursor.take();
      // The same Row as firstRow() handed out, whichever was asked first.
      if (this.#first !== null) rows[0] = this.#first;
      this.#rows = rows;
    }
    return this.#rows;
  }

  /** Every row (a new array each call; the `Row` objects are reused). */
  rows(): Row[] {
    return this.#cached().slice();
  }

  /** The first row, or `null` when there are none. */
  firstRow(): Row | null {
    if (this.#rowCount === 0) return null;
    if (this.#rows !== null) return this.#rows[0];
    // No cursor or row array for the usual read of one row.
    return this.#first ??= new Row(
      this.#columns.names.length === 0 ? NO_CELLS : this.#chunks[0],
      0,
      this.#columns,
    );
  }

  /**
   * The only row.
   * @throws {RangeError} the result has no rows or more than one; the message says how many
   */
  singleRow(): Row {
    const n = this.#rowCount;
    if (n !== 1) throw new RangeError(`expected exactly one row, got ${n}`);
    return this.#cached()[0];
  }

  /**
   * Every row as a plain object keyed by the real column names. `T` is not
   * checked at run time: it only describes what the caller expects.
   */
  rowsTyped<T = Record<string, unknown>>(): T[] {
    const cols = this.#columns;
    const out: T[] = new Array(this.#rowCount);
    let i = 0;
    forEachRow(this.#chunks, this.#rowCount, cols, (cells, base) => {
      out[i++] = cols.toObject(cells, base) as T;
    });
    return out;
  }

  /** The first row as a plain object keyed by column names, or `null`. */
  firstRowTyped<T = Record<string, unknown>>(): T | null {
    return this.#rowCount === 0
      ? null
      : this.#columns.toObject(this.#chunks[0] ?? NO_CELLS, 0) as T;
  }

  /** The result columns, with CQL types as text. */
  colSpecs(): ColSpec[] {
    return toColSpecs(this.#columns.specs);
  }

  /** The tracing session id (uuid text) when the statement was traced, else `null`. */
  tracingId(): string | null {
    return this.#tracingId;
  }

  /** Warnings the server attached (e.g. a large batch), empty when none. */
  warnings(): string[] {
    return this.#warnings.slice();
  }

  /**
   * For a lightweight transaction (`INSERT ... IF NOT EXISTS`, `UPDATE ... IF`):
   * the `[applied]` value of the first row. A result without an `[applied]`
   * column (a plain write) reports `true`, since nothing conditional was refused;
   * an `[applied]` column without rows reports `false`.
   * For a conditional batch, only the first row's flag is read.
   */
  wasApplied(): boolean {
    const i = this.#columns.indexOf(APPLIED);
    if (i < 0) return true;
    return this.#rowCount > 0 && this.#chunks[0][i] === true;
  }

  /** Iterates the rows; each call starts over. */
  [Symbol.iterator](): Iterator<Row> {
    // Rows already made for rows() / firstRow() are handed out again; otherwise each is
    // made as the loop reaches it (a loop over a 5 000-row page kept them all alive).
    if (this.#rows !== null) return this.#rows[Symbol.iterator]();
    return new RowCursor(this.#chunks, this.#rowCount, this.#columns);
  }

  /** `QueryResult(2 rows; id, name)`. */
  toString(): string {
    const n = this.#rowCount;
    const cols = this.#columns.names.join(", ");
    return `QueryResult(${n} row${n === 1 ? "" : "s"}${cols ? `; ${cols}` : ""})`;
  }
}
