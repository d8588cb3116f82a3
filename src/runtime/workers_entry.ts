/**
 * Cloudflare Workers support: installs `connect()` from `cloudflare:sockets`
 * as the driver's socket API. From npm, `import … from "@rsylla/rsylla"`
 * inside a Worker picks the `workerd` build, which does this itself; from JSR
 * (or to be explicit), call {@link useWorkersSockets} once at module scope:
 *
 * @example
 * ```ts ignore
 * import { connect } from "cloudflare:sockets";
 * import { SessionBuilder } from "@rsylla/rsylla";
 * import { useWorkersSockets } from "@rsylla/rsylla/workers";
 *
 * useWorkersSockets(connect);
 *
 * export default {
 *   async fetch(): Promise<Response> {
 *     // I/O objects belong to one request on Workers: one session per request.
 *     await using session = await new SessionBuilder().knownNode("db.example.com:9042").build();
 *     const rs = await session.execute("SELECT release_version FROM system.local");
 *     return Response.json(rs.firstRow()?.get("release_version"));
 *   },
 * };
 * ```
 *
 * Limits: a Worker cannot choose its source port, so ScyllaDB's shard-aware
 * port is not used (each connection learns its shard from the node instead);
 * TLS verifies against public roots and the host name only; sockets cannot
 * outlive the request that opened them, so a session is built per request
 * (see the README's Workers section on pooling).
 * @module
 */

import { setConnector } from "./mod.ts";
import { connectWorkers, type WorkersConnect } from "./workers.ts";

export type { WorkersConnect, WorkersSocket } from "./workers.ts";

/**
 * Makes every later connection of every session use `connect` from
 * `cloudflare:sockets` (or anything following its socket API).
 * @param connect the `connect` export of `cloudflare:sockets`
 */
export function useWorkersSockets(connect: WorkersConnect): void {
  setConnector((opts, handlers) => connectWorkers(connect, opts, handlers));
}
