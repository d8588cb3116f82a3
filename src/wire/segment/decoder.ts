/**
 * Reads CQL v5 segments from a byte stream (native_protocol_v5.spec §2;
 * Cassandra's `FrameDecoderCrc`/`FrameDecoderLZ4` are the reference).
 * Sans-IO: feed it chunks as they arrive, split anywhere; it verifies each
 * header's CRC24 as soon as the header is in, each payload's CRC32 once the
 * segment is whole, decompresses LZ4 payloads, and hands every payload on in
 * order. `envelopes.ts` turns payloads into envelopes.
 * @module
 */

import { ProtocolError } from "../../errors.ts";
import { decompressLz4Block } from "../compression/lz4_block.ts";
import { crc24, crc32 } from "./crc.ts";
import type { SegmentCompression } from "./encoder.ts";
import {
  headerCrc,
  hex,
  LZ4_SEGMENT_HEADER_LENGTH,
  MAX_SEGMENT_PAYLOAD,
  readTrailer,
  SEGMENT_HEADER_LENGTH,
  SEGMENT_TRAILER_LENGTH,
} from "./header.ts";

/**
 * Receives one verified (and decompressed) segment payload, `buf[start, end)`: the received
 * chunk itself where the segment lay whole in it (no view made per segment), else the
 * decoder's own buffer. Valid only during the call: copy what must outlive it.
 */
export type SegmentHandler = (
  buf: Uint8Array,
  start: number,
  end: number,
  selfContained: boolean,
) => void;

const EMPTY = new Uint8Array(0);
/** The largest segment on the wire: LZ4 header, a full payload, the trailer. */
const MAX_SEGMENT = LZ4_SEGMENT_HEADER_LENGTH + MAX_SEGMENT_PAYLOAD + SEGMENT_TRAILER_LENGTH;

/**
 * Splits a byte stream into segments. Segments wholly inside a chunk are
 * checked and handed on as ranges of it (no copy). A segment split across
 * chunks is gathered in one buffer, reused for every later one, that grows with
 * the bytes received (never to a claimed length before its bytes arrive) up to
 * the largest segment, 128 KiB and 12 bytes.
 *
 * Any fault (a CRC mismatch, a bad LZ4 payload, an error thrown by the
 * handler) leaves the decoder defunct: the stream cannot be trusted to be in
 * step again, so every later {@link push} throws.
 */
export class SegmentDecoder {
  readonly #onSegment: SegmentHandler;
  readonly #lz4: boolean;
  readonly #headerLength: number;
  /** Bytes of the segment being gathered across chunks. */
  #stash: Uint8Array = EMPTY;
  #stashed = 0;
  /** Length of the segment being gathered, 0 while its header is incomplete. */
  #need = 0;
  /** Decompression output, reused: each payload is handed on before the next. */
  #scratch: Uint8Array = EMPTY;
  /** Fields of the header last checked; kept in fields to allocate nothing per segment. */
  #payloadLength = 0;
  #uncompressedLength = 0;
  #selfContained = false;
  #failure: Error | null = null;

  /** `compression` is what STARTUP negotiated: `"lz4"` or none. */
  constructor(onSegment: SegmentHandler, compression: SegmentCompression = null) {
    this.#onSegment = onSegment;
    this.#lz4 = compression === "lz4";
    this.#headerLength = this.#lz4 ? LZ4_SEGMENT_HEADER_LENGTH : SEGMENT_HEADER_LENGTH;
  }

  /** True when no partial segment is buffered. */
  get idle(): boolean {
    return this.#stashed === 0;
  }

  /** The error that made the decoder unusable, or `null`. */
  get failure(): Error | null {
    return this.#failure;
  }

  /**
   * Consumes a chunk: `chunk[0, end)` (a socket reader may hand the same longer array each time).
   * @throws {ProtocolError} a CRC mismatch, a malformed LZ4 payload, or an
   *   earlier failure; whatever the handler throws is passed through. Either way
   *   the decoder is defunct afterwards.
   */
  push(chunk: Uint8Array, end: number = chunk.length): void {
    if (this.#failure !== null) {
      throw new ProtocolError(`segment stream already failed: ${this.#failure.message}`, {
        cause: this.#failure,
      });
    }
    try {
      this.#push(chunk, end);
    } catch (e) {
      this.#failure = e instanceof Error ? e : new ProtocolError(String(e));
      this.#stashed = 0;
      this.#stash = this.#scratch = EMPTY;
      throw e;
    }
  }

  #push(chunk: Uint8Array, n: number): void {
    let at = 0;
    if (this.#stashed > 0) {
      at = this.#continue(chunk, n);
      if (this.#stashed > 0) return;
    }
    const hl = this.#headerLength;
    while (at < n) {
      if (n - at < hl) {
        this.#keep(chunk, at, n);
        return;
      }
      const total = this.#readHeader(chunk, at);
      if (n - at < total) {
        this.#need = total;
        this.#keep(chunk, at, n);
        return;
      }
      this.#deliver(chunk, at);
      at += total;
    }
  }

  /**
   * Adds `chunk[0, end)` to the gathered segment; delivers it once whole. Returns how much of it
   * it used.
   */
  #continue(chunk: Uint8Array, end: number): number {
    let at = 0;
    if (this.#need === 0) {
      at = Math.min(this.#headerLength - this.#stashed, end);
      this.#keep(chunk, 0, at);
      if (this.#stashed < this.#headerLength) return at;
      this.#need = this.#readHeader(this.#stash, 0);
    }
    const take = Math.min(this.#need - this.#stashed, end - at);
    this.#keep(chunk, at, at + take);
    at += take;
    if (this.#stashed === this.#need) {
      this.#stashed = 0;
      this.#need = 0;
      this.#deliver(this.#stash, 0);
    }
    return at;
  }

  /** Copies `src[from..to)` after the gathered bytes, growing the buffer by what arrived. */
  #keep(src: Uint8Array, from: number, to: number): void {
    const need = this.#stashed + (to - from);
    if (need > this.#stash.length) {
      const grown = new Uint8Array(Math.max(need, Math.min(this.#stash.length * 2, MAX_SEGMENT)));
      grown.set(this.#stash.subarray(0, this.#stashed));
      this.#stash = grown;
    }
    this.#stash.set(src.subarray(from, to), this.#stashed);
    this.#stashed = need;
  }

  /**
   * Checks the header at `buf[at..]` and remembers its fields; returns the
   * whole segment's length.
   * @throws {ProtocolError} CRC24 mismatch
   */
  #readHeader(buf: Uint8Array, at: number): number {
    const hl = this.#headerLength;
    const computed = crc24(buf, at, hl - 3);
    const carried = headerCrc(buf, at, hl);
    if (computed !== carried) {
      throw new ProtocolError(
        `segment header CRC24 mismatch: expected ${hex(computed, 6)}, got ${hex(carried, 6)}`,
      );
    }
    const b2 = buf[at + 2];
    const length = buf[at] | (buf[at + 1] << 8) | ((b2 & 1) << 16);
    this.#payloadLength = length;
    if (this.#lz4) {
      const b4 = buf[at + 4];
      this.#uncompressedLength = (b2 >>> 1) | (buf[at + 3] << 7) | ((b4 & 3) << 15);
      this.#selfContained = (b4 & 4) !== 0;
    } else {
      this.#uncompressedLength = 0;
      this.#selfContained = (b2 & 2) !== 0;
    }
    return hl + length + SEGMENT_TRAILER_LENGTH;
  }

  /**
   * Verifies the payload of the segment at `buf[at..]` (header already read)
   * and hands it on.
   * @throws {ProtocolError} CRC32 mismatch or malformed LZ4
   */
  #deliver(buf: Uint8Array, at: number): void {
    const start = at + this.#headerLength;
    const end = start + this.#payloadLength;
    const computed = crc32(buf, start, end);
    const carried = readTrailer(buf, end);
    if (computed !== carried) {
      throw new ProtocolError(
        `segment payload CRC32 mismatch: expected ${hex(computed, 8)}, got ${
          hex(carried, 8)
        } (${this.#payloadLength}-byte payload)`,
      );
    }
    const uncompressed = this.#uncompressedLength;
    if (uncompressed === 0) {
      this.#onSegment(buf, start, end, this.#selfContained);
      return;
    }
    // One LZ4 byte expands to at most 255: refuse a claim the payload cannot
    // meet before allocating for it (as the v4 body decompressors do).
    if (uncompressed > this.#payloadLength * 255 + 16) {
      throw new ProtocolError(
        `LZ4 segment of ${this.#payloadLength} bytes cannot decompress to the ${uncompressed} ` +
          `bytes its header says`,
      );
    }
    if (this.#scratch.length < uncompressed) {
      this.#scratch = new Uint8Array(
        Math.max(uncompressed, Math.min(this.#scratch.length * 2, MAX_SEGMENT_PAYLOAD)),
      );
    }
    const scratch = this.#scratch;
    try {
      decompressLz4Block(buf, start, end, scratch.subarray(0, uncompressed));
    } catch (e) {
      throw new ProtocolError(
        `LZ4 segment of ${this.#payloadLength} bytes does not decompress to the ${uncompressed} ` +
          `bytes its header says: ${e instanceof Error ? e.message : String(e)}`,
        { cause: e },
      );
    }
    this.#onSegment(scratch, 0, uncompressed, this.#selfContained);
  }
}
