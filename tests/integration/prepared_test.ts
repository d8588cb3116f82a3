// Prepared statements against a real node: metadata, immutable setters, named markers, the
// per-session cache behind execute(), and transparent re-preparing on UNPREPARED.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  InvalidQueryError,
  PreparedStatement,
  Query,
  type QueryResult,
  type Session,
  UnavailableError,
} from "../../mod.ts";
import { cqlHosts } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  eventually,
  newBuilder,
  requestsOf as countRequests,
  uniqueKeyspace,
  UUID_RE,
} from "./helpers.ts";

const KS = uniqueKeyspace("prep");
const KS3 = `${KS}_rf3`;

describe("PreparedStatement", () => {
  let s: Session;

  before(async () => {
    s = await connect();
    await createKeyspace(s, KS);
    await createKeyspace(s, KS3, 3);
    await s.execute(
      `CREATE TABLE ${KS}.t (id int, ck int, v text, n bigint, PRIMARY KEY (id, ck))`,
    );
    await s.execute(`CREATE TABLE ${KS3}.t (id int PRIMARY KEY, v text)`);
    for (let i = 0; i < 12; i++) {
      await s.execute(`INSERT INTO ${KS}.t (id, ck, v, n) VALUES (1, ?, ?, ?)`, [
        i,
        `v${i}`,
        BigInt(i),
      ]);
    }
  });

  after(async () => {
    await dropKeyspace(s, KS);
    await dropKeyspace(s, KS3);
    await s?.close();
  });

  it("prepares and executes, with metadata of markers and result", async () => {
    const cql = `SELECT ck, v, n FROM ${KS}.t WHERE id = ? AND ck >= ?`;
    const ps = await s.prepare(cql);
    assert.ok(ps instanceof PreparedStatement);
    assert.equal(ps.getStatement(), cql);
    const id = ps.getId();
    assert.ok(id instanceof Uint8Array);
    assert.ok(id.length > 0);
    assert.equal(Object.getPrototypeOf(id), Uint8Array.prototype, `a ${id.constructor.name}`);
    id.fill(0); // a copy: the statement keeps its id
    assert.ok(ps.getId().some((b) => b !== 0), "getId() returned a view of the statement's id");
    assert.deepEqual(ps.bindColSpecs(), [
      { keyspace: KS, table: "t", name: "id", type: "int" },
      { keyspace: KS, table: "t", name: "ck", type: "int" },
    ]);
    assert.deepEqual(ps.resultColSpecs(), [
      { keyspace: KS, table: "t", name: "ck", type: "int" },
      { keyspace: KS, table: "t", name: "v", type: "text" },
      { keyspace: KS, table: "t", name: "n", type: "bigint" },
    ]);
    const rs = await s.executePrepared(ps, [1, 10]);
    assert.deepEqual(rs.rowsTyped(), [{ ck: 10, v: "v10", n: 10n }, { ck: 11, v: "v11", n: 11n }]);
    assert.deepEqual(rs.colSpecs(), ps.resultColSpecs());
    const byName = await s.executePrepared(ps, { ck: 11, ID: 1 });
    assert.equal(byName.singleRow().get("v"), "v11");

    const ins = await s.prepare(`INSERT INTO ${KS}.t (id, ck, v) VALUES (?, ?, ?)`);
    assert.deepEqual(ins.resultColSpecs(), []);
    assert.deepEqual(ins.bindColSpecs().map((c) => [c.name, c.type]), [
      ["id", "int"],
      ["ck", "int"],
      ["v", "text"],
    ]);
    const none = await s.prepare(`SELECT release_version FROM system.local`);
    assert.deepEqual(none.bindColSpecs(), []);
    assert.equal((await s.executePrepared(none)).length, 1);
  });

  it("binds :name markers by name, case-insensitively, a repeated name once", async () => {
    const ps = await s.prepare(
      `SELECT ck FROM ${KS}.t WHERE id = :key AND ck >= :bound AND ck <= :bound`,
    );
    assert.deepEqual(ps.bindColSpecs().map((c) => [c.name, c.type]), [
      ["key", "int"],
      ["bound", "int"],
      ["bound", "int"],
    ]);
    assert.deepEqual(
      (await s.executePrepared(ps, { key: 1, bound: 5 })).rows().map((r) => r.get(0)),
      [
        5,
      ],
    );
    assert.equal((await s.executePrepared(ps, { KEY: 1, Bound: 6 })).singleRow().get(0), 6);
    assert.equal((await s.executePrepared(ps, [1, 3, 3])).singleRow().get(0), 3);
    await assert.rejects(s.executePrepared(ps, { key: 1 }), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /bound/);
      return true;
    });
    await assert.rejects(s.executePrepared(ps, { key: 1, bound: 1, other: 2 }), TypeError);
    // execute() binds :name markers the same way.
    const rs = await s.execute(`SELECT v FROM ${KS}.t WHERE id = :pk AND ck = :c`, { c: 4, pk: 1 });
    assert.equal(rs.singleRow().get("v"), "v4");
  });

  it("setters return a new statement and leave the original unchanged", async () => {
    const ps = await s.prepare(`INSERT INTO ${KS3}.t (id, v) VALUES (?, ?)`);
    const changed = [
      ps.withConsistency("ONE"),
      ps.withSerialConsistency("LOCAL_SERIAL"),
      ps.withPageSize(10),
      ps.withTimestamp(123n),
      ps.withTimeout(5000),
      ps.withTracing(true),
      ps.withPagingState(null),
      ps.setIdempotent(true),
    ];
    for (const c of changed) {
      assert.ok(c instanceof PreparedStatement);
      assert.notEqual(c, ps);
      assert.equal(c.getStatement(), ps.getStatement());
      assert.deepEqual(c.getId(), ps.getId());
      assert.deepEqual(c.bindColSpecs(), ps.bindColSpecs());
    }
    assert.equal(ps.isIdempotent(), false);
    assert.equal(ps.setIdempotent(true).isIdempotent(), true);
    assert.equal(ps.isIdempotent(), false);
    // Behaviour: only the derived statement writes at ONE on an RF 3 keyspace.
    const one = ps.withConsistency("ONE");
    await s.executePrepared(one, [1, "one"]);
    await assert.rejects(s.executePrepared(ps, [2, "quorum"]), UnavailableError);
    // A chain keeps earlier settings.
    const chained = one.withTimestamp(777n);
    await s.executePrepared(chained, [3, "ts"]);
    const writetime = async (id: number) =>
      (await s.query(
        new Query(`SELECT WRITETIME(v) FROM ${KS3}.t WHERE id = ${id}`).withConsistency("ONE"),
      )).singleRow();
    assert.equal((await writetime(3)).get(0), 777n);
    // The first derived statement did not pick up the timestamp.
    await s.executePrepared(one, [4, "now"]);
    const now = await writetime(4);
    assert.ok((now.get(0) as bigint) > 1_600_000_000_000_000n);
  });

  it("traces and pages manually as a prepared statement", async () => {
    const ps = await s.prepare(`SELECT ck FROM ${KS}.t WHERE id = ?`);
    const traced = await s.executePrepared(ps.withTracing(true), [1]);
    assert.match(traced.tracingId() ?? "", UUID_RE);
    assert.equal((await s.executePrepared(ps, [1])).tracingId(), null);

    const paged = ps.withPageSize(5);
    const first = await s.executePrepared(paged.withPagingState(null), [1]);
    assert.equal(first.length, 5);
    assert.ok(first.pagingState);
    const second = await s.executePrepared(paged.withPagingState(first.pagingState), [1]);
    assert.deepEqual(second.rows().map((r) => r.get(0)), [5, 6, 7, 8, 9]);
    const third = await s.executePrepared(paged.withPagingState(second.pagingState), [1]);
    assert.deepEqual(third.rows().map((r) => r.get(0)), [10, 11]);
    assert.equal(third.pagingState, null);
    // Without a paging state, every row (following pages of 5).
    const all = await s.executePrepared(paged, [1]);
    assert.equal(all.length, 12);
    assert.equal(all.pagingState, null);
  });

  it("prepare() reports server errors", async () => {
    await assert.rejects(s.prepare(`SELECT * FROM ${KS}.missing WHERE id = ?`), InvalidQueryError);
  });
});

describe("statement cache and UNPREPARED", () => {
  let admin: Session;
  let s: Session;
  const ks = `${KS}_cache`;

  const requestsOf = (action: () => Promise<unknown>) => countRequests(admin, ks, action);

  before(async () => {
    admin = await connect();
    await createKeyspace(admin, ks);
    await admin.execute(`CREATE TABLE ${ks}.t (id int PRIMARY KEY, v text)`);
    await admin.execute(`INSERT INTO ${ks}.t (id, v) VALUES (1, 'a')`);
    s = await connect(newBuilder().knownNodes(cqlHosts()).useKeyspace(ks, false));
  });

  after(async () => {
    await s?.close();
    await dropKeyspace(admin, ks);
    await admin?.close();
  });

  it("execute() with values prepares a text once per session", async () => {
    const cql = "SELECT v FROM t WHERE id = ?";
    assert.equal(await requestsOf(() => s.execute(cql, [1])), 2n, "PREPARE + EXECUTE");
    assert.equal(await requestsOf(() => s.execute(cql, [1])), 1n, "EXECUTE only");
    assert.equal(await requestsOf(() => s.execute(cql, { id: 1 })), 1n, "EXECUTE only");
    // Without values nothing is prepared.
    assert.equal(await requestsOf(() => s.execute("SELECT v FROM t WHERE id = 1")), 1n);
    // A different text is a different statement.
    assert.equal(await requestsOf(() => s.execute("SELECT v FROM t WHERE id=?", [1])), 2n);
    const rs = await s.execute(cql, [1]);
    assert.equal(rs.singleRow().get("v"), "a");
  });

  it("re-prepares transparently after the table was dropped and created again", async () => {
    const ps = await s.prepare("SELECT id, v FROM t WHERE id = ?");
    assert.equal((await s.executePrepared(ps, [1])).singleRow().get("v"), "a");
    await admin.execute(`DROP TABLE ${ks}.t`);
    await admin.execute(`CREATE TABLE ${ks}.t (id int PRIMARY KEY, v text)`);
    await admin.execute(`INSERT INTO ${ks}.t (id, v) VALUES (1, 'again')`);
    let rs: QueryResult | undefined;
    const sent = await requestsOf(async () => rs = await s.executePrepared(ps, [1]));
    assert.equal(sent, 3n, "EXECUTE (UNPREPARED), PREPARE, EXECUTE");
    assert.equal(rs!.singleRow().get("v"), "again");
    // The cached text behind execute() recovers the same way.
    await admin.execute(`DROP TABLE ${ks}.t`);
    await admin.execute(`CREATE TABLE ${ks}.t (id int PRIMARY KEY, v text)`);
    await admin.execute(`INSERT INTO ${ks}.t (id, v) VALUES (1, 'third')`);
    assert.equal(
      (await s.execute("SELECT v FROM t WHERE id = ?", [1])).singleRow().get(0),
      "third",
    );
    // And an insert through a statement prepared before the drop.
    const ins = await s.prepare("INSERT INTO t (id, v) VALUES (?, ?)");
    await admin.execute(`DROP TABLE ${ks}.t`);
    await admin.execute(`CREATE TABLE ${ks}.t (id int PRIMARY KEY, v text)`);
    await s.executePrepared(ins, [2, "x"]);
    const check = await admin.execute(`SELECT v FROM ${ks}.t WHERE id = 2`);
    assert.equal(check.singleRow().get(0), "x");
  });

  it("SELECT * sees a column added by ALTER TABLE after it was prepared", async () => {
    await admin.execute(`INSERT INTO ${ks}.t (id, v) VALUES (5, 'five')`);
    const ps = await s.prepare("SELECT * FROM t WHERE id = ?");
    assert.deepEqual((await s.executePrepared(ps, [5])).singleRow().asObject(), {
      id: 5,
      v: "five",
    });
    await admin.execute(`ALTER TABLE ${ks}.t ADD w int`);
    await admin.execute(`UPDATE ${ks}.t SET w = 7 WHERE id = 5`);
    // The node now sends three columns for the statement; the driver must not decode them
    // with the two column types it prepared with.
    const rs = await eventually("the new column in SELECT *", async () => {
      const r = await s.executePrepared(ps, [5]);
      return r.colSpecs().length === 3 ? r : undefined;
    }, 5000);
    assert.deepEqual(rs.singleRow().asObject(), { id: 5, v: "five", w: 7 });
    const viaExecute = await s.execute("SELECT * FROM t WHERE id = ?", [5]);
    assert.deepEqual(viaExecute.singleRow().asObject(), { id: 5, v: "five", w: 7 });
  });
});
