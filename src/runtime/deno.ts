/**
 * Sockets over `Deno.connect` and `Deno.connectTls`.
 * @module
 */

import type { ConnectOptions, Socket, SocketHandlers } from "./socket.ts";
import { streamSocket } from "./stream_socket.ts";

const READ_BUFFER = 64 * 1024;

/**
 * Whether Deno's own TLS can serve these options: it verifies the certificate
 * against the host it connects to and always verifies, so a different
 * `serverName` or `rejectUnauthorized: false` goes through `node:tls` instead.
 */
export function denoTlsFits(opts: ConnectOptions): boolean {
  const t = opts.tls;
  return t !== null && t.rejectUnauthorized !== false &&
    (t.serverName === undefined || t.serverName === opts.host) && opts.localPort === undefined;
}

/**
 * Opens a TCP socket with Deno's native API; TLS with `Deno.connectTls`, whose
 * errors say why a certificate was refused (expired, wrong name, unknown CA).
 */
export async function connectDeno(
  opts: ConnectOptions,
  handlers: SocketHandlers,
): Promise<Socket> {
  let conn: Deno.Conn;
  if (opts.tls) {
    const t = opts.tls;
    const pem = (p: string | Uint8Array) => typeof p === "string" ? p : new TextDecoder().decode(p);
    const tls = await Deno.connectTls({
      hostname: opts.host,
      port: opts.port,
      caCerts: t.ca?.map(pem),
      ...(t.cert !== undefined && t.key !== undefined
        ? { cert: pem(t.cert), key: pem(t.key) }
        : {}),
    });
    try {
      // The handshake is lazy: run it now so a refused certificate fails the connect.
      await tls.handshake();
    } catch (e) {
      tls.close();
      throw e;
    }
    conn = tls;
  } else {
    const tcp = await Deno.connect({ hostname: opts.host, port: opts.port, transport: "tcp" });
    tcp.setNoDelay(opts.noDelay);
    tcp.setKeepAlive(opts.keepAliveMs !== null);
    conn = tcp;
  }
  const buf = new Uint8Array(READ_BUFFER);
  return streamSocket({
    async send(data) {
      let off = 0;
      // Usually written whole at once: no view made for the first try.
      while (off < data.length) off += await conn.write(off === 0 ? data : data.subarray(off));
    },
    receive: () => conn.read(buf),
    received: buf,
    close() {
      conn.close();
    },
  }, handlers);
}
