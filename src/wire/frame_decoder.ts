/**
 * Splits a byte stream into frames. Sans-IO: feed it chunks as they arrive;
 * it calls back once per complete frame.
 * @module
 */

import { decodeHeader, type FrameHeader, HEADER_LENGTH } from "./frame.ts";

/** Receives one complete frame; `body` is only valid during the call. */
export type FrameHandler = (header: FrameHeader, body: Uint8Array) => void;

/**
 * Reassembles frames from chunks. Frames wholly inside a chunk are handed out
 * as views of it (no copy); only a frame split across chunks is copied, into a
 * buffer sized by its header — which {@link decodeHeader} has already bounded.
 */
export class FrameDecoder {
  #onFrame: FrameHandler;
  #partial: Uint8Array | null = null;
  #partialLength = 0;
  #header: FrameHeader | null = null;
  #headerBytes = new Uint8Array(HEADER_LENGTH);

  constructor(onFrame: FrameHandler) {
    this.#onFrame = onFrame;
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.#header === null && this.#partialLength === 0;
  }

  /**
   * Consumes a chunk.
   * @throws {ProtocolError} from the header check; the stream is then unusable
   */
  push(chunk: Uint8Array): void {
    let at = 0;
    if (this.#header !== null || this.#partialLength > 0) at = this.#continue(chunk);
    while (at < chunk.length) {
      if (chunk.length - at < HEADER_LENGTH) {
        this.#headerBytes.set(chunk.subarray(at), 0);
        this.#partialLength = chunk.length - at;
        return;
      }
      const header = decodeHeader(chunk, at);
      const bodyStart = at + HEADER_LENGTH;
      const bodyEnd = bodyStart + header.length;
      if (bodyEnd <= chunk.length) {
        this.#onFrame(header, chunk.subarray(bodyStart, bodyEnd));
        at = bodyEnd;
        continue;
      }
      this.#header = header;
      this.#partial = new Uint8Array(header.length);
      this.#partial.set(chunk.subarray(bodyStart), 0);
      this.#partialLength = chunk.length - bodyStart;
      return;
    }
  }

  /** Completes a buffered header or body; returns how much of `chunk` it used. */
  #continue(chunk: Uint8Array): number {
    let at = 0;
    if (this.#header === null) {
      const need = HEADER_LENGTH - this.#partialLength;
      const take = Math.min(need, chunk.length);
      this.#headerBytes.set(chunk.subarray(0, take), this.#partialLength);
      this.#partialLength += take;
      if (this.#partialLength < HEADER_LENGTH) return chunk.length;
      at = take;
      this.#header = decodeHeader(this.#headerBytes, 0);
      this.#partial = new Uint8Array(this.#header.length);
      this.#partialLength = 0;
    }
    const header = this.#header;
    const body = this.#partial!;
    const take = Math.min(header.length - this.#partialLength, chunk.length - at);
    body.set(chunk.subarray(at, at + take), this.#partialLength);
    this.#partialLength += take;
    at += take;
    if (this.#partialLength === header.length) {
      this.#header = null;
      this.#partial = null;
      this.#partialLength = 0;
      this.#onFrame(header, body);
    }
    return at;
  }
}
