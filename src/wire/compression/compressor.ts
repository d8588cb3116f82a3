/**
 * The {@link Compressor} contract shared by the frame body codecs of CQL native
 * protocol v4 (§5 of `native_protocol_v4.spec`), and the decompression limit.
 * @module
 */

import { ProtocolError } from "../../errors.ts";

/**
 * Largest uncompressed body the driver accepts (256 MiB, the protocol's frame
 * size limit); a larger declared length is rejected before anything is
 * allocated.
 */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Compression algorithms of protocol v4, as named in STARTUP's `COMPRESSION`. */
export type CompressionName = "lz4" | "snappy";

/** Compresses and decompresses frame bodies for one algorithm; stateless, shareable. */
export interface Compressor {
  /** The STARTUP `COMPRESSION` value. */
  readonly name: CompressionName;
  /** The compressed form of a frame body; `body` is not modified. */
  compress(body: Uint8Array): Uint8Array;
  /**
   * The original frame body.
   * @throws {ProtocolError} malformed input, or a declared length above
   *   {@link MAX_DECOMPRESSED_BYTES} or beyond what the input could expand to
   */
  decompress(body: Uint8Array): Uint8Array;
}

/**
 * Rejects a declared uncompressed length that is negative, above
 * {@link MAX_DECOMPRESSED_BYTES}, or more than `maxRatio` times the compressed
 * size (plus `slack`): each format has a largest possible expansion, so a
 * small corrupt frame cannot make the driver reserve 256 MiB.
 * @throws {ProtocolError} the length is out of bounds
 */
export function checkDeclaredLength(
  format: string,
  declared: number,
  compressed: number,
  maxRatio: number,
  slack: number,
): void {
  if (declared < 0 || declared > MAX_DECOMPRESSED_BYTES) {
    throw new ProtocolError(
      `${format} body declares ${declared} uncompressed bytes (limit ${MAX_DECOMPRESSED_BYTES})`,
    );
  }
  if (declared > compressed * maxRatio + slack) {
    throw new ProtocolError(
      `${format} body of ${compressed} bytes cannot expand to ${declared} bytes`,
    );
  }
}
