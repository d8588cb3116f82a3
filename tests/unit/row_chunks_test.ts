// Rows are decoded into a few arrays of whole rows ("chunks"), not an array per row; a Row is a
// view of its chunk. These tests check that every row comes out whole and in order through
// each reader of that layout: the decoder, QueryResult, pages merged by remainingPages, and
// the row stream behind Session.iter(), including pages wider than one chunk and rows
// without columns.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Reader } from "../../src/wire/bytes.ts";
import { decodeResult } from "../../src/wire/responses/result.ts";
import { QueryResult, type QueryResultInit } from "../../src/result.ts";
import { remainingPages, RowStream } from "../../src/request/pager.ts";

const bytesOf = (s: string): number[] => [0, s.length, ...[...s].map((c) => c.charCodeAt(0))];
const int32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/** A RESULT Rows body: `rows` rows of `names.length` int columns, cell (r, c) = r * 100 + c. */
function intRowsBody(names: string[], rows: number): Uint8Array {
  const out = [...int32(2), ...int32(1), ...int32(names.length), ...bytesOf("ks"), ...bytesOf("t")];
  for (const n of names) out.push(...bytesOf(n), 0x00, 0x09);
  out.push(...int32(rows));
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < names.length; c++) out.push(...int32(4), ...int32(r * 100 + c));
  }
  return new Uint8Array(out);
}

/** The page a fetch resolves with, decoded from `intRowsBody`. */
function page(names: string[], rows: number, pagingState: Uint8Array | null): QueryResultInit {
  const r = decodeResult(new Reader(intRowsBody(names, rows)));
  if (r.kind !== "rows") throw new Error(`decoded ${r.kind}`);
  return {
    columns: r.columns,
    chunks: r.chunks,
    rowCount: r.rowCount,
    pagingState,
    tracingId: null,
    warnings: [],
  };
}

const COLS = ["a", "b", "c"];

describe("rows in chunks", () => {
  it("a 5 000 × 3 page decodes into chunks of whole rows, at most 8 192 cells each", () => {
    const r = decodeResult(new Reader(intRowsBody(COLS, 5000)));
    assert.equal(r.kind, "rows");
    if (r.kind !== "rows") return;
    assert.equal(r.rowCount, 5000);
    assert.deepEqual(r.chunks.map((c) => c.length), [8190, 6810]);
    const cells = r.chunks.flat();
    assert.equal(cells.length, 15000);
    assert.deepEqual(cells.slice(8187, 8193), [272900, 272901, 272902, 273000, 273001, 273002]);
    assert.deepEqual(cells.slice(-3), [499900, 499901, 499902]);
  });

  it("QueryResult reads every row across chunk boundaries", () => {
    const result = new QueryResult(page(COLS, 5000, null));
    assert.equal(result.length, 5000);
    const rows = result.rows();
    assert.deepEqual(rows[2729].columns(), [272900, 272901, 272902]);
    assert.deepEqual(rows[2730].columns(), [273000, 273001, 273002]);
    assert.equal(rows[4999].get("c"), 499902);
    assert.deepEqual(result.rowsTyped()[2730], { a: 273000, b: 273001, c: 273002 });
    assert.deepEqual(result.firstRowTyped(), { a: 0, b: 1, c: 2 });
    let n = 0;
    for (const row of result) assert.equal(row.get(0), n++ * 100);
    assert.equal(n, 5000);
  });

  it("remainingPages appends the later pages' rows in order", async () => {
    const state = new Uint8Array([1]);
    const merged = await remainingPages(page(COLS, 3000, state), (s) => {
      assert.deepEqual(s, state);
      return Promise.resolve(page(COLS, 2, null));
    });
    assert.equal(merged.length, 3002);
    assert.equal(merged.pagingState, null);
    const rows = merged.rows();
    assert.deepEqual(rows[2999].columns(), [299900, 299901, 299902]);
    assert.deepEqual(rows[3000].columns(), [0, 1, 2], "the second page starts over at row 0");
    assert.deepEqual(rows[3001].columns(), [100, 101, 102]);
  });

  it("the row stream hands out every row of every page in order, then stops", async () => {
    const pages = [page(COLS, 5000, new Uint8Array([1])), page(COLS, 0, new Uint8Array([2]))];
    pages.push(page(COLS, 3, null));
    let fetched = 0;
    const stream = new RowStream(() => Promise.resolve(pages[fetched++]), null);
    const seen: unknown[][] = [];
    for await (const row of stream) seen.push(row.columns());
    assert.equal(fetched, 3);
    assert.equal(seen.length, 5003);
    assert.deepEqual(seen[2730], [273000, 273001, 273002]);
    assert.deepEqual(seen[4999], [499900, 499901, 499902]);
    assert.deepEqual(seen.slice(5000), [[0, 1, 2], [100, 101, 102], [200, 201, 202]]);
  });

  it("rows without columns: as many empty rows as the server counted", async () => {
    const empty: QueryResultInit = {
      columns: [],
      chunks: [],
      rowCount: 3,
      pagingState: null,
      tracingId: null,
      warnings: [],
    };
    const result = new QueryResult(empty);
    assert.equal(result.length, 3);
    assert.deepEqual([...result].map((r) => r.length), [0, 0, 0]);
    assert.deepEqual(result.rows().map((r) => r.length), [0, 0, 0]);
    assert.deepEqual(result.rowsTyped(), [{}, {}, {}]);
    const lengths: number[] = [];
    for await (const row of new RowStream(() => Promise.resolve(empty), null)) {
      lengths.push(row.length);
    }
    assert.deepEqual(lengths, [0, 0, 0]);
  });
});
