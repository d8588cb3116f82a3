/**
 * Makes sure the npm packages (runtimes, compression codecs) are installed,
 * so `npx -y deno@2 task …` works on a fresh clone.
 * @module
 */

import { exists, REPO_ROOT } from "./paths.ts";

const DENO_BIN = `${REPO_ROOT}/node_modules/.bin/deno`;
const NEEDED = ["node_modules/.bin/bun", "node_modules/snappyjs/package.json"];

/** Runs `npm ci` when a needed package is missing, and fixes `.bin/deno` for `deno task`. */
export async function ensureDependencies(): Promise<void> {
  const missing = [];
  for (const p of NEEDED) if (!(await exists(`${REPO_ROOT}/${p}`))) missing.push(p);
  if (missing.length > 0) {
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
  // The deno package links .bin/deno to its native binary, which `deno task` then runs as
  // JavaScript ("Invalid or unexpected token", denoland/deno#27114); its bin.cjs works for both.
  if (
    await exists(DENO_BIN) && (await Deno.readLink(DENO_BIN).catch(() => "")) !== "../deno/bin.cjs"
  ) {
    await Deno.remove(DENO_BIN);
    await Deno.symlink("../deno/bin.cjs", DENO_BIN);
  }
}

if (import.meta.main) await ensureDependencies();
