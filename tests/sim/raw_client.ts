/**
 * A bare CQL v4 client for checking the simulation itself (tests only): one
 * socket, one request at a time, no driver logic, so a test controls exactly
 * which node and shard a request reaches and sees the raw response flags and
 * custom payload.
 * @module
 */

import * as net from "node:net";
import { Reader, Writer } from "../../src/wire/bytes.ts";

/** A response as received. */
export interface RawResponse {
  flags: number;
  opcode: number;
  /** The custom payload when flag 0x04 is set. */
  payload: Map<string, Uint8Array | null> | null;
  /** The body after the custom payload. */
  body: Reader;
}

/** One connection to a simulated node. */
export class RawClient {
  /** `SCYLLA_SHARD` of this connection; SUPPORTED as a whole in {@link supported}. */
  shard = -1;
  supported = new Map<string, string[]>();
  #socket: net.Socket;
  #buffer = new Uint8Array(0);
  #waiting: ((r: RawResponse) => void) | null = null;

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Uint8Array) => {
      const joined = new Uint8Array(this.#buffer.length + chunk.length);
      joined.set(this.#buffer);
      joined.set(chunk, this.#buffer.length);
      this.#buffer = joined;
      if (joined.length < 9) return;
      const length = new DataView(joined.buffer).getInt32(5);
      if (joined.length < 9 + length) return;
      const flags = joined[1], opcode = joined[4];
      const body = new Reader(joined.slice(9, 9 + length));
      this.#buffer = joined.slice(9 + length);
      const payload = flags & 0x04 ? body.readBytesMap() : null;
      const w = this.#waiting;
      this.#waiting = null;
      w?.({ flags, opcode, payload, body });
    });
  }

  /** Connects, reads SUPPORTED, and sends STARTUP with `options` (plus CQL_VERSION). */
  static async connect(
    host: string,
    port: number,
    options: Record<string, string> = {},
  ): Promise<RawClient> {
    const socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const c = new RawClient(socket);
    const supported = await c.request(0x05, new Uint8Array(0));
    c.supported = supported.body.readStringMultimap();
    c.shard = Number(c.supported.get("SCYLLA_SHARD")?.[0] ?? -1);
    await c.request(
      0x01,
      new Writer(64).writeStringMap({ CQL_VERSION: "3.0.0", ...options }).toBytes(),
    );
    return c;
  }

  /** Sends one request frame and waits for its response. */
  request(opcode: number, body: Uint8Array): Promise<RawResponse> {
    const frame = new Uint8Array(9 + body.length);
    frame[0] = 0x04;
    frame[4] = opcode;
    new DataView(frame.buffer).setInt32(5, body.length);
    frame.set(body, 9);
    const done = new Promise<RawResponse>((resolve) => (this.#waiting = resolve));
    this.#socket.write(frame);
    return done;
  }

  /** PREPARE: the statement id. */
  async prepare(cql: string): Promise<Uint8Array> {
    const r = await this.request(0x09, new Writer(64).writeLongString(cql).toBytes());
    if (r.opcode !== 0x08) throw new Error(`prepare failed: opcode ${r.opcode}`);
    r.body.readInt(); // kind Prepared
    return r.body.readShortBytes().slice();
  }

  /** EXECUTE with an `int` key (and `v` when the statement has two markers), ONE; `block` appended when given. */
  execute(id: Uint8Array, values: number[], block?: number): Promise<RawResponse> {
    const w = new Writer(64).writeShortBytes(id).writeShort(0x0001).writeByte(0x01);
    w.writeShort(values.length);
    for (const v of values) w.writeBytes(new Writer(4).writeInt(v).toBytes());
    if (block !== undefined) w.writeByte(block);
    return this.request(0x0a, w.toBytes());
  }

  /** Closes the socket. */
  close(): void {
    this.#socket.destroy();
  }
}
