/**
 * `Row` and `ResultSet` shaped like `cassandra-driver`'s: rows are objects
 * with one property per column (plus `get`, `keys`, `values`, `forEach`), the
 * result set carries `rows`, `rowLength`, `columns`, `pageState` (hex) and
 * `info`, and is iterable.
 * @module
 */

import type { CqlType } from "../wire/cql_type.ts";
import { fromNative } from "./convert.ts";
import type { Uuid } from "./uuid.ts";

/** A column of a result: its name and type (`code` as in `types.dataTypes`). */
export interface ColumnInfo {
  /** Column name. */
  name: string;
  /** Type code and, for collections and UDTs, the CQL type text. */
  type: { code: number; info: string | null };
}

const CODES: Record<string, number> = {
  custom: 0x00,
  ascii: 0x01,
  bigint: 0x02,
  blob: 0x03,
  boolean: 0x04,
  counter: 0x05,
  decimal: 0x06,
  double: 0x07,
  float: 0x08,
  int: 0x09,
  timestamp: 0x0b,
  uuid: 0x0c,
  text: 0x0d,
  varint: 0x0e,
  timeuuid: 0x0f,
  inet: 0x10,
  date: 0x11,
  time: 0x12,
  smallint: 0x13,
  tinyint: 0x14,
  duration: 0x15,
  list: 0x20,
  map: 0x21,
  set: 0x22,
  udt: 0x30,
  tuple: 0x31,
  vector: 0x00,
}; // deno-fmt-ignore

/** The `types.dataTypes` code of a CQL type. */
export function typeCode(t: CqlType): number {
  return CODES[t.kind === "native" ? t.name : t.kind] ?? 0;
}

/**
 * A row, as `cassandra-driver`'s `types.Row`: one enumerable property per
 * column, and helper methods that do not show up in `Object.keys`.
 */
export class Row {
  /** Column values by column name. */
  [column: string]: unknown;

  /** A row over `columns` (values are set by the facade). */
  constructor(columns: readonly ColumnInfo[]) {
    Object.defineProperty(this, "__columns", { value: columns, enumerable: false });
  }

  /** The value of a column by name or position. */
  get(columnName: string | number): unknown {
    if (typeof columnName === "number") {
      const cols = (this as unknown as { __columns: ColumnInfo[] }).__columns;
      return this[cols[columnName]?.name];
    }
    return this[columnName];
  }

  /** Column names in result order. */
  keys(): string[] {
    return Object.keys(this);
  }

  /** Values in result order. */
  values(): unknown[] {
    return Object.values(this);
  }

  /** Calls `callback(value, name)` for each column. */
  forEach(callback: (value: unknown, name: string) => void): void {
    for (const k of Object.keys(this)) callback(this[k], k);
  }
}
for (const m of ["get", "keys", "values", "forEach"]) {
  Object.defineProperty(Row.prototype, m, { enumerable: false });
}

/** Query execution information, as `ResultSet.info`. */
export interface ExecutionInfo {
  /** The node that answered (`host:port`), when known. */
  queriedHost: string | null;
  /** Failed attempts by host (always empty: the driver retries internally). */
  triedHosts: Record<string, unknown>;
  /** Speculative executions started (not reported: 0). */
  speculativeExecutions: number;
  /** Consistency reached (not reported: `null`). */
  achievedConsistency: number | null;
  /** Tracing session id, when tracing was on. */
  traceId: Uuid | undefined;
  /** Server warnings. */
  warnings: string[];
  /** Custom payload (not supported: `undefined`). */
  customPayload: undefined;
  /** Whether the schema agreed after a schema change (always `true` here). */
  isSchemaInAgreement: boolean;
}

/** A page of a result, as `cassandra-driver`'s `types.ResultSet`. */
export class ResultSet implements Iterable<Row> {
  /** The rows of this page (every page when `autoPage`). */
  readonly rows: Row[];
  /** `rows.length`. */
  readonly rowLength: number;
  /** Result columns, empty for statements without rows. */
  readonly columns: ColumnInfo[];
  /** Hex paging state to pass as `pageState` for the next page, or `null`. */
  readonly pageState: string | null;
  /** The raw paging state, or `null`. */
  readonly rawPageState: Uint8Array | null;
  /** Execution information. */
  readonly info: ExecutionInfo;
  /** Fetches the next page (callback style); `null` once the last page is read. */
  nextPage: ((callback?: (err: Error | null, rs?: ResultSet) => void) => void) | null = null;

  /** A result set (built by the facade). */
  constructor(
    rows: Row[],
    columns: ColumnInfo[],
    rawPageState: Uint8Array | null,
    info: ExecutionInfo,
  ) {
    this.rows = rows;
    this.rowLength = rows.length;
    this.columns = columns;
    this.rawPageState = rawPageState;
    this.pageState = rawPageState === null
      ? null
      : [...rawPageState].map((b) => b.toString(16).padStart(2, "0")).join("");
    this.info = info;
  }

  /** The first row, or `null`. */
  first(): Row | null {
    return this.rows[0] ?? null;
  }

  /** For a conditional statement (LWT): whether it was applied (`true` for others). */
  wasApplied(): boolean {
    const row = this.rows[0];
    if (row === undefined || !Object.hasOwn(row, "[applied]")) return true;
    return row["[applied]"] === true;
  }

  /** The rows of this result set. */
  [Symbol.iterator](): Iterator<Row> {
    return this.rows[Symbol.iterator]();
  }
}

/** Builds facade rows from the driver's rows and the columns' parsed types. */
export function toRows(
  columns: readonly ColumnInfo[],
  types: readonly CqlType[],
  rows: Iterable<{ columns(): unknown[] }>,
): Row[] {
  const out: Row[] = [];
  for (const r of rows) {
    const row = new Row(columns);
    const values = r.columns();
    for (let i = 0; i < columns.length; i++) {
      row[columns[i].name] = fromNative(values[i], types[i]);
    }
    out.push(row);
  }
  return out;
}
