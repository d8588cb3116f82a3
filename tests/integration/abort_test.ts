// Cancellation against a real node: an already-aborted signal sends nothing; aborting a
// request in flight rejects with the signal's reason, and the connection keeps answering
// every later request correctly (the late response must not reach anyone else).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Batch, Query, type Session } from "../../mod.ts";
import { cqlHosts } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  eventually,
  newBuilder,
  requestCount,
  requestsOf,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("abort");
const TOMBSTONES = 90_000;
/** Reads 90 000 tombstones: 100 ms or more on the node. */
const SLOW = "SELECT * FROM tomb WHERE pk = 1";

describe("abort signals", () => {
  let admin: Session;
  /** The session under test: one connection on KS, so its requests can be counted. */
  let s: Session;
  const sent = (action: () => Promise<unknown>) => requestsOf(admin, KS, action);

  before(async () => {
    admin = await connect();
    await createKeyspace(admin, KS);
    await admin.execute(`CREATE TABLE ${KS}.kv (k int PRIMARY KEY, v text)`);
    await admin.execute(`CREATE TABLE ${KS}.tomb (pk int, ck int, PRIMARY KEY (pk, ck))`);
    const ins = await admin.prepare(`INSERT INTO ${KS}.kv (k, v) VALUES (?, ?)`);
    await Promise.all(
      Array.from({ length: 100 }, (_, i) => admin.executePrepared(ins, [i, `v${i}`])),
    );
    const b = new Batch("unlogged");
    for (let i = 0; i < 250; i++) {
      b.appendStatement(`DELETE FROM ${KS}.tomb WHERE pk = 1 AND ck = ?`);
    }
    const batches = TOMBSTONES / 250;
    for (let j = 0; j < batches; j += 20) {
      await Promise.all(
        Array.from(
          { length: Math.min(20, batches - j) },
          (_, k) => admin.batch(b, Array.from({ length: 250 }, (_, i) => [(j + k) * 250 + i])),
        ),
      );
    }
    s = await connect(newBuilder().knownNodes(cqlHosts()).useKeyspace(KS, false));
  });

  after(async () => {
    await s?.close();
    await dropKeyspace(admin, KS);
    await admin?.close();
  });

  /** Many quick reads at once, each checked against its own key. */
  async function assertAnswersCorrectly(rounds: number) {
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const k = (round * 50 + i) % 100;
          const rs = await s.execute("SELECT k, v FROM kv WHERE k = ?", [k]);
          assert.equal(rs.length, 1, `key ${k}: ${rs.length} rows`);
          assert.deepEqual(rs.singleRow().asObject(), { k, v: `v${k}` });
        }),
      );
    }
  }

  it("an already-aborted signal rejects with its reason and sends nothing", async () => {
    const ps = await s.prepare("SELECT v FROM kv WHERE k = ?");
    const reason = new Error("cancelled early");
    const signal = AbortSignal.abort(reason);
    const isReason = (e: unknown) => e === reason;
    const requests = await sent(async () => {
      await assert.rejects(
        s.execute("SELECT v FROM kv WHERE k = 1", undefined, { signal }),
        isReason,
      );
      // A text never prepared before: not even a PREPARE goes out.
      await assert.rejects(
        s.execute("SELECT v FROM kv WHERE k = ? -- never prepared", [1], { signal }),
        isReason,
      );
      await assert.rejects(s.query(new Query("SELECT v FROM kv"), undefined, { signal }), isReason);
      await assert.rejects(s.executePrepared(ps, [1], { signal }), isReason);
      await assert.rejects(
        s.batch(new Batch().appendStatement("INSERT INTO kv (k, v) VALUES (500, 'no')"), [[]], {
          signal,
        }),
        isReason,
      );
    });
    assert.equal(requests, 0n);
    assert.equal((await admin.execute(`SELECT * FROM ${KS}.kv WHERE k = 500`)).length, 0);
    // Without a reason, the rejection is the signal's default AbortError.
    const plain = AbortSignal.abort();
    await assert.rejects(
      s.execute("SELECT v FROM kv WHERE k = 1", undefined, { signal: plain }),
      (e: unknown) => e === plain.reason && (e as Error).name === "AbortError",
    );
  });

  it("aborting a request in flight rejects with the reason; later requests get their own answers", async () => {
    for (const how of ["execute", "executePrepared"] as const) {
      const ps = await s.prepare(SLOW);
      // Abort once the node has started the slow read (100 ms or more). Should the read ever
      // finish before that could be seen, try again: that attempt proves nothing.
      let aborted = false;
      for (let attempt = 0; attempt < 5 && !aborted; attempt++) {
        const controller = new AbortController();
        const reason = new Error(`stop ${how}`);
        const before = await requestCount(admin, KS);
        const pending = how === "execute"
          ? s.execute(SLOW, undefined, { signal: controller.signal })
          : s.executePrepared(ps, undefined, { signal: controller.signal });
        let settled = false;
        pending.then(() => settled = true, () => settled = true);
        await eventually(
          "the node to start the slow read",
          async () => {
            return settled || (await requestCount(admin, KS)) > before;
          },
          5000,
          1,
        );
        if (settled) {
          await pending;
          continue;
        }
        controller.abort(reason);
        aborted = true;
        await assert.rejects(pending, (e: unknown) => e === reason);
        // The late response of the aborted read must not answer any of these.
        await assertAnswersCorrectly(20);
      }
      assert.ok(aborted, "the slow read always finished before it could be aborted");
    }
    // The slow read itself still works when not aborted.
    const rs = await s.query(new Query(SLOW).withConsistency("ONE"));
    assert.equal(rs.length, 0);
  });

  it("aborting a batch right after the call rejects with the reason", async () => {
    const controller = new AbortController();
    const reason = new Error("stop batch");
    const b = new Batch("unlogged");
    for (let i = 0; i < 200; i++) b.appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)");
    const values = Array.from({ length: 200 }, (_, i) => [1000 + i, "x".repeat(20)]);
    await s.batch(b, values); // prepares the statement, so the next call is one request
    const pending = s.batch(b, values, { signal: controller.signal });
    controller.abort(reason);
    await assert.rejects(pending, (e: unknown) => e === reason);
    await assertAnswersCorrectly(5);
  });

  it("an abort after the response changes nothing", async () => {
    const controller = new AbortController();
    const rs = await s.execute("SELECT v FROM kv WHERE k = 7", undefined, {
      signal: controller.signal,
    });
    controller.abort(new Error("too late"));
    assert.equal(rs.singleRow().get(0), "v7");
    await assertAnswersCorrectly(2);
  });
});
