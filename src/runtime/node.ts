/**
 * Sockets over `node:net` / `node:tls`: Node itself, TLS on every runtime, and
 * connections that must bind a local port (ScyllaDB's shard-aware port).
 * @module
 */

import type * as Net from "node:net";
import type * as Tls from "node:tls";
import type { ConnectOptions, Socket, SocketHandlers, TlsOptions } from "./socket.ts";

/** `node:net` and `node:tls`, loaded on first use so runtimes without them can load the driver. */
let modules: Promise<{ net: typeof Net; tls: typeof Tls }> | null = null;

function nodeModules(): Promise<{ net: typeof Net; tls: typeof Tls }> {
  modules ??= Promise.all([import("node:net"), import("node:tls")]).then(([net, tls]) => ({
    net,
    tls,
  }));
  return modules;
}

/** Opens a socket with the Node socket layer. */
export async function connectNode(
  opts: ConnectOptions,
  handlers: SocketHandlers,
): Promise<Socket> {
  const { net, tls } = await nodeModules();
  return new Promise((resolve, reject) => {
    let settled = false;
    const base = { host: opts.host, port: opts.port, localPort: opts.localPort };
    const sock: Net.Socket = opts.tls
      ? tls.connect(tlsOptions(tls, net, base, opts.tls))
      : net.connect(base);
    sock.setNoDelay(opts.noDelay);
    if (opts.keepAliveMs !== null) sock.setKeepAlive(true, opts.keepAliveMs);
    const readyEvent = opts.tls ? "secureConnect" : "connect";
    sock.once(readyEvent, () => {
      settled = true;
      resolve(wrap(sock));
    });
    let received = 0;
    // Buffer.slice() is a view, not a copy: hand on a plain Uint8Array so copies stay copies.
    sock.on("data", (chunk: Uint8Array) => {
      received += chunk.byteLength;
      handlers.onData(
        new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength),
        chunk.byteLength,
      );
    });
    let closeError: Error | undefined;
    sock.on("error", (e: Error) => {
      const err = received === 0 ? explainReset(e, opts.tls) : e;
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
 * With TLS 1.3 a server that requires a client certificate checks it after the
 * client's handshake is done, then sends the alert and closes; a request the
 * client writes meanwhile meets a reset, and the alert is never read. A reset
 * before any byte arrived, on TLS without a client certificate, says so.
 */
function explainReset(err: Error, tls: TlsOptions | null): Error {
  const code = (err as { code?: string }).code;
  if (tls === null || tls.cert !== undefined || (code !== "ECONNRESET" && code !== "EPIPE")) {
    return err;
  }
  return Object.assign(
    new Error(
      `${err.message} right after the TLS handshake, with no client certificate offered: ` +
        "the server may require one (its 'certificate required' alert was lost to the reset)",
      { cause: err },
    ),
    { code },
  );
}

/**
 * Node's TLS options: the certificate is checked against `serverName` (default
 * the host, IP addresses included, which match the certificate's IP entries);
 * SNI carries the name only when it is a host name, since SNI forbids IPs.
 */
function tlsOptions(
  tls: typeof Tls,
  net: typeof Net,
  base: { host: string; port: number; localPort?: number },
  t: TlsOptions,
): Tls.ConnectionOptions {
  const name = t.serverName ?? base.host;
  const options: Tls.ConnectionOptions = {
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

/** PEM text as a string (PEM is ASCII, so bytes decode as UTF-8). */
function pem(p: string | Uint8Array): string {
  return typeof p === "string" ? p : new TextDecoder().decode(p);
}

function wrap(sock: Net.Socket): Socket {
  return {
    write(bytes, start, end) {
      sock.write(bytes.subarray(start, end));
      return false;
    },
    get pendingBytes() {
      return sock.writableLength;
    },
    close() {
      sock.destroy();
    },
  };
}
