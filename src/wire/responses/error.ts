/**
 * ERROR bodies (v4 §9) decoded to plain data; `src/errors.ts` turns them into classes.
 * Protocol v5 (v5 §9) changes three bodies: Read_failure and Write_failure
 * carry a `<reasonmap>` (replica address → failure code) where v4 had a
 * count, and a Write_timeout of write type `CAS` ends with `[short]` contentions.
 * @module
 */

import { formatInet, type Reader } from "../bytes.ts";
import { ErrorCode, ProtocolError } from "../../errors.ts";

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
  /** Read/write failure: replicas that failed (v5: the size of `reasons`). */
  numFailures?: number;
  /**
   * v5 read/write failure: why each failed replica failed, by address (IPv4
   * dotted or IPv6 text) to Cassandra's `RequestFailureReason` code.
   */
  reasons?: Map<string, number>;
  /** v5 write timeout of write type `CAS`: how many Paxos contentions there were. */
  contentions?: number;
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
 * Reads a v5 `<reasonmap>`: `[int]` n, then n pairs of `[inetaddr]` endpoint
 * and `[short]` failure code.
 * @throws {ProtocolError} a count the body cannot hold, or a truncated entry
 */
export function readReasonMap(r: Reader): Map<string, number> {
  const n = r.readInt();
  // Each entry takes at least 7 bytes (size byte, 4 address bytes, code).
  if (n < 0 || n * 7 > r.remaining) {
    throw new ProtocolError(`reason map of ${n} entries does not fit a ${r.remaining}-byte body`);
  }
  const out = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const address = formatInet(r.readRaw(r.readByte()));
    out.set(address, r.readShort());
  }
  return out;
}

/**
 * Decodes an ERROR body. `rateLimitCode` is the code ScyllaDB announced for its
 * rate-limit extension in SUPPORTED, if any; `protocolVersion` (default 4)
 * selects the v5 layouts of the failure and CAS timeout bodies.
 * @throws {ProtocolError} the body is truncated or malformed
 */
export function decodeError(r: Reader, rateLimitCode?: number, protocolVersion = 4): DbErrorData {
  const v5 = protocolVersion >= 5;
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
      if (v5 && e.writeType === "CAS") e.contentions = r.readShort();
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
      readFailures(r, e, v5);
      e.dataPresent = r.readByte() !== 0;
      break;
    case ErrorCode.WRITE_FAILURE:
      e.consistency = r.readShort();
      e.received = r.readInt();
      e.blockFor = r.readInt();
      readFailures(r, e, v5);
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

/** v4: `[int]` numfailures; v5: the reason map, whose size is the number of failures. */
function readFailures(r: Reader, e: DbErrorData, v5: boolean): void {
  if (!v5) {
    e.numFailures = r.readInt();
    return;
  }
  e.reasons = readReasonMap(r);
  e.numFailures = e.reasons.size;
}
