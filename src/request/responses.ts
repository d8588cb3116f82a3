/**
 * Decoding the RESULT answers of statement requests into what the session
 * returns: rows and their metadata, or a prepared statement's metadata.
 * @module
 */

import { ProtocolError } from "../errors.ts";
import type { QueryResultInit } from "../result.ts";
import { Opcode } from "../wire/frame.ts";
import type { ColumnSpec, PreparedInfo } from "../wire/metadata.ts";
import type { ResponseBody } from "../wire/responses/envelope.ts";
import { decodeResult, type MetadataCache, type ResultMessage } from "../wire/responses/result.ts";

/**
 * A decoded RESULT: the message, and the page it makes (the data of a `QueryResult`, with the
 * response's tracing id and warnings) in the same object, one allocation per answer.
 */
export interface DecodedResult extends QueryResultInit {
  /** The RESULT message. */
  result: ResultMessage;
}

const NO_COLUMNS: readonly ColumnSpec[] = [];

/**
 * Decodes a RESULT, reading rows with `known` columns when the server sent
 * none, and comparing column specs against `cache` instead of decoding them again.
 * @throws {ProtocolError} not a RESULT, or a malformed one
 */
export function decodeWith(
  op: number,
  body: ResponseBody,
  known?: readonly ColumnSpec[],
  cache?: MetadataCache,
): DecodedResult {
  if (op !== Opcode.RESULT) throw new ProtocolError(`expected RESULT, got opcode ${op}`);
  // The body is the connection's, reused for its next answer: what the result needs is copied.
  const result = decodeResult(body.reader, known, cache, body.version, body.metadataId);
  const rows = result.kind === "rows" ? result : null;
  return {
    result,
    columns: rows?.columns ?? NO_COLUMNS,
    chunks: rows?.chunks ?? [],
    rowCount: rows?.rowCount ?? 0,
    pagingState: rows?.pagingState ?? null,
    tracingId: body.tracingId,
    warnings: body.warnings,
    coordinator: null,
  };
}

/** Decodes any RESULT (no known columns). */
export function decodeAny(op: number, body: ResponseBody): DecodedResult {
  return decodeWith(op, body);
}

/**
 * Decodes the answer to PREPARE.
 * @throws {ProtocolError} not a RESULT of kind prepared
 */
export function decodePrepared(op: number, body: ResponseBody): PreparedInfo {
  const { result } = decodeWith(op, body);
  if (result.kind !== "prepared") throw new ProtocolError(`PREPARE answered with ${result.kind}`);
  const { kind: _kind, ...info } = result;
  return info;
}
