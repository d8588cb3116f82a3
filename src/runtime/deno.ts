/**
 * Plain TCP sockets over `Deno.connect`.
 * @module
 */

import { concatChunks, type ConnectOptions, type Socket, type SocketHandlers } from "./socket.ts";

const READ_BUFFER = 64 * 1024;

/** Opens a plain TCP socket with Deno's native API. */
export async function connectDeno(
  opts: ConnectOptions,
  handlers: SocketHandlers,
): Promise<Socket> {
  const conn = await Deno.connect({ hostname: opts.host, port: opts.port, transport: "tcp" });
  conn.setNoDelay(opts.noDelay);
  conn.setKeepAlive(opts.keepAliveMs !== null);
  let closed = false;
  let closeError: Error | undefined;
  let queue: Uint8Array[] = [];
  let queued = 0;
  let writing = false;

  const finish = (err?: Error) => {
    if (closed) return;
    closed = true;
    closeError ??= err;
    try {
      conn.close();
    } catch { /* already closed */ }
    handlers.onClose(closeError);
  };

  // One write in flight at a time: frames queued meanwhile go out together.
  const pump = async () => {
    writing = true;
    try {
      while (queue.length > 0 && !closed) {
        const data = concatChunks(queue, queued);
        queue = [];
        queued = 0;
        let off = 0;
        while (off < data.length) off += await conn.write(data.subarray(off));
      }
    } catch (e) {
      finish(e as Error);
    } finally {
      writing = false;
    }
  };

  (async () => {
    const buf = new Uint8Array(READ_BUFFER);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        handlers.onData(buf.subarray(0, n));
      }
      finish();
    } catch (e) {
      finish(closed ? undefined : e as Error);
    }
  })();

  return {
    write(bytes) {
      if (closed) return;
      queue.push(bytes);
      queued += bytes.length;
      if (!writing) pump();
    },
    get pendingBytes() {
      return queued;
    },
    close() {
      finish();
    },
  };
}
