/**
 * Sockets over `node:net` / `node:tls`: Node itself, TLS on every runtime, and
 * connections that must bind a local port (ScyllaDB's shard-aware port).
 * @module
 */

import * as net from "node:net";
import * as tls from "node:tls";
import type { ConnectOptions, Socket, SocketHandlers } from "./socket.ts";

/** Opens a socket with the Node socket layer. */
export function connectNode(opts: ConnectOptions, handlers: SocketHandlers): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const base = { host: opts.host, port: opts.port, localPort: opts.localPort };
    const sock: net.Socket = opts.tls
      ? tls.connect({
        ...base,
        ca: opts.tls.ca,
        cert: opts.tls.cert,
        key: opts.tls.key,
        servername: opts.tls.serverName ?? (net.isIP(opts.host) ? undefined : opts.host),
        rejectUnauthorized: opts.tls.rejectUnauthorized ?? true,
        checkServerIdentity: opts.tls.serverName && net.isIP(opts.host)
          ? (_host, cert) => tls.checkServerIdentity(opts.tls!.serverName!, cert)
          : undefined,
      })
      : net.connect(base);
    sock.setNoDelay(opts.noDelay);
    if (opts.keepAliveMs !== null) sock.setKeepAlive(true, opts.keepAliveMs);
    const readyEvent = opts.tls ? "secureConnect" : "connect";
    sock.once(readyEvent, () => {
      settled = true;
      resolve(wrap(sock));
    });
    sock.on("data", (chunk: Uint8Array) => handlers.onData(chunk));
    let closeError: Error | undefined;
    sock.on("error", (err: Error) => {
      closeError = err;
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    sock.on("close", () => {
      if (settled) handlers.onClose(closeError);
    });
  });
}

function wrap(sock: net.Socket): Socket {
  return {
    write(bytes) {
      sock.write(bytes);
    },
    get pendingBytes() {
      return sock.writableLength;
    },
    close() {
      sock.destroy();
    },
  };
}
