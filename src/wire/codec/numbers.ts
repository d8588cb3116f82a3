/**
 * boolean, tinyint, smallint, int, bigint, counter, float, double and varint
 * (v4 §6). Fixed-size cells of length 0 (legacy "empty" values) decode as `null`.
 * @module
 */

import { getInt32, putInt32, type Writer } from "../bytes.ts";
import { badCell, badLength, kindProblem, rangeProblem } from "./problems.ts";
import type { Decoder, ValueWriter } from "./types.ts";

/** Writes the `[int]` length `size` and reserves `size` bytes; returns their offset. */
export function reserve(w: Writer, size: number): number {
  w.ensure(4 + size);
  const at = w.length;
  putInt32(w.buf, at, size);
  w.length = at + 4 + size;
  return at + 4;
}

// ---- boolean ----

/** `boolean`: one byte, non-zero is true. */
export const decodeBoolean: Decoder = (buf, _view, start, len) => {
  if (len !== 1) return len === 0 ? null : badLength("boolean", 1, len);
  return buf[start] !== 0;
};

/** `boolean` from a JS boolean. */
export const writeBoolean: ValueWriter = (w, v) => {
  if (typeof v !== "boolean") throw kindProblem("a boolean", v);
  const at = reserve(w, 1);
  w.buf[at] = v ? 1 : 0;
};

// ---- tinyint, smallint, int ----

/** `tinyint`: signed 8-bit. */
export const decodeTinyint: Decoder = (_buf, view, start, len) => {
  if (len !== 1) return len === 0 ? null : badLength("tinyint", 1, len);
  return view.getInt8(start);
};

/** `smallint`: signed 16-bit. */
export const decodeSmallint: Decoder = (_buf, view, start, len) => {
  if (len !== 2) return len === 0 ? null : badLength("smallint", 2, len);
  return view.getInt16(start);
};

/** `int`: signed 32-bit. */
export const decodeInt: Decoder = (buf, _view, start, len) => {
  if (len !== 4) return len === 0 ? null : badLength("int", 4, len);
  return getInt32(buf, start);
};

/** Checks that `v` is an integer number in [min, max]. */
function checkInt(v: unknown, min: number, max: number): number {
  if (typeof v !== "number") throw kindProblem("an integer number", v);
  if (!Number.isInteger(v)) throw rangeProblem(`${v} is not an integer`);
  if (v < min || v > max) throw rangeProblem(`${v} is out of range [${min}, ${max}]`);
  return v;
}

/** `tinyint` from an integer number in [-128, 127]. */
export const writeTinyint: ValueWriter = (w, v) => {
  const n = checkInt(v, -128, 127);
  const at = reserve(w, 1);
  w.buf[at] = n & 0xff;
};

/** `smallint` from an integer number in [-32768, 32767]. */
export const writeSmallint: ValueWriter = (w, v) => {
  const n = checkInt(v, -32768, 32767);
  const at = reserve(w, 2);
  w.view.setInt16(at, n);
};

/** `int` from an integer number in [-2^31, 2^31 - 1]. */
export const writeInt: ValueWriter = (w, v) => {
  const n = checkInt(v, -2147483648, 2147483647);
  const at = reserve(w, 4); // may replace w.buf: read it after
  putInt32(w.buf, at, n);
};

// ---- bigint, counter ----

const MIN_LONG = -(2n ** 63n);
const MAX_LONG = 2n ** 63n - 1n;

/** `bigint` / `counter`: signed 64-bit as a JS bigint. */
export const decodeBigint: Decoder = (_buf, view, start, len) => {
  if (len !== 8) return len === 0 ? null : badLength("bigint", 8, len);
  return view.getBigInt64(start);
};

/**
 * Validates a bigint-or-safe-integer for a 64-bit column and writes its 8 bytes
 * at `at`. Safe numbers skip the BigInt conversion.
 */
export function setLong(view: DataView, at: number, v: bigint | number): void {
  if (typeof v === "number") {
    const hi = Math.floor(v / 4294967296);
    view.setInt32(at, hi);
    view.setUint32(at + 4, v - hi * 4294967296);
  } else {
    view.setBigInt64(at, v);
  }
}

/** Checks a value for a 64-bit integer column; returns it unchanged. */
export function checkLong(v: unknown): bigint | number {
  if (typeof v === "bigint") {
    if (v < MIN_LONG || v > MAX_LONG) {
      throw rangeProblem(`${v} is out of range [${MIN_LONG}, ${MAX_LONG}]`);
    }
    return v;
  }
  return checkSafeInteger(v);
}

function checkSafeInteger(v: unknown): number {
  if (typeof v !== "number") throw kindProblem("a bigint or an integer number", v);
  if (!Number.isSafeInteger(v)) {
    throw rangeProblem(
      Number.isInteger(v)
        ? `${BigInt(v)} is not a safe integer; pass a bigint`
        : `${v} is not an integer`,
    );
  }
  return v;
}

/** `bigint` / `counter` from a bigint in the signed 64-bit range or a safe-integer number. */
export const writeBigint: ValueWriter = (w, v) => {
  const n = checkLong(v);
  const at = reserve(w, 8);
  setLong(w.view, at, n);
};

// ---- float, double ----

/** `float`: IEEE 754 binary32. */
export const decodeFloat: Decoder = (_buf, view, start, len) => {
  if (len !== 4) return len === 0 ? null : badLength("float", 4, len);
  return view.getFloat32(start);
};

/** `double`: IEEE 754 binary64. */
export const decodeDouble: Decoder = (_buf, view, start, len) => {
  if (len !== 8) return len === 0 ? null : badLength("double", 8, len);
  return view.getFloat64(start);
};

/** `float` from a number, rounded to binary32 (NaN and ±Infinity allowed). */
export const writeFloat: ValueWriter = (w, v) => {
  if (typeof v !== "number") throw kindProblem("a number", v);
  const at = reserve(w, 4);
  w.view.setFloat32(at, v);
};

/** `double` from a number. */
export const writeDouble: ValueWriter = (w, v) => {
  if (typeof v !== "number") throw kindProblem("a number", v);
  const at = reserve(w, 8);
  w.view.setFloat64(at, v);
};

// ---- varint ----

const HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, i) => i.toString(16).padStart(2, "0"),
);

const HEX_CODES = new TextEncoder().encode("0123456789abcdef");
const latin1 = new TextDecoder("latin1");

/** Reads `len` bytes of big-endian two's complement as a bigint (0 bytes is 0n). */
export function readVarint(buf: Uint8Array, start: number, len: number): bigint {
  if (len <= 6) {
    if (len === 0) return 0n;
    let n = (buf[start] << 24) >> 24;
    for (let i = 1; i < len; i++) n = n * 256 + buf[start + i];
    return BigInt(n);
  }
  let hex: string;
  if (len <= 64) {
    hex = "0x";
    for (let i = start, end = start + len; i < end; i++) hex += HEX[buf[i]];
  } else {
    // Long values: hex digits as ASCII bytes, one native decode — linear time and memory,
    // where a `+=` chain costs tens of bytes of heap per input byte.
    const ascii = new Uint8Array(2 + len * 2);
    ascii[0] = 0x30; // "0"
    ascii[1] = 0x78; // "x"
    for (let i = 0; i < len; i++) {
      const b = buf[start + i];
      ascii[2 + 2 * i] = HEX_CODES[b >> 4];
      ascii[3 + 2 * i] = HEX_CODES[b & 15];
    }
    hex = latin1.decode(ascii);
  }
  const v = BigInt(hex);
  return buf[start] & 0x80 ? v - (1n << BigInt(len * 8)) : v;
}

/** Writes the minimal two's complement bytes of `v` (no length prefix). */
export function writeVarintBytes(w: Writer, v: bigint): void {
  if (v >= -0x80000000n && v <= 0x7fffffffn) {
    let n = Number(v);
    const size = n >= -0x80 && n <= 0x7f
      ? 1
      : n >= -0x8000 && n <= 0x7fff
      ? 2
      : n >= -0x800000 && n <= 0x7fffff
      ? 3
      : 4;
    w.ensure(size);
    const at = w.length;
    for (let i = size - 1; i >= 0; i--, n >>= 8) w.buf[at + i] = n & 0xff;
    w.length = at + size;
    return;
  }
  const magnitude = (v < 0n ? ~v : v).toString(16);
  const bits = (magnitude.length - 1) * 4 + 32 - Math.clz32(parseInt(magnitude[0], 16));
  const size = (bits >> 3) + 1;
  const hex = (v < 0n ? (1n << BigInt(size * 8)) + v : v).toString(16).padStart(size * 2, "0");
  w.ensure(size);
  const at = w.length;
  for (let i = 0; i < size; i++) w.buf[at + i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  w.length = at + size;
}

/**
 * Largest varint cell decoded: 16 MiB (a 40-million-digit number). Larger ones
 * are refused, since JS engines cap BigInt size (V8 at 128 MiB) and fail hard.
 */
export const MAX_VARINT_BYTES = 16 * 1024 * 1024;

/** `varint`: arbitrary-size signed integer as a bigint. */
export const decodeVarint: Decoder = (buf, _view, start, len) => {
  if (len === 0) return null;
  if (len > MAX_VARINT_BYTES) {
    badCell("varint", `${len} bytes exceed the ${MAX_VARINT_BYTES}-byte limit`);
  }
  return readVarint(buf, start, len);
};

/** `varint` from any bigint or a safe-integer number. */
export const writeVarint: ValueWriter = (w, v) => {
  const n = typeof v === "bigint" ? v : BigInt(checkSafeInteger(v));
  w.ensure(4);
  const at = w.length;
  w.length = at + 4;
  writeVarintBytes(w, n);
  w.view.setInt32(at, w.length - at - 4);
};
