/**
 * Snappy for CQL frame bodies: the body is one raw Snappy block (varint
 * uncompressed length, then literal/copy elements), per `format_description.txt`
 * in google/snappy.
 *
 * Compression uses `snappyjs`. Decompression is ours: snappyjs's `uncompress`
 * never checks that the output has the declared length and lets a 4-byte
 * literal length go negative, so a corrupt body can decode to zero-filled
 * garbage or walk the input backwards for seconds.
 * @module
 */

import { compress as snappyCompress } from "snappyjs";
import { ProtocolError } from "../../errors.ts";
import { checkDeclaredLength, type Compressor } from "./compressor.ts";

/** Forward byte copy, so an offset below `len` repeats the last `offset` bytes. */
function selfCopy(dst: Uint8Array, d: number, offset: number, len: number): void {
  for (let i = 0; i < len; i++) dst[d + i] = dst[d - offset + i];
}

function copy(src: Uint8Array, s: number, dst: Uint8Array, d: number, len: number): void {
  for (let i = 0; i < len; i++) dst[d + i] = src[s + i];
}

function corrupt(what: string): never {
  throw new ProtocolError(`malformed Snappy body: ${what}`);
}

/**
 * Reads the varint uncompressed length that starts a Snappy block.
 * @returns `[length, index of the first element]`
 * @throws {ProtocolError} truncated varint or a length of 2^32 or more
 */
function snappyDeclaredLength(src: Uint8Array): [number, number] {
  let value = 0;
  for (let i = 0; i < 5; i++) {
    if (i >= src.length) corrupt("truncated length");
    const b = src[i];
    value += (b & 0x7f) * 2 ** (7 * i);
    if (b < 0x80) {
      if (value > 0xffff_ffff) corrupt("length above 2^32");
      return [value, i + 1];
    }
  }
  return corrupt("length varint longer than 5 bytes");
}

/**
 * Decompresses the Snappy elements `src[from..]` into `dst`, which they must
 * fill exactly.
 * @throws {ProtocolError} truncated element, bad offset, or wrong total length
 */
function snappyDecompressInto(src: Uint8Array, from: number, dst: Uint8Array): void {
  const to = src.length;
  const dLen = dst.length;
  let s = from;
  let d = 0;
  while (s < to) {
    const tag = src[s++];
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const extra = len - 59;
        if (to - s < extra) corrupt("truncated literal length");
        len = 0;
        for (let i = 0; i < extra; i++) len += src[s + i] * 2 ** (8 * i);
        s += extra;
      }
      len += 1;
      if (len > to - s) corrupt(`${len} literal bytes past the end of the input`);
      if (len > dLen - d) corrupt("literal overflows the declared length");
      if (len > 32) {
        dst.set(src.subarray(s, s + len), d);
      } else {
        copy(src, s, dst, d, len);
      }
      s += len;
      d += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (to - s < 1) corrupt("truncated copy");
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[s];
      s += 1;
    } else if (kind === 2) {
      if (to - s < 2) corrupt("truncated copy");
      len = (tag >>> 2) + 1;
      offset = src[s] | (src[s + 1] << 8);
      s += 2;
    } else {
      if (to - s < 4) corrupt("truncated copy");
      len = (tag >>> 2) + 1;
      offset = (src[s] | (src[s + 1] << 8) | (src[s + 2] << 16) | (src[s + 3] << 24)) >>> 0;
      s += 4;
    }
    if (offset === 0 || offset > d) corrupt(`copy offset ${offset} at output byte ${d}`);
    if (len > dLen - d) corrupt("copy overflows the declared length");
    selfCopy(dst, d, offset, len);
    d += len;
  }
  if (d !== dLen) corrupt(`produced ${d} bytes, expected ${dLen}`);
}

/** The `"snappy"` {@link Compressor}. */
export const snappyCompressor: Compressor = {
  name: "snappy",
  compress(body: Uint8Array): Uint8Array {
    // A Uint8Array in gives a Uint8Array out (a Buffer if `body` is one).
    return snappyCompress(body) as Uint8Array;
  },
  decompress(body: Uint8Array): Uint8Array {
    const [declared, start] = snappyDeclaredLength(body);
    // Best case is a 3-byte copy element yielding 64 bytes.
    checkDeclaredLength("Snappy", declared, body.length - start, 22, 64);
    const out = new Uint8Array(declared);
    snappyDecompressInto(body, start, out);
    return out;
  },
};
