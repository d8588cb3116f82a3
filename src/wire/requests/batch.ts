/**
 * BATCH request (v4 §4.1.7).
 * @module
 */

import type { Writer } from "../bytes.ts";
import { Opcode } from "../frame.ts";
import type { ColumnSpec } from "../metadata.ts";
import { writeBoundValues } from "../bind.ts";
import { closeFrame, openFrame } from "./envelope.ts";
import { type BindValues, QueryFlag } from "./query.ts";

/** One statement of a batch: a prepared id with its bind markers and values. */
export interface BatchStatement {
  /** Prepared statement id. */
  id: Uint8Array;
  /** Bind markers of the statement. */
  bindColumns: readonly ColumnSpec[];
  /** The statement's values. */
  values: BindValues | undefined;
}

/** Everything a BATCH carries. */
export interface BatchParameters {
  /** 0 logged, 1 unlogged, 2 counter. */
  type: number;
  /** Statements in order. */
  statements: readonly BatchStatement[];
  /** Consistency code. */
  consistency: number;
  /** Serial consistency code. */
  serialConsistency?: number;
  /** Client-side timestamp in microseconds. */
  timestamp?: bigint;
  /** Set the tracing flag on the frame. */
  tracing?: boolean;
}

/** Encodes a BATCH whose statements are all prepared (kind 1). */
export function encodeBatch(w: Writer, p: BatchParameters): Uint8Array {
  w.reset();
  appendBatch(w, p);
  return w.toBytes();
}

/**
 * Appends a BATCH frame to `w`; on error `w` keeps only what it had.
 * @throws {RangeError} more than 65535 statements
 */
export function appendBatch(w: Writer, p: BatchParameters): void {
  if (p.statements.length > 0xffff) {
    throw new RangeError(`a batch holds at most 65535 statements, got ${p.statements.length}`);
  }
  const start = openFrame(w);
  try {
    w.writeByte(p.type).writeShort(p.statements.length);
    for (const s of p.statements) {
      w.writeByte(1).writeShortBytes(s.id);
      if (s.bindColumns.length === 0) w.writeShort(0);
      else writeBoundValues(w, s.bindColumns, s.values);
    }
    let flags = 0;
    if (p.serialConsistency !== undefined) flags |= QueryFlag.SERIAL_CONSISTENCY;
    if (p.timestamp !== undefined) flags |= QueryFlag.DEFAULT_TIMESTAMP;
    w.writeShort(p.consistency).writeByte(flags);
    if (p.serialConsistency !== undefined) w.writeShort(p.serialConsistency);
    if (p.timestamp !== undefined) w.writeLong(p.timestamp);
    closeFrame(w, start, Opcode.BATCH, p.tracing);
  } catch (e) {
    w.length = start;
    throw e;
  }
}
