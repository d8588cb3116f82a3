/**
 * The integration suite on Node 20, against the built npm package: `tests/integration/` (and the
 * repository files it imports) is copied to a temp folder outside the repository with every
 * import of `mod.ts` replaced by `@rsylla/rsylla`, transpiled by tsc, and run with `node --test`
 * after `npm install` of the packed tarball there. So the driver code under test is the
 * tarball's `dist/`, resolved through its `exports` like any Node user's.
 *
 * ```sh
 * deno run -A scripts/node_suite.ts [test files…]   # env as scripts/test.ts sets it
 * ```
 * @module
 */

import { buildNpm } from "./build_npm.ts";
import { REPO_ROOT } from "./lib/paths.ts";
import type { Counts } from "./lib/test_counts.ts";

const SUITE = "tests/integration";
const PUBLIC_ENTRY = "mod.ts";

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
 * imports of the public entry rewritten to the package name. Returns the copied paths.
 * @throws {Error} a test imports a driver module other than the public entry
 */
async function copySources(files: string[], dir: string): Promise<string[]> {
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
      if (target === PUBLIC_ENTRY) {
        text = text.replaceAll(`"${spec}"`, `"@rsylla/rsylla"`);
      } else if (target.startsWith("src/")) {
        throw new Error(`${rel} imports ${target}: only the package's exports run on Node`);
      } else {
        todo.push(target);
      }
    }
    await Deno.mkdir(`${dir}/${rel.slice(0, rel.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${dir}/${rel}`, text);
  }
  return [...done];
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
  const tests = only.length > 0 ? only : [...Deno.readDirSync(`${REPO_ROOT}/${SUITE}`)]
    .filter((e) => e.isFile && e.name.endsWith("_test.ts"))
    .map((e) => `${SUITE}/${e.name}`)
    .sort();
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
