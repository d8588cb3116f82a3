/**
 * Reads system tables over one connection, as plain objects.
 * @module
 */

import { appendQuery } from "../wire/requests/query.ts";
import { decodeResult } from "../wire/responses/result.ts";
import { ProtocolError } from "../errors.ts";
import type { Connection } from "../pool/connection.ts";

/** Consistency ONE: system tables are node-local. */
const ONE = 0x0001;

/** Runs `cql` (no bind values) on `c` and returns every row as an object keyed by column name. */
export async function querySystem(
  c: Connection,
  cql: string,
  timeoutMs: number,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let pagingState: Uint8Array | null = null;
  do {
    const state = pagingState;
    const page = await c.send(
      (w, protocolVersion) =>
        appendQuery(w, cql, {
          consistency: ONE,
          pageSize: 5000,
          pagingState: state,
          protocolVersion,
        }),
      (_op, b) => decodeResult(b.reader, undefined, undefined, b.version),
      { timeoutMs },
    );
    if (page.kind !== "rows") throw new ProtocolError(`"${cql}" answered with ${page.kind}`);
    const { chunks, columns } = page;
    for (const cells of chunks) {
      for (let base = 0; base < cells.length; base += columns.length) {
        const o: Record<string, unknown> = {};
        columns.forEach((col, i) => (o[col.name] = cells[base + i]));
        out.push(o);
      }
    }
    pagingState = page.pagingState;
  } while (pagingState !== null);
  return out;
}
