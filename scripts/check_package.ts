/**
 * Checks what would be published: `deno publish --dry-run` passes without a warning and uploads
 * only what a user needs (`mod.ts`, `src/`, README, LICENSE, deno.json), and package.json agrees
 * with deno.json — the one source of name, version and exports — on version and sub-paths.
 *
 * ```sh
 * deno run -A scripts/check_package.ts
 * ```
 * @module
 */

import { REPO_ROOT } from "./lib/paths.ts";

const ALLOWED = /^(mod\.ts|src\/.+\.ts|README\.md|LICENSE|deno\.json)$/;

/** Problems found, one line each; empty when all is well. */
export async function checkPackage(): Promise<{ problems: string[]; files: string[] }> {
  const problems: string[] = [];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["publish", "--dry-run", "--allow-dirty"],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (out.code !== 0) problems.push(`deno publish --dry-run exited ${out.code}:\n${text}`);
  for (const line of text.split("\n")) {
    if (/^\s*(warning|error)\b/i.test(line)) {
      problems.push(`deno publish --dry-run: ${line.trim()}`);
    }
  }
  const files = [...text.matchAll(/^\s+file:\/\/(\S+?) \(/gm)]
    .map((m) => m[1].slice(REPO_ROOT.length + 1));
  for (const f of files) if (!ALLOWED.test(f)) problems.push(`published but not for users: ${f}`);
  for (const f of ["mod.ts", "LICENSE", "README.md"]) {
    if (!files.includes(f)) problems.push(`not published: ${f}`);
  }

  const deno = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/deno.json`));
  // Every entry point documented: the JSR page is its JSDoc.
  const entries = typeof deno.exports === "string" ? [deno.exports] : Object.values(deno.exports);
  const doc = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ...(entries as string[])],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  if (doc.code !== 0) {
    problems.push(`deno doc --lint ${entries.join(" ")}:\n${new TextDecoder().decode(doc.stderr)}`);
  }
  const pkg = JSON.parse(await Deno.readTextFile(`${REPO_ROOT}/package.json`));
  if (await Deno.stat(`${REPO_ROOT}/jsr.json`).then(() => true, () => false)) {
    problems.push("jsr.json exists: deno.json is the one JSR manifest");
  }
  if (pkg.name !== deno.name) {
    problems.push(`package.json name ${pkg.name} ≠ deno.json ${deno.name}`);
  }
  if (pkg.version !== deno.version) {
    problems.push(`package.json version ${pkg.version} ≠ deno.json ${deno.version}`);
  }
  if (pkg.private) problems.push("package.json is private");
  const denoPaths = Object.keys(typeof deno.exports === "string" ? { ".": 1 } : deno.exports);
  const npmPaths = Object.keys(pkg.exports ?? {}).filter((k) => k !== "./package.json");
  for (const p of denoPaths) if (!npmPaths.includes(p)) problems.push(`npm exports lack ${p}`);
  for (const p of npmPaths) {
    if (!denoPaths.includes(p)) problems.push(`deno.json exports lack ${p}`);
  }
  for (const [p, target] of Object.entries(pkg.exports ?? {})) {
    if (p !== "./package.json" && !(target as Record<string, string>).types) {
      problems.push(`npm export ${p} has no types`);
    }
  }
  return { problems, files };
}

if (import.meta.main) {
  const { problems, files } = await checkPackage();
  for (const p of problems) console.log(`problem: ${p}`);
  console.log(`deno publish --dry-run: ${files.length} files; ${problems.length} problems`);
  Deno.exit(problems.length > 0 ? 1 : 0);
}
