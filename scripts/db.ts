/**
 * Dev and test databases: real Apache Cassandra from Maven Central jars, one JVM per node,
 * state under `.rsylla/` (see `scripts/lib/`).
 *
 * ```sh
 * deno run -A scripts/db.ts up [--auth] [--tls|--mtls] [--name N] [--ip 127.0.0.X] [--docker]
 * deno run -A scripts/db.ts down [--name N | --all]
 * deno run -A scripts/db.ts cluster-up [--dc-layout dc1:2,dc2:1 | --nodes N] [--num-tokens 16] [--replace]
 * deno run -A scripts/db.ts cluster-down
 * deno run -A scripts/db.ts node-kill <name> | node-start <name> | status | jars
 * ```
 * @module
 */

import { clusterDown, clusterUp } from "./lib/cluster.ts";
import { ensureJars } from "./lib/jars.ts";
import { since } from "./lib/paths.ts";
import { down, nodeKill, nodeStart, status, up } from "./lib/single.ts";

const USAGE = `usage: deno run -A scripts/db.ts <command> [options]
  up            start (or reuse) one node        --name single --ip 127.0.0.1 --port 9042
                                                 --auth --tls --mtls --docker --timeout 180
  down          stop single + secure             --name N | --all (every node, cluster too)
  cluster-up    start c1..cN on 127.0.0.1..N     --dc-layout dc1:2,dc2:1 (default: dc1 = c1 r1,
                                                 c2 r2; dc2 = c3 r1) | --nodes N (one DC)
                                                 --num-tokens 16 --replace
  cluster-down  stop the cluster
  node-kill N   SIGKILL node N, keep its data
  node-start N  restart node N with its data
  status        list nodes
  jars          only resolve the Cassandra jars`;

const BOOL = new Set(["auth", "tls", "mtls", "docker", "all", "replace", "help"]);
const VALUE = new Set(["name", "ip", "port", "timeout", "nodes", "dc-layout", "num-tokens"]);

function parse(args: string[]) {
  const flags: Record<string, string | boolean> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) {
      rest.push(a);
      continue;
    }
    const [key, inline] = a.slice(2).split("=", 2);
    if (BOOL.has(key)) flags[key] = true;
    else if (VALUE.has(key)) {
      const v = inline ?? args[++i];
      if (v === undefined) throw new Error(`--${key} needs a value`);
      flags[key] = v;
    } else throw new Error(`unknown option --${key}`);
  }
  return { flags, rest };
}

function num(v: string | boolean | undefined, fallback: number, what: string): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${what} must be a positive integer`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const { flags, rest } = parse(args);
  if (!command || flags.help) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const timeoutMs = num(flags.timeout, 180, "timeout") * 1000;
  switch (command) {
    case "up": {
      const ip = String(flags.ip ?? "127.0.0.1");
      if (!/^127\.\d+\.\d+\.\d+$/.test(ip)) throw new Error(`--ip must be a 127.x.y.z address`);
      return await up({
        name: String(flags.name ?? "single"),
        ip,
        port: num(flags.port, 9042, "port"),
        auth: flags.auth === true,
        tls: flags.tls === true,
        mtls: flags.mtls === true,
        docker: flags.docker === true,
        timeoutMs,
      });
    }
    case "down":
      return await down(flags.name as string | undefined, flags.all === true);
    case "cluster-up":
      return await clusterUp({
        nodes: flags.nodes === undefined ? 0 : num(flags.nodes, 3, "nodes"),
        dcLayout: String(flags["dc-layout"] ?? ""),
        numTokens: num(flags["num-tokens"], 16, "num-tokens"),
        replace: flags.replace === true,
        timeoutMs,
      });
    case "cluster-down":
      return await clusterDown();
    case "node-kill":
    case "node-start": {
      const name = rest[0] ?? flags.name;
      if (typeof name !== "string") throw new Error(`${command} needs a node name`);
      return command === "node-kill" ? await nodeKill(name) : await nodeStart(name, timeoutMs);
    }
    case "status":
      return await status();
    case "jars": {
      const t = performance.now();
      console.log(`Cassandra jars: ${await ensureJars()} (${since(t)})`);
      return 0;
    }
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`db.ts: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
