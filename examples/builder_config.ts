/**
 * The seed's "Complete Example": a session configured through every
 * `SessionBuilder` setting, then a summary of what the driver discovered.
 *
 *   deno run -A examples/builder_config.ts
 *   bun examples/builder_config.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * Set CQL_USER and CQL_PASSWORD for a cluster with PasswordAuthenticator.
 * @module
 */

import { Consistency, type LogEvent, Session, SessionBuilder } from "../mod.ts";
import { contactPoints } from "./env.ts";
import { ensureKeyspace, envVar, KEYSPACE } from "./setup.ts";

// `useKeyspace` on the builder makes every pooled connection `USE` the keyspace
// while connecting, so the keyspace must exist first: create it with a plain session.
const admin = await Session.connect(contactPoints());
try {
  await ensureKeyspace(admin);
  console.log(`keyspace ${KEYSPACE} ready`);
} finally {
  await admin.close();
}

const builder = new SessionBuilder()
  .knownNodes(contactPoints())
  .useKeyspace(KEYSPACE, false)
  .poolSize(4) // connections per node (per shard on ScyllaDB)
  .connectionTimeout(10_000) // TCP connect + handshake, ms
  .compression("lz4") // negotiated in STARTUP; "snappy" or null also work
  .tcpNodelay(true) // no Nagle delay: lower latency for small requests
  .tcpKeepalive(30_000) // keepalive probes on idle connections; null disables
  .requestTimeout(5_000) // client-side deadline of each request, ms
  .defaultConsistency(Consistency.LOCAL_ONE) // statements that set none use this
  .logger((e: LogEvent) => {
    // Log events never carry passwords; skip the chatty debug level here.
    if (e.level !== "debug") console.log(`  [driver ${e.level}] ${e.message}`);
  });

// Credentials only when asked for: a cluster without authentication answers
// STARTUP with READY, and the default dev node has none. With
// PasswordAuthenticator enabled, export CQL_USER and CQL_PASSWORD.
const user = envVar("CQL_USER");
const password = envVar("CQL_PASSWORD");
if (user !== undefined && password !== undefined) {
  builder.user(user, password);
  console.log(`authenticating as ${user}`);
}

// The builder prints its settings with secrets redacted.
console.log(`connecting with ${builder}`);

const session = await builder.build();
try {
  console.log(`connected; current keyspace: ${session.getKeyspace()}`);

  const data = session.getClusterData();
  console.log(`datacenters: ${data.datacenters.join(", ")}`);
  for (const n of data.nodes) {
    console.log(
      `node ${n.address}:${n.port} dc=${n.datacenter} rack=${n.rack} ` +
        `${n.up ? "up" : "down"} version=${n.releaseVersion} tokens=${n.tokens.length}` +
        (n.shardCount === null ? "" : ` shards=${n.shardCount}`),
    );
  }
  const ks = data.keyspaces.get(KEYSPACE);
  console.log(
    `keyspace ${KEYSPACE}: replication ${JSON.stringify(ks?.replication)}, ` +
      `${ks?.tables.size ?? 0} table(s)`,
  );
  console.log(`${data.keyspaces.size} keyspaces known in all`);

  // A query on the configured session: default consistency LOCAL_ONE, lz4 frames.
  const rs = await session.execute("SELECT release_version, cluster_name FROM system.local");
  const row = rs.singleRow();
  console.log(`cluster ${row.get("cluster_name")} runs version ${row.get("release_version")}`);
} finally {
  await session.close();
  console.log("session closed");
}
