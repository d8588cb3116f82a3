// Batches against a real node: logged, unlogged and counter batches of text, Query and
// prepared statements with values per statement; value checks before sending; batch options;
// server warnings of a large batch.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Batch, Query, type Session, UnavailableError } from "../../mod.ts";
import { cqlHosts } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  newBuilder,
  requestsOf,
  uniqueKeyspace,
  UUID_RE,
} from "./helpers.ts";

const KS = uniqueKeyspace("batch");
const KS3 = `${KS}_rf3`;

describe("Batch", () => {
  let admin: Session;
  /** The session under test: on KS, so the node's request counts are its own. */
  let s: Session;
  const sent = (action: () => Promise<unknown>) => requestsOf(admin, KS, action);

  async function rowsOf(table: string, where = ""): Promise<Record<string, unknown>[]> {
    const rs = await admin.query(
      new Query(`SELECT * FROM ${table} ${where}`).withConsistency("ONE"),
    );
    return rs.rowsTyped();
  }

  before(async () => {
    admin = await connect();
    await createKeyspace(admin, KS);
    await createKeyspace(admin, KS3, 3);
    await admin.execute(`CREATE TABLE ${KS}.t (id int, ck int, v text, PRIMARY KEY (id, ck))`);
    await admin.execute(`CREATE TABLE ${KS}.kv (k int PRIMARY KEY, v text)`);
    await admin.execute(`CREATE TABLE ${KS}.c (id int PRIMARY KEY, hits counter, misses counter)`);
    await admin.execute(`CREATE TABLE ${KS3}.t (id int PRIMARY KEY, v text)`);
    s = await connect(newBuilder().knownNodes(cqlHosts()).useKeyspace(KS, false));
  });

  after(async () => {
    await s?.close();
    await dropKeyspace(admin, KS);
    await dropKeyspace(admin, KS3);
    await admin?.close();
  });

  it("has a type, counts statements, and its setters return the batch", () => {
    assert.equal(new Batch().type, "logged");
    assert.equal(new Batch("unlogged").type, "unlogged");
    assert.equal(new Batch("counter").type, "counter");
    assert.throws(() => new Batch("other" as never), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /logged.*unlogged.*counter/);
      return true;
    });
    const b = new Batch();
    assert.equal(b.statementsCount(), 0);
    assert.equal(b.appendStatement("INSERT INTO t (id, ck) VALUES (1, 1)"), b);
    assert.equal(b.appendQuery(new Query("INSERT INTO t (id, ck) VALUES (1, 2)")), b);
    assert.equal(b.statementsCount(), 2);
    assert.equal(b.withConsistency("ONE"), b);
    assert.equal(b.withSerialConsistency("SERIAL"), b);
    assert.equal(b.withTimestamp(1n), b);
    assert.equal(b.withTimeout(1000), b);
    assert.equal(b.withTracing(false), b);
    assert.equal(b.isIdempotent(), false);
    assert.equal(b.setIdempotent(true), b);
    assert.equal(b.isIdempotent(), true);
    assert.throws(() => b.appendQuery("INSERT" as never), TypeError);
    assert.throws(() => b.appendPrepared(new Query("SELECT 1") as never), TypeError);
  });

  it("runs a logged batch of text, Query and prepared statements with values per statement", async () => {
    const ps = await s.prepare("INSERT INTO t (id, ck, v) VALUES (?, ?, ?)");
    const b = new Batch("logged")
      .appendStatement("INSERT INTO t (id, ck, v) VALUES (?, ?, ?)")
      .appendQuery(new Query("INSERT INTO t (id, ck, v) VALUES (:id, :ck, :v)"))
      .appendPrepared(ps)
      .appendStatement("INSERT INTO kv (k, v) VALUES (1, 'literal')")
      .appendStatement("UPDATE kv SET v = ? WHERE k = ?");
    const rs = await s.batch(b, [
      [1, 1, "text"],
      { v: "query", ck: 2, ID: 1 },
      [2, 1, "prepared"],
      [],
      ["updated", 2],
    ]);
    assert.equal(rs.length, 0);
    assert.ok(cqlHosts().includes(rs.coordinator!), `coordinator ${rs.coordinator}`);
    assert.deepEqual(await rowsOf(`${KS}.t`, "WHERE id IN (1, 2)"), [
      { id: 1, ck: 1, v: "text" },
      { id: 1, ck: 2, v: "query" },
      { id: 2, ck: 1, v: "prepared" },
    ]);
    assert.deepEqual(await rowsOf(`${KS}.kv`, "WHERE k IN (1, 2)"), [
      { k: 1, v: "literal" },
      { k: 2, v: "updated" },
    ]);
  });

  it("runs an unlogged batch across partitions", async () => {
    const b = new Batch("unlogged");
    for (let i = 0; i < 5; i++) b.appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)");
    await s.batch(b, Array.from({ length: 5 }, (_, i) => [100 + i, `u${i}`]));
    const rows = await rowsOf(`${KS}.kv`, "WHERE k IN (100, 101, 102, 103, 104)");
    assert.deepEqual(rows.map((r) => r.v).sort(), ["u0", "u1", "u2", "u3", "u4"]);
  });

  it("runs a counter batch", async () => {
    const ps = await s.prepare("UPDATE c SET misses = misses + ? WHERE id = ?");
    const b = new Batch("counter")
      .appendStatement("UPDATE c SET hits = hits + ? WHERE id = ?")
      .appendQuery(new Query("UPDATE c SET hits = hits + ? WHERE id = ?"))
      .appendPrepared(ps);
    await s.batch(b, [[5n, 1], { hits: 2, id: 1 }, [-3n, 1]]);
    await s.batch(b, [[1n, 1], [1n, 1], [1n, 1]]);
    assert.deepEqual(await rowsOf(`${KS}.c`, "WHERE id = 1"), [{ id: 1, hits: 9n, misses: -2n }]);
  });

  it("a values count mismatch is a TypeError before anything is sent", async () => {
    const b = new Batch()
      .appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)")
      .appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)");
    const requests = await sent(async () => {
      await assert.rejects(s.batch(b, [[200, "a"]]), (e: unknown) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, /2\b/);
        return true;
      });
      await assert.rejects(s.batch(b, [[200, "a"], [201, "b"], [202, "c"]]), TypeError);
      await assert.rejects(s.batch(b, undefined as never), TypeError);
    });
    assert.equal(requests, 0n);
    assert.deepEqual(await rowsOf(`${KS}.kv`, "WHERE k IN (200, 201, 202)"), []);
  });

  it("a wrong value in one statement writes none of them", async () => {
    const b = new Batch()
      .appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)")
      .appendStatement("INSERT INTO t (id, ck, v) VALUES (?, ?, ?)");
    await assert.rejects(s.batch(b, [[300, "ok"], [300, "not an int", "x"]]), (e: unknown) => {
      assert.ok(e instanceof TypeError, `got ${e}`);
      assert.match(e.message, /\bck\b/);
      return true;
    });
    await assert.rejects(s.batch(b, [[300, "ok"], [300, 1]]), TypeError);
    await assert.rejects(s.batch(b, [[300, "ok"], { id: 300, ck: 1 }]), TypeError);
    assert.deepEqual(await rowsOf(`${KS}.kv`, "WHERE k = 300"), []);
    assert.deepEqual(await rowsOf(`${KS}.t`, "WHERE id = 300"), []);
  });

  it("sends the batch consistency", async () => {
    const stmt = `INSERT INTO ${KS3}.t (id, v) VALUES (?, ?)`;
    await assert.rejects(
      s.batch(new Batch().appendStatement(stmt), [[1, "default"]]),
      (e: unknown) => e instanceof UnavailableError && e.consistency === "LOCAL_QUORUM",
    );
    await s.batch(new Batch().appendStatement(stmt).withConsistency("ONE"), [[1, "one"]]);
    await assert.rejects(
      s.batch(new Batch("unlogged").appendStatement(stmt).withConsistency("ALL"), [[2, "all"]]),
      (e: unknown) => {
        assert.ok(e instanceof UnavailableError);
        assert.equal(e.consistency, "ALL");
        assert.equal(e.required, 3);
        assert.equal(e.alive, 1);
        return true;
      },
    );
    assert.deepEqual(await rowsOf(`${KS3}.t`), [{ id: 1, v: "one" }]);
  });

  it("sends the serial consistency of a conditional batch", async () => {
    const cond = new Batch()
      .appendStatement(`INSERT INTO ${KS3}.t (id, v) VALUES (?, ?) IF NOT EXISTS`)
      .withConsistency("ONE")
      .withSerialConsistency("LOCAL_SERIAL");
    await assert.rejects(s.batch(cond, [[5, "x"]]), (e: unknown) => {
      assert.ok(e instanceof UnavailableError);
      assert.equal(e.consistency, "LOCAL_QUORUM"); // the quorum LOCAL_SERIAL needs
      return true;
    });
    const local = new Batch()
      .appendStatement("INSERT INTO t (id, ck, v) VALUES (?, ?, ?) IF NOT EXISTS")
      .appendStatement("INSERT INTO t (id, ck, v) VALUES (?, ?, ?) IF NOT EXISTS")
      .withSerialConsistency("SERIAL");
    const first = await s.batch(local, [[400, 1, "a"], [400, 2, "b"]]);
    assert.equal(first.wasApplied(), true);
    const second = await s.batch(local, [[400, 1, "c"], [400, 3, "d"]]);
    assert.equal(second.wasApplied(), false);
    assert.deepEqual((await rowsOf(`${KS}.t`, "WHERE id = 400")).map((r) => r.v), ["a", "b"]);
  });

  it("writes every statement with the batch timestamp", async () => {
    const b = new Batch("unlogged")
      .appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)")
      .appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)")
      .withTimestamp(1_111_111_111n);
    await s.batch(b, [[500, "a"], [501, "b"]]);
    const rs = await s.execute("SELECT k, WRITETIME(v) AS wt FROM kv WHERE k IN (500, 501)");
    assert.deepEqual(rs.rows().map((r) => r.get("wt")), [1_111_111_111n, 1_111_111_111n]);
    // An older batch loses against it.
    await s.batch(
      new Batch().appendStatement("INSERT INTO kv (k, v) VALUES (500, 'old')")
        .withTimestamp(5),
      [[]],
    );
    assert.equal((await s.execute("SELECT v FROM kv WHERE k = 500")).singleRow().get(0), "a");
  });

  it("traces a batch; a generous withTimeout does not get in the way", async () => {
    const b = new Batch()
      .appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)")
      .withTracing(true)
      .withTimeout(10_000);
    const rs = await s.batch(b, [[600, "traced"]]);
    assert.match(rs.tracingId() ?? "", UUID_RE);
    const plain = await s.batch(new Batch().appendStatement("INSERT INTO kv (k) VALUES (601)"), [
      [],
    ]);
    assert.equal(plain.tracingId(), null);
  });

  it("surfaces the server's warnings about a large unlogged batch", async () => {
    const b = new Batch("unlogged");
    const values: unknown[][] = [];
    // 20 partitions × 600 bytes ≈ 12 KiB: above batch_size_warn_threshold (5 KiB) and
    // unlogged_batch_across_partitions_warn_threshold (10 partitions), below the fail limit.
    for (let i = 0; i < 20; i++) {
      b.appendStatement("INSERT INTO kv (k, v) VALUES (?, ?)");
      values.push([1000 + i, "w".repeat(600)]);
    }
    const rs = await s.batch(b, values);
    const warnings = rs.warnings();
    assert.ok(warnings.length > 0, "no warning");
    const text = warnings.join("\n");
    assert.match(text, new RegExp(`${KS}\\.kv`));
    assert.match(text, /threshold|partitions/i);
    assert.equal((await rowsOf(`${KS}.kv`, "WHERE k = 1019")).length, 1);
    // A small batch has none.
    const small = await s.batch(new Batch().appendStatement("INSERT INTO kv (k) VALUES (2000)"), [
      [],
    ]);
    assert.deepEqual(small.warnings(), []);
  });
});
