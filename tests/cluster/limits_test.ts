// Stream-id and queue limits against real Cassandra nodes: far more concurrent requests than
// streams × connections all get their own correct answer; a bounded queue refuses the excess
// at once (ConnectionError, notSent) instead of growing; and requests that time out or are
// aborted keep their stream id until the late answer arrives, then give it back (nothing leaks).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionError,
  Consistency,
  Query,
  RequestTimeoutError,
  type Session,
} from "../../mod.ts";
import { Connection, type ConnectionOptions } from "../../src/pool/connection.ts";
import { Writer } from "../../src/wire/bytes.ts";
import { encodeQuery } from "../../src/wire/requests/query.ts";
import { decodeResult } from "../../src/wire/responses/result.ts";
import { hostPort } from "../integration/env.ts";
import {
  clusterBuilder,
  clusterHosts,
  connectCluster,
  createKeyspace,
  dropKeyspace,
  eventually,
  onEveryNode,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("limits");
const ROWS = 1000;
/** Rows of 16 KiB in one partition of `big`: a 6 MiB answer, far slower than a 1 ms deadline. */
const BIG_ROWS = 400;
const ONE = 0x0001;

/** Options for a raw connection to the first cluster node. */
function options(extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    ...hostPort(clusterHosts()[0]),
    noDelay: true,
    keepAliveMs: null,
    tls: null,
    compression: null,
    credentials: null,
    keyspace: null,
    connectTimeoutMs: 10_000,
    maxInFlight: 8,
    // The frames below are encoded once, as v4 bodies; protocol v5 has its own tests.
    protocolVersion: 4,
    ...extra,
  };
}

/** `SELECT v` of row `i` of the small table, answered with its rows. */
function selectRow(c: Connection, i: number, timeoutMs = 60_000): Promise<unknown[][]> {
  const frame = encodeQuery(new Writer(128), `SELECT v FROM ${KS}.t WHERE pk = ${i % ROWS}`, {
    consistency: ONE,
    pageSize: 0,
  });
  return c.send(frame, (_op, body) => {
    const r = decodeResult(body.reader);
    if (r.kind !== "rows") throw new Error(`answered ${r.kind}`);
    return r.chunks; // one row of one column: [[v]]
  }, { timeoutMs });
}

/** The whole big partition, unpaged; resolves with its row count. */
function selectBig(
  c: Connection,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<number> {
  const frame = encodeQuery(new Writer(128), `SELECT * FROM ${KS}.big WHERE pk = 0`, {
    consistency: ONE,
    pageSize: 0,
  });
  return c.send(frame, (_op, body) => {
    const r = decodeResult(body.reader);
    if (r.kind !== "rows") throw new Error(`answered ${r.kind}`);
    return r.rowCount;
  }, { timeoutMs, signal });
}

function expectedV(i: number): string {
  return `v${i % ROWS}`;
}

describe("stream-id and queue limits on real nodes", () => {
  let s: Session;
  const opened: Connection[] = [];

  async function open(extra: Partial<ConnectionOptions> = {}): Promise<Connection> {
    const c = await Connection.open(options(extra));
    opened.push(c);
    return c;
  }

  before(async () => {
    s = await connectCluster();
    // RF 3: every node holds every row, so any node answers at ONE without forwarding.
    await createKeyspace(s, KS, 3);
    await s.execute(`CREATE TABLE ${KS}.t (pk int PRIMARY KEY, v text)`);
    await s.execute(`CREATE TABLE ${KS}.big (pk int, ck int, payload blob, PRIMARY KEY (pk, ck))`);
    await onEveryNode(KS, "t");
    await onEveryNode(KS, "big");
    const ins = await s.prepare(`INSERT INTO ${KS}.t (pk, v) VALUES (?, ?)`);
    await Promise.all(Array.from({ length: ROWS }, (_, i) => s.executePrepared(ins, [i, `v${i}`])));
    const big = await s.prepare(`INSERT INTO ${KS}.big (pk, ck, payload) VALUES (0, ?, ?)`);
    const payload = new Uint8Array(16 * 1024).map((_, i) => i & 0xff);
    await Promise.all(
      Array.from({ length: BIG_ROWS }, (_, i) => s.executePrepared(big, [i, payload])),
    );
  });

  after(async () => {
    for (const c of opened) c.close();
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("one connection with 8 stream ids answers 5 000 concurrent requests, each correctly", async () => {
    const c = await open({ maxInFlight: 8 });
    const n = 5000;
    const all = Array.from({ length: n }, (_, i) => selectRow(c, i));
    // Nothing has been answered yet: 8 on the wire, the rest waiting for an id.
    assert.equal(c.inFlight, 8);
    assert.equal(c.waiting, n - 8);
    const answers = await Promise.all(all);
    answers.forEach((rows, i) => assert.deepEqual(rows, [[expectedV(i)]], `request ${i}`));
    assert.equal(c.inFlight, 0);
    assert.equal(c.waiting, 0);
    assert.equal(c.closed, false);
  });

  it("a bounded queue refuses the excess at once with ConnectionError (notSent)", async () => {
    const c = await open({ maxInFlight: 8, maxQueued: 100 });
    const events: string[] = [];
    const all = Array.from({ length: 1000 }, (_, i) =>
      selectRow(c, i).then(
        (rows) => {
          events.push("answer");
          return { i, rows };
        },
        (e) => {
          events.push("refused");
          return { i, error: e as Error };
        },
      ));
    assert.equal(c.inFlight, 8);
    assert.equal(c.waiting, 100, "the queue holds at most maxQueued");
    const results = await Promise.all(all);
    const refused = results.filter((r) => "error" in r);
    const answered = results.filter((r) => "rows" in r);
    assert.equal(answered.length, 108, "8 in flight + 100 queued are served");
    assert.equal(refused.length, 892);
    for (const r of refused) {
      assert.ok(r.error instanceof ConnectionError, `request ${r.i}: ${r.error}`);
      assert.equal((r.error as ConnectionError).notSent, true);
      assert.match(r.error.message, /saturated/);
    }
    for (const r of answered) assert.deepEqual(r.rows, [[expectedV(r.i)]], `request ${r.i}`);
    // Refused before any answer arrived: fail fast, no waiting on the node.
    assert.deepEqual(events.slice(0, 892), new Array(892).fill("refused"));
    assert.equal(c.inFlight, 0);
    assert.equal(c.waiting, 0);
    // The connection keeps working.
    assert.deepEqual(await selectRow(c, 7), [["v7"]]);
  });

  it("timed-out requests hold their stream ids until the late answers arrive, then free them", async () => {
    const c = await open({ maxInFlight: 64 });
    const n = 20; // fewer than half the ids: the connection is not given up as stuck
    const started = performance.now();
    const outcomes = await Promise.allSettled(Array.from({ length: n }, () => selectBig(c, 1)));
    const timedOut =
      outcomes.filter((o) => o.status === "rejected" && o.reason instanceof RequestTimeoutError)
        .length;
    for (const o of outcomes) {
      if (o.status === "fulfilled") assert.equal(o.value, BIG_ROWS);
      else assert.ok(o.reason instanceof RequestTimeoutError, String(o.reason));
    }
    assert.ok(timedOut > 0, "a 1 ms deadline on a 6 MiB answer times out");
    // The ids stay taken while the node may still answer on them. Deadlines are swept on
    // separate timer turns, so an early timeout's late answer may already be back here.
    assert.ok(c.abandoned > 0 && c.abandoned <= timedOut, `${c.abandoned} of ${timedOut}`);
    assert.equal(c.inFlight, c.abandoned, "abandoned requests, and only they, keep their ids");
    // ...and come back once the late answers are in.
    await eventually("late answers to arrive", () => Promise.resolve(c.inFlight === 0), 60_000, 20);
    const lateMs = Math.round(performance.now() - started);
    assert.equal(c.closed, false);
    // Reused ids carry the right answers.
    const again = await Promise.all(Array.from({ length: 200 }, (_, i) => selectRow(c, i)));
    again.forEach((rows, i) => assert.deepEqual(rows, [[expectedV(i)]], `request ${i}`));
    assert.equal(await selectBig(c, 60_000), BIG_ROWS);
    assert.equal(c.inFlight, 0);
    console.log(`${timedOut}/${n} timed out; ids back after ${lateMs} ms`);
  });

  it("aborted requests also keep their ids until answered; queued ones leave at once", async () => {
    const c = await open({ maxInFlight: 8 });
    const ac = new AbortController();
    const inFlight = Array.from({ length: 3 }, () => selectBig(c, 60_000, ac.signal));
    const fill = Array.from({ length: 5 }, (_, i) => selectRow(c, i));
    const queued = Array.from({ length: 10 }, () => selectBig(c, 60_000, ac.signal));
    assert.equal(c.inFlight, 8);
    assert.equal(c.waiting, 10);
    ac.abort(new Error("stop"));
    for (const p of [...inFlight, ...queued]) await assert.rejects(p, /stop/);
    assert.equal(c.waiting, 0, "aborted queued requests leave the queue");
    const rows = await Promise.all(fill);
    rows.forEach((r, i) => assert.deepEqual(r, [[expectedV(i)]]));
    await eventually(
      "aborted requests' answers",
      () => Promise.resolve(c.inFlight === 0),
      60_000,
      20,
    );
    assert.equal(c.closed, false);
    assert.deepEqual(await selectRow(c, 3), [["v3"]]);
  });

  it("a connection whose ids are mostly abandoned is closed, not kept half-dead", async () => {
    const c = await open({ maxInFlight: 8 });
    const ac = new AbortController();
    const all = Array.from({ length: 8 }, () => selectBig(c, 60_000, ac.signal));
    assert.equal(c.inFlight, 8);
    ac.abort(new Error("stop"));
    // More than half the ids wait for answers that may never come: the connection goes.
    assert.equal(c.closed, true);
    const outcomes = await Promise.allSettled(all);
    for (const o of outcomes) {
      assert.equal(o.status, "rejected");
      const e = (o as PromiseRejectedResult).reason;
      assert.ok(
        (e instanceof Error && e.message === "stop") || e instanceof ConnectionError,
        String(e),
      );
    }
    await assert.rejects(selectRow(c, 1), (e: unknown) => {
      assert.ok(e instanceof ConnectionError);
      assert.equal(e.notSent, true);
      return true;
    });
  });

  it("a session with 8 ids × 1 connection per node serves 5 000 concurrent requests", async () => {
    const small = await connectCluster(
      clusterBuilder().poolSize(1).maxRequestsPerConnection(8).maxQueuedRequests(5000),
    );
    try {
      const ps = (await small.prepare(`SELECT v FROM ${KS}.t WHERE pk = ?`))
        .withConsistency(Consistency.ONE);
      const answers = await Promise.all(
        Array.from({ length: 5000 }, (_, i) => small.executePrepared(ps, [i % ROWS])),
      );
      answers.forEach((rs, i) =>
        assert.equal(rs.singleRow().get("v"), expectedV(i), `request ${i}`)
      );
      const perNode = small.getMetrics().requestsPerNode;
      assert.equal(perNode.size, 3);
      // dc1 (127.0.0.1, 127.0.0.2) is the local DC: DC-local routing serves every request there.
      const sent = clusterHosts().slice(0, 2).map((hp) => perNode.get(hp) ?? 0);
      assert.ok(sent.every((n) => n > 0), `every dc1 node served: ${[...perNode]}`);
    } finally {
      await small.close();
    }
  });

  it("a session with a small queue refuses the excess with ConnectionError, serves the rest", async () => {
    const small = await connectCluster(
      clusterBuilder().poolSize(1).maxRequestsPerConnection(2).maxQueuedRequests(10),
    );
    try {
      const ps = (await small.prepare(`SELECT v FROM ${KS}.t WHERE pk = ?`))
        .withConsistency(Consistency.ONE);
      const results = await Promise.allSettled(
        Array.from({ length: 1000 }, (_, i) => small.executePrepared(ps, [i % ROWS])),
      );
      let ok = 0;
      results.forEach((r, i) => {
        if (r.status === "fulfilled") {
          ok++;
          assert.equal(r.value.singleRow().get("v"), expectedV(i), `request ${i}`);
        } else assert.ok(r.reason instanceof ConnectionError, `request ${i}: ${r.reason}`);
      });
      // 3 nodes × (2 in flight + 10 queued) can be accepted at once; refused ones went to the
      // other nodes first (notSent is safe to retry), so at least that many succeed.
      assert.ok(ok >= 36 && ok < 1000, `${ok} of 1000 served`);
      // And once the burst is over, the session serves normally.
      assert.equal((await small.executePrepared(ps, [5])).singleRow().get("v"), "v5");
    } finally {
      await small.close();
    }
  });

  it("a session's timed-out requests leave it usable", async () => {
    const small = await connectCluster(clusterBuilder().poolSize(1).maxRequestsPerConnection(16));
    try {
      const q = new Query(`SELECT * FROM ${KS}.big WHERE pk = 0`).withTimeout(1).withPageSize(
        BIG_ROWS,
      );
      const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => small.query(q)));
      for (const o of outcomes) {
        if (o.status === "rejected") {
          assert.ok(o.reason instanceof RequestTimeoutError, String(o.reason));
        }
      }
      assert.ok(outcomes.some((o) => o.status === "rejected"), "some timed out");
      const ps = await small.prepare(`SELECT v FROM ${KS}.t WHERE pk = ?`);
      const answers = await Promise.all(
        Array.from({ length: 500 }, (_, i) => small.executePrepared(ps, [i])),
      );
      answers.forEach((rs, i) => assert.equal(rs.singleRow().get("v"), expectedV(i)));
    } finally {
      await small.close();
    }
  });
});
