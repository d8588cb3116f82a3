/**
 * Makes sure the npm packages (Bun, the compression codec, the test tools) are installed, so
 * `npx -y deno@2 task …` works on a fresh clone.
 *
 * Nothing here touches `node_modules/.bin`: the deno package's postinstall links `.bin/deno` to
 * its native binary, which `deno task` would run as JavaScript if a task named `deno` directly
 * ("Invalid or unexpected token", denoland/deno#27114). The tasks in deno.json therefore start
 * `env deno …`, which runs whatever `deno` is first on the PATH as a program, so `npm ci`,
 * `npm install`, `bun install` or no install at all may come first.
 * @module
 */

import { exists, REPO_ROOT } from "./paths.ts";

const NEEDED = ["node_modules/.bin/bun", "node_modules/snappyjs/package.json"];

/** Runs `npm ci` when a needed package is missing. */
export async function ensureDependencies(): Promise<void> {
  const missing = [];
  for (const p of NEEDED) if (!(await exists(`${REPO_ROOT}/${p}`))) missing.push(p);
  if (missing.length === 0) return;
  const start = performance.now();
  console.log(`npm packages missing (${missing.join(", ")}): running npm ci…`);
  const { code } = await new Deno.Command("npm", {
    args: ["ci", "--no-audit", "--no-fund"],
    cwd: REPO_ROOT,
    stdin: "null",
  }).spawn().status;
  if (code !== 0) throw new Error(`npm ci failed (exit ${code})`);
  console.log(`npm ci done (${((performance.now() - start) / 1000).toFixed(1)}s)`);
}

if (import.meta.main) await ensureDependencies();
