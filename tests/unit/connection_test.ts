/**
 * One CQL connection (`src/pool/connection.ts`, `handshake.ts`) against a
 * SIMULATED node (`fake_server.ts`, an in-process `node:net` server — not
 * ScyllaDB): handshake, stream-id multiplexing with out-of-order answers,
 * timeouts and late answers, aborts, socket loss, protocol violations,
 * authentication and compression.
 *
 * Deno: `deno test -A tests/unit/connection_test.ts`; Bun: `bun test tests/unit/connection_test.ts`.
 * @module
 */

import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Connection, type ConnectionOptions } from "../../src/pool/connection.ts";
import {
  AuthenticationError,
  ConnectionError,
  InvalidQueryError,
  ProtocolError,
  RequestTimeoutError,
  UnavailableError,
} from "../../src/errors.ts";
import { Writer } from "../../src/wire/bytes.ts";
import { FrameFlag, Opcode } from "../../src/wire/frame.ts";
import { encodeQuery } from "../../src/wire/requests/query.ts";
import type { ResponseBody } from "../../src/wire/responses/envelope.ts";
import { decodeResult } from "../../src/wire/responses/result.ts";
import type { ServerEvent } from "../../src/wire/responses/event.ts";
import {
  errorBody,
  type FakeConnection,
  type FakeRequest,
  FakeServer,
  type FakeServerOptions,
  frameBytes,
  rowsBody,
  VOID_BODY,
} from "./fake_server.ts";

// ─── helpers ───

const servers: FakeServer[] = [];
const connections: Connection[] = [];

afterEach(async () => {
  for (const c of connections.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});

async function fake(options: FakeServerOptions = {}): Promise<FakeServer> {
  const s = await FakeServer.start(options);
  servers.push(s);
  return s;
}

function options(port: number, extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    host: "127.0.0.1",
    port,
    noDelay: true,
    keepAliveMs: null,
    tls: null,
    compression: null,
    credentials: null,
    keyspace: null,
    connectTimeoutMs: 2000,
    maxInFlight: 4,
    // These tests read the v4 exchange frame by frame; negotiation has its own tests below.
    protocolVersion: 4,
    ...extra,
  };
}

async function open(port: number, extra: Partial<ConnectionOptions> = {}): Promise<Connection> {
  const c = await Connection.open(options(port, extra));
  connections.push(c);
  return c;
}

/** A QUERY frame for `cql`. */
const query = (cql: string) => encodeQuery(new Writer(64), cql, { consistency: 1, pageSize: 0 });

/** Decodes a RESULT and returns the first cell of the first row (the echoed CQL). */
const firstCell = (op: number, b: ResponseBody): unknown => {
  assert.equal(op, Opcode.RESULT);
  const r = decodeResult(b.reader);
  assert.equal(r.kind, "rows");
  return r.kind === "rows" ? r.chunks[0]?.[0] : undefined;
};

const send = (c: Connection, cql: string, timeoutMs = 2000, signal?: AbortSignal) =>
  c.send(query(cql), firstCell, { timeoutMs, signal });

/** A handler that keeps QUERYs for the test to answer; resolves waiters as they arrive. */
function holder() {
  const held: FakeRequest[] = [];
  let waiters: { n: number; resolve: () => void }[] = [];
  const handler = (q: FakeRequest) => {
    held.push(q);
    waiters = waiters.filter((w) => held.length >= w.n ? (w.resolve(), false) : true);
  };
  /** Resolves once `n` queries have been held in total. */
  const until = (n: number) =>
    held.length >= n
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiters.push({ n, resolve }));
  return { held, handler, until };
}

// ─── handshake ───

describe("ScyllaDB STARTUP extensions (SIMULATED node)", () => {
  it("sends CLIENT_OPTIONS only where SUPPORTED offers it", async () => {
    const json = JSON.stringify({ driver: "rsylla", poolSize: 2 });
    const offered = await fake({ supported: { CLIENT_OPTIONS: [] } });
    await open(offered.port, { clientOptions: json });
    assert.equal((await offered.connection()).startup?.get("CLIENT_OPTIONS"), json);
    const plain = await fake();
    await open(plain.port, { clientOptions: json });
    assert.equal((await plain.connection()).startup?.has("CLIENT_OPTIONS"), false);
  });

  it("refuses a node whose SCYLLA_HOST_ID is not the one expected at that address", async () => {
    const id = "11111111-2222-4333-8444-555555555555";
    const s = await fake({ supported: { SCYLLA_HOST_ID: [id] } });
    const c = await open(s.port, { expectedHostId: id });
    assert.equal(c.closed, false);
    await assert.rejects(
      open(s.port, { expectedHostId: "99999999-2222-4333-8444-555555555555" }),
      {
        name: "ConnectionError",
        message: new RegExp(`is node ${id}, not the expected 99999999-`),
      },
    );
  });
});

describe("Connection protocol negotiation (SIMULATED v4-only node)", () => {
  it("offers v5 first and, refused as a v4-only node refuses it, reconnects in v4", async () => {
    const s = await fake();
    const c = await open(s.port, { protocolVersion: null });
    assert.equal(c.protocolVersion, 4);
    const probe = await s.connection(0);
    assert.equal(probe.versionProbes, 1, "the first connection offered v5 and was refused");
    const fc = await s.connection(1);
    assert.deepEqual(fc.received.map((r) => r.opcode), [Opcode.OPTIONS, Opcode.STARTUP]);
    assert.equal(await send(c, "SELECT 1"), "SELECT 1");
  });

  it("a pinned v5 refused by the node is a ConnectionError naming both versions", async () => {
    const s = await fake();
    await assert.rejects(open(s.port, { protocolVersion: 5 }), (e: Error) => {
      assert.equal(e.name, "ConnectionError");
      assert.match(e.message, /refused protocol v5 \(it speaks v4\)/);
      return true;
    });
  });

  it("snappy cannot be pinned to v5 (v5 compresses segments with LZ4 only)", async () => {
    const s = await fake();
    await assert.rejects(
      open(s.port, { protocolVersion: 5, compression: "snappy" }),
      /snappy compression does not exist in protocol v5/,
    );
  });
});

describe("Connection handshake", () => {
  it("OPTIONS → SUPPORTED, STARTUP → READY, then the connection is ready", async () => {
    const s = await fake({ supported: { SCYLLA_SHARD: ["0"] } });
    const c = await open(s.port);
    const fc = await s.connection();
    assert.deepEqual(fc.received.map((r) => r.opcode), [Opcode.OPTIONS, Opcode.STARTUP]);
    assert.equal(fc.startup?.get("CQL_VERSION"), "3.0.0");
    assert.equal(fc.startup?.get("DRIVER_NAME"), "rsylla");
    assert.equal(fc.startup?.has("COMPRESSION"), false);
    assert.deepEqual(c.supported.get("CQL_VERSION"), ["3.0.0"]);
    assert.deepEqual(c.supported.get("SCYLLA_SHARD"), ["0"]);
    assert.equal(c.address, `127.0.0.1:${s.port}`);
    assert.equal(c.closed, false);
    assert.equal(c.inFlight, 0);
    assert.equal(await send(c, "SELECT 1"), "SELECT 1");
  });

  it("switches to the keyspace with USE and records it", async () => {
    const s = await fake();
    const c = await open(s.port, { keyspace: "my_ks" });
    assert.equal(c.keyspace, "my_ks");
    const fc = await s.connection();
    assert.equal(fc.received.at(-1)?.cql, "USE my_ks");
  });

  it("announces the ScyllaDB rate-limit extension and maps its error code", async () => {
    const s = await fake({
      supported: { SCYLLA_RATE_LIMIT_ERROR: ["ERROR_CODE=61440"] },
      onQuery: (q) => q.conn.reply(q, Opcode.ERROR, errorBody(61440, "rate limit", [1, 0])),
    });
    const c = await open(s.port);
    const fc = await s.connection();
    assert.equal(fc.startup?.get("SCYLLA_RATE_LIMIT_ERROR"), "");
    await assert.rejects(send(c, "UPDATE t"), (e: unknown) => {
      assert.equal((e as Error).name, "RateLimitReachedError");
      assert.equal((e as { opType: string }).opType, "write");
      return true;
    });
  });

  it("a refused port is a ConnectionError", async () => {
    const s = await fake();
    const port = s.port;
    await s.close();
    servers.length = 0;
    await assert.rejects(Connection.open(options(port)), ConnectionError);
  });

  /** Opens against a node that accepts TCP and then never reads or answers. */
  async function openSilent(connectTimeoutMs: number) {
    const s = await fake();
    const started = performance.now();
    const opening = Connection.open(options(s.port, { connectTimeoutMs }));
    const fc = await s.connection();
    fc.socket.removeAllListeners("data"); // the node reads nothing and answers nothing
    const outcome = await opening.then(() => null, (e: unknown) => e);
    return { error: outcome, took: performance.now() - started };
  }

  it("a node that never answers OPTIONS fails within connectTimeoutMs", async () => {
    const { error, took } = await openSilent(150);
    assert.ok(
      error instanceof ConnectionError || error instanceof RequestTimeoutError,
      `got ${error}`,
    );
    assert.match((error as Error).message, /150 ms/);
    assert.ok(took >= 140 && took < 1500, `took ${took} ms`);
  });

  // BUG src/pool/handshake.ts:62-63 (each handshake step sends with
  // `timeoutMs: o.connectTimeoutMs`) racing src/pool/connection.ts Connection.open's own
  // `setTimeout(..., connectTimeoutMs)`: both expire at about the same moment, so a silent node
  // fails `open` with ConnectionError ("connecting to … timed out after 150 ms") or, about
  // 1 full-file run in 18 on Bun (seen once), with RequestTimeoutError ("no answer from … within 150 ms") —
  // open()'s JSDoc promises ConnectionError. Un-skip once the class is deterministic.
  it("a node that never answers OPTIONS always fails with ConnectionError", async () => {
    for (let i = 0; i < 20; i++) {
      const { error } = await openSilent(150);
      assert.ok(error instanceof ConnectionError, `run ${i}: got ${error}`);
    }
  });

  it("a STARTUP answer other than READY/AUTHENTICATE is a ProtocolError", async () => {
    const s = await fake();
    const opening = Connection.open(options(s.port));
    const fc = await s.connection();
    fc.socket.removeAllListeners("data");
    fc.socket.on("data", (chunk: Uint8Array) => {
      const b = new Uint8Array(chunk);
      const stream = (b[2] << 8) | b[3];
      if (b[4] === Opcode.OPTIONS) {
        const w = new Writer().writeShort(1).writeString("CQL_VERSION").writeStringList(["3.0.0"]);
        fc.sendRaw(frameBytes(stream, Opcode.SUPPORTED, w.toBytes()));
      } else {
        fc.sendRaw(frameBytes(stream, Opcode.RESULT, VOID_BODY));
      }
    });
    await assert.rejects(opening, /STARTUP: expected READY, got RESULT/);
  });
});

// ─── multiplexing ───

describe("Connection request multiplexing", () => {
  it("50 concurrent requests on maxInFlight 4, answered out of order, each get their own answer", async () => {
    const pending: FakeRequest[] = [];
    let maxOutstanding = 0;
    const answerOrder: string[] = [];
    const arrivalOrder: string[] = [];
    const s = await fake({
      onQuery: (q) => {
        pending.push(q);
        arrivalOrder.push(q.cql);
        maxOutstanding = Math.max(maxOutstanding, pending.length);
      },
    });
    // After each TCP chunk, answer everything held, newest first.
    s.onChunk = (fc: FakeConnection) => {
      for (const q of pending.splice(0).reverse()) {
        answerOrder.push(q.cql);
        fc.reply(q, Opcode.RESULT, rowsBody([q.cql]));
      }
    };
    const c = await open(s.port, { maxInFlight: 4 });
    const cqls = Array.from({ length: 50 }, (_, i) => `SELECT ${i} FROM t WHERE k = ${i * 7}`);
    const all = Promise.all(cqls.map((q) => send(c, q)));
    assert.equal(c.inFlight, 4);
    assert.equal(c.waiting, 46);
    const results = await all;
    assert.deepEqual(results, cqls);
    assert.ok(maxOutstanding <= 4, `server saw ${maxOutstanding} outstanding`);
    assert.notDeepEqual(answerOrder, arrivalOrder, "some answers went out of order");
    const fc = await s.connection();
    const streams = new Set(
      fc.received.filter((r) => r.opcode === Opcode.QUERY).map((r) => r.stream),
    );
    assert.ok([...streams].every((id) => id >= 0 && id < 4), `streams ${[...streams]}`);
    assert.equal(c.inFlight, 0);
    assert.equal(c.waiting, 0);
  });

  it("frames queued in one turn reach the server as one TCP write", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    let chunksWithQueries = 0;
    s.onChunk = () => chunksWithQueries++;
    const c = await open(s.port);
    chunksWithQueries = 0;
    const p = [send(c, "a"), send(c, "b"), send(c, "c")];
    await h.until(3);
    assert.equal(chunksWithQueries, 1);
    for (const q of h.held) q.conn.reply(q, Opcode.RESULT, rowsBody([q.cql]));
    assert.deepEqual(await Promise.all(p), ["a", "b", "c"]);
  });

  it("a server ERROR fails only its request, with the mapped class; the connection stays", async () => {
    const s = await fake({
      onQuery: (q) => {
        if (q.cql === "bad") {
          q.conn.reply(
            q,
            Opcode.ERROR,
            errorBody(0x1000, "Cannot achieve consistency", [0, 4, 0, 0, 0, 3, 0, 0, 0, 1]),
          );
        } else if (q.cql === "invalid") {
          q.conn.reply(q, Opcode.ERROR, errorBody(0x2200, "unconfigured table t"));
        } else q.conn.reply(q, Opcode.RESULT, rowsBody([q.cql]));
      },
    });
    const c = await open(s.port);
    const [bad, good, invalid] = await Promise.allSettled([
      send(c, "bad"),
      send(c, "good"),
      send(c, "invalid"),
    ]);
    assert.equal(bad.status, "rejected");
    const e = (bad as PromiseRejectedResult).reason;
    assert.ok(e instanceof UnavailableError);
    assert.equal(e.required, 3);
    assert.equal(e.alive, 1);
    assert.deepEqual(good, { status: "fulfilled", value: "good" });
    assert.ok((invalid as PromiseRejectedResult).reason instanceof InvalidQueryError);
    assert.equal(c.closed, false);
  });

  it("a decoder that throws fails only its request, as a ProtocolError", async () => {
    const s = await fake();
    const c = await open(s.port);
    // Decoders read only what the server sent: whatever they throw is the server's bytes.
    await assert.rejects(
      c.send(query("x"), () => {
        throw new TypeError("decoder failed");
      }, { timeoutMs: 2000 }),
      (e: unknown) => e instanceof ProtocolError && e.cause instanceof TypeError,
    );
    assert.equal(await send(c, "still fine"), "still fine");
  });

  it("tracing id and warnings reach the decoder", async () => {
    const s = await fake({
      onQuery: (q) => {
        const w = new Writer();
        w.writeRaw(new Uint8Array(16).fill(0x11)); // tracing id
        w.writeStringList(["big batch"]); // warnings
        w.writeRaw(VOID_BODY);
        q.conn.send(q.stream, Opcode.RESULT, w.toBytes(), FrameFlag.TRACING | FrameFlag.WARNING);
      },
    });
    const c = await open(s.port);
    const got = await c.send(
      query("x"),
      (_op, b) => ({ t: b.tracingId, w: b.warnings, r: decodeResult(b.reader) }),
      {
        timeoutMs: 2000,
      },
    );
    assert.deepEqual(got, {
      t: "11111111-1111-1111-1111-111111111111",
      w: ["big batch"],
      r: { kind: "void" },
    });
  });

  it("delivers EVENT frames on stream -1 to onEvent", async () => {
    const s = await fake();
    const events: ServerEvent[] = [];
    let gotEvent!: () => void;
    const arrived = new Promise<void>((r) => gotEvent = r);
    const c = await open(s.port, {
      onEvent: (e) => {
        events.push(e);
        gotEvent();
      },
    });
    const fc = await s.connection();
    const w = new Writer().writeString("STATUS_CHANGE").writeString("DOWN");
    w.writeByte(4).writeRaw(new Uint8Array([10, 0, 0, 9])).writeInt(9042);
    fc.send(-1, Opcode.EVENT, w.toBytes());
    await arrived;
    assert.deepEqual(events, [{
      type: "STATUS_CHANGE",
      change: "DOWN",
      address: "10.0.0.9",
      port: 9042,
    }]);
    assert.equal(c.closed, false);
  });
});

// ─── timeouts, late answers, aborts ───

describe("Connection timeouts and aborts", () => {
  it("a request with a 100 ms timeout to a silent node rejects with RequestTimeoutError", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    const c = await open(s.port);
    const started = performance.now();
    await assert.rejects(send(c, "hang", 100), (e: unknown) => {
      assert.ok(e instanceof RequestTimeoutError);
      assert.match((e as Error).message, /within 100 ms/);
      return true;
    });
    const took = performance.now() - started;
    assert.ok(took >= 95 && took < 1000, `took ${took} ms`);
    assert.equal(c.closed, false);
  });

  it("a timed-out request keeps its stream id until the late answer; the late answer resolves nobody else", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    const c = await open(s.port);
    await assert.rejects(send(c, "hang", 100), RequestTimeoutError);
    assert.equal(c.inFlight, 1, "the timed-out request still holds its id");
    await h.until(1);
    const hang = h.held[0];

    const next = send(c, "next");
    await h.until(2);
    const nextReq = h.held[1];
    assert.notEqual(nextReq.stream, hang.stream, "the id of the timed-out request is not reused");

    // The late answer arrives first, then the real one.
    hang.conn.reply(hang, Opcode.RESULT, rowsBody(["LATE ANSWER FOR hang"]));
    nextReq.conn.reply(nextReq, Opcode.RESULT, rowsBody(["next"]));
    assert.equal(await next, "next");
    assert.equal(c.inFlight, 0, "both ids are free again");
    assert.equal(c.closed, false);

    // The freed id is reused now.
    const again = send(c, "again");
    await h.until(3);
    assert.ok([hang.stream, nextReq.stream].includes(h.held[2].stream));
    h.held[2].conn.reply(h.held[2], Opcode.RESULT, rowsBody(["again"]));
    assert.equal(await again, "again");
  });

  it("with every id held by timed-out requests, new requests wait instead of reusing them", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    const c = await open(s.port, { maxInFlight: 4 });
    // Two abandoned (≤ maxInFlight / 2, so the connection is kept).
    await Promise.all([
      assert.rejects(send(c, "t1", 60), RequestTimeoutError),
      assert.rejects(send(c, "t2", 60), RequestTimeoutError),
    ]);
    assert.equal(c.abandoned, 2);
    const live = [send(c, "l1"), send(c, "l2"), send(c, "l3")];
    assert.equal(c.inFlight, 4);
    assert.equal(c.waiting, 1);
    await h.until(4);
    const stale = new Set(h.held.slice(0, 2).map((q) => q.stream));
    for (const q of h.held.slice(2)) assert.ok(!stale.has(q.stream));
    // Answer the stale ones: l3 then gets one of their ids.
    for (const q of h.held.slice(0, 2)) q.conn.reply(q, Opcode.RESULT, rowsBody(["stale"]));
    await h.until(5);
    assert.equal(c.abandoned, 0, "the late answers end the abandonment");
    assert.ok(stale.has(h.held[4].stream));
    for (const q of h.held.slice(2)) q.conn.reply(q, Opcode.RESULT, rowsBody([q.cql]));
    assert.deepEqual(await Promise.all(live), ["l1", "l2", "l3"]);
  });

  it("more than maxInFlight/2 unanswered requests close the connection", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    let closedWith: Error | undefined;
    const c = await open(s.port, { maxInFlight: 4, onClose: (e) => closedWith = e });
    const results = await Promise.allSettled([
      send(c, "a", 50),
      send(c, "b", 50),
      send(c, "c", 50),
    ]);
    assert.ok(results.every((r) => r.status === "rejected"));
    assert.equal(c.closed, true);
    assert.ok(closedWith instanceof ConnectionError);
    assert.match(closedWith!.message, /3 requests .* went unanswered/);
  });

  it("an AbortSignal rejects with its reason; the id waits for the late answer", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    const c = await open(s.port);
    const ac = new AbortController();
    const p = send(c, "slow", 2000, ac.signal);
    await h.until(1);
    const reason = new Error("caller gave up");
    ac.abort(reason);
    await assert.rejects(p, (e: unknown) => e === reason);
    assert.equal(c.inFlight, 1);
    h.held[0].conn.reply(h.held[0], Opcode.RESULT, rowsBody(["late"]));
    // A request behind the late answer proves it was read (answers arrive in order).
    const after = send(c, "after");
    await h.until(2);
    h.held[1].conn.reply(h.held[1], Opcode.RESULT, rowsBody(["after"]));
    assert.equal(await after, "after");
    assert.equal(c.inFlight, 0);
  });

  it("an already-aborted signal rejects at once and sends nothing", async () => {
    const s = await fake();
    const c = await open(s.port);
    const fc = await s.connection();
    const before = fc.received.length;
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(
      send(c, "never", 2000, ac.signal),
      (e: unknown) => (e as Error).name === "AbortError",
    );
    assert.equal(c.inFlight, 0);
    assert.equal(await send(c, "probe"), "probe");
    assert.deepEqual(fc.received.slice(before).map((r) => r.cql), ["probe"]);
  });

  it("aborting a request still waiting for an id removes it; it is never sent", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    const c = await open(s.port, { maxInFlight: 4 });
    const first = ["a", "b", "c", "d"].map((q) => send(c, q));
    const ac = new AbortController();
    const queued = send(c, "queued", 2000, ac.signal);
    assert.equal(c.waiting, 1);
    ac.abort();
    await assert.rejects(queued, (e: unknown) => (e as Error).name === "AbortError");
    assert.equal(c.waiting, 0);
    await h.until(4);
    for (const q of h.held) q.conn.reply(q, Opcode.RESULT, rowsBody([q.cql]));
    assert.deepEqual(await Promise.all(first), ["a", "b", "c", "d"]);
    const probe = send(c, "probe");
    await h.until(5);
    h.held[4].conn.reply(h.held[4], Opcode.RESULT, rowsBody(["probe"]));
    assert.equal(await probe, "probe");
    assert.deepEqual(h.held.map((q) => q.cql), ["a", "b", "c", "d", "probe"], "queued never sent");
  });
});

// ─── failures ───

describe("Connection failures", () => {
  it("the server closing the socket rejects every in-flight and waiting request with ConnectionError", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    let closedWith: Error | undefined;
    const c = await open(s.port, { maxInFlight: 4, onClose: (e) => closedWith = e });
    const ps = ["a", "b", "c", "d", "e", "f"].map((q) => send(c, q));
    await h.until(4);
    assert.equal(c.waiting, 2);
    h.held[0].conn.drop();
    const results = await Promise.allSettled(ps);
    for (const r of results) {
      assert.equal(r.status, "rejected");
      assert.ok((r as PromiseRejectedResult).reason instanceof ConnectionError);
    }
    assert.equal(c.closed, true);
    assert.ok(closedWith instanceof ConnectionError);
    await assert.rejects(send(c, "after close"), ConnectionError);
  });

  it("close() rejects in-flight requests and calls onClose once", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    let closes = 0;
    const c = await open(s.port, { onClose: () => closes++ });
    const p = send(c, "x");
    await h.until(1);
    c.close();
    c.close();
    await assert.rejects(p, /closed by the client/);
    assert.equal(closes, 1);
  });

  it("an answer on a stream id with no request closes the connection with ProtocolError", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    let closedWith: Error | undefined;
    const c = await open(s.port, { onClose: (e) => closedWith = e });
    const p = send(c, "in flight");
    await h.until(1);
    h.held[0].conn.send(77, Opcode.RESULT, VOID_BODY);
    // The requests in flight fail as connection failures (retryable), caused by the fault.
    await assert.rejects(
      p,
      (e: unknown) => e instanceof ConnectionError && (e as Error).cause instanceof ProtocolError,
    );
    assert.equal(c.closed, true);
    assert.ok(closedWith instanceof ProtocolError);
    assert.match(closedWith!.message, /stream 77/);
  });

  it("an answer on an idle id inside the range also closes with ProtocolError", async () => {
    const s = await fake();
    let closedWith: Error | undefined;
    const c = await open(s.port, { onClose: (e) => closedWith = e });
    const fc = await s.connection();
    let onClosed!: () => void;
    const closed = new Promise<void>((r) => onClosed = r);
    fc.socket.on("close", () => onClosed());
    fc.send(2, Opcode.RESULT, VOID_BODY);
    await closed; // the client hangs up
    assert.equal(c.closed, true);
    assert.ok(closedWith instanceof ProtocolError);
  });

  it("a frame header claiming 2 GiB closes the connection with ProtocolError", async () => {
    const h = holder();
    const s = await fake({ onQuery: h.handler });
    const c = await open(s.port);
    const p = send(c, "x");
    await h.until(1);
    const header = frameBytes(h.held[0].stream, Opcode.RESULT, new Uint8Array(0));
    new DataView(header.buffer).setUint32(5, 0x80000000);
    h.held[0].conn.sendRaw(header);
    await assert.rejects(
      p,
      (e: unknown) =>
        e instanceof ConnectionError && (e as Error).cause instanceof ProtocolError &&
        /2147483648/.test((e as Error).message),
    );
    assert.equal(c.closed, true);
  });

  it("a compressed answer on a connection without compression fails that request", async () => {
    const s = await fake({
      onQuery: (q) =>
        q.conn.sendRaw(frameBytes(q.stream, Opcode.RESULT, VOID_BODY, FrameFlag.COMPRESSION)),
    });
    const c = await open(s.port);
    await assert.rejects(send(c, "x"), /compressed frame unasked/);
  });
});

// ─── authentication ───

describe("Connection authentication", () => {
  it("answers AUTHENTICATE with the SASL PLAIN token and succeeds", async () => {
    const s = await fake({ auth: { username: "cassandra", password: "s3cret" } });
    const c = await open(s.port, { credentials: { username: "cassandra", password: "s3cret" } });
    const fc = await s.connection();
    assert.deepEqual(
      [...fc.authToken!],
      [0x00, ...new TextEncoder().encode("cassandra"), 0x00, ...new TextEncoder().encode("s3cret")],
    );
    assert.deepEqual(fc.received.map((r) => r.opcode), [
      Opcode.OPTIONS,
      Opcode.STARTUP,
      Opcode.AUTH_RESPONSE,
    ]);
    assert.equal(await send(c, "SELECT 1"), "SELECT 1");
  });

  it("without credentials, AUTHENTICATE is an AuthenticationError naming the authenticator", async () => {
    const s = await fake({ auth: { username: "u", password: "p" } });
    await assert.rejects(Connection.open(options(s.port)), (e: unknown) => {
      assert.ok(e instanceof AuthenticationError);
      assert.match((e as Error).message, /PasswordAuthenticator/);
      return true;
    });
    const fc = await s.connection();
    assert.equal(fc.received.some((r) => r.opcode === Opcode.AUTH_RESPONSE), false);
  });

  it("wrong credentials are an AuthenticationError naming the user, never the password", async () => {
    const s = await fake({ auth: { username: "u", password: "right" } });
    await assert.rejects(
      Connection.open(options(s.port, { credentials: { username: "u", password: "wrong-pw" } })),
      (e: unknown) => {
        assert.ok(e instanceof AuthenticationError);
        assert.equal(e.code, 0x0100);
        assert.match((e as Error).message, /"u"/);
        assert.doesNotMatch((e as Error).message, /wrong-pw/);
        return true;
      },
    );
  });
});

// ─── compression ───

describe("Connection compression", () => {
  for (const name of ["lz4", "snappy"] as const) {
    it(`${name}: negotiated in STARTUP; requests and answers are compressed after the handshake`, async () => {
      const s = await fake({ compression: ["snappy", "lz4"] });
      const c = await open(s.port, { compression: name });
      const fc = await s.connection();
      assert.equal(fc.startup?.get("COMPRESSION"), name);
      const cql = `SELECT * FROM ks.t WHERE k IN (${
        Array.from({ length: 200 }, () => "'same'").join(", ")
      })`;
      assert.equal(await send(c, cql), cql);
      const q = fc.received.at(-1)!;
      assert.equal(q.cql, cql, "the fake decompressed the request");
      assert.ok(q.flags & FrameFlag.COMPRESSION, "the request was sent compressed");
      assert.ok(fc.compressing);
      // Many answers in a row, out of order, still decode.
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) => send(c, `q${i} ${"x".repeat(i * 50)}`)),
      );
      assert.deepEqual(many, Array.from({ length: 20 }, (_, i) => `q${i} ${"x".repeat(i * 50)}`));
    });

    // BUG src/pool/connection.ts:123-124 with src/pool/handshake.ts:100-109: the connection
    // installs its compressor only after handshake() returns, so any answer that arrives
    // compressed during the handshake fails with ProtocolError "server sent a compressed
    // frame unasked". ScyllaDB compresses every answer after a STARTUP that names a
    // compression, READY included (transport/server.cc: write_response(..., _compression)
    // runs after process_startup has set _compression), so compression cannot be used
    // against ScyllaDB at all. Expected: decompress by the frame flag once STARTUP with
    // COMPRESSION has been sent. Un-skip once fixed.
    it(`${name}: ScyllaDB-style compressed READY is accepted`, async () => {
      const s = await fake({ compression: [name], compressHandshake: true });
      const c = await open(s.port, { compression: name });
      assert.equal(await send(c, "SELECT 1"), "SELECT 1");
    });

    // BUG (same root cause): with compression and a keyspace (or with authentication),
    // the USE answer (or AUTH_SUCCESS) comes compressed even from a server that leaves
    // READY uncompressed, and the handshake fails. Un-skip once fixed.
    it(`${name}: compression together with a keyspace`, async () => {
      const s = await fake({ compression: [name] });
      const c = await open(s.port, { compression: name, keyspace: "ks" });
      assert.equal(c.keyspace, "ks");
    });
  }

  it("ScyllaDB-style compression with authentication and a keyspace", async () => {
    const s = await fake({
      compression: ["lz4"],
      compressHandshake: true,
      auth: { username: "u", password: "p" },
    });
    const c = await open(s.port, {
      compression: "lz4",
      credentials: { username: "u", password: "p" },
      keyspace: "ks",
    });
    assert.equal(c.keyspace, "ks");
    const fc = await s.connection();
    assert.deepEqual(fc.received.map((r) => r.opcode), [
      Opcode.OPTIONS,
      Opcode.STARTUP,
      Opcode.AUTH_RESPONSE,
      Opcode.QUERY,
    ]);
    assert.equal(await send(c, "SELECT 1"), "SELECT 1");
  });

  it("asking for compression the node does not offer is a ProtocolError naming what it offers", async () => {
    const s = await fake({ compression: ["snappy"] });
    await assert.rejects(
      Connection.open(options(s.port, { compression: "lz4" })),
      (e: unknown) => e instanceof ProtocolError && /offers: snappy/.test((e as Error).message),
    );
  });
});
