/**
 * A connection's bookkeeping of one request: its callbacks and deadline while
 * it holds a stream id (or waits for one), and the errors it may end with.
 * @module
 */

import { ConnectionError, RequestTimeoutError } from "../errors.ts";
import type { FrameEncoder } from "../wire/requests/envelope.ts";
import type { ResponseBody } from "../wire/responses/envelope.ts";
import type { Encodes } from "./output.ts";

/** Decodes a successful (non-ERROR) response; runs while the body is valid. */
export type ResponseDecoder<T> = (opcode: number, body: ResponseBody) => T;

/** Per-request options. */
export interface SendOptions {
  /** Client-side deadline in ms. */
  timeoutMs: number;
  /** Aborts the wait; the stream id stays reserved until the late answer arrives. */
  signal?: AbortSignal;
}

/**
 * A request sent (or waiting for a stream id) and not yet settled: it encodes
 * itself when it gets a stream id and decodes its answer, and the connection
 * calls exactly one of `resolve` and `reject`. The executor's attempts are
 * such objects themselves, so a request costs the connection no object of its own.
 */
export interface Pending extends Encodes {
  /** Decodes a successful (non-ERROR) answer; runs while the body is valid. */
  decode(opcode: number, body: ResponseBody): unknown;
  /** The decoded answer. */
  resolve(answer: unknown): void;
  /** The request failed (error answer, timeout, abort, connection loss, bad value). */
  reject(error: unknown): void;
  /** When the request times out, set by the connection. */
  deadline: number;
  /** Client-side deadline in ms. */
  readonly timeoutMs: number;
  /** Answered to the caller already (timed out or aborted); the id waits for the late answer. */
  abandoned: boolean;
  /** The abort listener while the request is watched. */
  onAbort?: () => void;
  /** The caller's cancellation, while the request is watched. */
  signal?: AbortSignal;
}

/** A {@link Pending} made of an encoder, a decoder and a pair of callbacks. */
export class CallbackPending implements Pending {
  deadline = 0;
  abandoned = false;
  onAbort?: () => void = undefined;
  signal?: AbortSignal = undefined;

  constructor(
    readonly encode: FrameEncoder,
    readonly decode: ResponseDecoder<unknown>,
    readonly resolve: (answer: unknown) => void,
    readonly reject: (error: unknown) => void,
    readonly timeoutMs: number,
  ) {}
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
