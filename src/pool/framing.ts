/**
 * The byte framing of one connection, apart from its request bookkeeping:
 * splitting received bytes into frames, compressing or decompressing frame
 * bodies (v4), and, once a v5 connection has said READY or AUTHENTICATE,
 * carrying every envelope in CRC-checked segments (compressed per segment).
 * @module
 */

import { carveSmallArrays, type Writer } from "../wire/bytes.ts";
import type { Compressor } from "../wire/compression/mod.ts";
import { FrameFlag, type FrameHeader, HEADER_LENGTH } from "../wire/frame.ts";
import { FrameDecoder, type FrameHandler } from "../wire/frame_decoder.ts";
import {
  SEGMENT_HEADER_LENGTH,
  SEGMENT_TRAILER_LENGTH,
  type SegmentCompression,
  SegmentEncoder,
  SegmentFrameDecoder,
} from "../wire/segment/mod.ts";
import { useCrc32 } from "../wire/segment/crc.ts";
import { nativeCrc32, runtime } from "../runtime/mod.ts";
import { ProtocolError } from "../errors.ts";

// Only Deno gains from carving routing keys out of slabs (see src/wire/bytes.ts).
carveSmallArrays(runtime === "deno");

let nativeCrcRequested = false;

/**
 * Asks once for the runtime's native CRC-32 for v5 segment payloads; the table-driven one
 * serves until it is in, and for good where the runtime has none or it disagrees.
 */
function requestNativeCrc32(): void {
  if (nativeCrcRequested) return;
  nativeCrcRequested = true;
  nativeCrc32().then((fn) => fn !== null && useCrc32(fn)).catch(() => false);
}

/** Frames in and out of one connection. */
export class Framing {
  /** Protocol version of every envelope on this connection. */
  readonly version: number;
  /** Compresses outgoing bodies (v4) once the server has said READY. */
  compressor: Compressor | null = null;
  /** Decompresses incoming bodies (v4); set as STARTUP goes out, since READY may come compressed. */
  decompressor: Compressor | null = null;
  readonly #onFrame: FrameHandler;
  #decoder: FrameDecoder | SegmentFrameDecoder;
  #segments: SegmentEncoder | null = null;

  /**
   * @param onFrame receives each complete frame, body still as sent
   * @param version the protocol version the connection speaks
   */
  constructor(onFrame: FrameHandler, version = 4) {
    this.version = version;
    if (version >= 5) requestNativeCrc32();
    this.#onFrame = onFrame;
    this.#decoder = new FrameDecoder(onFrame, version);
  }

  /** Whether envelopes now travel in v5 segments. */
  get segmented(): boolean {
    return this.#segments !== null;
  }

  /**
   * Switches to v5 segments in both directions (after READY or AUTHENTICATE).
   * @throws {ProtocolError} not a v5 connection, or bytes of an envelope still buffered
   */
  startSegments(compression: SegmentCompression): void {
    if (this.version < 5) throw new ProtocolError("segments exist only in protocol v5");
    if (!this.#decoder.idle) {
      throw new ProtocolError("bytes after READY/AUTHENTICATE arrived before segment framing");
    }
    this.#decoder = new SegmentFrameDecoder(this.#onFrame, { compression, version: this.version });
    this.#segments = new SegmentEncoder({ compression });
  }

  /**
   * Feeds received bytes; complete frames go to the handler.
   * @throws {ProtocolError} malformed framing (a bad CRC, a header of another version, …)
   */
  push(bytes: Uint8Array, length: number): void {
    this.#decoder.push(bytes, length);
  }

  /** Finishes the frame encoded at `start` of `out`: compresses its body in place if asked (v4). */
  seal(out: Writer, start: number): void {
    if (this.compressor === null || out.length <= start + HEADER_LENGTH) return;
    const body = this.compressor.compress(out.buf.subarray(start + HEADER_LENGTH, out.length));
    out.length = start + HEADER_LENGTH;
    out.writeRaw(body);
    out.buf[start + 1] |= FrameFlag.COMPRESSION;
    out.view.setInt32(start + 5, body.length);
  }

  /**
   * Bytes to leave before the first frame of a write: room for the header of the v5 segment
   * that {@link sealInPlace} makes around the frames (uncompressed segments), else 0.
   */
  get segmentRoom(): number {
    return this.#segments !== null && this.#segments.compression === null
      ? SEGMENT_HEADER_LENGTH
      : 0;
  }

  /**
   * Makes the frames in `out` after the {@link segmentRoom} left at `at` one v5 segment, in
   * place (header before, CRC after them): `out[at, returned)` is then the write, with no copy.
   * -1 when they do not fit one segment: then {@link segmentsOf} from `at + segmentRoom`.
   */
  sealInPlace(out: Writer, at: number): number {
    if (this.#segments === null) return -1;
    const end = out.length;
    out.ensure(SEGMENT_TRAILER_LENGTH);
    const sealed = this.#segments.sealInPlace(out.buf, at, end);
    if (sealed >= 0) out.length = sealed;
    return sealed;
  }

  /**
   * The v5 segments that carry the frames in `out` from `from` on, as a copy, or `null` when
   * the frames go out as they are (v4, and v5 before READY).
   */
  segmentsOf(out: Writer, from: number): Uint8Array | null {
    return this.#segments === null ? null : this.#segments.encode(out.buf, from, out.length);
  }

  /**
   * The decompressed body of a received frame whose body is `bytes[start, end)`, or `null`
   * when it was not compressed (the body is then read where it arrived).
   * @throws {ProtocolError} a compressed frame without negotiated compression, or a bad body
   */
  decompressed(
    header: FrameHeader,
    bytes: Uint8Array,
    start: number,
    end: number,
  ): Uint8Array | null {
    if ((header.flags & FrameFlag.COMPRESSION) === 0) return null;
    if (this.decompressor === null) {
      throw new ProtocolError("server sent a compressed frame unasked");
    }
    return this.decompressor.decompress(bytes.subarray(start, end));
  }
}
