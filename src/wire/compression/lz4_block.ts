/**
 * A pure TypeScript codec for the raw LZ4 *block* format (no frame, no
 * checksums), as described in lz4's `doc/lz4_Block_format.md`.
 *
 * Written here rather than taken from `lz4js` because lz4js's `compressBlock`
 * may start a match in the last 12 bytes of the input, which the reference
 * decoder (`LZ4_decompress_safe`, used by ScyllaDB) rejects, and its
 * `decompressBlock` does no bounds checking at all. The compressor below keeps
 * the end-of-block rules; the decompressor checks every length and offset so
 * malformed input throws instead of producing garbage.
 * @module
 */

import { ProtocolError } from "../../errors.ts";

const MIN_MATCH = 4;
/** The last 5 bytes of a block are always literals. */
const LAST_LITERALS = 5;
/** The last match must start at least 12 bytes before the end of the block. */
const MF_LIMIT = 12;
const MAX_OFFSET = 65535;
const HASH_LOG = 14;
const SKIP_STRENGTH = 6;

/**
 * Positions are stored as `base + index`, so a table left over from an earlier
 * call holds values below the current `base` and reads as empty; this avoids
 * clearing 64 KiB of table for every small frame.
 */
const table = new Int32Array(1 << HASH_LOG);
let base = 1;

/** Largest compressed size of `n` input bytes (same formula as `LZ4_compressBound`). */
export function lz4BlockBound(n: number): number {
  return n + ((n / 255) | 0) + 16;
}

function read32(a: Uint8Array, i: number): number {
  return a[i] | (a[i + 1] << 8) | (a[i + 2] << 16) | (a[i + 3] << 24);
}

function hash(seq: number): number {
  return Math.imul(seq, -1640531535) >>> (32 - HASH_LOG);
}

/** Writes `n - 15` as the LZ4 run of 255s closed by a smaller byte; returns the new index. */
function writeLength(dst: Uint8Array, d: number, n: number): number {
  while (n >= 255) {
    dst[d++] = 255;
    n -= 255;
  }
  dst[d++] = n;
  return d;
}

function writeLiterals(
  dst: Uint8Array,
  d: number,
  src: Uint8Array,
  from: number,
  count: number,
  matchNibble: number,
): number {
  if (count >= 15) {
    dst[d++] = 0xf0 | matchNibble;
    d = writeLength(dst, d, count - 15);
  } else {
    dst[d++] = (count << 4) | matchNibble;
  }
  if (count > 32) {
    dst.set(src.subarray(from, from + count), d);
  } else {
    for (let i = 0; i < count; i++) dst[d + i] = src[from + i];
  }
  return d + count;
}

/**
 * Compresses `src` into `dst` starting at `dstOffset` and returns the index
 * just past the block. `dst` must have `lz4BlockBound(src.length)` bytes free.
 */
export function compressLz4Block(src: Uint8Array, dst: Uint8Array, dstOffset: number): number {
  const n = src.length;
  let d = dstOffset;
  let anchor = 0;
  if (n >= MF_LIMIT + 1) {
    if (base > 0x3fff_ffff - n) {
      table.fill(0);
      base = 1;
    }
    const matchLimit = n - LAST_LITERALS;
    const lastMatchStart = n - MF_LIMIT;
    let ip = 0;
    table[hash(read32(src, 0))] = base;
    ip = 1;
    let attempts = 1 << SKIP_STRENGTH;
    while (ip <= lastMatchStart) {
      const seq = read32(src, ip);
      const h = hash(seq);
      const ref = table[h] - base;
      table[h] = ip + base;
      if (ref < 0 || ip - ref > MAX_OFFSET || read32(src, ref) !== seq) {
        ip += attempts++ >> SKIP_STRENGTH;
        continue;
      }
      attempts = 1 << SKIP_STRENGTH;
      let start = ip;
      let mref = ref;
      // Extend backwards into the pending literals: a cheap ratio gain.
      while (start > anchor && mref > 0 && src[start - 1] === src[mref - 1]) {
        start--;
        mref--;
      }
      let end = ip + MIN_MATCH;
      let r = ref + MIN_MATCH;
      while (end < matchLimit && src[end] === src[r]) {
        end++;
        r++;
      }
      const matchLen = end - start - MIN_MATCH;
      d = writeLiterals(dst, d, src, anchor, start - anchor, matchLen >= 15 ? 15 : matchLen);
      const offset = start - mref;
      dst[d++] = offset & 0xff;
      dst[d++] = offset >>> 8;
      if (matchLen >= 15) d = writeLength(dst, d, matchLen - 15);
      anchor = end;
      ip = end;
      // Index one position inside the match so that runs keep finding matches.
      if (end - 2 > start) table[hash(read32(src, end - 2))] = end - 2 + base;
    }
    base += n + 1;
  }
  return writeLiterals(dst, d, src, anchor, n - anchor, 0);
}

function corrupt(what: string): never {
  throw new ProtocolError(`malformed LZ4 block: ${what}`);
}

/**
 * Decompresses the LZ4 block `src[from, to)` into `dst`, which it must fill
 * exactly.
 * @throws {ProtocolError} the block is truncated, refers before the start of
 *   the output, or does not produce exactly `dst.length` bytes
 */
export function decompressLz4Block(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
): void {
  const dLen = dst.length;
  let s = from;
  let d = 0;
  if (s === to && dLen === 0) return;
  for (;;) {
    if (s >= to) corrupt("truncated sequence");
    const token = src[s++];
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (s >= to) corrupt("truncated literal length");
        b = src[s++];
        lit += b;
      } while (b === 255);
    }
    if (lit > to - s) corrupt(`${lit} literals past the end of the input`);
    if (lit > dLen - d) corrupt("literals overflow the declared length");
    if (lit > 32) {
      dst.set(src.subarray(s, s + lit), d);
    } else {
      for (let i = 0; i < lit; i++) dst[d + i] = src[s + i];
    }
    s += lit;
    d += lit;
    if (s === to) break;
    if (to - s < 2) corrupt("truncated match offset");
    const offset = src[s] | (src[s + 1] << 8);
    s += 2;
    if (offset === 0 || offset > d) corrupt(`match offset ${offset} at output byte ${d}`);
    let len = token & 15;
    if (len === 15) {
      let b: number;
      do {
        if (s >= to) corrupt("truncated match length");
        b = src[s++];
        len += b;
      } while (b === 255);
    }
    len += MIN_MATCH;
    if (len > dLen - d) corrupt("match overflows the declared length");
    const m = d - offset;
    if (offset >= len && len > 32) {
      dst.copyWithin(d, m, m + len);
    } else {
      // Forward byte copy, which also makes an overlapping match (offset < len)
      // repeat its last `offset` bytes as LZ4 intends.
      for (let i = 0; i < len; i++) dst[d + i] = dst[m + i];
    }
    d += len;
  }
  if (d !== dLen) corrupt(`produced ${d} bytes, expected ${dLen}`);
}
