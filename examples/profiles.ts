/**
 * Execution profiles: named option sets in the builder, picked per statement
 * or per call. The server's trace shows the consistency each request carried.
 *
 *   deno run -A examples/profiles.ts
 *   bun examples/profiles.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { Query, SessionBuilder } from "../mod.ts";
import { contactPoints } from "./env.ts";

const session = await new SessionBuilder()
  .knownNodes(contactPoints())
  .defaultConsistency("LOCAL_ONE")
  .executionProfile("oltp", { consistency: "LOCAL_QUORUM", requestTimeout: 2_000 })
  .executionProfile("analytics", { consistency: "ONE", requestTimeout: 60_000, pageSize: 1000 })
  .build();
try {
  const q = new Query("SELECT release_version FROM system.local").withTracing(true);
  for (const profile of [undefined, "oltp", "analytics"]) {
    const rs = profile === undefined
      ? await session.query(q)
      : await session.query(q, undefined, { profile });
    let level: unknown = null;
    for (let i = 0; i < 50 && level === null; i++) {
      const row = (await session.query(
        new Query(
          `SELECT parameters FROM system_traces.sessions WHERE session_id = ${rs.tracingId()}`,
        ).withConsistency("ONE"),
      )).firstRow();
      level = (row?.get("parameters") as Map<string, string> | null)?.get("consistency_level") ??
        null;
      if (level === null) await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`profile ${profile ?? "default"}: the server saw consistency ${level}`);
  }
  // A statement can carry its profile; an unknown name fails before anything is sent.
  await session.query(q.withExecutionProfile("analytics"));
  await session.query(q.withExecutionProfile("batch")).catch((e) =>
    console.log(`${e.name}: ${e.message}`)
  );
} finally {
  await session.close();
}
