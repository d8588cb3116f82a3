/**
 * A deliberately tiny CQL v4 client for readiness checks and smoke tests: OPTIONS, STARTUP,
 * SASL PLAIN login and simple QUERYs whose rows hold text, inet, uuid or int-like columns.
 * Self-contained (no import from `src/`) and built on `node:net`/`node:tls`, so it runs on
 * Deno, Bun and Node and keeps working while the real driver is being changed.
 * @module
 */

import { connect as tcpConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** How to reach and log in to one node. */
export interface ProbeOptions {
  host: string;
  port?: number;
  user?: string;
  password?: string;
  /** Speak TLS; PEM strings. `ca` omitted means "do not verify the server". */
  tls?: { ca?: string; cert?: string; key?: string; servername?: string };
  /** Per-step deadline: connect, each request. */
  timeoutMs?: number;
}

/** A server ERROR response, as data. */
export class CqlServerError extends Error {
  constructor(readonly code: number, message: string) {
    super(`server error 0x${code.toString(16).padStart(4, "0")}: ${message}`);
    this.name = "CqlServerError";
  }
}

/** A decoded row: column name to a string rendering of the value (`null` for NULL). */
export type ProbeRow = Record<string, string | null>;

const Op = {
  ERROR: 0x00,
  STARTUP: 0x01,
  READY: 0x02,
  AUTHENTICATE: 0x03,
  OPTIONS: 0x05,
  SUPPORTED: 0x06,
  QUERY: 0x07,
  RESULT: 0x08,
  AUTH_SUCCESS: 0x10,
  AUTH_RESPONSE: 0x0f,
} as const;

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Frame {
  opcode: number;
  body: Uint8Array;
  flags?: number;
}

/** Options of {@link CqlProbe.query}. */
export interface ProbeQueryOptions {
  /** Consistency code (ONE = 1, QUORUM = 4, ALL = 5, LOCAL_ONE = 10); ONE by default. */
  consistency?: number;
  /** Ask for tracing; the session id goes to `onTracingId`. */
  tracing?: boolean;
  onTracingId?: (id: string) => void;
}

/** One open connection; requests are sent one at a time. */
export class CqlProbe {
  #socket: Socket;
  #buf = new Uint8Array(0);
  #waiters = new Map<number, { resolve: (f: Frame) => void; reject: (e: Error) => void }>();
  #nextStream = 0;
  #closedWith: Error | null = null;
  #timeoutMs: number;
  /** What the server answered to the OPTIONS sent before STARTUP. */
  supported: Record<string, string[]> = {};

  private constructor(socket: Socket, timeoutMs: number) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on("data", (chunk: Uint8Array) => this.#onData(chunk));
    const fail = (e: Error) => {
      this.#closedWith ??= e;
      for (const w of this.#waiters.values()) w.reject(this.#closedWith);
      this.#waiters.clear();
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed by server")));
  }

  /** Connects and completes STARTUP (and login, when the server asks for it). */
  static async connect(opts: ProbeOptions): Promise<CqlProbe> {
    const port = opts.port ?? 9042;
    const timeoutMs = opts.timeoutMs ?? 5000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to ${opts.host}:${port} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(s);
      };
      const s: Socket = opts.tls
        ? tlsConnect({
          host: opts.host,
          port,
          ca: opts.tls.ca,
          cert: opts.tls.cert,
          key: opts.tls.key,
          servername: opts.tls.servername,
          rejectUnauthorized: opts.tls.ca !== undefined,
        }, done)
        : tcpConnect({ host: opts.host, port }, done);
      s.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    const probe = new CqlProbe(socket, timeoutMs);
    try {
      await probe.#startup(opts);
    } catch (e) {
      probe.close();
      throw e;
    }
    return probe;
  }

  async #startup(opts: ProbeOptions): Promise<void> {
    this.supported = await this.options();
    const reply = await this.#request(Op.STARTUP, stringMap({ CQL_VERSION: "3.0.0" }));
    if (reply.opcode === Op.READY) return;
    if (reply.opcode !== Op.AUTHENTICATE) throw unexpected(reply, "READY or AUTHENTICATE");
    if (opts.user === undefined) {
      throw new Error("server requires authentication and no user was given");
    }
    const token = enc.encode(`\0${opts.user}\0${opts.password ?? ""}`);
    const body = new Uint8Array(4 + token.length);
    new DataView(body.buffer).setInt32(0, token.length);
    body.set(token, 4);
    const auth = await this.#request(Op.AUTH_RESPONSE, body);
    if (auth.opcode !== Op.AUTH_SUCCESS) throw unexpected(auth, "AUTH_SUCCESS");
  }

  /** OPTIONS → SUPPORTED, as a multimap. */
  async options(): Promise<Record<string, string[]>> {
    const reply = await this.#request(Op.OPTIONS, new Uint8Array(0));
    if (reply.opcode !== Op.SUPPORTED) throw unexpected(reply, "SUPPORTED");
    const r = new BodyReader(reply.body);
    const out: Record<string, string[]> = {};
    for (let n = r.short(); n > 0; n--) {
      const key = r.string();
      const values: string[] = [];
      for (let m = r.short(); m > 0; m--) values.push(r.string());
      out[key] = values;
    }
    return out;
  }

  /**
   * Runs `cql` (at consistency ONE unless told) and returns its rows (empty for non-row
   * results). Sets and lists of text render as their elements joined by `,`.
   */
  async query(cql: string, opts: ProbeQueryOptions = {}): Promise<ProbeRow[]> {
    const text = enc.encode(cql);
    const body = new Uint8Array(4 + text.length + 3);
    const v = new DataView(body.buffer);
    v.setInt32(0, text.length);
    body.set(text, 4);
    v.setUint16(4 + text.length, opts.consistency ?? 0x0001);
    body[4 + text.length + 2] = 0; // no query flags
    const reply = await this.#request(Op.QUERY, body, opts.tracing ? 0x02 : 0);
    if (reply.opcode !== Op.RESULT) throw unexpected(reply, "RESULT");
    const r = new BodyReader(reply.body);
    if ((reply.flags ?? 0) & 0x02) {
      const id = render({ id: 0x0c, args: [] }, r.raw(16));
      opts.onTracingId?.(id);
    }
    return decodeRows(r);
  }

  /** Closes the socket; pending requests reject. */
  close(): void {
    this.#socket.destroy();
  }

  #request(opcode: number, body: Uint8Array, flags = 0): Promise<Frame> {
    if (this.#closedWith) return Promise.reject(this.#closedWith);
    const stream = this.#nextStream++ & 0x7fff;
    const frame = new Uint8Array(9 + body.length);
    const v = new DataView(frame.buffer);
    frame[0] = 0x04;
    frame[1] = flags;
    v.setInt16(2, stream);
    frame[4] = opcode;
    v.setInt32(5, body.length);
    frame.set(body, 9);
    return new Promise<Frame>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(stream);
        reject(new Error(`no reply to opcode 0x${opcode.toString(16)} in ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      this.#waiters.set(stream, {
        resolve: (f) => {
          clearTimeout(timer);
          if (f.opcode === Op.ERROR) {
            const r = new BodyReader(f.body);
            reject(new CqlServerError(r.int(), r.string()));
          } else resolve(f);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.#socket.write(frame);
    });
  }

  #onData(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.#buf.length + chunk.length);
    joined.set(this.#buf);
    joined.set(chunk, this.#buf.length);
    this.#buf = joined;
    while (this.#buf.length >= 9) {
      const v = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
      const length = v.getInt32(5);
      if (this.#buf.length < 9 + length) return;
      const stream = v.getInt16(2);
      const frame = {
        opcode: this.#buf[4],
        flags: this.#buf[1],
        body: this.#buf.slice(9, 9 + length),
      };
      this.#buf = this.#buf.slice(9 + length);
      const w = this.#waiters.get(stream);
      this.#waiters.delete(stream);
      w?.resolve(frame);
    }
  }
}

function unexpected(f: Frame, wanted: string): Error {
  return new Error(`expected ${wanted}, got opcode 0x${f.opcode.toString(16)}`);
}

function stringMap(map: Record<string, string>): Uint8Array {
  const parts: number[] = [];
  const short = (n: number) => parts.push(n >> 8, n & 0xff);
  const str = (s: string) => {
    const b = enc.encode(s);
    short(b.length);
    parts.push(...b);
  };
  short(Object.keys(map).length);
  for (const [k, v] of Object.entries(map)) {
    str(k);
    str(v);
  }
  return Uint8Array.from(parts);
}

class BodyReader {
  #v: DataView;
  pos = 0;
  constructor(readonly b: Uint8Array) {
    this.#v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  short(): number {
    const n = this.#v.getUint16(this.pos);
    this.pos += 2;
    return n;
  }
  int(): number {
    const n = this.#v.getInt32(this.pos);
    this.pos += 4;
    return n;
  }
  raw(n: number): Uint8Array {
    if (this.pos + n > this.b.length) throw new Error("truncated frame body");
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  string(): string {
    return dec.decode(this.raw(this.short()));
  }
  bytes(): Uint8Array | null {
    const n = this.int();
    return n < 0 ? null : this.raw(n);
  }
}

interface ColType {
  id: number;
  args: ColType[];
}

function readType(r: BodyReader): ColType {
  const id = r.short();
  const args: ColType[] = [];
  if (id === 0x0000) r.string(); // custom class name
  else if (id === 0x20 || id === 0x22) args.push(readType(r));
  else if (id === 0x21) args.push(readType(r), readType(r));
  else if (id === 0x30) {
    r.string();
    r.string();
    for (let n = r.short(); n > 0; n--) {
      r.string();
      args.push(readType(r));
    }
  } else if (id === 0x31) {
    for (let n = r.short(); n > 0; n--) args.push(readType(r));
  }
  return { id, args };
}

function decodeRows(r: BodyReader): ProbeRow[] {
  const kind = r.int();
  if (kind !== 0x0002) return [];
  const flags = r.int();
  const columnCount = r.int();
  if (flags & 0x0002) r.bytes(); // paging state
  if (flags & 0x0004) throw new Error("rows without metadata");
  const global = (flags & 0x0001) !== 0;
  if (global) {
    r.string();
    r.string();
  }
  const cols: { name: string; type: ColType }[] = [];
  for (let i = 0; i < columnCount; i++) {
    if (!global) {
      r.string();
      r.string();
    }
    const name = r.string();
    cols.push({ name, type: readType(r) });
  }
  const rows: ProbeRow[] = [];
  for (let n = r.int(); n > 0; n--) {
    const row: ProbeRow = {};
    for (const c of cols) {
      const v = r.bytes();
      row[c.name] = v === null ? null : render(c.type, v);
    }
    rows.push(row);
  }
  return rows;
}

function render(type: ColType, v: Uint8Array): string {
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  switch (type.id) {
    case 0x20: // list
    case 0x22: { // set
      const r = new BodyReader(v);
      const out: string[] = [];
      for (let n = r.int(); n > 0; n--) {
        const e = r.bytes();
        out.push(e === null ? "null" : render(type.args[0], e));
      }
      return out.join(",");
    }
    case 0x01: // ascii
    case 0x0a: // text
    case 0x0d: // varchar
      return dec.decode(v);
    case 0x09: // int
      return String(view.getInt32(0));
    case 0x02: // bigint
    case 0x0b: // timestamp
      return String(view.getBigInt64(0));
    case 0x04: // boolean
      return v[0] ? "true" : "false";
    case 0x10: // inet
      return v.length === 4
        ? Array.from(v).join(".")
        : Array.from({ length: 8 }, (_, i) => view.getUint16(i * 2).toString(16)).join(":");
    case 0x0c: // uuid
    case 0x0f: { // timeuuid
      const h = hex(v);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${
        h.slice(20)
      }`;
    }
    default:
      return hex(v);
  }
}

function hex(v: Uint8Array): string {
  return Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Connects (OPTIONS, STARTUP, login), asks `release_version`, closes. Resolves with the version. */
export async function probeReleaseVersion(opts: ProbeOptions): Promise<string> {
  const p = await CqlProbe.connect(opts);
  try {
    const rows = await p.query("SELECT release_version FROM system.local");
    const v = rows[0]?.release_version;
    if (!v) throw new Error("system.local has no release_version");
    return v;
  } finally {
    p.close();
  }
}
