/**
 * Layering check of `src/` (rules in `scripts/lib/layers.ts`): no import
 * cycles, `wire/` self-contained but for `errors.ts`, `routing/` on
 * `wire/` and `errors.ts` only, `runtime/` free of `wire/`, and `Deno.`,
 * `Bun.` and `node:` only in `runtime/`. Prints one line per violation and
 * exits 1, or a summary and exits 0.
 *
 * ```sh
 * deno run -A scripts/check_layers.ts                              # check
 * deno run -A scripts/check_layers.ts --graph                      # print the layer graph
 * deno run -A scripts/check_layers.ts --write-doc docs/architecture.md
 * deno run -A scripts/check_layers.ts --check-doc docs/architecture.md  # exit 1 when stale
 * ```
 * The doc modes replace or compare the text between `<!-- layer-graph:start -->`
 * and `<!-- layer-graph:end -->`.
 * @module
 */

import {
  buildGraph,
  checkGraph,
  graphInDoc,
  layerGraph,
  renderMermaid,
  replaceGraphInDoc,
} from "./lib/layers.ts";

const USAGE =
  "usage: deno run -A scripts/check_layers.ts [--graph | --write-doc FILE | --check-doc FILE]";

/** Repository root, so the check reads the same `src/` whatever the working directory. */
const ROOT = new URL("../", import.meta.url);

async function readSrc(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(new URL(dir, ROOT))) {
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory) await walk(`${path}/`);
      else if (entry.isFile && entry.name.endsWith(".ts")) {
        files.set(path, await Deno.readTextFile(new URL(path, ROOT)));
      }
    }
  };
  await walk("src/");
  return files;
}

function fail(message: string): never {
  console.error(message);
  Deno.exit(1);
}

const [mode, docPath, ...extra] = Deno.args;
if (
  extra.length > 0 || (mode === "--write-doc" || mode === "--check-doc") !== (docPath !== undefined)
) {
  fail(USAGE);
}

const graph = buildGraph(await readSrc());

if (mode === undefined) {
  const violations = checkGraph(graph);
  for (const v of violations) console.log(v.message);
  if (violations.length > 0) fail(`check_layers: ${violations.length} violation(s)`);
  const internal = [...graph.edges.values()].reduce((sum, targets) => sum + targets.length, 0);
  const { layers } = layerGraph(graph);
  console.log(
    `check_layers: ok — ${graph.files.length} files, ${graph.importCount} imports ` +
      `(${internal} between repository files), ${layers.length} layers (${layers.join(", ")})`,
  );
} else if (mode === "--graph") {
  console.log(renderMermaid(layerGraph(graph)));
} else if (mode === "--write-doc" || mode === "--check-doc") {
  let doc: string;
  try {
    doc = await Deno.readTextFile(docPath);
  } catch (e) {
    fail(`check_layers: cannot read ${docPath}: ${(e as Error).message}`);
  }
  const block = renderMermaid(layerGraph(graph));
  try {
    if (mode === "--write-doc") {
      const updated = replaceGraphInDoc(doc, block);
      if (updated !== doc) await Deno.writeTextFile(docPath, updated);
      console.log(`check_layers: ${docPath} ${updated === doc ? "already up to date" : "updated"}`);
    } else if (graphInDoc(doc) !== block) {
      fail(
        `check_layers: the layer graph in ${docPath} is stale; ` +
          `run deno run -A scripts/check_layers.ts --write-doc ${docPath}`,
      );
    } else {
      console.log(`check_layers: layer graph in ${docPath} is up to date`);
    }
  } catch (e) {
    fail(`check_layers: ${docPath}: ${(e as Error).message}`);
  }
} else {
  fail(USAGE);
}
