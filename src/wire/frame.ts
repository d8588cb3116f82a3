/**
 * The CQL frame envelope (native_protocol_v4.spec §2; v5 calls it an
 * "envelope" and keeps its layout, §2.4): the 9-byte header, opcodes, flags,
 * and the size limit that guards every allocation. Version 4 is the default
 * everywhere; v5 envelopes travel inside segments (`segment/`).
 * @module
 */

import { ProtocolError } from "../errors.ts";

/** The protocol version this driver speaks unless told otherwise. */
export const PROTOCOL_VERSION = 4;
/** The versions the wire layer encodes and decodes, oldest first. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [4, 5];
/** Header length in bytes for v3+ frames. */
export const HEADER_LENGTH = 9;
/**
 * Largest frame body accepted or sent: 256 MiB, the spec's own limit (§2.5).
 * A header that claims more is rejected before anything is allocated.
 */
export const MAX_FRAME_BODY = 256 * 1024 * 1024;

/** Message opcodes (§2.4). */
export const Opcode = {
  ERROR: 0x00,
  STARTUP: 0x01,
  READY: 0x02,
  AUTHENTICATE: 0x03,
  OPTIONS: 0x05,
  SUPPORTED: 0x06,
  QUERY: 0x07,
  RESULT: 0x08,
  PREPARE: 0x09,
  EXECUTE: 0x0a,
  REGISTER: 0x0b,
  EVENT: 0x0c,
  BATCH: 0x0d,
  AUTH_CHALLENGE: 0x0e,
  AUTH_RESPONSE: 0x0f,
  AUTH_SUCCESS: 0x10,
} as const;

/** Header flags (§2.2). */
export const FrameFlag = {
  COMPRESSION: 0x01,
  TRACING: 0x02,
  CUSTOM_PAYLOAD: 0x04,
  WARNING: 0x08,
  USE_BETA: 0x10,
} as const;

/** Stream id the server uses for EVENT frames. */
export const EVENT_STREAM = -1;

/** A decoded frame header. */
export interface FrameHeader {
  /** Protocol version without the direction bit. */
  version: number;
  /** True for server-to-client frames. */
  isResponse: boolean;
  /** Header flags. */
  flags: number;
  /** Stream id (signed 16-bit). */
  stream: number;
  /** Opcode. */
  opcode: number;
  /** Body length in bytes. */
  length: number;
}

/**
 * Decodes the header at `buf[at..at+9)`. The caller has checked that 9 bytes are there.
 * `version` is the one the connection negotiated: a header of any other is refused.
 * `into`, when given, receives the fields and is returned (a decoder's scratch header: no
 * object per frame).
 * @throws {ProtocolError} another version or a body longer than {@link MAX_FRAME_BODY}
 */
export function decodeHeader(
  buf: Uint8Array,
  at = 0,
  version: number = PROTOCOL_VERSION,
  into?: FrameHeader,
): FrameHeader {
  const versionByte = buf[at];
  const got = versionByte & 0x7f;
  const length = ((buf[at + 5] << 24) | (buf[at + 6] << 16) | (buf[at + 7] << 8) | buf[at + 8]) >>>
    0;
  if (got !== version) {
    throw new ProtocolError(
      `server answered with protocol version ${got}; this connection speaks v${version}`,
    );
  }
  if (length > MAX_FRAME_BODY) {
    throw new ProtocolError(
      `frame body of ${length} bytes exceeds the ${MAX_FRAME_BODY}-byte limit`,
    );
  }
  const isResponse = (versionByte & 0x80) !== 0;
  const flags = buf[at + 1];
  const stream = ((buf[at + 2] << 24) >> 16) | buf[at + 3];
  const opcode = buf[at + 4];
  if (into === undefined) return { version, isResponse, flags, stream, opcode, length };
  into.version = version;
  into.isResponse = isResponse;
  into.flags = flags;
  into.stream = stream;
  into.opcode = opcode;
  into.length = length;
  return into;
}

/** A header to decode into (see {@link decodeHeader}'s `into`). */
export function scratchHeader(): FrameHeader {
  return { version: 0, isResponse: true, flags: 0, stream: 0, opcode: 0, length: 0 };
}

/**
 * Writes a request header for `stream` into `out[at..at+9)`.
 * The body length is filled from `bodyLength`; `version` defaults to v4.
 */
export function writeHeader(
  out: Uint8Array,
  at: number,
  flags: number,
  stream: number,
  opcode: number,
  bodyLength: number,
  version: number = PROTOCOL_VERSION,
): void {
  out[at] = version;
  out[at + 1] = flags;
  out[at + 2] = (stream >> 8) & 0xff;
  out[at + 3] = stream & 0xff;
  out[at + 4] = opcode;
  out[at + 5] = bodyLength >>> 24;
  out[at + 6] = (bodyLength >>> 16) & 0xff;
  out[at + 7] = (bodyLength >>> 8) & 0xff;
  out[at + 8] = bodyLength & 0xff;
}

/** Sets the stream id of an already-encoded frame (starting at `at`) in place. */
export function setStream(frame: Uint8Array, stream: number, at = 0): void {
  frame[at + 2] = (stream >> 8) & 0xff;
  frame[at + 3] = stream & 0xff;
}

/**
 * Sets the protocol version of an already-encoded request frame (starting at
 * `at`) in place: request encoders write v4, a v5 connection restamps.
 */
export function setVersion(frame: Uint8Array, version: number, at = 0): void {
  frame[at] = version;
}

/** Name of an opcode for messages. */
export function opcodeName(op: number): string {
  for (const [name, value] of Object.entries(Opcode)) if (value === op) return name;
  return `0x${op.toString(16).padStart(2, "0")}`;
}
