/**
 * Sockets over Cloudflare Workers' `connect()` (`cloudflare:sockets`). The
 * function is passed in rather than imported, so this file loads on every
 * runtime and tests can drive it with a simulated socket.
 * @module
 */

import type { ConnectOptions, Socket, SocketHandlers } from "./socket.ts";
import { streamSocket } from "./stream_socket.ts";

/** The slice of a Workers socket used here (`cloudflare:sockets`' `Socket`). */
export interface WorkersSocket {
  /** Bytes from the server. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the server. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once the connection (and the TLS handshake) is established; rejects if it fails. */
  readonly opened: Promise<unknown>;
  /** Resolves when the socket is closed; rejects on a socket error. */
  readonly closed: Promise<void>;
  /** Closes both directions. */
  close(): Promise<void>;
}

/** `connect` from `cloudflare:sockets`, as far as the driver uses it. */
export type WorkersConnect = (
  address: { hostname: string; port: number },
  options?: { secureTransport?: "off" | "on" | "starttls"; allowHalfOpen?: boolean },
) => WorkersSocket;

/**
 * Opens a socket with Workers' `connect()`: plain TCP, or TLS from the first
 * byte (`secureTransport: "on"`; CQL has no STARTTLS). Workers verify the
 * certificate against public roots and the host name only, so a private CA,
 * a client certificate, another `serverName` or `rejectUnauthorized: false`
 * are refused here rather than silently ignored. A Worker cannot choose its
 * source port: a `localPort` request fails as a bind error (`EADDRNOTAVAIL`),
 * which makes the pool fall back from ScyllaDB's shard-aware port to the
 * normal port and per-connection shard discovery.
 * @throws {Error} unsupported TLS settings or `localPort`; the connection failed
 */
export async function connectWorkers(
  connect: WorkersConnect,
  opts: ConnectOptions,
  handlers: SocketHandlers,
): Promise<Socket> {
  if (opts.localPort !== undefined) {
    throw Object.assign(new Error("Cloudflare Workers cannot bind a local port"), {
      code: "EADDRNOTAVAIL",
    });
  }
  const t = opts.tls;
  if (t) {
    const unsupported = [
      t.ca !== undefined && "ca",
      (t.cert !== undefined || t.key !== undefined) && "client certificates",
      t.serverName !== undefined && t.serverName !== opts.host && "serverName",
      t.rejectUnauthorized === false && "rejectUnauthorized: false",
    ].filter((x) => x !== false);
    if (unsupported.length > 0) {
      throw new Error(
        `TLS on Cloudflare Workers verifies against public roots only; unsupported: ${
          unsupported.join(", ")
        }`,
      );
    }
  }
  const sock = connect({ hostname: opts.host, port: opts.port }, {
    secureTransport: t ? "on" : "off",
    allowHalfOpen: false,
  });
  try {
    await sock.opened;
  } catch (e) {
    sock.close().catch(() => {});
    throw e instanceof Error ? e : new Error(String(e));
  }
  const writer = sock.writable.getWriter();
  const reader = sock.readable.getReader();
  let received: Uint8Array = new Uint8Array(0);
  return streamSocket({
    // A copy: the pool hands over views of a buffer it goes on writing into after them, and a
    // stream may take (detach) the buffer of what it is given.
    send: (data) => writer.write(data.slice()),
    async receive() {
      const { value, done } = await reader.read();
      if (done) return null;
      received = value;
      return value.length;
    },
    get received() {
      return received;
    },
    close() {
      reader.cancel().catch(() => {});
      writer.abort().catch(() => {});
      sock.close().catch(() => {});
    },
    ended: sock.closed,
  }, handlers);
}
