/**
 * Server-side CQL v4 bodies for the simulated node (tests only): RESULT
 * Rows and Prepared, ERROR, the few cell encodings the system tables need,
 * and the response frame.
 * @module
 */

import { encodeUtf8, Writer } from "../../src/wire/bytes.ts";

/** Option ids of the column types used (v4 §6). */
export const T = {
  boolean: 0x04,
  int: 0x09,
  uuid: 0x0c,
  varchar: 0x0d,
  inet: 0x10,
  list: 0x20,
  map: 0x21,
  set: 0x22,
} as const;

/** A type: an option id, or a collection id with its element types. */
export type TypeSpec = number | [number, ...TypeSpec[]];
/** A column: name and type. */
export type Column = [string, TypeSpec];
/** A serialized cell; `null` is NULL. */
export type Cell = Uint8Array | null;

function writeType(w: Writer, t: TypeSpec): void {
  if (typeof t === "number") {
    w.writeShort(t);
    return;
  }
  w.writeShort(t[0]);
  for (const inner of t.slice(1)) writeType(w, inner as TypeSpec);
}

/**
 * RESULT Rows with global table spec. With `newMetadataId`, the
 * `Metadata_changed` flag (0x0008) and the new id, written after the column
 * count as ScyllaDB's `response::write(const cql3::metadata&, …)` does. With
 * `noMetadata`, `No_metadata` (0x0004): the count, no column specs.
 */
export function rowsBody(
  ks: string,
  table: string,
  cols: Column[],
  rows: Cell[][],
  newMetadataId?: Uint8Array,
  noMetadata = false,
): Uint8Array {
  const flags = noMetadata ? 0x0004 : 0x0001 | (newMetadataId ? 0x0008 : 0);
  const w = new Writer(256).writeInt(2).writeInt(flags).writeInt(cols.length);
  if (!noMetadata) {
    if (newMetadataId) w.writeShortBytes(newMetadataId);
    w.writeString(ks).writeString(table);
    for (const [name, type] of cols) {
      w.writeString(name);
      writeType(w, type);
    }
  }
  w.writeInt(rows.length);
  for (const row of rows) for (const cell of row) w.writeBytes(cell);
  return w.toBytes();
}

/**
 * RESULT Prepared over `ks.table` (default `ks.t`), all columns `int`, the
 * first bind marker the partition key. `extraFlags` are OR-ed into the bind
 * metadata flags (the LWT mark). `resultMetadataId`, when the connection
 * negotiated `SCYLLA_USE_METADATA_ID`, follows the statement id (server.cc,
 * `fmt_visitor::visit(prepared::cql)`).
 */
export function preparedBody(
  id: Uint8Array,
  bind: string[],
  result: string[],
  extraFlags: number,
  ks = "ks",
  table = "t",
  resultMetadataId?: Uint8Array,
): Uint8Array {
  const w = new Writer(256).writeInt(4).writeShortBytes(id);
  if (resultMetadataId) w.writeShortBytes(resultMetadataId);
  w.writeInt((0x0001 | extraFlags) | 0).writeInt(bind.length).writeInt(1).writeShort(0);
  w.writeString(ks).writeString(table);
  for (const name of bind) w.writeString(name).writeShort(T.int);
  if (result.length === 0) return w.writeInt(0).writeInt(0).toBytes();
  w.writeInt(0x0001).writeInt(result.length).writeString(ks).writeString(table);
  for (const name of result) w.writeString(name).writeShort(T.int);
  return w.toBytes();
}

/**
 * RESULT Prepared of a query over a system table: bind markers and result columns of any type,
 * `pk` the bind indexes of the partition key (empty unless it is bound).
 */
export function preparedColumnsBody(
  id: Uint8Array,
  bind: Column[],
  pk: number[],
  result: Column[],
  ks: string,
  table: string,
  resultMetadataId?: Uint8Array,
): Uint8Array {
  const w = new Writer(256).writeInt(4).writeShortBytes(id);
  if (resultMetadataId) w.writeShortBytes(resultMetadataId);
  w.writeInt(0x0001).writeInt(bind.length).writeInt(pk.length);
  for (const i of pk) w.writeShort(i);
  w.writeString(ks).writeString(table);
  for (const [name, type] of bind) {
    w.writeString(name);
    writeType(w, type);
  }
  w.writeInt(0x0001).writeInt(result.length).writeString(ks).writeString(table);
  for (const [name, type] of result) {
    w.writeString(name);
    writeType(w, type);
  }
  return w.toBytes();
}

/** ERROR body: code and message. */
export function errorBody(code: number, message: string): Uint8Array {
  return new Writer(64).writeInt(code).writeString(message).toBytes();
}

/** A `text` cell. */
export function text(s: string): Uint8Array {
  return encodeUtf8(s);
}

/** An `int` cell. */
export function int(n: number): Uint8Array {
  return new Writer(4).writeInt(n).toBytes();
}

/** A `uuid` cell from its canonical text. */
export function uuid(s: string): Uint8Array {
  const hex = s.replaceAll("-", "");
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** A `set<text>` or `list<text>` cell. */
export function textSet(items: string[]): Uint8Array {
  const w = new Writer(64).writeInt(items.length);
  for (const s of items) w.writeBytes(encodeUtf8(s));
  return w.toBytes();
}

/** A `map<text, text>` cell. */
export function textMap(m: Record<string, string>): Uint8Array {
  const entries = Object.entries(m);
  const w = new Writer(64).writeInt(entries.length);
  for (const [k, v] of entries) w.writeBytes(encodeUtf8(k)).writeBytes(encodeUtf8(v));
  return w.toBytes();
}

/**
 * A v4 response frame. `customPayload`, when given, sets flag 0x04 and goes
 * before the body as a `[bytes map]`, as ScyllaDB's `make_result` writes it.
 */
export function responseFrame(
  stream: number,
  opcode: number,
  body: Uint8Array,
  customPayload?: ReadonlyMap<string, Uint8Array>,
): Uint8Array {
  let flags = 0;
  if (customPayload !== undefined && customPayload.size > 0) {
    flags |= 0x04;
    const w = new Writer(64 + body.length).writeBytesMap(customPayload);
    body = w.writeRaw(body).toBytes();
  }
  const out = new Uint8Array(9 + body.length);
  const view = new DataView(out.buffer);
  out[0] = 0x84;
  out[1] = flags;
  view.setInt16(2, stream);
  out[4] = opcode;
  view.setInt32(5, body.length);
  out.set(body, 9);
  return out;
}
