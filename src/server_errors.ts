/**
 * Maps server errors decoded by the wire layer to error classes, in one place.
 * Protocol v5 details (failure reasons by replica, CAS contentions) are kept
 * on the error and named in its message.
 * @module
 */

import type { DbErrorData } from "./wire/responses/error.ts";
import {
  AlreadyExistsError,
  AuthenticationError,
  ConfigurationError,
  CqlSyntaxError,
  ErrorCode,
  FunctionFailureError,
  InvalidQueryError,
  IsBootstrappingError,
  OverloadedError,
  ProtocolError,
  RateLimitReachedError,
  ReadFailureError,
  ReadTimeoutError,
  type ScyllaError,
  ServerError,
  TruncateError,
  UnauthorizedError,
  UnavailableError,
  UnpreparedError,
  WriteFailureError,
  WriteTimeoutError,
} from "./errors.ts";
import { consistencyName } from "./consistency.ts";

/** Cassandra 5.0's `RequestFailureReason` names, by code (the spec's list is older). */
const FAILURE_REASONS = [
  "UNKNOWN",
  "READ_TOO_MANY_TOMBSTONES",
  "TIMEOUT",
  "INCOMPATIBLE_SCHEMA",
  "READ_SIZE",
  "NODE_DOWN",
  "INDEX_NOT_AVAILABLE",
  "READ_TOO_MANY_INDEXES",
];

/** `: 10.0.0.2 READ_TOO_MANY_TOMBSTONES, …` for a v5 reason map; nothing under v4. */
function reasonsText(reasons: ReadonlyMap<string, number> | undefined): string {
  if (reasons === undefined || reasons.size === 0) return "";
  const parts: string[] = [];
  for (const [address, code] of reasons) {
    parts.push(`${address} ${FAILURE_REASONS[code] ?? `reason 0x${code.toString(16)}`}`);
  }
  return `: ${parts.join(", ")}`;
}

/** Turns a decoded ERROR body into the matching {@link ScyllaError} subclass. */
export function errorFromServer(e: DbErrorData): ScyllaError {
  const msg = e.message;
  const code = e.code;
  const cl = e.consistency === undefined ? "" : consistencyName(e.consistency);
  switch (code) {
    case ErrorCode.SERVER_ERROR:
      return new ServerError(`server error: ${msg}`, { code });
    case ErrorCode.PROTOCOL_ERROR:
      return new ProtocolError(`server reported a protocol error: ${msg}`, { code });
    case ErrorCode.BAD_CREDENTIALS:
      return new AuthenticationError(msg, { code });
    case ErrorCode.UNAVAILABLE:
      return new UnavailableError(
        `${msg} (${cl}: ${e.required} required but only ${e.alive} alive)`,
        { consistency: cl, required: e.required!, alive: e.alive! },
      );
    case ErrorCode.OVERLOADED:
      return new OverloadedError(msg, { code });
    case ErrorCode.IS_BOOTSTRAPPING:
      return new IsBootstrappingError(msg, { code });
    case ErrorCode.TRUNCATE_ERROR:
      return new TruncateError(msg, { code });
    case ErrorCode.WRITE_TIMEOUT:
      return new WriteTimeoutError(
        `${msg} (${cl}: ${e.received} of ${e.blockFor} replicas acknowledged a ${e.writeType} write${
          e.contentions === undefined ? "" : `, ${e.contentions} contentions`
        })`,
        {
          consistency: cl,
          received: e.received!,
          blockFor: e.blockFor!,
          writeType: e.writeType!,
          contentions: e.contentions,
        },
      );
    case ErrorCode.READ_TIMEOUT:
      return new ReadTimeoutError(
        `${msg} (${cl}: ${e.received} of ${e.blockFor} replicas answered, data ${
          e.dataPresent ? "present" : "missing"
        })`,
        {
          consistency: cl,
          received: e.received!,
          blockFor: e.blockFor!,
          dataPresent: e.dataPresent!,
        },
      );
    case ErrorCode.READ_FAILURE:
      return new ReadFailureError(
        `${msg} (${cl}: ${e.received} of ${e.blockFor} answered, ${e.numFailures} failed${
          reasonsText(e.reasons)
        })`,
        {
          consistency: cl,
          received: e.received!,
          blockFor: e.blockFor!,
          numFailures: e.numFailures!,
          dataPresent: e.dataPresent!,
          reasons: e.reasons,
        },
      );
    case ErrorCode.WRITE_FAILURE:
      return new WriteFailureError(
        `${msg} (${cl}: ${e.received} of ${e.blockFor} acknowledged, ${e.numFailures} failed${
          reasonsText(e.reasons)
        })`,
        {
          consistency: cl,
          received: e.received!,
          blockFor: e.blockFor!,
          numFailures: e.numFailures!,
          writeType: e.writeType!,
          reasons: e.reasons,
        },
      );
    case ErrorCode.FUNCTION_FAILURE:
      return new FunctionFailureError(msg, {
        keyspace: e.keyspace!,
        functionName: e.functionName!,
        argTypes: e.argTypes!,
      });
    case ErrorCode.CDC_WRITE_FAILURE:
      return new ServerError(msg, { code });
    case ErrorCode.CAS_WRITE_UNKNOWN:
      // Plain ServerError (no public class for it); the message keeps the numbers.
      return new ServerError(
        e.received === undefined
          ? msg
          : `${msg} (${cl}: ${e.received} of ${e.blockFor} replicas acknowledged; the outcome is unknown)`,
        { code },
      );
    case ErrorCode.SYNTAX_ERROR:
      return new CqlSyntaxError(msg, { code });
    case ErrorCode.UNAUTHORIZED:
      return new UnauthorizedError(msg, { code });
    case ErrorCode.INVALID:
      return new InvalidQueryError(msg, { code });
    case ErrorCode.CONFIG_ERROR:
      return new ConfigurationError(msg, { code });
    case ErrorCode.ALREADY_EXISTS:
      return new AlreadyExistsError(msg, { keyspace: e.keyspace!, table: e.table! });
    case ErrorCode.UNPREPARED:
      return new UnpreparedError(msg, e.statementId!);
    default:
      if (e.opType !== undefined) {
        return new RateLimitReachedError(`${msg} (${e.opType} rate limit)`, {
          code,
          opType: e.opType,
          rejectedByCoordinator: e.rejectedByCoordinator!,
        });
      }
      return new ServerError(`server error 0x${code.toString(16).padStart(4, "0")}: ${msg}`, {
        code,
      });
  }
}
