/**
 * Frame assembly for requests: the body is written after a reserved header,
 * which is patched once the body length is known. The stream id stays 0 until
 * the connection assigns one at write time ({@link setStream}).
 * @module
 */

import type { Writer } from "../bytes.ts";
import { FrameFlag, HEADER_LENGTH, MAX_FRAME_BODY, writeHeader } from "../frame.ts";
import { ProtocolError } from "../../errors.ts";

/** Starts a frame in `w` (which is reset) by reserving the header. */
export function beginFrame(w: Writer): Writer {
  w.reset();
  w.ensure(HEADER_LENGTH);
  w.length = HEADER_LENGTH;
  return w;
}

/**
 * Finishes the frame begun with {@link beginFrame} and returns a copy of it.
 * @throws {ProtocolError} the body is larger than the protocol allows; nothing was sent
 */
export function endFrame(w: Writer, opcode: number, tracing = false): Uint8Array {
  const bodyLength = w.length - HEADER_LENGTH;
  if (bodyLength > MAX_FRAME_BODY) {
    throw new ProtocolError(`request body of ${bodyLength} bytes exceeds ${MAX_FRAME_BODY}`);
  }
  writeHeader(w.buf, 0, tracing ? FrameFlag.TRACING : 0, 0, opcode, bodyLength);
  return w.toBytes();
}
