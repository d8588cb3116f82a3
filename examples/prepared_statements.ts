/**
 * Prepared statements: "prepare once, execute many" — a thousand inserts through
 * one `PreparedStatement`, run concurrently in chunks — and a repository class
 * that prepares its statements once and returns typed rows.
 *
 *   deno run -A examples/prepared_statements.ts
 *   bun examples/prepared_statements.ts
 *   bun build examples/prepared_statements.ts --target=node --outfile=/tmp/ps.mjs && node /tmp/ps.mjs
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { type PreparedStatement, Session } from "../mod.ts";
import { contactPoints } from "./env.ts";
import { ensureKeyspace, KEYSPACE } from "./setup.ts";

/**
 * A row of `examples.users`, as `rowsTyped<User>()` returns it. (A `type`, not
 * an `interface`, so a `User` is also accepted as named `Values`.)
 */
type User = {
  id: number;
  name: string;
  email: string;
  created_at: Date;
};

/**
 * Data access for `examples.users`. Its statements are prepared once, in
 * `create()`, and reused by every call: the server parses each CQL text once,
 * and each call sends only the statement id and the encoded values.
 */
class UserRepository {
  private constructor(
    private readonly session: Session,
    private readonly insertStmt: PreparedStatement,
    private readonly byIdStmt: PreparedStatement,
    private readonly byIdsStmt: PreparedStatement,
    private readonly updateEmailStmt: PreparedStatement,
    private readonly deleteStmt: PreparedStatement,
    private readonly allStmt: PreparedStatement,
  ) {}

  /** Prepares every statement (concurrently) and returns the repository. */
  static async create(session: Session): Promise<UserRepository> {
    const cols = "id, name, email, created_at";
    const [insert, byId, byIds, updateEmail, del, all] = await Promise.all([
      session.prepare(`INSERT INTO ${KEYSPACE}.users (${cols}) VALUES (?, ?, ?, ?)`),
      session.prepare(`SELECT ${cols} FROM ${KEYSPACE}.users WHERE id = ?`),
      session.prepare(`SELECT ${cols} FROM ${KEYSPACE}.users WHERE id IN ?`),
      session.prepare(`UPDATE ${KEYSPACE}.users SET email = ? WHERE id = ?`),
      session.prepare(`DELETE FROM ${KEYSPACE}.users WHERE id = ?`),
      session.prepare(`SELECT ${cols} FROM ${KEYSPACE}.users`),
    ]);
    // Reads and these writes give the same outcome when repeated, so the driver
    // may retry them; `setIdempotent` returns a new statement.
    return new UserRepository(
      session,
      insert.setIdempotent(true),
      byId.setIdempotent(true),
      byIds.setIdempotent(true),
      updateEmail.setIdempotent(true),
      del.setIdempotent(true),
      all.setIdempotent(true).withPageSize(100),
    );
  }

  async insert(user: User): Promise<void> {
    await this.session.executePrepared(this.insertStmt, user);
  }

  async findById(id: number): Promise<User | null> {
    const rs = await this.session.executePrepared(this.byIdStmt, { id });
    return rs.firstRowTyped<User>();
  }

  async findByIds(ids: number[]): Promise<User[]> {
    const rs = await this.session.executePrepared(this.byIdsStmt, [ids]);
    return rs.rowsTyped<User>();
  }

  async updateEmail(id: number, email: string): Promise<void> {
    await this.session.executePrepared(this.updateEmailStmt, { id, email });
  }

  async delete(id: number): Promise<void> {
    await this.session.executePrepared(this.deleteStmt, { id });
  }

  /** Streams every user, 100 rows per round trip, without loading them all. */
  async *findAll(): AsyncIterable<User> {
    for await (const row of this.session.iter(this.allStmt)) yield row.asObject<User>();
  }
}

const session = await Session.connect(contactPoints());
try {
  await ensureKeyspace(session);
  await session.execute(
    `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.readings ` +
      "(sensor int, seq int, value double, PRIMARY KEY (sensor, seq))",
  );
  await session.execute(
    `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.users ` +
      "(id int PRIMARY KEY, name text, email text, created_at timestamp)",
  );
  await session.awaitSchemaAgreement();
  console.log(`tables ${KEYSPACE}.readings and ${KEYSPACE}.users ready`);

  // 1. Prepare once, execute many.
  const insert = await session.prepare(
    `INSERT INTO ${KEYSPACE}.readings (sensor, seq, value) VALUES (?, ?, ?)`,
  );
  const binds = insert.bindColSpecs().map((c) => `${c.name} ${c.type}`).join(", ");
  console.log(`prepared ${insert.getStatement()}`);
  console.log(`  bind markers: ${binds}`);

  const total = 1000;
  const chunk = 100; // requests in flight at once
  const started = performance.now();
  for (let start = 0; start < total; start += chunk) {
    const writes = [];
    for (let i = start; i < Math.min(start + chunk, total); i++) {
      writes.push(session.executePrepared(insert, [i % 10, i, Math.sin(i)]));
    }
    await Promise.all(writes);
  }
  const ms = performance.now() - started;
  console.log(`inserted ${total} readings in ${ms.toFixed(0)} ms, ${chunk} at a time`);

  const count = await session.execute(
    `SELECT COUNT(*) FROM ${KEYSPACE}.readings WHERE sensor = ?`,
    [3],
  );
  console.log(`sensor 3 has ${count.singleRow().get(0)} readings`);

  // 2. A repository built on prepared statements.
  const users = await UserRepository.create(session);
  console.log("UserRepository ready (6 statements prepared)");

  const now = new Date();
  await users.insert({ id: 1, name: "Alice", email: "alice@example.com", created_at: now });
  await users.insert({ id: 2, name: "Bob", email: "bob@example.com", created_at: now });
  await users.insert({ id: 3, name: "Carol", email: "carol@example.com", created_at: now });
  console.log("inserted users 1, 2, 3");

  const alice = await users.findById(1);
  console.log(
    `findById(1): ${alice?.name} <${alice?.email}> created ${alice?.created_at.toISOString()}`,
  );

  await users.updateEmail(1, "alice@new.example.com");
  console.log(`updateEmail(1): now ${(await users.findById(1))?.email}`);

  const some = await users.findByIds([2, 3]);
  console.log(`findByIds([2, 3]): ${some.map((u) => u.name).join(", ")}`);

  await users.delete(2);
  console.log(`delete(2): findById(2) is ${await users.findById(2)}`);

  const names = [];
  for await (const u of users.findAll()) names.push(`${u.id}:${u.name}`);
  console.log(`findAll(): ${names.sort().join(", ")}`);
} finally {
  await session.close();
}
