/**
 * QUERY, PREPARE and EXECUTE requests and the `<query_parameters>` they share (v4 §4.1.4–4.1.6).
 * @module
 */

import type { Writer } from "../bytes.ts";
import { Opcode } from "../frame.ts";
import type { ColumnSpec } from "../metadata.ts";
import { writeBoundValues } from "../bind.ts";

/** Values for bind markers: by position, or by marker name. */
export type BindValues = readonly unknown[] | Readonly<Record<string, unknown>>;
import { beginFrame, closeFrame, endFrame, openFrame } from "./envelope.ts";

/** `<query_parameters>` flags (v4). */
export const QueryFlag = {
  VALUES: 0x01,
  SKIP_METADATA: 0x02,
  PAGE_SIZE: 0x04,
  PAGING_STATE: 0x08,
  SERIAL_CONSISTENCY: 0x10,
  DEFAULT_TIMESTAMP: 0x20,
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
}

/** `undefined`, `[]` or `{}`: nothing to bind. */
function isEmptyValues(v: unknown): boolean {
  if (v === undefined) return true;
  if (Array.isArray(v)) return v.length === 0;
  return v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype &&
    Object.keys(v).length === 0;
}

/** Writes `<query_parameters>`. Values are validated as they are written. */
export function writeQueryParameters(w: Writer, p: QueryParameters): void {
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
  w.writeShort(p.consistency).writeByte(flags);
  if (hasValues) writeBoundValues(w, p.bindColumns!, p.values);
  if (p.pageSize > 0) w.writeInt(p.pageSize);
  if (p.pagingState) w.writeBytes(p.pagingState);
  if (p.serialConsistency !== undefined) w.writeShort(p.serialConsistency);
  if (p.timestamp !== undefined) w.writeLong(p.timestamp);
}

/** QUERY: a CQL string run once. */
export function encodeQuery(w: Writer, cql: string, p: QueryParameters): Uint8Array {
  beginFrame(w).writeLongString(cql);
  writeQueryParameters(w, p);
  return endFrame(w, Opcode.QUERY, p.tracing);
}

/** Appends a QUERY frame to `w`; on error `w` keeps only what it had. */
export function appendQuery(w: Writer, cql: string, p: QueryParameters): void {
  const start = openFrame(w);
  try {
    w.writeLongString(cql);
    writeQueryParameters(w, p);
    closeFrame(w, start, Opcode.QUERY, p.tracing);
  } catch (e) {
    w.length = start;
    throw e;
  }
}

/** PREPARE: a CQL string to prepare. */
export function encodePrepare(w: Writer, cql: string): Uint8Array {
  beginFrame(w).writeLongString(cql);
  return endFrame(w, Opcode.PREPARE);
}

/** Appends a PREPARE frame to `w`. */
export function appendPrepare(w: Writer, cql: string): void {
  const start = openFrame(w);
  w.writeLongString(cql);
  closeFrame(w, start, Opcode.PREPARE);
}

/** EXECUTE: a prepared statement id with its parameters. */
export function encodeExecute(w: Writer, id: Uint8Array, p: QueryParameters): Uint8Array {
  beginFrame(w).writeShortBytes(id);
  writeQueryParameters(w, p);
  return endFrame(w, Opcode.EXECUTE, p.tracing);
}

/** Appends an EXECUTE frame to `w`; on error `w` keeps only what it had. */
export function appendExecute(w: Writer, id: Uint8Array, p: QueryParameters): void {
  const start = openFrame(w);
  try {
    w.writeShortBytes(id);
    writeQueryParameters(w, p);
    closeFrame(w, start, Opcode.EXECUTE, p.tracing);
  } catch (e) {
    w.length = start;
    throw e;
  }
}
