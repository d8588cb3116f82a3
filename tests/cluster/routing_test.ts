// Token-aware routing on the real 3-node, two-DC cluster (dc1 = 127.0.0.1 rack r1 and 127.0.0.2
// rack r2, dc2 = 127.0.0.3 rack r1; 16 vnodes each). Judged by the SERVER, not by the driver's
// ring: each node's tokens come from its own system.local over a raw connection
// (tests/cluster/server_ring.ts), a key's token from the server's token(pk), its replicas from
// Cassandra's placement rules over those tokens and, for a sample, from the nodes that executed a
// read at ALL traced by the server; the coordinator of a traced driver request
// (system_traces.sessions) must be one of them. The driver's per-node request counters check
// every key. NetworkTopologyStrategy keyspaces: {dc1: 1, dc2: 1} (one replica per DC: requests
// must go to the one in the local DC), {dc1: 2, dc2: 1} (spread over the two local replicas,
// LWTs to the primary), and SimpleStrategy RF 1 (the owner may be in dc2: DC-local routing keeps
// requests in dc1 anyway).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Consistency, type PreparedStatement, Query, type Session } from "../../mod.ts";
import {
  clusterBuilder,
  clusterHosts,
  connectCluster,
  dropKeyspace,
  eventually,
  nodeKey,
  onEveryNode,
  sentSince,
  uniqueKeyspace,
} from "./helpers.ts";
import {
  place,
  type ServerNode,
  serverNodes,
  serverReplicas,
  serverRing,
  withProbe,
} from "./server_ring.ts";

const KS11 = uniqueKeyspace("route11");
const KS21 = `${KS11}_nts21`;
const KS1 = `${KS11}_simple1`;
const KEYS = 3000;
const DC1 = ["127.0.0.1:9042", "127.0.0.2:9042"];
const DC2 = ["127.0.0.3:9042"];

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

describe("routing on the 3-node, two-DC cluster, judged by the server", () => {
  let s: Session;
  let ring: { token: bigint; node: ServerNode }[];
  let nodes: ServerNode[];
  /** Server-computed token of every key. */
  const tokenOf = new Map<number, bigint>();
  const keys = Array.from({ length: KEYS }, (_, i) => i * 7919 - 10_000_000);

  before(async () => {
    s = await connectCluster();
    nodes = await serverNodes(clusterHosts());
    ring = serverRing(nodes);
    const nts = (rf: string) => `{'class': 'NetworkTopologyStrategy', ${rf}}`;
    await s.execute(`CREATE KEYSPACE ${KS11} WITH replication = ${nts("'dc1': 1, 'dc2': 1")}`);
    await s.execute(`CREATE KEYSPACE ${KS21} WITH replication = ${nts("'dc1': 2, 'dc2': 1")}`);
    await s.execute(
      `CREATE KEYSPACE ${KS1} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    for (const ks of [KS11, KS21, KS1]) {
      await s.execute(`CREATE TABLE ${ks}.t (pk int PRIMARY KEY, v int)`);
      await onEveryNode(ks, "t");
    }
    // Written at ALL: every replica has every row before the reads, and LOCAL_QUORUM (the
    // default) cannot be met from dc1 for SimpleStrategy RF 1 keys owned by the dc2 node.
    const ins = await Promise.all(
      [KS11, KS21, KS1].map(async (ks) =>
        (await s.prepare(`INSERT INTO ${ks}.t (pk, v) VALUES (?, ?)`))
          .withConsistency(Consistency.ALL)
      ),
    );
    await pool(keys, 64, async (k) => {
      for (const ps of ins) await s.executePrepared(ps, [k, k + 1]);
    });
    const rs = await s.execute(`SELECT token(pk), pk FROM ${KS11}.t`);
    for (const row of rs) tokenOf.set(row.get(1) as number, row.get(0) as bigint);
    assert.equal(tokenOf.size, KEYS);
  });

  after(async () => {
    for (const ks of [KS11, KS21, KS1]) await dropKeyspace(s, ks);
    await s?.close();
  });

  it("the server reports the CI layout: 16 vnodes per node, dc1 = r1 + r2, dc2 = r1", () => {
    const byAddr = new Map(nodes.map((n) => [`${n.address}:9042`, n]));
    assert.deepEqual(
      [...byAddr].map(([a, n]) => `${a} ${n.datacenter}/${n.rack} ${n.tokens.length}`).sort(),
      [
        "127.0.0.1:9042 dc1/r1 16",
        "127.0.0.2:9042 dc1/r2 16",
        "127.0.0.3:9042 dc2/r1 16",
      ],
    );
    assert.equal(new Set(ring.map((r) => r.token)).size, 48, "no token owned twice");
  });

  it("getClusterData() agrees with the server: nodes, datacenters, racks, every token, a summary", () => {
    const data = s.getClusterData();
    assert.equal(data.nodes.length, 3);
    assert.deepEqual(data.nodes.map(nodeKey).sort(), [...clusterHosts()].sort());
    assert.equal(new Set(data.nodes.map((n) => n.hostId)).size, 3, "distinct host ids");
    for (const n of data.nodes) {
      const server = nodes.find((x) => x.address === n.address)!;
      assert.ok(server, `${n.address} is a server node`);
      assert.equal(n.datacenter, server.datacenter, `${n.address} datacenter`);
      assert.equal(n.rack, server.rack, `${n.address} rack`);
      assert.deepEqual(
        [...n.tokens].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String),
        server.tokens,
        `${n.address}: the driver's tokens are the node's own`,
      );
      assert.equal(n.up, true, `${n.address} up`);
      assert.equal(n.shardCount, null, "Cassandra has no shards");
      assert.match(String(n.releaseVersion), /^5\.0\./);
    }
    assert.deepEqual([...data.datacenters].sort(), ["dc1", "dc2"]);
    const ks = data.keyspaces.get(KS21);
    assert.ok(ks, `keyspace ${KS21} in the metadata`);
    assert.match(ks.replication.class, /NetworkTopologyStrategy$/);
    assert.equal(ks.replication.dc1, "2");
    assert.equal(ks.replication.dc2, "1");
    assert.deepEqual(ks.tables.get("t")?.partitionKey, ["pk"]);
    const text = String(data);
    assert.match(text, /^Cluster: 3 node\(s\)/);
    assert.match(text, /127\.0\.0\.2:9042 dc=dc1 rack=r2 up/);
    assert.match(text, /127\.0\.0\.3:9042 dc=dc2 rack=r1 up/);
    assert.ok(text.includes("table t (pk int, v int) PRIMARY KEY ((pk))"), text);
  });

  it("placement from the server's tokens matches the replicas the server uses (traced reads at ALL)", async () => {
    const sample = keys.filter((_, i) => i % 150 === 0); // 20 keys
    await withProbe(clusterHosts()[0], async (p) => {
      for (
        const [ks, rfs, rf] of [
          [KS11, { dc1: 1, dc2: 1 }, 2],
          [KS21, { dc1: 2, dc2: 1 }, 3],
          [KS1, { simple: 1 }, 1],
        ] as const
      ) {
        for (const k of sample) {
          const expected = place(ring, tokenOf.get(k)!, rfs).map((a) => a.split(":")[0]).sort();
          const got = await serverReplicas(p, ks, "t", k, rf);
          assert.deepEqual(got, expected, `${ks} key ${k}`);
        }
      }
    });
  });

  for (const via of ["all three contact points", "only 127.0.0.2 as contact point"]) {
    it(`NTS {dc1: 1, dc2: 1}: every prepared read goes to the key's dc1 replica (${via})`, async () => {
      const session = via.startsWith("all")
        ? s
        : await connectCluster(clusterBuilder([clusterHosts()[1]]));
      try {
        const expected = new Map<string, number>();
        for (const k of keys) {
          const [local] = place(ring, tokenOf.get(k)!, { dc1: 1, dc2: 1 })
            .filter((a) => DC1.includes(a));
          expected.set(local, (expected.get(local) ?? 0) + 1);
        }
        assert.equal(expected.size, 2, "the keys cover both dc1 nodes");
        const ps = (await session.prepare(`SELECT v FROM ${KS11}.t WHERE pk = ?`))
          .withConsistency(Consistency.LOCAL_ONE);
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

  it("NTS {dc1: 1, dc2: 1}, local datacenter dc2: every request goes to 127.0.0.3", async () => {
    const session = await connectCluster(clusterBuilder().localDatacenter("dc2"));
    try {
      const ps = (await session.prepare(`SELECT v FROM ${KS11}.t WHERE pk = ?`))
        .withConsistency(Consistency.LOCAL_ONE);
      await warmUp(session, ps, keys.slice(0, 3));
      const before = new Map(session.getMetrics().requestsPerNode);
      await pool(keys.slice(0, 600), 50, (k) => session.executePrepared(ps, [k]));
      assert.deepEqual(sorted(sentSince(session, before)), [[DC2[0], 600]]);
    } finally {
      await session.close();
    }
  });

  it("the coordinator in system_traces is the key's local replica, for a sample of traced requests", async () => {
    const ps = (await s.prepare(`SELECT v FROM ${KS11}.t WHERE pk = ?`))
      .withConsistency(Consistency.LOCAL_ONE)
      .withTracing(true);
    const sample = keys.filter((_, i) => i % 100 === 0); // 30 keys
    const traced: { key: number; id: string; replica: string }[] = [];
    for (const k of sample) {
      const rs = await s.executePrepared(ps, [k]);
      const id = rs.tracingId();
      assert.ok(id, `no tracing id for key ${k}`);
      const [replica] = place(ring, tokenOf.get(k)!, { dc1: 1, dc2: 1 })
        .filter((a) => DC1.includes(a));
      traced.push({ key: k, id, replica });
    }
    assert.equal(new Set(traced.map((t) => t.replica)).size, 2, "the sample covers dc1");
    // system_traces is SimpleStrategy RF 2: LOCAL_QUORUM (the default) cannot be met in dc1.
    const q = new Query(
      "SELECT coordinator, duration FROM system_traces.sessions WHERE session_id = ?",
    ).withConsistency(Consistency.ONE);
    for (const t of traced) {
      // Trace rows are written asynchronously; the session row is complete once duration is set.
      const coordinator = await eventually(`trace ${t.id} of key ${t.key}`, async () => {
        const row = (await s.query(q, [t.id])).firstRow();
        return row && row.get("duration") !== null ? String(row.get("coordinator")) : undefined;
      });
      assert.equal(`${coordinator}:9042`, t.replica, `coordinator of key ${t.key}`);
    }
  });

  it("NTS {dc1: 2, dc2: 1}: reads at LOCAL_ONE spread over the two dc1 replicas, none to dc2", async () => {
    const ps = (await s.prepare(`SELECT v FROM ${KS21}.t WHERE pk = ?`))
      .withConsistency(Consistency.LOCAL_ONE);
    await warmUp(s, ps, keys.slice(0, 6));
    const before = new Map(s.getMetrics().requestsPerNode);
    await pool(keys, 100, async (k) => {
      const rs = await s.executePrepared(ps, [k]);
      assert.equal(rs.singleRow().get("v"), k + 1);
    });
    const sent = sentSince(s, before);
    const total = [...sent.values()].reduce((a, b) => a + b, 0);
    assert.equal(total, KEYS, `attempts: ${sorted(sent)}`);
    assert.equal(sent.get(DC2[0]) ?? 0, 0, `nothing to dc2: ${sorted(sent)}`);
    for (const hp of DC1) {
      const n = sent.get(hp) ?? 0;
      assert.ok(n >= KEYS / 2 * 0.9 && n <= KEYS / 2 * 1.1, `${hp} got ${n}: ${sorted(sent)}`);
    }
  });

  it("SimpleStrategy RF 1: keys owned in dc1 go to their owner; dc2's keys stay in dc1", async () => {
    let ownedByDc2 = 0;
    const owned = new Map<string, number>();
    for (const k of keys) {
      const [owner] = place(ring, tokenOf.get(k)!, { simple: 1 });
      if (DC2.includes(owner)) ownedByDc2++;
      else owned.set(owner, (owned.get(owner) ?? 0) + 1);
    }
    assert.ok(ownedByDc2 > 0, "some keys are owned by the dc2 node");
    const ps = (await s.prepare(`SELECT v FROM ${KS1}.t WHERE pk = ?`))
      .withConsistency(Consistency.ONE);
    await warmUp(s, ps, keys.slice(0, 30));
    const before = new Map(s.getMetrics().requestsPerNode);
    await pool(keys, 100, async (k) => {
      const rs = await s.executePrepared(ps, [k]);
      assert.equal(rs.singleRow().get("v"), k + 1);
    });
    const sent = sentSince(s, before);
    assert.equal(sent.get(DC2[0]) ?? 0, 0, `DC-local: nothing to dc2: ${sorted(sent)}`);
    const total = DC1.reduce((a, hp) => a + (sent.get(hp) ?? 0), 0);
    assert.equal(total, KEYS, `attempts: ${sorted(sent)}`);
    for (const hp of DC1) {
      // Its own keys, plus a round-robin share of dc2's.
      const n = sent.get(hp) ?? 0;
      const own = owned.get(hp) ?? 0;
      assert.ok(n >= own && n <= own + ownedByDc2, `${hp}: ${n} sent, owns ${own}`);
    }
  });

  it("NTS {dc1: 2, dc2: 1}: LWTs go to the primary local replica (first dc1 node clockwise)", async () => {
    const lwtKeys = keys.slice(0, 150);
    const expected = new Map<string, number>();
    for (const k of lwtKeys) {
      const [primary] = place(ring, tokenOf.get(k)!, { dc1: 2, dc2: 1 })
        .filter((a) => DC1.includes(a));
      expected.set(primary, (expected.get(primary) ?? 0) + 1);
    }
    const ps = await s.prepare(`UPDATE ${KS21}.t SET v = ? WHERE pk = ? IF v = ?`);
    // Keys outside lwtKeys, whose primaries cover the dc1 nodes.
    await warmUp(s, ps, keys.slice(-30), (k) => [k + 30, k, k + 1]);
    const before = new Map(s.getMetrics().requestsPerNode);
    await pool(lwtKeys, 10, async (k) => {
      const rs = await s.executePrepared(ps, [k + 30, k, k + 1]);
      assert.equal(rs.singleRow().get("[applied]"), true, `LWT on key ${k}`);
    });
    assert.deepEqual(sorted(sentSince(s, before)), sorted(expected));
  });
});
