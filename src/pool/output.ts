/**
 * The outgoing side of one connection: request frames encoded straight into
 * one buffer, stamped with their stream ids and sealed (compressed, v4), and
 * written to the socket together, one write per connection and turn of the
 * event loop.
 *
 * When the flush runs decides how many frames share a write. A microtask runs
 * before the answers of the other connections read in the same turn have
 * reached their callers, so under load each write carried ~4 frames and the
 * socket write was half of the client's CPU (Bun's profile: `write` 38–58 %
 * of samples). Where the runtime has `setImmediate` (Bun, Node) the flush
 * waits for the end of the I/O phase instead: every answer read in this turn
 * has by then produced its next request. Deno's socket already keeps one write
 * in flight and sends what queued meanwhile as one; there the flush stays a
 * microtask.
 * @module
 */

import { Writer } from "../wire/bytes.ts";
import { setStream, setVersion } from "../wire/frame.ts";
import { afterIo, runtime, type Schedule, type Socket } from "../runtime/mod.ts";
import type { Framing } from "./framing.ts";

/** What encodes a request frame into an output. */
export interface Encodes {
  /**
   * Appends the frame with a v4 header (the output sets its stream and version); a bad value
   * throws and nothing of the frame stays. `metadataId`: EXECUTE carries a result metadata id.
   */
  encode(w: Writer, version: number, metadataId: boolean): void;
}

/**
 * Runs the flush of every output written to in this turn (exported for the bench's floor client,
 * which writes as the driver does).
 */
export const schedule: Schedule = runtime !== "deno" && afterIo !== null ? afterIo : queueMicrotask;

/** Outputs with frames waiting for the scheduled flush. */
let dirty: Output[] = [];

function flushAll(): void {
  const outputs = dirty;
  dirty = [];
  for (let i = 0; i < outputs.length; i++) {
    try {
      outputs[i].flush();
    } catch (e) {
      // One socket's failure must not keep the others' frames back; it still surfaces.
      queueMicrotask(() => {
        throw e;
      });
    }
  }
}

/**
 * Room for the frames of many flushes. A flush hands the socket its frames as a range of this
 * buffer, which the socket may keep until written, instead of a copy (an ArrayBuffer per
 * write); later frames go after them, and a full buffer is replaced, never written over.
 */
const ARENA = 64 * 1024;
/** Less room than this left after a flush: the next frames go to a new buffer. */
const ARENA_SPARE = 8 * 1024;

/** The frames one connection sends in this turn. */
export class Output {
  /** Where flushed bytes go; `null` before the socket is open and after close. */
  socket: Socket | null = null;
  readonly #framing: Framing;
  #out = new Writer(ARENA);
  /** Where the frames not yet flushed start in `#out` (after `#room`). */
  #from = 0;
  /** Bytes left at `#from` for the v5 segment header sealed around this write's frames. */
  #room = 0;
  #scheduled = false;

  /** @param framing the connection's framing: version, compression, v5 segments */
  constructor(framing: Framing) {
    this.#framing = framing;
  }

  /**
   * Appends the frame `request` encodes, on stream `stream`. A throwing encoder
   * (a bad value) or compressor leaves nothing of its frame in the buffer.
   * `metadataId` goes to the encoder: EXECUTE carries result metadata ids here.
   */
  append(stream: number, request: Encodes, metadataId = false): void {
    const out = this.#out;
    if (out.length === this.#from) {
      // The first frame of this write: room for its v5 segment header goes before it.
      const room = this.#framing.segmentRoom;
      out.ensure(room);
      out.length += room;
      this.#room = room;
    }
    const start = out.length;
    const version = this.#framing.version;
    try {
      request.encode(out, version, metadataId);
      setStream(out.buf, stream, start);
      // Encoders write a v4 header; the body was already encoded for this connection's version.
      if (version !== 4) setVersion(out.buf, version, start);
      this.#framing.seal(out, start);
    } catch (e) {
      out.length = start;
      throw e;
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      if (dirty.length === 0) schedule(flushAll);
      dirty.push(this);
    }
  }

  /** Writes the frames appended since the last flush, as one socket write. */
  flush(): void {
    this.#scheduled = false;
    const out = this.#out;
    const from = this.#from, room = this.#room;
    this.#room = 0;
    if (this.socket === null || out.length === from + room) {
      out.length = from;
      return;
    }
    let start = from;
    let end = room === 0 ? -1 : this.#framing.sealInPlace(out, from);
    if (end < 0) {
      const segments = this.#framing.segmentsOf(out, from + room);
      if (segments !== null) {
        // v5 frames over one segment's size (or compressed): the segments are a copy, so the
        // frames' room serves the next ones.
        this.#rewind();
        this.socket.write(segments, 0, segments.length);
        return;
      }
      start = from + room;
      end = out.length;
    }
    // The frames go as a range of the buffer (v5: sealed in place as one segment): no copy and
    // no view per flush. A socket that keeps them (Deno, Node) gets bytes never written over
    // (see ARENA); one that copied them to the kernel during the call (Bun) leaves the room to
    // the next frames, whose bytes are then still in the CPU's cache.
    const buf = out.buf;
    if (this.socket.write(buf, start, end)) this.#rewind();
    else if (buf.length - end < ARENA_SPARE) {
      this.#out = new Writer(ARENA);
      this.#from = 0;
    } else this.#from = end;
  }

  /** Starts over at the buffer's start: nothing in it is needed any more. */
  #rewind(): void {
    // A buffer grown for a large frame is not kept for a connection's lifetime.
    if (this.#out.buf.length > ARENA) this.#out = new Writer(ARENA);
    else this.#out.length = 0;
    this.#from = 0;
  }

  /** Drops what is buffered; nothing more is written. */
  close(): void {
    this.socket = null;
    this.#out.length = this.#from;
    this.#room = 0;
  }
}
