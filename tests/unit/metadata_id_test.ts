/**
 * ScyllaDB's `SCYLLA_USE_METADATA_ID` (result metadata ids on protocol v4):
 * the wire layout, and end to end against a SIMULATED ScyllaDB node
 * (`tests/sim/scylla_node.ts`, not ScyllaDB) that offers the key, puts the id
 * in PREPARED, reads it from EXECUTE and answers a stale one with
 * `Metadata_changed` after `ALTER TABLE … ADD`.
 * @module
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Session, SessionBuilder } from "../../mod.ts";
import { Reader, Writer } from "../../src/wire/bytes.ts";
import { appendExecute } from "../../src/wire/requests/query.ts";
import { decodeResult } from "../../src/wire/responses/result.ts";
import { negotiateExtensions } from "../../src/pool/extensions.ts";
import { type SimulatedNodeOptions, SimulatedScyllaNode } from "../sim/scylla_node.ts";
import { metadataIdOf } from "../sim/statements.ts";

const SELECT_ALL = "SELECT * FROM ks.t WHERE k = ?";
const KEY = "SCYLLA_USE_METADATA_ID";

async function withNode(
  opts: Partial<SimulatedNodeOptions>,
  body: (sim: SimulatedScyllaNode, session: Session) => Promise<void>,
): Promise<void> {
  const sim = await SimulatedScyllaNode.start({ nrShards: 1, ...opts });
  let session: Session | undefined;
  try {
    session = await new SessionBuilder().knownNode(`127.0.0.1:${sim.port}`).poolSize(1).build();
    await body(sim, session);
  } finally {
    await session?.close();
    await sim.close();
  }
}

describe("SCYLLA_USE_METADATA_ID on the wire", () => {
  it("is asked for on v4 when offered, never on v5 (which has ids of its own)", () => {
    const offered = new Map([[KEY, [""]]]);
    assert.deepEqual(negotiateExtensions(offered, 4).startup, { [KEY]: "" });
    assert.equal(negotiateExtensions(offered, 4).metadataId, true);
    assert.deepEqual(negotiateExtensions(offered, 5).startup, {});
    assert.equal(negotiateExtensions(offered, 5).metadataId, true);
    assert.equal(negotiateExtensions(new Map(), 4).metadataId, false);
  });

  it("a v4 EXECUTE carries the id after the statement id only when negotiated", () => {
    const id = new Uint8Array([0xaa, 0xbb]);
    const rid = new Uint8Array([1, 2, 3]);
    const body = (metadataId: boolean) => {
      const w = new Writer(64);
      appendExecute(w, id, {
        consistency: 1,
        pageSize: 0,
        protocolVersion: 4,
        metadataId,
        resultMetadataId: rid,
      });
      return [...w.toBytes().subarray(9)];
    };
    assert.deepEqual(body(true), [
      0x00,
      0x02,
      0xaa,
      0xbb, // [short bytes] statement id
      0x00,
      0x03,
      1,
      2,
      3, // [short bytes] result_metadata_id
      0x00,
      0x01, // consistency ONE
      0x00, // [byte] flags (v4)
    ]);
    assert.deepEqual(body(false), [0x00, 0x02, 0xaa, 0xbb, 0x00, 0x01, 0x00]);
  });

  it("a v4 Prepared result is read with the id when negotiated", () => {
    const w = new Writer(64).writeInt(4).writeShortBytes(new Uint8Array([9, 9]));
    w.writeShortBytes(new Uint8Array([7, 7, 7])); // result_metadata_id
    w.writeInt(0).writeInt(0).writeInt(0); // bind metadata: no markers, no key
    w.writeInt(0x0004).writeInt(0); // result metadata: No_metadata, 0 columns
    const r = decodeResult(new Reader(w.toBytes()), undefined, undefined, 4, true);
    assert.equal(r.kind, "prepared");
    if (r.kind === "prepared") assert.deepEqual([...r.resultMetadataId!], [7, 7, 7]);
  });
});

describe("SCYLLA_USE_METADATA_ID against a SIMULATED ScyllaDB node (not ScyllaDB)", () => {
  it("a prepared SELECT * sees a column added by ALTER TABLE, through Metadata_changed", async () => {
    await withNode({}, async (sim, session) => {
      assert.ok(session.getClusterData().nodes[0].extensions.includes(KEY));
      assert.ok(sim.connections.filter((c) => c.ready).every((c) => c.startup.has(KEY)));
      const ps = await session.prepare(SELECT_ALL);
      const before = (await session.executePrepared(ps, [1])).singleRow().asObject();
      assert.deepEqual(before, { k: 1, v: 1 });
      let last = sim.executes.at(-1)!;
      assert.deepEqual(last.metadataId, metadataIdOf(["k", "v"]));
      assert.equal(last.metadataChanged, false);
      // With an id, the driver asks the node to leave the columns out, and it did.
      assert.equal(last.skipMetadata, true);
      assert.equal(last.metadataSkipped, true);

      await session.execute("ALTER TABLE ks.t ADD w int");
      const mark = sim.executes.length;
      const after = (await session.executePrepared(ps, [2])).singleRow().asObject();
      assert.deepEqual(after, { k: 2, v: 2, w: null });
      // The ALTER dropped the statement: UNPREPARED, re-prepare, then the old id is stale.
      const changed = sim.executes.slice(mark);
      assert.equal(changed.length, 1);
      assert.deepEqual(changed[0].metadataId, metadataIdOf(["k", "v"]));
      assert.equal(changed[0].metadataChanged, true);
      assert.equal(changed[0].metadataSkipped, false, "new columns come with Metadata_changed");

      // The driver keeps the new id: the next EXECUTE carries it and nothing changed.
      const again = (await session.executePrepared(ps, [3])).singleRow().asObject();
      assert.deepEqual(again, { k: 3, v: 3, w: null });
      last = sim.executes.at(-1)!;
      assert.deepEqual(last.metadataId, metadataIdOf(["k", "v", "w"]));
      assert.equal(last.metadataChanged, false);
      // Answered without metadata, and read with the three columns the driver now holds.
      assert.equal(last.metadataSkipped, true);
      assert.deepEqual(ps.resultColSpecs().map((c) => c.name), ["k", "v", "w"]);
    });
  });

  it("a statement without result columns never asks to skip them", async () => {
    await withNode({}, async (sim, session) => {
      const ins = await session.prepare("INSERT INTO ks.t (k, v) VALUES (?, ?)");
      await session.executePrepared(ins, [1, 1]);
      const last = sim.executes.at(-1)!;
      assert.notEqual(last.metadataId, null);
      assert.equal(last.skipMetadata, false);
    });
  });

  it("without the key the driver sends no id and still reads full metadata", async () => {
    await withNode({ useMetadataId: false }, async (sim, session) => {
      assert.ok(!session.getClusterData().nodes[0].extensions.includes(KEY));
      assert.ok(sim.connections.every((c) => !c.startup.has(KEY)));
      const ps = await session.prepare(SELECT_ALL);
      assert.deepEqual((await session.executePrepared(ps, [1])).singleRow().asObject(), {
        k: 1,
        v: 1,
      });
      await session.execute("ALTER TABLE ks.t ADD w int");
      const after = (await session.executePrepared(ps, [2])).singleRow().asObject();
      assert.deepEqual(after, { k: 2, v: 2, w: null });
      assert.ok(sim.executes.every((r) => r.metadataId === null && !r.metadataChanged));
      // No id, no word of a change: the driver never asks to skip the columns (v4 as Cassandra).
      assert.ok(sim.executes.length >= 2 && sim.executes.every((r) => !r.skipMetadata));
    });
  });
});
