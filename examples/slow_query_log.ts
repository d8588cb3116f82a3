/**
 * A slow-query log built on the request tracker: every request slower than a
 * threshold is logged with its kind, table, statement and the attempts it
 * took (node, shard, speculative or not).
 *
 *   deno run -A examples/slow_query_log.ts [threshold-ms]
 *   bun examples/slow_query_log.ts [threshold-ms]
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { type AttemptInfo, type RequestInfo, type RequestTracker, SessionBuilder } from "../mod.ts";
import { contactPoints } from "./env.ts";
import { ensureKeyspace, KEYSPACE } from "./setup.ts";

/** Logs requests slower than `thresholdMs` (and every failure) through `log`. */
export function slowQueryLog(
  thresholdMs: number,
  log: (line: string) => void = console.log,
): RequestTracker {
  const attempts = new Map<number, AttemptInfo[]>();
  const describe = (r: RequestInfo, ms: number) => {
    const tries = (attempts.get(r.id) ?? [])
      .map((a) =>
        `${a.node}${a.shard === null ? "" : `/shard ${a.shard}`}${
          a.speculative ? " (speculative)" : ""
        }`
      );
    attempts.delete(r.id);
    const table = r.table ? `${r.keyspace}.${r.table}` : r.keyspace ?? "-";
    return `${ms.toFixed(1)} ms ${r.kind} ${table} [${tries.join(", ")}] ${r.statement}`;
  };
  return {
    onAttempt: (r, a) => attempts.set(r.id, [...(attempts.get(r.id) ?? []), a]),
    onSuccess: (r, ms) => {
      const line = describe(r, ms);
      if (ms >= thresholdMs) log(`SLOW ${line}`);
    },
    onError: (r, e, ms) => log(`FAILED ${describe(r, ms)}: ${e.name}: ${e.message}`),
  };
}

if (import.meta.main) {
  const threshold =
    Number((globalThis as { process?: { argv: string[] } }).process?.argv[2] ?? 0) ||
    5;
  let slow = 0;
  const session = await new SessionBuilder()
    .knownNodes(contactPoints())
    .requestTracker(slowQueryLog(threshold, (line) => {
      slow++;
      console.log(line);
    }))
    .build();
  try {
    await ensureKeyspace(session);
    await session.execute(
      `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.slow_log (k int PRIMARY KEY, v text)`,
    );
    const ps = await session.prepare(`INSERT INTO ${KEYSPACE}.slow_log (k, v) VALUES (?, ?)`);
    for (let k = 0; k < 200; k++) await session.executePrepared(ps, [k, "x".repeat(k)]);
    await session.execute(`SELECT * FROM ${KEYSPACE}.slow_log`); // a full scan: likely slow
    await session.execute(`SELECT * FROM ${KEYSPACE}.no_such_table`).catch(() => {});
    console.log(`${slow} line(s) logged at a ${threshold} ms threshold`);
  } finally {
    await session.close();
  }
}
