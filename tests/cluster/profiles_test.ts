// Execution profiles on the 3-node cluster (dc1: c1 r1, c2 r2; dc2: c3 r1), observed by the
// server: with RF 3 and one node down, an ALL read under one profile fails with
// UnavailableError and a QUORUM read under the other succeeds; system_traces shows the
// consistency each request carried. The node is restarted afterwards.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { FallthroughRetryPolicy, Query, type Session, UnavailableError } from "../../mod.ts";
import {
  clusterBuilder,
  connectCluster,
  db,
  dropKeyspace,
  eventually,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("cprof");
const VICTIM = "c3";
const VICTIM_ADDRESS = "127.0.0.3";

async function tracedConsistency(s: Session, id: string): Promise<string> {
  let level = "";
  await eventually(
    `trace ${id}`,
    async () => {
      const row = (await s.query(
        new Query(`SELECT parameters FROM system_traces.sessions WHERE session_id = ${id}`)
          .withConsistency("ONE"),
      )).firstRow();
      level = (row?.get("parameters") as Map<string, string> | null)?.get("consistency_level") ??
        "";
      return level !== "";
    },
    10_000,
    100,
  );
  return level;
}

describe("execution profiles on the cluster", () => {
  let s: Session;
  let killed = false;

  before(async () => {
    s = await connectCluster(
      clusterBuilder().localDatacenter("dc1")
        // Without retries the caller sees the coordinator's UnavailableError itself (the
        // default policy would try every node first and report them all).
        .executionProfile("all", {
          consistency: "ALL",
          requestTimeout: 15_000,
          retryPolicy: new FallthroughRetryPolicy(),
        })
        .executionProfile("quorum", { consistency: "QUORUM", requestTimeout: 5_000 }),
    );
    await s.execute(
      `CREATE KEYSPACE ${KS} WITH replication = ` +
        `{'class': 'NetworkTopologyStrategy', 'dc1': 2, 'dc2': 1}`,
    );
    await s.execute(`CREATE TABLE ${KS}.t (k int PRIMARY KEY, v int)`);
    await s.awaitSchemaAgreement();
    for (let k = 0; k < 10; k++) {
      await s.execute(`INSERT INTO ${KS}.t (k, v) VALUES (${k}, ${k})`, undefined, {
        profile: "all",
      });
    }
  });

  after(async () => {
    if (killed) {
      const r = await db(["node-start", VICTIM]);
      assert.equal(r.code, 0, r.output);
      await eventually(
        `${VICTIM} up again`,
        () =>
          Promise.resolve(
            s.getClusterData().nodes.some((n) => n.address === VICTIM_ADDRESS && n.up),
          ),
        120_000,
        500,
      ).catch(() => {});
      // The driver reconnects as soon as the port answers; the other nodes' gossip marks the node
      // alive later. Later tests need every node to see it: reads at ALL (every node a replica)
      // through each coordinator must succeed.
      await eventually(
        `every node to see ${VICTIM} alive`,
        async () => {
          for (let i = 0; i < 6; i++) {
            await s.execute(`SELECT v FROM ${KS}.t WHERE k = 1`, undefined, { profile: "all" });
          }
          return true;
        },
        120_000,
        1000,
      ).catch(() => {});
    }
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("both profiles read while every node is up; the server records each consistency", async () => {
    const q = new Query(`SELECT v FROM ${KS}.t WHERE k = 1`).withTracing(true);
    const all = await s.query(q.withExecutionProfile("all"));
    const quorum = await s.query(q, undefined, { profile: "quorum" });
    assert.equal(await tracedConsistency(s, all.tracingId()!), "ALL");
    assert.equal(await tracedConsistency(s, quorum.tracingId()!), "QUORUM");
  });

  it(`with ${VICTIM} down: ALL fails with UnavailableError, QUORUM succeeds`, async () => {
    const r = await db(["node-kill", VICTIM]);
    assert.equal(r.code, 0, r.output);
    killed = true;
    // The coordinators must see the node down (gossip) before they refuse ALL.
    const q = new Query(`SELECT v FROM ${KS}.t WHERE k = 2`);
    let unavailable: UnavailableError | undefined;
    await eventually(
      "ALL to be refused as unavailable",
      async () => {
        try {
          await s.query(q, undefined, { profile: "all" });
          return false;
        } catch (e) {
          if (e instanceof UnavailableError) unavailable = e;
          return e instanceof UnavailableError;
        }
      },
      60_000,
      500,
    );
    assert.equal(unavailable!.consistency, "ALL");
    assert.equal(unavailable!.required, 3);
    assert.equal(unavailable!.alive, 2);
    const ok = await s.query(q.withTracing(true), undefined, { profile: "quorum" });
    assert.equal(ok.firstRow()?.get("v"), 2);
    assert.equal(await tracedConsistency(s, ok.tracingId()!), "QUORUM");
    const m = s.getMetrics();
    assert.ok((m.errors.UnavailableError ?? 0) >= 1);
  });
});
