/**
 * The seed's "Connection Pool Pattern": one session for the whole application,
 * created on first use and shared. Concurrent first callers share one build,
 * so the cluster is connected to once.
 *
 *   deno run -A examples/singleton_session.ts
 *   bun examples/singleton_session.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { type Session, SessionBuilder } from "../mod.ts";
import { contactPoints } from "./env.ts";

/** The application's shared session. */
class Database {
  // The promise, not the session, is cached: callers arriving while the first
  // build is still connecting await that same promise instead of building a
  // second session (which `if (!session) session = await build()` would do).
  static #session: Promise<Session> | null = null;
  static builds = 0;

  /** The shared session, connecting on first use. */
  static getSession(): Promise<Session> {
    if (Database.#session === null) {
      Database.builds++;
      const building = new SessionBuilder()
        .knownNodes(contactPoints())
        .poolSize(2)
        .build();
      // A failed build is forgotten, so a later call can try again.
      building.catch(() => {
        if (Database.#session === building) Database.#session = null;
      });
      Database.#session = building;
    }
    return Database.#session;
  }

  /** Closes the shared session (if any); the next `getSession()` connects anew. */
  static async close(): Promise<void> {
    const pending = Database.#session;
    Database.#session = null;
    if (pending !== null) await (await pending).close();
  }
}

/** One of many parts of an application that need the database. */
async function countTables(caller: string, keyspace: string): Promise<void> {
  const session = await Database.getSession();
  const rs = await session.execute(
    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
    [keyspace],
  );
  console.log(`  ${caller}: ${keyspace} has ${rs.length} table(s)`);
}

try {
  // Ten callers start at once, before any session exists.
  console.log("10 concurrent callers ask for the session:");
  const keyspaces = [
    "system",
    "system_schema",
    "system_auth",
    "system_distributed",
    "system_traces",
  ];
  await Promise.all(
    Array.from({ length: 10 }, (_, i) => countTables(`caller ${i}`, keyspaces[i % 5])),
  );

  const [a, b] = await Promise.all([Database.getSession(), Database.getSession()]);
  console.log(`sessions built: ${Database.builds}; every caller got the same one: ${a === b}`);
} finally {
  await Database.close();
  console.log("shared session closed");
}
