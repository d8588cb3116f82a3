/**
 * The whole test suite, as `deno task test` and CI run it: unit tests under Deno and Bun, then
 * integration tests against a plain node (127.0.0.1), a secure one (127.0.0.4, auth + TLS) and
 * one requiring client certificates (127.0.0.5, auth + mutual TLS) — on Deno and Bun from the
 * sources, on Node against the packed npm package — then consumer projects outside the repository
 * (npm tarball on Node and Bun, JSR entry point on Deno) and a Cloudflare Worker in workerd, then
 * cluster tests against
 * three nodes. Nodes this run starts are stopped again, also on failure or Ctrl-C; running ones
 * are reused. The last line is always `total: N passed, M failed`.
 *
 * ```sh
 * deno run -A scripts/test.ts [--unit-only] [--no-integration] [--no-cluster] [--keep-nodes]
 *                            [--cluster-all-runtimes]
 * ```
 * @module
 */

import { ensureDependencies } from "./lib/deps.ts";
import { answersCql } from "./lib/node_process.ts";
import { exists, REPO_ROOT, since, TLS_DIR } from "./lib/paths.ts";
import { bunCounts, type Counts, denoCounts } from "./lib/test_counts.ts";
import {
  bunCases,
  denoCases,
  nodeCases,
  skipReason,
  type TestCase,
  testFiles,
} from "./lib/test_report.ts";
import { nodeTapCounts, prepareNodeSuite } from "./node_suite.ts";
import { installNodeLts, NODE_LTS } from "./lib/node_lts.ts";
import { runConsumers } from "../tests/consumer/run.ts";
import { runWorker } from "../tests/workers/run.ts";

/** The count line of the suite's run on Node's LTS, e.g. `node 24`. */
const NODE_LTS_LABEL = `node ${NODE_LTS.split(".")[0]}`;

const args = new Set(Deno.args);
for (const a of args) {
  const known = [
    "--unit-only",
    "--no-integration",
    "--no-cluster",
    "--keep-nodes",
    "--cluster-all-runtimes",
  ];
  if (!known.includes(a)) {
    console.error(`unknown option ${a}`);
    Deno.exit(2);
  }
}
const unitOnly = args.has("--unit-only");
const keepNodes = args.has("--keep-nodes");

const DENO = Deno.execPath();
const BUN = `${REPO_ROOT}/node_modules/.bin/bun`;

interface Result extends Counts {
  label: string;
  seconds: number;
}
const results: Result[] = [];
/** Test cases by name, as each runner reported them: for distinct counts and skip reasons. */
const cases: { runtime: string; phase: string; dir: string; c: TestCase }[] = [];
/** Node names this run started, to stop at the end. */
const started = new Set<string>();
let clusterStarted = false;
/** The test runner, npm or db.ts process now running, killed on Ctrl-C / SIGTERM. */
let current: Deno.ChildProcess | null = null;
/** Set by the first SIGINT/SIGTERM: the current step is stopped and no further phase starts. */
let interrupted: Deno.Signal | null = null;

function record(label: string, counts: Counts, start: number): void {
  const r = { label, ...counts, seconds: (performance.now() - start) / 1000 };
  results.push(r);
  const ignored = r.ignored ? `, ${r.ignored} ignored` : "";
  const note = r.note ? ` [${r.note}]` : "";
  console.log(
    `${label}: ${r.passed} passed, ${r.failed} failed${ignored} (${since(start)})${note}`,
  );
}

/** Runs a command from the repo root, echoing its output and returning exit code and text. */
function run(cmd: string, argv: string[], env: Record<string, string> = {}) {
  return runIn(REPO_ROOT, cmd, argv, env);
}

/** Runs a command in `cwd`, echoing its output and returning exit code and text. */
async function runIn(cwd: string, cmd: string, argv: string[], env: Record<string, string> = {}) {
  const child = new Deno.Command(cmd, {
    args: argv,
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  current = child;
  let text = "";
  const pump = async (stream: ReadableStream<Uint8Array>, sink: typeof Deno.stdout) => {
    const dec = new TextDecoder();
    for await (const chunk of stream) {
      await sink.write(chunk);
      text += dec.decode(chunk, { stream: true });
      // The summaries are at the end; keep memory bounded on very chatty runs.
      if (text.length > 4_000_000) text = text.slice(-1_000_000);
    }
  };
  const [status] = await Promise.all([
    child.status,
    pump(child.stdout, Deno.stdout),
    pump(child.stderr, Deno.stderr),
  ]);
  current = null;
  return { code: status.code, text };
}

async function hasTests(dir: string): Promise<boolean> {
  if (!(await exists(`${REPO_ROOT}/${dir}`))) return false;
  const walk = async (d: string): Promise<boolean> => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory && (await walk(`${d}/${e.name}`))) return true;
      if (e.isFile && /_test\.(ts|js|mjs)$/.test(e.name)) return true;
    }
    return false;
  };
  return await walk(`${REPO_ROOT}/${dir}`);
}

/** Runs one test directory under Deno and (unless `denoOnly`) Bun. */
async function runTests(
  phase: string,
  dir: string,
  bunTimeoutMs: number,
  env = {},
  denoOnly = false,
  bunExclude: string[] = [],
) {
  if (!(await hasTests(dir))) {
    console.log(`${phase}: no test files in ${dir}`);
    return;
  }
  let start = performance.now();
  console.log(`\n=== deno ${phase}: deno test -A ${dir}`);
  const junit = await Deno.makeTempFile({ suffix: ".xml" });
  const d = await run(DENO, ["test", "-A", `--junit-path=${junit}`, dir], env);
  const xml = await Deno.readTextFile(junit).catch(() => "");
  await Deno.remove(junit).catch(() => {});
  const dc = denoCounts(d.text, d.code, xml);
  for (const c of denoCases(xml)) cases.push({ runtime: "deno", phase, dir, c });
  record(`deno ${phase}`, dc, start);
  if (interrupted || denoOnly) return;
  start = performance.now();
  // Files run on Deno only are left out by naming the others.
  const targets = bunExclude.length
    ? testFiles(REPO_ROOT, dir).filter((f) => !bunExclude.some((x) => f.endsWith(`/${x}`)))
      .map((f) => `./${f}`)
    : [`./${dir}`];
  const only = bunExclude.length ? ` (Deno only: ${bunExclude.join(", ")})` : "";
  console.log(`\n=== bun ${phase}: bun test --timeout ${bunTimeoutMs} ./${dir}${only}`);
  const bunJunit = await Deno.makeTempFile({ suffix: ".xml" });
  const b = await run(BUN, [
    "test",
    "--timeout",
    String(bunTimeoutMs),
    "--reporter=junit",
    `--reporter-outfile=${bunJunit}`,
    ...targets,
  ], env);
  const bxml = await Deno.readTextFile(bunJunit).catch(() => "");
  await Deno.remove(bunJunit).catch(() => {});
  for (const c of bunCases(bxml, dir)) cases.push({ runtime: "bun", phase, dir, c });
  record(`bun ${phase}`, bunCounts(b.text, b.code), start);
}

/** `scripts/db.ts` as a child process; resolves its exit code. */
async function db(argv: string[]): Promise<number> {
  const child = new Deno.Command(DENO, {
    args: ["run", "-A", `${REPO_ROOT}/scripts/db.ts`, ...argv],
    cwd: REPO_ROOT,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  current = child;
  const { code } = await child.status;
  current = null;
  return code;
}

async function ensureRuntimes(): Promise<void> {
  await ensureDependencies();
}

/** Starts the node unless something already answers there. */
async function startNode(name: string, ip: string, flags: string[]): Promise<boolean> {
  if (await answersCql(ip)) {
    console.log(`reusing node at ${ip}:9042 (not stopped afterwards)`);
    return true;
  }
  started.add(name);
  return (await db(["up", "--name", name, "--ip", ip, ...flags])) === 0;
}

async function stopStarted(): Promise<void> {
  if (keepNodes) return;
  for (const name of started) await db(["down", "--name", name]);
  started.clear();
  if (clusterStarted) await db(["cluster-down"]);
  clusterStarted = false;
}

async function integration(): Promise<void> {
  if (!(await hasTests("tests/integration"))) {
    console.log("integration: no test files in tests/integration");
    return;
  }
  const start = performance.now();
  // One after the other: on 2 cores, starting both JVMs at once was slower (15.3 s vs 12.8 s).
  const plain = await startNode("single", "127.0.0.1", []);
  const secure = plain && await startNode("secure", "127.0.0.4", ["--auth", "--tls"]);
  // Requires client certificates: tests/integration/tls_test.ts (mutual TLS).
  const mtls = secure && await startNode("mtls", "127.0.0.5", ["--auth", "--mtls"]);
  console.log(`integration nodes up (${since(start)})`);
  if (interrupted) return;
  if (!plain || !secure || !mtls) {
    record("integration nodes", { passed: 0, failed: 1, ignored: 0, note: "start failed" }, start);
    return;
  }
  const env = {
    CQL_HOSTS: "127.0.0.1:9042",
    CQL_SECURE_HOSTS: "127.0.0.4:9042",
    CQL_MTLS_HOSTS: "127.0.0.5:9042",
    CQL_SECURE_USER: "cassandra",
    CQL_SECURE_PASSWORD: "cassandra",
    CQL_TLS_CA: `${TLS_DIR}/ca.pem`,
    CQL_TLS_CLIENT_CERT: `${TLS_DIR}/client.pem`,
    CQL_TLS_CLIENT_KEY: `${TLS_DIR}/client.key`,
  };
  await runTests("integration", "tests/integration", 60_000, env);
  // The suite negotiates v5 with Cassandra 5; once more pinned to v4 (ScyllaDB's and older
  // Cassandras' version), on Deno only to keep CI short: the wire differs, not the runtime.
  if (!interrupted) {
    await runTests("integration (protocol v4)", "tests/integration", 60_000, {
      ...env,
      RSYLLA_TEST_PROTOCOL: "4",
    }, true);
  }
  if (!interrupted) await examples(env);
  if (!interrupted) await packages(env);
}

/**
 * The whole integration suite on the machine's Node (20 here), then on Node's current LTS
 * (scripts/lib/node_lts.ts), against the built npm package (scripts/node_suite.ts:
 * tarball installed in a temp folder, tests transpiled, `mod.ts` imports replaced by the package
 * name), then the consumer projects (tests/consumer/run.ts: `npm pack` file list and size, a
 * tarball install type-checked with `tsc --strict` and run on Node and Bun, the JSR entry point
 * checked and run on Deno). Each consumer check counts as one test.
 */
/**
 * Every program in examples/ (the README's usage and "Operating in production" examples) runs
 * against the plain node under Deno; one passes when it exits 0.
 */
async function examples(env: Record<string, string>): Promise<void> {
  const start = performance.now();
  console.log("\n=== deno examples: every program in examples/ against the plain node");
  const names: string[] = [];
  for await (const e of Deno.readDir(`${REPO_ROOT}/examples`)) {
    // env.ts and setup.ts are helpers the examples import, not programs.
    if (e.isFile && e.name.endsWith(".ts") && !["env.ts", "setup.ts"].includes(e.name)) {
      names.push(e.name);
    }
  }
  let passed = 0, failed = 0;
  for (const name of names.sort()) {
    if (interrupted) break;
    const r = await run(DENO, ["run", "-A", `examples/${name}`], env);
    const ok = r.code === 0;
    if (ok) passed++;
    else failed++;
    cases.push({
      runtime: "deno",
      phase: "examples",
      dir: "examples",
      c: { name: `example ${name}`, status: ok ? "passed" : "failed" },
    });
    console.log(`${ok ? "ok  " : "FAIL"} examples/${name}`);
  }
  record("deno examples", { passed, failed, ignored: 0 }, start);
}

/** The Node suite's runs: the machine's Node, then Node's current LTS (package.json: node >= 20). */
const NODE_RUNS: { label: string; title: string; bin: () => Promise<string> }[] = [
  {
    label: "node",
    title: "the integration suite on Node, against the packed package",
    bin: () => Promise.resolve("node"),
  },
  {
    label: NODE_LTS_LABEL,
    title: `the same suite on Node ${NODE_LTS} (npm)`,
    bin: () => installNodeLts(),
  },
];

async function packages(env: Record<string, string>): Promise<void> {
  let start = performance.now();
  console.log(`\n=== node integration: ${NODE_RUNS[0].title}`);
  let dir = "";
  try {
    const suite = await prepareNodeSuite();
    dir = suite.dir;
    const args = ["--test", "--test-reporter=tap", "--test-timeout=120000", ...suite.tests];
    for (const [i, { label, title, bin }] of NODE_RUNS.entries()) {
      if (interrupted) return;
      if (i > 0) {
        start = performance.now();
        console.log(`\n=== ${label} integration: ${title}`);
      }
      try {
        const r = await runIn(dir, await bin(), args, env);
        for (const c of nodeCases(r.text)) {
          cases.push({ runtime: label, phase: "integration", dir: "tests/integration", c });
        }
        record(`${label} integration (npm package)`, nodeTapCounts(r.text, r.code), start);
      } catch (e) {
        console.error(`${label} integration: ${(e as Error).message}`);
        record(`${label} integration (npm package)`, { passed: 0, failed: 1, ignored: 0 }, start);
      }
    }
  } catch (e) {
    console.error(`node integration: ${(e as Error).message}`);
    record("node integration (npm package)", { passed: 0, failed: 1, ignored: 0 }, start);
  } finally {
    if (dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (interrupted) return;
  start = performance.now();
  console.log(
    "\n=== consumers: npm tarball (Node, Bun) and JSR entry point (Deno), outside the repo",
  );
  const checks = await runConsumers(["pack", "npm", "jsr"], env.CQL_HOSTS);
  const failed = checks.filter((c) => !c.ok).length;
  record("consumers (npm, jsr)", { passed: checks.length - failed, failed, ignored: 0 }, start);
  if (interrupted) return;
  start = performance.now();
  console.log(
    "\n=== workers: the packed package in a Cloudflare Worker, run by workerd (miniflare)",
  );
  try {
    console.log(await runWorker(env.CQL_HOSTS.split(",")[0]));
    record("workers (workerd)", { passed: 1, failed: 0, ignored: 0 }, start);
  } catch (e) {
    console.error(`workers: ${(e as Error).message}`);
    record("workers (workerd)", { passed: 0, failed: 1, ignored: 0 }, start);
  }
}

async function cluster(): Promise<void> {
  if (!(await hasTests("tests/cluster"))) {
    console.log("cluster: no test files in tests/cluster");
    return;
  }
  const start = performance.now();
  clusterStarted = true;
  // --replace: single nodes of this checkout still on 127.0.0.1 would block the ring.
  // The CI layout: dc1 = {127.0.0.1 r1, 127.0.0.2 r2}, dc2 = {127.0.0.3 r1}, 16 vnodes each.
  const layout = ["--dc-layout", "dc1:2,dc2:1", "--num-tokens", "16"];
  if ((await db(["cluster-up", ...layout, "--replace"])) !== 0 && !interrupted) {
    record("cluster nodes", { passed: 0, failed: 1, ignored: 0, note: "start failed" }, start);
    return;
  }
  if (interrupted) return;
  const env = { CQL_CLUSTER_HOSTS: "127.0.0.1:9042,127.0.0.2:9042,127.0.0.3:9042" };
  // The two node-kill tests (about 3.5 min together on 2 cores) run on Deno only unless
  // --cluster-all-runtimes: what they check is the server's and the pool's behaviour when a
  // node dies, and the rest of the suite covers Bun's sockets on the same cluster. This keeps
  // the whole CI under 20 minutes on 2 cores.
  const denoOnlyFiles = args.has("--cluster-all-runtimes")
    ? []
    : ["durability_test.ts", "failover_test.ts"];
  await runTests("cluster", "tests/cluster", 120_000, env, false, denoOnlyFiles);
}

async function main(): Promise<void> {
  const start = performance.now();
  const onSignal = (sig: Deno.Signal) => () => {
    if (interrupted) {
      console.error(`\n${sig} again: exiting without waiting for cleanup`);
      finish();
    }
    interrupted = sig;
    console.error(`\n${sig}: stopping the running step, then the nodes this run started…`);
    try {
      current?.kill("SIGTERM");
    } catch { /* already gone */ }
  };
  Deno.addSignalListener("SIGINT", onSignal("SIGINT"));
  Deno.addSignalListener("SIGTERM", onSignal("SIGTERM"));
  try {
    await ensureRuntimes();
    if (!interrupted) await runTests("unit", "tests/unit", 20_000);
    if (!interrupted && !unitOnly && !args.has("--no-integration")) {
      try {
        await integration();
      } finally {
        await stopStarted();
      }
    }
    if (!interrupted && !unitOnly && !args.has("--no-cluster")) {
      try {
        await cluster();
      } finally {
        await stopStarted();
      }
    }
  } catch (e) {
    console.error(`test.ts: ${(e as Error).message}`);
    results.push({ label: "test.ts", passed: 0, failed: 1, ignored: 0, seconds: 0 });
    await stopStarted();
  }
  console.log(`\nall phases took ${since(start)}`);
  finish();
}

/** Runtimes with a count line of their own, Node's LTS apart from the machine's Node. */
const RUNTIMES = ["deno", "bun", NODE_LTS_LABEL, "node"];

/**
 * Per-runtime lines (`deno: N passed, M failed, K skipped`; the consumer projects and the Worker
 * run on several runtimes at once and get a line of their own), the number of distinct tests
 * (a test run on Deno, Bun and Node counts once), and every skipped test with its reason.
 */
function summary(): void {
  const groups = new Map<string, { passed: number; failed: number; ignored: number }>();
  for (const r of results) {
    const key = RUNTIMES.find((k) => r.label.startsWith(`${k} `)) ??
      "packages (consumers, workerd)";
    const g = groups.get(key) ?? { passed: 0, failed: 0, ignored: 0 };
    g.passed += r.passed;
    g.failed += r.failed;
    g.ignored += r.ignored;
    groups.set(key, g);
  }
  const skipped = cases.filter((x) => x.c.status === "skipped");
  if (skipped.length) {
    console.log("\nskipped tests:");
    const files = new Map<string, string[]>();
    for (const x of skipped) {
      if (!files.has(x.dir)) files.set(x.dir, testFiles(REPO_ROOT, x.dir));
      const why = skipReason(REPO_ROOT, x.c, files.get(x.dir)!);
      console.log(`  ${x.runtime} ${x.phase}: ${x.c.name} — ${why}`);
    }
  }
  const failed = cases.filter((x) => x.c.status === "failed");
  if (failed.length) {
    // Listed last, just above the totals, so a truncated log still names what failed.
    console.log("\nfailed tests:");
    for (const x of failed) {
      const why = x.c.message ? ` — ${x.c.message}` : "";
      console.log(
        `  ${x.runtime} ${x.phase}: ${x.c.name}${x.c.file ? ` (${x.c.file})` : ""}${why}`,
      );
    }
  }
  const names = new Set(cases.map((x) => `${x.dir}\u0000${x.c.name}`));
  // Checks without per-test reports (consumer projects, the Worker) count as they are.
  const other = groups.get("packages (consumers, workerd)");
  const distinct = names.size + (other ? other.passed + other.failed : 0);
  console.log("");
  for (const [key, g] of groups) {
    console.log(`${key}: ${g.passed} passed, ${g.failed} failed, ${g.ignored} skipped`);
  }
  console.log(
    `distinct tests: ${distinct} (the same test on Deno, Bun and Node counts once; ` +
      `${cases.length} test runs reported by name)`,
  );
}

/** Prints the total line (always last) and exits; an interrupted run counts one failure. */
function finish(): never {
  if (interrupted) {
    results.push({ label: interrupted, passed: 0, failed: 1, ignored: 0, seconds: 0 });
  }
  try {
    summary();
  } catch (e) {
    console.error(`summary: ${(e as Error).message}`);
  }
  const passed = results.reduce((s, r) => s + r.passed, 0);
  const failed = results.reduce((s, r) => s + r.failed, 0);
  console.log(`total: ${passed} passed, ${failed} failed`);
  Deno.exit(interrupted ? 130 : failed > 0 ? 1 : 0);
}

await main();
