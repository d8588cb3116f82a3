/**
 * Helpers shared by the codec tests: encode a value the way a bind value is
 * written, decode cells the way a row decoder does (at a non-zero offset
 * inside a larger buffer, so decoders must honour `start` and `len`).
 * @module
 */

import assert from "node:assert/strict";
import { Writer } from "../../src/wire/bytes.ts";
import { decoderFor, encoderFor } from "../../src/wire/codec/index.ts";
import type { CqlType } from "../../src/wire/cql_type.ts";
import { parseType } from "../../src/wire/cql_type_text.ts";

/** A type from CQL text, or the type itself. */
export function typeOf(t: string | CqlType): CqlType {
  return typeof t === "string" ? parseType(t) : t;
}

/** The full `[value]` (length + bytes) for `value` in column "c". */
export function encodeFull(t: string | CqlType, value: unknown, column = "c"): Uint8Array {
  const w = new Writer(4);
  encoderFor(typeOf(t), column)(w, value);
  return w.toBytes();
}

/** The value bytes without the `[int]` length, checking that the length is right. */
export function encode(t: string | CqlType, value: unknown, column = "c"): Uint8Array {
  const full = encodeFull(t, value, column);
  const len = new DataView(full.buffer).getInt32(0);
  assert.equal(len, full.length - 4, "length prefix must count the bytes that follow");
  return full.subarray(4);
}

/** Decodes `bytes` as one non-null cell placed at offset 3 among junk bytes. */
export function decode(t: string | CqlType, bytes: Uint8Array | readonly number[]): unknown {
  const cell = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
  const buf = new Uint8Array(cell.length + 6).fill(0xee);
  buf.set(cell, 3);
  return decoderFor(typeOf(t))(buf, new DataView(buf.buffer), 3, cell.length);
}

/** Encodes then decodes. */
export function roundTrip(t: string | CqlType, value: unknown): unknown {
  return decode(t, encode(t, value));
}

/** Asserts that encoding throws exactly `cls` with exactly `message`. */
export function assertEncodeError(
  t: string | CqlType,
  value: unknown,
  cls: typeof TypeError | typeof RangeError,
  message: string,
  column = "c",
): void {
  assert.throws(() => encodeFull(t, value, column), (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.equal((e as Error).message, message);
    return true;
  });
}

/** `bigint`-aware JSON for assertion messages. */
export function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => typeof x === "bigint" ? `${x}n` : x);
}
