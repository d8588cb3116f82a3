/**
 * Faults between the driver and a REAL node, injected by the test tool
 * `tests/proxy/fault_proxy.ts` (the role `scylla-proxy` plays for the Rust
 * driver): the session's only contact point is the proxy, which forwards to
 * the node from `cqlHosts()` and can delay, hold, drop, truncate or reset
 * answers per connection.
 *
 * Every request reads back its own key (`SELECT k FROM t WHERE k = ?`), and the
 * proxy reads the key of each answer, so a result delivered to the wrong
 * request would show.
 *
 * Deno: `CQL_HOSTS=127.0.0.1:9042 deno test -A tests/integration/proxy_test.ts`;
 * Bun: `CQL_HOSTS=127.0.0.1:9042 bun test tests/integration/proxy_test.ts`.
 * @module
 */

import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConnectionError,
  ExponentialReconnectPolicy,
  type PreparedStatement,
  RequestTimeoutError,
  type Session,
  SessionBuilder,
} from "../../mod.ts";
import { cqlHosts, hostPort } from "./env.ts";
import { connect, createKeyspace, dropKeyspace, uniqueKeyspace } from "./helpers.ts";
import { FaultProxy, type ProxyConnection, type ProxyFrame } from "../proxy/fault_proxy.ts";

const KS = uniqueKeyspace("proxy");
const ROWS = 400;
const OP_RESULT = 0x08;
const OP_EXECUTE = 0x0a;

/** The key a one-row, one-int-column answer to an EXECUTE carries, or null. */
function answerKey(f: ProxyFrame): number | null {
  if (f.opcode !== OP_RESULT || f.request?.opcode !== OP_EXECUTE || f.body.length < 12) return null;
  const v = new DataView(f.body.buffer, f.body.byteOffset, f.body.length);
  // ... <rows_count 1> <cell length 4> <k>
  if (v.getInt32(f.body.length - 8) !== 4 || v.getInt32(f.body.length - 12) !== 1) return null;
  return v.getInt32(f.body.length - 4);
}

const isAnswer = (f: ProxyFrame) => answerKey(f) !== null;

/** What one request ended with. */
type Outcome = { key: number; value?: unknown; error?: unknown; ms: number };

describe("fault-injecting proxy between the driver and a real node", () => {
  let admin: Session;
  const proxies: FaultProxy[] = [];
  const sessions: Session[] = [];

  before(async () => {
    admin = await connect();
    await createKeyspace(admin, KS);
    await admin.execute(`CREATE TABLE ${KS}.t (k int PRIMARY KEY)`);
    const ins = await admin.prepare(`INSERT INTO ${KS}.t (k) VALUES (?)`);
    for (let k = 0; k < ROWS; k += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => admin.executePrepared(ins, [k + i])),
      );
    }
  });

  after(async () => {
    await dropKeyspace(admin, KS);
    await admin?.close();
  });

  afterEach(async () => {
    for (const s of sessions.splice(0)) await s.close().catch(() => {});
    for (const p of proxies.splice(0)) await p.close();
  });

  /** A proxy to the test node and a session through it with `poolSize` connections open. */
  async function through(poolSize: number): Promise<{
    proxy: FaultProxy;
    session: Session;
    pool: ProxyConnection[];
    ps: PreparedStatement;
  }> {
    const proxy = await FaultProxy.start(hostPort(cqlHosts()[0]));
    proxies.push(proxy);
    // The proxy cuts the byte stream at v4 frame headers; v5 segments are tested elsewhere.
    const session = await new SessionBuilder()
      .knownNode(proxy.address)
      .protocolVersion(4)
      .poolSize(poolSize)
      .reconnectPolicy(new ExponentialReconnectPolicy({ baseMs: 50, maxMs: 200 }))
      .build();
    sessions.push(session);
    await proxy.until(`${poolSize} pool connections`, () => {
      return proxy.poolConnections().length === poolSize;
    });
    const ps = await session.prepare(`SELECT k FROM ${KS}.t WHERE k = ?`);
    return { proxy, session, pool: proxy.poolConnections(), ps };
  }

  /** Runs `SELECT k … WHERE k = key`; never rejects, records value or error and duration. */
  function select(session: Session, ps: PreparedStatement, key: number): Promise<Outcome> {
    const t0 = performance.now();
    return session.executePrepared(ps, [key]).then(
      (r) => ({ key, value: r.firstRow()?.get(0), ms: performance.now() - t0 }),
      (error) => ({ key, error, ms: performance.now() - t0 }),
    );
  }

  function keys(from: number, n: number): number[] {
    return Array.from({ length: n }, (_, i) => from + i);
  }

  /** Every outcome resolved with its own key. */
  function assertOwnAnswers(outcomes: Outcome[]): void {
    for (const o of outcomes) {
      assert.equal(o.error, undefined, `key ${o.key} failed: ${o.error}`);
      assert.equal(o.value, o.key, `key ${o.key} got the answer of key ${o.value}`);
    }
  }

  it("a reset mid-response rejects exactly the requests in flight on that connection; the pool reconnects", async () => {
    const { proxy, session, pool, ps } = await through(2);
    const [a, b] = pool;
    a.addRule({ match: isAnswer, action: { kind: "hold" } });
    let settled = 0;
    const running = keys(0, 20).map((k) =>
      select(session, ps, k).then((o) => {
        settled++;
        return o;
      })
    );
    // Every answer is either held on `a` or already delivered through `b`.
    await proxy.until("all 20 answers at the proxy", () => a.held.length + settled === 20);
    const onA = new Set(a.held.map(answerKey));
    assert.ok(onA.size > 0 && onA.size < 20, `${onA.size} of 20 requests went to one connection`);
    // Forward half of the first held answer, then reset.
    a.clearRules().addRule({ match: () => true, action: { kind: "truncate", then: "reset" } });
    a.release();
    const outcomes = await Promise.all(running);
    for (const o of outcomes) {
      if (onA.has(o.key)) {
        assert.ok(
          o.error instanceof ConnectionError,
          `key ${o.key} on the reset connection: ${o.error}`,
        );
      } else {
        assert.equal(o.value, o.key, `key ${o.key} on the healthy connection: ${o.error}`);
      }
    }
    assert.equal(a.endedBy, "reset");
    assert.equal(b.closed, false);
    // The pool replaces the lost connection; requests then succeed on both.
    await proxy.until("a replacement connection", () => proxy.poolConnections().length === 2);
    const replacement = proxy.poolConnections().find((c) => c !== b)!;
    assert.notEqual(replacement, a);
    // The driver files the new connection just after its handshake: go on until it serves.
    for (let round = 0; !replacement.forwarded.some(isAnswer); round++) {
      assert.ok(round < 50, "the replacement connection never served a request");
      assertOwnAnswers(await Promise.all(keys(100 + round, 10).map((k) => select(session, ps, k))));
    }
    assertOwnAnswers(await Promise.all(keys(200, 40).map((k) => select(session, ps, k))));
  });

  it("late answers after RequestTimeoutError never reach another request; ids are freed only when they arrive", async () => {
    const { proxy, session, pool, ps } = await through(1);
    const [a] = pool;
    const late = new Set([0, 2, 4, 6, 8]);
    const lost = new Set([1, 3]);
    a.addRule({ match: (f) => lost.has(answerKey(f)!), action: { kind: "drop" } });
    a.addRule({ match: (f) => late.has(answerKey(f)!), action: { kind: "hold" } });
    const fast = ps.withTimeout(200);
    const first = await Promise.all(keys(0, 10).map((k) => select(session, fast, k)));
    for (const o of first) {
      if (late.has(o.key) || lost.has(o.key)) {
        assert.ok(o.error instanceof RequestTimeoutError, `key ${o.key}: ${o.error}`);
        // At the deadline: not before it, and not long after (the deadline timer ticks every 25 ms).
        assert.ok(o.ms >= 195 && o.ms < 1000, `key ${o.key} timed out after ${o.ms.toFixed(0)} ms`);
      } else {
        assert.equal(o.value, o.key);
      }
    }
    const firstStreams = new Set(
      a.requests.filter((r) => r.opcode === OP_EXECUTE).map((r) => r.stream),
    );
    assert.equal(firstStreams.size, 10);
    const heldStreams = new Set(a.held.map((f) => f.stream));
    assert.equal(heldStreams.size, late.size);
    const answered = new Set(a.forwarded.filter(isAnswer).map((f) => f.stream));
    const lostStreams = new Set(
      [...firstStreams].filter((s) => !heldStreams.has(s) && !answered.has(s)),
    );
    assert.equal(lostStreams.size, lost.size, "streams of the dropped answers");

    // While the late answers are held, their ids (and the dropped ones') stay reserved.
    const before = a.requests.length;
    assertOwnAnswers(await Promise.all(keys(100, 60).map((k) => select(session, ps, k))));
    for (const r of a.requests.slice(before)) {
      assert.ok(!heldStreams.has(r.stream), `stream ${r.stream} reused while its answer was late`);
      assert.ok(!lostStreams.has(r.stream), `stream ${r.stream} reused though never answered`);
    }

    // The late answers arrive while new requests are in flight: each still gets its own.
    const during = keys(200, 30).map((k) => select(session, ps, k));
    a.clearRules().release();
    assertOwnAnswers(await Promise.all(during));
    await proxy.until("late answers forwarded", () => a.held.length === 0);

    // Now their ids are free again and get reused; the dropped ones still are not.
    const after = a.requests.length;
    assertOwnAnswers(await Promise.all(keys(300, 60).map((k) => select(session, ps, k))));
    const reused = a.requests.slice(after).filter((r) => heldStreams.has(r.stream));
    assert.ok(reused.length > 0, "ids of answered late requests are reused");
    for (const r of a.requests.slice(after)) {
      assert.ok(!lostStreams.has(r.stream), `stream ${r.stream} reused though never answered`);
    }
    assert.equal(a.closed, false, "the connection was kept");
  });

  it("a silent server: requests fail with RequestTimeoutError at their deadline, and work again after", async () => {
    const { proxy, session, pool, ps } = await through(1);
    const [a] = pool;
    a.silence();
    const outcomes = await Promise.all(
      keys(0, 8).map((k) => select(session, ps.withTimeout(200), k)),
    );
    for (const o of outcomes) {
      assert.ok(o.error instanceof RequestTimeoutError, `key ${o.key}: ${o.error}`);
      assert.ok(o.ms >= 195 && o.ms < 1000, `key ${o.key} timed out after ${o.ms.toFixed(0)} ms`);
    }
    assert.ok(a.held.length >= 8, `${a.held.length} answers held`);
    a.resume();
    await proxy.until("held answers forwarded", () => a.held.length === 0);
    assertOwnAnswers(await Promise.all(keys(20, 20).map((k) => select(session, ps, k))));
  });

  it("a slow connection does not stall requests on the other one", async () => {
    const DELAY_MS = 3000;
    const { proxy, session, pool, ps } = await through(2);
    const [a, b] = pool;
    a.addRule({ match: isAnswer, action: { kind: "delay", ms: DELAY_MS } });
    const executes = (c: ProxyConnection) =>
      c.requests.filter((r) => r.opcode === OP_EXECUTE).length;
    let settled = 0;
    const burst = keys(0, 10).map((k) =>
      select(session, ps, k).then((o) => {
        settled++;
        return o;
      })
    );
    // The burst is spread over both connections; wait until the healthy one has answered its share.
    await proxy.until(
      "the healthy connection's share of the burst answered",
      () => executes(a) + executes(b) === 10 && settled === executes(b),
    );
    const stuckOnA = executes(a);
    assert.ok(stuckOnA > 0 && stuckOnA < 10, `${stuckOnA} of the burst on the slow connection`);
    // One request at a time while the slow connection holds its share: none waits for it.
    const t0 = performance.now();
    const sequential: Outcome[] = [];
    for (const k of keys(100, 30)) sequential.push(await select(session, ps, k));
    const took = performance.now() - t0;
    assertOwnAnswers(sequential);
    assert.ok(took < DELAY_MS / 2, `30 sequential requests took ${took.toFixed(0)} ms`);
    for (const o of sequential) assert.ok(o.ms < 500, `key ${o.key} took ${o.ms.toFixed(0)} ms`);
    // Least busy: every one of them went to the healthy connection.
    assert.equal(executes(a), stuckOnA, "a sequential request went to the slow connection");
    assert.equal(executes(b), 10 - stuckOnA + 30);
    assert.equal(settled, 10 - stuckOnA, "the slow connection's answers were still delayed");
    const slow = (await Promise.all(burst)).filter((o) => o.ms >= DELAY_MS - 5);
    assert.equal(slow.length, stuckOnA);
    assertOwnAnswers(await Promise.all(burst));
  });

  it("a frame truncated mid-way, then the socket closed: in-flight requests fail with ConnectionError, no hang", async () => {
    const { proxy, session, pool, ps } = await through(2);
    const [a] = pool;
    a.addRule({ match: isAnswer, action: { kind: "hold" } });
    let settled = 0;
    const running = keys(0, 20).map((k) =>
      select(session, ps, k).then((o) => {
        settled++;
        return o;
      })
    );
    await proxy.until("all 20 answers at the proxy", () => a.held.length + settled === 20);
    const onA = new Set(a.held.map(answerKey));
    assert.ok(onA.size > 0);
    a.clearRules().addRule({ match: () => true, action: { kind: "truncate", then: "close" } });
    const released = performance.now();
    a.release();
    const outcomes = await Promise.all(running);
    const failedAfter = performance.now() - released;
    // The default request timeout is 12 s: failing within 2 s means the close, not a deadline.
    assert.ok(failedAfter < 2000, `in-flight requests settled ${failedAfter.toFixed(0)} ms later`);
    for (const o of outcomes) {
      if (onA.has(o.key)) assert.ok(o.error instanceof ConnectionError, `key ${o.key}: ${o.error}`);
      else assert.equal(o.value, o.key);
    }
    assert.equal(a.endedBy, "closed");
    await proxy.until("a replacement connection", () => proxy.poolConnections().length === 2);
    assertOwnAnswers(await Promise.all(keys(100, 20).map((k) => select(session, ps, k))));
  });

  it("a frame truncated mid-way, then silence: requests on it fail at their deadline, others go on", async () => {
    const { session, pool, ps } = await through(2);
    const [a, b] = pool;
    a.addRule({
      match: isAnswer,
      action: { kind: "truncate", then: "silence" },
      times: 1,
    });
    const fast = ps.withTimeout(300);
    const outcomes = await Promise.all(keys(0, 10).map((k) => select(session, fast, k)));
    const stuck = outcomes.filter((o) => o.error !== undefined);
    assert.ok(stuck.length > 0, "some requests used the truncated connection");
    for (const o of stuck) {
      assert.ok(o.error instanceof RequestTimeoutError, `key ${o.key}: ${o.error}`);
      assert.ok(o.ms >= 295 && o.ms < 1500, `key ${o.key} failed after ${o.ms.toFixed(0)} ms`);
    }
    for (const o of outcomes.filter((x) => x.error === undefined)) assert.equal(o.value, o.key);
    assert.equal(a.closed, false);
    // New requests prefer the connection without unanswered requests.
    const bBefore = b.requests.length;
    assertOwnAnswers(await Promise.all(keys(50, 5).map((k) => select(session, ps, k))));
    assert.ok(b.requests.length - bBefore >= 5);
  });
});
