/**
 * ERROR bodies (v4 §9) decoded to plain data; `src/errors.ts` turns them into classes.
 * @module
 */

import type { Reader } from "../bytes.ts";
import { ErrorCode } from "../../errors.ts";

/** A server error as data: the code, the message and the code-specific fields. */
export interface DbErrorData {
  /** The CQL error code. */
  code: number;
  /** The server's message. */
  message: string;
  /** Consistency code (Unavailable, timeouts, failures, CAS_WRITE_UNKNOWN). */
  consistency?: number;
  /** Unavailable: replicas required. */
  required?: number;
  /** Unavailable: replicas alive. */
  alive?: number;
  /** Timeouts and failures: replicas that answered. */
  received?: number;
  /** Timeouts and failures: replicas needed. */
  blockFor?: number;
  /** Write timeout/failure: the kind of write. */
  writeType?: string;
  /** Read timeout/failure: whether the data replica answered. */
  dataPresent?: boolean;
  /** Read/write failure: replicas that failed. */
  numFailures?: number;
  /** Already_exists and Function_failure: the keyspace. */
  keyspace?: string;
  /** Already_exists: the table. */
  table?: string;
  /** Function_failure: the function. */
  functionName?: string;
  /** Function_failure: its argument types. */
  argTypes?: string[];
  /** Unprepared: the unknown statement id. */
  statementId?: Uint8Array;
  /** ScyllaDB rate limit: which operation was limited. */
  opType?: "read" | "write";
  /** ScyllaDB rate limit: whether the coordinator rejected it. */
  rejectedByCoordinator?: boolean;
}

/**
 * Decodes an ERROR body. `rateLimitCode` is the code ScyllaDB announced for its
 * rate-limit extension in SUPPORTED, if any.
 * @throws {ProtocolError} the body is truncated or malformed
 */
export function decodeError(r: Reader, rateLimitCode?: number): DbErrorData {
  const code = r.readInt();
  const message = r.readString();
  const e: DbErrorData = { code, message };
  switch (code) {
    case ErrorCode.UNAVAILABLE:
      e.consistency = r.readShort();
      e.required = r.readInt();
      e.alive = r.readInt();
      break;
    case ErrorCode.WRITE_TIMEOUT:
      e.consistency = r.readShort();
      e.received = r.readInt();
      e.blockFor = r.readInt();
      e.writeType = r.readString();
      break;
    case ErrorCode.READ_TIMEOUT:
      e.consistency = r.readShort();
      e.received = r.readInt();
      e.blockFor = r.readInt();
      e.dataPresent = r.readByte() !== 0;
      break;
    case ErrorCode.READ_FAILURE:
      e.consistency = r.readShort();
      e.received = r.readInt();
      e.blockFor = r.readInt();
      e.numFailures = r.readInt();
      e.dataPresent = r.readByte() !== 0;
      break;
    case ErrorCode.WRITE_FAILURE:
      e.consistency = r.readShort();
      e.received = r.readInt();
      e.blockFor = r.readInt();
      e.numFailures = r.readInt();
      e.writeType = r.readString();
      break;
    case ErrorCode.CAS_WRITE_UNKNOWN:
      e.consistency = r.readShort();
      e.received = r.readInt();
      e.blockFor = r.readInt();
      break;
    case ErrorCode.FUNCTION_FAILURE:
      e.keyspace = r.readString();
      e.functionName = r.readString();
      e.argTypes = r.readStringList();
      break;
    case ErrorCode.ALREADY_EXISTS:
      e.keyspace = r.readString();
      e.table = r.readString();
      break;
    case ErrorCode.UNPREPARED:
      e.statementId = r.readShortBytes().slice();
      break;
    default:
      if (rateLimitCode !== undefined && code === rateLimitCode) {
        e.opType = r.readByte() === 0 ? "read" : "write";
        e.rejectedByCoordinator = r.readByte() !== 0;
      }
  }
  return e;
}
