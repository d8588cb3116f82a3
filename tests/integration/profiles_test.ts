// Execution profiles against the real node: the consistency each request carried, as the
// server's own trace records it; per-call profiles override the statement's; unknown names.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Query, type Session } from "../../mod.ts";
import { connect, createKeyspace, dropKeyspace, plainBuilder, uniqueKeyspace } from "./helpers.ts";

const KS = uniqueKeyspace("profiles");

/** The consistency the server recorded for the traced request `id`. */
async function tracedConsistency(s: Session, id: string): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const row = (await s.execute(
      `SELECT parameters FROM system_traces.sessions WHERE session_id = ${id}`,
    )).firstRow();
    const p = row?.get("parameters") as Map<string, string> | null | undefined;
    if (p?.get("consistency_level")) return p.get("consistency_level")!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no trace for ${id}`);
}

describe("execution profiles (real node)", () => {
  let s: Session;
  before(async () => {
    s = await connect(
      plainBuilder().defaultConsistency("ONE")
        .executionProfile("strong", { consistency: "ALL", requestTimeout: 20_000 })
        .executionProfile("paged", { pageSize: 3, consistency: "QUORUM" }),
    );
    await createKeyspace(s, KS);
    await s.execute(`CREATE TABLE ${KS}.t (p int, c int, PRIMARY KEY (p, c))`);
    for (let c = 0; c < 10; c++) await s.execute(`INSERT INTO ${KS}.t (p, c) VALUES (0, ${c})`);
  });
  after(async () => {
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("the server sees the profile's consistency, and call options override the statement's", async () => {
    const q = new Query(`SELECT c FROM ${KS}.t WHERE p = 0`).withTracing(true);
    const plain = await s.query(q);
    const strong = await s.query(q.withExecutionProfile("strong"));
    const call = await s.query(q, undefined, { profile: "paged" });
    assert.equal(await tracedConsistency(s, plain.tracingId()!), "ONE");
    assert.equal(await tracedConsistency(s, strong.tracingId()!), "ALL");
    assert.equal(call.length, 10);
    assert.equal(await tracedConsistency(s, call.tracingId()!), "QUORUM");
  });

  it("a profile's page size applies (the statement's own wins)", async () => {
    const q = new Query(`SELECT c FROM ${KS}.t WHERE p = 0`).withPagingState(null);
    assert.equal((await s.query(q, undefined, { profile: "paged" })).length, 3);
    assert.equal((await s.query(q.withPageSize(4), undefined, { profile: "paged" })).length, 4);
  });

  it("an unknown profile is a TypeError naming the known ones; nothing is sent", async () => {
    await assert.rejects(
      s.execute(`SELECT c FROM ${KS}.t`, undefined, { profile: "nope" }),
      (e: Error) => e instanceof TypeError && /known: default, strong, paged/.test(e.message),
    );
  });
});
