/**
 * One CQL connection: handshake, many requests in flight by stream id,
 * frames written together, deadlines, and clean failure when the socket dies.
 * @module
 */

import { connect, type ConnectOptions, runtime, type Socket } from "../runtime/mod.ts";
import { setShortTextLimit } from "../wire/codec/text.ts";
import { EVENT_STREAM, type FrameHeader, Opcode } from "../wire/frame.ts";
import type { FrameEncoder } from "../wire/requests/envelope.ts";
import { openBody, openBodyInto, scratchBody } from "../wire/responses/envelope.ts";
import { decodeError } from "../wire/responses/error.ts";
import { decodeEvent, type ServerEvent } from "../wire/responses/event.ts";
import type { Compressor } from "../wire/compression/mod.ts";
import { ConnectionError, ProtocolError, RequestTimeoutError, ScyllaError } from "../errors.ts";
import { errorFromServer } from "../server_errors.ts";
import { formatContactPoint } from "./address.ts";
import { StreamIds } from "./stream_ids.ts";
import { handshake, type HandshakeOptions } from "./handshake.ts";
import { DeadlineTimer } from "./deadline_timer.ts";
import { Framing } from "./framing.ts";
import { Output } from "./output.ts";
import { openInVersion } from "./version_choice.ts";
import {
  CallbackPending,
  connectionLost,
  type Pending,
  rawFrame,
  type ResponseDecoder,
  type SendOptions,
  timeoutError,
} from "./pending.ts";

// Deno's TextDecoder call costs ~0.8 us where a JS loop decodes 64 ASCII bytes in ~0.4 us.
if (runtime === "deno") setShortTextLimit(64);

export type { ResponseDecoder, SendOptions };

/** Everything needed to open a connection. */
export interface ConnectionOptions extends ConnectOptions, HandshakeOptions {
  /** TCP connect + handshake deadline. */
  connectTimeoutMs: number;
  /** Requests in flight at most (stream ids used). */
  maxInFlight: number;
  /** Requests that may wait for a stream id; more are refused at once. */
  maxQueued?: number;
  /** Called for server-pushed events (after REGISTER). */
  onEvent?: (event: ServerEvent) => void;
  /** Called once when the connection closes, with the reason if it failed. */
  onClose?: (error?: Error) => void;
}

/** What `send` takes: encoded bytes, or an encoder that appends the frame. */
export type Frame = Uint8Array | FrameEncoder;

/**
 * An open, ready connection to one node.
 * @internal
 */
export class Connection {
  /** `host:port` of the node. */
  readonly address: string;
  /** Options the server listed in SUPPORTED. */
  supported: Map<string, string[]> = new Map();
  /** Keyspace the connection is using, as the server reported it. */
  keyspace: string | null = null;
  /** Protocol extensions negotiated in STARTUP (names as the server spells them). */
  extensions: readonly string[] = [];
  /** ScyllaDB tablets routing negotiated: 0 none, 1 v1, 2 the v2 experiment. */
  tabletsRouting: 0 | 1 | 2 = 0;
  /** PREPARED and EXECUTE carry result metadata ids (v5, or `SCYLLA_USE_METADATA_ID`); set by the handshake. */
  metadataId = false;

  #socket!: Socket;
  #ids: StreamIds;
  #pending: (Pending | undefined)[];
  #waiting: Pending[] = [];
  #framing: Framing;
  /** Frames of this turn, encoded in place, written together by the next flush. */
  #output: Output;
  #closed = false;
  #closeError: Error | undefined;
  #timer: DeadlineTimer;
  #opts: ConnectionOptions;
  #rateLimitCode: number | undefined;
  #abandoned = 0;
  /** The body of the answer being settled, reused: decoders copy what they keep of it. */
  readonly #body = scratchBody();
  /** The chunk the last answer arrived in, and a DataView for it (see `#viewOf`). */
  #viewChunk: Uint8Array | null = null;
  #view: DataView | undefined;

  private constructor(opts: ConnectionOptions, version: number) {
    this.#opts = opts;
    this.address = formatContactPoint(opts);
    this.#ids = new StreamIds(opts.maxInFlight);
    this.#pending = new Array(opts.maxInFlight);
    this.#framing = new Framing((h, b, s, e) => this.#onFrame(h, b, s, e), version);
    this.#output = new Output(this.#framing);
    this.#timer = new DeadlineTimer(() => this.#expire());
  }

  /**
   * Opens a socket and completes the handshake, in the pinned protocol version
   * or else the highest both sides speak: v5 is offered first and a server that
   * refuses it (ScyllaDB, Cassandra 3) is asked again in v4, on a new socket.
   * @throws {ConnectionError} unreachable, refused, too slow, or the pinned version refused
   * @throws {AuthenticationError} credentials missing or rejected
   */
  static open(opts: ConnectionOptions): Promise<Connection> {
    return openInVersion(opts, (version) => Connection.#openAs(opts, version));
  }

  static async #openAs(opts: ConnectionOptions, version: number): Promise<Connection> {
    const c = new Connection(opts, version);
    const deadline = setTimeout(() => {
      c.#fail(
        new ConnectionError(
          `connecting to ${c.address} timed out after ${opts.connectTimeoutMs} ms`,
        ),
      );
    }, opts.connectTimeoutMs);
    try {
      c.#socket = await connect(opts, {
        onData: (bytes, length) => c.#onData(bytes, length),
        onClose: (err) => c.#fail(connectionLost(c.address, err)),
      });
      if (c.#closed) {
        c.#socket.close();
        throw c.#closeError;
      }
      c.#output.socket = c.#socket;
      const result = await handshake(c, opts);
      c.#framing.compressor = result.compressor;
      c.#framing.decompressor = result.compressor;
      c.#rateLimitCode = result.rateLimitCode;
      c.extensions = result.extensions;
      c.tabletsRouting = result.tabletsRouting;
      return c;
    } catch (e) {
      c.close();
      // A handshake step may hit its deadline just before open()'s own: same failure, same class.
      if (e instanceof RequestTimeoutError) {
        throw new ConnectionError(
          `connecting to ${c.address} timed out after ${opts.connectTimeoutMs} ms`,
          { cause: e },
        );
      }
      if (e instanceof ScyllaError) throw e;
      throw new ConnectionError(`cannot connect to ${c.address}: ${(e as Error).message}`, {
        cause: e,
      });
    } finally {
      clearTimeout(deadline);
    }
  }

  /** The protocol version this connection speaks. */
  get protocolVersion(): 4 | 5 {
    return this.#framing.version as 4 | 5;
  }

  /** Switches to v5 segment framing; the handshake calls it after READY or AUTHENTICATE. */
  startSegments(compression: "lz4" | null): void {
    this.#framing.startSegments(compression);
  }

  /** True once closed or failed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests sent and not yet answered (including abandoned ones). */
  get inFlight(): number {
    return this.#opts.maxInFlight - this.#ids.available;
  }

  /**
   * Requests already rejected to their caller (timed out or aborted) whose stream ids wait for
   * the server's late answer; each is also counted in {@link inFlight}.
   */
  get abandoned(): number {
    return this.#abandoned;
  }

  /** Requests waiting for a stream id. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Sends one encoded request frame and resolves with the decoded answer.
   * @throws {ConnectionError} the connection is closed or dies before the answer
   * @throws {RequestTimeoutError} no answer within `timeoutMs`
   * @throws {ScyllaError} the server answered with an ERROR
   */
  send<T>(frame: Frame, decode: ResponseDecoder<T>, opts: SendOptions): Promise<T> {
    const encode = typeof frame === "function" ? frame : rawFrame(frame);
    return new Promise<T>((resolve, reject) =>
      this.sendPending(
        new CallbackPending(
          encode,
          decode,
          resolve as (answer: unknown) => void,
          reject,
          opts.timeoutMs,
        ),
        opts.signal,
      )
    );
  }

  /**
   * Sends `pending`, which encodes itself once it has a stream id (at once, or
   * when one is freed); the connection calls exactly one of its `resolve` and
   * `reject`, `reject` at once when nothing can be sent (with the errors
   * {@link send} rejects with).
   * @param signal the caller's cancellation: an abort rejects the request at once
   */
  sendPending(pending: Pending, signal?: AbortSignal): void {
    if (this.#closed) {
      return pending.reject(
        new ConnectionError(`connection to ${this.address} is closed`, {
          cause: this.#closeError,
          notSent: true,
        }),
      );
    }
    if (signal?.aborted) return pending.reject(signal.reason);
    const maxQueued = this.#opts.maxQueued ?? Infinity;
    if (this.#ids.available === 0 && this.#waiting.length >= maxQueued) {
      return pending.reject(
        new ConnectionError(
          `${this.address} is saturated: ${this.#opts.maxInFlight} requests in flight and ${maxQueued} queued`,
          { notSent: true },
        ),
      );
    }
    pending.deadline = this.#timer.deadline(pending.timeoutMs);
    if (signal) this.#watchAbort(pending, signal);
    this.#timer.arm(pending.deadline);
    const stream = this.#ids.acquire();
    if (stream < 0) this.#waiting.push(pending);
    else this.#dispatch(stream, pending);
  }

  /**
   * Accepts compressed answers from now on. The handshake calls it as STARTUP
   * with a COMPRESSION option goes out: Cassandra compresses its READY.
   */
  expectCompressed(compressor: Compressor): void {
    this.#framing.decompressor = compressor;
  }

  /** Closes the socket; requests in flight fail with `ConnectionError`. */
  close(): void {
    this.#fail(new ConnectionError(`connection to ${this.address} was closed by the client`));
  }

  /**
   * Encodes the frame straight into the output buffer with its stream id. An
   * encoding error (a bad value) fails only this request.
   */
  #dispatch(stream: number, pending: Pending): void {
    try {
      this.#output.append(stream, pending, this.metadataId);
    } catch (e) {
      this.#ids.release(stream);
      this.#forget(pending);
      pending.reject(e);
      return;
    }
    this.#pending[stream] = pending;
  }

  #onData(bytes: Uint8Array, length: number): void {
    if (this.#closed) return;
    try {
      this.#framing.push(bytes, length);
    } catch (e) {
      this.#fail(e instanceof ScyllaError ? e : new ProtocolError(String(e), { cause: e }));
    }
  }

  /** A frame whose body is `bytes[start, end)`. */
  #onFrame(header: FrameHeader, bytes: Uint8Array, start: number, end: number): void {
    if (header.stream === EVENT_STREAM) {
      if (header.opcode === Opcode.EVENT) this.#onEvent(header, bytes, start, end);
      return;
    }
    const stream = header.stream;
    const pending = stream >= 0 ? this.#pending[stream] : undefined;
    if (pending === undefined) {
      throw new ProtocolError(`server answered on stream ${stream}, which has no request`);
    }
    this.#pending[stream] = undefined;
    if (pending.abandoned) this.#abandoned--;
    else this.#settle(pending, header, bytes, start, end);
    this.#releaseStream(stream);
  }

  /** Decodes the answer for its caller; a decode failure fails only that request. */
  #settle(
    pending: Pending,
    header: FrameHeader,
    bytes: Uint8Array,
    start: number,
    end: number,
  ): void {
    if (pending.signal && pending.onAbort) {
      pending.signal.removeEventListener("abort", pending.onAbort);
    }
    try {
      const version = this.#framing.version;
      const plain = this.#framing.decompressed(header, bytes, start, end);
      const body = plain === null
        ? openBodyInto(
          this.#body,
          header.flags,
          bytes,
          version,
          this.metadataId,
          start,
          end,
          this.#viewOf(bytes),
        )
        : openBody(header.flags, plain, version, this.metadataId);
      if (header.opcode === Opcode.ERROR) {
        pending.reject(errorFromServer(decodeError(body.reader, this.#rateLimitCode, version)));
      } else {
        pending.resolve(pending.decode(header.opcode, body));
      }
    } catch (e) {
      // Decoders only read what the server sent: any failure of theirs is the server's bytes.
      pending.reject(
        e instanceof ScyllaError
          ? e
          : new ProtocolError(`cannot decode answer: ${(e as Error).message}`, { cause: e }),
      );
    }
  }

  /**
   * A DataView whose offsets are `chunk`'s: one serves every chunk the socket hands in the same
   * array (Deno's and Bun's readers hand their one read buffer each time, found by identity) or
   * at the same offset of the same buffer. It may reach past the chunk's end; readers stop at
   * the frame's end.
   */
  #viewOf(chunk: Uint8Array): DataView {
    const view = this.#view;
    if (chunk === this.#viewChunk) return view!;
    this.#viewChunk = chunk;
    if (
      view !== undefined && chunk.buffer === view.buffer && chunk.byteOffset === view.byteOffset
    ) {
      return view;
    }
    return this.#view = new DataView(chunk.buffer, chunk.byteOffset);
  }

  #releaseStream(stream: number): void {
    // No shift() of an empty queue per answer: JavaScriptCore pays for it.
    const next = this.#waiting.length === 0 ? undefined : this.#waiting.shift();
    if (next === undefined) this.#ids.release(stream);
    else {
      // #dispatch releases the id itself if the waiting frame fails to encode.
      this.#ids.release(stream);
      this.#dispatch(this.#ids.acquire(), next);
    }
  }

  /** Drops the abort listener of a request that is settled without an answer. */
  #forget(pending: Pending): void {
    if (pending.signal && pending.onAbort) {
      pending.signal.removeEventListener("abort", pending.onAbort);
    }
  }

  #onEvent(header: FrameHeader, bytes: Uint8Array, start: number, end: number): void {
    if (!this.#opts.onEvent) return;
    try {
      const plain = this.#framing.decompressed(header, bytes, start, end);
      const body = plain === null
        ? openBody(header.flags, bytes, undefined, undefined, start, end)
        : openBody(header.flags, plain);
      this.#opts.onEvent(decodeEvent(body.reader));
    } catch {
      // An event the driver cannot read only costs a metadata refresh; the connection stays.
    }
  }

  #watchAbort(pending: Pending, signal: AbortSignal): void {
    pending.signal = signal;
    pending.onAbort = () => this.#abandon(pending, signal.reason);
    signal.addEventListener("abort", pending.onAbort, { once: true });
  }

  /** Rejects the caller now; the stream id stays taken until the late answer arrives. */
  #abandon(pending: Pending, reason: unknown): void {
    if (pending.abandoned) return;
    const queued = this.#waiting.indexOf(pending);
    if (queued >= 0) this.#waiting.splice(queued, 1);
    else {
      pending.abandoned = true;
      this.#abandoned++;
    }
    pending.reject(reason);
    // Most ids held by answers that never come: the node is stuck; replace the connection.
    if (this.#abandoned > this.#opts.maxInFlight / 2) {
      this.#fail(
        new ConnectionError(`${this.#abandoned} requests to ${this.address} went unanswered`),
      );
    }
  }

  /** Runs on the deadline timer: times out requests past their deadline. */
  #expire(): boolean {
    const now = this.#timer.now();
    let live = 0;
    for (const p of this.#pending) {
      if (p === undefined || p.abandoned) continue;
      if (p.deadline <= now) this.#abandon(p, timeoutError(this.address, p));
      else live++;
    }
    for (const w of [...this.#waiting]) {
      if (w.deadline <= now) this.#abandon(w, timeoutError(this.address, w));
      else live++;
    }
    return live > 0;
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    this.#timer.stop();
    this.#output.close();
    this.#socket?.close();
    // Bytes the connection cannot read (a bad CRC, a broken frame) end the connection, not the
    // requests' statements: those fail as connection failures, which idempotent ones retry.
    const reason = error instanceof ScyllaError && !(error instanceof ProtocolError)
      ? error
      : new ConnectionError(`connection to ${this.address} failed: ${error.message}`, {
        cause: error,
      });
    for (let i = 0; i < this.#pending.length; i++) {
      const p = this.#pending[i];
      if (p === undefined) continue;
      this.#pending[i] = undefined;
      if (!p.abandoned) {
        if (p.signal && p.onAbort) p.signal.removeEventListener("abort", p.onAbort);
        p.reject(reason);
      }
    }
    for (const w of this.#waiting) w.reject(reason);
    this.#waiting = [];
    this.#opts.onClose?.(error);
  }
}
