/**
 * Tablets routing of the driver, end to end, against a SIMULATED ScyllaDB cluster (not
 * ScyllaDB; `tests/sim/`): three nodes with 4, 3 and 5 shards and a tablets keyspace whose
 * tablet map is unrelated to the token ring, so only the servers' routing payloads can teach
 * the driver where a partition lives. The simulation sends them by ScyllaDB's own rules
 * (`check_locality`, `check_tablet_version`) and records where each request landed.
 *
 * Deno: `deno test -A tests/unit/tablets_session_test.ts`; Bun: `bun test tests/unit/tablets_session_test.ts`.
 * @module
 */

import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Session, SessionBuilder } from "../../mod.ts";
import { murmur3Token } from "../../src/routing/murmur3.ts";
import { SimulatedScyllaCluster } from "../sim/scylla_cluster.ts";
import { intKey } from "../sim/scylla_node.ts";

const INSERT = "INSERT INTO tks.t (k, v) VALUES (?, ?)";

for (const v2 of [false, true]) {
  describe(`tablets routing ${v2 ? "v2" : "v1"} (SIMULATED ScyllaDB cluster, not ScyllaDB)`, () => {
    let sim: SimulatedScyllaCluster;
    let session: Session;

    after(async () => {
      await session?.close();
      await sim?.close();
    });

    it("negotiates tablets routing and learns the tablets from the payloads", async () => {
      sim = await SimulatedScyllaCluster.start({
        addresses: v2 ? ["127.0.0.71", "127.0.0.72", "127.0.0.73"] : undefined,
        nrShards: [4, 3, 5],
        tabletKeyspaces: [{ name: "tks", rf: 2, count: 64, layout: "random" }],
        tabletsV2: v2,
      });
      session = await new SessionBuilder().knownNodes(sim.contactPoints()).build();
      const extensions = session.getClusterData().nodes.flatMap((n) => n.extensions);
      assert.ok(
        extensions.includes(v2 ? "TABLETS_ROUTING_V2_EXPERIMENTAL" : "TABLETS_ROUTING_V1"),
        extensions.join(", "),
      );
      assert.ok(
        !extensions.includes(v2 ? "TABLETS_ROUTING_V1" : "TABLETS_ROUTING_V2_EXPERIMENTAL"),
      );
    });

    it("after warm-up, ≥ 99 % of requests land on a tablet replica's node and shard", async () => {
      const ps = await session.prepare(INSERT);
      for (let k = 0; k < 2000; k++) await session.executePrepared(ps, [k, 1]);
      const mark = sim.mark();
      for (let k = 0; k < 2000; k++) await session.executePrepared(ps, [k, 2]);
      const share = sim.share(mark, "tks");
      console.log(`tablets ${v2 ? "v2" : "v1"} after warm-up:`, JSON.stringify(share));
      assert.equal(share.requests, 2000);
      assert.ok(share.onReplicaShard / share.requests >= 0.99, JSON.stringify(share));
      const known = session.getClusterData().tablets.find((t) => t.table === "t");
      assert.ok(known !== undefined && known.count > 0 && known.count <= 64);
    });

    it("a moved tablet is corrected after at most one misrouted request", async () => {
      const ps = await session.prepare(INSERT);
      await session.executePrepared(ps, [7, 1]);
      sim.moveTablet("tks", murmur3Token(intKey(7)));
      const mark = sim.mark();
      for (let i = 0; i < 10; i++) await session.executePrepared(ps, [7, i]);
      const share = sim.share(mark, "tks");
      assert.equal(share.requests, 10);
      assert.ok(share.withPayload <= 1, JSON.stringify(share));
      assert.ok(share.onReplicaShard >= 9, JSON.stringify(share));
    });
  });
}
