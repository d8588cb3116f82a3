/**
 * Frame assembly for requests: the body is written after a reserved header,
 * which is patched once the body length is known. The stream id stays 0 until
 * the connection assigns one at write time ({@link setStream}).
 * @module
 */

import type { Writer } from "../bytes.ts";
import { FrameFlag, HEADER_LENGTH, MAX_FRAME_BODY, writeHeader } from "../frame.ts";
import { ProtocolError } from "../../errors.ts";

/**
 * Appends one request frame to a writer (e.g. a connection's output buffer).
 * `version` is the protocol version the connection speaks: bodies differ
 * between v4 and v5 (e.g. `[int]` query flags), so they are encoded per connection.
 * `metadataId` says whether EXECUTE carries a result metadata id on this
 * connection: always in v5, and in v4 once ScyllaDB's `SCYLLA_USE_METADATA_ID`
 * was negotiated (absent: `version >= 5`).
 */
export type FrameEncoder = (w: Writer, version: number, metadataId?: boolean) => void;

/**
 * Starts a frame at the end of `w` by reserving its header; returns where the
 * frame starts, for {@link closeFrame}.
 */
export function openFrame(w: Writer): number {
  const start = w.length;
  w.ensure(HEADER_LENGTH);
  w.length = start + HEADER_LENGTH;
  return start;
}

/**
 * Writes the header of the frame opened at `start` now that its body is known.
 * @throws {ProtocolError} the body is larger than the protocol allows; nothing was sent
 */
export function closeFrame(w: Writer, start: number, opcode: number, tracing = false): void {
  const bodyLength = w.length - start - HEADER_LENGTH;
  if (bodyLength > MAX_FRAME_BODY) {
    throw new ProtocolError(`request body of ${bodyLength} bytes exceeds ${MAX_FRAME_BODY}`);
  }
  writeHeader(w.buf, start, tracing ? FrameFlag.TRACING : 0, 0, opcode, bodyLength);
}

/** Starts a frame in `w` (which is reset) by reserving the header. */
export function beginFrame(w: Writer): Writer {
  w.reset();
  openFrame(w);
  return w;
}

/**
 * Finishes the frame begun with {@link beginFrame} and returns a copy of it.
 * @throws {ProtocolError} the body is larger than the protocol allows; nothing was sent
 */
export function endFrame(w: Writer, opcode: number, tracing = false): Uint8Array {
  closeFrame(w, 0, opcode, tracing);
  return w.toBytes();
}
