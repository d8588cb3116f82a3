/**
 * The one statement-options record shared by `Query`, `PreparedStatement` and
 * `Batch`: each option defined once, with its default and its check. Records
 * are frozen; a setter makes a new record, so a record handed to a request
 * never changes under it. The session resolves a record against the call, the
 * execution profile and the builder in one step (`src/request/resolve.ts`).
 * @module
 */

import { consistencyCode } from "../consistency.ts";
import { checkBoolean, checkTimeout, describeValue } from "../validate.ts";

/** Largest page size the protocol carries (`[int]` result_page_size). */
export const MAX_PAGE_SIZE = 0x7fff_ffff;
/** Page size used when neither statement, profile nor builder sets one. */
export const DEFAULT_PAGE_SIZE = 5000;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/**
 * Execution options of one statement, wire-ready (consistency codes, `bigint`
 * timestamps). An absent optional field means "not set here": the execution
 * profile's or the builder's value applies.
 */
export interface StatementOptions {
  /** Consistency wire code. */
  readonly consistency?: number;
  /** Serial consistency wire code; the server's default (`SERIAL`) when unset everywhere. */
  readonly serialConsistency?: number;
  /** Rows per page. */
  readonly pageSize?: number;
  /** Client-side write timestamp in microseconds since the epoch. */
  readonly timestamp?: bigint;
  /** Client-side request timeout in ms. */
  readonly requestTimeout?: number;
  /** Ask the server to trace the request. */
  readonly tracing: boolean;
  /** Where to resume paging, `null` to start at the first page. */
  readonly pagingState: Uint8Array | null;
  /**
   * Set by `withPagingState()` (even with `null`): the caller pages by hand,
   * so each call fetches one page and returns its `pagingState`.
   */
  readonly manualPaging: boolean;
  /** Whether the statement may be retried or speculatively re-sent safely. */
  readonly idempotent: boolean;
  /** Name of the execution profile whose settings fill what is unset here. */
  readonly profile?: string;
  /** Protocol v5: the keyspace the statement runs in, instead of the session's (no `USE`). */
  readonly keyspace?: string;
}

/** The options of a statement nobody configured. */
export const DEFAULT_STATEMENT_OPTIONS: StatementOptions = Object.freeze({
  tracing: false,
  pagingState: null,
  manualPaging: false,
  idempotent: false,
});

/** Checks a setter's argument and turns it into the record's representation. */
type Check<K extends keyof StatementOptions> = (raw: unknown) => StatementOptions[K];

/** Each option's check, in one table: setters of every statement kind go through it. */
const CHECKS: { readonly [K in keyof StatementOptions]-?: Check<K> } = {
  consistency: (c) => consistencyCode(c, "consistency"),
  serialConsistency: (c) => consistencyCode(c, "serial consistency"),
  pageSize: checkPageSize,
  timestamp: checkTimestamp,
  requestTimeout: (ms) => checkTimeout(ms),
  tracing: (on) => checkBoolean(on, "tracing"),
  pagingState: checkPagingState,
  manualPaging: (on) => checkBoolean(on, "manualPaging"),
  idempotent: (on) => checkBoolean(on, "idempotent"),
  profile: checkProfileName,
  keyspace: checkKeyspaceName,
};

/**
 * A new frozen record: `options` with `key` set to the checked `raw` value.
 * @throws {TypeError} `raw` has the wrong type for `key`
 * @throws {RangeError} `raw` is out of range for `key`
 */
export function withOption<K extends keyof StatementOptions>(
  options: StatementOptions,
  key: K,
  raw: unknown,
): StatementOptions {
  return Object.freeze({ ...options, [key]: CHECKS[key](raw) });
}

/**
 * Checks a page size: an integer in 1..2^31-1.
 * @throws {TypeError} not a number
 * @throws {RangeError} not an integer, or out of range
 */
export function checkPageSize(n: unknown): number {
  if (typeof n !== "number") {
    throw new TypeError(`page size must be a number, got ${describeValue(n)}`);
  }
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
    `timestamp must be a bigint or a number of microseconds, got ${describeValue(micros)}`,
  );
}

/**
 * Checks a paging state and returns a private copy of it (the caller may reuse
 * its buffer), or `null`.
 * @throws {TypeError} neither a `Uint8Array` nor `null`
 */
export function checkPagingState(state: unknown): Uint8Array | null {
  if (state === null) return null;
  if (state instanceof Uint8Array) return state.slice();
  throw new TypeError(`paging state must be a Uint8Array or null, got ${describeValue(state)}`);
}

/**
 * Checks an execution profile name: a non-empty string. Whether the session
 * knows it is checked at call time, where the known names can be listed.
 * @throws {TypeError} not a non-empty string
 */
export function checkProfileName(name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(
      `execution profile name must be a non-empty string, got ${describeValue(name)}`,
    );
  }
  return name;
}

/**
 * Checks a keyspace name for `withKeyspace`: a non-empty string. It is sent as
 * the protocol's keyspace field, as the server spells it (no quoting).
 * @throws {TypeError} not a non-empty string
 */
export function checkKeyspaceName(name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw new TypeError(`keyspace must be a non-empty string, got ${describeValue(name)}`);
  }
  return name;
}
