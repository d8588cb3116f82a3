/**
 * A user's program, as run by the consumer tests: it imports the driver by its package name only
 * (`@rsylla/rsylla`: the npm tarball under Node and Bun, the JSR entry point under Deno), runs a
 * plain query, a prepared one and a paged one against `CQL_HOSTS`, and prints one JSON line.
 * @module
 */

import { Query, SessionBuilder } from "@rsylla/rsylla";

const hosts = (process.env.CQL_HOSTS ?? "127.0.0.1:9042").split(",");
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

await using session = await new SessionBuilder().knownNodes(hosts).build();
const local = await session.execute("SELECT release_version FROM system.local");
const version = String(local.firstRow()?.get("release_version"));

const ps = await session.prepare(
  "SELECT keyspace_name FROM system_schema.tables WHERE keyspace_name = ?",
);
const tables = (await session.executePrepared(ps.withPageSize(3), ["system_schema"])).rows().length;

let paged = 0;
for await (
  const _row of session.iter(new Query("SELECT * FROM system_schema.columns").withPageSize(50))
) {
  paged++;
}
console.log(JSON.stringify({ runtime, version, tables, paged }));
