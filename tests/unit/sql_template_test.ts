/** `session.sql`'s template cache and CQL text, with a fake session. */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runTemplate, type SqlRunner, templateCql } from "../../src/sql/template.ts";
import { CqlSyntaxError } from "../../src/errors.ts";
import type { PreparedStatement } from "../../src/statement/prepared.ts";
import type { QueryResult } from "../../src/result.ts";

function fakeRunner(failFirst = false) {
  const prepared: string[] = [];
  const executed: unknown[][] = [];
  let fail = failFirst;
  const runner: SqlRunner = {
    prepare(cql: string) {
      prepared.push(cql);
      if (fail) {
        fail = false;
        return Promise.reject(
          new CqlSyntaxError("line 1:14 no viable alternative", { code: 0x2000 }),
        );
      }
      return Promise.resolve({ cql } as unknown as PreparedStatement);
    },
    executePrepared(_ps: PreparedStatement, values?: readonly unknown[]) {
      executed.push([...(values ?? [])]);
      return Promise.resolve(
        { rowsTyped: () => [{ v: values?.[0] }] } as unknown as QueryResult,
      );
    },
  };
  return { runner, prepared, executed };
}

const tag = (runner: SqlRunner) => (s: TemplateStringsArray, ...v: unknown[]) =>
  runTemplate<{ v: unknown }>(runner, s, v);

describe("sql template", () => {
  it("joins the strings with ? markers", () => {
    const t = (s: TemplateStringsArray, ..._v: unknown[]) => templateCql(s);
    assert.equal(
      t`SELECT * FROM t WHERE a = ${1} AND b = ${"x"}`,
      "SELECT * FROM t WHERE a = ? AND b = ?",
    );
    assert.equal(t`SELECT 1`, "SELECT 1");
  });

  it("prepares once per template and binds each call's values", async () => {
    const { runner, prepared, executed } = fakeRunner();
    const sql = tag(runner);
    const find = (id: number) => sql`SELECT v FROM t WHERE id = ${id}`;
    const rows = await Promise.all([find(1), find(2), find(3)]);
    assert.deepEqual(rows, [[{ v: 1 }], [{ v: 2 }], [{ v: 3 }]]);
    assert.deepEqual(prepared, ["SELECT v FROM t WHERE id = ?"]);
    assert.deepEqual(executed, [[1], [2], [3]]);
  });

  it("never splices a value into the text", async () => {
    const { runner, prepared, executed } = fakeRunner();
    const evil = "'; DROP TABLE users; --";
    await tag(runner)`INSERT INTO t (id, name) VALUES (${1}, ${evil})`;
    assert.deepEqual(prepared, ["INSERT INTO t (id, name) VALUES (?, ?)"]);
    assert.deepEqual(executed, [[1, evil]]);
  });

  it("keeps one cache per session", async () => {
    const a = fakeRunner(), b = fakeRunner();
    const q = (r: SqlRunner) => tag(r)`SELECT v FROM t WHERE id = ${7}`;
    await q(a.runner);
    await q(b.runner);
    await q(a.runner);
    assert.equal(a.prepared.length, 1);
    assert.equal(b.prepared.length, 1);
  });

  it("explains interpolated identifiers and forgets a failed prepare", async () => {
    const { runner, prepared } = fakeRunner(true);
    const q = () => tag(runner)`SELECT * FROM ${"users"}`;
    await assert.rejects(q(), (e: unknown) => {
      assert.ok(e instanceof CqlSyntaxError);
      assert.equal(e.code, 0x2000);
      assert.match(e.message, /no viable alternative; session\.sql binds every/);
      return true;
    });
    await q();
    assert.equal(prepared.length, 2);
  });

  it("refuses a call that is not a tagged template", () => {
    assert.throws(
      () => templateCql(["SELECT 1"] as unknown as TemplateStringsArray),
      /tagged template/,
    );
  });
});
