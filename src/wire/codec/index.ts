/**
 * The CQL value codec: compiles a decoder or an encoder once per column type,
 * so decoding a cell is one direct call with no per-cell dispatch on the type.
 * @module
 */

import { type CqlType, formatType, type NativeTypeName, typeKey } from "../cql_type.ts";
import {
  listDecoder,
  listWriter,
  mapDecoder,
  mapWriter,
  setWriter,
  tupleDecoder,
  tupleWriter,
  udtDecoder,
  udtWriter,
} from "./collections.ts";
import { decodeDecimal, writeDecimal } from "./decimal.ts";
import {
  decodeBigint,
  decodeBoolean,
  decodeDouble,
  decodeFloat,
  decodeInt,
  decodeSmallint,
  decodeTinyint,
  decodeVarint,
  writeBigint,
  writeBoolean,
  writeDouble,
  writeFloat,
  writeInt,
  writeSmallint,
  writeTinyint,
  writeVarint,
} from "./numbers.ts";
import { EncodeProblem } from "./problems.ts";
import {
  decodeDate,
  decodeDuration,
  decodeTime,
  decodeTimestamp,
  writeDate,
  writeDuration,
  writeTime,
  writeTimestamp,
} from "./temporal.ts";
import { decodeBlob, decodeText, writeAscii, writeBlob, writeText } from "./text.ts";
import type { Decoder, Encoder, ValueWriter } from "./types.ts";
import { decodeInet, decodeUuid, writeInet, writeTimeuuid, writeUuid } from "./uuid_inet.ts";
import {
  fixedVectorDecoder,
  floatVectorDecoder,
  floatVectorWriter,
  variableVectorDecoder,
  vectorWriter,
} from "./vector.ts";

export type { Decoder, Encoder } from "./types.ts";
export type { Duration } from "./temporal.ts";

const NATIVE_DECODERS: { readonly [K in NativeTypeName]: Decoder } = {
  ascii: decodeText,
  bigint: decodeBigint,
  blob: decodeBlob,
  boolean: decodeBoolean,
  counter: decodeBigint,
  decimal: decodeDecimal,
  double: decodeDouble,
  float: decodeFloat,
  int: decodeInt,
  timestamp: decodeTimestamp,
  uuid: decodeUuid,
  text: decodeText,
  varint: decodeVarint,
  timeuuid: decodeUuid,
  inet: decodeInet,
  date: decodeDate,
  time: decodeTime,
  smallint: decodeSmallint,
  tinyint: decodeTinyint,
  duration: decodeDuration,
};

const NATIVE_WRITERS: { readonly [K in NativeTypeName]: ValueWriter } = {
  ascii: writeAscii,
  bigint: writeBigint,
  blob: writeBlob,
  boolean: writeBoolean,
  counter: writeBigint,
  decimal: writeDecimal,
  double: writeDouble,
  float: writeFloat,
  int: writeInt,
  timestamp: writeTimestamp,
  uuid: writeUuid,
  text: writeText,
  varint: writeVarint,
  timeuuid: writeTimeuuid,
  inet: writeInet,
  date: writeDate,
  time: writeTime,
  smallint: writeSmallint,
  tinyint: writeTinyint,
  duration: writeDuration,
};

const FIXED_SIZES: Partial<Record<NativeTypeName, number>> = {
  boolean: 1,
  tinyint: 1,
  smallint: 2,
  int: 4,
  float: 4,
  date: 4,
  bigint: 8,
  counter: 8,
  double: 8,
  timestamp: 8,
  time: 8,
  uuid: 16,
  timeuuid: 16,
};

/**
 * Bytes every value of `t` takes, or -1 when variable; as Cassandra's
 * `valueLengthIfFixed`, which decides how vector elements are framed.
 */
export function fixedSize(t: CqlType): number {
  if (t.kind === "native") return FIXED_SIZES[t.name] ?? -1;
  if (t.kind === "vector") {
    const e = fixedSize(t.element);
    return e < 0 ? -1 : e * t.dimension;
  }
  return -1;
}

// Composite decoders are cached by structure: every page of a result, and
// every statement over the same columns, reuses one compiled function.
const MAX_CACHED = 4096;
const decoderCache = new Map<string, Decoder>();
const writerCache = new Map<string, ValueWriter>();

function cached<T>(cache: Map<string, T>, t: CqlType, build: () => T): T {
  const key = typeKey(t);
  let f = cache.get(key);
  if (f === undefined) {
    f = build();
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, f);
  }
  return f;
}

/**
 * The decoder of cells of type `t`, compiled once per structurally equal type.
 * Decoded JS values follow the API's type table; custom types give raw bytes.
 * A zero-length cell of a type that has no empty form (numbers, uuid, date,
 * collections, …) decodes as `null`, like a NULL.
 * @example
 * ```ts
 * import { decoderFor } from "./index.ts";
 * const decode = decoderFor({ kind: "native", name: "int" });
 * const buf = new Uint8Array([0, 0, 0, 42]);
 * decode(buf, new DataView(buf.buffer), 0, 4); // 42
 * ```
 */
export function decoderFor(t: CqlType): Decoder {
  if (t.kind === "native") return NATIVE_DECODERS[t.name];
  if (t.kind === "custom") return decodeBlob;
  return cached(decoderCache, t, () => buildDecoder(t));
}

function buildDecoder(t: CqlType): Decoder {
  switch (t.kind) {
    case "native":
    case "custom":
      return decoderFor(t);
    case "list":
    case "set":
      return listDecoder(decoderFor(t.element), t.kind);
    case "map":
      return mapDecoder(decoderFor(t.key), decoderFor(t.value));
    case "tuple":
      return tupleDecoder(t.elements.map(decoderFor));
    case "udt":
      return udtDecoder(t.fields.map((f) => f.name), t.fields.map((f) => decoderFor(f.type)));
    case "vector": {
      if (t.element.kind === "native" && t.element.name === "float") {
        return floatVectorDecoder(t.dimension);
      }
      const size = fixedSize(t.element);
      const element = decoderFor(t.element);
      return size >= 0
        ? fixedVectorDecoder(element, size, t.dimension)
        : variableVectorDecoder(element, t.dimension);
    }
  }
}

function writerFor(t: CqlType): ValueWriter {
  if (t.kind === "native") return NATIVE_WRITERS[t.name];
  if (t.kind === "custom") return writeBlob;
  return cached(writerCache, t, () => buildWriter(t));
}

function buildWriter(t: CqlType): ValueWriter {
  switch (t.kind) {
    case "native":
    case "custom":
      return writerFor(t);
    case "list":
      return listWriter(writerFor(t.element));
    case "set":
      return setWriter(writerFor(t.element));
    case "map": {
      const textKeys = t.key.kind === "native" && (t.key.name === "text" || t.key.name === "ascii");
      return mapWriter(writerFor(t.key), writerFor(t.value), textKeys);
    }
    case "tuple":
      return tupleWriter(t.elements.map(writerFor));
    case "udt":
      return udtWriter(t.fields.map((f) => f.name), t.fields.map((f) => writerFor(f.type)));
    case "vector":
      if (t.element.kind === "native" && t.element.name === "float") {
        return floatVectorWriter(t.dimension);
      }
      return vectorWriter(writerFor(t.element), t.dimension, fixedSize(t.element) >= 0);
  }
}

/**
 * The encoder of bind values for column `column` of type `t`: writes one
 * `[value]`, `null` as NULL (-1) and `undefined` as unset (-2).
 * On error the writer's `length` is back where it was.
 * @throws {TypeError} wrong kind of value, e.g.
 *   `column "age" (int): expected an integer number, got string`
 * @throws {RangeError} right kind, out of range, e.g.
 *   `column "age" (int): 2147483648 is out of range [-2147483648, 2147483647]`
 */
export function encoderFor(t: CqlType, column: string): Encoder {
  const write = writerFor(t);
  let typeText: string | undefined;
  return (w, value) => {
    if (value === null) {
      w.writeInt(-1);
      return;
    }
    if (value === undefined) {
      w.writeInt(-2);
      return;
    }
    const at = w.length;
    try {
      write(w, value);
    } catch (e) {
      w.length = at;
      if (e instanceof EncodeProblem) throw e.toError(column, typeText ??= formatType(t));
      throw e;
    }
  };
}

/** Decodes a whole cell the way a row decoder does: `null` (negative length) is NULL. */
export function decodeValue(t: CqlType, bytes: Uint8Array | null): unknown {
  if (bytes === null) return null;
  // Decoded blobs are views of the input: decode from a copy so they own their bytes.
  const own = retainsBytes(t) ? bytes.slice() : bytes;
  const view = new DataView(own.buffer, own.byteOffset, own.byteLength);
  return decoderFor(t)(own, view, 0, own.length);
}

/**
 * Whether values of `t` keep views of the bytes they were decoded from (blobs,
 * custom types, anywhere inside): such bytes must belong to the caller.
 */
export function retainsBytes(t: CqlType): boolean {
  switch (t.kind) {
    case "native":
      return t.name === "blob";
    case "custom":
      return true;
    case "list":
    case "set":
    case "vector":
      return retainsBytes(t.element);
    case "map":
      return retainsBytes(t.key) || retainsBytes(t.value);
    case "tuple":
      return t.elements.some(retainsBytes);
    case "udt":
      return t.fields.some((f) => retainsBytes(f.type));
  }
}
