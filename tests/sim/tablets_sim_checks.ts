/**
 * Checks of the SIMULATED cluster's tablets (tests only; not ScyllaDB),
 * registered when imported (by `tests/unit/tablets_test.ts`): SUPPORTED and
 * STARTUP negotiation, when the `tablets-routing-v1`/`-v2` payload is
 * attached (ScyllaDB's `check_locality` / `check_tablet_version` rules), its
 * encoding read back by the driver's decoder, moving a tablet, and a toy
 * router on `TabletMap` that misroutes each tablet at most once.
 * @module
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeTabletPayload, TabletMap, tabletVersionBlock } from "../../src/routing/tablets.ts";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import { murmur3Token } from "../../src/routing/murmur3.ts";
import { SimulatedScyllaCluster } from "./scylla_cluster.ts";
import { RawClient } from "./raw_client.ts";
import { intKey } from "./scylla_node.ts";
import { answerQuery } from "./system_tables.ts";
import { pow2LastTokens, type SimTablet, tabletVersion } from "./tablets.ts";

const V1 = { TABLETS_ROUTING_V1: "" };
const V2 = { TABLETS_ROUTING_V2_EXPERIMENTAL: "" };
const INSERT = "INSERT INTO tks.t (k, v) VALUES (?, ?)";

/** One connection per shard of every node: `clients[node][shard]`. */
async function connectAll(sim: SimulatedScyllaCluster, opts: Record<string, string>) {
  const out: RawClient[][] = [];
  for (const node of sim.nodes) {
    const byShard: RawClient[] = [];
    // The normal port hands out shards round-robin.
    for (let i = 0; i < node.nrShards; i++) {
      const c = await RawClient.connect(node.info.address, node.port, opts);
      byShard[c.shard] = c;
    }
    out.push(byShard);
  }
  return out;
}

/** A key whose token falls in a tablet with replicas on fewer than all nodes. */
function keyInPartialTablet(sim: SimulatedScyllaCluster): { key: number; tablet: SimTablet } {
  for (let key = 0;; key++) {
    const tablet = sim.tablets("tks").tabletOf(murmur3Token(intKey(key)));
    if (tablet.replicas.length < sim.nodes.length) return { key, tablet };
  }
}

describe("simulated tablets cluster (SIMULATION, not ScyllaDB)", () => {
  let sim: SimulatedScyllaCluster;
  let v1: RawClient[][], v2: RawClient[][], none: RawClient[][];
  before(async () => {
    sim = await SimulatedScyllaCluster.start({
      addresses: ["127.0.0.71", "127.0.0.72", "127.0.0.73"],
      nrShards: [2, 3, 2],
      tabletKeyspaces: [{ name: "tks", rf: 2, count: 16, layout: "random" }],
      tabletsV2: true,
      seed: 3,
    });
    [v1, v2, none] = [
      await connectAll(sim, V1),
      await connectAll(sim, V2),
      await connectAll(sim, {}),
    ];
  });
  after(async () => {
    for (const c of [v1, v2, none].flat(2)) c.close();
    await sim.close();
  });

  it("advertises the host id and the tablets extensions, an empty value each", () => {
    const s = v1[1][0].supported;
    assert.deepEqual(s.get("SCYLLA_HOST_ID"), [sim.nodes[1].info.hostId]);
    assert.deepEqual(s.get("TABLETS_ROUTING_V1"), [""]);
    assert.deepEqual(s.get("TABLETS_ROUTING_V2_EXPERIMENTAL"), [""]);
    const local = answerQuery("SELECT * FROM system.local", sim.nodes[1].info, sim.topology);
    assert.equal(local.opcode, 0x08);
  });

  it("pow2 layout matches dht::last_token_of_compaction_group", () => {
    assert.deepEqual(pow2LastTokens(4), [-(2n ** 62n) - 1n, -1n, 2n ** 62n - 1n, 2n ** 63n - 1n]);
  });

  it("v1: no payload on a replica's shard; the tablet on a wrong shard or a non-replica", async () => {
    const { key, tablet } = keyInPartialTablet(sim);
    const replica = tablet.replicas[0];
    const r = sim.nodes.findIndex((n) => n.info.hostId === replica.hostId);
    const other = sim.nodes.findIndex((n) =>
      !tablet.replicas.some((x) => x.hostId === n.info.hostId)
    );
    const wrongShard = (replica.shard + 1) % sim.nodes[r].nrShards;
    const expectTablet = (payload: Map<string, Uint8Array | null> | null) => {
      const got = decodeTabletPayload(payload!.get("tablets-routing-v1")!, 1);
      assert.deepEqual(got, {
        firstToken: tablet.firstToken,
        lastToken: tablet.lastToken,
        replicas: tablet.replicas,
      });
    };
    const mark = sim.mark();
    const right = await v1[r][replica.shard].execute(await v1[r][replica.shard].prepare(INSERT), [
      key,
      1,
    ]);
    assert.equal(right.flags & 0x04, 0);
    const shard = await v1[r][wrongShard].execute(await v1[r][wrongShard].prepare(INSERT), [
      key,
      1,
    ]);
    expectTablet(shard.payload);
    const node = await v1[other][0].execute(await v1[other][0].prepare(INSERT), [key, 1]);
    expectTablet(node.payload);
    // Not negotiated: never a payload.
    const plain = await none[other][0].execute(await none[other][0].prepare(INSERT), [key, 1]);
    assert.equal(plain.payload, null);
    assert.deepEqual(sim.share(mark), {
      requests: 4,
      onReplica: 2,
      onReplicaShard: 1,
      withPayload: 2,
    });
  });

  it("v1: the first tablet starts at -2^63; vnode keyspaces never get a payload", async () => {
    const first = sim.tablets("tks").tablets[0];
    let key = 0;
    while (sim.tablets("tks").indexOf(murmur3Token(intKey(key))) !== 0) key++;
    const c =
      v1.find((_, i) => !first.replicas.some((r) => r.hostId === sim.nodes[i].info.hostId))![0];
    const res = await c.execute(await c.prepare(INSERT), [key, 1]);
    assert.equal(
      decodeTabletPayload(res.payload!.get("tablets-routing-v1")!, 1).firstToken,
      -(2n ** 63n),
    );
    const vnode = await c.execute(await c.prepare("INSERT INTO ks.t (k, v) VALUES (?, ?)"), [
      key,
      1,
    ]);
    assert.equal(vnode.payload, null);
  });

  it("v2: the block byte is required; a mismatch anywhere gets sorted replicas and the version", async () => {
    const { key, tablet } = keyInPartialTablet(sim);
    const r = sim.nodes.findIndex((n) => n.info.hostId === tablet.replicas[0].hostId);
    const c = v2[r][tablet.replicas[0].shard];
    const id = await c.prepare(INSERT);
    const missing = await c.execute(id, [key, 1]);
    assert.equal(missing.opcode, 0x00, "no block: protocol error");
    const version = tabletVersion(tablet.replicas);
    const wrong = tabletVersionBlock(version, 3) ^ 0x01;
    const res = await c.execute(id, [key, 1], wrong);
    const got = decodeTabletPayload(res.payload!.get("tablets-routing-v2")!, 2);
    assert.equal(got.version, version);
    const ids = got.replicas.map((x) => x.hostId);
    assert.deepEqual(ids, [...ids].sort(), "replicas sorted by host id");
    // A matching block gets nothing, even on a non-replica node.
    const other = sim.nodes.findIndex((n) =>
      !tablet.replicas.some((x) => x.hostId === n.info.hostId)
    );
    const o = v2[other][0];
    for (let b = 0; b < 16; b++) {
      const ok = await o.execute(await o.prepare(INSERT), [key, 1], tabletVersionBlock(version, b));
      assert.equal(ok.payload, null, `block ${b}`);
    }
    // LWT goes the CAS path, which only knows v1.
    const lwt = await o.execute(await o.prepare(`${INSERT} IF NOT EXISTS`), [key, 1], wrong);
    assert.equal(lwt.payload, null);
    const lwt1 = await v1[other][0].execute(await v1[other][0].prepare(`${INSERT} IF NOT EXISTS`), [
      key,
      1,
    ]);
    assert.ok(lwt1.payload?.has("tablets-routing-v1"));
  });

  it("a toy router on TabletMap misroutes each tablet at most once, and once more after a move", async () => {
    const map = new TabletMap();
    const ids = new Map<RawClient, Uint8Array>();
    const send = async (key: number) => {
      const token = murmur3Token(intKey(key));
      const t = map.lookup("tks", "t", token);
      // No tablet cached: anywhere will do, the answer says where it lives.
      const node = t ? sim.nodes.findIndex((n) => n.info.hostId === t.replicas[0].hostId) : 0;
      const c = v1[node][t ? t.replicas[0].shard : 0];
      if (!ids.has(c)) ids.set(c, await c.prepare(INSERT));
      const res = await c.execute(ids.get(c)!, [key, 1]);
      const p = res.payload?.get("tablets-routing-v1");
      if (p) map.insert("tks", "t", decodeTabletPayload(p, 1));
    };
    let mark = sim.mark();
    for (let k = 0; k < 400; k++) await send(k);
    const warm = sim.share(mark);
    assert.ok(warm.withPayload <= 16, `${warm.withPayload} payloads for 16 tablets`);
    mark = sim.mark();
    for (let k = 0; k < 400; k++) await send(k);
    assert.deepEqual(sim.share(mark), {
      requests: 400,
      onReplica: 400,
      onReplicaShard: 400,
      withPayload: 0,
    });

    const moved = sim.moveTablet("tks", murmur3Token(intKey(7)));
    mark = sim.mark();
    for (let i = 0; i < 5; i++) await send(7);
    const after = sim.share(mark);
    assert.ok(after.withPayload <= 1 && after.onReplicaShard >= 4, JSON.stringify(after));
    assert.deepEqual(map.lookup("tks", "t", murmur3Token(intKey(7)))?.replicas, moved.replicas);
  });

  it("system queries: exactly the selected columns, also PREPAREd and EXECUTEd (as the Rust driver reads metadata)", async () => {
    /** Column names and rows (cells as text) of a RESULT Rows with global table spec. */
    const rowsOf = (r: Reader) => {
      assert.equal(r.readInt(), 2);
      const flags = r.readInt();
      const n = r.readInt();
      assert.equal(flags & 0x0001, 1);
      const spec = [r.readString(), r.readString()];
      const names: string[] = [];
      const skipType = (): void => {
        const id = r.readShort();
        if (id === 0x20 || id === 0x22) skipType();
        if (id === 0x21) (skipType(), skipType());
      };
      for (let i = 0; i < n; i++) (names.push(r.readString()), skipType());
      const rows: (string | null)[][] = [];
      for (let k = r.readInt(); k > 0; k--) {
        const row: (string | null)[] = [];
        for (let i = 0; i < n; i++) {
          const b = r.readBytes();
          row.push(b && new TextDecoder().decode(b));
        }
        rows.push(row);
      }
      return { spec, names, rows };
    };
    const q = answerQuery(
      "SELECT host_id, rpc_address, data_center, rack, tokens, cluster_name FROM system.local WHERE key='local'",
      sim.nodes[0].info,
      sim.topology,
    );
    assert.deepEqual(rowsOf(new Reader(q.body)).names, [
      "host_id",
      "rpc_address",
      "data_center",
      "rack",
      "tokens",
      "cluster_name",
    ]);
    const bad = answerQuery("SELECT nope FROM system.local", sim.nodes[0].info, sim.topology);
    assert.equal(bad.opcode, 0x00);
    assert.equal(new Reader(bad.body).readInt(), 0x2200);

    const c = v1[0][0];
    const cql = "SELECT keyspace_name, initial_tablets FROM system_schema.scylla_keyspaces " +
      "WHERE keyspace_name IN ?";
    const id = await c.prepare(cql);
    const list = (names: string[]) => {
      const w = new Writer(64).writeInt(names.length);
      for (const n of names) w.writeBytes(new TextEncoder().encode(n));
      return w.toBytes();
    };
    const exec = (names: string[]) =>
      c.request(
        0x0a,
        new Writer(64).writeShortBytes(id).writeShort(0x0001).writeByte(0x01).writeShort(1)
          .writeBytes(list(names)).toBytes(),
      );
    const hit = await exec(["tks"]);
    assert.equal(hit.opcode, 0x08);
    const got = rowsOf(hit.body);
    assert.deepEqual(got.spec, ["system_schema", "scylla_keyspaces"]);
    assert.deepEqual(got.names, ["keyspace_name", "initial_tablets"]);
    assert.deepEqual(got.rows.map((r) => r[0]), ["tks"]);
    assert.equal(rowsOf((await exec(["other"])).body).rows.length, 0);
    const peers = await c.prepare(
      "SELECT host_id, rpc_address, data_center, rack, tokens FROM system.peers",
    );
    const p = await c.execute(peers, []);
    assert.equal(p.opcode, 0x08);
    assert.equal(rowsOf(p.body).rows.length, sim.nodes.length - 1);
  });
});
