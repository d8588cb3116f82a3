/**
 * Error classes. Every failure that comes from the cluster or the network is a
 * {@link ScyllaError}; wrong arguments from the caller are `TypeError`/`RangeError`.
 * Messages carry numbers and names, never bound values or passwords.
 * @module
 */

/**
 * CQL error codes (native protocol v4 §9, plus ScyllaDB's rate-limit extension;
 * v5 changes some bodies, not the codes).
 */
export const ErrorCode = {
  SERVER_ERROR: 0x0000,
  PROTOCOL_ERROR: 0x000a,
  BAD_CREDENTIALS: 0x0100,
  UNAVAILABLE: 0x1000,
  OVERLOADED: 0x1001,
  IS_BOOTSTRAPPING: 0x1002,
  TRUNCATE_ERROR: 0x1003,
  WRITE_TIMEOUT: 0x1100,
  READ_TIMEOUT: 0x1200,
  READ_FAILURE: 0x1300,
  FUNCTION_FAILURE: 0x1400,
  WRITE_FAILURE: 0x1500,
  CDC_WRITE_FAILURE: 0x1600,
  CAS_WRITE_UNKNOWN: 0x1700,
  SYNTAX_ERROR: 0x2000,
  UNAUTHORIZED: 0x2100,
  INVALID: 0x2200,
  CONFIG_ERROR: 0x2300,
  ALREADY_EXISTS: 0x2400,
  UNPREPARED: 0x2500,
} as const;

/** Options every {@link ScyllaError} accepts. */
export interface ScyllaErrorOptions {
  /** The CQL error code, when the server sent one. */
  code?: number | null;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Base class of every error from the cluster or the network.
 * @example
 * ```ts
 * import { ScyllaError } from "@rsylla/rsylla";
 * try { throw new ScyllaError("boom", { code: 0 }); } catch (e) {
 *   if (e instanceof ScyllaError) console.log(e.code);
 * }
 * ```
 */
export class ScyllaError extends Error {
  /** The CQL error code, or `null` for client-side failures. */
  readonly code: number | null;

  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(message: string, options: ScyllaErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code ?? null;
    this.name = new.target.name;
  }
}

/** The connection could not be opened, was lost, or the session is closed. */
export class ConnectionError extends ScyllaError {
  /**
   * `true` when the request never left the client (connection already closed,
   * or its queue full), so sending it elsewhere is safe even if not idempotent.
   */
  readonly notSent: boolean;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(message: string, options: ScyllaErrorOptions & { notSent?: boolean } = {}) {
    super(message, options);
    this.notSent = options.notSent ?? false;
  }
}
/** The server rejected the credentials (`Bad credentials`, 0x0100) or the handshake. */
export class AuthenticationError extends ScyllaError {}
/** A request did not complete before its client-side deadline. */
export class RequestTimeoutError extends ScyllaError {}
/** The server broke the protocol or sent bytes the driver cannot decode (0x000A when from the server). */
export class ProtocolError extends ScyllaError {}
/** The coordinator failed for a reason of its own (0x0000). */
export class ServerError extends ScyllaError {}

/** Fields shared by errors that report a consistency level outcome. */
export interface ConsistencyDetails {
  /** Consistency level of the failed request, e.g. `"QUORUM"`. */
  consistency: string;
}

/** Not enough replicas alive to reach the consistency level (0x1000). */
export class UnavailableError extends ScyllaError implements ConsistencyDetails {
  /** Consistency level of the request. */
  readonly consistency: string;
  /** Replicas needed. */
  readonly required: number;
  /** Replicas known alive. */
  readonly alive: number;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(message: string, d: { consistency: string; required: number; alive: number }) {
    super(message, { code: ErrorCode.UNAVAILABLE });
    this.consistency = d.consistency;
    this.required = d.required;
    this.alive = d.alive;
  }
}

/** Details of a read or write timeout or failure. */
export interface ReplicaDetails {
  /** Consistency level of the request. */
  consistency: string;
  /** Replicas that answered. */
  received: number;
  /** Replicas needed. */
  blockFor: number;
}

/** Replicas did not answer a read in time (0x1200). */
export class ReadTimeoutError extends ScyllaError implements ConsistencyDetails {
  /** Consistency level of the request. */
  readonly consistency: string;
  /** Replicas that answered. */
  readonly received: number;
  /** Replicas needed. */
  readonly blockFor: number;
  /** Whether the replica asked for data answered. */
  readonly dataPresent: boolean;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(message: string, d: ReplicaDetails & { dataPresent: boolean }) {
    super(message, { code: ErrorCode.READ_TIMEOUT });
    this.consistency = d.consistency;
    this.received = d.received;
    this.blockFor = d.blockFor;
    this.dataPresent = d.dataPresent;
  }
}

/** Replicas did not acknowledge a write in time (0x1100). */
export class WriteTimeoutError extends ScyllaError implements ConsistencyDetails {
  /** Consistency level of the request. */
  readonly consistency: string;
  /** Replicas that acknowledged. */
  readonly received: number;
  /** Replicas needed. */
  readonly blockFor: number;
  /** `SIMPLE`, `BATCH`, `UNLOGGED_BATCH`, `COUNTER`, `BATCH_LOG`, `CAS`, `VIEW`, `CDC`. */
  readonly writeType: string;
  /**
   * Protocol v5, write type `CAS` only: how many times the Paxos round met a
   * contending proposal; `null` otherwise.
   */
  readonly contentions: number | null;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(message: string, d: ReplicaDetails & { writeType: string; contentions?: number }) {
    super(message, { code: ErrorCode.WRITE_TIMEOUT });
    this.consistency = d.consistency;
    this.received = d.received;
    this.blockFor = d.blockFor;
    this.writeType = d.writeType;
    this.contentions = d.contentions ?? null;
  }
}

/**
 * Why each replica failed, by address, as protocol v5 reports it: Cassandra's
 * `RequestFailureReason` codes (5.0: 0 UNKNOWN, 1 READ_TOO_MANY_TOMBSTONES,
 * 2 TIMEOUT, 3 INCOMPATIBLE_SCHEMA, 4 READ_SIZE, 5 NODE_DOWN,
 * 6 INDEX_NOT_AVAILABLE, 7 READ_TOO_MANY_INDEXES). Empty under protocol v4.
 */
export type FailureReasons = ReadonlyMap<string, number>;

/** Replicas failed a read (0x1300). */
export class ReadFailureError extends ScyllaError implements ConsistencyDetails {
  /** Consistency level of the request. */
  readonly consistency: string;
  /** Replicas that answered. */
  readonly received: number;
  /** Replicas needed. */
  readonly blockFor: number;
  /** Replicas that failed. */
  readonly numFailures: number;
  /** Whether the replica asked for data answered. */
  readonly dataPresent: boolean;
  /** Protocol v5: each failed replica's failure code by address (see {@link FailureReasons}). */
  readonly reasons: FailureReasons;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(
    message: string,
    d: ReplicaDetails & { numFailures: number; dataPresent: boolean; reasons?: FailureReasons },
  ) {
    super(message, { code: ErrorCode.READ_FAILURE });
    this.consistency = d.consistency;
    this.received = d.received;
    this.blockFor = d.blockFor;
    this.numFailures = d.numFailures;
    this.dataPresent = d.dataPresent;
    this.reasons = d.reasons ?? new Map();
  }
}

/** Replicas failed a write (0x1500). */
export class WriteFailureError extends ScyllaError implements ConsistencyDetails {
  /** Consistency level of the request. */
  readonly consistency: string;
  /** Replicas that acknowledged. */
  readonly received: number;
  /** Replicas needed. */
  readonly blockFor: number;
  /** Replicas that failed. */
  readonly numFailures: number;
  /** The kind of write, as in {@link WriteTimeoutError.writeType}. */
  readonly writeType: string;
  /** Protocol v5: each failed replica's failure code by address (see {@link FailureReasons}). */
  readonly reasons: FailureReasons;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(
    message: string,
    d: ReplicaDetails & { numFailures: number; writeType: string; reasons?: FailureReasons },
  ) {
    super(message, { code: ErrorCode.WRITE_FAILURE });
    this.consistency = d.consistency;
    this.received = d.received;
    this.blockFor = d.blockFor;
    this.numFailures = d.numFailures;
    this.writeType = d.writeType;
    this.reasons = d.reasons ?? new Map();
  }
}

/** The coordinator is overloaded (0x1001). */
export class OverloadedError extends ScyllaError {}
/** The coordinator is still bootstrapping (0x1002). */
export class IsBootstrappingError extends ScyllaError {}
/** A TRUNCATE failed (0x1003). */
export class TruncateError extends ScyllaError {}
/** The CQL text does not parse (0x2000). */
export class CqlSyntaxError extends ScyllaError {}
/** The logged-in user lacks a permission (0x2100). */
export class UnauthorizedError extends ScyllaError {}
/** The query is syntactically right but invalid, e.g. an unknown table (0x2200). */
export class InvalidQueryError extends ScyllaError {}
/** The query is invalid because of some configuration issue (0x2300). */
export class ConfigurationError extends ScyllaError {}

/** A keyspace or table that already exists was created (0x2400). */
export class AlreadyExistsError extends ScyllaError {
  /** The keyspace concerned. */
  readonly keyspace: string;
  /** The table concerned, `""` when the keyspace itself exists. */
  readonly table: string;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(message: string, d: { keyspace: string; table: string }) {
    super(message, { code: ErrorCode.ALREADY_EXISTS });
    this.keyspace = d.keyspace;
    this.table = d.table;
  }
}

/** A user-defined function failed (0x1400). */
export class FunctionFailureError extends ScyllaError {
  /** Keyspace of the function. */
  readonly keyspace: string;
  /** Name of the function. */
  readonly functionName: string;
  /** CQL types of its arguments. */
  readonly argTypes: string[];
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(
    message: string,
    d: { keyspace: string; functionName: string; argTypes: string[] },
  ) {
    super(message, { code: ErrorCode.FUNCTION_FAILURE });
    this.keyspace = d.keyspace;
    this.functionName = d.functionName;
    this.argTypes = d.argTypes;
  }
}

/** ScyllaDB's per-partition rate limit rejected the operation (extension error). */
export class RateLimitReachedError extends ScyllaError {
  /** `"read"` or `"write"`. */
  readonly opType: "read" | "write";
  /** Whether the coordinator itself rejected the operation. */
  readonly rejectedByCoordinator: boolean;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(
    message: string,
    d: { code: number; opType: "read" | "write"; rejectedByCoordinator: boolean },
  ) {
    super(message, { code: d.code });
    this.opType = d.opType;
    this.rejectedByCoordinator = d.rejectedByCoordinator;
  }
}

/**
 * The server no longer knows a prepared statement id (0x2500). The session
 * re-prepares and retries once before a caller ever sees this.
 */
export class UnpreparedError extends ScyllaError {
  /** The statement id the server did not know. */
  readonly statementId: Uint8Array;
  /** `message` names what failed, with numbers but never bound values or secrets. */
  constructor(message: string, statementId: Uint8Array) {
    super(message, { code: ErrorCode.UNPREPARED });
    this.statementId = statementId;
  }
}
