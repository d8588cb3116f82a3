/**
 * QUERY, PREPARE and EXECUTE requests and the `<query_parameters>` they share
 * (v4 §4.1.4–4.1.6). Protocol v4 by default; with `protocolVersion: 5` the
 * v5 layout (v5 §4.1.4–4.1.6): `[int]` flags instead of `[byte]`, an optional
 * per-request keyspace and "now" in seconds, PREPARE flags, and EXECUTE's
 * `result_metadata_id`. The envelope header then carries version 5.
 * @module
 */

import type { Writer } from "../bytes.ts";
import { Opcode, PROTOCOL_VERSION, setVersion } from "../frame.ts";
import type { ColumnSpec } from "../metadata.ts";
import { writeBoundValues } from "../bind.ts";
import { closeFrame, openFrame } from "./envelope.ts";

/** Values for bind markers: by position, or by marker name. */
export type BindValues = readonly unknown[] | Readonly<Record<string, unknown>>;

/** `<query_parameters>` flags (v4; v5 adds the last two and widens the field to `[int]`). */
export const QueryFlag = {
  VALUES: 0x01,
  SKIP_METADATA: 0x02,
  PAGE_SIZE: 0x04,
  PAGING_STATE: 0x08,
  SERIAL_CONSISTENCY: 0x10,
  DEFAULT_TIMESTAMP: 0x20,
  /** v5: a `[string]` keyspace follows the timestamp. */
  WITH_KEYSPACE: 0x80,
  /** v5: an `[int]` "now" in seconds follows the keyspace. */
  WITH_NOW_IN_SECONDS: 0x100,
} as const;

/** PREPARE flags (v5 only; v4 has none). */
export const PrepareFlag = {
  /** A `[string]` keyspace follows the flags. */
  WITH_KEYSPACE: 0x01,
} as const;

/** What a QUERY or EXECUTE carries besides the statement. */
export interface QueryParameters {
  /** Consistency code. */
  consistency: number;
  /** Bind markers' specs; required when `values` is given. */
  bindColumns?: readonly ColumnSpec[];
  /** Values by position or by marker name. */
  values?: BindValues;
  /** Ask the server to omit result metadata (EXECUTE with known result columns). */
  skipMetadata?: boolean;
  /** Rows per page; 0 or less means no paging. */
  pageSize: number;
  /** Where to resume paging. */
  pagingState?: Uint8Array | null;
  /** Serial consistency code for LWT. */
  serialConsistency?: number;
  /** Client-side write timestamp in microseconds. */
  timestamp?: bigint;
  /** Set the tracing flag on the frame. */
  tracing?: boolean;
  /** Protocol version to encode for: 4 (the default) or 5. */
  protocolVersion?: number;
  /** v5 only: the keyspace to run the statement in, instead of the connection's. */
  keyspace?: string;
  /** v5 only: the "current time" in seconds the server uses for TTLs and `now()`-like checks. */
  nowInSeconds?: number;
  /**
   * EXECUTE on v4 only: the connection negotiated ScyllaDB's `SCYLLA_USE_METADATA_ID`,
   * so `resultMetadataId` follows the statement id as in v5.
   */
  metadataId?: boolean;
  /**
   * EXECUTE in v5 (or v4 with {@link QueryParameters.metadataId}): the result
   * metadata id the PREPARED answer carried. When
   * absent an empty id is sent: the server then always answers with full
   * metadata and `newMetadataId` (self-healing, at the cost of the metadata bytes).
   */
  resultMetadataId?: Uint8Array | null;
  /**
   * EXECUTE only, on a connection that negotiated ScyllaDB's
   * `TABLETS_ROUTING_V2_EXPERIMENTAL`: the one-byte `tablet_version_block`
   * appended after the query parameters (docs/dev/tablets-routing-v2.md).
   */
  tabletVersionBlock?: number;
}

/** The protocol version `p` asks for, checked. */
function versionOf(p: { protocolVersion?: number }): number {
  const v = p.protocolVersion ?? PROTOCOL_VERSION;
  if (v !== 4 && v !== 5) throw new RangeError(`protocol version ${v} is not supported (4 or 5)`);
  return v;
}

/** Header version and tracing flag, once the body is written. */
function close(w: Writer, start: number, opcode: number, tracing: boolean | undefined, v: number) {
  closeFrame(w, start, opcode, tracing);
  if (v !== PROTOCOL_VERSION) setVersion(w.buf, v, start);
}

/** `undefined`, `[]` or `{}`: nothing to bind. */
function isEmptyValues(v: unknown): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype &&
    Object.keys(v).length === 0;
}

/**
 * Writes `<query_parameters>` for `p.protocolVersion` (default 4). Values are
 * validated as they are written.
 * @throws {TypeError} `keyspace` or `nowInSeconds` with protocol v4, which cannot carry them
 * @throws {RangeError} an unsupported protocol version, or `nowInSeconds` not an `[int]`
 */
export function writeQueryParameters(w: Writer, p: QueryParameters): void {
  const v5 = versionOf(p) === 5;
  if (!v5 && (p.keyspace !== undefined || p.nowInSeconds !== undefined)) {
    throw new TypeError("a per-request keyspace or nowInSeconds needs protocol v5");
  }
  checkNowInSeconds(p.nowInSeconds);
  // With the markers known, the binder checks the values, missing ones included; only "no
  // values" for a statement without markers leaves the VALUES flag off.
  const hasValues = p.bindColumns !== undefined &&
    (p.bindColumns.length > 0 || !isEmptyValues(p.values));
  let flags = 0;
  if (hasValues) flags |= QueryFlag.VALUES;
  if (p.skipMetadata) flags |= QueryFlag.SKIP_METADATA;
  if (p.pageSize > 0) flags |= QueryFlag.PAGE_SIZE;
  if (p.pagingState) flags |= QueryFlag.PAGING_STATE;
  if (p.serialConsistency !== undefined) flags |= QueryFlag.SERIAL_CONSISTENCY;
  if (p.timestamp !== undefined) flags |= QueryFlag.DEFAULT_TIMESTAMP;
  if (p.keyspace !== undefined) flags |= QueryFlag.WITH_KEYSPACE;
  if (p.nowInSeconds !== undefined) flags |= QueryFlag.WITH_NOW_IN_SECONDS;
  w.writeShort(p.consistency);
  if (v5) w.writeInt(flags);
  else w.writeByte(flags);
  if (hasValues) writeBoundValues(w, p.bindColumns!, p.values);
  if (p.pageSize > 0) w.writeInt(p.pageSize);
  if (p.pagingState) w.writeBytes(p.pagingState);
  if (p.serialConsistency !== undefined) w.writeShort(p.serialConsistency);
  if (p.timestamp !== undefined) w.writeLong(p.timestamp);
  if (p.keyspace !== undefined) w.writeString(p.keyspace);
  if (p.nowInSeconds !== undefined) w.writeInt(p.nowInSeconds);
}

/**
 * `nowInSeconds` travels as an `[int]`.
 * @throws {RangeError} not an integer in the signed 32-bit range
 */
export function checkNowInSeconds(n: number | undefined): void {
  if (n !== undefined && !(Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff)) {
    throw new RangeError(`nowInSeconds ${n} does not fit an [int]`);
  }
}

/** Runs `write` into `w` (reset) and returns a copy of the frame. */
function encodeOne(w: Writer, write: (w: Writer) => void): Uint8Array {
  w.reset();
  write(w);
  return w.toBytes();
}

/** QUERY: a CQL string run once. */
export function encodeQuery(w: Writer, cql: string, p: QueryParameters): Uint8Array {
  return encodeOne(w, (w) => appendQuery(w, cql, p));
}

/** Appends a QUERY frame to `w`; on error `w` keeps only what it had. */
export function appendQuery(w: Writer, cql: string, p: QueryParameters): void {
  const start = openFrame(w);
  try {
    w.writeLongString(cql);
    writeQueryParameters(w, p);
    close(w, start, Opcode.QUERY, p.tracing, versionOf(p));
  } catch (e) {
    w.length = start;
    throw e;
  }
}

/** What a PREPARE may carry besides the CQL text. */
export interface PrepareOptions {
  /** Protocol version to encode for: 4 (the default) or 5. */
  protocolVersion?: number;
  /** v5 only: the keyspace the statement's unqualified names resolve in. */
  keyspace?: string;
}

/**
 * PREPARE: a CQL string to prepare.
 * @throws {TypeError} a keyspace with protocol v4
 */
export function encodePrepare(w: Writer, cql: string, options: PrepareOptions = {}): Uint8Array {
  return encodeOne(w, (w) => appendPrepare(w, cql, options));
}

/**
 * Appends a PREPARE frame to `w`; v5 adds `[int]` flags and the optional keyspace.
 * @throws {TypeError} a keyspace with protocol v4; `w` then keeps only what it had
 */
export function appendPrepare(w: Writer, cql: string, options: PrepareOptions = {}): void {
  const v = versionOf(options);
  if (v === 4 && options.keyspace !== undefined) {
    throw new TypeError("a PREPARE keyspace needs protocol v5");
  }
  const start = openFrame(w);
  try {
    w.writeLongString(cql);
    if (v === 5) {
      w.writeInt(options.keyspace === undefined ? 0 : PrepareFlag.WITH_KEYSPACE);
      if (options.keyspace !== undefined) w.writeString(options.keyspace);
    }
    close(w, start, Opcode.PREPARE, false, v);
  } catch (e) {
    w.length = start;
    throw e;
  }
}

/** EXECUTE: a prepared statement id with its parameters. */
export function encodeExecute(w: Writer, id: Uint8Array, p: QueryParameters): Uint8Array {
  return encodeOne(w, (w) => appendExecute(w, id, p));
}

/**
 * Appends an EXECUTE frame to `w`; in v5, and in v4 with `p.metadataId`, the
 * statement id is followed by `p.resultMetadataId`. On error `w` keeps only what it had.
 */
export function appendExecute(w: Writer, id: Uint8Array, p: QueryParameters): void {
  const start = openFrame(w);
  try {
    const v = versionOf(p);
    w.writeShortBytes(id);
    if (v === 5 || p.metadataId) w.writeShortBytes(p.resultMetadataId ?? EMPTY);
    writeQueryParameters(w, p);
    if (p.tabletVersionBlock !== undefined) w.writeByte(p.tabletVersionBlock & 0xff);
    close(w, start, Opcode.EXECUTE, p.tracing, v);
  } catch (e) {
    w.length = start;
    throw e;
  }
}

const EMPTY = new Uint8Array(0);
