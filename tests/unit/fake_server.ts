/**
 * SIMULATION — not a database. A tiny in-process stand-in for one CQL v4 node,
 * listening with `node:net` on 127.0.0.1 (works on Deno, Bun and Node), so the
 * connection layer can be tested against real sockets without ScyllaDB.
 *
 * It answers OPTIONS with SUPPORTED, STARTUP with READY (or AUTHENTICATE when
 * told to require a password), AUTH_RESPONSE after checking the SASL PLAIN
 * token, `USE ks` with Set_keyspace, and every other QUERY through a handler
 * the test supplies (default: a Rows result echoing the CQL text). It can hold
 * answers, answer out of order, inject raw frames, and drop the socket.
 * @module
 */

import { createServer, type Server, type Socket as NetSocket } from "node:net";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import { FrameDecoder } from "../../src/wire/frame_decoder.ts";
import { FrameFlag, HEADER_LENGTH, Opcode } from "../../src/wire/frame.ts";
import {
  type CompressionName,
  type Compressor,
  compressorFor,
} from "../../src/wire/compression/mod.ts";

/** One request frame as the fake received it (body already decompressed). */
export interface FakeRequest {
  /** The connection it came on. */
  conn: FakeConnection;
  stream: number;
  opcode: number;
  /** Header flags as sent (the COMPRESSION bit tells whether the client compressed it). */
  flags: number;
  /** The decompressed body. */
  body: Uint8Array;
  /** The CQL text of a QUERY or PREPARE, else "". */
  cql: string;
}

/** What the fake does with a QUERY the handshake code does not own. */
export type QueryHandler = (q: FakeRequest) => void;

/** How the fake node behaves. */
export interface FakeServerOptions {
  /** Compression algorithms listed in SUPPORTED. */
  compression?: CompressionName[];
  /**
   * Compress every answer after a STARTUP that asked for compression, READY
   * included (what ScyllaDB's transport/server.cc does). When false, only
   * answers to requests after the handshake are compressed.
   */
  compressHandshake?: boolean;
  /** Extra SUPPORTED entries. */
  supported?: Record<string, string[]>;
  /** Require PasswordAuthenticator with these credentials. */
  auth?: { username: string; password: string };
  /** Handles QUERY/PREPARE/EXECUTE/BATCH; default answers Rows echoing the CQL. */
  onQuery?: QueryHandler;
}

/** A server-side connection of the fake. */
export class FakeConnection {
  readonly socket: NetSocket;
  /** Every request received, in order. */
  readonly received: FakeRequest[] = [];
  /** STARTUP options the client sent. */
  startup: Map<string, string> | null = null;
  /** SASL token of the last AUTH_RESPONSE. */
  authToken: Uint8Array | null = null;
  /** First frames refused for their protocol version (a newer one than v4). */
  versionProbes = 0;
  #compressor: Compressor | null = null;
  #compressAnswers = false;
  #server: FakeServer;
  #decoder: FrameDecoder;

  constructor(server: FakeServer, socket: NetSocket) {
    this.#server = server;
    this.socket = socket;
    this.#decoder = new FrameDecoder((h, bytes, start, end) => {
      let plain: Uint8Array = bytes.slice(start, end);
      if (h.flags & FrameFlag.COMPRESSION) {
        if (this.#compressor === null) throw new Error("fake: compressed frame before STARTUP");
        plain = this.#compressor.decompress(plain);
      }
      const r = new Reader(plain);
      const cql = h.opcode === Opcode.QUERY || h.opcode === Opcode.PREPARE
        ? r.readLongString()
        : "";
      this.#handle({
        conn: this,
        stream: h.stream,
        opcode: h.opcode,
        flags: h.flags,
        body: plain,
        cql,
      });
    });
    socket.on("data", (chunk: Uint8Array) => {
      // A v4-only node (Cassandra 3, ScyllaDB) answers a newer version's first frame with a
      // PROTOCOL_ERROR in its own version, then closes: drivers fall back on that answer.
      if (this.received.length === 0 && chunk.length >= HEADER_LENGTH && (chunk[0] & 0x7f) !== 4) {
        const message = `Invalid or unsupported protocol version (${chunk[0] & 0x7f})`;
        const body = new Writer().writeInt(0x000a).writeString(message).toBytes();
        const stream = ((chunk[2] << 24) >> 16) | chunk[3];
        this.versionProbes++;
        socket.end(frameBytes(stream, Opcode.ERROR, body));
        return;
      }
      try {
        this.#decoder.push(new Uint8Array(chunk));
      } catch {
        socket.destroy();
      }
      this.#server.onChunk?.(this);
    });
    socket.on("error", () => {/* the client went away; nothing to do */});
  }

  /** Whether answers are being compressed. */
  get compressing(): boolean {
    return this.#compressAnswers;
  }

  /** Sends one response frame, compressed when the connection negotiated it. */
  send(stream: number, opcode: number, body: Uint8Array | number[], flags = 0): void {
    let b = body instanceof Uint8Array ? body : new Uint8Array(body);
    if (this.#compressAnswers) {
      b = this.#compressor!.compress(b);
      flags |= FrameFlag.COMPRESSION;
    }
    this.sendRaw(frameBytes(stream, opcode, b, flags));
  }

  /** Writes bytes as they are. */
  sendRaw(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** Answers `q` with `opcode` and `body`. */
  reply(q: FakeRequest, opcode: number, body: Uint8Array | number[]): void {
    this.send(q.stream, opcode, body);
  }

  /** Drops the TCP connection abruptly. */
  drop(): void {
    this.socket.destroy();
  }

  #handle(q: FakeRequest): void {
    this.received.push(q);
    const opts = this.#server.options;
    switch (q.opcode) {
      case Opcode.OPTIONS: {
        const w = new Writer();
        const entries: [string, string[]][] = [
          ["CQL_VERSION", ["3.0.0"]],
          ["COMPRESSION", opts.compression ?? []],
          ...Object.entries(opts.supported ?? {}),
        ];
        w.writeShort(entries.length);
        for (const [k, v] of entries) w.writeString(k).writeStringList(v);
        this.reply(q, Opcode.SUPPORTED, w.toBytes());
        return;
      }
      case Opcode.STARTUP: {
        const r = new Reader(q.body);
        const n = r.readShort();
        this.startup = new Map();
        for (let i = 0; i < n; i++) this.startup.set(r.readString(), r.readString());
        const name = this.startup.get("COMPRESSION");
        if (name !== undefined) {
          this.#compressor = compressorFor(name as CompressionName);
          this.#compressAnswers = opts.compressHandshake === true;
        }
        if (opts.auth) {
          this.reply(
            q,
            Opcode.AUTHENTICATE,
            stringBody("org.apache.cassandra.auth.PasswordAuthenticator"),
          );
        } else {
          this.reply(q, Opcode.READY, []);
        }
        this.#afterHandshakeStep(name !== undefined && !opts.auth);
        return;
      }
      case Opcode.AUTH_RESPONSE: {
        const token = new Reader(q.body).readBytes();
        this.authToken = token === null ? null : token.slice();
        const want = new TextEncoder().encode(`\0${opts.auth!.username}\0${opts.auth!.password}`);
        if (token !== null && equalBytes(token, want)) {
          this.reply(q, Opcode.AUTH_SUCCESS, [0xff, 0xff, 0xff, 0xff]); // null token
        } else {
          this.reply(
            q,
            Opcode.ERROR,
            errorBody(0x0100, "Provided username and/or password are incorrect"),
          );
        }
        this.#afterHandshakeStep(this.startup?.has("COMPRESSION") === true);
        return;
      }
      case Opcode.QUERY: {
        const m = /^USE (\S+)$/.exec(q.cql);
        if (m) {
          const w = new Writer();
          w.writeInt(3).writeString(m[1].replaceAll('"', ""));
          this.reply(q, Opcode.RESULT, w.toBytes());
          return;
        }
        break;
      }
    }
    (opts.onQuery ?? echoRows)(q);
  }

  /** After READY or AUTH_SUCCESS the handshake is over: compress from now on. */
  #afterHandshakeStep(done: boolean): void {
    if (done && this.#compressor !== null) this.#compressAnswers = true;
  }
}

/** The fake node. */
export class FakeServer {
  readonly options: FakeServerOptions;
  /** Accepted connections, oldest first. */
  readonly connections: FakeConnection[] = [];
  /** Called after each TCP chunk from a client has been processed. */
  onChunk?: (c: FakeConnection) => void;
  #server: Server;
  #port = 0;
  #waiters: ((c: FakeConnection) => void)[] = [];

  private constructor(options: FakeServerOptions) {
    this.options = options;
    this.#server = createServer((socket) => {
      socket.setNoDelay(true);
      const c = new FakeConnection(this, socket);
      this.connections.push(c);
      for (const w of this.#waiters.splice(0)) w(c);
    });
  }

  /** Starts a fake node on an ephemeral port of 127.0.0.1. */
  static async start(options: FakeServerOptions = {}): Promise<FakeServer> {
    const s = new FakeServer(options);
    await new Promise<void>((resolve, reject) => {
      s.#server.once("error", reject);
      s.#server.listen(0, "127.0.0.1", () => resolve());
    });
    s.#port = (s.#server.address() as { port: number }).port;
    return s;
  }

  /** The listening port. */
  get port(): number {
    return this.#port;
  }

  /** Resolves with the next connection accepted (or the first, if one is there already). */
  connection(index = 0): Promise<FakeConnection> {
    if (this.connections[index]) return Promise.resolve(this.connections[index]);
    return new Promise((resolve) => this.#waiters.push(() => resolve(this.connection(index))));
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Default QUERY handler: a Rows result whose one cell is the CQL text. */
export function echoRows(q: FakeRequest): void {
  q.conn.reply(q, Opcode.RESULT, rowsBody([q.cql]));
}

/** A RESULT Rows body: one `text` column `v` in ks.t, one row per value. */
export function rowsBody(values: (string | null)[]): Uint8Array {
  const w = new Writer();
  w.writeInt(2); // kind Rows
  w.writeInt(0x0001); // Global_tables_spec
  w.writeInt(1); // 1 column
  w.writeString("ks").writeString("t");
  w.writeString("v").writeShort(0x000d); // varchar
  w.writeInt(values.length);
  for (const v of values) w.writeBytes(v === null ? null : new TextEncoder().encode(v));
  return w.toBytes();
}

/** A RESULT Void body. */
export const VOID_BODY: Uint8Array = new Uint8Array([0, 0, 0, 1]);

/** An ERROR body with only a code and a message. */
export function errorBody(code: number, message: string, tail: number[] = []): Uint8Array {
  const w = new Writer();
  w.writeInt(code).writeString(message).writeRaw(new Uint8Array(tail));
  return w.toBytes();
}

/** A body holding one `[string]`. */
export function stringBody(s: string): Uint8Array {
  return new Writer().writeString(s).toBytes();
}

/** A whole server-to-client frame. */
export function frameBytes(
  stream: number,
  opcode: number,
  body: Uint8Array,
  flags = 0,
): Uint8Array {
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  out[0] = 0x84;
  out[1] = flags;
  out[2] = (stream >> 8) & 0xff;
  out[3] = stream & 0xff;
  out[4] = opcode;
  new DataView(out.buffer).setUint32(5, body.length);
  out.set(body, HEADER_LENGTH);
  return out;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
