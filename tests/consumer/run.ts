/**
 * Consumer tests: the driver as a user outside this repository gets it. Each check works in a
 * throw-away folder under the system temp dir, with no path into `src/` and no use of this
 * repository's `node_modules`:
 *
 * - `pack`: `npm pack` of the built package (scripts/build_npm.ts): its file list and size budget;
 * - `npm`: a project installs that tarball, type-checks `app.ts` and the README's ```ts snippets
 *   with `tsc --strict`, and runs them under Node (compiled by tsc) and under Bun (as TypeScript);
 * - `jsr`: a Deno project whose `deno.json` links this repository (`"links"`, as the JSR registry
 *   would serve it) imports `jsr:@rsylla/rsylla`, `deno check`s and runs `app.ts` and the snippets.
 *
 * `app.ts` queries `CQL_HOSTS` (default 127.0.0.1:9042), which must answer.
 *
 * ```sh
 * deno run -A tests/consumer/run.ts [pack|npm|jsr]...
 * ```
 * @module
 */

import { buildNpm } from "../../scripts/build_npm.ts";
import { REPO_ROOT, since } from "../../scripts/lib/paths.ts";

/** Packed and unpacked size budgets of the npm tarball, in bytes (stated in the README). */
export const PACK_BUDGET = { packed: 350_000, unpacked: 1_200_000 };
const HERE = new URL(".", import.meta.url).pathname;
const BUN = `${REPO_ROOT}/node_modules/.bin/bun`;

/** One named check's outcome. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  seconds: number;
}

interface Out {
  code: number;
  text: string;
}

async function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const r = await new Deno.Command(cmd, {
    args,
    cwd,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const dec = new TextDecoder();
  return { code: r.code, text: dec.decode(r.stdout) + dec.decode(r.stderr) } as Out;
}

async function check(name: string, fn: () => Promise<string>): Promise<Check> {
  const start = performance.now();
  let c: Check;
  try {
    c = { name, ok: true, detail: await fn(), seconds: 0 };
  } catch (e) {
    c = { name, ok: false, detail: (e as Error).message, seconds: 0 };
  }
  c.seconds = (performance.now() - start) / 1000;
  console.log(`${c.ok ? "ok  " : "FAIL"} ${name} (${since(start)}): ${c.detail}`);
  return c;
}

function must(r: Out, what: string): string {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}:\n${r.text.slice(-3000)}`);
  return r.text;
}

/** The line `app.ts` prints, checked: a Cassandra release, the system tables, many columns. */
function appResult(text: string, runtime: string): string {
  const line = text.trim().split("\n").findLast((l) => l.startsWith("{"));
  if (!line) throw new Error(`no result line:\n${text.slice(-2000)}`);
  const r = JSON.parse(line);
  if (r.runtime !== runtime || !/^\d+\./.test(r.version) || r.tables < 5 || r.paged < 100) {
    throw new Error(`unexpected result ${line}`);
  }
  return line;
}

/** Builds dist/, packs it into `dir`; returns the tarball path after checking files and size. */
async function pack(dir: string): Promise<{ tarball: string; detail: string }> {
  await buildNpm();
  const out = must(
    await sh("npm", ["pack", "--json", "--pack-destination", dir], REPO_ROOT),
    "npm pack",
  );
  const [info] = JSON.parse(out.slice(out.indexOf("[")));
  const files: string[] = info.files.map((f: { path: string }) => f.path);
  const stray = files.filter((f) =>
    !(f.startsWith("dist/") && /\.(js|d\.ts)$/.test(f)) &&
    !["package.json", "README.md", "LICENSE"].includes(f)
  );
  const missing = ["dist/mod.js", "dist/mod.d.ts", "dist/src/runtime/workers_entry.js"]
    .concat(["dist/workerd.js", "dist/workerd.d.ts", "LICENSE", "README.md", "package.json"])
    .filter((f) => !files.includes(f));
  // Every module has its declarations next to it.
  // (Command-line entry points under dist/bin/ are run, not imported: no declarations.)
  const untyped = files.filter((f) =>
    f.endsWith(".js") && !f.startsWith("dist/bin/") && !files.includes(f.replace(/\.js$/, ".d.ts"))
  );
  const problems = [
    ...stray.map((f) => `not for users: ${f}`),
    ...missing.map((f) => `missing: ${f}`),
    ...untyped.map((f) => `no .d.ts: ${f}`),
  ];
  if (info.size > PACK_BUDGET.packed) {
    problems.push(`packed ${info.size} B > ${PACK_BUDGET.packed}`);
  }
  if (info.unpackedSize > PACK_BUDGET.unpacked) {
    problems.push(`unpacked ${info.unpackedSize} B > ${PACK_BUDGET.unpacked}`);
  }
  if (problems.length > 0) throw new Error(problems.join("\n"));
  return {
    tarball: `${dir}/${info.filename}`,
    detail: `${files.length} files, ${(info.size / 1000).toFixed(1)} kB packed, ` +
      `${(info.unpackedSize / 1000).toFixed(1)} kB unpacked (budget ${
        PACK_BUDGET.packed / 1000
      } / ` +
      `${PACK_BUDGET.unpacked / 1000} kB)`,
  };
}

/** The files `deno publish` would upload, relative to the repository root. */
export async function jsrFiles(): Promise<string[]> {
  const r = must(
    await sh(Deno.execPath(), ["publish", "--dry-run", "--allow-dirty"], REPO_ROOT, {
      NO_COLOR: "1",
    }),
    "deno publish --dry-run",
  );
  return [...r.matchAll(/^\s+file:\/\/(\S+?) \(/gm)].map((m) => m[1].slice(REPO_ROOT.length + 1));
}

/** The README's TypeScript snippets (```ts blocks not marked `ignore`), in order. */
export async function readmeSnippets(): Promise<string[]> {
  const text = await Deno.readTextFile(`${REPO_ROOT}/README.md`);
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

/** A fresh temp folder holding a copy of `app.ts` and the README snippets as `readme_<n>.ts`. */
async function project(prefix: string): Promise<{ dir: string; programs: string[] }> {
  const dir = await Deno.makeTempDir({ prefix });
  await Deno.copyFile(`${HERE}app.ts`, `${dir}/app.ts`);
  const programs = ["app.ts"];
  for (const [i, code] of (await readmeSnippets()).entries()) {
    programs.push(`readme_${i + 1}.ts`);
    await Deno.writeTextFile(`${dir}/readme_${i + 1}.ts`, code);
  }
  return { dir, programs };
}

/** Runs each README snippet (the programs after `app.ts`) with `exec`; one check each. */
async function snippets(
  label: string,
  programs: string[],
  exec: (program: string) => Promise<Out>,
): Promise<Check[]> {
  const out: Check[] = [];
  for (const p of programs.slice(1)) {
    out.push(
      await check(`${label}: ${p}`, async () => {
        const text = must(await exec(p), p);
        return `ok, ${text.trim().split("\n").length} lines of output`;
      }),
    );
  }
  return out;
}

/** Runs the given consumer checks; `hosts` is where `app.ts` connects. */
export async function runConsumers(
  which: readonly ("pack" | "npm" | "jsr")[],
  hosts: string,
): Promise<Check[]> {
  const results: Check[] = [];
  const temps: string[] = [];
  const env = { CQL_HOSTS: hosts };
  try {
    const packDir = await Deno.makeTempDir({ prefix: "rsylla-pack-" });
    temps.push(packDir);
    let tarball = "";
    if (which.includes("pack") || which.includes("npm")) {
      results.push(
        await check("npm pack: file list and size", async () => {
          const p = await pack(packDir);
          tarball = p.tarball;
          return p.detail;
        }),
      );
    }
    if (which.includes("npm") && tarball) {
      const { dir, programs } = await project("rsylla-npm-consumer-");
      temps.push(dir);
      const name = tarball.slice(tarball.lastIndexOf("/") + 1);
      await Deno.copyFile(tarball, `${dir}/${name}`);
      await Deno.writeTextFile(
        `${dir}/package.json`,
        JSON.stringify({
          name: "rsylla-consumer",
          private: true,
          type: "module",
          dependencies: { "@rsylla/rsylla": `file:./${name}` },
          devDependencies: { "typescript": "5.9.3", "@types/node": "^20.19.43" },
        }),
      );
      await Deno.writeTextFile(
        `${dir}/tsconfig.json`,
        JSON.stringify({
          compilerOptions: {
            strict: true,
            target: "ES2022",
            module: "NodeNext",
            moduleResolution: "NodeNext",
            types: ["node"],
            outDir: "out",
          },
          files: programs,
        }),
      );
      const installed = await check("npm: install the tarball in a new project", async () => {
        must(await sh("npm", ["install", "--no-audit", "--no-fund"], dir), "npm install");
        const pkg = JSON.parse(
          await Deno.readTextFile(`${dir}/node_modules/@rsylla/rsylla/package.json`),
        );
        return `@rsylla/rsylla@${pkg.version} in ${dir}`;
      });
      results.push(installed);
      if (installed.ok) {
        const tsc = await check("npm: tsc --strict (types of the package)", async () => {
          must(await sh("node", ["node_modules/typescript/bin/tsc", "-p", "."], dir), "tsc");
          return "no type errors";
        });
        results.push(tsc);
        if (tsc.ok) {
          results.push(
            await check("npm: query under Node", async () => {
              const r = must(await sh("node", ["out/app.js"], dir, env), "node out/app.js");
              return appResult(r, "node");
            }),
          );
          const node = (p: string) => sh("node", [`out/${p.replace(/\.ts$/, ".js")}`], dir, env);
          results.push(...await snippets("npm: README snippet under Node", programs, node));
        }
        results.push(
          await check("npm: query under Bun", async () => {
            const r = must(await sh(BUN, ["app.ts"], dir, env), "bun app.ts");
            return appResult(r, "bun");
          }),
        );
        const bun = (p: string) => sh(BUN, [p], dir, env);
        results.push(...await snippets("npm: README snippet under Bun", programs, bun));
      }
    }
    if (which.includes("jsr")) {
      const { dir, programs } = await project("rsylla-jsr-consumer-");
      temps.push(dir);
      await Deno.writeTextFile(
        `${dir}/deno.json`,
        JSON.stringify({
          links: [REPO_ROOT],
          imports: { "@rsylla/rsylla": "jsr:@rsylla/rsylla@^0.1.0" },
        }),
      );
      const checked = await check("jsr: deno check through the linked package", async () => {
        must(
          await sh(Deno.execPath(), ["check", ...programs], dir, { NO_COLOR: "1" }),
          "deno check",
        );
        return "no type errors";
      });
      results.push(checked);
      if (checked.ok) {
        results.push(
          await check("jsr: query under Deno", async () => {
            const r = must(
              await sh(Deno.execPath(), ["run", "-A", "app.ts"], dir, env),
              "deno run",
            );
            return appResult(r, "deno");
          }),
        );
        const deno = (p: string) => sh(Deno.execPath(), ["run", "-A", p], dir, env);
        results.push(...await snippets("jsr: README snippet under Deno", programs, deno));
      }
    }
  } finally {
    for (const d of temps) await Deno.remove(d, { recursive: true }).catch(() => {});
  }
  return results;
}

if (import.meta.main) {
  const which =
    (Deno.args.length ? Deno.args : ["pack", "npm", "jsr"]) as ("pack" | "npm" | "jsr")[];
  const results = await runConsumers(which, Deno.env.get("CQL_HOSTS") ?? "127.0.0.1:9042");
  const failed = results.filter((r) => !r.ok).length;
  console.log(`consumers: ${results.length - failed} passed, ${failed} failed`);
  Deno.exit(failed > 0 ? 1 : 0);
}
