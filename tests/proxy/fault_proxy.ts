/**
 * TEST TOOL — a fault-injecting TCP proxy between the driver and a real node,
 * playing the role `scylla-proxy` plays for the Rust driver. Built on
 * `node:net`, so it runs on Deno, Bun and Node.
 *
 * Client → server bytes pass through untouched; the proxy only parses them
 * to remember which request (opcode, body) each stream id carries. Server →
 * client bytes are cut into CQL frames at their 9-byte headers (compression
 * must be off for body matching), and each frame goes through the rules of its
 * connection, then the proxy-wide rules: the first rule that matches decides —
 * forward, delay, drop, hold for later release, truncate mid-frame and then go
 * silent / close / reset, reset at once, or go silent (keep the socket open,
 * forward nothing more). A test reaches every connection (`proxy.connections`)
 * and can also reset, silence, resume or release one directly.
 * @module
 */

import { connect, createServer, type Server, type Socket } from "node:net";

/** Frame header length (v3+). */
const HEADER = 9;
const OPCODE_READY = 0x02;
const OPCODE_REGISTER = 0x0b;

/** A request as the proxy saw it go to the server. */
export interface ProxyRequest {
  stream: number;
  opcode: number;
  body: Uint8Array;
}

/** A server-to-client frame, as rules see it. */
export interface ProxyFrame {
  /** The connection it travels on. */
  readonly conn: ProxyConnection;
  readonly stream: number;
  readonly opcode: number;
  readonly flags: number;
  /** The body (a copy). */
  readonly body: Uint8Array;
  /** Header and body, as the server sent them. */
  readonly bytes: Uint8Array;
  /** The request this answers (last one sent on its stream), `null` for events. */
  readonly request: ProxyRequest | null;
}

/** What to do with a matching frame. */
export type FaultAction =
  | { kind: "forward" }
  /** Forward after `ms`; later frames are not held back by it. */
  | { kind: "delay"; ms: number }
  /** Never forward it. */
  | { kind: "drop" }
  /** Keep it until `release()`. */
  | { kind: "hold" }
  /**
   * Forward only the first `keep` bytes (default: the header and half the
   * body), then `silence` (socket stays open), `close` (FIN) or `reset` (RST).
   */
  | { kind: "truncate"; keep?: number; then: "silence" | "close" | "reset" }
  /** Reset both sockets instead of forwarding. */
  | { kind: "reset" }
  /** From this frame on forward nothing (frames are held); the socket stays open. */
  | { kind: "silence" }
  /**
   * Forward another answer in its place, on the same stream (flags cleared): e.g. an ERROR
   * frame built with {@link errorBody}, {@link readTimeoutBody}, {@link writeTimeoutBody} or
   * {@link unavailableBody}. The server's own answer is dropped.
   */
  | { kind: "replace"; with: (f: ProxyFrame) => { opcode: number; body: Uint8Array } };

/** Opcode of ERROR frames. */
export const OPCODE_ERROR = 0x00;

function utf8String(s: string): Uint8Array {
  const b = new TextEncoder().encode(s);
  const out = new Uint8Array(2 + b.length);
  new DataView(out.buffer).setUint16(0, b.length);
  out.set(b, 2);
  return out;
}

/** An ERROR body: `[int code][string message]` and `extra` (the code's own fields). */
export function errorBody(code: number, message: string, extra: Uint8Array = new Uint8Array(0)) {
  const msg = utf8String(message);
  const out = new Uint8Array(4 + msg.length + extra.length);
  new DataView(out.buffer).setInt32(0, code);
  out.set(msg, 4);
  out.set(extra, 4 + msg.length);
  return { opcode: OPCODE_ERROR, body: out };
}

/** READ_TIMEOUT (0x1200): `<cl><received><blockfor><data_present>`. */
export function readTimeoutBody(cl: number, received: number, blockFor: number, data: boolean) {
  const x = new Uint8Array(11);
  const v = new DataView(x.buffer);
  v.setUint16(0, cl);
  v.setInt32(2, received);
  v.setInt32(6, blockFor);
  x[10] = data ? 1 : 0;
  return errorBody(0x1200, "Operation timed out (injected by the fault proxy)", x);
}

/** WRITE_TIMEOUT (0x1100): `<cl><received><blockfor><writeType>`. */
export function writeTimeoutBody(cl: number, received: number, blockFor: number, type: string) {
  const t = utf8String(type);
  const x = new Uint8Array(10 + t.length);
  const v = new DataView(x.buffer);
  v.setUint16(0, cl);
  v.setInt32(2, received);
  v.setInt32(6, blockFor);
  x.set(t, 10);
  return errorBody(0x1100, "Operation timed out (injected by the fault proxy)", x);
}

/** UNAVAILABLE (0x1000): `<cl><required><alive>`. */
export function unavailableBody(cl: number, required: number, alive: number) {
  const x = new Uint8Array(10);
  const v = new DataView(x.buffer);
  v.setUint16(0, cl);
  v.setInt32(2, required);
  v.setInt32(6, alive);
  return errorBody(0x1000, "Cannot achieve consistency (injected by the fault proxy)", x);
}

/** A frame matcher and its action; `times` limits how many frames it takes (default all). */
export interface FaultRule {
  match: (f: ProxyFrame) => boolean;
  action: FaultAction;
  times?: number;
}

/** Concatenates two byte arrays (either may be empty). */
function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Splits complete frames off the front of `buf`; returns them and the rest. */
function frames(buf: Uint8Array): { frames: Uint8Array[]; rest: Uint8Array } {
  const out: Uint8Array[] = [];
  let at = 0;
  while (buf.length - at >= HEADER) {
    const len = new DataView(buf.buffer, buf.byteOffset + at + 5, 4).getUint32(0);
    if (buf.length - at - HEADER < len) break;
    out.push(buf.slice(at, at + HEADER + len));
    at += HEADER + len;
  }
  return { frames: out, rest: buf.slice(at) };
}

function streamOf(frame: Uint8Array): number {
  return ((frame[2] << 24) >> 16) | frame[3];
}

/** One client connection and its upstream socket. */
export class ProxyConnection {
  /** 1-based, in accept order. */
  readonly id: number;
  /** Every request the client sent, in order. */
  readonly requests: ProxyRequest[] = [];
  /** Frames kept by `hold` / `silence`, in arrival order. */
  readonly held: ProxyFrame[] = [];
  /** Frames forwarded whole to the client, in order. */
  readonly forwarded: ProxyFrame[] = [];
  /** Rules of this connection, tried before the proxy's. */
  readonly rules: FaultRule[] = [];
  /** True once the client sent REGISTER (the driver's control connection). */
  isControl = false;
  /** True once READY went to the client (the handshake is done). */
  ready = false;
  /** True once either socket is gone. */
  closed = false;
  /** How the connection ended: `"reset"`, `"closed"` by the proxy, or `"peer"`. */
  endedBy: "reset" | "closed" | "peer" | null = null;

  #client: Socket;
  #server: Socket;
  #proxy: FaultProxy;
  #fromClient: Uint8Array = new Uint8Array(0);
  #fromServer: Uint8Array = new Uint8Array(0);
  #inFlight = new Map<number, ProxyRequest>();
  #silent = false;
  #timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(proxy: FaultProxy, id: number, client: Socket, server: Socket) {
    this.#proxy = proxy;
    this.id = id;
    this.#client = client;
    this.#server = server;
    client.on("data", (chunk: Uint8Array) => this.#onClientData(new Uint8Array(chunk)));
    server.on("data", (chunk: Uint8Array) => this.#onServerData(new Uint8Array(chunk)));
    for (const s of [client, server]) {
      s.on("error", () => {/* the other side is closed below */});
      s.on("close", () => this.#ended("peer"));
    }
  }

  /** Whether frames are being held instead of forwarded. */
  get silent(): boolean {
    return this.#silent;
  }

  /** Adds a rule to this connection; returns `this`. */
  addRule(rule: FaultRule): this {
    this.rules.push({ ...rule });
    this.#proxy.changed();
    return this;
  }

  /** Removes this connection's rules. */
  clearRules(): this {
    this.rules.length = 0;
    return this;
  }

  /** Stops forwarding (frames are held); the socket stays open. */
  silence(): void {
    this.#silent = true;
  }

  /**
   * Forwards held frames again, oldest first, through the current rules (a
   * held frame can so be truncated or trigger a reset); `which` picks some.
   */
  release(which: (f: ProxyFrame) => boolean = () => true): void {
    this.#silent = false;
    const out = this.held.filter(which);
    const keep = this.held.filter((f) => !which(f));
    this.held.length = 0;
    this.held.push(...keep);
    for (const f of out) this.#route(f);
    this.#proxy.changed();
  }

  /** Ends silence and forwards everything held. */
  resume(): void {
    this.release();
  }

  /** Resets both sockets (RST to the client). */
  reset(): void {
    if (this.closed) return;
    this.#ended("reset");
    this.#client.resetAndDestroy();
    this.#server.destroy();
  }

  /** Closes both sockets gracefully (FIN to the client). */
  close(): void {
    if (this.closed) return;
    this.#ended("closed");
    this.#client.end();
    this.#server.destroy();
  }

  /** Requests sent and not answered yet (as far as the proxy has seen answers). */
  get unanswered(): number {
    return this.#inFlight.size;
  }

  #ended(how: "reset" | "closed" | "peer"): void {
    if (this.closed) return;
    this.closed = true;
    this.endedBy = how;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (how === "peer") {
      this.#client.destroy();
      this.#server.destroy();
    }
    this.#proxy.changed();
  }

  #onClientData(chunk: Uint8Array): void {
    if (this.closed) return;
    this.#server.write(chunk);
    const { frames: got, rest } = frames(join(this.#fromClient, chunk));
    this.#fromClient = rest;
    for (const f of got) {
      const r: ProxyRequest = { stream: streamOf(f), opcode: f[4], body: f.slice(HEADER) };
      if (r.opcode === OPCODE_REGISTER) this.isControl = true;
      this.requests.push(r);
      this.#inFlight.set(r.stream, r);
    }
    if (got.length) this.#proxy.changed();
  }

  #onServerData(chunk: Uint8Array): void {
    if (this.closed) return;
    const { frames: got, rest } = frames(join(this.#fromServer, chunk));
    this.#fromServer = rest;
    for (const bytes of got) {
      const stream = streamOf(bytes);
      const request = stream >= 0 ? this.#inFlight.get(stream) ?? null : null;
      if (request) this.#inFlight.delete(stream);
      this.#route({
        conn: this,
        stream,
        opcode: bytes[4],
        flags: bytes[1],
        body: bytes.slice(HEADER),
        bytes,
        request,
      });
    }
    if (got.length) this.#proxy.changed();
  }

  #rule(f: ProxyFrame): FaultAction {
    for (const rules of [this.rules, this.#proxy.rules]) {
      for (const r of rules) {
        if ((r.times ?? Infinity) <= 0 || !r.match(f)) continue;
        if (r.times !== undefined) r.times--;
        return r.action;
      }
    }
    return { kind: "forward" };
  }

  #route(f: ProxyFrame): void {
    if (this.closed) return;
    if (this.#silent) {
      this.held.push(f);
      return;
    }
    const action = this.#rule(f);
    switch (action.kind) {
      case "forward":
        this.#forward(f);
        return;
      case "delay": {
        const t = setTimeout(() => {
          this.#timers.delete(t);
          this.#forward(f);
          this.#proxy.changed();
        }, action.ms);
        this.#timers.add(t);
        return;
      }
      case "drop":
        return;
      case "hold":
        this.held.push(f);
        return;
      case "silence":
        this.#silent = true;
        this.held.push(f);
        return;
      case "reset":
        this.reset();
        return;
      case "replace": {
        const { opcode, body } = action.with(f);
        const bytes = new Uint8Array(HEADER + body.length);
        bytes.set(f.bytes.subarray(0, HEADER));
        bytes[1] = 0; // no tracing id, warnings or custom payload in the new body
        bytes[4] = opcode;
        new DataView(bytes.buffer).setUint32(5, body.length);
        bytes.set(body, HEADER);
        this.#forward({ ...f, opcode, flags: 0, body, bytes });
        return;
      }
      case "truncate": {
        const keep = action.keep ?? HEADER + (f.body.length >> 1);
        this.#client.write(f.bytes.slice(0, Math.min(keep, f.bytes.length - 1)));
        if (action.then === "silence") this.#silent = true;
        else if (action.then === "close") this.close();
        else this.reset();
        return;
      }
    }
  }

  #forward(f: ProxyFrame): void {
    if (this.closed) return;
    if (f.opcode === OPCODE_READY) this.ready = true;
    this.forwarded.push(f);
    this.#client.write(f.bytes);
  }
}

/** Where a proxy listens: 127.0.0.1 on an ephemeral port unless told. */
export interface ListenOptions {
  host?: string;
  port?: number;
}

/** The proxy: listens on 127.0.0.1, one {@link ProxyConnection} per client connection. */
export class FaultProxy {
  /** Every connection accepted, oldest first (closed ones included). */
  readonly connections: ProxyConnection[] = [];
  /** Rules for every connection, tried after the connection's own. */
  readonly rules: FaultRule[] = [];
  #server: Server;
  #target: { host: string; port: number };
  #port = 0;
  #host = "127.0.0.1";
  #waiters: { check: () => boolean; resolve: () => void }[] = [];

  private constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#server = createServer((client) => this.#accept(client));
  }

  /** Starts a proxy to `target` on `listen` (default: an ephemeral port of 127.0.0.1). */
  static async start(
    target: { host: string; port: number },
    listen: ListenOptions = {},
  ): Promise<FaultProxy> {
    const p = new FaultProxy(target);
    p.#host = listen.host ?? "127.0.0.1";
    await new Promise<void>((resolve, reject) => {
      p.#server.once("error", reject);
      p.#server.listen(listen.port ?? 0, p.#host, () => resolve());
    });
    p.#port = (p.#server.address() as { port: number }).port;
    return p;
  }

  /** `<host>:<port>`, the contact point to give the driver. */
  get address(): string {
    return `${this.#host}:${this.#port}`;
  }

  /** Every request the client sent on any connection, oldest connection first. */
  requests(): ProxyRequest[] {
    return this.connections.flatMap((c) => c.requests);
  }

  /** Open connections past their handshake that are not the control connection. */
  poolConnections(): ProxyConnection[] {
    return this.connections.filter((c) => !c.closed && c.ready && !c.isControl);
  }

  /** Adds a proxy-wide rule; returns `this`. */
  addRule(rule: FaultRule): this {
    this.rules.push({ ...rule });
    return this;
  }

  /**
   * Resolves once `check()` holds — re-checked on every frame and connection
   * change, and every few milliseconds for conditions outside the proxy (such
   * as promises the driver settles); rejects after `timeoutMs` naming `what`.
   */
  until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const poll = setInterval(() => this.changed(), 5);
      const timer = setTimeout(() => {
        clearInterval(poll);
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`proxy: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const waiter = {
        check,
        resolve: () => {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Re-checks waiters (connections call it on every change). */
  changed(): void {
    if (this.#waiters.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const c of this.connections) c.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    client.setNoDelay(true);
    client.pause();
    const server = connect(this.#target.port, this.#target.host, () => client.resume());
    server.setNoDelay(true);
    this.connections.push(new ProxyConnection(this, this.connections.length + 1, client, server));
    this.changed();
  }
}
