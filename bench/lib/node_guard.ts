/**
 * The bench node's health between runs. In the run of 2026-12-07 (b5d788b) the
 * node stopped during the last paged repeat and every later Cassandra run failed
 * at connect; the report said "⚠1 failed" against our `paged_iter` rows as if
 * the driver had failed. Now a failed run is followed by a CQL probe: a node
 * that does not answer is an incident of the run, with the lines of its logs
 * that say why, and the run is repeated on the restarted node.
 * @module
 */

import { answersCql, livePid } from "../../scripts/lib/node_process.ts";
import { nodePaths } from "../../scripts/lib/node_config.ts";
import { causeLines, logTime } from "./node_log.ts";
import type { NodeIncident, RunRecord } from "./types.ts";

/** Whether the node at `host` (`ip:port`) answers CQL now. */
export function nodeAnswers(host: string): Promise<boolean> {
  const [ip, port] = host.split(":");
  return answersCql(ip, Number(port ?? "9042"));
}

/**
 * The `-Xmx` the running node `name` was started with (a node the run reused keeps the heap
 * it was started with), or `null` when it is not running.
 */
export async function heapOf(name: string): Promise<string | null> {
  const pid = await livePid(name);
  if (pid === null) return null;
  const args = (await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "")).split("\0");
  return args.findLast((a) => a.startsWith("-Xmx"))?.slice(4) ?? null;
}

/** The incident of `rec`'s run, whose node `name` stopped answering; logs since `since`. */
export async function incidentOf(
  rec: RunRecord,
  repeat: number,
  name: string,
  since: Date,
): Promise<NodeIncident> {
  const p = nodePaths(name);
  const read = (f: string) => Deno.readTextFile(f).catch(() => "");
  const cause = causeLines(await read(p.systemLog), await read(p.stdoutLog), logTime(since));
  return {
    at: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    during: `${rec.id} ${rec.workload} c=${rec.concurrency}, repeat ${repeat + 1}`,
    cause: cause.length ? cause : ["(nothing in the node's logs since the run began says why)"],
    restarted: false,
  };
}
