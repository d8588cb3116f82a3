// Frame compression against a real node: sessions negotiating lz4 and snappy run CRUD with
// large compressible values, paging and batches, and read the same data as an uncompressed one.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Batch, Query, type Session } from "../../mod.ts";
import { cqlHosts } from "./env.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  newBuilder,
  patternBytes,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("compress");

/** ~200 KiB of repetitive (compressible) text, different per seed. */
function bigText(seed: number): string {
  const line = `row ${seed}: the quick brown fox jumps over the lazy dog; `;
  return line.repeat(Math.ceil(200 * 1024 / line.length));
}

for (const kind of ["lz4", "snappy"] as const) {
  describe(`compression ${kind}`, () => {
    let plain: Session;
    let s: Session;
    /** The compressed session uses its own keyspace, so its connections can be found. */
    const ks = `${KS}_${kind}`;

    before(async () => {
      plain = await connect();
      await createKeyspace(plain, ks);
      await plain.execute(`CREATE TABLE ${ks}.docs (id int PRIMARY KEY, body text, raw blob)`);
      await plain.execute(`CREATE TABLE ${ks}.rows (pk int, ck int, v text, PRIMARY KEY (pk, ck))`);
      s = await connect(
        newBuilder().knownNodes(cqlHosts()).compression(kind).useKeyspace(ks, false),
      );
    });

    after(async () => {
      await s?.close();
      await dropKeyspace(plain, ks);
      await plain?.close();
    });

    it(`negotiates ${kind} with the node`, async () => {
      const rs = await plain.execute(
        "SELECT keyspace_name, client_options FROM system_views.clients",
      );
      const mine = rs.rows().filter((r) => r.get("keyspace_name") === ks);
      assert.ok(mine.length > 0, "no connection of the compressed session");
      for (const r of mine) {
        const opts = r.get("client_options") as Map<string, string>;
        assert.equal(opts.get("COMPRESSION"), kind);
      }
    });

    it("writes and reads a 200 KiB value; an uncompressed session reads the same", async () => {
      const body = bigText(1);
      const raw = patternBytes(200 * 1024, 3);
      await s.execute("INSERT INTO docs (id, body, raw) VALUES (?, ?, ?)", [1, body, raw]);
      const mine = (await s.execute("SELECT body, raw FROM docs WHERE id = ?", [1])).singleRow();
      assert.equal(mine.get("body"), body);
      assert.deepEqual(Uint8Array.from(mine.get("raw") as Uint8Array), raw);
      const theirs = (await plain.execute(`SELECT body, raw FROM ${ks}.docs WHERE id = 1`))
        .singleRow();
      assert.equal(theirs.get("body"), body);
      assert.deepEqual(Uint8Array.from(theirs.get("raw") as Uint8Array), raw);
      // And the other way round: written uncompressed, read compressed.
      const other = bigText(2);
      await plain.execute(`INSERT INTO ${ks}.docs (id, body) VALUES (?, ?)`, [2, other]);
      const back = await s.query(new Query("SELECT body FROM docs WHERE id = 2"));
      assert.equal(back.singleRow().get(0), other);
    });

    it("updates and deletes", async () => {
      await s.execute("UPDATE docs SET body = ? WHERE id = ?", [bigText(3), 1]);
      assert.equal(
        (await s.execute("SELECT body FROM docs WHERE id = 1")).singleRow().get(0),
        bigText(3),
      );
      await s.execute("DELETE FROM docs WHERE id = ?", [1]);
      assert.equal((await plain.execute(`SELECT * FROM ${ks}.docs WHERE id = 1`)).length, 0);
    });

    it("pages and batches over compressed frames", async () => {
      const b = new Batch("unlogged");
      for (let i = 0; i < 50; i++) {
        b.appendStatement("INSERT INTO rows (pk, ck, v) VALUES (1, ?, ?)");
      }
      for (let j = 0; j < 20; j++) {
        await s.batch(b, Array.from({ length: 50 }, (_, i) => [j * 50 + i, `value ${j * 50 + i}`]));
      }
      const rs = await s.query(new Query("SELECT ck, v FROM rows WHERE pk = 1").withPageSize(300));
      assert.equal(rs.length, 1000);
      assert.equal(rs.rows()[999].get("v"), "value 999");
      let n = 0;
      for await (
        const row of s.iter(new Query("SELECT ck FROM rows WHERE pk = 1").withPageSize(77))
      ) {
        assert.equal(row.get(0), n++);
      }
      assert.equal(n, 1000);
      // Small frames (below any compression threshold) work too.
      assert.equal((await s.execute("SELECT now() FROM system.local")).length, 1);
    });
  });
}

describe("compression setting", () => {
  it("rejects an unknown kind with RangeError listing the valid ones", () => {
    assert.throws(() => newBuilder().compression("zstd" as never), (e: unknown) => {
      assert.ok(e instanceof RangeError);
      assert.match(e.message, /lz4/);
      assert.match(e.message, /snappy/);
      return true;
    });
  });
});
