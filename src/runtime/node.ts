/**
 * Sockets over `node:net` / `node:tls`: Node itself, TLS on every runtime, and
 * connections that must bind a local port (ScyllaDB's shard-aware port).
 * @module
 */

import * as net from "node:net";
import * as tls from "node:tls";
import { Buffer } from "node:buffer";
import type { ConnectOptions, Socket, SocketHandlers, TlsOptions } from "./socket.ts";

/** Opens a socket with the Node socket layer. */
export function connectNode(opts: ConnectOptions, handlers: SocketHandlers): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const base = { host: opts.host, port: opts.port, localPort: opts.localPort };
    const sock: net.Socket = opts.tls ? tls.connect(tlsOptions(base, opts.tls)) : net.connect(base);
    sock.setNoDelay(opts.noDelay);
    if (opts.keepAliveMs !== null) sock.setKeepAlive(true, opts.keepAliveMs);
    const readyEvent = opts.tls ? "secureConnect" : "connect";
    sock.once(readyEvent, () => {
      settled = true;
      resolve(wrap(sock));
    });
    // Buffer.slice() is a view, not a copy: hand on a plain Uint8Array so copies stay copies.
    sock.on(
      "data",
      (chunk: Uint8Array) =>
        handlers.onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    );
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

/**
 * Node's TLS options: the certificate is checked against `serverName` (default
 * the host, IP addresses included, which match the certificate's IP entries);
 * SNI carries the name only when it is a host name, since SNI forbids IPs.
 */
function tlsOptions(
  base: { host: string; port: number; localPort?: number },
  t: TlsOptions,
): tls.ConnectionOptions {
  const name = t.serverName ?? base.host;
  const options: tls.ConnectionOptions = {
    ...base,
    rejectUnauthorized: t.rejectUnauthorized ?? true,
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(name, cert),
  };
  if (t.ca !== undefined) options.ca = t.ca.map(pem);
  if (t.cert !== undefined) options.cert = pem(t.cert);
  if (t.key !== undefined) options.key = pem(t.key);
  if (!net.isIP(name)) options.servername = name;
  return options;
}

function pem(p: string | Uint8Array): string | Buffer {
  return typeof p === "string" ? p : Buffer.from(p);
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
