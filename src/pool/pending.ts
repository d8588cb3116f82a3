/**
 * A connection's bookkeeping of one request: its callbacks and deadline while
 * it holds a stream id (or waits for one), and the errors it may end with.
 * @module
 */

import { ConnectionError, RequestTimeoutError } from "../errors.ts";
import type { FrameEncoder } from "../wire/requests/envelope.ts";
import type { ResponseBody } from "../wire/responses/envelope.ts";

/** Decodes a successful (non-ERROR) response; runs while the body is valid. */
export type ResponseDecoder<T> = (opcode: number, body: ResponseBody) => T;

/** Per-request options. */
export interface SendOptions {
  /** Client-side deadline in ms. */
  timeoutMs: number;
  /** Aborts the wait; the stream id stays reserved until the late answer arrives. */
  signal?: AbortSignal;
}

/** A request sent (or waiting to be) and not yet settled. */
export interface Pending {
  decode: ResponseDecoder<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
  deadline: number;
  timeoutMs: number;
  /** Answered to the caller already (timed out or aborted); the id waits for the late answer. */
  abandoned: boolean;
  onAbort?: () => void;
  signal?: AbortSignal;
}

/** A request waiting for a free stream id. */
export interface Waiting {
  frame: FrameEncoder;
  pending: Pending;
}

/** The error of requests on a connection whose socket closed. */
export function connectionLost(address: string, err?: Error): ConnectionError {
  return new ConnectionError(
    err
      ? `connection to ${address} lost: ${err.message}`
      : `connection to ${address} closed by the server`,
    { cause: err },
  );
}

/** The error of a request with no answer by its deadline. */
export function timeoutError(address: string, p: Pending): RequestTimeoutError {
  return new RequestTimeoutError(`no answer from ${address} within ${p.timeoutMs} ms`);
}

/** An encoder that appends already-encoded frame bytes. */
export function rawFrame(bytes: Uint8Array): FrameEncoder {
  return (w) => w.writeRaw(bytes);
}
