/**
 * The byte framing of one connection, apart from its request bookkeeping:
 * splitting received bytes into frames, and compressing or decompressing
 * frame bodies once compression is negotiated. This is where protocol v5's
 * segment layer plugs in.
 * @module
 */

import type { Writer } from "../wire/bytes.ts";
import type { Compressor } from "../wire/compression/mod.ts";
import { FrameFlag, type FrameHeader, HEADER_LENGTH } from "../wire/frame.ts";
import { FrameDecoder, type FrameHandler } from "../wire/frame_decoder.ts";
import { ProtocolError } from "../errors.ts";

/** Frames in and out of one connection. */
export class Framing {
  /** Compresses outgoing bodies once the server has said READY. */
  compressor: Compressor | null = null;
  /** Decompresses incoming bodies; set as STARTUP goes out, since READY may come compressed. */
  decompressor: Compressor | null = null;
  readonly #decoder: FrameDecoder;

  /** @param onFrame receives each complete frame, body still as sent */
  constructor(onFrame: FrameHandler) {
    this.#decoder = new FrameDecoder(onFrame);
  }

  /**
   * Feeds received bytes; complete frames go to the handler.
   * @throws {ProtocolError} malformed framing
   */
  push(chunk: Uint8Array): void {
    this.#decoder.push(chunk);
  }

  /** Finishes the frame encoded at `start` of `out`: compresses its body in place if asked. */
  seal(out: Writer, start: number): void {
    if (this.compressor === null || out.length <= start + HEADER_LENGTH) return;
    const body = this.compressor.compress(out.buf.subarray(start + HEADER_LENGTH, out.length));
    out.length = start + HEADER_LENGTH;
    out.writeRaw(body);
    out.buf[start + 1] |= FrameFlag.COMPRESSION;
    out.view.setInt32(start + 5, body.length);
  }

  /**
   * The body of a received frame, decompressed if it was compressed.
   * @throws {ProtocolError} a compressed frame without negotiated compression, or a bad body
   */
  body(header: FrameHeader, raw: Uint8Array): Uint8Array {
    if ((header.flags & FrameFlag.COMPRESSION) === 0) return raw;
    if (this.decompressor === null) {
      throw new ProtocolError("server sent a compressed frame unasked");
    }
    return this.decompressor.decompress(raw);
  }
}
