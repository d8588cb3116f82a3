/**
 * The side-by-side benchmark (issues 7, 16): rsylla-ts on Deno, Bun and Node against
 * its peers — DataStax `cassandra-driver` (Node, Bun, Deno), the Python
 * `rsylla`, `acsylla` and `scylla-driver` packages, and the ScyllaDB Rust
 * driver — on the same node, same schema, same workloads, same warm-up, in one run.
 *
 * ```sh
 * deno task bench                       # full run (~100 min on 2 cores; the estimate is printed first)
 * deno task bench --estimate-only       # print the estimate of the run these options make, exit
 * deno task bench --prepare-only        # install/build the peers (venv, npm, cargo) and exit
 * deno task bench --quick               # smoke run, tiny op counts (bench/results/quick.*)
 * deno run -A bench/run.ts --drivers rsylla-deno,datastax-node --workloads read_prepared
 * ```
 * Options: `--duration S` / `--ops N`, `--warmup S` / `--warmup-ops N` (per run),
 * `--concurrency 32,256`, `--workloads read,...,paged_read,paged_iter,batch`, `--paged-concurrency 4`,
 * `--paged-duration S`, `--drivers ids`, `--repeats N`, `--server-warmup S`,
 * `--null-workloads`, `--null-concurrency`, `--null-duration S`, `--null-warmup S`,
 * `--null-runtime bun|node`, `--memory-drivers ids`, `--inflight N`, `--memory-repeats N`,
 * `--tablets-drivers ids`, `--tablets-concurrency`, `--tablets-repeats N`, `--tablets-hosts`,
 * `--skip-real`, `--skip-null`, `--skip-memory`, `--skip-tablets`, `--skip-decode`,
 * `--skip-install`, `--rsylla-v4` (pin rsylla-ts to protocol v4, as the peers), `--system-node`
 * (the machine's `node` instead of Node 24 LTS from npm), `--host ip:port` with `--external` (do
 * not start a node), `--node-heap SIZE` (the bench node's JVM heap, `2g` by default), `--out NAME`
 * (results basename, default `latest`, `quick` with --quick, `smoke` with --no-load-check),
 * `--no-load-check` (SMOKE RUNS ONLY: runs on a busy machine, never writes `latest`).
 *
 * Every driver × workload × concurrency runs as its own client process (see
 * bench/clients/); the figures per process are the client's own JSON line plus
 * `/usr/bin/time` around it (peak RSS). Each cell runs `--repeats N` times (5 by default),
 * interleaved: repeat r of every cell and driver before repeat r + 1 of any, the drivers'
 * order rotated per cell, so no driver always runs first or on a node in the same state.
 * Before the first Cassandra cell the node is warmed up (`--server-warmup S`, 60 s by
 * default: fresh nodes answered 2–5× slower for every driver). The `-routing-forced` rows are
 * rsylla-ts with its single-node short-circuit off (real-node cells with a routing key only).
 * The null cluster (`--null-hosts`, three addresses 127.0.0.41–43) presents 16 vnodes per
 * node and RF 3, so every driver computes the routing key, token and replicas on every
 * request; the same server holds answers for the `inflight` memory runs. The tablets
 * simulation (bench/tablets_server.ts, 127.0.0.51–53:19142) runs `tablets_read` and reports
 * where each client's requests landed. The run refuses to start (and so to write results)
 * when the 1-minute load average exceeds the core count. A Cassandra run that fails is
 * followed by a probe of the node: a node that stopped answering is a "node incident" of the
 * report (with the log lines that say why), and is started again, warmed up, and the run
 * repeated; the failed run is left out of its cell.
 * Results: bench/results/NAME.{md,svg,json} and NAME-<mode>-<workload>.svg per workload.
 * @module
 */

import { ensureSchema } from "./lib/schema.ts";
import {
  installNodeLts,
  NODE_LTS,
  NODE_LTS_BIN,
  NODE_LTS_HOME,
  nodePackage,
} from "../scripts/lib/node_lts.ts";
import { heapOf, incidentOf, nodeAnswers } from "./lib/node_guard.ts";
import { renderMarkdown, renderSvg } from "./lib/report.ts";
import { PROTOCOL_PINNED_V4, servedCounts, servedTotal, workloadSvg } from "./lib/summary.ts";
import type {
  BenchReport,
  ClientResult,
  DecodeResult,
  NodeIncident,
  PeerStatus,
  RunRecord,
} from "./lib/types.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const CACHE = `${ROOT}.cache/bench`;
const DENO = Deno.execPath();
const BUN = `${ROOT}node_modules/.bin/bun`;
/** Names Node in a command; replaced by the binary the run uses (see `withNode`). */
const NODE = "node";
/**
 * The Node the Node clients run on: the current LTS, from the npm registry (`node-<os>-<arch>`).
 * The machine's Node 20 is past its end of life (April 2026) and its V8 costs our paged read
 * 20-30 % more CPU than Node 24's; `--system-node` runs the machine's instead.
 */
let nodeBin = NODE;

/** `cmd` with a leading `node` replaced by the Node this run uses. */
function withNode(cmd: string[]): string[] {
  return cmd[0] === NODE ? [nodeBin, ...cmd.slice(1)] : cmd;
}
const VENV = `${CACHE}/venv`;
/** `scripts/db.ts` name of the node the bench starts (its logs: .rsylla/nodes/bench/logs). */
const BENCH_NODE = "bench";
const PY = `${VENV}/bin/python`;
const RUST_BIN = `${CACHE}/rust-target/release/bench-rust`;
const TIME = "/usr/bin/time";

/** Peer versions installed when missing (the lead pins npm's in package.json). */
const PIP_PACKAGES = [
  { pkg: "rsylla", version: "0.1.1" },
  { pkg: "acsylla", version: "1.2.0" },
  { pkg: "scylla-driver", version: "3.29.12" },
];
const DATASTAX_VERSION = "4.10.0";

const ALL_WORKLOADS = [
  "read",
  "read_bind",
  "read_prepared",
  "write",
  "write_bind",
  "write_prepared",
  "paged_read",
  "paged_iter",
  "batch",
];

/** The paged workloads: 100 000 rows per operation, run at `--paged-concurrency`. */
function isPaged(w: string): boolean {
  return w === "paged_read" || w === "paged_iter";
}

/**
 * `paged_iter` reads through rsylla-ts's `session.iter()`; no peer has that workload. The floor
 * client runs `read_prepared` only.
 */
function runsWorkload(d: Driver, w: string): boolean {
  if (d.routingForced) return FORCED_WORKLOADS.includes(w);
  if (d.floor) return w === "read_prepared";
  return w !== "paged_iter" || d.id.startsWith("rsylla-");
}

/**
 * Clients run against the tablets simulation: every one that negotiates TABLETS_ROUTING_V1
 * (DataStax `cassandra-driver` has no tablets support and no `tablets_read` workload).
 */
const TABLETS_DRIVERS = [
  "rsylla-deno",
  "rsylla-bun",
  "rsylla-node",
  "rust",
  "py-rsylla",
  "py-acsylla",
  "py-scylla",
];

/**
 * Workloads the `-routing-forced` rows run against the real node: those with a routing key
 * (an unprepared `read` has none, and paged_read routes once per 5 000 rows).
 */
const FORCED_WORKLOADS = ["read_prepared", "write_prepared", "batch", "read_bind", "write_bind"];

/** A client: how to start it and what it needs installed. */
interface Driver {
  id: string;
  cmd: string[];
  needs: string;
  /** Extra client arguments (the routing-forced rows). */
  args?: string[];
  /** rsylla-ts with the single-node short-circuit off: real-node cells only. */
  routingForced?: boolean;
  /** JavaScript client: reports JS heap, runs the `inflight` memory measurement. */
  js?: boolean;
  /**
   * Not a driver: bench/clients/floor.ts, pre-built EXECUTE frames through rsylla-ts's socket
   * shim, the least any client on that runtime spends per request. `read_prepared` only.
   */
  floor?: boolean;
}

const DENO_RSYLLA = [DENO, "run", "-A", "bench/clients/rsylla.ts"];
const FORCED = ["--routing-forced"];

const DRIVERS: Driver[] = [
  { id: "rsylla-deno", cmd: DENO_RSYLLA, needs: "", js: true },
  {
    id: "rsylla-deno-routing-forced",
    cmd: DENO_RSYLLA,
    needs: "",
    args: FORCED,
    routingForced: true,
  },
  { id: "rsylla-bun", cmd: [BUN, "bench/clients/rsylla.ts"], needs: "", js: true },
  {
    id: "rsylla-bun-routing-forced",
    cmd: [BUN, "bench/clients/rsylla.ts"],
    needs: "",
    args: FORCED,
    routingForced: true,
  },
  { id: "rsylla-node", cmd: [NODE, `${CACHE}/rsylla_node.mjs`], needs: "bundle", js: true },
  {
    id: "rsylla-node-routing-forced",
    cmd: [NODE, `${CACHE}/rsylla_node.mjs`],
    needs: "bundle",
    args: FORCED,
    routingForced: true,
  },
  {
    id: "datastax-node",
    cmd: [NODE, "bench/clients/datastax.mjs"],
    needs: "datastax",
    js: true,
  },
  { id: "datastax-bun", cmd: [BUN, "bench/clients/datastax.mjs"], needs: "datastax", js: true },
  {
    id: "datastax-deno",
    cmd: [DENO, "run", "-A", "bench/clients/datastax.mjs"],
    needs: "datastax",
    js: true,
  },
  { id: "py-rsylla", cmd: [PY, "bench/clients/py_rsylla.py"], needs: "pip:rsylla" },
  { id: "py-acsylla", cmd: [PY, "bench/clients/py_acsylla.py"], needs: "pip:acsylla" },
  { id: "py-scylla", cmd: [PY, "bench/clients/py_scylla.py"], needs: "pip:scylla-driver" },
  { id: "rust", cmd: [RUST_BIN], needs: "cargo" },
  {
    id: "floor-deno",
    cmd: [DENO, "run", "-A", "bench/clients/floor.ts"],
    needs: "",
    floor: true,
  },
  { id: "floor-bun", cmd: [BUN, "bench/clients/floor.ts"], needs: "", floor: true },
];

/**
 * Seconds a client process costs beyond its warm-up and measured phase (start-up, connect,
 * prepare, exit), for the estimate printed at start: measured in smoke runs on the 2-core
 * machine (see bench/README.md).
 */
function startCost(d: Driver): number {
  if (d.id === "rust") return 0.15;
  if (d.id === "py-scylla" || d.id.startsWith("datastax-")) return 0.45;
  return 0.3;
}

/** The command of a driver, with the runtime's flag that exposes `gc()` for `inflight`. */
function withGc(cmd: string[]): string[] {
  if (cmd[0] === DENO) return [DENO, "run", "--v8-flags=--expose-gc", ...cmd.slice(2)];
  if (cmd[0] === NODE) return [NODE, "--expose-gc", ...cmd.slice(1)];
  return cmd; // Bun: Bun.gc(true)
}

// ---------------------------------------------------------------- options

interface Options {
  quick: boolean;
  duration: number;
  ops: number;
  warmup: number;
  warmupOps: number;
  concurrency: number[];
  workloads: string[];
  pagedConcurrency: number[];
  pagedDuration: number;
  pagedOps: number;
  drivers: string[];
  nullWorkloads: string[];
  nullConcurrency: number[];
  nullDuration: number;
  nullOps: number;
  nullRuntime: "bun" | "node";
  nullWarmup: number;
  memoryDrivers: string[];
  inflight: number;
  memoryRepeats: number;
  skipMemory: boolean;
  tabletsDrivers: string[];
  tabletsConcurrency: number[];
  tabletsRepeats: number;
  tabletsHost: string;
  skipTablets: boolean;
  prepareOnly: boolean;
  estimateOnly: boolean;
  noLoadCheck: boolean;
  skipReal: boolean;
  skipNull: boolean;
  skipDecode: boolean;
  skipInstall: boolean;
  /** rsylla-ts pinned to protocol v4, the version every peer speaks. */
  rsyllaV4: boolean;
  /** Node clients on the machine's `node` instead of {@link NODE_LTS}. */
  systemNode: boolean;
  host: string;
  /** Comma-separated `ip:port` of the null cluster (one process listens on all). */
  nullHost: string;
  repeats: number;
  serverWarmup: number;
  external: boolean;
  /** JVM heap of the bench node (`-Xms`/`-Xmx`). */
  nodeHeap: string;
  decodeSeconds: number;
  out: string;
}

function parseOptions(args: string[]): Options {
  const quick = args.includes("--quick");
  const noLoadCheck = args.includes("--no-load-check");
  const o: Options = {
    quick,
    duration: quick ? 0 : 1.5,
    ops: quick ? 2000 : 0,
    // Long enough for the JIT runtimes to reach their optimized code: with 0.5 s, compilation
    // and unoptimized code were ~30 % of a JS client's measured CPU (batch, c = 32: Deno 17.3
    // → 11.8 µs/op, Bun 16.2 → 11.0 with 3 s; Rust 8.7 → 8.8). Every driver gets the same.
    warmup: quick ? 0 : 2,
    warmupOps: quick ? 300 : 0,
    concurrency: quick ? [32] : [1, 32, 256],
    workloads: ["read_prepared", "write_prepared", "read", "batch", "paged_read", "paged_iter"],
    pagedConcurrency: quick ? [2] : [1, 32],
    pagedDuration: 1.5,
    pagedOps: quick ? 4 : 0,
    drivers: DRIVERS.map((d) => d.id),
    nullWorkloads: ["read_prepared", "write_prepared", "read", "batch"],
    nullConcurrency: quick ? [32] : [1, 32, 256],
    nullDuration: quick ? 0 : 1,
    nullOps: quick ? 5000 : 0,
    nullRuntime: "bun",
    nullWarmup: 2,
    memoryDrivers: DRIVERS.filter((d) => d.js).map((d) => d.id),
    inflight: 10_000,
    memoryRepeats: quick ? 1 : 5,
    skipMemory: false,
    tabletsDrivers: TABLETS_DRIVERS,
    tabletsConcurrency: [32],
    tabletsRepeats: quick ? 1 : 5,
    tabletsHost: "127.0.0.51:19142,127.0.0.52:19142,127.0.0.53:19142",
    skipTablets: false,
    prepareOnly: false,
    estimateOnly: false,
    noLoadCheck,
    skipReal: false,
    skipNull: false,
    skipDecode: false,
    skipInstall: false,
    rsyllaV4: false,
    systemNode: false,
    host: "127.0.0.3:9042",
    nullHost: "127.0.0.41:9042,127.0.0.42:9042,127.0.0.43:9042",
    repeats: quick ? 1 : 5,
    serverWarmup: quick ? 0 : 60,
    external: false,
    nodeHeap: "2g",
    decodeSeconds: quick ? 0.5 : 1,
    out: quick ? "quick" : noLoadCheck ? "smoke" : "latest",
  };
  const list = (s: string) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const nums = (s: string) => list(s).map(Number);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const v = () => {
      const x = args[++i];
      if (x === undefined) throw new Error(`${a} needs a value`);
      return x;
    };
    switch (a) {
      case "--quick":
      case "--no-load-check":
        break;
      case "--prepare-only":
        o.prepareOnly = true;
        break;
      case "--estimate-only":
        o.estimateOnly = true;
        break;
      case "--null-warmup":
        o.nullWarmup = Number(v());
        break;
      case "--memory-drivers":
        o.memoryDrivers = list(v());
        break;
      case "--inflight":
        o.inflight = Number(v());
        break;
      case "--memory-repeats":
        o.memoryRepeats = Number(v());
        break;
      case "--skip-memory":
        o.skipMemory = true;
        break;
      case "--tablets-drivers":
        o.tabletsDrivers = list(v());
        break;
      case "--tablets-concurrency":
        o.tabletsConcurrency = nums(v());
        break;
      case "--tablets-repeats":
        o.tabletsRepeats = Number(v());
        break;
      case "--tablets-hosts":
        o.tabletsHost = v();
        break;
      case "--skip-tablets":
        o.skipTablets = true;
        break;
      case "--rsylla-v4":
        o.rsyllaV4 = true;
        break;
      case "--system-node":
        o.systemNode = true;
        break;
      case "--duration":
        o.duration = Number(v());
        o.ops = 0;
        break;
      case "--ops":
        o.ops = Number(v());
        o.duration = 0;
        break;
      case "--warmup":
        o.warmup = Number(v());
        o.warmupOps = 0;
        break;
      case "--warmup-ops":
        o.warmupOps = Number(v());
        o.warmup = 0;
        break;
      case "--concurrency":
        o.concurrency = nums(v());
        break;
      case "--workloads":
        o.workloads = list(v());
        break;
      case "--paged-concurrency":
        o.pagedConcurrency = nums(v());
        break;
      case "--paged-duration":
        o.pagedDuration = Number(v());
        o.pagedOps = 0;
        break;
      case "--drivers":
        o.drivers = list(v());
        break;
      case "--null-workloads":
        o.nullWorkloads = list(v());
        break;
      case "--null-concurrency":
        o.nullConcurrency = nums(v());
        break;
      case "--null-duration":
        o.nullDuration = Number(v());
        o.nullOps = 0;
        break;
      case "--null-runtime": {
        const r = v();
        if (r !== "bun" && r !== "node") throw new Error("--null-runtime is bun or node");
        o.nullRuntime = r;
        break;
      }
      case "--skip-real":
        o.skipReal = true;
        break;
      case "--skip-null":
        o.skipNull = true;
        break;
      case "--skip-decode":
        o.skipDecode = true;
        break;
      case "--skip-install":
        o.skipInstall = true;
        break;
      case "--host":
        o.host = v();
        break;
      case "--null-host":
      case "--null-hosts":
        o.nullHost = v();
        break;
      case "--repeats":
        o.repeats = Number(v());
        break;
      case "--server-warmup":
        o.serverWarmup = Number(v());
        break;
      case "--external":
        o.external = true;
        break;
      case "--node-heap":
        o.nodeHeap = v();
        break;
      case "--decode-seconds":
        o.decodeSeconds = Number(v());
        break;
      case "--out":
        o.out = v();
        break;
      default:
        throw new Error(`unknown option ${a} (see the header of bench/run.ts)`);
    }
  }
  for (const w of [...o.workloads, ...o.nullWorkloads]) {
    if (!ALL_WORKLOADS.includes(w)) throw new Error(`unknown workload ${w}`);
  }
  for (const d of [...o.drivers, ...o.memoryDrivers, ...o.tabletsDrivers]) {
    if (!DRIVERS.some((x) => x.id === d)) {
      throw new Error(`unknown driver ${d}; known: ${DRIVERS.map((x) => x.id).join(", ")}`);
    }
  }
  for (const d of o.memoryDrivers) {
    if (!DRIVERS.find((x) => x.id === d)!.js) {
      throw new Error(`--memory-drivers: ${d} is not a JavaScript client`);
    }
  }
  if (o.noLoadCheck && o.out === "latest") {
    throw new Error("--no-load-check is for smoke runs: it never writes bench/results/latest.*");
  }
  return o;
}

// ---------------------------------------------------------------- helpers

const T0 = performance.now();

function log(msg: string): void {
  const s = Math.floor((performance.now() - T0) / 1000);
  const stamp = `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  console.log(`[${stamp}] ${msg}`);
}

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

async function exec(
  cmd: string[],
  opts: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Exec> {
  cmd = withNode(cmd);
  try {
    const child = new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      cwd: ROOT,
      env: { NO_COLOR: "1", PYTHONDONTWRITEBYTECODE: "1", ...opts.env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = opts.timeoutMs
      ? setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
      }, opts.timeoutMs)
      : undefined;
    const out = await child.output();
    clearTimeout(timer);
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  } catch (e) {
    return { code: 127, stdout: "", stderr: (e as Error).message };
  }
}

function lastLines(s: string, n = 3): string {
  return s.split("\n").map((l) => l.trim()).filter(Boolean).slice(-n).join(" / ").slice(0, 400);
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function firstLine(cmd: string[]): Promise<string> {
  const r = await exec(cmd, { timeoutMs: 20_000 });
  return r.code === 0 ? (r.stdout || r.stderr).split("\n")[0].trim() : "not available";
}

// ---------------------------------------------------------------- peers

/** Installs Node {@link NODE_LTS} from the npm registry (scripts/lib/node_lts.ts) and runs with it. */
async function prepareNode(o: Options): Promise<PeerStatus> {
  let detail = "--skip-install";
  if (!o.skipInstall || await exists(NODE_LTS_BIN)) {
    try {
      nodeBin = await installNodeLts(log);
    } catch (e) {
      detail = (e as Error).message;
    }
  }
  const ok = nodeBin === NODE_LTS_BIN;
  return {
    peer: `Node ${NODE_LTS} (npm ${nodePackage()})`,
    ok,
    detail: ok
      ? NODE_LTS_HOME.slice(ROOT.length)
      : `not installed (${detail}): the Node rows run on the machine's node`,
  };
}

async function preparePeers(o: Options): Promise<{ peers: PeerStatus[]; ready: Set<string> }> {
  const peers: PeerStatus[] = [];
  const ready = new Set<string>([""]);
  const want = new Set(
    [
      ...o.drivers,
      ...(o.skipMemory ? [] : o.memoryDrivers),
      ...(o.skipTablets ? [] : o.tabletsDrivers),
    ].map((d) => DRIVERS.find((x) => x.id === d)!.needs),
  );

  if (!o.systemNode) peers.push(await prepareNode(o));

  // rsylla-ts on Node: a bun-built bundle (Node 20 cannot run .ts).
  if (want.has("bundle") || !o.skipDecode) {
    const b = await exec([
      BUN,
      "build",
      "bench/clients/rsylla.ts",
      "--target=node",
      `--outfile=${CACHE}/rsylla_node.mjs`,
    ]);
    peers.push({
      peer: "rsylla-ts Node bundle (bun build)",
      ok: b.code === 0,
      detail: b.code === 0 ? ".cache/bench/rsylla_node.mjs" : lastLines(b.stderr),
    });
    if (b.code === 0) ready.add("bundle");
  }

  if (want.has("datastax") || !o.skipDecode) {
    const pkg = `${ROOT}node_modules/cassandra-driver/package.json`;
    let version = (await exists(pkg)) ? JSON.parse(await Deno.readTextFile(pkg)).version : null;
    let detail = "";
    if (version !== DATASTAX_VERSION && !o.skipInstall) {
      log(`installing npm cassandra-driver@${DATASTAX_VERSION} (npm install --no-save)…`);
      const r = await exec(
        ["npm", "install", "--no-save", `cassandra-driver@${DATASTAX_VERSION}`],
        {
          timeoutMs: 300_000,
        },
      );
      if (r.code !== 0) detail = lastLines(r.stderr);
      version = (await exists(pkg)) ? JSON.parse(await Deno.readTextFile(pkg)).version : null;
    }
    peers.push({
      peer: "DataStax cassandra-driver (npm)",
      ok: version !== null,
      detail: version ? `${version}` : detail || "not installed",
    });
    if (version) ready.add("datastax");
  }

  const pip = PIP_PACKAGES.filter((p) => want.has(`pip:${p.pkg}`));
  if (pip.length) {
    if (!(await exists(PY)) && !o.skipInstall) {
      log("creating the Python venv .cache/bench/venv…");
      const r = await exec(["python3", "-m", "venv", VENV], { timeoutMs: 120_000 });
      if (r.code !== 0) log(`  venv failed: ${lastLines(r.stderr)}`);
    }
    for (const p of pip) {
      const probe = [PY, "-c", `import importlib.metadata as m; print(m.version("${p.pkg}"))`];
      let v = await exec(probe);
      let detail = "";
      if ((v.code !== 0 || v.stdout.trim() !== p.version) && !o.skipInstall) {
        log(`installing PyPI ${p.pkg}==${p.version} into the venv…`);
        const r = await exec([PY, "-m", "pip", "install", "-q", `${p.pkg}==${p.version}`], {
          timeoutMs: 600_000,
        });
        if (r.code !== 0) detail = lastLines(r.stderr);
        v = await exec(probe);
      }
      const ok = v.code === 0;
      peers.push({
        peer: `${p.pkg} (PyPI)`,
        ok,
        detail: ok ? v.stdout.trim() : detail || lastLines(v.stderr),
      });
      if (ok) ready.add(`pip:${p.pkg}`);
    }
  }

  if (want.has("cargo")) {
    log("building the Rust client (cargo build --release; first time takes minutes)…");
    const t = performance.now();
    // Niced: the build shares the 2 cores with whatever else runs.
    const r = await exec([
      "nice",
      "-n",
      "10",
      "cargo",
      "build",
      "--release",
      "--quiet",
      "--manifest-path",
      "bench/clients/rust/Cargo.toml",
    ], { env: { CARGO_TARGET_DIR: `${CACHE}/rust-target` }, timeoutMs: 1_200_000 });
    const ok = r.code === 0 && (await exists(RUST_BIN));
    peers.push({
      peer: "scylla crate (Rust, crates.io)",
      ok,
      detail: ok
        ? `built in ${((performance.now() - t) / 1000).toFixed(0)} s`
        : lastLines(r.stderr, 5),
    });
    if (ok) ready.add("cargo");
  }
  return { peers, ready };
}

// ---------------------------------------------------------------- runs

/** `xs` rotated left by `k` (drivers' order per cell and repeat). */
function rotate<T>(xs: T[], k: number): T[] {
  const n = xs.length;
  if (n === 0) return xs;
  const s = ((k % n) + n) % n;
  return [...xs.slice(s), ...xs.slice(0, s)];
}

let runSeq = 0;

async function runOne(
  d: Driver,
  mode: RunRecord["mode"],
  workload: string,
  c: number,
  host: string,
  load: { duration: number; ops: number; warmup: number; warmupOps: number },
  inflight = 0,
  keyspace?: string,
): Promise<RunRecord> {
  const args = [
    "--workload",
    workload,
    "--concurrency",
    String(c),
    "--hosts",
    host,
    ...(load.ops ? ["--ops", String(load.ops)] : ["--duration", String(load.duration)]),
    ...(load.warmupOps
      ? ["--warmup-ops", String(load.warmupOps)]
      : ["--warmup", String(load.warmup)]),
    ...(mode !== "cassandra" ? ["--null"] : []),
    ...(inflight ? ["--inflight", String(inflight)] : []),
    ...(keyspace ? ["--keyspace", keyspace] : []),
    ...(d.args ?? []),
  ];
  const base = withNode(inflight ? withGc(d.cmd) : d.cmd);
  const limit = Math.ceil(load.ops ? 240 : load.duration + load.warmup + 90);
  const timeFile = `${CACHE}/time.${Deno.pid}.${++runSeq}.tmp`;
  const useTime = await exists(TIME);
  const cmd = useTime
    ? [
      TIME,
      "-f",
      "%e %U %S %M",
      "-o",
      timeFile,
      "timeout",
      "-k",
      "5",
      String(limit),
      ...base,
      ...args,
    ]
    : [...base, ...args];
  const r = await exec(cmd, { timeoutMs: (limit + 15) * 1000 });
  const rec: RunRecord = {
    mode,
    id: d.id,
    workload,
    concurrency: inflight || c,
    result: null,
    proc: null,
    error: null,
  };
  if (useTime) {
    try {
      const t = (await Deno.readTextFile(timeFile)).trim().split("\n").pop()!.split(/\s+/).map(
        Number,
      );
      rec.proc = { wall_s: t[0], cpu_s: t[1] + t[2], maxrss_kb: t[3] };
      await Deno.remove(timeFile);
    } catch { /* no timing: the client was killed */ }
  }
  const line = r.stdout.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("{")).pop();
  if (line) {
    try {
      rec.result = JSON.parse(line) as ClientResult;
    } catch { /* reported below */ }
  }
  const firstError = r.stderr.split("\n").find((l) => l.startsWith("first error:"));
  if (!rec.result) {
    rec.error = r.code === 124 || r.code === 137
      ? `timed out after ${limit} s`
      : `exit ${r.code}: ${lastLines(r.stderr)}`;
  } else if (rec.result.errors > 0 && firstError) {
    rec.error = firstError.slice(0, 200);
  }
  return rec;
}

/** Each node's share of a null-cluster run's EXECUTEs and BATCHes, e.g. `34/33/33 %`. */
function sharesText(rec: RunRecord): string {
  if (!servedCounts(rec)) return "– (QUERYs are not counted)";
  const served = rec.served!;
  const total = servedTotal(served);
  return `${Object.values(served).map((v) => Math.round(100 * v / total)).join("/")} %`;
}

function progress(n: number, total: number, rec: RunRecord): void {
  const tag = `[${String(n).padStart(3)}/${total}] ${
    rec.mode === "cassandra" ? "" : `${rec.mode} `
  }${rec.workload} c=${rec.concurrency} ${rec.id}`;
  if (!rec.result) {
    log(`${tag.padEnd(56)} FAILED ${rec.error}`);
    return;
  }
  const c = rec.result;
  const rss = rec.proc?.maxrss_kb ?? c.rss_kb;
  const t = rec.tablets;
  const landing = t && t.requests
    ? `  on replica shard ${(100 * t.onReplicaShard / t.requests).toFixed(1)} % (node ${
      (100 * t.onReplica / t.requests).toFixed(1)
    } %, v1 on ${t.v1}/${t.connections} conns)`
    : rec.served
    ? `  per node ${sharesText(rec)}`
    : "";
  if (c.inflight) {
    const m = c.inflight;
    log(
      `${tag.padEnd(56)} ${m.held_by_server} held; per request: RSS ${
        Math.round(m.rss_bytes_per_request)
      } B, JS heap ${Math.round(m.heap_bytes_per_request)} B (gc ${
        m.gc_forced ? "forced" : "NOT forced"
      }); after warm-up RSS ${Math.round((c.rss_warm_kb ?? 0) / 1024)} MB, heap ${
        Math.round((c.heap_warm_kb ?? 0) / 1024)
      } MB` + (c.errors ? `  errors ${c.errors}` : "") +
        (rec.error ? `  (${rec.error.slice(0, 80)})` : ""),
    );
    return;
  }
  log(
    `${tag.padEnd(56)} ${Math.round(c.ops_per_s).toString().padStart(7)} ops/s ` +
      `${(c.cpu_us_per_op ?? NaN).toFixed(1).padStart(7)} µs/op  p99 ${
        ((c.lat_us.p99 ?? 0) / 1000).toFixed(2)
      } ms  rss ${rss ? Math.round(rss / 1024) : "?"} MB` + landing +
      (c.errors ? `  errors ${c.errors}` : "") + (rec.error ? `  (${rec.error.slice(0, 80)})` : ""),
  );
}

/** The tablets simulation (bench/tablets_server.ts) as a child driven line by line. */
interface TabletsServer {
  child: Deno.ChildProcess;
  ask(cmd: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function startTabletsServer(o: Options): Promise<TabletsServer> {
  const hosts = o.tabletsHost.split(",").map((h) => h.split(":")[0]);
  const port = o.tabletsHost.split(",")[0].split(":")[1] ?? "19142";
  const child = new Deno.Command(DENO, {
    args: ["run", "-A", "bench/tablets_server.ts", "--hosts", hosts.join(","), "--port", port],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  const lines = lineReader(child.stdout, "tablets server");
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 30_000);
  try {
    const first = await lines.next();
    if (!first.startsWith("listening")) throw new Error(`tablets server: ${first}`);
  } finally {
    clearTimeout(killer);
  }
  const enc = new TextEncoder();
  return {
    child,
    async ask(cmd) {
      await writer.write(enc.encode(cmd + "\n"));
      return JSON.parse(await lines.next());
    },
    async close() {
      try {
        await writer.write(enc.encode("quit\n"));
        await writer.close();
      } catch { /* gone */ }
      const t = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
      }, 10_000);
      await child.status;
      clearTimeout(t);
      await lines.cancel();
    },
  };
}

/** The null server as a child process; `served()` reads (and restarts) its per-address counts. */
interface NullServer {
  child: Deno.ChildProcess;
  runtime: string;
  served(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

async function startNullServer(o: Options): Promise<NullServer> {
  const hosts = o.nullHost.split(",").map((h) => h.split(":")[0]);
  const port = o.nullHost.split(",")[0].split(":")[1];
  let cmd: string[];
  if (o.nullRuntime === "node") {
    const b = await exec([
      BUN,
      "build",
      "bench/null_server.ts",
      "--target=node",
      `--outfile=${CACHE}/null_server.mjs`,
    ]);
    if (b.code !== 0) throw new Error(`bundling the null server failed: ${lastLines(b.stderr)}`);
    cmd = withNode([NODE, `${CACHE}/null_server.mjs`]);
  } else cmd = [BUN, "bench/null_server.ts"];
  const child = new Deno.Command(cmd[0], {
    args: [...cmd.slice(1), "--hosts", hosts.join(","), "--port", port ?? "9042"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = lineReader(child.stdout, "null server");
  const killer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
  }, 15_000);
  try {
    const first = await lines.next();
    if (!first.startsWith("listening")) throw new Error(`null server: ${first}`);
  } finally {
    clearTimeout(killer);
  }
  const writer = child.stdin.getWriter();
  const enc = new TextEncoder();
  return {
    child,
    runtime: o.nullRuntime,
    async served() {
      await writer.write(enc.encode("served\n"));
      return JSON.parse(await lines.next());
    },
    async close() {
      try {
        child.kill("SIGTERM");
      } catch { /* gone */ }
      await child.status;
      await writer.close().catch(() => {});
      await lines.cancel();
    },
  };
}

/** A child's output read line by line; the children say nothing unasked, so no pipe fills. */
interface LineReader {
  next(): Promise<string>;
  cancel(): Promise<void>;
}

function lineReader(stream: ReadableStream<Uint8Array>, name: string): LineReader {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  return {
    async next() {
      for (;;) {
        const i = buf.indexOf("\n");
        if (i >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          return line;
        }
        const { value, done } = await reader.read();
        if (done) throw new Error(`${name} closed its output ${buf}`.trim());
        buf += value;
      }
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const argv = Deno.args;
  const o = parseOptions(argv);
  await Deno.mkdir(CACHE, { recursive: true });
  await Deno.mkdir(`${ROOT}bench/results`, { recursive: true });
  const started = new Date();
  const loadStart = Deno.loadavg();
  // Read before any cell runs: the code the run measures, not what the tree holds at its end.
  const commit = await gitCommit();
  const cores = navigator.hardwareConcurrency;
  log(`rsylla bench${o.quick ? " (quick)" : ""}: ${cores} cores, load ${loadStart.join(" ")}`);
  if (loadStart[0] > cores && !o.prepareOnly && !o.estimateOnly) {
    if (!o.noLoadCheck) {
      console.error(
        `bench: the 1-minute load average (${loadStart[0]}) exceeds the core count (${cores}): ` +
          "other work would be measured too. Not running, no results written.",
      );
      Deno.exit(3);
    }
    log(
      `  load check BYPASSED (--no-load-check): a smoke run, written to ` +
        `bench/results/${o.out}.*, not for comparison`,
    );
  }

  const versions: Record<string, string> = {
    deno: Deno.version.deno,
    bun: await firstLine([BUN, "--version"]),
    python: (await firstLine(["python3", "--version"])).replace(/^Python /, ""),
    rustc: (await firstLine(["rustc", "--version"])).replace(/^rustc /, ""),
  };

  log("preparing peers…");
  const { peers, ready } = await preparePeers(o);
  versions.node = await firstLine([NODE, "--version"]);
  for (const p of peers) log(`  ${p.ok ? "ok " : "NO "} ${p.peer}: ${p.detail}`);
  if (o.prepareOnly) {
    log(`--prepare-only: peers ${peers.every((p) => p.ok) ? "ready" : "NOT all ready"}`);
    if (!peers.every((p) => p.ok)) Deno.exit(1);
    return;
  }
  const usable = (d: Driver) => {
    if (ready.has(d.needs)) return true;
    log(`  skipping ${d.id}: ${d.needs} not available`);
    return false;
  };
  // The peers speak v4; rsylla-ts negotiates v5 with Cassandra 5 unless pinned (the null
  // cluster is v4 only, so it is v4 there either way).
  const pinned = (d: Driver): Driver =>
    o.rsyllaV4 && d.id.startsWith("rsylla-")
      ? { ...d, args: [...(d.args ?? []), "--protocol", "4"] }
      : d;
  const drivers = o.drivers.map((id) => DRIVERS.find((d) => d.id === id)!).filter(usable)
    .map(pinned);
  const memDrivers = o.skipMemory || o.skipNull
    ? []
    : o.memoryDrivers.map((id) => DRIVERS.find((d) => d.id === id)!).filter(usable);
  const tabDrivers = o.skipTablets
    ? []
    : o.tabletsDrivers.map((id) => DRIVERS.find((d) => d.id === id)!).filter(usable);

  const runs: RunRecord[] = [];
  const incidents: NodeIncident[] = [];
  /** The bench node's JVM heap as it runs (a reused node keeps its own). */
  let nodeHeap: string | null = null;
  /** One cell: a workload at a concurrency, with the drivers that run it. */
  type Cell = { w: string; c: number; ds: Driver[] };
  const realPlan: Cell[] = [];
  if (!o.skipReal) {
    for (const w of o.workloads) {
      const ds = drivers.filter((d) => runsWorkload(d, w));
      for (const c of isPaged(w) ? o.pagedConcurrency : o.concurrency) {
        realPlan.push({ w, c, ds });
      }
    }
  }
  const nullPlan: Cell[] = [];
  if (!o.skipNull) {
    // On the null cluster every driver routes anyway: the routing-forced rows would repeat ours.
    const nullDrivers = drivers.filter((d) => !d.routingForced);
    for (const w of o.nullWorkloads) {
      const ds = nullDrivers.filter((d) => runsWorkload(d, w));
      for (const c of o.nullConcurrency) nullPlan.push({ w, c, ds });
    }
  }
  const pagedLoad = {
    duration: o.pagedOps ? 0 : o.pagedDuration,
    ops: o.pagedOps,
    warmup: o.pagedOps ? 0 : o.warmup || 0.5,
    warmupOps: o.pagedOps ? 1 : 0,
  };
  const realLoad = { duration: o.duration, ops: o.ops, warmup: o.warmup, warmupOps: o.warmupOps };
  const nullLoad = {
    duration: o.nullDuration,
    ops: o.nullOps,
    warmup: o.nullOps ? 0 : o.nullWarmup,
    warmupOps: o.nullOps ? Math.max(300, o.warmupOps) : 0,
  };
  const memLoad = { duration: 0, ops: 1, warmup: 0.5, warmupOps: 0 };

  // The estimate: every run's warm-up + measured phase + its process's start-up cost, and for
  // paged_read the tail of both phases (each waits for the reads in flight: ~0.15 s per
  // concurrent 100 000-row read, measured).
  const phaseS = (l: typeof realLoad) => l.ops ? 1 : l.duration + l.warmup;
  const tailS = (w: string, c: number) => (isPaged(w) ? 0.15 * c : 0);
  const runsOf = (plan: Cell[]) => plan.reduce((n, x) => n + x.ds.length, 0);
  const secsOf = (plan: Cell[], load: (w: string) => typeof realLoad) =>
    plan.reduce(
      (t, x) =>
        t + x.ds.reduce((u, d) => u + phaseS(load(x.w)) + tailS(x.w, x.c) + startCost(d), 0),
      0,
    ) * o.repeats;
  const realS = secsOf(realPlan, (w) => isPaged(w) ? pagedLoad : realLoad);
  const nullS = secsOf(nullPlan, () => nullLoad);
  const memS = memDrivers.reduce((t, d) => t + 1.6 + startCost(d), 0) * o.memoryRepeats;
  const tabS = tabDrivers.reduce((t, d) => t + phaseS(nullLoad) + startCost(d) + 0.3, 0) *
      o.tabletsConcurrency.length * o.tabletsRepeats + (tabDrivers.length ? 3 : 0);
  const warmS = realPlan.length ? o.serverWarmup : 0;
  const decodeS = o.skipDecode ? 0 : 3 * (4 * o.decodeSeconds + 2);
  const estimate = realS + nullS + memS + tabS + warmS + decodeS;
  const total = (runsOf(realPlan) + runsOf(nullPlan)) * o.repeats +
    memDrivers.length * o.memoryRepeats +
    tabDrivers.length * o.tabletsConcurrency.length * o.tabletsRepeats;
  log(
    `estimate: ${(estimate / 60).toFixed(0)} min — Cassandra ${realPlan.length} cells, ` +
      `${runsOf(realPlan)} driver runs × ${o.repeats} repeats ≈ ${(realS / 60).toFixed(1)} min` +
      ` (+ ${warmS} s server warm-up, + schema fill on a fresh node); null cluster ` +
      `${nullPlan.length} cells, ${runsOf(nullPlan)} × ${o.repeats} ≈ ${
        (nullS / 60).toFixed(1)
      } min; memory ${memDrivers.length} × ${o.memoryRepeats} ≈ ${(memS / 60).toFixed(1)} min; ` +
      `tablets ${tabDrivers.length} × ${o.tabletsConcurrency.length} × ${o.tabletsRepeats} ≈ ${
        (tabS / 60).toFixed(1)
      } min; ` +
      `decode ≈ ${(decodeS / 60).toFixed(1)} min`,
  );
  if (o.estimateOnly) return;
  let serverWarmedUp: { seconds: number; by: string } | null = null;
  let n = 0;

  if (realPlan.length) {
    const [ip, port] = o.host.split(":");
    /** Starts the bench node unless `--external` (or finds it running), and fills the schema. */
    const nodeUp = async () => {
      if (!o.external) {
        log(`ensuring the Cassandra node at ${o.host} (scripts/db.ts up --name bench)…`);
        const r = await exec([
          DENO,
          "run",
          "-A",
          "scripts/db.ts",
          "up",
          "--name",
          BENCH_NODE,
          "--ip",
          ip,
          "--port",
          port ?? "9042",
        ], { timeoutMs: 600_000, env: { RSYLLA_HEAP: o.nodeHeap } });
        log(`  ${lastLines(r.stdout + r.stderr, 2)}`);
        if (r.code !== 0) throw new Error("could not start the node");
        nodeHeap = await heapOf(BENCH_NODE) ?? "unknown";
        if (nodeHeap !== o.nodeHeap) {
          log(`  note: the node runs with a ${nodeHeap} heap, not ${o.nodeHeap} (a reused node)`);
        }
      } else nodeHeap = "external node";
      log("schema…");
      versions.server = await ensureSchema(
        { host: o.host, keyspace: "benchks", keys: 65536, pagedRows: 100_000 },
        log,
      );
    };
    /** A fresh node answered 2–5× slower for every driver: warm it (JIT, caches) first. */
    const warmUp = async () => {
      if (o.serverWarmup <= 0) return;
      const warmer = drivers.find((d) => d.id === "rust") ?? drivers[0];
      const ws = o.workloads.filter((w) => !isPaged(w));
      const per = o.serverWarmup / Math.max(1, ws.length);
      log(`warming the node up: ${o.serverWarmup} s of load by ${warmer.id} (${ws.join(", ")})…`);
      for (const w of ws) {
        await runOne(warmer, "cassandra", w, 32, o.host, {
          duration: per,
          ops: 0,
          warmup: 0.5,
          warmupOps: 0,
        });
      }
      serverWarmedUp = { seconds: o.serverWarmup, by: warmer.id };
    };
    await nodeUp();
    await warmUp();
    log(
      `running ${realPlan.length} workload cells, ${runsOf(realPlan)} driver runs × ` +
        `${o.repeats} repeats against ${o.host}`,
    );
    real: for (let r = 0; r < o.repeats; r++) {
      for (const [ci, { w, c, ds }] of realPlan.entries()) {
        const load = isPaged(w) ? pagedLoad : realLoad;
        for (const d of rotate(ds, r + ci)) {
          const began = new Date();
          let rec = await runOne(d, "cassandra", w, c, o.host, load);
          if (rec.error !== null && !(await nodeAnswers(o.host))) {
            // The node's failure, not the driver's: say why, restart, repeat the run.
            rec.nodeDown = true;
            runs.push(rec);
            const incident = await incidentOf(rec, r, BENCH_NODE, began);
            incidents.push(incident);
            log(`the node stopped answering during ${incident.during}:`);
            for (const l of incident.cause) log(`  ${l}`);
            if (o.external) {
              log(`  --external: not restarted; the remaining Cassandra runs are skipped`);
              break real;
            }
            try {
              await nodeUp();
              await warmUp();
            } catch (e) {
              const why = (e as Error).message;
              log(`  restart failed (${why}); the remaining Cassandra runs are skipped`);
              break real;
            }
            incident.restarted = true;
            rec = await runOne(d, "cassandra", w, c, o.host, load);
          }
          runs.push(rec);
          progress(++n, total, rec);
        }
      }
    }
  }

  if (nullPlan.length || memDrivers.length) {
    log(`starting the null server (${o.nullRuntime}) at ${o.nullHost}…`);
    let ns: Awaited<ReturnType<typeof startNullServer>> | null = null;
    try {
      ns = await startNullServer(o);
    } catch (e) {
      const detail = `${(e as Error).message} (is ${o.nullHost} in use? see --null-host)`;
      log(`  null server failed: ${detail}`);
      peers.push({ peer: "null server", ok: false, detail });
    }
    if (ns) versions["null server"] = `bench/null_server.ts on ${o.nullRuntime}`;
    if (ns) {
      try {
        for (let r = 0; r < o.repeats; r++) {
          for (const [ci, { w, c, ds }] of nullPlan.entries()) {
            for (const d of rotate(ds, r + ci)) {
              await ns.served();
              const rec = await runOne(d, "null", w, c, o.nullHost, nullLoad);
              rec.served = await ns.served();
              runs.push(rec);
              progress(++n, total, rec);
            }
          }
        }
        if (memDrivers.length) {
          log(
            `memory: ${o.inflight} requests in flight at once, held by the null server ` +
              `(${memDrivers.length} drivers × ${o.memoryRepeats} repeats)`,
          );
        }
        for (let r = 0; r < o.memoryRepeats; r++) {
          for (const d of rotate(memDrivers, r)) {
            const rec = await runOne(d, "memory", "inflight", 32, o.nullHost, memLoad, o.inflight);
            runs.push(rec);
            progress(++n, total, rec);
          }
        }
      } finally {
        await ns.close();
      }
    }
  }

  if (tabDrivers.length) {
    log(
      `starting the tablets simulation (bench/tablets_server.ts: simulated ScyllaDB, 3 nodes ` +
        `of 4/3/5 shards, keyspace tks with 128 tablets, RF 2) at ${o.tabletsHost}…`,
    );
    let ts: TabletsServer | null = null;
    try {
      ts = await startTabletsServer(o);
      versions["tablets simulation"] = "bench/tablets_server.ts (tests/sim) on deno";
    } catch (e) {
      const detail = `${(e as Error).message} (is ${o.tabletsHost} in use? see --tablets-hosts)`;
      log(`  tablets simulation failed: ${detail}`);
      peers.push({ peer: "tablets simulation", ok: false, detail });
    }
    if (ts) {
      try {
        for (let r = 0; r < o.tabletsRepeats; r++) {
          for (const [ci, c] of o.tabletsConcurrency.entries()) {
            for (const d of rotate(tabDrivers, r + ci)) {
              await ts.ask("reset");
              const rec = await runOne(
                d,
                "tablets",
                "tablets_read",
                c,
                o.tabletsHost,
                nullLoad,
                0,
                "tks",
              );
              const got = await ts.ask("share");
              const share = got.share as Record<string, number> | undefined;
              rec.tablets = share
                ? {
                  requests: share.requests,
                  onReplica: share.onReplica,
                  onReplicaShard: share.onReplicaShard,
                  withPayload: share.withPayload,
                  connections: got.connections as number,
                  v1: got.v1 as number,
                  shardAware: got.shardAware as number,
                }
                : null;
              runs.push(rec);
              progress(++n, total, rec);
            }
          }
        }
      } finally {
        await ts.close();
      }
    }
  }

  const decode: DecodeResult[] = [];
  if (!o.skipDecode) {
    log("decode micro-benchmark (5 000 rows × 10 columns)…");
    const b = await exec([
      BUN,
      "build",
      "bench/decode_micro.ts",
      "--target=node",
      `--outfile=${CACHE}/decode_micro.mjs`,
    ]);
    const secs = String(o.decodeSeconds);
    const cmds: [string, string[]][] = [
      ["node", b.code === 0 ? [NODE, `${CACHE}/decode_micro.mjs`, "--seconds", secs] : []],
      ["deno", [DENO, "run", "-A", "bench/decode_micro.ts", "--seconds", secs]],
      ["bun", [BUN, "bench/decode_micro.ts", "--seconds", secs]],
    ];
    for (const [rt, cmd] of cmds) {
      if (!cmd.length) {
        decode.push({ impl: "all", runtime: rt, error: `bundle failed: ${lastLines(b.stderr)}` });
        continue;
      }
      const r = await exec(cmd, { timeoutMs: 120_000 });
      const lines = r.stdout.split("\n").filter((l) => l.startsWith("{"));
      if (!lines.length) decode.push({ impl: "all", runtime: rt, error: lastLines(r.stderr) });
      for (const l of lines) {
        const d = JSON.parse(l) as DecodeResult;
        decode.push(d);
        log(
          `  ${d.runtime.padEnd(14)} ${d.impl.padEnd(36)} ${
            d.error ?? `${Math.round(d.rows_per_s!).toLocaleString("en")} rows/s`
          }`,
        );
      }
    }
  }

  const finished = new Date();
  const report: BenchReport = {
    started: started.toISOString().replace(/\.\d+Z$/, "Z"),
    finished: finished.toISOString().replace(/\.\d+Z$/, "Z"),
    wall_s: (finished.getTime() - started.getTime()) / 1000,
    command: `deno task bench${argv.length ? " " + argv.join(" ") : ""}`,
    commit,
    quick: o.quick || o.noLoadCheck,
    machine: {
      cores,
      loadavg_start: loadStart,
      loadavg_end: Deno.loadavg(),
      versions,
    },
    settings: {
      concurrency: o.concurrency,
      duration_s: o.duration || undefined,
      ops: o.ops || undefined,
      warmup_s: o.warmup || undefined,
      warmup_ops: o.warmupOps || undefined,
      paged: {
        concurrency: o.pagedConcurrency,
        duration_s: o.pagedDuration,
        ops: o.pagedOps || undefined,
        rows: 100_000,
        page_size: 5000,
      },
      null: {
        concurrency: o.nullConcurrency,
        duration_s: o.nullDuration || undefined,
        warmup_s: o.nullOps ? undefined : o.nullWarmup,
        ops: o.nullOps || undefined,
      },
      memory: memDrivers.length
        ? {
          inflight: o.inflight,
          repeats: o.memoryRepeats,
          how: "read_prepared warm-up at c=32, then N reads of table hold started at once; " +
            "the null server holds the answers until all N arrived; GC forced, " +
            "process.memoryUsage() minus the idle baseline after warm-up, / N",
        }
        : undefined,
      batch: "UNLOGGED batch of 10 prepared INSERTs into test, keys k..k+9",
      protocol: o.rsyllaV4
        ? PROTOCOL_PINNED_V4
        : "rsylla-ts negotiates: v5 on Cassandra 5 (segments with CRC24/CRC32), v4 on the " +
          "null and tablets clusters; every peer speaks v4",
      routing_forced: "rows *-routing-forced: rsylla-ts with the single-node short-circuit " +
        "off (internal switch src/cluster/routing_switch.ts), real-node cells " +
        FORCED_WORKLOADS.join("/"),
      tablets: tabDrivers.length
        ? {
          cluster: `${o.tabletsHost}: simulated ScyllaDB (tests/sim), shards 4/3/5, ` +
            "keyspace tks RF 2 with 128 tablets at random boundaries on random shards",
          concurrency: o.tabletsConcurrency,
          repeats: o.tabletsRepeats,
          landing: "share of all EXECUTEs of the client process (warm-up included) that the " +
            "simulation saw on a replica node / on the replica's shard",
        }
        : undefined,
      estimate_min: Math.round(estimate / 60),
      load_check: o.noLoadCheck ? "BYPASSED (--no-load-check smoke run)" : "load ≤ cores",
      keys: 65536,
      repeats: o.repeats,
      interleaved: "repeat r of every cell and driver before repeat r+1; drivers rotated per cell",
      server_warmup: serverWarmedUp ?? "none",
      node_heap: nodeHeap ?? undefined,
      null_cluster: `${o.nullHost} (one process), 16 vnodes per node, SimpleStrategy RF 3`,
    },
    peers,
    runs,
    decode,
    incidents,
  };
  const base = `${ROOT}bench/results/${o.out}`;
  await Deno.writeTextFile(`${base}.json`, JSON.stringify(report, null, 1) + "\n");
  await Deno.writeTextFile(`${base}.md`, renderMarkdown(report));
  await Deno.writeTextFile(`${base}.svg`, renderSvg(report));
  const charts: string[] = [];
  for (const mode of ["cassandra", "null"] as const) {
    for (const w of new Set(runs.filter((r) => r.mode === mode).map((r) => r.workload))) {
      const file = `${base}-${mode}-${w}.svg`;
      await Deno.writeTextFile(file, workloadSvg(report, mode, w));
      charts.push(file.slice(ROOT.length));
    }
  }
  log(`wrote bench/results/${o.out}.{md,svg,json} (${(report.wall_s / 60).toFixed(1)} min)`);
  for (const c of charts) log(`  chart ${c}`);
  if (report.machine.loadavg_end[0] > cores) {
    log(`note: the load average at the end (${report.machine.loadavg_end[0]}) exceeds ${cores}`);
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`bench: ${(e as Error).stack ?? e}`);
    Deno.exit(1);
  }
}

/**
 * The checked-out commit, `+dirty` when the driver or the bench code differs from it (results
 * files left by an earlier run do not count); `unknown` outside git.
 */
async function gitCommit(): Promise<string> {
  const git = (...args: string[]) =>
    new Deno.Command("git", { args, cwd: ROOT, stdout: "piped", stderr: "null" }).output();
  try {
    const head = await git("rev-parse", "--short=12", "HEAD");
    if (!head.success) return "unknown";
    const dirty = await git(
      "diff",
      "--quiet",
      "HEAD",
      "--",
      "src",
      "mod.ts",
      "bench",
      ":(exclude)bench/results",
    );
    return new TextDecoder().decode(head.stdout).trim() + (dirty.success ? "" : "+dirty");
  } catch {
    return "unknown";
  }
}
