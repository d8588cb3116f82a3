/**
 * Before/after check of the client's own cost: the rsylla client of two
 * commits against one null server, interleaved (base, head, base, head, …) on
 * Deno, Bun and Node, so both see the same machine state. Prints client CPU µs
 * per operation, median and min–max per runtime and side.
 *
 * ```sh
 * deno run -A bench/compare_commits.ts --base 1d2a715 [--repeats 5] [--workload read_prepared]
 *   [--concurrency 32] [--duration 3] [--warmup 2] [--null-cluster] [--runtimes deno,bun,node] [--port 19042]
 *   [--node PATH] (the Node binary; `bench/run.ts` keeps Node 24 LTS in `.cache/node-v*`)
 *   [--head-paths src/pool/connection.ts,src/routing]
 * ```
 *
 * `--head-paths`: the head side is a second worktree at `HEAD` with only these paths copied
 * from the working tree, so changes other people have not committed yet stay out of the
 * comparison (without it the head side is the working tree as it is).
 *
 * `--null-cluster` starts the null server as the three-node null cluster (127.0.0.41–43, 16
 * vnodes each, RF 3), so every request is token-routed, as in `bench/run.ts`'s null-cluster
 * cells. The Node bundles go to a temporary directory of this run, so two runs at once (on
 * different `--port`s) do not overwrite each other's.
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname;
const BUN = `${ROOT}node_modules/.bin/bun`;
const args = Deno.args;
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const base = opt("base", "HEAD~1");
const repeats = Number(opt("repeats", "5"));
const workload = opt("workload", "read_prepared");
const concurrency = opt("concurrency", "32");
const duration = opt("duration", "3");
const nullCluster = args.includes("--null-cluster");
const runtimeNames = opt("runtimes", "deno,bun,node").split(",");
const port = opt("port", nullCluster ? "19242" : "19042");
const serverHosts = nullCluster ? ["127.0.0.41", "127.0.0.42", "127.0.0.43"] : ["127.0.0.9"];
const HOST = `${serverHosts[0]}:${port}`;

async function run(cmd: string[], cwd = ROOT): Promise<string> {
  const out = await new Deno.Command(cmd[0], { args: cmd.slice(1), cwd, stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`${cmd.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

const worktree = await Deno.makeTempDir({ prefix: "rsylla-base-" });
const bundles = await Deno.makeTempDir({ prefix: "rsylla-bundles-" });
await run(["git", "worktree", "add", "--detach", worktree, base]);
await Deno.symlink(`${ROOT}node_modules`, `${worktree}/node_modules`);
const headPaths = opt("head-paths", "");
let headDir = ROOT.replace(/\/$/, "");
if (headPaths !== "") {
  headDir = await Deno.makeTempDir({ prefix: "rsylla-head-" });
  await run(["git", "worktree", "add", "--detach", headDir, "HEAD"]);
  await Deno.symlink(`${ROOT}node_modules`, `${headDir}/node_modules`);
  for (const p of headPaths.split(",")) {
    // Deleted paths are deleted on the head side too.
    await run(["rm", "-rf", `${headDir}/${p}`]);
    await run(["cp", "-r", `${ROOT}${p}`, `${headDir}/${p}`]).catch(() => {});
  }
}
const sides = { base: worktree, head: headDir };
const bundleOf = (dir: string) => `${bundles}/${dir === worktree ? "base" : "head"}.mjs`;
if (runtimeNames.includes("node")) {
  for (const dir of Object.values(sides)) {
    await run([
      BUN,
      "build",
      "bench/clients/rsylla.ts",
      "--target=node",
      `--outfile=${bundleOf(dir)}`,
    ], dir);
  }
}

const server = new Deno.Command(BUN, {
  args: ["bench/null_server.ts", "--hosts", serverHosts.join(","), "--port", port],
  cwd: ROOT,
  stdout: "null",
  stderr: "inherit",
}).spawn();
await new Promise((r) => setTimeout(r, 1500));

const clientArgs = [
  "--workload",
  workload,
  "--concurrency",
  concurrency,
  "--hosts",
  HOST,
  ...(nullCluster ? [] : ["--null"]),
  "--duration",
  duration,
  "--warmup",
  opt("warmup", "2"),
];
const nodeOpt = opt("node", "node");
// A relative path is taken from here: the runs start in each side's own directory.
const nodeBin = nodeOpt.includes("/")
  ? new URL(nodeOpt, `file://${Deno.cwd()}/`).pathname
  : nodeOpt;
const allRuntimes: Record<string, (dir: string) => string[]> = {
  deno: (dir) => [Deno.execPath(), "run", "-A", `${dir}/bench/clients/rsylla.ts`],
  bun: (dir) => [BUN, `${dir}/bench/clients/rsylla.ts`],
  node: (dir) => [nodeBin, bundleOf(dir)],
};
const runtimes = Object.fromEntries(runtimeNames.map((r) => [r, allRuntimes[r]]));
const loadBefore = Deno.loadavg();
const samples: Record<string, number[]> = {};
/** Throughput and median latency of the same runs, beside the CPU figure. */
const rates: Record<string, number[]> = {};
const p50s: Record<string, number[]> = {};
try {
  for (let r = 0; r < repeats; r++) {
    for (const [rt, cmd] of Object.entries(runtimes)) {
      for (const [side, dir] of Object.entries(sides)) {
        const out = await run([...cmd(dir), ...clientArgs], dir);
        const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop()!;
        const rec = JSON.parse(line);
        const cpu = rec.cpu_us_per_op as number;
        (samples[`${rt} ${side}`] ??= []).push(cpu);
        (rates[`${rt} ${side}`] ??= []).push(rec.ops_per_s as number);
        (p50s[`${rt} ${side}`] ??= []).push(rec.lat_us?.p50 as number);
        console.error(`${rt} ${side} #${r + 1}: ${cpu.toFixed(2)} µs/op`);
      }
    }
  }
} finally {
  server.kill();
  await run(["git", "worktree", "remove", "--force", worktree]).catch(() => {});
  if (headDir !== ROOT.replace(/\/$/, "")) {
    await run(["git", "worktree", "remove", "--force", headDir]).catch(() => {});
  }
  await Deno.remove(bundles, { recursive: true }).catch(() => {});
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const loadAfter = Deno.loadavg();
console.log(
  `\n${workload}, concurrency ${concurrency}, ${
    nullCluster ? "null cluster (3 nodes, token routing)" : "null server"
  }, ${repeats} interleaved repeats of ${duration} s`,
);
console.log(`load average before ${loadBefore.join(" ")}, after ${loadAfter.join(" ")}`);
console.log(
  `base = ${base}, head = ${
    headPaths ? `HEAD with the working tree's ${headPaths}` : "working tree"
  }\n`,
);
console.log(
  "| runtime | side | client CPU µs/op median | min–max | ops/s median | p50 latency µs median |",
);
console.log("| --- | --- | --- | --- | --- | --- |");
for (const [k, xs] of Object.entries(samples)) {
  const [rt, side] = k.split(" ");
  const lo = Math.min(...xs).toFixed(2), hi = Math.max(...xs).toFixed(2);
  console.log(
    `| ${rt} | ${side} | ${median(xs).toFixed(2)} | ${lo}–${hi} | ${
      Math.round(median(rates[k]))
    } | ${median(p50s[k])} |`,
  );
}
