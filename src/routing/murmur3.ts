/**
 * Murmur3 partition tokens, bit for bit as Cassandra's `Murmur3Partitioner`
 * computes them: MurmurHash3 x64_128 with seed 0, `h1` read as a signed
 * 64-bit long, `Long.MIN_VALUE` moved to `Long.MAX_VALUE`.
 *
 * Cassandra's `MurmurHash.hash3_x64_128` differs from the reference MurmurHash3
 * in its tail: `(long) key.get(i)` sign-extends each byte, so a tail byte
 * >= 0x80 flips every bit above it. ScyllaDB reproduces that, and so do we.
 *
 * The arithmetic runs on pairs of 32-bit halves (`Math.imul` and 16-bit
 * partial products) because BigInt in the loop is far slower; only
 * {@link murmur3Token} builds a `bigint`, once, at the end.
 * @module
 */

import { smallBytes, smallInt32Array } from "../wire/bytes.ts";

// Constants as [high 32 bits, low 32 bits], written signed for Int32 arithmetic.
const C1H = 0x87c37b91 | 0;
const C1L = 0x114253d5;
const C2H = 0x4cf5ad43;
const C2L = 0x2745937f;
const F1H = 0xff51afd7 | 0;
const F1L = 0xed558ccd | 0;
const F2H = 0xc4ceb9fe | 0;
const F2L = 0x1a85ec53;

/**
 * High word of the last 64-bit helper result (`R.h`); the low word is returned. A property,
 * not a module `let`: V8 boxes each non-small integer stored to a module variable (a heap
 * number per store, ~20 per hash), while an object field holds it in place.
 */
const R = { h: 0 };

/** (ah:al) * (bh:bl) mod 2^64. */
function mul(ah: number, al: number, bh: number, bl: number): number {
  const a0 = al & 0xffff;
  const a1 = al >>> 16;
  const b0 = bl & 0xffff;
  const b1 = bl >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  const carry = a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16);
  R.h = (carry + Math.imul(ah, bl) + Math.imul(al, bh)) | 0;
  return ((mid << 16) | (p00 & 0xffff)) | 0;
}

/** (ah:al) + (bh:bl) mod 2^64. */
function add(ah: number, al: number, bh: number, bl: number): number {
  const lo = (al >>> 0) + (bl >>> 0);
  R.h = (ah + bh + (lo > 0xffffffff ? 1 : 0)) | 0;
  return lo | 0;
}

/** Rotates (h:l) left by n, 0 < n < 64, n != 32. */
function rotl(h: number, l: number, n: number): number {
  if (n > 32) {
    const t = h;
    h = l;
    l = t;
    n -= 32;
  }
  R.h = (h << n) | (l >>> (32 - n));
  return (l << n) | (h >>> (32 - n));
}

/** MurmurHash3's finalizer: k ^= k >>> 33; k *= F1; k ^= k >>> 33; k *= F2; k ^= k >>> 33. */
function fmix(h: number, l: number): number {
  l ^= h >>> 1;
  l = mul(h, l, F1H, F1L);
  h = R.h;
  l ^= h >>> 1;
  l = mul(h, l, F2H, F2L);
  h = R.h;
  l ^= h >>> 1;
  R.h = h;
  return l;
}

function le32(a: Uint8Array, i: number): number {
  return a[i] | (a[i + 1] << 8) | (a[i + 2] << 16) | (a[i + 3] << 24);
}

/**
 * The Murmur3 token of a serialized partition key as two signed 32-bit words,
 * `[high, low]`, written into `out` (no allocation on the hot path when the
 * caller reuses it). Same value as {@link murmur3Token}.
 */
export function murmur3TokenHiLo(
  key: Uint8Array,
  out: Int32Array = smallInt32Array(2),
): Int32Array {
  return murmur3RangeHiLo(key, 0, key.length, out);
}

/**
 * {@link murmur3TokenHiLo} of the key `key[start, end)`: a routing key hashed where it was
 * serialized, without a copy of its own.
 */
export function murmur3RangeHiLo(
  key: Uint8Array,
  start: number,
  end: number,
  out: Int32Array = smallInt32Array(2),
): Int32Array {
  murmur3Into(words, key, start, end);
  out[0] = words.tokenHi;
  out[1] = words.tokenLo;
  return out;
}

/** The Murmur3 token as two signed 32-bit words: where {@link murmur3Into} writes it. */
export interface TokenWords {
  /** The high 32 bits of the token, signed. */
  tokenHi?: number;
  /** The low 32 bits of the token, signed. */
  tokenLo?: number;
}

const words: Required<TokenWords> = { tokenHi: 0, tokenLo: 0 };

/**
 * {@link murmur3RangeHiLo} written into `out.tokenHi` and `out.tokenLo`: a request's routing
 * keeps its token as two numbers, no array of its own.
 */
export function murmur3Into(out: TokenWords, key: Uint8Array, start: number, end: number): void {
  const len = end - start;
  if (len === 0) {
    // Cassandra: an empty key is the ring minimum, not the hash of nothing.
    out.tokenHi = 0x80000000 | 0;
    out.tokenLo = 0;
    return;
  }
  let h1h = 0, h1l = 0, h2h = 0, h2l = 0;
  let k1h: number, k1l: number, k2h: number, k2l: number;
  const blocksEnd = len & ~15;
  for (let o = start; o < start + blocksEnd; o += 16) {
    k1l = mul(le32(key, o + 4), le32(key, o), C1H, C1L);
    k1l = rotl(R.h, k1l, 31);
    k1l = mul(R.h, k1l, C2H, C2L);
    h1h ^= R.h;
    h1l ^= k1l;
    h1l = rotl(h1h, h1l, 27);
    h1l = add(R.h, h1l, h2h, h2l);
    h1l = mul(R.h, h1l, 0, 5);
    h1l = add(R.h, h1l, 0, 0x52dce729);
    h1h = R.h;

    k2l = mul(le32(key, o + 12), le32(key, o + 8), C2H, C2L);
    k2l = rotl(R.h, k2l, 33);
    k2l = mul(R.h, k2l, C1H, C1L);
    h2h ^= R.h;
    h2l ^= k2l;
    h2l = rotl(h2h, h2l, 31);
    h2l = add(R.h, h2l, h1h, h1l);
    h2l = mul(R.h, h2l, 0, 5);
    h2l = add(R.h, h2l, 0, 0x38495ab5);
    h2h = R.h;
  }

  const rem = len & 15;
  if (rem > 8) {
    k2h = 0;
    k2l = 0;
    for (let j = rem - 1; j >= 8; j--) {
      // Java's (long) byte: sign-extend, then shift.
      const sb = (key[start + blocksEnd + j] << 24) >> 24;
      const s = (j - 8) * 8;
      if (s >= 32) {
        k2h ^= sb << (s - 32);
      } else {
        k2l ^= sb << s;
        k2h ^= sb >> 31;
      }
    }
    k2l = mul(k2h, k2l, C2H, C2L);
    k2l = rotl(R.h, k2l, 33);
    k2l = mul(R.h, k2l, C1H, C1L);
    h2h ^= R.h;
    h2l ^= k2l;
  }
  if (rem > 0) {
    k1h = 0;
    k1l = 0;
    for (let j = (rem > 8 ? 8 : rem) - 1; j >= 0; j--) {
      const sb = (key[start + blocksEnd + j] << 24) >> 24;
      const s = j * 8;
      if (s >= 32) {
        k1h ^= sb << (s - 32);
      } else {
        k1l ^= sb << s;
        k1h ^= sb >> 31;
      }
    }
    k1l = mul(k1h, k1l, C1H, C1L);
    k1l = rotl(R.h, k1l, 31);
    k1l = mul(R.h, k1l, C2H, C2L);
    h1h ^= R.h;
    h1l ^= k1l;
  }

  h1l ^= len;
  h2l ^= len;
  h1l = add(h1h, h1l, h2h, h2l);
  h1h = R.h;
  h2l = add(h2h, h2l, h1h, h1l);
  h2h = R.h;
  h1l = fmix(h1h, h1l);
  h1h = R.h;
  h2l = fmix(h2h, h2l);
  h2h = R.h;
  h1l = add(h1h, h1l, h2h, h2l);
  h1h = R.h;

  if (h1h === (0x80000000 | 0) && h1l === 0) {
    // Long.MIN_VALUE is reserved for the ring minimum: Cassandra normalizes it.
    h1h = 0x7fffffff;
    h1l = -1;
  }
  out.tokenHi = h1h;
  out.tokenLo = h1l;
}

const scratch = new Int32Array(2);

/**
 * The Murmur3 token (what `SELECT token(pk)` returns) of a serialized
 * partition key; for several key columns pass {@link compositeKey}'s output.
 * An empty key gives `-2n ** 63n`, as in Cassandra (ScyllaDB hashes it to 0
 * instead, which only matters for materialized views keyed by `''`).
 * @example
 * ```ts
 * import { murmur3Token } from "./murmur3.ts";
 * // int 1, serialized big-endian; Cassandra's token(1)
 * console.assert(murmur3Token(new Uint8Array([0, 0, 0, 1])) === -4069959284402364209n);
 * ```
 */
export function murmur3Token(key: Uint8Array): bigint {
  return tokenOfHiLo(murmur3TokenHiLo(key, scratch));
}

const hiLoView = new DataView(new ArrayBuffer(8));

/**
 * The bigint token of `[high, low]` 32-bit halves. Read back as one 64-bit
 * word: a single bigint allocation instead of the five of shift-and-or.
 */
export function tokenOfHiLo(hiLo: Int32Array): bigint {
  hiLoView.setInt32(0, hiLo[0]);
  hiLoView.setInt32(4, hiLo[1]);
  return hiLoView.getBigInt64(0);
}

/**
 * Cassandra's `CompositeType` serialization of a multi-column partition key,
 * the bytes that are hashed: per component `[unsigned short length][bytes][0]`.
 * A single component is returned as is.
 * @throws {RangeError} a component is longer than 65535 bytes
 */
export function compositeKey(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0];
  let size = 0;
  for (const p of parts) {
    if (p.length > 0xffff) {
      throw new RangeError(`partition key component of ${p.length} bytes exceeds 65535`);
    }
    size += p.length + 3;
  }
  const out = smallBytes(size);
  let i = 0;
  for (const p of parts) {
    out[i] = p.length >>> 8;
    out[i + 1] = p.length & 0xff;
    out.set(p, i + 2);
    i += p.length + 3; // the end-of-component byte stays 0
  }
  return out;
}
