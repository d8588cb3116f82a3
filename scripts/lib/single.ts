/**
 * `up`, `down`, `node-kill`, `node-start` and `status`: independent nodes, each on its own
 * loopback IP, reused when something already answers there.
 * @module
 */

import { probeReleaseVersion } from "./cql_probe.ts";
import { dockerAvailable, dockerDown, dockerUp } from "./docker.ts";
import { ensureJars } from "./jars.ts";
import {
  clusterNameFor,
  loadInfo,
  type NodeInfo,
  nodePaths,
  writeNodeFiles,
} from "./node_config.ts";
import { answersCql, livePid, logTail, spawnNode, stopProcess, waitReady } from "./node_process.ts";
import { CASSANDRA_VERSION, CLUSTER_FILE, exists, NODES_DIR, since } from "./paths.ts";
import { ensureTls } from "./tls.ts";

/** Options of `db.ts up`. */
export interface UpOptions {
  name: string;
  ip: string;
  port: number;
  auth: boolean;
  tls: boolean;
  mtls: boolean;
  docker: boolean;
  timeoutMs: number;
}

/** Starts (or reuses) one node and waits until it answers CQL. Returns the exit code. */
export async function up(o: UpOptions): Promise<number> {
  const start = performance.now();
  const where = `${o.ip}:${o.port}`;
  const mine = await loadInfo(o.name);
  const pid = await livePid(o.name);
  if (pid && mine) {
    if (!(await answersCql(mine.ip, mine.port, mine.auth))) {
      console.log(`node ${o.name} (pid ${pid}) is still starting; waiting until it answers…`);
    }
    const v = await waitReady(mine, o.timeoutMs);
    console.log(`reusing node at ${mine.ip}:${mine.port} (${o.name}, Cassandra ${v})`);
    return 0;
  }
  if (await answersCql(o.ip, o.port, o.auth)) {
    console.log(`reusing node at ${where}`);
    if (mine?.kind === "single" && (mine.auth !== o.auth || mine.tls !== o.tls)) {
      console.log(
        `  warning: it was started with auth=${mine.auth} tls=${mine.tls}; run db:down first to change`,
      );
    }
    return 0;
  }
  if (o.docker) return await dockerUp(o);

  await ensureJars();
  const info: NodeInfo = {
    name: o.name,
    clusterName: await clusterNameFor(o.name),
    ip: o.ip,
    port: o.port,
    kind: "single",
    auth: o.auth,
    tls: o.tls || o.mtls,
    mtls: o.mtls,
    token: "-9223372036854775808",
    seeds: `${o.ip}:7000`,
    snitch: "SimpleSnitch",
    dc: "datacenter1",
    rack: "rack1",
    cassandraVersion: CASSANDRA_VERSION,
  };
  if (info.tls) info.tlsFiles = await ensureTls(o.ip);
  await writeNodeFiles(info);
  const flags = [o.auth && "auth", info.tls && (o.mtls ? "mutual TLS" : "TLS")].filter(Boolean);
  console.log(
    `starting Cassandra ${CASSANDRA_VERSION} node ${o.name} at ${where}` +
      (flags.length ? ` (${flags.join(", ")})` : "") + "…",
  );
  const stopOnSignal = () => {
    console.error(`interrupted: stopping node ${o.name}`);
    stopProcess(o.name, 0).finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", stopOnSignal);
  Deno.addSignalListener("SIGTERM", stopOnSignal);
  try {
    info.pid = await spawnNode(info);
    const version = await waitReady(info, o.timeoutMs);
    if (info.tls && info.tlsFiles) await checkTls(info);
    console.log(`node ${o.name} ready: Cassandra ${version}, pid ${info.pid}, in ${since(start)}`);
    console.log(`contact point: ${where}`);
    if (info.tlsFiles) console.log(`CA certificate: ${info.tlsFiles.ca}`);
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    if (!(e as Error).message.includes("--- last")) console.error(await logTail(o.name));
    await stopProcess(o.name, 0);
    console.error(`node ${o.name} failed to start (${since(start)}); process stopped`);
    return 1;
  } finally {
    Deno.removeSignalListener("SIGINT", stopOnSignal);
    Deno.removeSignalListener("SIGTERM", stopOnSignal);
  }
}

/** Confirms the node also speaks TLS with a certificate the test CA vouches for. */
async function checkTls(info: NodeInfo): Promise<void> {
  const f = info.tlsFiles!;
  const [ca, cert, key] = await Promise.all(
    [f.ca, f.clientCert, f.clientKey].map((p) => Deno.readTextFile(p)),
  );
  await probeReleaseVersion({
    host: info.ip,
    port: info.port,
    tls: { ca, ...(info.mtls ? { cert, key } : {}) },
    ...(info.auth ? { user: "cassandra", password: "cassandra" } : {}),
  });
  console.log(`TLS verified against ${f.ca}; plaintext accepted too (optional: true)`);
}

/** Names of every node directory we have, sorted. */
export async function allNodeNames(): Promise<string[]> {
  const names: string[] = [];
  if (!(await exists(NODES_DIR))) return names;
  for await (const e of Deno.readDir(NODES_DIR)) if (e.isDirectory) names.push(e.name);
  return names.sort();
}

/** Stops node `name` if we started it, then deletes its directory. */
export async function removeNode(name: string): Promise<void> {
  // The data is deleted next, so a long graceful drain buys nothing.
  const info = await loadInfo(name);
  const start = performance.now();
  let stopped: boolean;
  if (info?.docker) stopped = await dockerDown(info.docker);
  else stopped = await stopProcess(name, 3000);
  await Deno.remove(nodePaths(name).dir, { recursive: true }).catch(() => {});
  console.log(
    stopped
      ? `stopped node ${name}${info ? ` at ${info.ip}:${info.port}` : ""} (${since(start)})`
      : `node ${name} was not running; removed its directory`,
  );
}

/** Nodes `down` stops when given no name: the two the test runner uses by convention. */
const DEFAULT_NODES = ["single", "secure"];

/**
 * `down`: with a name, that node; with `all`, every node of this checkout (cluster too);
 * otherwise `single` and `secure`, so nodes others started under other names keep running.
 */
export async function down(name: string | undefined, all: boolean): Promise<number> {
  const present = await allNodeNames();
  const names = name ? [name] : all ? present : DEFAULT_NODES.filter((n) => present.includes(n));
  if (names.length === 0) console.log("no nodes of ours to stop");
  await Promise.all(names.map(removeNode));
  if (all) await Deno.remove(CLUSTER_FILE).catch(() => {});
  return 0;
}

/** `node-kill`: SIGKILL, keeping config and data so `node-start` can bring it back. */
export async function nodeKill(name: string): Promise<number> {
  if (!(await loadInfo(name))) return fail(`no node named ${name}`);
  const killed = await stopProcess(name, 0);
  console.log(killed ? `killed node ${name} (SIGKILL)` : `node ${name} was not running`);
  return 0;
}

/** `node-start`: restarts a node with its existing config and data. */
export async function nodeStart(name: string, timeoutMs: number): Promise<number> {
  const info = await loadInfo(name);
  if (!info) return fail(`no node named ${name}; use up or cluster-up first`);
  const start = performance.now();
  if (await livePid(name)) console.log(`node ${name} is already running`);
  else {
    console.log(`restarting node ${name} at ${info.ip}:${info.port} with its data…`);
    info.pid = await spawnNode(info);
  }
  try {
    const v = await waitReady(info, timeoutMs);
    console.log(`node ${name} ready: Cassandra ${v}, pid ${info.pid}, in ${since(start)}`);
    return 0;
  } catch (e) {
    console.error((e as Error).message);
    await stopProcess(name, 0);
    return 1;
  }
}

/** `status`: one line per node directory. */
export async function status(): Promise<number> {
  const names = await allNodeNames();
  if (names.length === 0) console.log("no nodes (run `deno task db:up`)");
  for (const n of names) {
    const info = await loadInfo(n);
    if (!info) {
      console.log(`${n}: no info.json`);
      continue;
    }
    const pid = await livePid(n);
    const answering = await answersCql(info.ip, info.port, info.auth);
    const flags = [info.kind, info.auth && "auth", info.tls && "tls", `${info.dc}/${info.rack}`]
      .filter(Boolean).join(" ");
    console.log(
      `${n}: ${info.ip}:${info.port} ${flags} pid ${pid ?? "-"} ` +
        (answering ? "answering CQL" : "not answering"),
    );
  }
  console.log(`docker: ${(await dockerAvailable()) ? "available" : "not available"}`);
  return 0;
}

function fail(msg: string): number {
  console.error(msg);
  return 1;
}
