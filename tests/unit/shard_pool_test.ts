/**
 * `HostPool` on its own against a SIMULATED ScyllaDB node
 * (`tests/sim/scylla_node.ts`, not ScyllaDB): per-shard filling, `pick(token)`,
 * a shard without a connection, reconnection, a node that is not sharded,
 * and source ports that cannot be bound.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { HostPool } from "../../src/pool/host_pool.ts";
import type { Connection, ConnectionOptions } from "../../src/pool/connection.ts";
import { openOnShard, SourcePorts } from "../../src/pool/shard_connect.ts";
import {
  ExponentialReconnectPolicy,
  type ReconnectPolicy,
} from "../../src/pool/reconnect_policy.ts";
import { murmur3Token, murmur3TokenHiLo } from "../../src/routing/murmur3.ts";
import { Writer } from "../../src/wire/bytes.ts";
import { encodeExecute, encodePrepare } from "../../src/wire/requests/query.ts";
import { decodeResult } from "../../src/wire/responses/result.ts";
import {
  eventually,
  intKey,
  ownerShard,
  type SimConnection,
  SimulatedScyllaNode,
} from "../sim/scylla_node.ts";

function connectionOptions(port: number): ConnectionOptions {
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
    maxInFlight: 128,
  };
}

/** A bigint token as the signed high and low 32-bit words `HostPool.pick` takes. */
const words = (t: bigint): [number, number] => [
  Number(BigInt.asIntN(32, t >> 32n)),
  Number(BigInt.asIntN(32, t)),
];

const FAST = new ExponentialReconnectPolicy({ baseMs: 5, maxMs: 20 });
const NEVER = new ExponentialReconnectPolicy({ baseMs: 600_000, maxMs: 600_000 });

/** A pool on a fresh simulated node; both are closed after `body`. */
async function withPool(
  sim: SimulatedScyllaNode,
  opts: { size?: number; reconnect?: ReconnectPolicy },
  body: (pool: HostPool, events: boolean[]) => Promise<void> | void,
): Promise<void> {
  const events: boolean[] = [];
  const pool = new HostPool({
    size: opts.size ?? 1,
    connection: connectionOptions(sim.port),
    reconnect: opts.reconnect ?? FAST,
    onStateChange: (up) => events.push(up),
  });
  try {
    await pool.fill();
    await body(pool, events);
  } finally {
    pool.close();
    await sim.close();
  }
}

/** The simulation's record of `c`: one EXECUTE through it says which shard served it. */
async function simShardOf(sim: SimulatedScyllaNode, c: Connection): Promise<SimConnection> {
  const w = new Writer(256);
  const prepared = await c.send(
    encodePrepare(w, "INSERT INTO ks.t (k, v) VALUES (?, ?)"),
    // The simulation offers SCYLLA_USE_METADATA_ID: PREPARED and EXECUTE carry the id then.
    (_op, b) => decodeResult(b.reader, undefined, undefined, b.version, b.metadataId),
    { timeoutMs: 2000 },
  );
  assert.equal(prepared.kind, "prepared");
  if (prepared.kind !== "prepared") throw new Error("unreachable");
  const params = {
    consistency: 1,
    pageSize: 0,
    bindColumns: prepared.bindColumns,
    values: [1, 1],
    metadataId: c.metadataId,
    resultMetadataId: prepared.resultMetadataId,
  };
  await c.send(encodeExecute(w, prepared.id, params), () => null, { timeoutMs: 2000 });
  return sim.executes.at(-1)!.connection;
}

describe("HostPool against a SIMULATED ScyllaDB node (not ScyllaDB)", () => {
  it("simulated 7 shards: size 2 per shard, each connection filed under the shard that serves it", async () => {
    const sim = await SimulatedScyllaNode.start({ nrShards: 7 });
    await withPool(sim, { size: 2 }, async (pool, events) => {
      assert.equal(pool.shardCount, 7);
      assert.equal(pool.size, 14);
      assert.deepEqual(events, [true]);
      const perShard = new Array(7).fill(0);
      for (const c of pool.connections()) {
        const shard = pool.connectionShard(c)!;
        perShard[shard]++;
        assert.equal((await simShardOf(sim, c)).shard, shard);
      }
      assert.deepEqual(perShard, new Array(7).fill(2));
    });
  });

  it("simulated 4 shards: pick(tokenHi, tokenLo) returns a connection of the owning shard", async () => {
    const sim = await SimulatedScyllaNode.start({ nrShards: 4 });
    await withPool(sim, {}, (pool) => {
      const hiLo = new Int32Array(2);
      for (let k = 0; k < 2000; k++) {
        const key = intKey(k * 7919);
        const want = ownerShard(murmur3Token(key), 4, 12);
        murmur3TokenHiLo(key, hiLo);
        assert.equal(pool.connectionShard(pool.pick(hiLo[0], hiLo[1])!), want);
      }
      assert.notEqual(pool.pick(), null, "no token: any connection");
    });
  });

  it("simulated shard connection lost: its tokens go to another shard until reconnectNow()", async () => {
    const sim = await SimulatedScyllaNode.start({ nrShards: 4 });
    await withPool(sim, { reconnect: NEVER }, async (pool, events) => {
      const token = [...Array(1000).keys()].map((k) => murmur3Token(intKey(k)))
        .find((t) => ownerShard(t, 4, 12) === 1)!;
      sim.kill(sim.poolConnections().find((c) => c.shard === 1)!);
      await eventually(() => pool.size === 3, "the pool noticing the lost connection");
      const fallback = pool.pick(...words(token));
      assert.notEqual(fallback, null);
      assert.notEqual(pool.connectionShard(fallback!), 1);
      assert.deepEqual(events, [true], "the node stays up while it has connections");
      pool.reconnectNow();
      await eventually(() => pool.size === 4, "shard 1 reconnected");
      assert.equal(pool.connectionShard(pool.pick(...words(token))!), 1);
      assert.equal(sim.poolConnections().filter((c) => c.shard === 1).length, 1);
    });
  });

  it("simulated node drops every connection: down once, then back up on every shard", async () => {
    const sim = await SimulatedScyllaNode.start({ nrShards: 4 });
    // 50 ms: the four closes all arrive before the first retry.
    await withPool(sim, { reconnect: { delayMs: () => 50 } }, async (pool, events) => {
      for (const c of sim.poolConnections()) sim.kill(c);
      await eventually(() => events.length >= 3 && pool.size === 4, "down, then up, refilled");
      assert.deepEqual(events, [true, false, true]);
      assert.deepEqual(pool.connections().map((c) => pool.connectionShard(c)).sort(), [0, 1, 2, 3]);
    });
  });

  it("simulated node without SCYLLA_* options (as Cassandra): size per node, no shards", async () => {
    const sim = await SimulatedScyllaNode.start({ nrShards: 4, cassandra: true });
    await withPool(sim, { size: 3 }, (pool) => {
      assert.equal(pool.shardCount, null);
      assert.equal(pool.size, 3);
      assert.equal(pool.connectionShard(pool.connections()[0]), null);
      assert.notEqual(pool.pick(0, 123), null);
      assert.ok(sim.connections.every((c) => c.via === "normal"));
    });
  });

  it("simulated shard-aware port: a source port that cannot be bound is skipped", async () => {
    const sim = await SimulatedScyllaNode.start({ nrShards: 4 });
    const first = new SourcePorts(4, () => 0).next(3)!;
    // Hold the first candidate; if something else already holds it, all the better.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => {
      blocker.once("error", () => resolve());
      blocker.listen(first, "127.0.0.1", () => resolve());
    });
    let c: Connection | undefined;
    try {
      c = await openOnShard(
        connectionOptions(sim.port),
        sim.shardAwarePort!,
        3,
        new SourcePorts(4, () => 0),
      );
      const seen = await simShardOf(sim, c);
      assert.equal(seen.shard, 3);
      assert.equal(seen.via, "shard-aware");
      assert.notEqual(seen.remotePort, first);
      assert.equal(seen.remotePort % 4, 3);
    } finally {
      c?.close();
      blocker.close();
      await sim.close();
    }
  });
});
