/**
 * The integration suite on Node, against the built npm package: `tests/integration/` with its
 * sub-folders (and the repository files they import) is copied to a temp folder outside the
 * repository with every import of a package export's source — `mod.ts`, `src/compat/mod.ts`,
 * `src/runtime/workers_entry.ts`, from any depth — replaced by its package name
 * (`@rsylla/rsylla`, `@rsylla/rsylla/compat`, `@rsylla/rsylla/workers`, as deno.json's
 * `exports`), transpiled by tsc, and run with `node --test` after `npm install` of the packed
 * tarball there. Any other driver module a test imports (e.g. `src/sql/gen_types_cli.ts`) is
 * pointed at its compiled file inside the installed tarball (`dist/src/…js`). So the driver code
 * under test is the tarball's `dist/`, the public entry points resolved through its `exports`
 * like any Node user's. The devDependencies a test reads beside the driver (`cassandra-driver`,
 * the `deno` binary, OpenTelemetry's API and SDK) are linked into the temp folder's `node_modules`.
 *
 * ```sh
 * deno run -A scripts/node_suite.ts [test files…]   # env as scripts/test.ts sets it
 * ```
 * @module
 */

import { existsSync } from "node:fs";
import { buildNpm } from "./build_npm.ts";
import { REPO_ROOT } from "./lib/paths.ts";
import type { Counts } from "./lib/test_counts.ts";

const SUITE = "tests/integration";

/** Package name of each deno.json export's source file (`mod.ts` → `@rsylla/rsylla`). */
function exportTargets(): Map<string, string> {
  const config = JSON.parse(Deno.readTextFileSync(`${REPO_ROOT}/deno.json`)) as {
    name: string;
    exports: Record<string, string>;
  };
  return new Map(
    Object.entries(config.exports).map(([sub, file]) => [
      file.replace(/^\.\//, ""),
      sub === "." ? config.name : `${config.name}/${sub.replace(/^\.\//, "")}`,
    ]),
  );
}

/** Repository dev dependencies linked into the suite's `node_modules` (tests read them). */
const LINKED = [
  "cassandra-driver",
  ".bin/deno",
  "@opentelemetry/api",
  "@opentelemetry/sdk-trace-base",
];

/** Relative module specifiers of a TypeScript source. */
function relativeImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom\s*|^import\s*|\bimport\(\s*)"(\.{1,2}\/[^"]+)"/gm)) {
    out.push(m[1]);
  }
  return out;
}

/**
 * Copies `files` and the repository files they import into `dir`, keeping their paths, with
 * imports of an export's source rewritten to its package name and imports of other driver
 * modules to their compiled file in the installed package. Returns the copied paths.
 */
async function copySources(files: string[], dir: string): Promise<string[]> {
  const targets = exportTargets();
  const done = new Set<string>();
  const todo = [...files];
  while (todo.length > 0) {
    const rel = todo.pop()!;
    if (done.has(rel)) continue;
    done.add(rel);
    let text = await Deno.readTextFile(`${REPO_ROOT}/${rel}`);
    const base = new URL(rel, "file:///r/");
    for (const spec of relativeImports(text)) {
      const target = new URL(spec, base).pathname.slice(3);
      const pkg = targets.get(target);
      if (pkg !== undefined) {
        text = text.replaceAll(`"${spec}"`, `"${pkg}"`);
      } else if (target.startsWith("src/")) {
        // Compiled to out/<rel>.js: up to the suite folder, then into the installed tarball.
        const up = "../".repeat(rel.split("/").length);
        const js = `${up}node_modules/@rsylla/rsylla/dist/${target.replace(/\.ts$/, ".js")}`;
        text = text.replaceAll(`"${spec}"`, `"${js}"`);
      } else if (existsSync(`${REPO_ROOT}/${target}`)) {
        todo.push(target);
      } // else: not a repository file (an import written inside a string the test generates)
    }
    await Deno.mkdir(`${dir}/${rel.slice(0, rel.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${rel}`, text);
  }
  return [...done];
}

/** `*_test.ts` files under `folder` (relative to the repository), sub-folders included. */
function testFilesUnder(folder: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${REPO_ROOT}/${folder}`)) {
    if (e.isDirectory) out.push(...testFilesUnder(`${folder}/${e.name}`));
    else if (e.isFile && e.name.endsWith("_test.ts")) out.push(`${folder}/${e.name}`);
  }
  return out.sort();
}

async function sh(cmd: string, args: string[], cwd: string): Promise<void> {
  const { code } = await new Deno.Command(cmd, { args, cwd, stdin: "null" }).spawn().status;
  if (code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${code}`);
}

/** Counts of a `node --test --test-reporter=tap` run, from its closing summary. */
export function nodeTapCounts(text: string, code: number): Counts {
  const n = (k: string) => Number(new RegExp(`^# ${k} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  const passed = n("pass");
  let failed = n("fail") + n("cancelled");
  const ignored = n("skipped") + n("todo");
  if (code !== 0 && failed === 0) failed = 1;
  return { passed, failed, ignored };
}

/**
 * Prepares the Node suite in a new temp folder: packs and installs the package, copies and
 * transpiles the tests. Returns the folder and the compiled test files (relative to it).
 */
export async function prepareNodeSuite(
  only: string[] = [],
): Promise<{ dir: string; tests: string[] }> {
  const dir = await Deno.makeTempDir({ prefix: "rsylla-node-suite-" });
  await buildNpm();
  await sh("npm", ["pack", "--silent", "--pack-destination", dir], REPO_ROOT);
  const tgz = [...Deno.readDirSync(dir)].find((e) => e.name.endsWith(".tgz"))!.name;
  const tests = only.length > 0 ? only : testFilesUnder(SUITE);
  const copied = await copySources(tests, dir);
  await Deno.writeTextFile(
    `${dir}/package.json`,
    JSON.stringify({
      name: "rsylla-node-suite",
      private: true,
      type: "module",
      dependencies: { "@rsylla/rsylla": `file:./${tgz}` },
    }),
  );
  await Deno.writeTextFile(
    `${dir}/tsconfig.json`,
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        noCheck: true,
        allowImportingTsExtensions: true,
        rewriteRelativeImportExtensions: true,
        outDir: "out",
        rootDir: ".",
      },
      files: copied,
    }),
  );
  await sh("npm", ["install", "--no-audit", "--no-fund", "--silent"], dir);
  for (const name of LINKED) {
    const from = `${REPO_ROOT}/node_modules/${name}`;
    const to = `${dir}/node_modules/${name}`;
    await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
    await Deno.symlink(from, to);
  }
  await sh("node", [`${REPO_ROOT}/node_modules/typescript/bin/tsc`, "-p", "."], dir);
  return { dir, tests: tests.map((t) => `out/${t.replace(/\.ts$/, ".js")}`) };
}

if (import.meta.main) {
  const { dir, tests } = await prepareNodeSuite(Deno.args);
  const { code } = await new Deno.Command("node", {
    args: ["--test", "--test-reporter=tap", ...tests],
    cwd: dir,
    stdin: "null",
  }).spawn().status;
  await Deno.remove(dir, { recursive: true });
  Deno.exit(code);
}
