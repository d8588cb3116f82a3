/**
 * Column and result metadata as decoded from RESULT bodies (v4 §4.2.5.2, §4.2.5.4;
 * v5 adds the result metadata ids).
 * @module
 */

import type { CqlType } from "./cql_type.ts";

/** One column of a result or one bind marker of a prepared statement. */
export interface ColumnSpec {
  /** Keyspace of the column's table. */
  readonly keyspace: string;
  /** Table the column belongs to. */
  readonly table: string;
  /** Column name as the server returns it (bind marker name for `:name` markers). */
  readonly name: string;
  /** The column's CQL type. */
  readonly type: CqlType;
}

/** Rows metadata (`<metadata>` of a Rows result or of a Prepared result). */
export interface RowsMetadata {
  /** Column specs, empty when the server sent `No_metadata`. */
  columns: readonly ColumnSpec[];
  /** Paging state to fetch the next page, `null` on the last page. */
  pagingState: Uint8Array | null;
  /** Number of columns (present even with `No_metadata`). */
  columnCount: number;
  /** New result metadata id sent with `Metadata_changed` (v5, or v4 with `SCYLLA_USE_METADATA_ID`). */
  newMetadataId: Uint8Array | null;
}

/** Everything the server said in answer to PREPARE. */
export interface PreparedInfo {
  /** Statement id to send with EXECUTE. */
  readonly id: Uint8Array;
  /**
   * v5, or v4 with ScyllaDB's `SCYLLA_USE_METADATA_ID` (else `null`): the id of the result metadata, sent back with
   * every EXECUTE so the server can tell when it changed. Replace it (and
   * `resultColumns`) with a Rows answer's `newMetadataId` and columns when the
   * server says the metadata changed.
   */
  readonly resultMetadataId: Uint8Array | null;
  /** Bind markers, in order. */
  readonly bindColumns: readonly ColumnSpec[];
  /** Indexes (into `bindColumns`) of the partition key components, in key order. */
  readonly pkIndexes: readonly number[];
  /** Result columns, empty for statements that return no rows. */
  readonly resultColumns: readonly ColumnSpec[];
  /** Flags of the bind metadata; ScyllaDB marks LWT statements in them when asked to. */
  readonly flags?: number;
}
