/**
 * Splits a byte stream into frames. Sans-IO: feed it chunks as they arrive;
 * it calls back once per complete frame.
 * @module
 */

import { concatBytes } from "./bytes.ts";
import { decodeHeader, type FrameHeader, HEADER_LENGTH, scratchHeader } from "./frame.ts";

/**
 * Receives one complete frame: its body is `bytes[start, end)`; the header and the bytes are
 * valid only during the call (the decoder reuses its header object).
 * Bodies are handed out as a range of the chunk they arrived in, not as a view of their own:
 * a typed array per frame costs more than the rest of reading a small answer.
 */
export type FrameHandler = (
  header: FrameHeader,
  bytes: Uint8Array,
  start: number,
  end: number,
) => void;

/**
 * Reassembles frames from chunks. Frames wholly inside a chunk are handed out
 * as ranges of it (no copy). A frame split across chunks is kept as copies of
 * the pieces received and joined once complete: memory follows the bytes that
 * arrived, never the length a header claims (bounded by {@link decodeHeader}).
 */
export class FrameDecoder {
  #onFrame: FrameHandler;
  #header: FrameHeader | null = null;
  /** The header of each frame wholly inside a chunk. */
  readonly #scratch = scratchHeader();
  #headerBytes = new Uint8Array(HEADER_LENGTH);
  #headerLength = 0;
  #pieces: Uint8Array[] = [];
  #received = 0;
  readonly #version: number;

  /**
   * @param onFrame receives each frame
   * @param version the protocol version every header must carry (4 unless the connection
   *   negotiates 5, whose first envelopes come unframed)
   */
  constructor(onFrame: FrameHandler, version = 4) {
    this.#onFrame = onFrame;
    this.#version = version;
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.#header === null && this.#headerLength === 0;
  }

  /**
   * Consumes a chunk: `chunk[0, end)` (a socket reader may hand the same longer array each time).
   * @throws {ProtocolError} from the header check; the stream is then unusable
   */
  push(chunk: Uint8Array, end: number = chunk.length): void {
    let at = this.idle ? 0 : this.#continue(chunk, end);
    while (at < end) {
      if (end - at < HEADER_LENGTH) {
        this.#headerBytes.set(chunk.subarray(at, end), 0);
        this.#headerLength = end - at;
        return;
      }
      const header = decodeHeader(chunk, at, this.#version, this.#scratch);
      const bodyStart = at + HEADER_LENGTH;
      const bodyEnd = bodyStart + header.length;
      if (bodyEnd <= end) {
        this.#onFrame(header, chunk, bodyStart, bodyEnd);
        at = bodyEnd;
        continue;
      }
      this.#header = { ...header };
      this.#keep(chunk.subarray(bodyStart, end));
      return;
    }
  }

  /** Completes a buffered header or body from `chunk[0, end)`; returns how much it used. */
  #continue(chunk: Uint8Array, end: number): number {
    let at = 0;
    if (this.#header === null) {
      const take = Math.min(HEADER_LENGTH - this.#headerLength, end);
      this.#headerBytes.set(chunk.subarray(0, take), this.#headerLength);
      this.#headerLength += take;
      if (this.#headerLength < HEADER_LENGTH) return end;
      at = take;
      this.#header = decodeHeader(this.#headerBytes, 0, this.#version);
      this.#headerLength = 0;
    }
    const header = this.#header;
    const take = Math.min(header.length - this.#received, end - at);
    this.#keep(chunk.subarray(at, at + take));
    at += take;
    if (this.#received === header.length) {
      const body = concatBytes(this.#pieces, this.#received);
      this.#header = null;
      this.#pieces = [];
      this.#received = 0;
      this.#onFrame(header, body, 0, body.length);
    }
    return at;
  }

  /** Keeps a copy: the chunk's buffer is reused by the socket reader. */
  #keep(piece: Uint8Array): void {
    if (piece.length === 0) return;
    this.#pieces.push(piece.slice());
    this.#received += piece.length;
  }
}
