/**
 * Frames already-encoded CQL v5 envelopes into segments (native_protocol_v5.spec
 * §2; Cassandra's `FrameEncoderCrc`/`FrameEncoderLZ4` are the reference).
 *
 * The connection encodes every request of an event-loop turn into one output
 * buffer; {@link SegmentEncoder} takes that byte range whole and walks the
 * envelope headers in it: consecutive envelopes are packed into self-contained
 * segments of at most {@link MAX_SEGMENT_PAYLOAD} bytes, and an envelope larger
 * than that is cut into consecutive non-self-contained segments of its own.
 * The envelope bytes are copied once, straight into the segment output.
 * @module
 */

import type { Writer } from "../bytes.ts";
import { HEADER_LENGTH } from "../frame.ts";
import { compressLz4Block, lz4BlockBound } from "../compression/lz4_block.ts";
import { lz4WasmCompress, lz4WasmReady } from "../compression/lz4_wasm.ts";
import { crc32 } from "./crc.ts";
import {
  LZ4_SEGMENT_HEADER_LENGTH,
  MAX_SEGMENT_PAYLOAD,
  SEGMENT_HEADER_LENGTH,
  SEGMENT_TRAILER_LENGTH,
  writeLz4SegmentHeader,
  writeSegmentHeader,
  writeTrailer,
} from "./header.ts";

/**
 * Payloads from this size are compressed by lz4_flex in WebAssembly, below it by
 * the TypeScript block codec: measured on Deno and Bun, wasm is 1.1-2.2x faster
 * from 1 KiB up (the gap widest at full 128 KiB segments) but slower on small
 * inputs, where the call and copies dominate.
 */
const WASM_MIN_PAYLOAD = 1024;

/** Segment compression: v5 knows only LZ4 (Snappy is gone), or none. */
export type SegmentCompression = "lz4" | null;

/** How a {@link SegmentEncoder} frames. */
export interface SegmentEncoderOptions {
  /** `"lz4"` when STARTUP negotiated `COMPRESSION: lz4`; default none. */
  compression?: SegmentCompression;
  /**
   * Largest payload per segment, 1..{@link MAX_SEGMENT_PAYLOAD} (the default).
   * Smaller values only serve tests that want many segments from small input.
   */
  maxPayload?: number;
}

/**
 * Turns envelopes into segments. One encoder per connection: it keeps a
 * scratch buffer for LZ4 output between calls.
 * @example
 * ```ts
 * import { SegmentEncoder } from "./encoder.ts";
 * const enc = new SegmentEncoder();
 * const envelope = new Uint8Array([5, 0, 0, 1, 5, 0, 0, 0, 0]); // OPTIONS, stream 1
 * const wire = enc.encode(envelope); // 6-byte header + 9 bytes + 4-byte CRC32
 * console.log(wire.length); // 19
 * ```
 */
export class SegmentEncoder {
  /** The compression segments are written with. */
  readonly compression: SegmentCompression;
  /** Largest payload per segment. */
  readonly maxPayload: number;
  readonly #headerLength: number;
  /** Segment plan of the current call: `start, end, selfContained` triples. */
  #plan: number[] = [];
  #scratch: Uint8Array = new Uint8Array(0);

  /** @throws {RangeError} `maxPayload` outside 1..{@link MAX_SEGMENT_PAYLOAD} */
  constructor(options: SegmentEncoderOptions = {}) {
    const max = options.maxPayload ?? MAX_SEGMENT_PAYLOAD;
    if (!Number.isInteger(max) || max < 1 || max > MAX_SEGMENT_PAYLOAD) {
      throw new RangeError(`maxPayload must be 1..${MAX_SEGMENT_PAYLOAD}, got ${max}`);
    }
    this.compression = options.compression ?? null;
    this.maxPayload = max;
    this.#headerLength = this.compression === "lz4"
      ? LZ4_SEGMENT_HEADER_LENGTH
      : SEGMENT_HEADER_LENGTH;
  }

  /**
   * Segments for the envelopes in `src[from..to)`, as a new array of exactly
   * their length (the caller may hand it to a socket that keeps it).
   * @throws {RangeError} the range does not hold whole envelopes
   */
  encode(src: Uint8Array, from = 0, to: number = src.length): Uint8Array {
    const plan = this.#planEnvelopes(src, from, to);
    if (this.compression === null) {
      // Exact size is known up front: header, payload and trailer per segment.
      const segments = plan.length / 3;
      const out = new Uint8Array(to - from + segments * (SEGMENT_HEADER_LENGTH + 4));
      let at = 0;
      for (let i = 0; i < plan.length; i += 3) {
        at = this.#writePlain(out, at, src, plan[i], plan[i + 1], plan[i + 2] === 1);
      }
      return out;
    }
    let bound = 0;
    for (let i = 0; i < plan.length; i += 3) bound += this.#bound(plan[i + 1] - plan[i]);
    if (this.#scratch.length < bound) this.#scratch = new Uint8Array(bound);
    const scratch = this.#scratch;
    let at = 0;
    for (let i = 0; i < plan.length; i += 3) {
      at = this.#writeLz4(scratch, at, src, plan[i], plan[i + 1], plan[i + 2] === 1);
    }
    return scratch.slice(0, at);
  }

  /**
   * Seals in place ONE self-contained uncompressed segment whose payload (whole envelopes)
   * already sits at `buf[at + SEGMENT_HEADER_LENGTH, end)`: writes its header at `at` and its
   * CRC32 trailer at `end`, so the caller, which left room for both, sends `buf[at, returned)`
   * with no copy. Returns the segment's end, or -1 when the payload is longer than
   * {@link maxPayload} or the encoder compresses (then {@link encode} it).
   */
  sealInPlace(buf: Uint8Array, at: number, end: number): number {
    const p = at + SEGMENT_HEADER_LENGTH;
    const length = end - p;
    if (this.compression !== null || length < 0 || length > this.maxPayload) return -1;
    if (end + SEGMENT_TRAILER_LENGTH > buf.length) {
      throw new RangeError(`no room for the trailer after offset ${end}`);
    }
    writeSegmentHeader(buf, at, length, true);
    writeTrailer(buf, end, crc32(buf, p, end));
    return end + SEGMENT_TRAILER_LENGTH;
  }

  /**
   * Appends the segments for the envelopes in `src[from..to)` to `out`.
   * `src` must not be `out`'s own buffer.
   * @throws {RangeError} the range does not hold whole envelopes
   */
  encodeInto(out: Writer, src: Uint8Array, from = 0, to: number = src.length): void {
    const plan = this.#planEnvelopes(src, from, to);
    for (let i = 0; i < plan.length; i += 3) {
      this.writeSegment(out, src, plan[i], plan[i + 1], plan[i + 2] === 1);
    }
  }

  /**
   * Appends ONE segment carrying `src[from..to)` as its payload, whatever it
   * holds: the building block of {@link encode}, and what tests and tools use
   * to make segments of any payload (an empty one included).
   * @throws {RangeError} the payload is longer than {@link maxPayload}
   */
  writeSegment(
    out: Writer,
    src: Uint8Array,
    from: number,
    to: number,
    selfContained: boolean,
  ): void {
    const length = to - from;
    if (length < 0 || length > this.maxPayload) {
      throw new RangeError(`segment payload of ${length} bytes; the limit is ${this.maxPayload}`);
    }
    out.ensure(this.#bound(length));
    out.length = this.compression === null
      ? this.#writePlain(out.buf, out.length, src, from, to, selfContained)
      : this.#writeLz4(out.buf, out.length, src, from, to, selfContained);
  }

  /** Most bytes one segment of `length` payload bytes can take. */
  #bound(length: number): number {
    return this.compression === null
      ? SEGMENT_HEADER_LENGTH + length + SEGMENT_TRAILER_LENGTH
      : LZ4_SEGMENT_HEADER_LENGTH + lz4BlockBound(length) + SEGMENT_TRAILER_LENGTH;
  }

  #writePlain(
    out: Uint8Array,
    at: number,
    src: Uint8Array,
    from: number,
    to: number,
    selfContained: boolean,
  ): number {
    const length = to - from;
    writeSegmentHeader(out, at, length, selfContained);
    const p = at + SEGMENT_HEADER_LENGTH;
    out.set(src.subarray(from, to), p);
    writeTrailer(out, p + length, crc32(out, p, p + length));
    return p + length + SEGMENT_TRAILER_LENGTH;
  }

  /** As FrameEncoderLZ4: compress, but send as is (uncompressed length 0) unless smaller. */
  #writeLz4(
    out: Uint8Array,
    at: number,
    src: Uint8Array,
    from: number,
    to: number,
    selfContained: boolean,
  ): number {
    const length = to - from;
    const p = at + LZ4_SEGMENT_HEADER_LENGTH;
    let stored: number;
    if (length >= WASM_MIN_PAYLOAD && lz4WasmReady()) {
      // `[4-byte length][block]`; copied in only when smaller, so `out`'s room suffices.
      const c = lz4WasmCompress(src.subarray(from, to));
      stored = c.length - 4;
      if (stored < length) out.set(c.subarray(4), p);
    } else {
      stored = compressLz4Block(src.subarray(from, to), out, p) - p;
    }
    let uncompressed = length;
    if (stored >= length) {
      out.set(src.subarray(from, to), p);
      stored = length;
      uncompressed = 0;
    }
    writeLz4SegmentHeader(out, at, stored, uncompressed, selfContained);
    writeTrailer(out, p + stored, crc32(out, p, p + stored));
    return p + stored + SEGMENT_TRAILER_LENGTH;
  }

  /**
   * Plans segments over the envelopes of `src[from..to)`: runs of whole
   * envelopes up to the payload limit share a self-contained segment; a larger
   * envelope is split into limit-sized non-self-contained segments.
   */
  #planEnvelopes(src: Uint8Array, from: number, to: number): number[] {
    if (from < 0 || to > src.length || from > to) {
      throw new RangeError(`range ${from}..${to} is outside the ${src.length}-byte buffer`);
    }
    const plan = this.#plan;
    plan.length = 0;
    const max = this.maxPayload;
    let group = from;
    let at = from;
    while (at < to) {
      if (to - at < HEADER_LENGTH) {
        throw new RangeError(`${to - at} bytes at offset ${at} are not a whole envelope header`);
      }
      const body =
        ((src[at + 5] << 24) | (src[at + 6] << 16) | (src[at + 7] << 8) | src[at + 8]) >>>
        0;
      const end = at + HEADER_LENGTH + body;
      if (end > to) {
        throw new RangeError(`envelope at offset ${at} claims ${body} body bytes past the range`);
      }
      if (end - at > max) {
        if (at > group) plan.push(group, at, 1);
        for (let p = at; p < end; p += max) plan.push(p, Math.min(p + max, end), 0);
        group = end;
      } else if (end - group > max) {
        plan.push(group, at, 1);
        group = at;
      }
      at = end;
    }
    if (at > group) plan.push(group, at, 1);
    return plan;
  }
}
