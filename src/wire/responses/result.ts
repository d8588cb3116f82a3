/**
 * RESULT bodies (v4 §4.2.5): void, rows, set_keyspace, prepared, schema_change.
 * Protocol v5 (v5 §4.2.5) adds `result_metadata_id` to Prepared and the
 * `Metadata_changed` flag with its `new_metadata_id` to Rows metadata.
 * @module
 */

import { getInt32, type Reader } from "../bytes.ts";
import { readOption } from "../cql_type_option.ts";
import { type Decoder, decoderFor, retainsBytes } from "../codec/index.ts";
import type { ColumnSpec, PreparedInfo, RowsMetadata } from "../metadata.ts";
import { ProtocolError } from "../../errors.ts";
import { readSchemaChange, type SchemaChange } from "./schema_change.ts";

/** RESULT kinds. */
export const ResultKind = {
  VOID: 0x0001,
  ROWS: 0x0002,
  SET_KEYSPACE: 0x0003,
  PREPARED: 0x0004,
  SCHEMA_CHANGE: 0x0005,
} as const;

const MetadataFlag = {
  GLOBAL_TABLES_SPEC: 0x0001,
  HAS_MORE_PAGES: 0x0002,
  NO_METADATA: 0x0004,
  METADATA_CHANGED: 0x0008,
} as const;

/** Most rows a result without columns may claim (such rows cost no bytes to claim). */
const MAX_EMPTY_ROWS = 65536;

/** A decoded page of rows. */
export interface RowsResult {
  kind: "rows";
  /** Columns of the rows (from the response, or the prepared statement's when skipped). */
  columns: readonly ColumnSpec[];
  /** The cells of the page, row after row, in chunks of whole rows (see {@link RowCells}). */
  chunks: unknown[][];
  /** Number of rows (kept apart from `chunks`, since rows without columns have no cells). */
  rowCount: number;
  /** Where the next page starts, `null` on the last page. */
  pagingState: Uint8Array | null;
  /**
   * Present when the server set `Metadata_changed` (v5, or v4 with ScyllaDB's
   * `SCYLLA_USE_METADATA_ID`): the statement's
   * new result metadata id. The caller stores it (and `columns`) in its
   * prepared statement and sends it with later EXECUTEs.
   */
  newMetadataId?: Uint8Array;
}

/** Any decoded RESULT. */
export type ResultMessage =
  | { kind: "void" }
  | RowsResult
  | { kind: "set_keyspace"; keyspace: string }
  | ({ kind: "prepared" } & PreparedInfo)
  | ({ kind: "schema_change" } & SchemaChange);

/** Decoders for a column list, and whether its values keep views of the bytes. */
interface RowDecoder {
  decoders: Decoder[];
  retainsBytes: boolean;
}

const decoderCache = new WeakMap<readonly ColumnSpec[], RowDecoder>();

function rowDecoderFor(columns: readonly ColumnSpec[]): RowDecoder {
  // Answers of one statement in a row share their columns: usually no WeakMap lookup.
  if (columns === lastColumns) return lastDecoder;
  let d = decoderCache.get(columns);
  if (!d) {
    d = {
      decoders: columns.map((c) => decoderFor(c.type)),
      retainsBytes: columns.some((c) => retainsBytes(c.type)),
    };
    decoderCache.set(columns, d);
  }
  lastColumns = columns;
  return lastDecoder = d;
}

/** The columns `rowDecoderFor` was last asked for, and their decoder. */
let lastColumns: readonly ColumnSpec[] | null = null;
let lastDecoder: RowDecoder = { decoders: [], retainsBytes: false };

/**
 * The column specs last seen for one statement, kept as their raw bytes: an
 * answer whose metadata has the same bytes reuses the decoded columns (and
 * their compiled decoders) after one byte compare.
 */
export interface MetadataCache {
  /** Raw bytes of the last column specs, `null` before the first answer. */
  bytes: Uint8Array | null;
  /** The columns those bytes decode to. */
  columns: readonly ColumnSpec[];
}

/**
 * Column specs of recent answers decoded without a statement's cache (unprepared queries, whose
 * text often differs only in literals, so no per-statement cache can hold them), most recent
 * first. Same bytes, same layout flag and same count decode to the same columns: reusing them
 * skips the string decoding, the type parsing and (through `decoderCache`) building the row
 * decoders again, which was most of an unprepared read's client CPU and garbage.
 */
const recent: { bytes: Uint8Array; columns: readonly ColumnSpec[]; global: number }[] = [];
const RECENT_MAX = 8;

const NO_COLUMNS: readonly ColumnSpec[] = Object.freeze([]);
/**
 * The metadata of the page being decoded: decoding is synchronous, so one serves every page, and
 * `readRowsMetadata` writes all of it each time.
 */
const scratchMeta: RowsMetadata = {
  columns: NO_COLUMNS,
  pagingState: null,
  columnCount: 0,
  newMetadataId: null,
};
/** Chunks of a result until its rows are read. */
const NO_CHUNKS: unknown[][] = [];

/** Column count accepted when the server sent no column specs to check it against. */
const MAX_COLUMNS = 0xffff;

/**
 * Reads `<metadata>` into `out` (the decoder's scratch: a page costs no metadata object), reusing
 * `cache` when the column specs are byte-for-byte the same.
 */
export function readRowsMetadata(
  r: Reader,
  cache: MetadataCache | undefined,
  out: RowsMetadata,
): RowsMetadata {
  const flags = r.readInt();
  const columnCount = r.readInt();
  const noMetadata = (flags & MetadataFlag.NO_METADATA) !== 0;
  // With specs present each column takes bytes, so the body bounds the count.
  if (columnCount < 0 || columnCount > (noMetadata ? MAX_COLUMNS : r.remaining)) {
    throw new ProtocolError(`invalid column count ${columnCount}`);
  }
  const pagingState = flags & MetadataFlag.HAS_MORE_PAGES ? r.readBytes()?.slice() ?? null : null;
  const newMetadataId = flags & MetadataFlag.METADATA_CHANGED ? r.readShortBytes().slice() : null;
  out.pagingState = pagingState;
  out.columnCount = columnCount;
  out.newMetadataId = newMetadataId;
  if (noMetadata) {
    out.columns = NO_COLUMNS;
    return out;
  }
  const start = r.pos;
  // The count must match too: LWT answers add columns after the same `[applied]` spec.
  if (cache?.bytes && cache.columns.length === columnCount && startsWith(r, cache.bytes)) {
    r.pos += cache.bytes.length;
    out.columns = cache.columns;
    return out;
  }
  const global = flags & MetadataFlag.GLOBAL_TABLES_SPEC;
  if (!cache) {
    for (let i = 0; i < recent.length; i++) {
      const e = recent[i];
      if (e.global !== global || e.columns.length !== columnCount || !startsWith(r, e.bytes)) {
        continue;
      }
      r.pos += e.bytes.length;
      if (i > 0) {
        recent.splice(i, 1);
        recent.unshift(e);
      }
      out.columns = e.columns;
      return out;
    }
  }
  const columns = readColumnSpecs(r, flags, columnCount);
  if (cache) {
    cache.bytes = r.buf.slice(start, r.pos);
    cache.columns = columns;
  } else if (r.pos - start <= 1024) {
    recent.unshift({ bytes: r.buf.slice(start, r.pos), columns, global });
    if (recent.length > RECENT_MAX) recent.pop();
  }
  out.columns = columns;
  return out;
}

function startsWith(r: Reader, bytes: Uint8Array): boolean {
  const n = bytes.length;
  if (r.remaining < n) return false;
  const buf = r.buf, at = r.pos;
  for (let i = 0; i < n; i++) if (buf[at + i] !== bytes[i]) return false;
  return true;
}

function readColumnSpecs(r: Reader, flags: number, count: number): ColumnSpec[] {
  const global = (flags & MetadataFlag.GLOBAL_TABLES_SPEC) !== 0;
  let keyspace = "", table = "";
  if (global) {
    keyspace = r.readString();
    table = r.readString();
  }
  const columns: ColumnSpec[] = new Array(count);
  for (let i = 0; i < count; i++) {
    if (!global) {
      keyspace = r.readString();
      table = r.readString();
    }
    const name = r.readString();
    columns[i] = { keyspace, table, name, type: readOption(r) };
  }
  return columns;
}

/**
 * Most cells in one chunk. Below V8's limits for a young regular object (128 KiB) and for
 * `new Array(n)` to get fast elements (~16 000): a bigger array of a wide page lands in the
 * old generation, where storing each young value costs a write barrier (Node decoded
 * 5 000 × 10 mixed cells 2.2× slower in one array than in row arrays).
 */
const CHUNK_CELLS = 8192;

/**
 * The cells of a Rows result, row after row, and how many rows they make. Cells sit in a
 * few chunks of whole rows, not in an array per row: per-row arrays cost an allocation each,
 * and with many pages in flight they outlive the young generation and make the GC copy them.
 */
export interface RowCells {
  /** Arrays of at most 8 192 cells (more only for a row wider than that), each of whole rows. */
  chunks: unknown[][];
  /** Number of rows. */
  rowCount: number;
}

/**
 * Reads the rows of a Rows result into `out`. `columns` are the columns to decode with.
 * @throws {ProtocolError} the counts or lengths do not fit the body
 */
export function readRows(
  r: Reader,
  columns: readonly ColumnSpec[],
  columnCount: number,
  out: RowCells,
): void {
  const rowCount = r.readInt();
  // Each cell carries at least its 4-byte length: a count the body cannot hold is hostile.
  // Rows without columns take no bytes, so their count is capped outright.
  if (
    rowCount < 0 || (columnCount > 0 && rowCount * columnCount * 4 > r.remaining) ||
    (columnCount === 0 && rowCount > MAX_EMPTY_ROWS)
  ) {
    throw new ProtocolError(`row count ${rowCount} does not fit a ${r.remaining}-byte body`);
  }
  if (columns.length !== columnCount) {
    throw new ProtocolError(
      `rows have ${columnCount} columns but ${columns.length} column types are known`,
    );
  }
  const { decoders, retainsBytes } = rowDecoderFor(columns);
  let { buf, view } = r;
  let end = r.end;
  let pos = r.pos;
  const base = pos;
  if (retainsBytes && rowCount > 0) {
    // Blobs are views: give them one copy of the cells, since the frame buffer is reused.
    buf = buf.slice(pos, end);
    view = new DataView(buf.buffer);
    end -= pos;
    pos = 0;
  }
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_CELLS / columnCount));
  // Sized up front: a pushed-to empty array gets room for 17 (136 bytes per answer for one).
  const chunks: unknown[][] = new Array(columnCount > 0 ? Math.ceil(rowCount / rowsPerChunk) : 0);
  for (let row = 0, i = 0; columnCount > 0 && row < rowCount; row += rowsPerChunk, i++) {
    const cells: unknown[] = new Array(Math.min(rowsPerChunk, rowCount - row) * columnCount);
    for (let k = 0; k < cells.length;) {
      for (let c = 0; c < columnCount; c++, k++) {
        if (pos + 4 > end) throw new ProtocolError("truncated row");
        const len = getInt32(buf, pos);
        pos += 4;
        if (len < 0) {
          cells[k] = null;
          continue;
        }
        if (pos + len > end) throw new ProtocolError(`cell of ${len} bytes overruns the body`);
        cells[k] = decoders[c](buf, view, pos, len);
        pos += len;
      }
    }
    chunks[i] = cells;
  }
  r.pos = buf === r.buf ? pos : base + pos;
  out.chunks = chunks;
  out.rowCount = rowCount;
}

/**
 * Decodes a RESULT body. `knownColumns` are the result columns of the prepared
 * statement executed, used when the server skipped metadata; `cache` remembers
 * the statement's last column specs; a Prepared result carries a result
 * metadata id when `metadataId` says so (by default when `protocolVersion`,
 * default 4, is 5; on v4 when ScyllaDB's `SCYLLA_USE_METADATA_ID` was negotiated).
 * @throws {ProtocolError} the body is truncated or malformed
 */
export function decodeResult(
  r: Reader,
  knownColumns?: readonly ColumnSpec[],
  cache?: MetadataCache,
  protocolVersion = 4,
  metadataId = protocolVersion >= 5,
): ResultMessage {
  const kind = r.readInt();
  switch (kind) {
    case ResultKind.VOID:
      return { kind: "void" };
    case ResultKind.ROWS: {
      const meta = readRowsMetadata(r, cache, scratchMeta);
      const columns = meta.columns.length === 0 && meta.columnCount > 0
        ? knownColumns ?? missingColumns()
        : sameColumns(meta.columns, knownColumns);
      // The cache keeps the statement's own columns once they match: the next answer with the
      // same metadata bytes compares nothing more.
      if (cache !== undefined && cache.columns === meta.columns) cache.columns = columns;
      const result: RowsResult = {
        kind: "rows",
        columns,
        chunks: NO_CHUNKS,
        rowCount: 0,
        pagingState: meta.pagingState,
      };
      readRows(r, columns, meta.columnCount, result);
      if (meta.newMetadataId !== null) result.newMetadataId = meta.newMetadataId;
      return result;
    }
    case ResultKind.SET_KEYSPACE:
      return { kind: "set_keyspace", keyspace: r.readString() };
    case ResultKind.PREPARED:
      return { kind: "prepared", ...readPrepared(r, metadataId) };
    case ResultKind.SCHEMA_CHANGE:
      return { kind: "schema_change", ...readSchemaChange(r) };
    default:
      throw new ProtocolError(`unknown RESULT kind ${kind}`);
  }
}

function missingColumns(): never {
  throw new ProtocolError("server skipped result metadata the driver does not have");
}

/** Reuses `known` when it describes the same columns, so its compiled decoders serve. */
function sameColumns(
  columns: readonly ColumnSpec[],
  known: readonly ColumnSpec[] | undefined,
): readonly ColumnSpec[] {
  if (columns === known || !known || known.length !== columns.length) return columns;
  for (let i = 0; i < columns.length; i++) {
    if (columns[i].name !== known[i].name) return columns;
  }
  return known;
}

/**
 * Reads the body of a Prepared result; with `metadataId` (v5, or v4 with
 * `SCYLLA_USE_METADATA_ID`) a result metadata id follows the statement id.
 */
function readPrepared(r: Reader, metadataId: boolean): PreparedInfo {
  const id = r.readShortBytes().slice();
  const resultMetadataId = metadataId ? r.readShortBytes().slice() : null;
  const flags = r.readInt();
  const columnCount = r.readInt();
  const pkCount = r.readInt();
  if (columnCount < 0 || columnCount > r.remaining || pkCount < 0 || pkCount > columnCount) {
    throw new ProtocolError(`invalid prepared metadata (${columnCount} columns, ${pkCount} keys)`);
  }
  const pkIndexes: number[] = new Array(pkCount);
  for (let i = 0; i < pkCount; i++) {
    const index = r.readShort();
    if (index >= columnCount) {
      throw new ProtocolError(
        `partition key index ${index} is past the ${columnCount} bind markers`,
      );
    }
    pkIndexes[i] = index;
  }
  const bindColumns = readColumnSpecs(r, flags, columnCount);
  const resultColumns = readRowsMetadata(r, undefined, scratchMeta).columns;
  return { id, resultMetadataId, bindColumns, pkIndexes, resultColumns, flags };
}
