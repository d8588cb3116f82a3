/**
 * The runtime shim: the one place that picks Deno, Bun, Node or Cloudflare
 * Workers sockets.
 * @module
 */

import { connectBun } from "./bun.ts";
import { connectDeno, denoTlsFits } from "./deno.ts";
import { connectNode } from "./node.ts";
import type { ConnectOptions, Socket, SocketHandlers } from "./socket.ts";

export type { ConnectOptions, Socket, SocketHandlers, TlsOptions } from "./socket.ts";
export { type NativeCrc32, nativeCrc32 } from "./checksum.ts";

/** Opens a socket; what {@link setConnector} installs. */
export type Connector = (opts: ConnectOptions, handlers: SocketHandlers) => Promise<Socket>;

/** Which runtime this is. */
export const runtime: "deno" | "bun" | "node" | "workerd" = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : (globalThis as { navigator?: { userAgent?: string } }).navigator?.userAgent ===
      "Cloudflare-Workers"
  ? "workerd"
  : "node";

/** Schedules `f` once. */
export type Schedule = (f: () => void) => void;

const immediate = (globalThis as { setImmediate?: Schedule }).setImmediate;
/**
 * `setImmediate` where the runtime has it (Bun, Node): `f` runs after the I/O phase of this
 * turn of the event loop, and timers get their turn before the next one. `null` elsewhere.
 */
export const afterIo: Schedule | null = typeof immediate === "function"
  ? (f) => immediate(f)
  : null;

let installed: Connector | null = null;

/**
 * Replaces the runtime's own socket API for every later connection (the
 * Cloudflare Workers entry installs `cloudflare:sockets` this way); `null`
 * restores the default.
 */
export function setConnector(connector: Connector | null): void {
  installed = connector;
}

/**
 * Opens a socket with the runtime's own TCP API. TLS and local-port binding
 * go through the Node socket layer, which Deno, Bun and Node provide.
 * @throws {Error} on Cloudflare Workers when no connector was installed
 */
export function connect(opts: ConnectOptions, handlers: SocketHandlers): Promise<Socket> {
  if (installed !== null) return installed(opts, handlers);
  if (runtime === "workerd") {
    return Promise.reject(
      new Error(
        "On Cloudflare Workers, import @rsylla/rsylla through its workerd export (npm), " +
          "or call useWorkersSockets(connect) of @rsylla/rsylla/workers first",
      ),
    );
  }
  if (runtime === "deno" && opts.tls && denoTlsFits(opts)) return connectDeno(opts, handlers);
  if (opts.tls || opts.localPort !== undefined || runtime === "node") {
    return connectNode(opts, handlers);
  }
  return runtime === "bun" ? connectBun(opts, handlers) : connectDeno(opts, handlers);
}
