/**
 * The seed's basic CRUD example: create a keyspace and table, insert, select,
 * update, delete — printing what it does.
 *
 *   deno task demo            (starts a local node first if none answers)
 *   bun examples/basic_crud.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { Session } from "../mod.ts";
import { contactPoints } from "./env.ts";

const session = await Session.connect(contactPoints());
try {
  console.log(`connected; cluster has ${session.getClusterData().nodes.length} node(s)`);

  await session.execute(
    "CREATE KEYSPACE IF NOT EXISTS test WITH replication = " +
      "{'class': 'SimpleStrategy', 'replication_factor': 1}",
  );
  await session.useKeyspace("test", false);
  await session.execute(
    "CREATE TABLE IF NOT EXISTS users (id int PRIMARY KEY, name text, email text)",
  );
  console.log(`using keyspace ${session.getKeyspace()}, table users ready`);

  // Create
  await session.execute(
    "INSERT INTO users (id, name, email) VALUES (?, ?, ?)",
    { id: 1, name: "Alice", email: "alice@example.com" },
  );
  console.log("inserted user 1 (Alice)");

  // Read
  let row = (await session.execute("SELECT * FROM users WHERE id = ?", { id: 1 })).firstRow();
  console.log(`read back: ${row}`);

  // Update
  await session.execute(
    "UPDATE users SET email = ? WHERE id = ?",
    { email: "alice.new@example.com", id: 1 },
  );
  row = (await session.execute("SELECT email FROM users WHERE id = ?", { id: 1 })).firstRow();
  console.log(`updated email: ${row?.get("email")}`);

  // Delete
  await session.execute("DELETE FROM users WHERE id = ?", { id: 1 });
  const left = await session.execute("SELECT * FROM users WHERE id = ?", { id: 1 });
  console.log(`deleted user 1; rows left for id 1: ${left.length}`);
} finally {
  await session.close();
}
