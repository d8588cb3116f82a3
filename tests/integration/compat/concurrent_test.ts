/**
 * `concurrent.executeConcurrent` of `@rsylla/rsylla/compat` against the real
 * node, as DataStax's `examples/concurrent-executions` use it: many INSERTs
 * from an array and from an object-mode stream, then read back.
 * @module
 */

import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import * as compat from "../../../src/compat/mod.ts";
import { cqlHosts } from "../env.ts";
import { uniqueKeyspace } from "../helpers.ts";

describe("compat executeConcurrent against the real node", () => {
  const ks = uniqueKeyspace("compat_conc");
  let client: compat.Client;

  before(async () => {
    client = new compat.Client({ contactPoints: cqlHosts(), localDataCenter: "datacenter1" });
    await client.execute(
      `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await client.execute(`CREATE TABLE ${ks}.tbl (id int PRIMARY KEY, v text)`);
  });

  after(async () => {
    await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`).catch(() => {});
    await client.shutdown();
  });

  it("inserts 2 000 rows from an array, 64 at a time, and every row is there", async () => {
    const values = Array.from({ length: 2000 }, (_, i) => [i, `v${i}`]);
    const g = await compat.concurrent.executeConcurrent(
      client,
      `INSERT INTO ${ks}.tbl (id, v) VALUES (?, ?)`,
      values,
      { concurrencyLevel: 64 },
    );
    assert.equal(g.totalExecuted, 2000);
    assert.deepEqual(g.errors, []);
    const rs = await client.execute(`SELECT count(*) AS n FROM ${ks}.tbl`);
    assert.equal(String(rs.first()?.get("n")), "2000");
  });

  it("reads parameters from a stream and collects each result by index", async () => {
    const stream = Readable.from(Array.from({ length: 300 }, (_, i) => [5000 + i, `s${i}`]));
    const g = await compat.concurrent.executeConcurrent(
      client,
      `INSERT INTO ${ks}.tbl (id, v) VALUES (?, ?)`,
      stream,
      { concurrencyLevel: 16, collectResults: true },
    );
    assert.equal(g.totalExecuted, 300);
    assert.equal(g.resultItems.length, 300);
    assert.ok(g.resultItems.every((r) => r instanceof compat.ResultSet));
    const row = await client.execute(`SELECT v FROM ${ks}.tbl WHERE id = ?`, [5299], {
      prepare: true,
    });
    assert.equal(row.first()?.get("v"), "s299");
  });

  it("without raiseOnFirstError a value that does not fit its column fails its own statement only", async () => {
    const values: unknown[][] = Array.from({ length: 20 }, (_, i) => [9000 + i, `e${i}`]);
    values[7] = ["not an int", "x"];
    const g = await compat.concurrent.executeConcurrent(
      client,
      `INSERT INTO ${ks}.tbl (id, v) VALUES (?, ?)`,
      values,
      { raiseOnFirstError: false, collectResults: true },
    );
    assert.equal(g.totalExecuted, 20);
    assert.equal(g.errors.length, 1);
    assert.ok(g.resultItems[7] instanceof Error);
    assert.match(String(g.errors[0]), /id|int/i);
    const rs = await client.execute(`SELECT count(*) AS n FROM ${ks}.tbl WHERE id IN ?`, [
      values.filter((v) => typeof v[0] === "number").map((v) => v[0]),
    ], { prepare: true });
    assert.equal(String(rs.first()?.get("n")), "19");
  });
});
