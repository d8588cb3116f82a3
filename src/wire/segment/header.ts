/**
 * CQL v5 segment headers (native_protocol_v5.spec §2.1-2.2; Cassandra's
 * `FrameEncoderCrc`/`FrameEncoderLZ4` are the reference). All integers are
 * little-endian, and each header ends with a CRC24 of the bytes before it.
 *
 * ```text
 * uncompressed, 6 bytes:  payload length (17 bits) | self-contained (1) | padding (6)
 *                         | CRC24 of the first 3 bytes (24)
 * LZ4, 8 bytes:           compressed length (17) | uncompressed length (17)
 *                         | self-contained (1) | padding (5) | CRC24 of the first 5 bytes (24)
 * ```
 * Both are followed by the payload and a 4-byte CRC32 of it (see `crc.ts`).
 * An LZ4 uncompressed length of 0 means the payload travels uncompressed.
 * @module
 */

import { crc24 } from "./crc.ts";

/** Largest payload a segment carries: 128 KiB - 1, all a 17-bit length can say. */
export const MAX_SEGMENT_PAYLOAD = 0x1ffff;
/** Header length of an uncompressed segment. */
export const SEGMENT_HEADER_LENGTH = 6;
/** Header length of an LZ4 segment. */
export const LZ4_SEGMENT_HEADER_LENGTH = 8;
/** The CRC32 trailer after every payload. */
export const SEGMENT_TRAILER_LENGTH = 4;

/** A segment header as read off the wire (CRC already verified). */
export interface SegmentHeader {
  /** Bytes of payload on the wire (compressed, for an LZ4 segment that was compressed). */
  payloadLength: number;
  /** LZ4 only: length once decompressed; 0 when the payload was sent as is. */
  uncompressedLength: number;
  /** Whether the payload holds whole envelopes (else a part of one large envelope). */
  selfContained: boolean;
}

/**
 * Writes the 6-byte header of an uncompressed segment at `out[at..]`.
 * The caller keeps `payloadLength` within {@link MAX_SEGMENT_PAYLOAD}.
 */
export function writeSegmentHeader(
  out: Uint8Array,
  at: number,
  payloadLength: number,
  selfContained: boolean,
): void {
  out[at] = payloadLength & 0xff;
  out[at + 1] = (payloadLength >>> 8) & 0xff;
  out[at + 2] = ((payloadLength >>> 16) & 1) | (selfContained ? 2 : 0);
  const crc = crc24(out, at, 3);
  out[at + 3] = crc & 0xff;
  out[at + 4] = (crc >>> 8) & 0xff;
  out[at + 5] = crc >>> 16;
}

/**
 * Writes the 8-byte header of an LZ4 segment at `out[at..]`;
 * `uncompressedLength` 0 says the payload is not compressed.
 */
export function writeLz4SegmentHeader(
  out: Uint8Array,
  at: number,
  compressedLength: number,
  uncompressedLength: number,
  selfContained: boolean,
): void {
  const c = compressedLength, u = uncompressedLength;
  out[at] = c & 0xff;
  out[at + 1] = (c >>> 8) & 0xff;
  out[at + 2] = ((c >>> 16) & 1) | ((u & 0x7f) << 1);
  out[at + 3] = (u >>> 7) & 0xff;
  out[at + 4] = ((u >>> 15) & 3) | (selfContained ? 4 : 0);
  const crc = crc24(out, at, 5);
  out[at + 5] = crc & 0xff;
  out[at + 6] = (crc >>> 8) & 0xff;
  out[at + 7] = crc >>> 16;
}

/** The CRC24 a header carries in its last 3 bytes; `length` is 6 or 8. */
export function headerCrc(buf: Uint8Array, at: number, length: number): number {
  const c = at + length - 3;
  return buf[c] | (buf[c + 1] << 8) | (buf[c + 2] << 16);
}

/** Reads the fields of a 6-byte (uncompressed) header; the CRC is checked elsewhere. */
export function readSegmentHeader(buf: Uint8Array, at: number): SegmentHeader {
  return {
    payloadLength: buf[at] | (buf[at + 1] << 8) | ((buf[at + 2] & 1) << 16),
    uncompressedLength: 0,
    selfContained: (buf[at + 2] & 2) !== 0,
  };
}

/** Reads the fields of an 8-byte (LZ4) header; the CRC is checked elsewhere. */
export function readLz4SegmentHeader(buf: Uint8Array, at: number): SegmentHeader {
  return {
    payloadLength: buf[at] | (buf[at + 1] << 8) | ((buf[at + 2] & 1) << 16),
    uncompressedLength: (buf[at + 2] >>> 1) | (buf[at + 3] << 7) | ((buf[at + 4] & 3) << 15),
    selfContained: (buf[at + 4] & 4) !== 0,
  };
}

/** The little-endian CRC32 trailer at `buf[at..at+4)`, unsigned. */
export function readTrailer(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}

/** Writes `crc` as the little-endian trailer at `out[at..at+4)`. */
export function writeTrailer(out: Uint8Array, at: number, crc: number): void {
  out[at] = crc & 0xff;
  out[at + 1] = (crc >>> 8) & 0xff;
  out[at + 2] = (crc >>> 16) & 0xff;
  out[at + 3] = crc >>> 24;
}

/** Formats a checksum for messages: `0x` and fixed-width hex. */
export function hex(n: number, digits: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(digits, "0");
}
