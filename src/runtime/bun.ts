/**
 * Plain TCP sockets over `Bun.connect`.
 * @module
 */

import { type ConnectOptions, joinChunks, type Socket, type SocketHandlers } from "./socket.ts";

/** The slice of Bun's socket API used here. */
interface BunSocket {
  write(data: Uint8Array, byteOffset?: number, byteLength?: number): number;
  end(): void;
  setNoDelay?(on: boolean): void;
  setKeepAlive?(on: boolean, delayMs?: number): boolean;
}

/** The slice of the `Bun` global used here. */
interface BunGlobal {
  connect(options: {
    hostname: string;
    port: number;
    socket: {
      data(s: BunSocket, chunk: Uint8Array): void;
      drain(s: BunSocket): void;
      close(s: BunSocket, error?: Error): void;
      error(s: BunSocket, error: Error): void;
      connectError?(s: BunSocket, error: Error): void;
    };
  }): Promise<BunSocket>;
}

/** Opens a plain TCP socket with Bun's native API. */
export async function connectBun(opts: ConnectOptions, handlers: SocketHandlers): Promise<Socket> {
  const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
  const received = new ReceiveBuffer();
  // Bun.write() takes what the kernel accepts now; the rest waits here for `drain`.
  let backlog: Uint8Array[] = [];
  let backlogBytes = 0;
  let closed = false;
  let closeError: Error | undefined;

  const flushBacklog = (s: BunSocket) => {
    if (backlogBytes === 0) return;
    const data = joinChunks(backlog, backlogBytes);
    const n = s.write(data);
    if (n >= data.length) {
      backlog = [];
      backlogBytes = 0;
    } else {
      const rest = data.subarray(Math.max(n, 0));
      backlog = [rest];
      backlogBytes = rest.length;
    }
  };

  const sock = await bun.connect({
    hostname: opts.host,
    port: opts.port,
    socket: {
      data: (_s, chunk) => {
        const n = received.hold(chunk); // first: a larger chunk replaces the buffer
        handlers.onData(received.buffer, n);
      },
      drain: (s) => flushBacklog(s),
      error: (_s, e) => {
        closeError = e;
      },
      close: (_s, e) => {
        if (closed) return;
        closed = true;
        handlers.onClose(closeError ?? e);
      },
    },
  });
  sock.setNoDelay?.(opts.noDelay);
  if (opts.keepAliveMs !== null) sock.setKeepAlive?.(true, opts.keepAliveMs);

  return {
    write(bytes, start, end) {
      if (closed) return true;
      if (backlogBytes > 0) {
        backlog.push(bytes.subarray(start, end));
        backlogBytes += end - start;
        return false;
      }
      // Unbuffered: what the kernel took is copied; only a remainder is kept (a view).
      const n = sock.write(bytes, start, end - start);
      if (n >= end - start) return true;
      const rest = bytes.subarray(start + Math.max(n, 0), end);
      backlog = [rest];
      backlogBytes = rest.length;
      return false;
    },
    get pendingBytes() {
      return backlogBytes;
    },
    close() {
      if (closed) return;
      sock.end();
    },
  };
}

/**
 * Where each received chunk is copied before the connection reads it, as Deno's reader reads
 * into one buffer. Bun hands a new Buffer per chunk: reading its `buffer` (for a DataView)
 * makes JavaScriptCore allocate an ArrayBuffer and copy the bytes, which costs more than this
 * copy; and a Buffer's `slice()` is a view, where the connection's copies must stay copies.
 * The connection consumes a chunk within the call (it copies what it keeps), as on Deno, and
 * gets the same array every time with the chunk's length: no view per chunk.
 */
class ReceiveBuffer {
  /** Holds the last chunk from 0 on (replaced by a larger one for a larger chunk). */
  buffer = new Uint8Array(64 * 1024);

  /** Copies `chunk` to the start of `buffer` (valid until the next chunk); its length. */
  hold(chunk: Uint8Array): number {
    const n = chunk.length;
    if (n > this.buffer.length) this.buffer = new Uint8Array(Math.max(n, 2 * this.buffer.length));
    this.buffer.set(chunk);
    return n;
  }
}
