/**
 * ScyllaDB's `CLIENT_ROUTES_CHANGE` event: its body, which servers the
 * control connection registers for it on, and the refresh it triggers,
 * against a SIMULATED ScyllaDB cluster (`tests/sim/`, not ScyllaDB).
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Session, SessionBuilder } from "../../mod.ts";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import { decodeEvent } from "../../src/wire/responses/event.ts";
import { eventually, SimulatedScyllaNode } from "../sim/scylla_node.ts";
import { SimulatedScyllaCluster } from "../sim/scylla_cluster.ts";

const BASE = ["TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"];

async function registered(sim: SimulatedScyllaNode): Promise<string[]> {
  const session = await new SessionBuilder().knownNode(`127.0.0.1:${sim.port}`).build();
  try {
    return sim.connections.find((c) => c.control)!.events;
  } finally {
    await session.close();
  }
}

describe("CLIENT_ROUTES_CHANGE", () => {
  it("decodes as server.cc writes it: change, connection ids, host ids", () => {
    const body = new Writer(128).writeString("CLIENT_ROUTES_CHANGE").writeString("UPDATE_NODES")
      .writeStringList(["c1", "c2"]).writeStringList(["h1", "h2"]).toBytes();
    assert.deepEqual(decodeEvent(new Reader(body)), {
      type: "CLIENT_ROUTES_CHANGE",
      change: "UPDATE_NODES",
      connectionIds: ["c1", "c2"],
      hostIds: ["h1", "h2"],
    });
  });

  it("is registered for only where the server knows it (SIMULATED nodes)", async () => {
    const scylla = await SimulatedScyllaNode.start({ nrShards: 1 });
    const older = await SimulatedScyllaNode.start({ nrShards: 1, clientRoutes: false });
    const cassandra = await SimulatedScyllaNode.start({ nrShards: 1, cassandra: true });
    try {
      assert.deepEqual(await registered(scylla), [...BASE, "CLIENT_ROUTES_CHANGE"]);
      // A ScyllaDB without system.client_routes, and Cassandra, would refuse the REGISTER.
      assert.deepEqual(await registered(older), BASE);
      assert.deepEqual(await registered(cassandra), BASE);
    } finally {
      await Promise.all([scylla.close(), older.close(), cassandra.close()]);
    }
  });

  it("re-reads the named node's address and sends to it there (SIMULATED cluster)", async () => {
    const sim = await SimulatedScyllaCluster.start({
      addresses: ["127.0.0.81", "127.0.0.82"],
      nrShards: 1,
    });
    let session: Session | undefined;
    try {
      session = await new SessionBuilder().knownNode(sim.contactPoints()[0]).build();
      const s = session;
      const moved = sim.nodes[1].info.hostId;
      const addressOf = () => s.getClusterData().nodes.find((n) => n.hostId === moved)?.address;
      assert.equal(addressOf(), "127.0.0.82");

      const node = await sim.moveNode(moved, "127.0.0.83");
      // Nothing but the event tells the driver: the node is merely unreachable at first.
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(addressOf(), "127.0.0.82");
      assert.equal(sim.routesChanged([moved]), 1, "the control connection got the event");
      await eventually(() => addressOf() === "127.0.0.83", "the driver re-read the address");

      // Keys the moved node owns now reach it at its new address.
      const ps = await s.prepare("INSERT INTO ks.t (k, v) VALUES (?, ?)");
      await eventually(() => s.getClusterData().nodes.every((n) => n.up), "both nodes up");
      for (let k = 0; k < 200; k++) await s.executePrepared(ps, [k, k]);
      assert.ok(node.executes.length > 0, "the node at the new address served requests");
      assert.ok(node.executes.every((r) => r.onReplica), "each on the key's replica");
    } finally {
      await session?.close();
      await sim.close();
    }
  });
});
