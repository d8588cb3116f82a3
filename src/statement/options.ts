/**
 * The per-statement options record shared by `Query`, `PreparedStatement` and
 * `Batch`, and the argument checks their setters share. The session reads the
 * record directly, so it holds wire-ready values (consistency codes, `bigint`
 * timestamps).
 * @module
 */

import { consistencyCode, type ConsistencyKind } from "../consistency.ts";

/** Largest page size the protocol carries (`[int]` result_page_size). */
export const MAX_PAGE_SIZE = 0x7fff_ffff;
/** Page size used when none is set. */
export const DEFAULT_PAGE_SIZE = 5000;
/** Longest timeout timers can hold (`setTimeout` overflows above 2^31-1 ms). */
export const MAX_TIMEOUT_MS = 0x7fff_ffff;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Execution options of one statement, as the session sends them. Unset optional
 * fields mean "use the session default".
 */
export interface StatementOptions {
  /** Consistency wire code; session default when absent. */
  consistency?: number;
  /** Serial consistency wire code; server default (`SERIAL`) when absent. */
  serialConsistency?: number;
  /** Rows per page. */
  pageSize: number;
  /** Client-side write timestamp in microseconds since the epoch. */
  timestamp?: bigint;
  /** Client-side request timeout in ms; session default when absent. */
  timeoutMs?: number;
  /** Ask the server to trace the request. */
  tracing: boolean;
  /** Where to resume paging, `null` to start at the first page. */
  pagingState: Uint8Array | null;
  /**
   * Set by `withPagingState()` (even with `null`): the caller pages by hand,
   * so each call fetches one page and returns its `pagingState`.
   */
  manualPaging?: boolean;
  /** Whether the statement may be retried or speculatively re-sent safely. */
  idempotent: boolean;
}

/** The options of a statement nobody configured; frozen, copy before changing. */
export const DEFAULT_STATEMENT_OPTIONS: Readonly<StatementOptions> = Object.freeze({
  pageSize: DEFAULT_PAGE_SIZE,
  tracing: false,
  pagingState: null,
  idempotent: false,
});

/** A fresh, mutable copy of the default options. */
export function defaultStatementOptions(): StatementOptions {
  return { ...DEFAULT_STATEMENT_OPTIONS };
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (v === null || typeof v !== "object") return String(v);
  return Object.prototype.toString.call(v);
}

/**
 * Checks a consistency name for a setter and returns its wire code.
 * @throws {RangeError} not a valid name for `what`; the message lists the valid ones
 */
export function checkConsistency(name: unknown, what: ConsistencyKind): number {
  return consistencyCode(name, what);
}

/**
 * Checks a page size: an integer in 1..2^31-1.
 * @throws {TypeError} not a number
 * @throws {RangeError} not an integer, or out of range
 */
export function checkPageSize(n: unknown): number {
  if (typeof n !== "number") throw new TypeError(`page size must be a number, got ${show(n)}`);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new RangeError(`page size must be an integer in 1..${MAX_PAGE_SIZE}, got ${n}`);
  }
  return n;
}

/**
 * Checks a write timestamp in microseconds since the epoch and returns it as a
 * `bigint` (a `number` must be a safe integer, so no precision is lost silently).
 * @throws {TypeError} neither a `bigint` nor a `number`
 * @throws {RangeError} a non-safe-integer `number`, or a `bigint` outside 64 bits
 */
export function checkTimestamp(micros: unknown): bigint {
  if (typeof micros === "bigint") {
    if (micros < INT64_MIN || micros > INT64_MAX) {
      throw new RangeError(`timestamp must fit in a signed 64-bit integer, got ${micros}n`);
    }
    return micros;
  }
  if (typeof micros === "number") {
    if (!Number.isSafeInteger(micros)) {
      throw new RangeError(
        `timestamp must be a safe integer number of microseconds (or a bigint), got ${micros}`,
      );
    }
    return BigInt(micros);
  }
  throw new TypeError(
    `timestamp must be a bigint or a number of microseconds, got ${show(micros)}`,
  );
}

/**
 * Checks a timeout or other duration in ms: finite, > 0 and ≤ 2^31-1.
 * @param what names the setting in the error message
 * @throws {TypeError} not a number
 * @throws {RangeError} not finite, ≤ 0, or above 2^31-1 ms
 */
export function checkTimeout(ms: unknown, what = "timeout"): number {
  if (typeof ms !== "number") {
    throw new TypeError(`${what} must be a number of ms, got ${show(ms)}`);
  }
  if (!Number.isFinite(ms) || ms <= 0 || ms > MAX_TIMEOUT_MS) {
    throw new RangeError(
      `${what} must be a finite number of ms in (0, ${MAX_TIMEOUT_MS}], got ${ms}`,
    );
  }
  return ms;
}

/**
 * Checks a flag.
 * @param what names the setting in the error message
 * @throws {TypeError} not a boolean
 */
export function checkBoolean(on: unknown, what: string): boolean {
  if (typeof on !== "boolean") throw new TypeError(`${what} must be a boolean, got ${show(on)}`);
  return on;
}

/**
 * Checks a paging state and returns a private copy of it (the caller may reuse
 * its buffer), or `null`.
 * @throws {TypeError} neither a `Uint8Array` nor `null`
 */
export function checkPagingState(state: unknown): Uint8Array | null {
  if (state === null) return null;
  if (state instanceof Uint8Array) return state.slice();
  throw new TypeError(`paging state must be a Uint8Array or null, got ${show(state)}`);
}

/** Describes a value for an error message without dumping its content. */
export function describeValue(v: unknown): string {
  return show(v);
}
