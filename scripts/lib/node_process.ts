/**
 * Starting, watching and stopping the Cassandra JVM of one node. A node runs in its own session
 * (`setsid`), so it outlives the script and a Ctrl-C in the terminal; only processes whose
 * command line names that node's own cassandra.yaml are ever signalled.
 * @module
 */

import { CqlProbe, CqlServerError } from "./cql_probe.ts";
import { jammJar } from "./jars.ts";
import { type NodeInfo, nodePaths, saveInfo } from "./node_config.ts";
import { exists, JARS_DIR } from "./paths.ts";

const EXPORTS = [
  "java.base/jdk.internal.misc",
  "java.management.rmi/com.sun.jmx.remote.internal.rmi",
  "java.management/com.sun.jmx.remote.security",
  "java.rmi/sun.rmi.registry",
  "java.rmi/sun.rmi.server",
  "java.sql/java.sql",
  "java.base/java.lang.ref",
  "jdk.unsupported/sun.misc",
];
const OPENS = [
  "java.base/java.lang.module",
  "java.base/jdk.internal.loader",
  "java.base/jdk.internal.ref",
  "java.base/jdk.internal.reflect",
  "java.base/jdk.internal.math",
  "java.base/jdk.internal.module",
  "java.base/jdk.internal.util.jar",
  "jdk.management/com.sun.management.internal",
  "java.base/sun.nio.ch",
  "java.base/java.io",
  "java.base/java.lang.reflect",
  "java.base/java.lang",
  "java.base/java.util",
  "java.base/java.nio",
];

/** Heap of every node; override with `RSYLLA_HEAP` (e.g. `1g`). */
const HEAP = Deno.env.get("RSYLLA_HEAP") ?? "768m";

async function javaArgs(info: NodeInfo): Promise<string[]> {
  const p = nodePaths(info.name);
  const jamm = await jammJar();
  return [
    `-Xms${HEAP}`,
    `-Xmx${HEAP}`,
    "-Xss256k",
    "-XX:+UseG1GC",
    "-XX:+PerfDisableSharedMem",
    "-XX:+ExitOnOutOfMemoryError",
    "-ea",
    "-da:net.openhft...",
    "-Djava.net.preferIPv4Stack=true",
    "-Dchronicle.analytics.disable=true",
    "-Djdk.attach.allowAttachSelf=true",
    "-Dio.netty.tryReflectionSetAccessible=true",
    ...EXPORTS.map((m) => `--add-exports=${m}=ALL-UNNAMED`),
    ...OPENS.map((m) => `--add-opens=${m}=ALL-UNNAMED`),
    ...(jamm ? [`-javaagent:${jamm}`] : []),
    "-Dcassandra-foreground=yes",
    `-Dcassandra.config=file://${p.yaml}`,
    `-Dcassandra-rackdc.properties=file://${p.rackdc}`,
    `-Dlogback.configurationFile=${p.logback}`,
    `-Dcassandra.logdir=${p.logs}`,
    `-Djna.tmpdir=${p.tmp}`,
    `-Djava.io.tmpdir=${p.tmp}`,
    "-Dcassandra.skip_wait_for_gossip_to_settle=0",
    "-Dcassandra.superuser_setup_delay_ms=500",
    // Skips fsync-heavy schema flushes; test data is thrown away anyway. Not for cluster nodes:
    // tests SIGKILL and restart those, and they must come back with the schema they had.
    ...(info.kind === "single" ? ["-Dcassandra.unsafesystem=true"] : []),
    "-cp",
    `${JARS_DIR}/*`,
    "org.apache.cassandra.service.CassandraDaemon",
  ];
}

/** True if `pid` is alive and is the Cassandra of node `name` (not some reused pid). */
export async function isOurProcess(pid: number, name: string): Promise<boolean> {
  try {
    const cmdline = await Deno.readTextFile(`/proc/${pid}/cmdline`);
    return cmdline.includes("CassandraDaemon") &&
      cmdline.includes(`-Dcassandra.config=file://${nodePaths(name).yaml}\0`);
  } catch {
    return false;
  }
}

/** The live pid of node `name`, or `null`. */
export async function livePid(name: string): Promise<number | null> {
  const text = await Deno.readTextFile(nodePaths(name).pid).catch(() => "");
  const pid = Number(text.trim());
  return pid > 0 && await isOurProcess(pid, name) ? pid : null;
}

/** Starts the JVM detached, records its pid in the pid file and `info.json`. */
export async function spawnNode(info: NodeInfo): Promise<number> {
  const p = nodePaths(info.name);
  await Deno.remove(p.pid).catch(() => {});
  await Deno.mkdir(p.tmp, { recursive: true });
  // The inner bash writes its own pid, then execs java, so the pid file names the JVM.
  const script =
    `setsid bash -c 'echo $$ > "$0"; exec "$@"' "$@" >>"$RSYLLA_LOG" 2>&1 </dev/null &`;
  const out = await new Deno.Command("bash", {
    args: ["-c", script, "rsylla-start", p.pid, "java", ...await javaArgs(info)],
    env: { RSYLLA_LOG: p.stdoutLog },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`could not start java: ${new TextDecoder().decode(out.stderr)}`);
  }
  for (let i = 0; i < 100; i++) {
    const pid = await livePid(info.name);
    if (pid) {
      info.pid = pid;
      info.startedAt = new Date().toISOString();
      await saveInfo(info);
      return pid;
    }
    await sleep(50);
  }
  throw new Error(`java for ${info.name} exited at once:\n${await logTail(info.name)}`);
}

/**
 * Stops node `name` if it is running: SIGTERM, up to `graceMs`, then SIGKILL.
 * Resolves `true` if a process was stopped.
 */
export async function stopProcess(name: string, graceMs = 10_000): Promise<boolean> {
  const pid = await livePid(name);
  if (!pid) return false;
  Deno.kill(pid, graceMs > 0 ? "SIGTERM" : "SIGKILL");
  const deadline = Date.now() + graceMs;
  while (await isOurProcess(pid, name)) {
    if (Date.now() > deadline) {
      Deno.kill(pid, "SIGKILL");
      graceMs = Infinity;
    }
    await sleep(100);
  }
  await Deno.remove(nodePaths(name).pid).catch(() => {});
  return true;
}

/** Credentials for probing `info`'s node. */
function probeAuth(info: NodeInfo) {
  return info.auth ? { user: "cassandra", password: "cassandra" } : {};
}

/** True if some server answers CQL (OPTIONS, STARTUP) at ip:port right now. */
export async function answersCql(ip: string, port = 9042, auth = false): Promise<boolean> {
  try {
    const c = await CqlProbe.connect({
      host: ip,
      port,
      timeoutMs: 2000,
      ...(auth ? { user: "cassandra", password: "cassandra" } : {}),
    });
    c.close();
    return true;
  } catch (e) {
    // Asked for credentials we did not offer, or rejected ours: still a CQL server.
    return e instanceof CqlServerError ||
      (e instanceof Error && e.message.includes("requires authentication"));
  }
}

/** Someone else's server holds the address our node should listen on. */
class StrangerError extends Error {}

/**
 * Waits until the node answers `SELECT release_version FROM system.local` (logging in first
 * if it has auth). Fails early if the JVM dies.
 * @throws {Error} timeout or exit, with the tail of the node's logs in the message
 */
export async function waitReady(info: NodeInfo, timeoutMs = 180_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    if (info.pid && !(await isOurProcess(info.pid, info.name))) {
      throw new Error(`node ${info.name} exited during start\n${await logTail(info.name)}`);
    }
    try {
      const c = await CqlProbe.connect({
        host: info.ip,
        port: info.port,
        timeoutMs: 5000,
        ...probeAuth(info),
      });
      try {
        const rows = await c.query("SELECT release_version, cluster_name FROM system.local");
        const { release_version: v, cluster_name: cluster } = rows[0] ?? {};
        if (info.clusterName && cluster !== info.clusterName) {
          throw new StrangerError(
            `another server answers at ${info.ip}:${info.port} (cluster "${cluster}", ` +
              `ours is "${info.clusterName}"); stop it or pick another --ip`,
          );
        }
        if (v) return v;
      } finally {
        c.close();
      }
    } catch (e) {
      if (e instanceof StrangerError) throw e;
      last = (e as Error).message;
    }
    await sleep(500);
  }
  throw new Error(
    `node ${info.name} not ready after ${timeoutMs / 1000} s (last: ${last})\n${await logTail(
      info.name,
    )}`,
  );
}

/** Runs one query on a node (logging in if needed). */
export async function queryNode(info: NodeInfo, cql: string) {
  const c = await CqlProbe.connect({
    host: info.ip,
    port: info.port,
    timeoutMs: 10_000,
    ...probeAuth(info),
  });
  try {
    return await c.query(cql);
  } finally {
    c.close();
  }
}

/** The last `n` lines of the node's system.log and stdout log, labelled. */
export async function logTail(name: string, n = 40): Promise<string> {
  const p = nodePaths(name);
  const parts: string[] = [];
  for (const file of [p.systemLog, p.stdoutLog]) {
    if (!(await exists(file))) continue;
    const lines = (await Deno.readTextFile(file)).trimEnd().split("\n");
    parts.push(`--- last ${Math.min(n, lines.length)} lines of ${file}`, ...lines.slice(-n));
  }
  return parts.length ? parts.join("\n") : `(no logs in ${p.logs})`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
