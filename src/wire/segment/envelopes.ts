/**
 * From segment payloads to CQL v5 envelopes (native_protocol_v5.spec §2):
 * a self-contained payload holds one or more whole envelopes; the payloads of
 * consecutive non-self-contained segments are the parts, in order, of ONE
 * large envelope. {@link SegmentFrameDecoder} is what a v5 connection feeds its
 * socket bytes to once the handshake is over; it calls back once per envelope
 * with the same `(header, body)` as the v4 `FrameDecoder`.
 * @module
 */

import { ProtocolError } from "../../errors.ts";
import { concatBytes } from "../bytes.ts";
import { decodeHeader, type FrameHeader, HEADER_LENGTH, scratchHeader } from "../frame.ts";
import type { FrameHandler } from "../frame_decoder.ts";
import { SegmentDecoder } from "./decoder.ts";
import type { SegmentCompression } from "./encoder.ts";

/**
 * Reassembles envelopes from segment payloads. Envelopes of a self-contained
 * payload are handed out as views of it (no copy); the parts of a large
 * envelope are copied as they come (the payload is a reused buffer's view)
 * and joined once complete, so memory follows the bytes received, never the
 * length a header claims.
 */
export class EnvelopeAssembler {
  readonly #onFrame: FrameHandler;
  /** The header of each envelope of a self-contained segment. */
  readonly #scratch = scratchHeader();
  readonly #version: number;
  #headerBytes = new Uint8Array(HEADER_LENGTH);
  #headerLength = 0;
  #header: FrameHeader | null = null;
  #pieces: Uint8Array[] = [];
  #received = 0;

  /** `version` is the envelope version every header must carry (5). */
  constructor(onFrame: FrameHandler, version = 5) {
    this.#onFrame = onFrame;
    this.#version = version;
  }

  /** True when no large envelope is partly received. */
  get idle(): boolean {
    return this.#headerLength === 0;
  }

  /**
   * Takes the next segment payload, `payload[start, end)` (the whole array by default).
   * @throws {ProtocolError} an envelope of another version or over the size
   *   limit, a self-contained payload that does not end on an envelope
   *   boundary, a self-contained segment in the middle of a large envelope, or
   *   a part that runs past its envelope's end
   */
  segment(
    payload: Uint8Array,
    selfContained: boolean,
    start = 0,
    end: number = payload.length,
  ): void {
    if (!selfContained) {
      this.#part(payload, start, end);
      return;
    }
    if (!this.idle) {
      const got = this.#header === null ? this.#headerLength : HEADER_LENGTH + this.#received;
      const of = this.#header === null ? "?" : String(HEADER_LENGTH + this.#header.length);
      throw new ProtocolError(
        `self-contained segment arrived in the middle of a split envelope (${got} of ${of} bytes)`,
      );
    }
    const n = end;
    let at = start;
    while (at < n) {
      if (n - at < HEADER_LENGTH) {
        throw new ProtocolError(
          `self-contained segment ends inside an envelope header (${n - at} of 9 bytes)`,
        );
      }
      const header = decodeHeader(payload, at, this.#version, this.#scratch);
      const bodyStart = at + HEADER_LENGTH;
      const bodyEnd = bodyStart + header.length;
      if (bodyEnd > n) {
        throw new ProtocolError(
          `self-contained segment ends inside an envelope: body of ${header.length} bytes, ` +
            `${n - bodyStart} in the segment`,
        );
      }
      this.#onFrame(header, payload, bodyStart, bodyEnd);
      at = bodyEnd;
    }
  }

  /** One part of a large envelope. */
  #part(payload: Uint8Array, start: number, end: number): void {
    let at = start;
    if (this.#header === null) {
      at = Math.min(start + HEADER_LENGTH - this.#headerLength, end);
      this.#headerBytes.set(payload.subarray(start, at), this.#headerLength);
      this.#headerLength += at - start;
      if (this.#headerLength < HEADER_LENGTH) return;
      this.#header = decodeHeader(this.#headerBytes, 0, this.#version);
    }
    const header = this.#header;
    const take = Math.min(header.length - this.#received, end - at);
    if (take > 0) {
      this.#pieces.push(payload.slice(at, at + take));
      this.#received += take;
      at += take;
    }
    if (at < end) {
      throw new ProtocolError(
        `segment of a split envelope carries ${end - at} bytes past the envelope's end`,
      );
    }
    if (this.#received < header.length) return;
    const body = this.#received === 0
      ? new Uint8Array(0)
      : concatBytes(this.#pieces, this.#received);
    this.#header = null;
    this.#headerLength = 0;
    this.#pieces = [];
    this.#received = 0;
    this.#onFrame(header, body, 0, body.length);
  }
}

/** How a {@link SegmentFrameDecoder} reads. */
export interface SegmentFrameDecoderOptions {
  /** `"lz4"` when STARTUP negotiated `COMPRESSION: lz4`; default none. */
  compression?: SegmentCompression;
  /** Envelope version every header must carry; default 5. */
  version?: number;
}

/**
 * Socket bytes in, envelopes out: {@link SegmentDecoder} then
 * {@link EnvelopeAssembler}. The v5 counterpart of `FrameDecoder`, with the same
 * handler; `body` is only valid during the call.
 * @example
 * ```ts
 * import { SegmentFrameDecoder } from "./envelopes.ts";
 * import { SegmentEncoder } from "./encoder.ts";
 * const wire = new SegmentEncoder().encode(new Uint8Array([0x85, 0, 0, 1, 2, 0, 0, 0, 0]));
 * const d = new SegmentFrameDecoder((h, _bytes, start, end) => console.log(h.opcode, end - start)); // 2 0
 * for (const byte of wire) d.push(new Uint8Array([byte]));
 * ```
 */
export class SegmentFrameDecoder {
  readonly #segments: SegmentDecoder;
  readonly #envelopes: EnvelopeAssembler;

  /** `onFrame` is called once per envelope. */
  constructor(onFrame: FrameHandler, options: SegmentFrameDecoderOptions = {}) {
    const envelopes = new EnvelopeAssembler(onFrame, options.version ?? 5);
    this.#envelopes = envelopes;
    this.#segments = new SegmentDecoder(
      (buf, start, end, selfContained) => envelopes.segment(buf, selfContained, start, end),
      options.compression ?? null,
    );
  }

  /** True when nothing partial is buffered: no part of a segment, no part of an envelope. */
  get idle(): boolean {
    return this.#segments.idle && this.#envelopes.idle;
  }

  /**
   * Consumes a chunk of socket bytes: `chunk[0, end)`.
   * @throws {ProtocolError} any segment or envelope fault (see {@link SegmentDecoder.push}
   *   and {@link EnvelopeAssembler.segment}); the decoder is unusable afterwards
   */
  push(chunk: Uint8Array, end: number = chunk.length): void {
    this.#segments.push(chunk, end);
  }
}
