/**
 * `cluster-up` / `cluster-down`: nodes `c1..cN` on 127.0.0.1..N forming one ring, started one
 * after another, each with `num_tokens` vnodes (16 by default, Cassandra's default since 4.0).
 * The default layout is the CI one: GossipingPropertyFileSnitch, dc1 = {c1 rack r1, c2 rack r2},
 * dc2 = {c3 rack r1} (`--dc-layout dc1:2,dc2:1`; racks r1, r2, … are dealt out within each DC).
 * `--nodes N` without a layout gives the old single-DC SimpleSnitch ring. Writes
 * `.rsylla/cluster.json` for tests.
 * @module
 */

import { ensureJars } from "./jars.ts";
import {
  clusterNameFor,
  loadInfo,
  type NodeInfo,
  vnodeTokens,
  writeNodeFiles,
} from "./node_config.ts";
import {
  answersCql,
  livePid,
  logTail,
  queryNode,
  spawnNode,
  stopProcess,
  waitReady,
} from "./node_process.ts";
import { CASSANDRA_VERSION, CLUSTER_FILE, since } from "./paths.ts";
import { allNodeNames, removeNode } from "./single.ts";

/** Options of `db.ts cluster-up`. */
export interface ClusterOptions {
  /** Node count when `dcLayout` is empty; 0 means the default layout. */
  nodes: number;
  /**
   * e.g. `dc1:2,dc2:1` (GossipingPropertyFileSnitch, racks r1, r2, … within each DC); empty
   * with `nodes` > 0 means SimpleSnitch, everything in datacenter1/rack1.
   */
  dcLayout: string;
  /** Vnodes per node (`num_tokens`). */
  numTokens: number;
  replace: boolean;
  timeoutMs: number;
}

/** Shape of `.rsylla/cluster.json`. */
export interface ClusterFile {
  hosts: string[];
  nodes: {
    name: string;
    ip: string;
    port: number;
    dc: string;
    rack: string;
    /** The node's tokens, as configured (`initial_token`); the server's view is in system.local. */
    tokens: string[];
  }[];
}

/** The CI layout: dc1 = {127.0.0.1 r1, 127.0.0.2 r2}, dc2 = {127.0.0.3 r1}. */
export const DEFAULT_LAYOUT = "dc1:2,dc2:1";

function parseLayout(layout: string): { dc: string; count: number }[] {
  return layout.split(",").map((part) => {
    const [dc, n] = part.split(":");
    const count = Number(n);
    if (!dc || !Number.isInteger(count) || count < 1) {
      throw new Error(`bad --dc-layout part "${part}"; expected e.g. dc1:2,dc2:1`);
    }
    return { dc, count };
  });
}

async function plan(o: ClusterOptions): Promise<NodeInfo[]> {
  const clusterName = await clusterNameFor("cluster");
  const layoutText = o.dcLayout || (o.nodes > 0 ? "" : DEFAULT_LAYOUT);
  const layout = layoutText ? parseLayout(layoutText) : [{ dc: "datacenter1", count: o.nodes }];
  const n = layout.reduce((s, l) => s + l.count, 0);
  if (n < 1 || n > 9) throw new Error(`a cluster needs 1..9 nodes, got ${n}`);
  if (o.numTokens < 1 || o.numTokens > 256) throw new Error(`--num-tokens must be 1..256`);
  const tokens = vnodeTokens(n, o.numTokens);
  const out: NodeInfo[] = [];
  for (const { dc, count } of layout) {
    for (let j = 0; j < count; j++) {
      const i = out.length + 1;
      out.push({
        name: `c${i}`,
        clusterName,
        ip: `127.0.0.${i}`,
        port: 9042,
        kind: "cluster",
        auth: false,
        tls: false,
        mtls: false,
        token: tokens[i - 1].join(","),
        numTokens: o.numTokens,
        seeds: "127.0.0.1:7000",
        snitch: layoutText ? "GossipingPropertyFileSnitch" : "SimpleSnitch",
        dc,
        rack: layoutText ? `r${j + 1}` : "rack1",
        cassandraVersion: CASSANDRA_VERSION,
      });
    }
  }
  return out;
}

async function sameAsRunning(nodes: NodeInfo[]): Promise<boolean> {
  for (const want of nodes) {
    const have = await loadInfo(want.name);
    if (
      !have || have.kind !== "cluster" || have.dc !== want.dc || have.rack !== want.rack ||
      have.token !== want.token || (have.numTokens ?? 1) !== want.numTokens
    ) {
      return false;
    }
    if (!(await livePid(want.name)) || !(await answersCql(want.ip))) return false;
  }
  const names = await allNodeNames();
  return !names.some((n) => /^c\d+$/.test(n) && !nodes.some((x) => x.name === n));
}

/** Starts the cluster (or reuses an identical running one). Returns the exit code. */
export async function clusterUp(o: ClusterOptions): Promise<number> {
  const start = performance.now();
  const nodes = await plan(o);
  if (await sameAsRunning(nodes)) {
    await checkRing(nodes, 10_000);
    console.log(`reusing ${nodes.length}-node cluster at ${hosts(nodes).join(",")}`);
    return 0;
  }
  // Our own single nodes on the same IPs: refuse, or stop them with --replace.
  for (const name of await allNodeNames()) {
    const info = await loadInfo(name);
    if (info?.kind !== "single" || !nodes.some((x) => x.ip === info.ip)) continue;
    if (!(await livePid(name))) continue;
    if (!o.replace) {
      console.error(
        `node ${name} holds ${info.ip}:${info.port}; stop it first (deno task db:down) ` +
          "or pass --replace",
      );
      return 1;
    }
    await removeNode(name);
  }
  for (const name of await allNodeNames()) {
    if (/^c\d+$/.test(name)) await removeNode(name);
  }
  for (const x of nodes) {
    if (await answersCql(x.ip, x.port)) {
      console.error(`something not started by us answers CQL at ${x.ip}:${x.port}; stop it first`);
      return 1;
    }
  }
  await ensureJars();
  console.log(
    `starting ${nodes.length}-node Cassandra ${CASSANDRA_VERSION} cluster ` +
      `(${nodes.map((x) => `${x.name}=${x.ip} ${x.dc}/${x.rack}`).join(", ")}; ` +
      `${o.numTokens} tokens each)…`,
  );
  const stopAll = async () => {
    for (const x of nodes) await stopProcess(x.name, 0);
  };
  const onSignal = () => {
    console.error("interrupted: stopping cluster nodes");
    stopAll().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  try {
    for (const x of nodes) {
      const t = performance.now();
      await writeNodeFiles(x);
      x.pid = await spawnNode(x);
      await waitReady(x, o.timeoutMs);
      console.log(`  ${x.name} at ${x.ip}:9042 answers CQL (${since(t)})`);
    }
    const t = performance.now();
    await checkRing(nodes, o.timeoutMs);
    console.log(`  every node sees ${nodes.length - 1} peers, schema agrees (${since(t)})`);
    const file: ClusterFile = {
      hosts: hosts(nodes),
      nodes: nodes.map(({ name, ip, port, dc, rack, token }) => ({
        name,
        ip,
        port,
        dc,
        rack,
        tokens: token.split(","),
      })),
    };
    await Deno.writeTextFile(CLUSTER_FILE, JSON.stringify(file, null, 2) + "\n");
    console.log(`cluster ready in ${since(start)}; contact points: ${hosts(nodes).join(",")}`);
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    for (const x of nodes) {
      if (!(e as Error).message.includes(`nodes/${x.name}/`)) {
        console.error(await logTail(x.name, 20));
      }
    }
    await stopAll();
    console.error(`cluster failed to start (${since(start)}); nodes stopped`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
  }
}

function hosts(nodes: NodeInfo[]): string[] {
  return nodes.map((x) => `${x.ip}:${x.port}`);
}

/** Polls until every node lists all others in system.peers and schema versions agree. */
async function checkRing(nodes: NodeInfo[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let problem = "";
  while (Date.now() < deadline) {
    problem = "";
    const versions = new Set<string>();
    for (const x of nodes) {
      try {
        const peers = (await queryNode(x, "SELECT peer FROM system.peers")).map((r) => r.peer);
        const missing = nodes.filter((y) => y !== x && !peers.includes(y.ip)).map((y) => y.ip);
        if (missing.length) problem ||= `${x.name} does not list ${missing.join(", ")} in peers`;
        const local = await queryNode(x, "SELECT schema_version FROM system.local");
        versions.add(local[0]?.schema_version ?? "?");
      } catch (e) {
        problem ||= `${x.name}: ${(e as Error).message}`;
      }
    }
    if (!problem && versions.size > 1) problem = `schema versions differ: ${[...versions]}`;
    if (!problem) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`cluster not settled after ${timeoutMs / 1000} s: ${problem}`);
}

/** Stops every cluster node and removes its data and `cluster.json`. */
export async function clusterDown(): Promise<number> {
  const names = (await allNodeNames()).filter((n) => /^c\d+$/.test(n));
  if (names.length === 0) console.log("no cluster nodes of ours to stop");
  await Promise.all(names.map(removeNode));
  await Deno.remove(CLUSTER_FILE).catch(() => {});
  return 0;
}
