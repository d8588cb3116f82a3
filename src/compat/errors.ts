/**
 * `cassandra-driver`'s error classes (`errors.*`) with their names, `info`
 * texts and `code` values, and the one mapping from the driver's errors to
 * them.
 * @module
 */

import {
  AuthenticationError as ScyllaAuthenticationError,
  ConnectionError,
  RequestTimeoutError,
  ScyllaError,
} from "../errors.ts";

/** Root of the facade's errors, as `errors.DriverError`. */
export class DriverError extends Error {
  /** What this kind of error means. */
  info = "Cassandra Driver Error";

  /** An error with a message (and, where it came from the driver, its cause). */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No node could run the request, as `errors.NoHostAvailableError`. */
export class NoHostAvailableError extends DriverError {
  /** Errors per host (`host:port` → error). */
  readonly innerErrors: Record<string, Error>;

  /** An error listing why each host failed. */
  constructor(innerErrors: Record<string, Error>, message?: string, options?: { cause?: unknown }) {
    super(message ?? "All host(s) tried for query failed.", options);
    this.innerErrors = innerErrors;
    this.info = "Represents an error when a query cannot be performed because no host is " +
      "available or could be reached by the driver.";
  }
}

/** An error answer of the server, as `errors.ResponseError`; `code` as in `types.responseErrorCodes`. */
export class ResponseError extends DriverError {
  /** The CQL error code. */
  readonly code: number;

  /** An error with its CQL error code. */
  constructor(code: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.info = "Represents an error message from the server";
  }
}

/** A bug inside the driver or a node, as `errors.DriverInternalError`. */
export class DriverInternalError extends DriverError {
  /** What this kind of error means. */
  override info: string = "Represents a bug inside the driver or in a Cassandra host.";
}

/** Authentication failed, as `errors.AuthenticationError`. */
export class AuthenticationError extends DriverError {
  /** What this kind of error means. */
  override info: string =
    "Represents an authentication error from the driver or from a Cassandra node.";
}

/** An invalid argument, as `errors.ArgumentError`. */
export class ArgumentError extends DriverError {
  /** What this kind of error means. */
  override info: string =
    "Represents an error that is raised when one of the arguments provided to " +
    "a method is not valid.";
}

/** The client gave up waiting for a node, as `errors.OperationTimedOutError`. */
export class OperationTimedOutError extends DriverError {
  /** The node, when known. */
  readonly host: string | undefined;

  /** A timeout, with the node when known. */
  constructor(message: string, host?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.host = host;
    this.info = "Represents a client-side error that is raised when the client did not hear " +
      "back from the server within socketOptions.readTimeout";
  }
}

/** A feature the facade or the server does not support, as `errors.NotSupportedError`. */
export class NotSupportedError extends DriverError {
  /** What this kind of error means. */
  override info: string = "Represents a feature that is not supported in the driver or in the " +
    "Cassandra version.";
}

/** All connections to a node are busy, as `errors.BusyConnectionError`. */
export class BusyConnectionError extends DriverError {}

const COPIED = [
  "consistency",
  "required",
  "alive",
  "received",
  "blockFor",
  "writeType",
  "dataPresent",
  "failures",
  "keyspace",
  "table",
] as const;

const CONSISTENCY_CODES: Record<string, number> = {
  ANY: 0,
  ONE: 1,
  TWO: 2,
  THREE: 3,
  QUORUM: 4,
  ALL: 5,
  LOCAL_QUORUM: 6,
  EACH_QUORUM: 7,
  SERIAL: 8,
  LOCAL_SERIAL: 9,
  LOCAL_ONE: 10,
}; // deno-fmt-ignore

/**
 * The facade error for a driver error: a server error → `ResponseError` with
 * its `code` and details (`consistencies` as numbers); no reachable node →
 * `NoHostAvailableError`; a client timeout → `OperationTimedOutError`; bad
 * credentials → `NoHostAvailableError` whose inner error is an
 * `AuthenticationError`. Other errors (`TypeError`, …) are returned as they are.
 */
export function toCompatError(e: unknown, hosts: readonly string[] = []): unknown {
  if (!(e instanceof ScyllaError) || e instanceof DriverError) return e;
  const where = hosts.length > 0 ? hosts.join(",") : "cluster";
  if (e instanceof ScyllaAuthenticationError) {
    const inner = new AuthenticationError(e.message, { cause: e });
    return new NoHostAvailableError({ [where]: inner }, `All host(s) tried for query failed. First host tried, ${where}: ${e.message}`, { cause: e });
  }
  if (e instanceof RequestTimeoutError) return new OperationTimedOutError(e.message, undefined, { cause: e });
  if (e instanceof ConnectionError) {
    return new NoHostAvailableError({ [where]: e }, `All host(s) tried for query failed. ${e.message}`, { cause: e });
  }
  if (e.code !== null) {
    const out = new ResponseError(e.code, e.message, { cause: e });
    const src = e as unknown as Record<string, unknown>;
    const dst = out as unknown as Record<string, unknown>;
    for (const k of COPIED) if (src[k] !== undefined) dst[k] = src[k];
    if (typeof src.consistency === "string") {
      dst.consistencies = CONSISTENCY_CODES[src.consistency as string];
    }
    // cassandra-driver's names for the details rsylla names otherwise.
    if (typeof src.dataPresent === "boolean") dst.isDataPresent = src.dataPresent ? 1 : 0;
    if (src.numFailures !== undefined) dst.failures = src.numFailures;
    if (src.reasons !== undefined) dst.reasons = src.reasons;
    if (src.functionName !== undefined) dst.functionName = src.functionName;
    if (src.argTypes !== undefined) dst.argTypes = src.argTypes;
    if (src.statementId instanceof Uint8Array) dst.queryId = src.statementId;
    return out;
  }
  return new DriverError(e.message, { cause: e });
}
