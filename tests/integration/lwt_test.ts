// Lightweight transactions against a real node: the `[applied]` column, the existing values
// a refused condition returns, and QueryResult.wasApplied().
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Query, type Session } from "../../mod.ts";
import { connect, createKeyspace, dropKeyspace, uniqueKeyspace } from "./helpers.ts";

const KS = uniqueKeyspace("lwt");
const T = `${KS}.accounts`;

describe("lightweight transactions", () => {
  let s: Session;

  before(async () => {
    s = await connect();
    await createKeyspace(s, KS);
    await s.execute(`CREATE TABLE ${T} (id int PRIMARY KEY, owner text, balance bigint)`);
  });

  after(async () => {
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("INSERT IF NOT EXISTS applies once, then returns the existing row", async () => {
    const cql = `INSERT INTO ${T} (id, owner, balance) VALUES (1, 'ann', 100) IF NOT EXISTS`;
    const first = await s.execute(cql);
    assert.equal(first.wasApplied(), true);
    const row = first.singleRow();
    assert.equal(row.get("[applied]"), true);
    assert.deepEqual(first.colSpecs().map((c) => [c.name, c.type]), [["[applied]", "boolean"]]);

    const second = await s.execute(
      `INSERT INTO ${T} (id, owner, balance) VALUES (1, 'bob', 5) IF NOT EXISTS`,
    );
    assert.equal(second.wasApplied(), false);
    const existing = second.singleRow();
    assert.equal(existing.get("[applied]"), false);
    assert.equal(existing.get("id"), 1);
    assert.equal(existing.get("owner"), "ann");
    assert.equal(existing.get("balance"), 100n);
    assert.deepEqual(existing.asObject(), {
      "[applied]": false,
      id: 1,
      owner: "ann",
      balance: 100n,
    });
    const now = await s.execute(`SELECT owner FROM ${T} WHERE id = 1`);
    assert.equal(now.singleRow().get(0), "ann");
  });

  it("with values and prepared statements too", async () => {
    const cql = `INSERT INTO ${T} (id, owner, balance) VALUES (?, ?, ?) IF NOT EXISTS`;
    assert.equal((await s.execute(cql, [2, "cid", 7n])).wasApplied(), true);
    const refused = await s.execute(cql, { id: 2, owner: "dan", balance: 8 });
    assert.equal(refused.wasApplied(), false);
    assert.equal(refused.singleRow().get("owner"), "cid");
    const ps = await s.prepare(cql);
    assert.equal((await s.executePrepared(ps, [3, "eve", 1n])).wasApplied(), true);
    const again = await s.executePrepared(ps, [3, "fay", 2n]);
    assert.equal(again.wasApplied(), false);
    assert.equal(again.singleRow().get("[applied]"), false);
    assert.equal(again.singleRow().get("owner"), "eve");
  });

  it("UPDATE ... IF col = x applies only when the condition holds", async () => {
    await s.execute(`INSERT INTO ${T} (id, owner, balance) VALUES (10, 'gus', 50)`);
    const upd = `UPDATE ${T} SET balance = ? WHERE id = ? IF balance = ?`;
    const ok = await s.execute(upd, [40n, 10, 50n]);
    assert.equal(ok.wasApplied(), true);
    assert.equal(ok.singleRow().get("[applied]"), true);
    const stale = await s.execute(upd, [30n, 10, 50n]);
    assert.equal(stale.wasApplied(), false);
    assert.equal(stale.singleRow().get("[applied]"), false);
    assert.equal(stale.singleRow().get("balance"), 40n, "the current value is returned");
    const q = new Query(`UPDATE ${T} SET owner = 'hal' WHERE id = 10 IF owner = 'gus'`)
      .withSerialConsistency("LOCAL_SERIAL");
    assert.equal((await s.query(q)).wasApplied(), true);
    const row = (await s.execute(`SELECT owner, balance FROM ${T} WHERE id = 10`)).singleRow();
    assert.deepEqual(row.asObject(), { owner: "hal", balance: 40n });
  });

  it("IF EXISTS on a missing row is not applied; DELETE IF EXISTS is", async () => {
    const missing = await s.execute(`UPDATE ${T} SET owner = 'x' WHERE id = 999 IF EXISTS`);
    assert.equal(missing.wasApplied(), false);
    assert.equal(missing.singleRow().get("[applied]"), false);
    assert.equal((await s.execute(`SELECT * FROM ${T} WHERE id = 999`)).length, 0);
    await s.execute(`INSERT INTO ${T} (id, owner) VALUES (20, 'ivy')`);
    const del = await s.execute(`DELETE FROM ${T} WHERE id = ? IF EXISTS`, [20]);
    assert.equal(del.wasApplied(), true);
    assert.equal((await s.execute(`SELECT * FROM ${T} WHERE id = 20`)).length, 0);
  });

  it("a write without a condition reports applied", async () => {
    const rs = await s.execute(`INSERT INTO ${T} (id, owner) VALUES (30, 'jon')`);
    assert.equal(rs.wasApplied(), true);
    assert.equal(rs.length, 0);
  });
});
