/**
 * `deno task fuzz`: the decoder fuzzers of `tests/fuzz/decoders.ts` at scale —
 * by default 1 000 000 generated or mutated cases (20 % valid frames, 50 %
 * mutated frames, 15 % random streams, 15 % random bodies), each fed through
 * `FrameDecoder` in random chunk splits and the body decoders. A case fails
 * when anything but a `ProtocolError` escapes, when it takes longer than the
 * time limit, or when it allocates more than its bytes can justify. Prints
 * progress and a summary; exits 1 on any failure, with seeds to replay it.
 *
 * ```sh
 * deno run -A scripts/fuzz.ts [--cases 1000000] [--seed N] [--batch 20000]
 *                             [--time-limit 2000] [--no-spy] [--runtime self|bun|both]
 * bun scripts/fuzz.ts --cases 1000000
 * ```
 * `--runtime both` (the task's default) runs here, then the same under Bun.
 * @module
 */

import process from "node:process";
import { spawnSync } from "node:child_process";
// @ts-types="../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { allProperties, newStats } from "../tests/fuzz/decoders.ts";

interface Args {
  cases: number;
  seed: number;
  batch: number;
  timeLimitMs: number;
  spy: boolean;
  runtime: "self" | "bun" | "both";
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    cases: 1_000_000,
    seed: Math.floor(Math.random() * 0x7fffffff),
    batch: 20_000,
    timeLimitMs: 2000,
    spy: true,
    runtime: "self",
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${flag} needs a non-negative integer`);
      return v;
    };
    if (flag === "--cases") a.cases = value();
    else if (flag === "--seed") a.seed = value();
    else if (flag === "--batch") a.batch = Math.max(1, value());
    else if (flag === "--time-limit") a.timeLimitMs = value();
    else if (flag === "--no-spy") a.spy = false;
    else if (flag === "--runtime") {
      const r = argv[++i];
      if (r !== "self" && r !== "bun" && r !== "both") throw new Error("--runtime self|bun|both");
      a.runtime = r;
    } else throw new Error(`unknown option ${flag}`);
  }
  return a;
}

function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; Deno?: { version: { deno: string } } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${process.version}`;
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

/** Runs every property for its share of `args.cases`; returns the number of failed batches. */
function fuzz(args: Args): number {
  const stats = newStats();
  const properties = allProperties({ stats, caseTimeLimitMs: args.timeLimitMs, spy: args.spy });
  const started = performance.now();
  console.log(
    `fuzz on ${runtimeName()}: ${fmt(args.cases)} cases, seed ${args.seed}, ` +
      `batches of ${fmt(args.batch)}, case time limit ${args.timeLimitMs} ms, ` +
      `allocation spy ${args.spy ? "on" : "off"}`,
  );
  const failures: string[] = [];
  let done = 0;
  let batchNo = 0;
  for (const p of properties) {
    const total = Math.round(args.cases * p.share);
    const t0 = performance.now();
    for (let ran = 0; ran < total;) {
      const numRuns = Math.min(args.batch, total - ran);
      const seed = (args.seed + batchNo++ * 7919) | 0;
      const details = fc.check(p.property, { numRuns, seed });
      ran += numRuns;
      done += numRuns;
      if (details.failed) {
        const report = fc.defaultReportMessage(details) ?? "(no report)";
        failures.push(`${p.name}, seed ${seed}:\n${report.slice(0, 4000)}`);
        console.log(`FAILURE in ${p.name} (replay: --seed ${seed} with one batch)`);
        console.log(report.slice(0, 4000));
      }
      const s = (performance.now() - started) / 1000;
      console.log(
        `  ${p.name.padEnd(15)} ${fmt(ran).padStart(9)}/${fmt(total)}  ` +
          `total ${fmt(done)} in ${s.toFixed(1)} s (${fmt(Math.round(done / s))}/s)`,
      );
    }
    console.log(
      `${p.name}: ${fmt(total)} cases in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nsummary (${runtimeName()})`);
  console.log(`  cases:            ${fmt(done)} in ${seconds.toFixed(1)} s`);
  console.log(
    `  streams decoded:  ${fmt(stats.cases)} (valid cases decode twice: cold and cached)`,
  );
  console.log(`  frames delivered: ${fmt(stats.frames)}, decoded ${fmt(stats.decoded)}`);
  console.log(
    `  ProtocolErrors:   ${fmt(stats.protocolErrors)} (${fmt(stats.fatal)} fatal to the stream)`,
  );
  console.log(`  skipped (known eager-allocation bug): ${fmt(stats.skippedEagerAlloc)}`);
  const slow = stats.slowest ?? new Uint8Array(0);
  const hex = [...slow.subarray(0, 48)].map((b) => b.toString(16).padStart(2, "0")).join("");
  console.log(
    `  slowest case:     ${stats.slowestMs.toFixed(1)} ms (${slow.length} bytes: ${hex}` +
      `${slow.length > 48 ? "…" : ""})`,
  );
  console.log(`  failures:         ${failures.length}`);
  return failures.length;
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  let failed = 0;
  if (args.runtime !== "bun") failed += fuzz(args);
  if (args.runtime !== "self") {
    const root = new URL("../", import.meta.url).pathname;
    const bun = `${root}node_modules/.bin/bun`;
    const rest = [
      "--cases",
      String(args.cases),
      "--seed",
      String(args.seed),
      "--batch",
      String(args.batch),
      "--time-limit",
      String(args.timeLimitMs),
      ...(args.spy ? [] : ["--no-spy"]),
    ];
    console.log(`\n== the same under Bun: ${bun} scripts/fuzz.ts ${rest.join(" ")}`);
    const r = spawnSync(bun, [`${root}scripts/fuzz.ts`, ...rest], { stdio: "inherit", cwd: root });
    if (r.status !== 0) failed++;
  }
  return failed;
}

process.exit(main() > 0 ? 1 : 0);
