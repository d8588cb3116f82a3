// Rack-aware routing on the 3-node cluster (dc1: 127.0.0.1 rack r1, 127.0.0.2 rack r2;
// dc2: 127.0.0.3 rack r1), observed by the server: the coordinator system_traces records for
// each request follows localDatacenter + localRack, per execution profile too; counts printed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type PreparedStatement, Query, type Session } from "../../mod.ts";
import {
  clusterBuilder,
  connectCluster,
  dropKeyspace,
  eventually,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("rack");
const N = 30;

async function coordinator(s: Session, id: string): Promise<string> {
  let c = "";
  await eventually(
    `trace ${id}`,
    async () => {
      const row = (await s.query(
        new Query(`SELECT coordinator FROM system_traces.sessions WHERE session_id = ${id}`)
          .withConsistency("ONE"),
      )).firstRow();
      c = String(row?.get("coordinator") ?? "");
      return c !== "";
    },
    10_000,
    100,
  );
  return c;
}

describe("rack-aware routing on the cluster", () => {
  let s: Session;
  let ps: PreparedStatement;

  before(async () => {
    s = await connectCluster(
      clusterBuilder().localDatacenter("dc1").localRack("r2")
        .executionProfile("rack1", { localRack: "r1" })
        .executionProfile("dc2", { localDatacenter: "dc2", consistency: "LOCAL_ONE" }),
    );
    await s.execute(
      `CREATE KEYSPACE ${KS} WITH replication = ` +
        `{'class': 'NetworkTopologyStrategy', 'dc1': 2, 'dc2': 1}`,
    );
    await s.execute(`CREATE TABLE ${KS}.t (k int PRIMARY KEY, v int)`);
    await s.awaitSchemaAgreement();
    ps = await s.prepare(`SELECT v FROM ${KS}.t WHERE k = ?`);
  });
  after(async () => {
    await dropKeyspace(s, KS);
    await s?.close();
  });

  /** Traced coordinators of N prepared reads (every node is a replica) and N text reads. */
  async function coordinators(profile?: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (let k = 0; k < N; k++) {
      const opts = profile ? { profile } : undefined;
      const a = await s.executePrepared(ps.withTracing(true), [k], opts);
      const b = await s.query(
        new Query(`SELECT now() FROM system.local`).withTracing(true),
        undefined,
        opts,
      );
      for (const r of [a, b]) {
        const c = await coordinator(s, r.tracingId()!);
        counts.set(c, (counts.get(c) ?? 0) + 1);
      }
    }
    return counts;
  }

  it("localRack r2: every request is coordinated by 127.0.0.2", async () => {
    const c = await coordinators();
    console.log("coordinators with localRack r2:", Object.fromEntries(c));
    assert.deepEqual([...c.keys()], ["127.0.0.2"]);
  });

  it("profile rack1 (same DC, rack r1): 127.0.0.1", async () => {
    const c = await coordinators("rack1");
    console.log("coordinators with profile rack1:", Object.fromEntries(c));
    assert.deepEqual([...c.keys()], ["127.0.0.1"]);
  });

  it("profile dc2 (no rack): 127.0.0.3, the only node of dc2", async () => {
    const c = await coordinators("dc2");
    console.log("coordinators with profile dc2:", Object.fromEntries(c));
    assert.deepEqual([...c.keys()], ["127.0.0.3"]);
  });
});
