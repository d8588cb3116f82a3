// Retry-policy decisions and speculative execution on the real 3-node cluster, each node behind
// its own fault proxy (tests/proxy/fault_proxy.ts) on 127.0.0.{1,2,3}:19042. The proxies hide
// system.peers_v2 (answered with "unconfigured table"), so the driver reads system.peers and
// reaches every peer on the contact point's port: through its proxy. Table in a keyspace with
// NetworkTopologyStrategy {dc1: 2, dc2: 1}; sessions have dc1 as local DC, so each key has two
// local replicas: the first attempt goes to one, "the next replica" is the other. Faults are
// injected on the first answer(s) to requests carrying the test's own key; the proxies count
// the EXECUTE requests carrying it, per node. Sessions use protocol v4: the proxy parses v4
// frames (v5 wraps them in CRC'd segments after the handshake).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ConstantSpeculativeExecutionPolicy,
  DefaultRetryPolicy,
  ReadTimeoutError,
  RequestTimeoutError,
  type RetryDecision,
  type RetryPolicy,
  type Session,
  SessionBuilder,
  UnavailableError,
  WriteTimeoutError,
} from "../../mod.ts";
import {
  clusterHosts,
  connectCluster,
  dropKeyspace,
  onEveryNode,
  uniqueKeyspace,
} from "./helpers.ts";
import {
  errorBody,
  type FaultAction,
  FaultProxy,
  type ProxyFrame,
  readTimeoutBody,
  unavailableBody,
  writeTimeoutBody,
} from "../proxy/fault_proxy.ts";

const KS = uniqueKeyspace("retryspec");
const PROXY_PORT = 19042;
const OP_QUERY = 0x07;
const OP_EXECUTE = 0x0a;
const ONE = 0x0001;
const LOCAL_ONE = 0x000a;
const dc1 = (i: number) => i < 2;

/** Bytes of an int bound value as it appears in an EXECUTE body: `[int 4][int key]`. */
function keyBytes(key: number): Uint8Array {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setInt32(0, 4);
  v.setInt32(4, key);
  return b;
}

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** A retry policy that records its decisions; `decide` makes them. */
class Recording implements RetryPolicy {
  readonly decisions: RetryDecision[] = [];
  constructor(readonly inner: RetryPolicy) {}
  decide(e: Parameters<RetryPolicy["decide"]>[0], ctx: Parameters<RetryPolicy["decide"]>[1]) {
    const d = this.inner.decide(e, ctx);
    this.decisions.push(d);
    return d;
  }
}

/** Read timeouts of idempotent statements go to the next replica; everything else rethrows. */
const nextOnReadTimeout: RetryPolicy = {
  decide: (e, ctx) =>
    e instanceof ReadTimeoutError && ctx.idempotent && ctx.retryCount === 0
      ? "retry_next"
      : "rethrow",
};

describe("retries and speculative execution, through fault proxies in front of the cluster", () => {
  let admin: Session;
  const proxies: FaultProxy[] = [];
  const sessions: Session[] = [];
  let nextKey = 7_300_000;

  before(async () => {
    admin = await connectCluster();
    await admin.execute(
      `CREATE KEYSPACE ${KS} WITH replication = ` +
        `{'class': 'NetworkTopologyStrategy', 'dc1': 2, 'dc2': 1}`,
    );
    await admin.execute(`CREATE TABLE ${KS}.t (pk int PRIMARY KEY, v int)`);
    await onEveryNode(KS, "t");
    for (const hp of clusterHosts()) {
      const host = hp.split(":")[0];
      const p = await FaultProxy.start({ host, port: 9042 }, { host, port: PROXY_PORT });
      p.addRule({
        match: (f) =>
          f.request?.opcode === OP_QUERY &&
          new TextDecoder().decode(f.request.body).includes("system.peers_v2"),
        action: {
          kind: "replace",
          with: () => errorBody(0x2200, "unconfigured table peers_v2 (hidden by the proxy)"),
        },
      });
      proxies.push(p);
    }
  });

  after(async () => {
    for (const s of sessions) await s.close().catch(() => {});
    for (const p of proxies) await p.close();
    await dropKeyspace(admin, KS);
    await admin?.close();
  });

  /** A session through the proxies, dc1 local, with `configure` applied. */
  async function session(configure: (b: SessionBuilder) => SessionBuilder = (b) => b) {
    const s = await configure(
      // The fault proxy cuts the stream at v4 frame headers (protocol v5 is tested elsewhere).
      new SessionBuilder().knownNode(proxies[0].address).localDatacenter("dc1").protocolVersion(4),
    ).build();
    sessions.push(s);
    const nodes = s.getClusterData().nodes.map((n) => `${n.address}:${n.port}`).sort();
    assert.deepEqual(nodes, proxies.map((p) => p.address), "every node is reached via its proxy");
    return s;
  }

  /** A fresh key, written directly (not through the proxies). */
  async function freshKey(): Promise<number> {
    const k = nextKey++;
    await admin.execute(`INSERT INTO ${KS}.t (pk, v) VALUES (?, ?)`, [k, k + 1]);
    return k;
  }

  /** EXECUTE requests carrying `key`, per proxy (0 = 127.0.0.1 …). */
  function executes(key: number): number[] {
    const kb = keyBytes(key);
    return proxies.map((p) =>
      p.requests().filter((r) => r.opcode === OP_EXECUTE && contains(r.body, kb)).length
    );
  }

  /**
   * On every proxy, the first `n` answers (over all proxies) to EXECUTEs carrying `key` get
   * `action`; returns the proxy indexes that applied it, in order.
   */
  function injectFirst(key: number, n: number, action: FaultAction): number[] {
    const kb = keyBytes(key);
    const hits: number[] = [];
    proxies.forEach((p, i) =>
      p.addRule({
        match: (f: ProxyFrame) => {
          if (hits.length >= n || f.request?.opcode !== OP_EXECUTE) return false;
          if (!contains(f.request.body, kb)) return false;
          hits.push(i);
          return true;
        },
        action,
      })
    );
    return hits;
  }

  /** Warms every node up for `ps` (prepared everywhere, connections open). */
  async function warm(s: Session, cql: string) {
    const ps = await s.prepare(cql);
    for (let i = 0; i < 12; i++) {
      const k = await freshKey();
      // INSERTs write v = -k, so no request carries another key's bytes.
      await s.executePrepared(ps, cql.startsWith("INSERT") ? [k, -k] : [k]);
    }
    return ps;
  }

  const SELECT = `SELECT v FROM ${KS}.t WHERE pk = ?`;
  const INSERT = `INSERT INTO ${KS}.t (pk, v) VALUES (?, ?)`;

  it("read timeout on an idempotent read: retried once on the next replica (policy: retry_next)", async () => {
    const policy = new Recording(nextOnReadTimeout);
    const s = await session((b) => b.retryPolicy(policy));
    const ps = (await warm(s, SELECT)).withConsistency("LOCAL_ONE").setIdempotent(true);
    const k = await freshKey();
    const hits = injectFirst(k, 1, {
      kind: "replace",
      with: () => readTimeoutBody(LOCAL_ONE, 0, 1, false),
    });
    const rs = await s.executePrepared(ps, [k]);
    assert.equal(rs.singleRow().get("v"), k + 1);
    const sent = executes(k);
    console.log(
      `read timeout, idempotent: EXECUTEs per node ${sent}, decisions ${policy.decisions}`,
    );
    assert.deepEqual(policy.decisions, ["retry_next"]);
    assert.equal(hits.length, 1);
    assert.equal(sent.reduce((a, b) => a + b, 0), 2, `two attempts: ${sent}`);
    assert.equal(sent[hits[0]], 1, "the first replica was tried once");
    const other = sent.findIndex((n, i) => n === 1 && i !== hits[0]);
    assert.ok(other >= 0 && dc1(other), `the retry went to the other dc1 replica: ${sent}`);
  });

  it("the same read timeout on a non-idempotent read: not retried, ReadTimeoutError", async () => {
    const policy = new Recording(nextOnReadTimeout);
    const s = await session((b) => b.retryPolicy(policy));
    const ps = (await warm(s, SELECT)).withConsistency("LOCAL_ONE").setIdempotent(false);
    const k = await freshKey();
    injectFirst(k, 1, { kind: "replace", with: () => readTimeoutBody(LOCAL_ONE, 0, 1, false) });
    await assert.rejects(s.executePrepared(ps, [k]), ReadTimeoutError);
    assert.deepEqual(policy.decisions, ["rethrow"]);
    assert.equal(executes(k).reduce((a, b) => a + b, 0), 1, `one attempt: ${executes(k)}`);
  });

  it("DefaultRetryPolicy, read timeout with enough replies but no data: once more on the same node", async () => {
    const policy = new Recording(new DefaultRetryPolicy());
    const s = await session((b) => b.retryPolicy(policy));
    const ps = (await warm(s, SELECT)).withConsistency("ONE");
    const k = await freshKey();
    const hits = injectFirst(k, 1, {
      kind: "replace",
      with: () => readTimeoutBody(ONE, 1, 1, false),
    });
    const rs = await s.executePrepared(ps, [k]);
    assert.equal(rs.singleRow().get("v"), k + 1);
    assert.deepEqual(policy.decisions, ["retry_same"]);
    const sent = executes(k);
    assert.equal(sent[hits[0]], 2, `both attempts on the same node: ${sent}`);
    assert.equal(sent.reduce((a, b) => a + b, 0), 2);
    // Not enough replies: rethrown.
    const k2 = await freshKey();
    injectFirst(k2, 1, { kind: "replace", with: () => readTimeoutBody(ONE, 0, 1, false) });
    await assert.rejects(s.executePrepared(ps, [k2]), ReadTimeoutError);
    assert.equal(executes(k2).reduce((a, b) => a + b, 0), 1);
  });

  it("write timeout on a non-idempotent INSERT: not retried, WriteTimeoutError (default policy)", async () => {
    const policy = new Recording(new DefaultRetryPolicy());
    const s = await session((b) => b.retryPolicy(policy));
    const ps = (await warm(s, INSERT)).withConsistency("LOCAL_ONE").setIdempotent(false);
    const k = nextKey++;
    injectFirst(k, 1, {
      kind: "replace",
      with: () => writeTimeoutBody(LOCAL_ONE, 0, 1, "SIMPLE"),
    });
    await assert.rejects(s.executePrepared(ps, [k, -k]), WriteTimeoutError);
    assert.deepEqual(policy.decisions, ["rethrow"]);
    assert.equal(executes(k).reduce((a, b) => a + b, 0), 1, `one attempt: ${executes(k)}`);
  });

  it("no answer to a write (client timeout): non-idempotent rethrown, idempotent retried on the next replica", async () => {
    const policy = new Recording(new DefaultRetryPolicy());
    const s = await session((b) => b.retryPolicy(policy));
    const base = await warm(s, INSERT);
    const once = base.withConsistency("LOCAL_ONE").withTimeout(400).setIdempotent(false);
    const k = nextKey++;
    injectFirst(k, 1, { kind: "drop" });
    await assert.rejects(s.executePrepared(once, [k, -k]), RequestTimeoutError);
    assert.deepEqual(policy.decisions, ["rethrow"]);
    assert.equal(executes(k).reduce((a, b) => a + b, 0), 1, `non-idempotent: ${executes(k)}`);

    policy.decisions.length = 0;
    const idem = once.setIdempotent(true);
    const k2 = nextKey++;
    const hits = injectFirst(k2, 1, { kind: "drop" });
    await s.executePrepared(idem, [k2, -k2]);
    const sent = executes(k2);
    console.log(`dropped write answer, idempotent: EXECUTEs per node ${sent}`);
    assert.deepEqual(policy.decisions, ["retry_next"]);
    assert.equal(sent.reduce((a, b) => a + b, 0), 2, `two attempts: ${sent}`);
    assert.equal(sent[hits[0]], 1);
    assert.ok(sent.some((n, i) => n === 1 && i !== hits[0] && dc1(i)), `next replica: ${sent}`);
  });

  it("unavailable follows the policy: retried on the next node (default policy)", async () => {
    const policy = new Recording(new DefaultRetryPolicy());
    const s = await session((b) => b.retryPolicy(policy));
    const ps = (await warm(s, SELECT)).withConsistency("LOCAL_ONE");
    const k = await freshKey();
    const hits = injectFirst(k, 1, {
      kind: "replace",
      with: () => unavailableBody(LOCAL_ONE, 1, 0),
    });
    assert.equal((await s.executePrepared(ps, [k])).singleRow().get("v"), k + 1);
    assert.deepEqual(policy.decisions, ["retry_next"]);
    const sent = executes(k);
    assert.equal(sent.reduce((a, b) => a + b, 0), 2, `${sent}`);
    assert.ok(sent.some((n, i) => n === 1 && i !== hits[0]), `another node: ${sent}`);
  });

  it(
    "unavailable twice: UnavailableError after two attempts (DefaultRetryPolicy: next node, once)",
    async () => {
      const policy = new Recording(new DefaultRetryPolicy());
      const s = await session((b) => b.retryPolicy(policy));
      const ps = (await warm(s, SELECT)).withConsistency("LOCAL_ONE");
      const k = await freshKey();
      injectFirst(k, 3, { kind: "replace", with: () => unavailableBody(LOCAL_ONE, 1, 0) });
      await assert.rejects(s.executePrepared(ps, [k]), UnavailableError);
      assert.deepEqual(policy.decisions, ["retry_next", "rethrow"]);
      assert.equal(executes(k).reduce((a, b) => a + b, 0), 2, `${executes(k)}`);
    },
  );

  it("a slowed replica: the speculative execution goes to the next replica and wins; the late answer is dropped", async () => {
    const s = await session((b) =>
      b.speculativeExecution(new ConstantSpeculativeExecutionPolicy(50, 2))
    );
    const ps = (await warm(s, SELECT)).withConsistency("LOCAL_ONE").setIdempotent(true);
    const before = new Map(s.getMetrics().requestsPerNode);
    const k = await freshKey();
    const hits = injectFirst(k, 1, { kind: "delay", ms: 700 });
    const t0 = performance.now();
    const rs = await s.executePrepared(ps, [k]);
    const ms = performance.now() - t0;
    assert.equal(rs.singleRow().get("v"), k + 1);
    const sent = executes(k);
    assert.equal(hits.length, 1);
    assert.equal(sent.reduce((a, b) => a + b, 0), 2, `two executions: ${sent}`);
    assert.ok(sent.some((n, i) => n === 1 && i !== hits[0] && dc1(i)), `next replica: ${sent}`);
    assert.ok(ms < 500, `answered in ${ms.toFixed(0)} ms, not after the slow replica's 700`);
    // The slow replica's answer arrives later; the driver drops it and the connection goes on
    // answering every request with its own row.
    const slow = proxies[hits[0]];
    const kb = keyBytes(k);
    await slow.until(
      "the late answer forwarded",
      () =>
        slow.connections.some((c) =>
          c.forwarded.some((f) => f.request !== null && contains(f.request.body, kb))
        ),
      3000,
    );
    const keys = await Promise.all(Array.from({ length: 12 }, () => freshKey()));
    const again = await Promise.all(keys.map((x) => s.executePrepared(ps, [x])));
    again.forEach((r, i) => assert.equal(r.singleRow().get("v"), keys[i] + 1));
    const counts = [...s.getMetrics().requestsPerNode].map(([n, c]) =>
      `${n} +${c - (before.get(n) ?? 0)}`
    );
    console.log(
      `speculative: answered in ${ms.toFixed(0)} ms; EXECUTEs of the key per node ${sent}; ` +
        `slowed node ${hits[0] + 1}; session requestsPerNode since: ${counts.join(", ")}`,
    );
  });

  it("no speculative execution for a non-idempotent statement: it waits for the slow replica", async () => {
    const s = await session((b) =>
      b.speculativeExecution(new ConstantSpeculativeExecutionPolicy(50, 2))
    );
    const ps = (await warm(s, SELECT)).withConsistency("LOCAL_ONE").setIdempotent(false);
    const k = await freshKey();
    injectFirst(k, 1, { kind: "delay", ms: 400 });
    const t0 = performance.now();
    await s.executePrepared(ps, [k]);
    const ms = performance.now() - t0;
    assert.equal(executes(k).reduce((a, b) => a + b, 0), 1, `${executes(k)}`);
    assert.ok(ms >= 390, `waited ${ms.toFixed(0)} ms`);
  });
});
