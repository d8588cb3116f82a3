/**
 * Builds the npm package into `dist/` (ignored by git) from the same sources
 * JSR publishes: ESM JavaScript and `.d.ts` for every deno.json export (`mod.ts`, `./workers`,
 * `./compat`) and everything they import, plus `dist/workerd.js`, the entry the `workerd`
 * export condition selects inside Cloudflare Workers, and `dist/bin/gen-types.js`, the
 * `rsylla-gen-types` command. The TypeScript compiler
 * (the `typescript` devDependency) only transpiles here, `.ts` import
 * specifiers rewritten to `.js`; type checking is `deno check`'s job.
 *
 * ```sh
 * deno run -A scripts/build_npm.ts
 * ```
 * @module
 */

import { REPO_ROOT, since } from "./lib/paths.ts";

const DIST = `${REPO_ROOT}/dist`;
/** Entry points besides deno.json's exports: the gen-types command behind the npm `bin`. */
const EXTRA_ENTRIES = ["src/sql/gen_types_cli.ts"];

/**
 * Optional peer dependencies, imported only when the user turns their feature on. In the npm
 * build their `import("…")` gets a computed specifier, so bundlers (Workers, Bun, esbuild)
 * leave them alone instead of failing to resolve a package the user did not install; the
 * Deno/JSR source keeps the literal, which `deno publish` maps to its `npm:` package.
 */
const OPTIONAL_PEERS = ["@opentelemetry/api"];

/** Modules the built JavaScript may import besides its own files (`node:zlib` lazily, for its CRC-32). */
const ALLOWED_BARE = /^(node:(net|tls|zlib|fs\/promises)|snappyjs|cloudflare:sockets)$/;

/** Reads deno.json: the one source of name, version and exports. */
async function denoJson(): Promise<
  { name: string; version: string; exports: string | Record<string, string> }
> {
  return JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
}

/** The files tsc starts from: every deno.json export, plus {@link EXTRA_ENTRIES}. */
async function entries(): Promise<string[]> {
  const { exports } = await denoJson();
  const paths = typeof exports === "string" ? [exports] : Object.values(exports);
  return [...paths.map((p) => p.replace(/^\.\//, "")), ...EXTRA_ENTRIES];
}

/** `dist/bin/gen-types.js`: the npm `bin` running gen-types on Node or Bun. */
const GEN_TYPES_BIN = `#!/usr/bin/env node
// rsylla-gen-types: TypeScript row types from a keyspace's schema (see the README, "Typed CQL").
import { writeFile } from "node:fs/promises";
import { runGenTypes } from "../src/sql/gen_types_cli.js";

const code = await runGenTypes(process.argv.slice(2), {
  writeFile: (path, text) => writeFile(path, text),
  stdout: (text) => console.log(text),
  stderr: (text) => console.error(text),
});
process.exit(code);
`;

/**
 * Compiles the entries twice into {@link DIST}: the declarations with their JSDoc (what editors
 * show), then the JavaScript without comments, which nothing reads at run time and which would
 * otherwise be a third of the tarball.
 */
async function tsc(): Promise<void> {
  const files = await entries();
  await tscPass(files, { declaration: true, emitDeclarationOnly: true, removeComments: false });
  await tscPass(files, { declaration: false, removeComments: true });
}

async function tscPass(files: string[], options: Record<string, boolean>): Promise<void> {
  const tmp = await Deno.makeTempDir({ prefix: "rsylla-build-" });
  const config = `${tmp}/tsconfig.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022", "DOM"],
        types: [],
        noCheck: true,
        skipLibCheck: true,
        allowImportingTsExtensions: true,
        rewriteRelativeImportExtensions: true,
        verbatimModuleSyntax: true,
        newLine: "lf",
        rootDir: REPO_ROOT,
        outDir: DIST,
        ...options,
      },
      files: files.map((e) => `${REPO_ROOT}/${e}`),
    }),
  );
  const bin = `${REPO_ROOT}/node_modules/typescript/bin/tsc`;
  const { code } = await new Deno.Command("node", { args: [bin, "-p", config], stdin: "null" })
    .spawn().status;
  await Deno.remove(tmp, { recursive: true });
  if (code !== 0) throw new Error(`tsc failed (exit ${code})`);
}

/** The module specifiers a built file imports (comment lines skipped). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const l = line.trimStart();
    if (l.startsWith("*") || l.startsWith("//") || l.startsWith("/*")) continue;
    for (const m of l.matchAll(/(?:\bfrom\s*|^import\s*|\bimport\(\s*)"([^"]+)"/g)) out.push(m[1]);
  }
  return out;
}

/**
 * Rewrites `.ts` specifiers to `.js` in a declaration file (tsc rewrites them
 * in JavaScript only), so consumers resolve them without TypeScript options.
 */
function rewriteDeclaration(text: string): string {
  return text.replace(
    /((?:\bfrom\s*|^import\s*|\bimport\(\s*)")(\.{1,2}\/[^"]+)\.ts"/gm,
    '$1$2.js"',
  );
}

/** Fixes the declaration files and lists imports of anything but own files and known modules. */
async function finish(dir: string): Promise<string[]> {
  const bad: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) {
      bad.push(...await finish(p));
      continue;
    }
    if (!e.name.endsWith(".js") && !e.name.endsWith(".d.ts")) continue;
    let text = await Deno.readTextFile(p);
    if (e.name.endsWith(".js") && OPTIONAL_PEERS.some((m) => text.includes(`import("${m}")`))) {
      for (const m of OPTIONAL_PEERS) {
        text = text.replaceAll(`import("${m}")`, `import(String(${JSON.stringify(m)}))`);
      }
      await Deno.writeTextFile(p, text);
    }
    if (e.name.endsWith(".d.ts")) {
      text = rewriteDeclaration(text);
      await Deno.writeTextFile(p, text);
    }
    for (const s of specifiers(text)) {
      if (s.startsWith(".") ? s.endsWith(".ts") : !ALLOWED_BARE.test(s)) bad.push(`${p}: ${s}`);
    }
  }
  return bad;
}

/** Builds `dist/`; returns the number of files written. */
export async function buildNpm(): Promise<number> {
  await Deno.remove(DIST, { recursive: true }).catch(() => {});
  await tsc();
  const { name, version } = await denoJson();
  await Deno.writeTextFile(
    `${DIST}/workerd.js`,
    `// ${name}@${version} for Cloudflare Workers: the \`workerd\` export condition selects this file.\n` +
      `import { connect } from "cloudflare:sockets";\n` +
      `import { useWorkersSockets } from "./src/runtime/workers_entry.js";\n` +
      `useWorkersSockets(connect);\n` +
      `export * from "./mod.js";\n`,
  );
  await Deno.writeTextFile(`${DIST}/workerd.d.ts`, `export * from "./mod.js";\n`);
  await Deno.mkdir(`${DIST}/bin`, { recursive: true });
  await Deno.writeTextFile(`${DIST}/bin/gen-types.js`, GEN_TYPES_BIN, { mode: 0o755 });
  const bad = await finish(DIST);
  if (bad.length > 0) throw new Error(`unexpected imports in dist/:\n  ${bad.join("\n  ")}`);
  let n = 0;
  const count = async (d: string) => {
    for await (const e of Deno.readDir(d)) {
      if (e.isDirectory) await count(`${d}/${e.name}`);
      else n++;
    }
  };
  await count(DIST);
  return n;
}

if (import.meta.main) {
  const start = performance.now();
  const n = await buildNpm();
  console.log(`dist/: ${n} files (${since(start)})`);
}
