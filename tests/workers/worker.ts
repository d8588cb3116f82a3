/**
 * A Cloudflare Worker using the driver as a Workers user would: `import … from "@rsylla/rsylla"`
 * (the npm package's `workerd` export condition installs `cloudflare:sockets`). Each request
 * builds its own session (Workers sockets cannot outlive the request), runs a plain, a prepared
 * and a paged query against `?host=` and answers with the rows as JSON.
 * @module
 */

import { Query, SessionBuilder } from "@rsylla/rsylla";

export default {
  async fetch(request: Request): Promise<Response> {
    const host = new URL(request.url).searchParams.get("host") ?? "127.0.0.1:9042";
    try {
      await using session = await new SessionBuilder().knownNode(host).build();
      const local = await session.execute("SELECT release_version FROM system.local");
      const ps = await session.prepare(
        "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
      );
      const tables = (await session.executePrepared(ps.withPageSize(3), ["system_schema"]))
        .rows().map((r) => r.get("table_name"));
      let paged = 0;
      const all = new Query("SELECT * FROM system_schema.columns").withPageSize(50);
      for await (const _row of session.iter(all)) paged++;
      return Response.json({ version: local.firstRow()?.get("release_version"), tables, paged });
    } catch (e) {
      return Response.json({ error: String((e as Error)?.stack ?? e) }, { status: 500 });
    }
  },
};
