/**
 * The byte-stream interface the pool sees, whatever the runtime.
 * @module
 */

/** TLS settings as given to `SessionBuilder.tls()`. */
export interface TlsOptions {
  /** Trusted CA certificates (PEM). Without one, the runtime's default roots apply. */
  ca?: readonly (string | Uint8Array)[];
  /** Client certificate chain (PEM) for mutual TLS. */
  cert?: string | Uint8Array;
  /** Client private key (PEM) for mutual TLS. */
  key?: string | Uint8Array;
  /** Name to verify the server certificate against (default: the host). */
  serverName?: string;
  /** Verify the server certificate (default `true`). */
  rejectUnauthorized?: boolean;
}

/** Where and how to open a socket. */
export interface ConnectOptions {
  /** Host name or IP address. */
  host: string;
  /** TCP port. */
  port: number;
  /** Disable Nagle's algorithm. */
  noDelay: boolean;
  /** TCP keepalive initial delay in ms; `null` disables keepalive. */
  keepAliveMs: number | null;
  /** TLS settings; `null` for plain TCP. */
  tls: TlsOptions | null;
  /** Bind this local port (ScyllaDB shard-aware port); uses the Node socket layer. */
  localPort?: number;
}

/** What a socket reports to its owner. */
export interface SocketHandlers {
  /**
   * `bytes[0, length)` arrived. They are only valid during the call: the reader may hand the
   * same array, longer than `length`, with every chunk (no view made per read), and reuse it
   * afterwards, so keep a copy of anything retained.
   */
  onData(bytes: Uint8Array, length: number): void;
  /** The socket is closed; `error` says why when it was not asked for. */
  onClose(error?: Error): void;
}

/** An open byte stream. */
export interface Socket {
  /**
   * Queues `bytes[start, end)` for sending, in order (a range, so a writer with one buffer of
   * many flushes makes no view per flush). Ownership passes to the socket: the caller must not
   * modify those bytes afterwards, unless this returns `true`: the socket handed all of them to
   * the OS during the call and keeps no reference (Bun's unbuffered write), so the caller may
   * write over them at once.
   */
  write(bytes: Uint8Array, start: number, end: number): boolean;
  /** Bytes queued but not yet handed to the OS. */
  readonly pendingBytes: number;
  /** Closes the socket; `onClose` follows once. */
  close(): void;
}

/**
 * Joins received chunks into one array (no copy when there is only one). The
 * shim keeps its own copy of this: it sits below the wire layer and imports none of it.
 */
export function joinChunks(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
