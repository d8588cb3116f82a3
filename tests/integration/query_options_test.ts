// Query options against a real node: consistency (and the server's UnavailableError),
// serial consistency, page size, client timestamps, client timeouts, tracing, manual paging,
// idempotence and contents.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Consistency,
  Query,
  RequestTimeoutError,
  ScyllaError,
  type Session,
  SessionBuilder,
  UnavailableError,
} from "../../mod.ts";
import { FaultProxy, type ProxyFrame } from "../proxy/fault_proxy.ts";
import { cqlHosts, hostPort } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  eventually,
  uniqueKeyspace,
  UUID_RE,
} from "./helpers.ts";

const KS = uniqueKeyspace("qopts");
const KS3 = `${KS}_rf3`;
const ROWS = 25;
const OPCODE_QUERY = 0x07;

function unavailable(consistency: string, required: number) {
  return (e: unknown) => {
    assert.ok(e instanceof UnavailableError, `expected UnavailableError, got ${e}`);
    assert.ok(e instanceof ScyllaError);
    assert.equal(e.code, 0x1000);
    assert.equal(e.consistency, consistency);
    assert.equal(e.required, required);
    assert.equal(e.alive, 1);
    assert.match(e.message, new RegExp(`${required}\\b`));
    return true;
  };
}

describe("Query options", () => {
  let s: Session;

  before(async () => {
    s = await connect();
    await createKeyspace(s, KS);
    await createKeyspace(s, KS3, 3);
    await s.execute(`CREATE TABLE ${KS}.t (id int PRIMARY KEY, v text)`);
    await s.execute(`CREATE TABLE ${KS}.p (pk int, ck int, v text, PRIMARY KEY (pk, ck))`);
    await s.execute(`CREATE TABLE ${KS3}.t (id int PRIMARY KEY, v text)`);
    const ins = await s.prepare(`INSERT INTO ${KS}.p (pk, ck, v) VALUES (1, ?, ?)`);
    await Promise.all(
      Array.from({ length: ROWS }, (_, i) => s.executePrepared(ins, [i, `v${i}`])),
    );
  });

  after(async () => {
    await dropKeyspace(s, KS);
    await dropKeyspace(s, KS3);
    await s?.close();
  });

  it("Query setters return the query; getContents gives the CQL", () => {
    const cql = `SELECT * FROM ${KS}.t`;
    const q = new Query(cql);
    assert.equal(q.getContents(), cql);
    assert.equal(q.withConsistency("ONE"), q);
    assert.equal(q.withSerialConsistency("LOCAL_SERIAL"), q);
    assert.equal(q.withPageSize(7), q);
    assert.equal(q.withTimestamp(5n), q);
    assert.equal(q.withTimeout(1000), q);
    assert.equal(q.withTracing(true), q);
    assert.equal(q.withPagingState(null), q);
    assert.equal(q.setIdempotent(true), q);
    assert.equal(q.getContents(), cql);
  });

  it("isIdempotent is false until set", () => {
    const q = new Query("SELECT now() FROM system.local");
    assert.equal(q.isIdempotent(), false);
    q.setIdempotent(true);
    assert.equal(q.isIdempotent(), true);
    q.setIdempotent(false);
    assert.equal(q.isIdempotent(), false);
  });

  it("rejects unknown consistency names with RangeError listing the valid ones", () => {
    const q = new Query("SELECT now() FROM system.local");
    assert.throws(() => q.withConsistency("SERIAL" as never), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /LOCAL_QUORUM/);
      return true;
    });
    assert.throws(() => q.withConsistency("quorum" as never), RangeError);
    assert.throws(() => q.withSerialConsistency("ONE" as never), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /LOCAL_SERIAL/);
      return true;
    });
    assert.equal(Consistency.LOCAL_QUORUM, "LOCAL_QUORUM");
    assert.equal(Consistency.LOCAL_SERIAL, "LOCAL_SERIAL");
  });

  it("sends the consistency: ONE works on RF 3 with one node, ALL/THREE/QUORUM are unavailable", async () => {
    const insert = `INSERT INTO ${KS3}.t (id, v) VALUES (1, 'a')`;
    await s.query(new Query(insert).withConsistency(Consistency.ONE));
    await s.query(new Query(insert).withConsistency("ANY"));
    await assert.rejects(s.query(new Query(insert).withConsistency("ALL")), unavailable("ALL", 3));
    await assert.rejects(
      s.query(new Query(insert).withConsistency("THREE")),
      unavailable("THREE", 3),
    );
    await assert.rejects(
      s.query(new Query(insert).withConsistency("TWO")),
      unavailable("TWO", 2),
    );
    const select = `SELECT v FROM ${KS3}.t WHERE id = 1`;
    const row = (await s.query(new Query(select).withConsistency("LOCAL_ONE"))).singleRow();
    assert.equal(row.get("v"), "a");
    await assert.rejects(
      s.query(new Query(select).withConsistency("QUORUM")),
      unavailable("QUORUM", 2),
    );
    // Also with values (the prepared path).
    await assert.rejects(
      s.query(new Query(`SELECT v FROM ${KS3}.t WHERE id = ?`).withConsistency("ALL"), [1]),
      unavailable("ALL", 3),
    );
  });

  it("sends the serial consistency of a conditional write", async () => {
    const cql = `INSERT INTO ${KS3}.t (id, v) VALUES (2, 'b') IF NOT EXISTS`;
    // Cassandra reports the quorum its Paxos round needed.
    await assert.rejects(
      s.query(new Query(cql).withConsistency("ONE").withSerialConsistency("SERIAL")),
      unavailable("QUORUM", 2),
    );
    await assert.rejects(
      s.query(new Query(cql).withConsistency("ONE").withSerialConsistency("LOCAL_SERIAL")),
      unavailable("LOCAL_QUORUM", 2),
    );
    // On RF 1 both work.
    const rs = await s.query(
      new Query(`INSERT INTO ${KS}.t (id, v) VALUES (99, 'lwt') IF NOT EXISTS`)
        .withSerialConsistency("LOCAL_SERIAL"),
    );
    assert.equal(rs.wasApplied(), true);
  });

  it("pages with the page size and still returns every row", async () => {
    const q = new Query(`SELECT ck FROM ${KS}.p WHERE pk = 1`).withPageSize(4);
    const rs = await s.query(q);
    assert.equal(rs.length, ROWS);
    assert.equal(rs.pagingState, null);
    assert.deepEqual(rs.rows().map((r) => r.get("ck")), Array.from({ length: ROWS }, (_, i) => i));
    const withValues = await s.query(
      new Query(`SELECT ck FROM ${KS}.p WHERE pk = ?`).withPageSize(3),
      [1],
    );
    assert.equal(withValues.length, ROWS);
    assert.equal(withValues.pagingState, null);
  });

  it("pages manually with withPagingState: a state per page, null after the last", async () => {
    const cql = `SELECT ck FROM ${KS}.p WHERE pk = 1`;
    const seen: number[] = [];
    let state: Uint8Array | null = null;
    let pages = 0;
    do {
      // Asking for a paging state, even the null one of the first page, asks for one page.
      const rs = await s.query(new Query(cql).withPageSize(10).withPagingState(state));
      pages++;
      assert.ok(rs.length <= 10, `page ${pages} has ${rs.length} rows`);
      for (const r of rs) seen.push(r.get("ck") as number);
      state = rs.pagingState;
      if (pages < 3) assert.ok(state instanceof Uint8Array && state.length > 0, `page ${pages}`);
      assert.ok(pages <= 3, "more pages than rows allow");
    } while (state !== null);
    assert.equal(pages, 3);
    assert.deepEqual(seen, Array.from({ length: ROWS }, (_, i) => i));
  });

  it("resumes from a paging state with values too", async () => {
    const cql = `SELECT ck FROM ${KS}.p WHERE pk = ?`;
    const first = await s.query(new Query(cql).withPageSize(20).withPagingState(null), [1]);
    assert.equal(first.length, 20);
    assert.ok(first.pagingState);
    const rest = await s.query(
      new Query(cql).withPageSize(20).withPagingState(first.pagingState),
      { pk: 1 },
    );
    assert.deepEqual(rest.rows().map((r) => r.get(0)), [20, 21, 22, 23, 24]);
    assert.equal(rest.pagingState, null);
  });

  it("writes with the client timestamp (read back with WRITETIME)", async () => {
    const ins = `INSERT INTO ${KS}.t (id, v) VALUES (?, ?)`;
    await s.query(new Query(ins).withTimestamp(1_234_567_890_123_456n), [10, "big"]);
    await s.query(new Query(`INSERT INTO ${KS}.t (id, v) VALUES (11, 'num')`).withTimestamp(42));
    const wt = async (id: number) =>
      (await s.execute(`SELECT v, WRITETIME(v) AS wt FROM ${KS}.t WHERE id = ?`, [id])).singleRow();
    assert.equal((await wt(10)).get("wt"), 1_234_567_890_123_456n);
    assert.equal((await wt(11)).get("wt"), 42n);
    // An older timestamp loses against the newer write.
    await s.query(new Query(ins).withTimestamp(1_000n), [10, "older"]);
    assert.equal((await wt(10)).get("v"), "big");
    await s.query(new Query(ins).withTimestamp(2_000_000_000_000_000n), [10, "newer"]);
    assert.equal((await wt(10)).get("v"), "newer");
  });

  it("times out on the client after withTimeout and the session keeps working", async () => {
    // A fault proxy holds the answer until the client has given up, so the request is slower
    // than its timeout by construction, not by the server's speed. The proxy reads v4 frames.
    const proxy = await FaultProxy.start(hostPort(cqlHosts()[0]));
    const session = await new SessionBuilder().knownNode(proxy.address).protocolVersion(4).build();
    try {
      const count = `SELECT count(*) FROM ${KS}.p`;
      const isCount = (f: ProxyFrame) =>
        f.request?.opcode === OPCODE_QUERY &&
        new TextDecoder().decode(f.request.body).includes(count);
      proxy.addRule({ match: isCount, action: { kind: "hold" }, times: 1 });
      const t0 = performance.now();
      await assert.rejects(session.query(new Query(count).withTimeout(50)), (e: unknown) => {
        assert.ok(e instanceof RequestTimeoutError, `got ${e}`);
        assert.ok(e instanceof ScyllaError);
        assert.match(e.message, /\b50 ?ms\b/);
        return true;
      });
      // Timers may fire a little early on some runtimes, never long before the deadline.
      assert.ok(performance.now() - t0 >= 40, `rejected after ${performance.now() - t0} ms`);
      // The server may answer after the client gave up: wait until the proxy has the answer.
      await proxy.until("the count's answer held", () => {
        return proxy.poolConnections().some((c) => c.held.length === 1);
      });
      // The late answer reaches the client after its request gave up, and is dropped.
      for (const c of proxy.poolConnections()) c.release();
      const rs = await session.query(new Query(count).withTimeout(30_000));
      assert.equal(rs.singleRow().get(0), BigInt(ROWS));
      assert.equal((await session.execute(`SELECT v FROM ${KS}.t WHERE id = 10`)).length, 1);
    } finally {
      await session.close();
      await proxy.close();
    }
  });

  it("traces with withTracing: a tracing id whose session shows up in system_traces", async () => {
    const rs = await s.query(new Query(`SELECT * FROM ${KS}.t WHERE id = 10`).withTracing(true));
    const id = rs.tracingId();
    assert.ok(id !== null, "no tracing id");
    assert.match(id, UUID_RE);
    const row = await eventually("the trace session row", async () => {
      // system_traces has replication factor 2: read it at ONE on a one-node cluster.
      const t = await s.query(
        new Query(
          "SELECT session_id, request, duration FROM system_traces.sessions WHERE session_id = ?",
        ).withConsistency("ONE"),
        [id],
      );
      // The row appears first without its duration; it is complete once that is set.
      const r = t.firstRow();
      return r !== null && r.get("duration") !== null ? r : undefined;
    });
    assert.equal(row.get("session_id"), id);
    assert.equal(typeof row.get("request"), "string");
    const untraced = await s.query(new Query(`SELECT * FROM ${KS}.t WHERE id = 10`));
    assert.equal(untraced.tracingId(), null);
    const traced = await s.query(
      new Query(`SELECT * FROM ${KS}.t WHERE id = ?`).withTracing(true),
      [
        10,
      ],
    );
    assert.match(traced.tracingId() ?? "", UUID_RE);
  });
});
