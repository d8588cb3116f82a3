/**
 * The runtime shim: the one place that picks Deno, Bun or Node sockets.
 * @module
 */

import { connectBun } from "./bun.ts";
import { connectDeno, denoTlsFits } from "./deno.ts";
import { connectNode } from "./node.ts";
import type { ConnectOptions, Socket, SocketHandlers } from "./socket.ts";
import { setShortTextLimit } from "../wire/codec/text.ts";

export type { ConnectOptions, Socket, SocketHandlers, TlsOptions } from "./socket.ts";

/** Which runtime this is. */
export const runtime: "deno" | "bun" | "node" = "Bun" in globalThis
  ? "bun"
  : "Deno" in globalThis
  ? "deno"
  : "node";

// Deno's TextDecoder call costs ~0.8 us where a JS loop decodes 64 ASCII bytes in ~0.4 us.
if (runtime === "deno") setShortTextLimit(64);

/**
 * Opens a socket with the runtime's own TCP API. TLS and local-port binding
 * go through the Node socket layer, which all three runtimes provide.
 */
export function connect(opts: ConnectOptions, handlers: SocketHandlers): Promise<Socket> {
  if (runtime === "deno" && opts.tls && denoTlsFits(opts)) return connectDeno(opts, handlers);
  if (opts.tls || opts.localPort !== undefined || runtime === "node") {
    return connectNode(opts, handlers);
  }
  return runtime === "bun" ? connectBun(opts, handlers) : connectDeno(opts, handlers);
}
