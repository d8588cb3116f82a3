/**
 * `varint` and `vector<…>` columns through `@rsylla/rsylla/compat` against
 * the real node, side by side with the real `cassandra-driver` (a
 * devDependency): what one writes the other reads, as `types.Integer` and
 * `types.Vector` of each.
 * @module
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import cassandra from "cassandra-driver";
import * as compat from "../../../src/compat/mod.ts";
import { cqlHosts } from "../env.ts";
import { uniqueKeyspace } from "../helpers.ts";

const ref = cassandra.types;
/** A row of either driver, its columns read freely. */
// deno-lint-ignore no-explicit-any
type AnyRow = Record<string, any>;
const { Integer, Vector } = compat.types;

const VARINTS = [
  "0",
  "-1",
  "127",
  "-129",
  "2147483648",
  "-9223372036854775809",
  "123456789012345678901234567890123456789",
  "-987654321098765432109876543210987654321098765432109876543210",
];

describe("compat varint and vector columns against the real node and cassandra-driver", () => {
  const ks = uniqueKeyspace("compat_intvec");
  let client: compat.Client;
  let theirs: cassandra.Client;

  before(async () => {
    client = new compat.Client({ contactPoints: cqlHosts(), localDataCenter: "datacenter1" });
    await client.execute(
      `CREATE KEYSPACE ${ks} WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}`,
    );
    await client.execute(
      `CREATE TABLE ${ks}.t (id int PRIMARY KEY, n varint, f vector<float, 3>,
        s vector<text, 2>, b vector<bigint, 2>, i vector<varint, 2>)`,
    );
    theirs = new cassandra.Client({
      contactPoints: cqlHosts(),
      localDataCenter: "datacenter1",
      keyspace: ks,
    });
    await theirs.connect();
  });

  after(async () => {
    await theirs?.shutdown();
    await client.execute(`DROP KEYSPACE IF EXISTS ${ks}`);
    await client.shutdown();
  });

  const insert = (k: string) => `INSERT INTO ${k}t (id, n, f, s, b, i) VALUES (?, ?, ?, ?, ?, ?)`;
  const select = (k: string) => `SELECT n, f, s, b, i FROM ${k}t WHERE id = ?`;

  it("values written through the facade read back as Integer and Vector, as cassandra-driver reads them", async () => {
    for (const [id, text] of VARINTS.entries()) {
      await client.execute(insert(`${ks}.`), [
        id,
        Integer.fromString(text),
        new Vector(new Float32Array([0.5, -1.25, id]), "float"),
        new Vector(["a", `b${id}`]),
        new Vector([compat.Long.fromString("-5"), compat.Long.fromString("9007199254740993")]),
        new Vector([Integer.fromString(text), Integer.ONE]),
      ], { prepare: true });
      const row = (await client.execute(select(`${ks}.`), [id], { prepare: true }))
        .first() as AnyRow;
      const them = (await theirs.execute(select(""), [id], { prepare: true })).first() as AnyRow;
      assert.ok(row.n instanceof Integer, text);
      assert.equal(row.n.toString(), text);
      assert.equal(row.n.toString(), them.n.toString(), text);
      for (const col of ["f", "s", "b", "i"]) {
        const v = row[col];
        assert.ok(v instanceof Vector && !(v instanceof Float32Array), `${col} ${text}`);
        assert.equal(v.getSubtype(), them[col].getSubtype(), `${col} subtype`);
        assert.equal(String(v), String(them[col]), `${col} ${text}`);
        assert.deepEqual(
          [...v].map((x) => x?.constructor.name),
          [...them[col]].map((x) => x?.constructor.name),
        );
      }
      assert.deepEqual([...row.f], [0.5, -1.25, id]);
      assert.ok(row.i[0] instanceof Integer && row.b[1] instanceof compat.Long);
    }
  });

  it("values written by cassandra-driver read back through the facade", async () => {
    const id = 100;
    await theirs.execute(insert(""), [
      id,
      ref.Integer.fromString(VARINTS.at(-1)!),
      new ref.Vector(new Float32Array([1, 2, 3])),
      new ref.Vector(["x", "y"], "text"),
      new ref.Vector([ref.Long.fromString("1"), ref.Long.fromString("-2")], "bigint"),
      new ref.Vector([ref.Integer.fromString("-129"), ref.Integer.fromString("128")], "varint"),
    ], { prepare: true });
    const row = (await client.execute(select(`${ks}.`), [id], { prepare: true })).first() as AnyRow;
    assert.equal(row.n.toString(), VARINTS.at(-1));
    assert.deepEqual([...row.f], [1, 2, 3]);
    assert.deepEqual([...row.s], ["x", "y"]);
    assert.deepEqual([...row.b].map(String), ["1", "-2"]);
    assert.deepEqual([...row.i].map(String), ["-129", "128"]);
    // What comes out goes back in unchanged, and a plain Float32Array binds too.
    await client.execute(insert(`${ks}.`), [
      id + 1,
      row.n,
      new Float32Array([4, 5, 6]),
      row.s,
      row.b,
      row.i,
    ], { prepare: true });
    const again = (await theirs.execute(select(""), [id + 1], { prepare: true })).first() as AnyRow;
    assert.equal(again.n.toString(), VARINTS.at(-1));
    assert.deepEqual([...again.f], [4, 5, 6]);
    assert.equal(String(again.i), "[-129,128]");
  });
});
