/**
 * Cassandra's variable-length integers (v5 spec `[unsigned vint]` / `[vint]`,
 * used by `duration` and by vectors of variable-size elements): big-endian,
 * the count of leading 1 bits of the first byte is the number of extra bytes,
 * a 9-byte form (first byte 0xFF) for values needing more than 56 bits.
 * Signed values are zig-zag encoded first.
 * @module
 */

import type { Writer } from "../bytes.ts";
import { badCell } from "./problems.ts";

/** Read position shared with the caller, so reading a vint allocates nothing but its value. */
export interface Cursor {
  /** Offset of the next unread byte; advanced past each vint read. */
  pos: number;
}

/**
 * Reads an unsigned vint at `cur.pos`, never past `end`.
 * @throws {ProtocolError} truncated input
 */
export function readUnsignedVint(buf: Uint8Array, cur: Cursor, end: number, type: string): bigint {
  const pos = cur.pos;
  if (pos >= end) badCell(type, "truncated variable-length integer");
  const first = buf[pos];
  const extra = Math.clz32(~(first << 24));
  if (pos + 1 + extra > end) badCell(type, "truncated variable-length integer");
  cur.pos = pos + 1 + extra;
  if (extra <= 6) {
    // At most 49 bits: exact in a double.
    let n = first & (0xff >> extra);
    for (let i = 1; i <= extra; i++) n = n * 256 + buf[pos + i];
    return BigInt(n);
  }
  let v = BigInt(first & (0xff >> extra));
  for (let i = 1; i <= extra; i++) v = (v << 8n) | BigInt(buf[pos + i]);
  return v;
}

/** Writes `u` (0 ≤ u < 2^64) as an unsigned vint. */
export function writeUnsignedVint(w: Writer, u: bigint): void {
  if (u < 0x80n) {
    w.writeByte(Number(u));
    return;
  }
  const bits = u.toString(2).length;
  const size = bits <= 56 ? Math.ceil(bits / 7) : 9;
  w.ensure(size);
  const at = w.length;
  for (let i = size - 1; i >= 0; i--, u >>= 8n) w.buf[at + i] = Number(u & 0xffn);
  w.buf[at] |= ~(0xff >> (size - 1)) & 0xff;
  w.length = at + size;
}

/** Bytes an unsigned vint of `n` (a non-negative safe integer) takes. */
export function unsignedVintSize(n: number): number {
  let size = 1;
  while (size < 8 && n >= 2 ** (7 * size)) size++;
  return size;
}

/** Writes a non-negative number below 2^49 as an unsigned vint into `buf` at `at`. */
export function putUnsignedVint(buf: Uint8Array, at: number, n: number): void {
  const size = unsignedVintSize(n);
  for (let i = size - 1; i >= 0; i--) {
    buf[at + i] = n % 256;
    n = Math.floor(n / 256);
  }
  buf[at] |= ~(0xff >> (size - 1)) & 0xff;
}

/** Zig-zag: 0, -1, 1, -2 … → 0, 1, 2, 3 … */
export function zigzag(n: bigint): bigint {
  return n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
}

/** Inverse of {@link zigzag}. */
export function unzigzag(u: bigint): bigint {
  return u & 1n ? -((u + 1n) >> 1n) : u >> 1n;
}
