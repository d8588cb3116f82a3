/**
 * Batches: a logged batch of inserts (one set of values per statement), an
 * unlogged batch within one partition, and a counter batch.
 *
 *   deno run -A examples/batch.ts
 *   bun examples/batch.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { Batch, Query, Session } from "../mod.ts";
import { contactPoints } from "./env.ts";
import { ensureKeyspace, KEYSPACE } from "./setup.ts";

const session = await Session.connect(contactPoints());
try {
  await ensureKeyspace(session);
  await session.useKeyspace(KEYSPACE, false);
  await session.execute(
    "CREATE TABLE IF NOT EXISTS accounts (id int PRIMARY KEY, owner text, balance decimal)",
  );
  await session.execute(
    "CREATE TABLE IF NOT EXISTS account_log (account int, seq int, note text, " +
      "PRIMARY KEY (account, seq))",
  );
  await session.execute(
    "CREATE TABLE IF NOT EXISTS page_views (page text PRIMARY KEY, views counter)",
  );
  await session.awaitSchemaAgreement();
  console.log(`tables accounts, account_log and page_views ready in ${KEYSPACE}`);

  // 1. Logged batch: all statements are applied, or (after a failure) eventually
  //    all of them — the coordinator writes the batch log first. Statements may
  //    be CQL text, a Query or a PreparedStatement; values go one set per statement.
  const logInsert = await session.prepare(
    "INSERT INTO account_log (account, seq, note) VALUES (?, ?, ?)",
  );
  const logged = new Batch("logged")
    .appendStatement("INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?)")
    .appendStatement("INSERT INTO accounts (id, owner, balance) VALUES (?, ?, ?)")
    .appendQuery(new Query("UPDATE accounts SET balance = ? WHERE id = ?"))
    .appendPrepared(logInsert);
  const loggedResult = await session.batch(logged, [
    { id: 1, owner: "Alice", balance: "100.00" },
    { id: 2, owner: "Bob", balance: "50.00" },
    { balance: "75.50", id: 2 }, // by name: key order does not matter
    [1, 1, "opened"], // or by position
  ]);
  console.log(
    `logged batch of ${logged.statementsCount()} statements applied ` +
      `(result: ${loggedResult.length} rows)`,
  );
  for (const row of await session.execute("SELECT id, owner, balance FROM accounts")) {
    console.log(`  account ${row.get("id")}: ${row.get("owner")} balance ${row.get("balance")}`);
  }

  // 2. Unlogged batch: no batch log, so cheaper; best when every statement
  //    goes to one partition (here account 2), where it is applied atomically anyway.
  const unlogged = new Batch("unlogged").setIdempotent(true);
  const notes = ["deposit", "withdrawal", "fee", "interest"];
  for (let i = 0; i < notes.length; i++) unlogged.appendPrepared(logInsert);
  await session.batch(unlogged, notes.map((note, i) => [2, i + 1, note]));
  const log2 = await session.execute(
    "SELECT seq, note FROM account_log WHERE account = ?",
    [2],
  );
  console.log(
    `unlogged batch wrote ${unlogged.statementsCount()} rows to partition 2: ` +
      log2.rows().map((r) => `${r.get("seq")}=${r.get("note")}`).join(", "),
  );

  // 3. Counter batch: only counter updates, which are not idempotent.
  const counters = new Batch("counter")
    .appendStatement("UPDATE page_views SET views = views + ? WHERE page = ?")
    .appendStatement("UPDATE page_views SET views = views + ? WHERE page = ?")
    .appendStatement("UPDATE page_views SET views = views + ? WHERE page = ?");
  await session.batch(counters, [[1n, "/home"], [5n, "/docs"], { views: 2, page: "/home" }]);
  console.log(
    `counter batch applied (counters add up over runs); idempotent: ${counters.isIdempotent()}`,
  );
  const views = await session.execute(
    "SELECT page, views FROM page_views WHERE page IN ?",
    [["/home", "/docs"]],
  );
  for (const row of views) console.log(`  ${row.get("page")}: ${row.get("views")} views (bigint)`);

  // A values list that does not match the statements is refused before sending.
  try {
    await session.batch(counters, [[1n, "/home"]]);
  } catch (e) {
    console.log(`mismatched values refused: ${(e as Error).name}: ${(e as Error).message}`);
  }
} finally {
  await session.close();
}
