import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConnectionError, type PreparedStatement, type Session } from "../../mod.ts";
import { connect, createKeyspace, plainBuilder, uniqueKeyspace } from "./helpers.ts";

// 100 000 callers at once against one connection with 64 stream ids and a
// 1 000-slot queue: the driver accepts exactly what its limits allow and
// refuses the rest at once, so memory follows the limits, not the callers.
describe("back-pressure", () => {
  const ks = uniqueKeyspace("bp");
  let admin: Session;
  let session: Session;
  let select: PreparedStatement;

  before(async () => {
    admin = await connect();
    await createKeyspace(admin, ks);
    await admin.execute(`CREATE TABLE ${ks}.t (k int PRIMARY KEY, v int)`);
    await admin.execute(`INSERT INTO ${ks}.t (k, v) VALUES (1, 42)`);
    session = await plainBuilder().poolSize(1).maxRequestsPerConnection(64)
      .maxQueuedRequests(1000).build();
    select = await session.prepare(`SELECT v FROM ${ks}.t WHERE k = ?`);
  });

  after(async () => {
    await session?.close();
    await admin?.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
    await admin?.close();
  });

  it("100 000 requests issued at once: 1 064 answered, the rest refused with a clear error", async () => {
    const calls = Array.from({ length: 100_000 }, () => session.executePrepared(select, [1]));
    const outcomes = await Promise.allSettled(calls);
    const answered = outcomes.filter((o) => o.status === "fulfilled");
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    assert.equal(answered.length, 64 + 1000);
    for (const o of answered) {
      assert.equal(
        (o as PromiseFulfilledResult<{ firstRow(): unknown }>).value.firstRow() !== null,
        true,
      );
    }
    assert.equal(refused.length, 100_000 - 1064);
    for (const r of refused) {
      assert.ok(r.reason instanceof ConnectionError, String(r.reason));
      assert.equal(r.reason.notSent, true);
      assert.match(r.reason.message, /saturated: 64 requests in flight and 1000 queued/);
    }
  });

  it("after the burst the connection serves requests normally", async () => {
    const rows = await Promise.all(
      Array.from({ length: 500 }, () => session.executePrepared(select, [1])),
    );
    assert.equal(rows.length, 500);
    for (const r of rows) assert.equal(r.firstRow()?.get("v"), 42);
  });
});
