/**
 * Shared bits of the cluster tests (three real Cassandra nodes, see `scripts/db.ts cluster-up`):
 * sessions on the cluster and `scripts/db.ts` as a child process for killing and restarting
 * nodes. The ring as the server reports it is in `server_ring.ts`.
 * @module
 */

import { spawn } from "node:child_process";
import type { Session, SessionBuilder as Builder } from "../../mod.ts";
import { SessionBuilder } from "../../mod.ts";
import { CqlProbe } from "../../scripts/lib/cql_probe.ts";
import { clusterHosts, hostPort } from "../integration/env.ts";
import { connect, eventually } from "../integration/helpers.ts";

export {
  createKeyspace,
  dropKeyspace,
  eventually,
  uniqueKeyspace,
} from "../integration/helpers.ts";
export { clusterHosts };

/** Repository root, from this file's location. */
export const ROOT: string = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** A builder pointed at every cluster node. */
export function clusterBuilder(hosts: string[] = clusterHosts()): Builder {
  return new SessionBuilder().knownNodes(hosts);
}

/** A session on the cluster (a missing cluster fails with a hint). */
export function connectCluster(builder: Builder = clusterBuilder()): Promise<Session> {
  return connect(builder);
}

/** `host:port` of a node of the cluster data, as `getMetrics()` keys it. */
export function nodeKey(n: { address: string; port: number }): string {
  return n.address.includes(":") ? `[${n.address}]:${n.port}` : `${n.address}:${n.port}`;
}

/** Requests per node since `before` (a `getMetrics().requestsPerNode` snapshot). */
export function sentSince(
  session: Session,
  before: ReadonlyMap<string, number>,
): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of session.getMetrics().requestsPerNode) out.set(k, v - (before.get(k) ?? 0));
  return out;
}

/** Output and exit code of `deno run -A scripts/db.ts <args>`. */
export function db(args: string[]): Promise<{ code: number; output: string }> {
  const deno = denoPath();
  return new Promise((resolve, reject) => {
    const child = spawn(deno, ["run", "-A", `${ROOT}/scripts/db.ts`, ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d) => (output += String(d)));
    child.stderr.on("data", (d) => (output += String(d)));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** The Deno binary: this one under Deno, else `node_modules/.bin/deno`, else `deno` on PATH. */
function denoPath(): string {
  const g = globalThis as { Deno?: { execPath(): string } };
  if (g.Deno) return g.Deno.execPath();
  return `${ROOT}/node_modules/.bin/deno`;
}

/** Cluster node names (`c1`…) by address, from `.rsylla/cluster.json` or the `c<i>` = `127.0.0.<i>` rule. */
export function nodeName(address: string): string {
  const m = /^127\.0\.0\.(\d+)$/.exec(address);
  if (!m) throw new Error(`no cluster node name for ${address}`);
  return `c${m[1]}`;
}

/**
 * Waits until every cluster node has `keyspace.table` in its own `system_schema` (asked over a
 * separate connection to each node), so a test's setup does not depend on the driver's
 * schema-agreement wait (see schema_test.ts for that).
 */
export async function onEveryNode(keyspace: string, table: string): Promise<void> {
  for (const hp of clusterHosts()) {
    const probe = await CqlProbe.connect({ ...hostPort(hp), timeoutMs: 10_000 });
    try {
      await eventually(
        `${keyspace}.${table} on ${hp}`,
        async () =>
          (await probe.query(
            `SELECT table_name FROM system_schema.tables WHERE keyspace_name = '${keyspace}' ` +
              `AND table_name = '${table}'`,
          )).length === 1,
        30_000,
        20,
      );
    } finally {
      probe.close();
    }
  }
}
