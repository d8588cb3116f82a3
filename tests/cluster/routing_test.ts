// Token-aware routing on the real 3-node cluster. With RF 1 every prepared single-partition
// request must reach the one node that owns its partition: checked against the driver's
// per-node request counters, with the owner computed here from the server's token(pk) and the
// ring in getClusterData(), and independently through system_traces (the coordinator of a
// traced request). With RF 3 requests spread round-robin over the three replicas, and LWTs go
// to the primary replica.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Consistency, type PreparedStatement, type Session } from "../../mod.ts";
import {
  clusterBuilder,
  clusterHosts,
  connectCluster,
  createKeyspace,
  dropKeyspace,
  eventually,
  nodeKey,
  onEveryNode,
  ringOf,
  sentSince,
  simpleReplicas,
  uniqueKeyspace,
} from "./helpers.ts";

const KS1 = uniqueKeyspace("route1");
const KS3 = `${KS1}_rf3`;
const KEYS = 3000;

/** Runs `fn` over `items` with at most `limit` calls pending. */
async function pool<T>(items: T[], limit: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

/**
 * Executes `ps` one request at a time for `keys`, so every node that serves it has prepared
 * it before counting starts. `prepare()` prepares on one node only: the first execution on
 * each other node answers UNPREPARED and is re-sent after a re-prepare, which the driver's
 * counters (attempts) count twice.
 */
async function warmUp(
  session: Session,
  ps: PreparedStatement,
  keys: number[],
  values: (k: number) => unknown[] = (k) => [k],
): Promise<void> {
  for (const k of keys) await session.executePrepared(ps, values(k));
}

function sorted(m: Map<string, number>): [string, number][] {
  return [...m].filter(([, n]) => n !== 0).sort((a, b) => a[0].localeCompare(b[0]));
}

describe("routing on the 3-node cluster", () => {
  let s: Session;
  /** Server-computed token of every key of the RF 1 table. */
  const tokenOf = new Map<number, bigint>();
  const keys = Array.from({ length: KEYS }, (_, i) => i * 7919 - 10_000_000);

  before(async () => {
    s = await connectCluster();
    await createKeyspace(s, KS1, 1);
    await createKeyspace(s, KS3, 3);
    await s.execute(`CREATE TABLE ${KS1}.t (pk int PRIMARY KEY, v int)`);
    await s.execute(`CREATE TABLE ${KS3}.t (pk int PRIMARY KEY, v int)`);
    await onEveryNode(KS1, "t");
    await onEveryNode(KS3, "t");
    const ins1 = await s.prepare(`INSERT INTO ${KS1}.t (pk, v) VALUES (?, ?)`);
    const ins3 = await s.prepare(`INSERT INTO ${KS3}.t (pk, v) VALUES (?, ?)`);
    await pool(keys, 64, async (k) => {
      await s.executePrepared(ins1, [k, k + 1]);
      await s.executePrepared(ins3, [k, k + 3]);
    });
    const rs = await s.execute(`SELECT token(pk), pk FROM ${KS1}.t`);
    for (const row of rs) tokenOf.set(row.get(1) as number, row.get(0) as bigint);
    assert.equal(tokenOf.size, KEYS);
  });

  after(async () => {
    await dropKeyspace(s, KS1);
    await dropKeyspace(s, KS3);
    await s?.close();
  });

  it("getClusterData() knows the 3 nodes with datacenter, rack, tokens and a summary", () => {
    const data = s.getClusterData();
    assert.equal(data.nodes.length, 3);
    assert.deepEqual(
      data.nodes.map(nodeKey).sort(),
      [...clusterHosts()].sort(),
      "the nodes are the cluster's addresses",
    );
    assert.equal(new Set(data.nodes.map((n) => n.hostId)).size, 3, "distinct host ids");
    for (const n of data.nodes) {
      assert.equal(n.datacenter, "datacenter1", `${n.address} datacenter`);
      assert.equal(n.rack, "rack1", `${n.address} rack`);
      assert.ok(n.tokens.length >= 1, `${n.address} has tokens`);
      assert.ok(n.tokens.every((t) => typeof t === "bigint"));
      assert.equal(n.up, true, `${n.address} up`);
      assert.equal(n.shardCount, null, "Cassandra has no shards");
      assert.match(String(n.releaseVersion), /^5\.0\./);
    }
    assert.deepEqual(data.datacenters, ["datacenter1"]);
    const ring = ringOf(data);
    assert.equal(new Set(ring.map((r) => r.token)).size, ring.length, "no token owned twice");
    const ks = data.keyspaces.get(KS1);
    assert.ok(ks, `keyspace ${KS1} in the metadata`);
    assert.match(ks.replication.class, /SimpleStrategy$/);
    assert.equal(ks.replication.replication_factor, "1");
    assert.deepEqual(ks.tables.get("t")?.partitionKey, ["pk"]);

    const text = String(data);
    assert.match(text, /^Cluster: 3 node\(s\)/);
    for (const hp of clusterHosts()) {
      assert.match(text, new RegExp(`${hp.replaceAll(".", "\\.")} dc=datacenter1 rack=rack1 up`));
    }
    assert.match(
      text,
      new RegExp(`${KS1} \\{class=[\\w.]*SimpleStrategy, replication_factor=1\\}`),
    );
    assert.ok(text.includes("table t (pk int, v int) PRIMARY KEY ((pk))"), text);
  });

  for (const via of ["all three contact points", "only 127.0.0.2 as contact point"]) {
    it(`RF 1: every prepared single-partition read goes to the owner (${via})`, async () => {
      const session = via.startsWith("all")
        ? s
        : await connectCluster(clusterBuilder([clusterHosts()[1]]));
      try {
        const ring = ringOf(session.getClusterData());
        const expected = new Map<string, number>();
        for (const k of keys) {
          const [owner] = simpleReplicas(ring, tokenOf.get(k)!, 1);
          expected.set(owner, (expected.get(owner) ?? 0) + 1);
        }
        assert.equal(expected.size, 3, "the keys cover every node's range");
        const ps = (await session.prepare(`SELECT v FROM ${KS1}.t WHERE pk = ?`))
          .withConsistency(Consistency.ONE);
        await warmUp(session, ps, keys.slice(0, 30));
        const before = new Map(session.getMetrics().requestsPerNode);
        await pool(keys, 100, async (k) => {
          const rs = await session.executePrepared(ps, [k]);
          assert.equal(rs.singleRow().get("v"), k + 1);
        });
        assert.deepEqual(sorted(sentSince(session, before)), sorted(expected));
      } finally {
        if (session !== s) await session.close();
      }
    });
  }

  it("RF 1: the coordinator in system_traces is the owner, for a sample of traced requests", async () => {
    const ring = ringOf(s.getClusterData());
    const ps = (await s.prepare(`SELECT v FROM ${KS1}.t WHERE pk = ?`))
      .withConsistency(Consistency.ONE)
      .withTracing(true);
    const sample = keys.filter((_, i) => i % 100 === 0); // 30 keys
    const traced: { key: number; id: string; owner: string }[] = [];
    for (const k of sample) {
      const rs = await s.executePrepared(ps, [k]);
      const id = rs.tracingId();
      assert.ok(id, `no tracing id for key ${k}`);
      const [owner] = simpleReplicas(ring, tokenOf.get(k)!, 1);
      traced.push({ key: k, id, owner });
    }
    assert.ok(new Set(traced.map((t) => t.owner)).size === 3, "the sample covers every node");
    const q = "SELECT coordinator, duration FROM system_traces.sessions WHERE session_id = ?";
    for (const t of traced) {
      // Trace rows are written asynchronously; the session row is complete once duration is set.
      const coordinator = await eventually(`trace ${t.id} of key ${t.key}`, async () => {
        const row = (await s.execute(q, [t.id])).firstRow();
        return row && row.get("duration") !== null ? String(row.get("coordinator")) : undefined;
      });
      assert.equal(`${coordinator}:9042`, t.owner, `coordinator of key ${t.key}`);
    }
  });

  it("RF 3: prepared reads at ONE spread round-robin over the three replicas", async () => {
    const ps = (await s.prepare(`SELECT v FROM ${KS3}.t WHERE pk = ?`))
      .withConsistency(Consistency.ONE);
    await warmUp(s, ps, keys.slice(0, 6));
    const before = new Map(s.getMetrics().requestsPerNode);
    await pool(keys, 100, async (k) => {
      const rs = await s.executePrepared(ps, [k]);
      assert.equal(rs.singleRow().get("v"), k + 3);
    });
    const sent = sentSince(s, before);
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, KEYS, `attempts: ${sorted(sent)}`);
    for (const hp of clusterHosts()) {
      const n = sent.get(hp) ?? 0;
      assert.ok(
        n >= KEYS / 3 * 0.9 && n <= KEYS / 3 * 1.1,
        `${hp} got ${n} of ${KEYS}: ${sorted(sent)}`,
      );
    }
  });

  it("RF 3: LWTs go to the primary replica", async () => {
    const ring = ringOf(s.getClusterData());
    const lwtKeys = keys.slice(0, 150);
    const expected = new Map<string, number>();
    for (const k of lwtKeys) {
      // Same partitioner in both keyspaces: the RF 1 table's server tokens hold for RF 3.
      const [primary] = simpleReplicas(ring, tokenOf.get(k)!, 3);
      expected.set(primary, (expected.get(primary) ?? 0) + 1);
    }
    const ps = await s.prepare(`UPDATE ${KS3}.t SET v = ? WHERE pk = ? IF v = ?`);
    // Keys outside lwtKeys, whose primaries cover the three nodes.
    await warmUp(s, ps, keys.slice(-30), (k) => [k + 30, k, k + 3]);
    const before = new Map(s.getMetrics().requestsPerNode);
    await pool(lwtKeys, 10, async (k) => {
      const rs = await s.executePrepared(ps, [k + 30, k, k + 3]);
      assert.equal(rs.singleRow().get("[applied]"), true, `LWT on key ${k}`);
    });
    assert.deepEqual(sorted(sentSince(s, before)), sorted(expected));
  });
});
