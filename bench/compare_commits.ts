/**
 * Before/after check of the client's own cost: the rsylla client of two
 * commits against one null server, interleaved (base, head, base, head, …) on
 * Deno, Bun and Node, so both see the same machine state. Prints client CPU µs
 * per operation, median and min–max per runtime and side.
 *
 * ```sh
 * deno run -A bench/compare_commits.ts --base 1d2a715 [--repeats 5] [--workload read_prepared]
 *   [--concurrency 32] [--duration 3]
 * ```
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
const HOST = "127.0.0.9:19042";

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
await run(["git", "worktree", "add", "--detach", worktree, base]);
await Deno.symlink(`${ROOT}node_modules`, `${worktree}/node_modules`);
const sides = { base: worktree, head: ROOT.replace(/\/$/, "") };
for (const dir of Object.values(sides)) {
  await run([BUN, "build", "bench/clients/rsylla.ts", "--target=node", "--outfile=/tmp/x.mjs"], dir)
    .then(() => Deno.rename("/tmp/x.mjs", `${dir}/.bench_node.mjs`));
}

const server = new Deno.Command(BUN, {
  args: ["bench/null_server.ts", "--host", HOST.split(":")[0], "--port", HOST.split(":")[1]],
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
  "--null",
  "--duration",
  duration,
  "--warmup",
  "1",
];
const runtimes: Record<string, (dir: string) => string[]> = {
  deno: (dir) => [Deno.execPath(), "run", "-A", `${dir}/bench/clients/rsylla.ts`],
  bun: (dir) => [BUN, `${dir}/bench/clients/rsylla.ts`],
  node: (dir) => ["node", `${dir}/.bench_node.mjs`],
};
const samples: Record<string, number[]> = {};
try {
  for (let r = 0; r < repeats; r++) {
    for (const [rt, cmd] of Object.entries(runtimes)) {
      for (const [side, dir] of Object.entries(sides)) {
        const out = await run([...cmd(dir), ...clientArgs], dir);
        const line = out.trim().split("\n").filter((l) => l.startsWith("{")).pop()!;
        const cpu = JSON.parse(line).cpu_us_per_op as number;
        (samples[`${rt} ${side}`] ??= []).push(cpu);
        console.error(`${rt} ${side} #${r + 1}: ${cpu.toFixed(2)} µs/op`);
      }
    }
  }
} finally {
  server.kill();
  await run(["git", "worktree", "remove", "--force", worktree]).catch(() => {});
  await Deno.remove(`${ROOT}.bench_node.mjs`).catch(() => {});
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `\n${workload}, concurrency ${concurrency}, null server, ${repeats} interleaved repeats of ${duration} s`,
);
console.log(`base = ${base}, head = working tree\n`);
console.log("| runtime | side | client CPU µs/op median | min–max |");
console.log("| --- | --- | --- | --- |");
for (const [k, xs] of Object.entries(samples)) {
  const [rt, side] = k.split(" ");
  const lo = Math.min(...xs).toFixed(2), hi = Math.max(...xs).toFixed(2);
  console.log(`| ${rt} | ${side} | ${median(xs).toFixed(2)} | ${lo}–${hi} |`);
}
