/**
 * Writes the README's performance table from a results file, between the markers
 * `<!-- bench-table:start … -->` and `<!-- bench-table:end -->`: never typed by hand.
 *
 * ```sh
 * deno run -A bench/readme_table.ts [bench/results/latest.json] [--check]
 * ```
 * `--check` exits 1 when README.md differs from what the results file gives.
 * @module
 */

import { README_END, README_START, readmeTable } from "./lib/summary.ts";
import type { BenchReport } from "./lib/types.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const args = Deno.args.filter((a) => a !== "--check");
const check = Deno.args.includes("--check");
const results = args[0] ?? "bench/results/latest.json";
const rep = JSON.parse(await Deno.readTextFile(`${ROOT}${results}`)) as BenchReport;
const readmePath = `${ROOT}README.md`;
const readme = await Deno.readTextFile(readmePath);
const a = readme.indexOf(README_START);
const b = readme.indexOf(README_END);
if (a < 0 || b < a) {
  console.error(`README.md has no ${README_START} … ${README_END} section`);
  Deno.exit(2);
}
const next = await fmtMarkdown(
  readme.slice(0, a) + readmeTable(rep, results) + readme.slice(b + README_END.length),
);

/** `deno fmt` of a markdown text (the README is kept formatted; CI checks it). */
async function fmtMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext", "md", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await child.output();
  if (!out.success) throw new Error("deno fmt failed");
  return new TextDecoder().decode(out.stdout);
}
if (check) {
  if (next !== readme) {
    console.error(`README.md's table is not the one ${results} gives: run bench/readme_table.ts`);
    Deno.exit(1);
  }
  console.log("README.md table matches", results);
} else {
  await Deno.writeTextFile(readmePath, next);
  console.log(`README.md table written from ${results}`);
}
