/**
 * `session.sql` against the real node: values are bound (an injection-looking
 * string is stored and read back as text), the template is prepared once,
 * paging is followed, and an interpolated identifier fails with a clear error.
 * @module
 */

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CqlSyntaxError, type Session } from "../../mod.ts";
import { connect, createKeyspace, dropKeyspace, uniqueKeyspace } from "./helpers.ts";

interface User {
  id: number;
  name: string | null;
}

describe("session.sql", () => {
  let session: Session;
  const ks = uniqueKeyspace("sql");

  before(async () => {
    session = await connect();
    await createKeyspace(session, ks);
    // Templates name tables without a keyspace: a keyspace cannot be interpolated.
    await session.useKeyspace(ks, false);
    await session.execute(`CREATE TABLE users (id int PRIMARY KEY, name text)`);
    await session.execute(`CREATE TABLE many (p int, c int, PRIMARY KEY (p, c))`);
  });
  after(async () => {
    await dropKeyspace(session, ks);
    await session?.close();
  });

  it("binds an injection-looking value as a string and reads it back", async () => {
    const evil = "'; DROP TABLE users; --";
    const inserted = await session.sql`INSERT INTO users (id, name) VALUES (${1}, ${evil})`;
    assert.deepEqual(inserted, []);
    const rows = await session.sql<User>`SELECT id, name FROM users WHERE id = ${1}`;
    assert.deepEqual(rows, [{ id: 1, name: evil }]);
    // The table is still there.
    const all = await session.sql<User>`SELECT * FROM users`;
    assert.equal(all.length, 1);
  });

  it("prepares a template once, whatever its values", async () => {
    const find = (id: number) => session.sql<User>`SELECT id, name FROM users WHERE id = ${id}`;
    for (let i = 10; i < 15; i++) {
      await session.sql`INSERT INTO users (id, name) VALUES (${i}, ${`user ${i}`})`;
    }
    const found = await Promise.all([10, 11, 12, 99].map(find));
    assert.deepEqual(found.map((r) => r[0]?.name ?? null), ["user 10", "user 11", "user 12", null]);
    const typed: User[] = found.flat();
    assert.equal(typed.length, 3);
  });

  it("follows paging past the default page of 5000 rows", async () => {
    const n = 5_100;
    for (let start = 0; start < n; start += 200) {
      await Promise.all(
        [...Array(Math.min(200, n - start)).keys()].map((i) =>
          session.sql`INSERT INTO many (p, c) VALUES (${1}, ${start + i})`
        ),
      );
    }
    const rows = await session.sql<{ c: number }>`SELECT c FROM many WHERE p = ${1}`;
    assert.equal(rows.length, n);
    assert.deepEqual(rows.map((r) => r.c), [...Array(n).keys()]);
  });

  it("binds NULL and collections", async () => {
    await session.sql`INSERT INTO users (id, name) VALUES (${2}, ${null})`;
    const [row] = await session.sql<User>`SELECT id, name FROM users WHERE id = ${2}`;
    assert.deepEqual(row, { id: 2, name: null });
  });

  it("refuses an interpolated identifier with a hint on building names", async () => {
    const table = "users";
    await assert.rejects(
      session.sql`SELECT * FROM ${table} WHERE id = ${1}`,
      (e: unknown) => {
        assert.ok(e instanceof CqlSyntaxError, String(e));
        assert.match(e.message, /cannot be interpolated/);
        return true;
      },
    );
  });

  it("rejects a value of the wrong kind before sending", async () => {
    await assert.rejects(
      session.sql`SELECT * FROM users WHERE id = ${"not a number"}`,
      TypeError,
    );
  });
});
