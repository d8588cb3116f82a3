/**
 * The part of a socket shim that is the same over any promise-based byte
 * stream (Deno's `Conn`, a Workers socket): one write in flight at a time with
 * frames queued meanwhile sent together, and a read loop that ends in one
 * `onClose`.
 * @module
 */

import { joinChunks, type Socket, type SocketHandlers } from "./socket.ts";

/** The runtime's own stream, as far as {@link streamSocket} needs it. */
export interface ByteStream {
  /** Sends all of `data`; rejects when the stream fails. */
  send(data: Uint8Array): Promise<void>;
  /**
   * Receives the next chunk into `received`, from 0 on; resolves with its length, `null` at end
   * of stream. The chunk is valid until the next call.
   */
  receive(): Promise<number | null>;
  /** The array the last `receive()` filled (Deno: one buffer reused; Workers: the chunk). */
  readonly received: Uint8Array;
  /** Releases the stream; called once, by whichever side ends first. */
  close(): void;
  /** Settles when the runtime closes the stream by itself (Workers report it apart from reads). */
  readonly ended?: Promise<void>;
}

/** Wraps `stream` as a {@link Socket} reporting to `handlers`; starts reading at once. */
export function streamSocket(stream: ByteStream, handlers: SocketHandlers): Socket {
  let closed = false;
  const queue: Uint8Array[] = [];
  let queued = 0;
  let writing = false;

  const finish = (err?: Error) => {
    if (closed) return;
    closed = true;
    try {
      stream.close();
    } catch { /* already closed */ }
    handlers.onClose(err);
  };

  stream.ended?.then(
    () => finish(),
    (e) => finish(e instanceof Error ? e : new Error(String(e))),
  );

  // One write in flight at a time: frames queued meanwhile go out together.
  const pump = async () => {
    writing = true;
    try {
      while (queue.length > 0 && !closed) {
        const data = joinChunks(queue, queued);
        queue.length = 0; // the array serves every flush
        queued = 0;
        await stream.send(data);
      }
    } catch (e) {
      finish(e as Error);
    } finally {
      writing = false;
    }
  };

  (async () => {
    try {
      for (;;) {
        const n = await stream.receive();
        if (n === null) break;
        if (n > 0) handlers.onData(stream.received, n);
      }
      finish();
    } catch (e) {
      // A read that fails because we closed the stream is not an error.
      finish(closed ? undefined : e as Error);
    }
  })();

  return {
    write(bytes, start, end) {
      if (closed) return true;
      queue.push(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
      queued += end - start;
      if (!writing) pump();
      return false;
    },
    get pendingBytes() {
      return queued;
    },
    close() {
      finish();
    },
  };
}
