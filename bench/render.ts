/**
 * Re-renders a results file's markdown report and per-workload charts (what `bench/run.ts`
 * writes at the end of a run), e.g. after the report format changed:
 *
 * ```sh
 * deno run -A bench/render.ts [latest]      # bench/results/latest.json → .md, .svg, -<mode>-<w>.svg
 * ```
 * @module
 */

import { renderMarkdown, renderSvg } from "./lib/report.ts";
import { workloadSvg } from "./lib/summary.ts";
import type { BenchReport } from "./lib/types.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const name = Deno.args[0] ?? "latest";
const base = `${ROOT}bench/results/${name}`;
const rep = JSON.parse(await Deno.readTextFile(`${base}.json`)) as BenchReport;
await Deno.writeTextFile(`${base}.md`, renderMarkdown(rep));
await Deno.writeTextFile(`${base}.svg`, renderSvg(rep));
for (const mode of ["cassandra", "null"] as const) {
  for (const w of new Set(rep.runs.filter((r) => r.mode === mode).map((r) => r.workload))) {
    await Deno.writeTextFile(`${base}-${mode}-${w}.svg`, workloadSvg(rep, mode, w));
    console.log(`bench/results/${name}-${mode}-${w}.svg`);
  }
}
console.log(`bench/results/${name}.md, .svg`);
