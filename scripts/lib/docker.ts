/**
 * Optional `up --docker`: runs `scylladb/scylla` in a container instead of Cassandra's jars.
 * Only used when asked for and `docker info` succeeds; never exercised on machines without a
 * Docker daemon (including this project's CI), so the Maven path never depends on it.
 * @module
 */

import { CqlProbe } from "./cql_probe.ts";
import { type NodeInfo, saveInfo, writeNodeFiles } from "./node_config.ts";
import { since } from "./paths.ts";
import type { UpOptions } from "./single.ts";

const IMAGE = Deno.env.get("RSYLLA_SCYLLA_IMAGE") ?? "scylladb/scylla";

async function docker(args: string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await new Deno.Command("docker", {
      args,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    const td = new TextDecoder();
    return { ok: r.success, out: td.decode(r.stdout) + td.decode(r.stderr) };
  } catch {
    return { ok: false, out: "docker not installed" };
  }
}

/** True if a Docker daemon answers. */
export async function dockerAvailable(): Promise<boolean> {
  return (await docker(["info"])).ok;
}

/** Starts a ScyllaDB container publishing CQL on ip:port and waits for CQL. */
export async function dockerUp(o: UpOptions): Promise<number> {
  if (o.auth || o.tls || o.mtls) {
    console.error("--docker supports neither --auth nor --tls here; use the Cassandra path");
    return 1;
  }
  if (!(await dockerAvailable())) {
    console.error("--docker: `docker info` fails; run without --docker to use Cassandra");
    return 1;
  }
  const start = performance.now();
  const container = `rsylla-${o.name}`;
  await docker(["rm", "-f", container]);
  const run = await docker([
    "run",
    "-d",
    "--name",
    container,
    "-p",
    `${o.ip}:${o.port}:9042`,
    IMAGE,
    "--smp",
    "1",
    "--memory",
    "1G",
    "--overprovisioned",
    "1",
    "--developer-mode",
    "1",
  ]);
  if (!run.ok) {
    console.error(`docker run failed:\n${run.out}`);
    return 1;
  }
  const info: NodeInfo = {
    name: o.name,
    clusterName: "",
    ip: o.ip,
    port: o.port,
    kind: "single",
    auth: false,
    tls: false,
    mtls: false,
    token: "",
    seeds: "",
    snitch: "SimpleSnitch",
    dc: "datacenter1",
    rack: "rack1",
    cassandraVersion: IMAGE,
    docker: container,
  };
  await writeNodeFiles(info);
  await saveInfo(info);
  const deadline = Date.now() + o.timeoutMs;
  while (Date.now() < deadline) {
    try {
      const c = await CqlProbe.connect({ host: o.ip, port: o.port, timeoutMs: 3000 });
      const rows = await c.query("SELECT release_version FROM system.local");
      c.close();
      console.log(
        `ScyllaDB container ${container} ready (${rows[0]?.release_version}) in ${since(start)}`,
      );
      console.log(`contact point: ${o.ip}:${o.port}`);
      return 0;
    } catch {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  console.error((await docker(["logs", "--tail", "40", container])).out);
  await docker(["rm", "-f", container]);
  return 1;
}

/** Removes the container; true if one was there. */
export async function dockerDown(container: string): Promise<boolean> {
  return (await docker(["rm", "-f", container])).ok;
}
