/**
 * Frame body compression for CQL native protocol v4 (§5 of
 * `native_protocol_v4.spec`): once STARTUP names `"lz4"` or `"snappy"`, every
 * frame with the compression flag carries a compressed body.
 *
 * - lz4: `[int]` big-endian uncompressed length, then one raw LZ4 block.
 * - snappy: one raw Snappy block (its own varint length first).
 *
 * Sans-IO and synchronous.
 * @module
 */

import type { CompressionName, Compressor } from "./compressor.ts";
import { lz4Compressor } from "./lz4.ts";
import { snappyCompressor } from "./snappy.ts";

export { type CompressionName, type Compressor, MAX_DECOMPRESSED_BYTES } from "./compressor.ts";

/**
 * The codec for a STARTUP `COMPRESSION` name; the same object serves every
 * connection.
 * @throws {RangeError} an unknown name
 * @example
 * ```ts
 * import { compressorFor } from "./mod.ts";
 * const lz4 = compressorFor("lz4");
 * const body = new TextEncoder().encode("SELECT * FROM ks.t ".repeat(20));
 * console.assert(lz4.decompress(lz4.compress(body)).length === body.length);
 * ```
 */
export function compressorFor(name: CompressionName): Compressor {
  switch (name) {
    case "lz4":
      return lz4Compressor;
    case "snappy":
      return snappyCompressor;
    default:
      throw new RangeError(`unknown compression "${name}"; expected "lz4" or "snappy"`);
  }
}
