/**
 * `deno task fuzz`: the decoder fuzzers of `tests/fuzz/` at scale — by default
 * 1 000 000 generated or mutated cases over the v4 frame targets (valid,
 * mutated, random streams, random bodies: `FrameDecoder` + body decoders) and
 * the v5 segment targets (valid, mutated, random segment streams:
 * `SegmentFrameDecoder` + v5 body decoders), each fed in random chunk splits.
 * A case fails when anything but a `ProtocolError` escapes, when it takes
 * longer than the time limit, or when it allocates more than its bytes can
 * justify.
 *
 * Each target logs its seed and how many inputs it ran. On a failure the
 * script prints the batch seed and fast-check path, the counterexample, and
 * the failing input as hex (with its chunk cuts), and how to replay it; it
 * exits 1.
 *
 * ```sh
 * deno run -A scripts/fuzz.ts [--cases 1000000] [--seed N] [--batch 20000]
 *                             [--time-limit 2000] [--no-spy] [--runtime self|bun|both]
 *                             [--only "mutated segments,random segments"]
 * deno run -A scripts/fuzz.ts --only "<target>" --batch-seed S --path P --cases N   # replay
 * bun scripts/fuzz.ts --cases 1000000
 * ```
 * `--runtime both` (the task's default) runs here, then the same under Bun.
 * `--only` picks targets by name (comma-separated substrings); the cases are
 * then shared among those targets in proportion to their usual shares.
 * @module
 */

import process from "node:process";
import { spawnSync } from "node:child_process";
// @ts-types="../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { allProperties, lastInput, newStats } from "../tests/fuzz/decoders.ts";

interface Args {
  cases: number;
  seed: number;
  batch: number;
  timeLimitMs: number;
  spy: boolean;
  runtime: "self" | "bun" | "both";
  /** Name substrings of the targets to run; all when empty. */
  only: string[];
  /** Replay: run ONE batch of each selected target with exactly this seed. */
  batchSeed: number | null;
  /** Replay: the fast-check path printed with a failure. */
  path: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    cases: 1_000_000,
    seed: Math.floor(Math.random() * 0x7fffffff),
    batch: 20_000,
    timeLimitMs: 2000,
    spy: true,
    runtime: "self",
    only: [],
    batchSeed: null,
    path: null,
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
    else if (flag === "--only") a.only = (argv[++i] ?? "").split(",").map((x) => x.trim());
    else if (flag === "--batch-seed") {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v)) throw new Error("--batch-seed needs an integer");
      a.batchSeed = v;
    } else if (flag === "--path") a.path = argv[++i] ?? null;
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

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
/** Most input bytes printed as hex for a failure (the rest is elided). */
const MAX_HEX_BYTES = 16 * 1024;

/**
 * Runs the counterexample once more to capture the bytes it fed (every target
 * records them in `lastInput`), and prints them as hex with the chunk cuts.
 */
function printFailingInput(property: fc.IRawProperty<unknown[]>, counterexample: unknown[]): void {
  lastInput.bytes = null;
  try {
    property.runBeforeEach?.();
    property.run(counterexample);
    property.runAfterEach?.();
  } catch {
    // The replay only needs to reach the decoder; what it throws is already reported.
  }
  // Set by the replay above; TypeScript still narrows it to the null assigned before.
  const bytes = lastInput.bytes as Uint8Array | null;
  if (bytes === null) {
    console.log("  failing input: (the counterexample did not reach a decoder)");
    return;
  }
  const shown = bytes.subarray(0, MAX_HEX_BYTES);
  console.log(
    `  failing input: ${bytes.length} bytes, chunk cuts [${lastInput.cuts.join(", ")}]\n` +
      `  hex: ${hex(shown)}${
        bytes.length > shown.length ? ` … (${bytes.length - shown.length} more)` : ""
      }`,
  );
}

/** Runs every selected property for its share of `args.cases`; returns the number of failed batches. */
function fuzz(args: Args): number {
  const stats = newStats();
  const all = allProperties({ stats, caseTimeLimitMs: args.timeLimitMs, spy: args.spy });
  const properties = args.only.length === 0
    ? all
    : all.filter((p) => args.only.some((o) => o !== "" && p.name.includes(o)));
  if (properties.length === 0) throw new Error(`--only ${args.only.join(",")} selects no target`);
  const shareSum = properties.reduce((n, p) => n + p.share, 0);
  const started = performance.now();
  console.log(
    `fuzz on ${runtimeName()}: ${fmt(args.cases)} cases, seed ${args.seed}, ` +
      `batches of ${fmt(args.batch)}, case time limit ${args.timeLimitMs} ms, ` +
      `allocation spy ${args.spy ? "on" : "off"}, targets: ${
        properties.map((p) => p.name).join(", ")
      }`,
  );
  const failures: string[] = [];
  const perTarget: string[] = [];
  let done = 0;
  for (const p of properties) {
    const index = all.indexOf(p);
    // Each target has its own seed, so one can be rerun alone with the same cases.
    const targetSeed = (args.seed + index * 1_000_003) | 0;
    const total = args.batchSeed !== null
      ? args.cases
      : Math.round((args.cases * p.share) / shareSum);
    console.log(
      `== ${p.name}: ${fmt(total)} inputs, target seed ${targetSeed}` +
        (args.batchSeed === null
          ? " (batch k uses seed + k * 7919)"
          : `, batch seed ${args.batchSeed}`),
    );
    const t0 = performance.now();
    let ran = 0;
    for (let batchNo = 0; ran < total; batchNo++) {
      const numRuns = args.batchSeed !== null ? total : Math.min(args.batch, total - ran);
      const seed = args.batchSeed ?? (targetSeed + batchNo * 7919) | 0;
      const details = fc.check(p.property, {
        numRuns,
        seed,
        ...(args.path !== null ? { path: args.path, endOnFailure: true } : {}),
      });
      ran += details.failed ? details.numRuns : numRuns;
      done += details.failed ? details.numRuns : numRuns;
      if (details.failed) {
        const report = fc.defaultReportMessage(details) ?? "(no report)";
        failures.push(`${p.name}, batch seed ${seed}, path ${details.counterexamplePath}`);
        console.log(
          `FAILURE in ${p.name} after ${
            fmt(details.numRuns)
          } inputs of the batch: batch seed ${seed}, ` +
            `path ${details.counterexamplePath}\n  replay: deno run -A scripts/fuzz.ts --only "${p.name}" ` +
            `--batch-seed ${seed} --path ${details.counterexamplePath} --cases ${numRuns}`,
        );
        console.log(report.slice(0, 4000));
        if (details.counterexample !== null) {
          printFailingInput(p.property as fc.IRawProperty<unknown[]>, details.counterexample);
        }
        // One replayable failure per target is enough; the next target still runs.
        break;
      }
      const s = (performance.now() - started) / 1000;
      console.log(
        `  ${p.name.padEnd(16)} ${fmt(ran).padStart(9)}/${fmt(total)}  ` +
          `total ${fmt(done)} in ${s.toFixed(1)} s (${fmt(Math.round(done / s))}/s)`,
      );
    }
    const line = `${p.name}: ran ${fmt(ran)} inputs in ${
      ((performance.now() - t0) / 1000).toFixed(1)
    } s, target seed ${targetSeed}`;
    perTarget.push(line);
    console.log(line);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nsummary (${runtimeName()}, seed ${args.seed})`);
  for (const line of perTarget) console.log(`  ${line}`);
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
  for (const f of failures) console.log(`    ${f}`);
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
      ...(args.only.length > 0 ? ["--only", args.only.join(",")] : []),
      ...(args.batchSeed !== null ? ["--batch-seed", String(args.batchSeed)] : []),
      ...(args.path !== null ? ["--path", args.path] : []),
    ];
    console.log(`\n== the same under Bun: ${bun} scripts/fuzz.ts ${rest.join(" ")}`);
    const r = spawnSync(bun, [`${root}scripts/fuzz.ts`, ...rest], { stdio: "inherit", cwd: root });
    if (r.status !== 0) failed++;
  }
  return failed;
}

process.exit(main() > 0 ? 1 : 0);
