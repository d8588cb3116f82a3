/**
 * BATCH request (v4 §4.1.7). With `protocolVersion: 5`, the v5 layout (v5
 * §4.1.7): `[int]` flags, and an optional keyspace and "now" in seconds.
 * @module
 */

import type { Writer } from "../bytes.ts";
import { Opcode, PROTOCOL_VERSION, setVersion } from "../frame.ts";
import type { ColumnSpec } from "../metadata.ts";
import { writeBoundValues } from "../bind.ts";
import { closeFrame, openFrame } from "./envelope.ts";
import { type BindValues, checkNowInSeconds, QueryFlag } from "./query.ts";

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
  /** Protocol version to encode for: 4 (the default) or 5. */
  protocolVersion?: number;
  /** v5 only: the keyspace the statements run in, instead of the connection's. */
  keyspace?: string;
  /** v5 only: the "current time" in seconds the server uses. */
  nowInSeconds?: number;
}

/** Encodes a BATCH whose statements are all prepared (kind 1). */
export function encodeBatch(w: Writer, p: BatchParameters): Uint8Array {
  w.reset();
  appendBatch(w, p);
  return w.toBytes();
}

/**
 * Appends a BATCH frame to `w`; on error `w` keeps only what it had.
 * @throws {RangeError} more than 65535 statements, an unsupported protocol
 *   version, or `nowInSeconds` not an `[int]`
 * @throws {TypeError} `keyspace` or `nowInSeconds` with protocol v4
 */
export function appendBatch(w: Writer, p: BatchParameters): void {
  if (p.statements.length > 0xffff) {
    throw new RangeError(`a batch holds at most 65535 statements, got ${p.statements.length}`);
  }
  const version = p.protocolVersion ?? PROTOCOL_VERSION;
  if (version !== 4 && version !== 5) {
    throw new RangeError(`protocol version ${version} is not supported (4 or 5)`);
  }
  if (version === 4 && (p.keyspace !== undefined || p.nowInSeconds !== undefined)) {
    throw new TypeError("a per-batch keyspace or nowInSeconds needs protocol v5");
  }
  checkNowInSeconds(p.nowInSeconds);
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
    if (p.keyspace !== undefined) flags |= QueryFlag.WITH_KEYSPACE;
    if (p.nowInSeconds !== undefined) flags |= QueryFlag.WITH_NOW_IN_SECONDS;
    w.writeShort(p.consistency);
    if (version === 5) w.writeInt(flags);
    else w.writeByte(flags);
    if (p.serialConsistency !== undefined) w.writeShort(p.serialConsistency);
    if (p.timestamp !== undefined) w.writeLong(p.timestamp);
    if (p.keyspace !== undefined) w.writeString(p.keyspace);
    if (p.nowInSeconds !== undefined) w.writeInt(p.nowInSeconds);
    closeFrame(w, start, Opcode.BATCH, p.tracing);
    if (version !== PROTOCOL_VERSION) setVersion(w.buf, version, start);
  } catch (e) {
    w.length = start;
    throw e;
  }
}
