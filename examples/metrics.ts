/**
 * Session metrics: counters, latency percentiles for the session and per
 * node, connections and requests in flight, after a short mixed workload.
 *
 *   deno run -A examples/metrics.ts
 *   bun examples/metrics.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import { SessionBuilder } from "../mod.ts";
import { contactPoints } from "./env.ts";
import { ensureKeyspace, KEYSPACE } from "./setup.ts";

const session = await new SessionBuilder().knownNodes(contactPoints()).build();
try {
  await ensureKeyspace(session);
  await session.execute(
    `CREATE TABLE IF NOT EXISTS ${KEYSPACE}.metrics_kv (k int PRIMARY KEY, v int)`,
  );
  const ps = await session.prepare(`INSERT INTO ${KEYSPACE}.metrics_kv (k, v) VALUES (?, ?)`);
  await Promise.all(Array.from({ length: 500 }, (_, k) => session.executePrepared(ps, [k, k])));
  await session.execute("SELECT * FROM no_such_keyspace.t").catch(() => {});

  const m = session.getMetrics();
  console.log(
    `requests ${m.requests}, errors ${JSON.stringify(m.errors)}, retries ${m.retries}, ` +
      `client timeouts ${m.clientTimeouts}, rejected ${m.rejected}, ` +
      `speculative ${m.speculativeStarted} started / ${m.speculativeWon} won`,
  );
  const l = m.latencyMs;
  console.log(`latency ms: p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} (${l.count} timed)`);
  for (const [node, n] of m.nodes) {
    console.log(
      `${node}: ${n.requests} requests, ${n.errors} errors, p99 ${n.latencyMs.p99} ms, ` +
        `${n.connections} connection(s)` +
        (n.connectionsPerShard ? ` per shard ${n.connectionsPerShard.join("/")}` : "") +
        `, ${n.inFlight} in flight`,
    );
  }
  if (m.requests < 500) throw new Error("metrics missed requests");
} finally {
  await session.close();
}
