/**
 * Shard-aware routing end to end, against a SIMULATED ScyllaDB node
 * (`tests/sim/scylla_node.ts`, not ScyllaDB): a Session prepares an INSERT and
 * executes it for many keys; the simulation records, per EXECUTE, the shard of
 * the connection it arrived on and the shard owning the key's token.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ExponentialReconnectPolicy, type Session, SessionBuilder } from "../../mod.ts";
import { SHARD_AWARE_PORT_END, SHARD_AWARE_PORT_MIN } from "../../src/routing/sharding.ts";
import { type SimulatedNodeOptions, SimulatedScyllaNode } from "../sim/scylla_node.ts";

const INSERT = "INSERT INTO ks.t (k, v) VALUES (?, ?)";

async function withNode(
  opts: SimulatedNodeOptions,
  poolSize: number,
  body: (sim: SimulatedScyllaNode, session: Session) => Promise<void>,
): Promise<void> {
  const sim = await SimulatedScyllaNode.start(opts);
  let session: Session | undefined;
  try {
    session = await new SessionBuilder()
      .knownNode(`127.0.0.1:${sim.port}`)
      .poolSize(poolSize)
      .reconnectPolicy(new ExponentialReconnectPolicy({ baseMs: 10, maxMs: 40 }))
      .build();
    await body(sim, session);
  } finally {
    await session?.close();
    await sim.close();
  }
}

/** Executes the INSERT for keys `from..from+count-1`, 100 at a time. */
async function insertKeys(session: Session, from: number, count: number): Promise<void> {
  const ps = await session.prepare(INSERT);
  for (let k = from; k < from + count; k += 100) {
    const batch = [];
    for (let j = k; j < Math.min(from + count, k + 100); j++) {
      batch.push(session.executePrepared(ps, [j, j]));
    }
    await Promise.all(batch);
  }
}

/** Every EXECUTE from index `since` arrived on the shard owning its token. */
function assertAllOnOwner(sim: SimulatedScyllaNode, since: number, expected: number): void {
  const recs = sim.executes.slice(since);
  assert.equal(recs.length, expected);
  const wrong = recs.filter((r) => r.connection.shard !== r.ownerShard);
  assert.equal(wrong.length, 0, `${wrong.length} requests on a non-owning shard`);
  const owners = new Set(recs.map((r) => r.ownerShard));
  assert.equal(owners.size, sim.nrShards, "the keys cover every shard");
}

describe("shard-aware routing against a SIMULATED ScyllaDB node (not ScyllaDB)", () => {
  for (const [nrShards, poolSize] of [[4, 1], [7, 2]]) {
    it(`simulated ${nrShards} shards, shard-aware port, poolSize ${poolSize}: 1000 keys all on their shard`, async () => {
      await withNode({ nrShards }, poolSize, async (sim, session) => {
        assert.deepEqual(sim.poolCountsByShard(), new Array(nrShards).fill(poolSize));
        const pool = sim.poolConnections();
        // One probe goes to the normal port to learn the layout; the rest choose their shard.
        assert.equal(pool.filter((c) => c.via === "normal").length, 1);
        for (const c of pool.filter((c) => c.via === "shard-aware")) {
          assert.equal(c.remotePort % nrShards, c.shard);
          assert.ok(c.remotePort >= SHARD_AWARE_PORT_MIN && c.remotePort < SHARD_AWARE_PORT_END);
        }
        await insertKeys(session, 0, 1000);
        assertAllOnOwner(sim, 0, 1000);
      });
    });
  }

  it("simulated 7 shards, no shard-aware port: the normal port still covers every shard", async () => {
    await withNode({ nrShards: 7, shardAwarePort: false }, 1, async (sim, session) => {
      assert.deepEqual(sim.poolCountsByShard(), new Array(7).fill(1));
      assert.ok(sim.connections.every((c) => c.via === "normal"));
      await insertKeys(session, 0, 1000);
      assertAllOnOwner(sim, 0, 1000);
    });
  });

  it("simulated 4 shards, no shard-aware port, random shard per connection: covered, excess closed", async () => {
    await withNode(
      { nrShards: 4, shardAwarePort: false, normalPortShards: "random" },
      1,
      async (sim, session) => {
        // Strays may need a second round (after a backoff) and are closed once it settles.
        await sim.until(
          () => sim.poolCountsByShard().every((n) => n === 1),
          "exactly one pool connection per shard",
        );
        await insertKeys(session, 0, 1000);
        assertAllOnOwner(sim, 0, 1000);
      },
    );
  });

  it("simulated node kills a shard's connection: the pool reopens it on that shard", async () => {
    await withNode({ nrShards: 4 }, 1, async (sim, session) => {
      await insertKeys(session, 0, 200);
      const victim = sim.poolConnections().find((c) => c.shard === 2)!;
      sim.kill(victim);
      await sim.until(
        () => sim.poolConnections().some((c) => c.shard === 2 && c.id > victim.id),
        "a new connection on shard 2",
      );
      const replacement = sim.poolConnections().find((c) => c.shard === 2)!;
      assert.equal(replacement.via, "shard-aware");
      assert.equal(replacement.remotePort % 4, 2);
      // The node answered the handshake; the driver files the connection a moment
      // later. Until then shard-2 keys go to another shard, and still succeed.
      const ps = await session.prepare(INSERT);
      const key2 = sim.executes.find((r) => r.ownerShard === 2)!.key;
      const deadline = performance.now() + 5000;
      while (sim.executes.at(-1)?.connection !== replacement) {
        assert.ok(performance.now() < deadline, "shard-2 keys never reached the new connection");
        await session.executePrepared(ps, [key2, 0]);
      }
      const since = sim.executes.length;
      await insertKeys(session, 1000, 400);
      assertAllOnOwner(sim, since, 400);
      assert.ok(sim.executes.slice(since).some((r) => r.connection === replacement));
    });
  });

  it("simulated firewall refusing the shard-aware port: the normal port covers every shard", async () => {
    await withNode({ nrShards: 4, shardAwarePortClosed: true }, 1, async (sim, session) => {
      await sim.until(
        () => sim.poolCountsByShard().every((n) => n === 1),
        "one pool connection per shard through the normal port",
      );
      assert.ok(sim.connections.every((c) => c.via === "normal"));
      await insertKeys(session, 0, 1000);
      assertAllOnOwner(sim, 0, 1000);
    });
  });

  it("simulated NAT rewriting source ports: the pool stops using the shard-aware port", async () => {
    await withNode({ nrShards: 4, natRewritesSourcePorts: true }, 1, async (sim, session) => {
      await sim.until(
        () => sim.poolCountsByShard().every((n) => n === 1),
        "one pool connection per shard despite the NAT",
      );
      await insertKeys(session, 0, 1000);
      assertAllOnOwner(sim, 0, 1000);
    });
  });
});
