/**
 * CQL native protocol v5 framing: envelopes travel in CRC-protected segments,
 * optionally LZ4-compressed per segment (native_protocol_v5.spec §2).
 *
 * - {@link SegmentEncoder}: envelopes already encoded → segments for the socket.
 * - {@link SegmentFrameDecoder}: socket bytes → envelopes (`(header, body)`).
 * - {@link SegmentDecoder} / {@link EnvelopeAssembler}: the two halves of it.
 * - `crc24` / `crc32`: the checksums, as Cassandra's `Crc` computes them.
 * @module
 */

export { crc24, crc32, CRC32_PRIMED, type Crc32Function, crc32Update, useCrc32 } from "./crc.ts";
export {
  LZ4_SEGMENT_HEADER_LENGTH,
  MAX_SEGMENT_PAYLOAD,
  readLz4SegmentHeader,
  readSegmentHeader,
  SEGMENT_HEADER_LENGTH,
  SEGMENT_TRAILER_LENGTH,
  type SegmentHeader,
  writeLz4SegmentHeader,
  writeSegmentHeader,
} from "./header.ts";
export { type SegmentCompression, SegmentEncoder, type SegmentEncoderOptions } from "./encoder.ts";
export { SegmentDecoder, type SegmentHandler } from "./decoder.ts";
export {
  EnvelopeAssembler,
  SegmentFrameDecoder,
  type SegmentFrameDecoderOptions,
} from "./envelopes.ts";
