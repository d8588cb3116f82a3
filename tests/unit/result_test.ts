import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { QueryResult, Row } from "../../src/result.ts";
import { formatValue } from "../../src/format_value.ts";
import type { ColumnSpec } from "../../src/wire/metadata.ts";
import type { CqlType } from "../../src/wire/cql_type.ts";

// deno-lint-ignore no-explicit-any
type Loose = any;

const INT: CqlType = { kind: "native", name: "int" };
const TEXT: CqlType = { kind: "native", name: "text" };

function col(name: string, type: CqlType = INT): ColumnSpec {
  return { keyspace: "ks", table: "users", name, type };
}

function result(
  columns: ColumnSpec[],
  rows: unknown[][],
  extra: Partial<{ pagingState: Uint8Array; tracingId: string; warnings: string[] }> = {},
): QueryResult {
  return new QueryResult({
    columns,
    chunks: rows.length > 0 && columns.length > 0 ? [rows.flat()] : [],
    rowCount: rows.length,
    pagingState: extra.pagingState ?? null,
    tracingId: extra.tracingId ?? null,
    warnings: extra.warnings ?? [],
  });
}

const USERS = () =>
  result([col("id"), col("name", TEXT), col("Email", TEXT)], [
    [1, "Alice", "a@x"],
    [2, "Bob", null],
  ]);

describe("QueryResult", () => {
  it("gives rows, first row, length and emptiness", () => {
    const r = USERS();
    assert.equal(r.length, 2);
    assert.equal(r.isEmpty(), false);
    const rows = r.rows();
    assert.equal(rows.length, 2);
    assert.ok(rows[0] instanceof Row);
    assert.equal(r.firstRow(), rows[0], "Row objects are built once and reused");
    assert.notEqual(r.rows(), rows, "rows() returns a fresh array");
    rows.pop();
    assert.equal(r.rows().length, 2, "changing the returned array does not change the result");
  });

  it("firstRow() before rows() or iteration: the same Row, and the other rows still there", () => {
    const r = USERS();
    const first = r.firstRow()!;
    assert.deepEqual(first.columns(), [1, "Alice", "a@x"]);
    assert.equal(r.firstRow(), first);
    const rows = r.rows();
    assert.equal(rows[0], first, "rows() reuses the first row firstRow() made");
    assert.deepEqual(rows[1].columns(), [2, "Bob", null]);
    assert.equal([...r][0], first);
    const noColumns = result([], [[], []]);
    assert.deepEqual(noColumns.firstRow()!.columns(), [], "rows without columns");
    assert.equal(noColumns.rows()[0], noColumns.firstRow());
  });

  it("handles results without rows", () => {
    const r = result([], []);
    assert.equal(r.length, 0);
    assert.equal(r.isEmpty(), true);
    assert.equal(r.firstRow(), null);
    assert.equal(r.firstRowTyped(), null);
    assert.deepEqual(r.rows(), []);
    assert.deepEqual(r.rowsTyped(), []);
    assert.deepEqual([...r], []);
    assert.equal(String(r), "QueryResult(0 rows)");
  });

  it("singleRow throws unless there is exactly one row, saying how many", () => {
    assert.throws(() => USERS().singleRow(), {
      name: "RangeError",
      message: "expected exactly one row, got 2",
    });
    assert.throws(() => result([col("id")], []).singleRow(), /got 0/);
    assert.deepEqual(result([col("id")], [[7]]).singleRow().columns(), [7]);
  });

  it("rowsTyped and firstRowTyped key objects by the real column names", () => {
    const r = USERS();
    type User = { id: number; name: string; Email: string | null };
    const users = r.rowsTyped<User>();
    assert.deepEqual(users, [
      { id: 1, name: "Alice", Email: "a@x" },
      { id: 2, name: "Bob", Email: null },
    ]);
    assert.deepEqual(Object.keys(users[0]), ["id", "name", "Email"]);
    assert.deepEqual(r.firstRowTyped<User>(), { id: 1, name: "Alice", Email: "a@x" });
    users[0].name = "changed";
    assert.equal(r.firstRowTyped<User>()?.name, "Alice", "each call builds new objects");
  });

  it("is iterable any number of times", () => {
    const r = USERS();
    const first = [...r].map((row) => row.get("id"));
    const second = [...r].map((row) => row.get("id"));
    assert.deepEqual(first, [1, 2]);
    assert.deepEqual(second, [1, 2]);
    let n = 0;
    for (const _ of r) n++;
    assert.equal(n, 2);
  });

  it("iterates rows across chunks, before and after rows()", () => {
    const r = new QueryResult({
      columns: [col("a"), col("b")],
      chunks: [[1, 2, 3, 4], [5, 6]],
      rowCount: 3,
      pagingState: null,
      tracingId: null,
      warnings: [],
    });
    const values = (rows: Iterable<Row>) => [...rows].map((row) => row.columns());
    const it = r[Symbol.iterator]();
    assert.deepEqual(it.next().value?.columns(), [1, 2]);
    for (let i = 0; i < 2; i++) assert.equal(it.next().done, false);
    assert.deepEqual(it.next(), { value: undefined, done: true });
    assert.deepEqual(it.next(), { value: undefined, done: true }, "stays done");
    assert.deepEqual(values(r), [[1, 2], [3, 4], [5, 6]]);
    const listed = r.rows();
    assert.deepEqual(values(listed), [[1, 2], [3, 4], [5, 6]]);
    // Once rows() made them, iteration hands out the same Row objects.
    assert.deepEqual([...r], listed);
    assert.ok([...r].every((row, i) => row === listed[i]));
  });

  it("reports column specs with CQL type text, tracing id, warnings and paging state", () => {
    const state = new Uint8Array([0xaa]);
    const r = result(
      [col("id"), col("tags", { kind: "set", element: TEXT })],
      [],
      { pagingState: state, tracingId: "0b4f6a6e-4b8a-11ee-be56-0242ac120002", warnings: ["big"] },
    );
    assert.deepEqual(r.colSpecs(), [
      { keyspace: "ks", table: "users", name: "id", type: "int" },
      { keyspace: "ks", table: "users", name: "tags", type: "set<text>" },
    ]);
    assert.equal(r.tracingId(), "0b4f6a6e-4b8a-11ee-be56-0242ac120002");
    const w = r.warnings();
    assert.deepEqual(w, ["big"]);
    w.push("x");
    assert.deepEqual(r.warnings(), ["big"]);
    assert.equal(r.pagingState, state);
    assert.equal(USERS().pagingState, null);
    assert.equal(USERS().tracingId(), null);
  });

  it("wasApplied reads [applied] of the first row, true without that column", () => {
    const applied = { ...col("[applied]"), type: { kind: "native", name: "boolean" } as CqlType };
    assert.equal(result([applied], [[true]]).wasApplied(), true);
    assert.equal(result([applied, col("v")], [[false, 3]]).wasApplied(), false);
    assert.equal(result([], []).wasApplied(), true);
    assert.equal(USERS().wasApplied(), true);
  });

  it("has a readable toString", () => {
    assert.equal(String(USERS()), "QueryResult(2 rows; id, name, Email)");
    assert.equal(String(result([col("id")], [[1]])), "QueryResult(1 row; id)");
  });
});

describe("Row", () => {
  it("gets values by index, negative index and name", () => {
    const row = USERS().firstRow()!;
    assert.equal(row.length, 3);
    assert.equal(row.get(0), 1);
    assert.equal(row.get(2), "a@x");
    assert.equal(row.get(-1), "a@x");
    assert.equal(row.get(-3), 1);
    assert.equal(row.get("name"), "Alice");
    assert.equal(row.get("Email"), "a@x");
  });

  it("throws RangeError naming the bad index or name and what is valid", () => {
    const row = USERS().firstRow()!;
    assert.throws(() => row.get(3), {
      name: "RangeError",
      message: "column index 3 out of range (valid: -3..2)",
    });
    assert.throws(() => row.get(-4), { name: "RangeError", message: /index -4 .*-3\.\.2/ });
    assert.throws(() => row.get(1.5), RangeError);
    assert.throws(() => row.get("email"), {
      name: "RangeError",
      message: 'no column named "email"; columns: id, name, Email',
    });
    assert.throws(() => row.get(null as Loose), TypeError);
    const empty = result([], [[]]).firstRow()!;
    assert.throws(() => empty.get(0), /the row has no columns/);
    assert.throws(() => empty.get("x"), /columns: \(none\)/);
  });

  it("columns() copies, asObject() keys by name, iteration repeats", () => {
    const row = USERS().rows()[1];
    const values = row.columns();
    assert.deepEqual(values, [2, "Bob", null]);
    values[0] = 99;
    assert.equal(row.get(0), 2);
    assert.deepEqual(row.asObject(), { id: 2, name: "Bob", Email: null });
    assert.deepEqual([...row], [2, "Bob", null]);
    assert.deepEqual([...row], [2, "Bob", null]);
  });

  it("resolves repeated names to the first column, in get and asObject alike", () => {
    const r = result([col("a"), col("b"), col("a")], [[1, 2, 3]]);
    const row = r.singleRow();
    assert.equal(row.get("a"), 1);
    assert.deepEqual(row.asObject(), { a: 1, b: 2 });
    assert.deepEqual(Object.keys(row.asObject()), ["a", "b"]);
  });

  it("keeps a column called __proto__ as a plain key", () => {
    const row = result([col("__proto__"), col("x")], [[{ polluted: true }, 1]]).singleRow();
    const obj = row.asObject() as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(obj), Object.prototype);
    assert.deepEqual(Object.keys(obj), ["__proto__", "x"]);
    assert.equal((obj as Loose).polluted, undefined);
    assert.deepEqual(row.get("__proto__"), { polluted: true });
  });

  it("prints like Row(id=1, name='Alice')", () => {
    assert.equal(String(USERS().firstRow()), "Row(id=1, name='Alice', Email='a@x')");
    const cols = ["b", "n", "big", "l", "m", "s", "d", "t", "o", "v"].map((n) => col(n));
    const row = result(cols, [[
      new Uint8Array([0xca, 0xfe]),
      null,
      12345678901234567890n,
      [1, 2],
      new Map([["k", 1]]),
      new Set(["x"]),
      new Date(0),
      "it's",
      { months: 1, days: 2, nanoseconds: 3n },
      new Float32Array([1.5]),
    ]]).singleRow();
    assert.equal(
      row.toString(),
      "Row(b=0xcafe, n=null, big=12345678901234567890, l=[1, 2], m={'k': 1}, s={'x'}, " +
        "d='1970-01-01T00:00:00.000Z', t='it''s', o={months: 1, days: 2, nanoseconds: 3}, v=[1.5])",
    );
  });

  it("shortens long blobs when printing", () => {
    const text = formatValue(new Uint8Array(100).fill(0xab));
    assert.equal(text, "0x" + "ab".repeat(32) + "…(100 bytes)");
  });

  it("shares one column descriptor between rows", () => {
    const r = USERS();
    const [a, b] = r.rows();
    // Same name lookups on both rows, answered by the one shared map.
    assert.equal(a.get("name"), "Alice");
    assert.equal(b.get("name"), "Bob");
    assert.deepEqual(Object.keys(a), [], "a row carries no own enumerable state");
  });
});
