/**
 * A prepared statement's metadata cache: an answer whose column specs are byte-for-byte the last
 * ones reuses the columns without decoding them, and once they match the statement's own columns
 * the cache holds those (so their compiled decoders serve); other specs replace them.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import type { ColumnSpec } from "../../src/wire/metadata.ts";
import {
  decodeResult,
  type MetadataCache,
  type RowsResult,
} from "../../src/wire/responses/result.ts";

const INT = { kind: "native", name: "int" } as const;

/** A ROWS body of one row, one int column per name, global table spec `ks.t`. */
function rowsBody(names: string[], values: number[]): Uint8Array {
  const w = new Writer();
  w.writeInt(2).writeInt(0x0001).writeInt(names.length).writeString("ks").writeString("t");
  for (const n of names) w.writeString(n).writeShort(0x0009);
  w.writeInt(1);
  for (const v of values) w.writeInt(4).writeInt(v);
  return w.toBytes();
}

function decode(body: Uint8Array, known: ColumnSpec[], cache: MetadataCache): RowsResult {
  const r = decodeResult(new Reader(body), known, cache);
  assert.equal(r.kind, "rows");
  return r as RowsResult;
}

describe("prepared result metadata cache", () => {
  const known: ColumnSpec[] = ["id", "value"].map((name) => ({
    keyspace: "ks",
    table: "t",
    name,
    type: INT,
  }));

  it("same specs: the statement's own columns, decoded once, then only compared", () => {
    const cache: MetadataCache = { bytes: null, columns: [] };
    const first = decode(rowsBody(["id", "value"], [1, 2]), known, cache);
    assert.equal(first.columns, known);
    assert.equal(cache.columns, known, "the cache keeps the statement's columns");
    assert.ok(cache.bytes !== null);
    const second = decode(rowsBody(["id", "value"], [3, 4]), known, cache);
    assert.equal(second.columns, known);
    assert.deepEqual(second.chunks, [[3, 4]]);
  });

  it("other specs (a column added): their own columns, and the cache follows them", () => {
    const cache: MetadataCache = { bytes: null, columns: [] };
    decode(rowsBody(["id", "value"], [1, 2]), known, cache);
    const wider = decode(rowsBody(["id", "value", "extra"], [1, 2, 3]), known, cache);
    assert.notEqual(wider.columns, known);
    assert.deepEqual(wider.columns.map((c) => c.name), ["id", "value", "extra"]);
    assert.deepEqual(wider.chunks, [[1, 2, 3]]);
    assert.equal(cache.columns, wider.columns);
    const again = decode(rowsBody(["id", "value", "extra"], [4, 5, 6]), known, cache);
    assert.equal(again.columns, wider.columns, "the same specs again reuse the decoded columns");
    assert.deepEqual(again.chunks, [[4, 5, 6]]);
  });

  it("same count, a renamed column: not the statement's columns", () => {
    const cache: MetadataCache = { bytes: null, columns: [] };
    const renamed = decode(rowsBody(["id", "other"], [1, 2]), known, cache);
    assert.notEqual(renamed.columns, known);
    assert.deepEqual(renamed.columns.map((c) => c.name), ["id", "other"]);
    assert.equal(cache.columns, renamed.columns);
  });
});
